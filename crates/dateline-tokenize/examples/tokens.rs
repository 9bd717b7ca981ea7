//! Tokenizes every document of a JSONL corpus (the `text` field of each
//! line) and prints one token a line: document index, byte start, byte end
//! and kind, tab-separated. Used to check that a change to the tokenizer
//! keeps its output (`--joined-hyphens` tokenizes with
//! `split_hyphens(false)`), and to count its instructions. With `--quiet` it only
//! reports the counts, so that under callgrind the printing does not swamp
//! the tokenizer's own cost:
//!
//! ```text
//! cargo run --release -p dateline-tokenize --example tokens -- \
//!     ../shared/data/bench/conll-docs.jsonl > /tmp/tokens.tsv
//! valgrind --tool=callgrind --branch-sim=yes \
//!     target/release/examples/tokens --quiet CORPUS
//! callgrind_annotate --inclusive=yes callgrind.out.* | grep tokenize_into
//! ```

use std::io::{self, BufRead, BufReader, BufWriter, Write};

use dateline_tokenize::Tokenizer;

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let quiet = args.iter().any(|a| a == "--quiet");
    let joined = args.iter().any(|a| a == "--joined-hyphens");
    args.retain(|a| a != "--quiet" && a != "--joined-hyphens");
    let [path] = &args[..] else {
        anyhow::bail!("usage: tokens [--quiet] [--joined-hyphens] CORPUS.jsonl");
    };
    let mut texts = Vec::new();
    for line in BufReader::new(std::fs::File::open(path)?).lines() {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        let text = record["text"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("a record without text"))?;
        texts.push(text.to_owned());
    }
    let tokenizer = Tokenizer::builder().split_hyphens(!joined).build();
    let mut tokens = Vec::new();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut n_tokens = 0;
    for (d, text) in texts.iter().enumerate() {
        tokens.clear();
        tokenizer.tokenize_into(text, &mut tokens);
        n_tokens += tokens.len();
        if quiet {
            continue;
        }
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
