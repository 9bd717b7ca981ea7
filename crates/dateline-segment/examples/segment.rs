//! Reads text on stdin and prints one sentence a line: byte start, byte end
//! and the sentence, tab-separated (line breaks inside a sentence shown as
//! spaces). Tokens come from `dateline-tokenize`; the segmenter works on any
//! tokenizer's output.
//!
//! ```text
//! cargo run -p dateline-segment --example segment < fixtures/seed-article.txt
//! ```

use std::io::{self, BufWriter, Read, Write};

use dateline_segment::Segmenter;
use dateline_tokenize::Tokenizer;

fn main() -> io::Result<()> {
    let mut text = String::new();
    io::stdin().read_to_string(&mut text)?;
    let tokens = Tokenizer::default().tokenize(&text);
    let sentences = Segmenter::default().segment(&text, &tokens);
    let mut out = BufWriter::new(io::stdout().lock());
    for sentence in &sentences {
        let (start, end) = (sentence.span.start, sentence.span.end);
        let line = text[sentence.span.range()].replace(['\n', '\r'], " ");
        match writeln!(out, "{start}\t{end}\t{line}") {
            // A closed pipe (`| head`) is a normal way to stop reading.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
