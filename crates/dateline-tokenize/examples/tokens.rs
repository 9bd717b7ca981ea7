//! Tokenizes every document of a JSONL corpus (the `text` field of each
//! line) and prints one token a line: document index, byte start, byte end
//! and kind, tab-separated. Used to check that a change to the tokenizer
//! keeps its output, and to count its instructions (reading the corpus
//! costs little next to tokenizing it):
//!
//! ```text
//! cargo run --release -p dateline-tokenize --example tokens -- \
//!     ../shared/data/bench/conll-docs.jsonl > /tmp/tokens.tsv
//! valgrind --tool=callgrind target/release/examples/tokens CORPUS > /dev/null
//! ```

use std::io::{self, BufRead, BufReader, BufWriter, Write};

use dateline_tokenize::Tokenizer;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: tokens CORPUS.jsonl"))?;
    let mut texts = Vec::new();
    for line in BufReader::new(std::fs::File::open(&path)?).lines() {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        let text = record["text"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("a record without text"))?;
        texts.push(text.to_owned());
    }
    let tokenizer = Tokenizer::default();
    let mut tokens = Vec::new();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut n_tokens = 0;
    for (d, text) in texts.iter().enumerate() {
        tokens.clear();
        tokenizer.tokenize_into(text, &mut tokens);
        n_tokens += tokens.len();
        for t in &tokens {
            writeln!(
                out,
                "{d}\t{}\t{}\t{}",
                t.span.start,
                t.span.end,
                t.kind.as_str()
            )?;
        }
    }
    out.flush()?;
    eprintln!(
        "{} documents, {} bytes, {n_tokens} tokens",
        texts.len(),
        texts.iter().map(String::len).sum::<usize>()
    );
    Ok(())
}
