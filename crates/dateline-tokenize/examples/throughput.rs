//! Measures tokenizer throughput on one core over a JSONL corpus (one
//! object with a `text` field per line), passed over until at least 100 MB
//! (or the megabytes given second) have been tokenized.
//!
//! ```text
//! cargo run --release -p dateline-tokenize --example throughput -- \
//!     ../shared/data/bench/conll-docs.jsonl [MB]
//! ```

use std::time::Instant;

use anyhow::{ensure, Context, Result};
use dateline_tokenize::Tokenizer;

fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: throughput CORPUS.jsonl [MB]")?;
    let target_mb: usize = match std::env::args().nth(2) {
        Some(mb) => mb
            .parse()
            .with_context(|| format!("not a number of MB: {mb}"))?,
        None => 100,
    };
    let corpus = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let mut texts = Vec::new();
    for (i, line) in corpus.lines().enumerate() {
        let record: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{path}:{}", i + 1))?;
        if let Some(text) = record.get("text").and_then(|t| t.as_str()) {
            texts.push(text.to_owned());
        }
    }
    let corpus_bytes: usize = texts.iter().map(String::len).sum();
    ensure!(corpus_bytes > 0, "{path}: no text to tokenize");

    let tokenizer = Tokenizer::default();
    let mut tokens = Vec::new();
    // One untimed pass warms the caches and parses the word lists.
    for text in &texts {
        tokens.clear();
        tokenizer.tokenize_into(text, &mut tokens);
    }
    let passes = (target_mb << 20).div_ceil(corpus_bytes);
    let mut count = 0usize;
    let start = Instant::now();
    for _ in 0..passes {
        for text in &texts {
            tokens.clear();
            tokenizer.tokenize_into(text, &mut tokens);
            count += tokens.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let bytes = corpus_bytes * passes;
    ensure!(count > 0, "no tokens produced");
    println!(
        "tokenize: {:.1} MB in {secs:.3} s: {:.1} MB/s, {:.2} M tokens/s ({count} tokens, {} docs x {passes} passes)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        count as f64 / 1e6 / secs,
        texts.len(),
    );
    Ok(())
}
