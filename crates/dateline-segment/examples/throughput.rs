//! Measures segmenting, and tokenizing then segmenting as `cargo xtask
//! bench` does, on one core over a JSONL corpus (the `text` field of each
//! line). Each round is one pass over the corpus; the best of many short
//! rounds is reported next to the median, since on a shared machine the
//! best round is the one least disturbed by other processes.
//!
//! ```text
//! cargo run --release -p dateline-segment --example throughput -- \
//!     ../shared/data/bench/conll-docs.jsonl [ROUNDS]
//! ```

use std::time::Instant;

use anyhow::{ensure, Context, Result};
use dateline_core::{Sentence, Token};
use dateline_segment::Segmenter;
use dateline_tokenize::Tokenizer;

fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: throughput CORPUS.jsonl [ROUNDS]")?;
    let rounds: usize = match std::env::args().nth(2) {
        Some(n) => n.parse().with_context(|| format!("not a number: {n}"))?,
        None => 40,
    };
    ensure!(rounds > 0, "at least one round");
    let corpus = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let mut texts = Vec::new();
    for (i, line) in corpus.lines().enumerate() {
        let record: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{path}:{}", i + 1))?;
        if let Some(text) = record.get("text").and_then(|t| t.as_str()) {
            texts.push(text.to_owned());
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let tokenizer = Tokenizer::default();
    let segmenter = Segmenter::default();
    let tokens: Vec<Vec<Token>> = texts.iter().map(|t| tokenizer.tokenize(t)).collect();
    let n_tokens: usize = tokens.iter().map(Vec::len).sum();
    ensure!(n_tokens > 0, "{path}: no tokens");

    let mut sentences: Vec<Sentence> = Vec::new();
    let segment = best_and_median(rounds, || {
        let mut count = 0;
        for (text, toks) in texts.iter().zip(&tokens) {
            sentences.clear();
            segmenter.segment_into(text, toks, &mut sentences);
            count += sentences.len();
        }
        count
    });
    let mut toks = Vec::new();
    let both = best_and_median(rounds, || {
        let mut count = 0;
        for text in &texts {
            toks.clear();
            sentences.clear();
            tokenizer.tokenize_into(text, &mut toks);
            segmenter.segment_into(text, &toks, &mut sentences);
            count += sentences.len();
        }
        count
    });
    for (name, (best, median, count)) in [("segment", segment), ("tokenize+segment", both)] {
        println!(
            "{name:<17} best {:6.1} MB/s, median {:6.1} MB/s over {rounds} rounds of {:.2} MB \
             ({n_tokens} tokens, {count} sentences)",
            bytes as f64 / 1e6 / best,
            bytes as f64 / 1e6 / median,
            bytes as f64 / 1e6,
        );
    }
    Ok(())
}

/// Runs `round` the given number of times (after one untimed warm-up) and
/// returns the best and median seconds and the count of the last round.
fn best_and_median(rounds: usize, mut round: impl FnMut() -> usize) -> (f64, f64, usize) {
    let mut count = round();
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        count = round();
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[0], times[rounds / 2], count)
}
