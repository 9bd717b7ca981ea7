//! Segments every document of a JSONL corpus (the `text` field of each
//! line) and prints one sentence a line: document index, byte start and
//! byte end, tab-separated. Tokenizing is done for all documents first, so
//! a profiler sees the segmenter's share apart. Used to check that a change
//! to the segmenter keeps its output, and to count its instructions:
//!
//! ```text
//! cargo run --release -p dateline-segment --example spans -- \
//!     ../shared/data/bench/conll-docs.jsonl > /tmp/spans.tsv
//! valgrind --tool=callgrind cargo-target/release/examples/spans CORPUS > /dev/null
//! ```
//!
//! A second argument, the token dump of `dateline-tokenize`'s `tokens`
//! example for the same corpus, pins the tokens: output then compares
//! across segmenter changes even while the tokenizer changes too.

use std::io::{self, BufRead, BufReader, BufWriter, Write};

use dateline_core::{Span, Token, TokenKind};
use dateline_segment::Segmenter;
use dateline_tokenize::Tokenizer;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: spans CORPUS.jsonl [TOKENS.tsv]"))?;
    let mut texts = Vec::new();
    for line in BufReader::new(std::fs::File::open(&path)?).lines() {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        let text = record["text"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("a record without text"))?;
        texts.push(text.to_owned());
    }
    let tokens: Vec<Vec<Token>> = match std::env::args().nth(2) {
        Some(dump) => read_tokens(&dump, texts.len())?,
        None => {
            let tokenizer = Tokenizer::default();
            texts.iter().map(|t| tokenizer.tokenize(t)).collect()
        }
    };
    let segmenter = Segmenter::default();
    let mut sentences = Vec::new();
    let mut out = BufWriter::new(io::stdout().lock());
    let (mut n_tokens, mut n_sentences) = (0, 0);
    for (d, (text, tokens)) in texts.iter().zip(&tokens).enumerate() {
        sentences.clear();
        segmenter.segment_into(text, tokens, &mut sentences);
        n_tokens += tokens.len();
        n_sentences += sentences.len();
        for s in &sentences {
            writeln!(out, "{d}\t{}\t{}", s.span.start, s.span.end)?;
        }
    }
    out.flush()?;
    eprintln!(
        "{} documents, {} bytes, {n_tokens} tokens, {n_sentences} sentences",
        texts.len(),
        texts.iter().map(String::len).sum::<usize>()
    );
    Ok(())
}

/// Token spans from a dump of lines `document<TAB>start<TAB>end<TAB>kind`
/// (the segmenter reads no kinds, so every token is read as a word).
fn read_tokens(path: &str, documents: usize) -> anyhow::Result<Vec<Vec<Token>>> {
    let mut tokens = vec![Vec::new(); documents];
    for line in BufReader::new(std::fs::File::open(path)?).lines() {
        let line = line?;
        let mut fields = line.split('\t');
        let mut next = || -> anyhow::Result<usize> {
            let field = fields
                .next()
                .ok_or_else(|| anyhow::anyhow!("short line: {line:?}"))?;
            Ok(field.parse()?)
        };
        let (d, start, end) = (next()?, next()?, next()?);
        anyhow::ensure!(d < documents, "{path}: document {d} out of range");
        tokens[d].push(Token::new(Span::from_usize(start, end), TokenKind::Word));
    }
    Ok(tokens)
}
