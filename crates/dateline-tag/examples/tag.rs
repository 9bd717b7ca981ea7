//! Reads text on stdin and prints one entity a line: byte start, byte end,
//! label and text, tab-separated. Tokens and sentences come from
//! `dateline-tokenize` and `dateline-segment`; the tagger needs both layers
//! on the document, from whichever stages made them.
//!
//! ```text
//! cargo run -p dateline-tag --example tag < fixtures/seed-article.txt
//! ```

use std::io::{self, BufWriter, Read, Write};

use dateline_core::{Doc, Stage};
use dateline_segment::Segmenter;
use dateline_tag::EntityTagger;
use dateline_tokenize::Tokenizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut text = String::new();
    io::stdin().read_to_string(&mut text)?;
    let mut doc = Doc::new("stdin", text)?;
    Tokenizer::default().process(&mut doc)?;
    Segmenter::default().process(&mut doc)?;
    let tagger = EntityTagger::new()?;
    let mut out = BufWriter::new(io::stdout().lock());
    for entity in tagger.entities(&doc) {
        let (start, end) = (entity.span.start, entity.span.end);
        let line = writeln!(
            out,
            "{start}\t{end}\t{}\t{}",
            entity.label,
            doc.slice(entity.span)
        );
        match line {
            // A closed pipe (`| head`) is a normal way to stop reading.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
