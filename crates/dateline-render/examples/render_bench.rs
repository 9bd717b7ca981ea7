//! How much rendering adds to a run: annotates a JSONL corpus in memory
//! (tokenize, segment, tag), then renders it in each stream format, and
//! prints the time of each part and rendering's share of the whole; then
//! reads the JSONL back with [`JsonlReader`] and prints that rate too.
//!
//! ```text
//! cargo run --release -p dateline-render --example render_bench -- ../shared/data/bench/conll-docs.jsonl
//! ```
//!
//! One thread, no I/O in the timed parts, so the numbers compare the work
//! itself; the driver runs both on every core alike.

use std::time::{Duration, Instant};

use dateline_core::{Doc, OffsetUnit, Stage};
use dateline_render::read::JsonlReader;
use dateline_render::{Format, Output, RenderOptions, Renderer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: render_bench CORPUS.jsonl")?;
    let input = std::fs::read_to_string(&path)?;
    let mut docs = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line)?;
        let text = record["text"].as_str().ok_or("a record without text")?;
        docs.push(Doc::new(record["id"].as_str().unwrap_or(""), text)?);
    }
    let bytes: usize = docs.iter().map(|d| d.text().len()).sum();

    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(dateline_tokenize::Tokenizer::default()),
        Box::new(dateline_segment::Segmenter::default()),
        Box::new(dateline_tag::EntityTagger::new()?),
    ];
    let start = Instant::now();
    for doc in &mut docs {
        for stage in &stages {
            stage.process(doc)?;
        }
    }
    let annotate = start.elapsed();
    let tokens: usize = docs.iter().map(|d| d.tokens().len()).sum();
    let entities: usize = docs.iter().map(|d| d.entities().len()).sum();
    assert!(
        tokens > 0 && entities > 0,
        "the corpus produced no annotations"
    );
    println!(
        "{} documents, {:.1} MB, {tokens} tokens, {entities} entities",
        docs.len(),
        bytes as f64 / 1e6
    );
    println!(
        "annotate (tokenize, segment, tag)  {}",
        rate(annotate, bytes)
    );

    for (format, offsets) in [
        (Format::Jsonl, OffsetUnit::Char),
        (Format::Jsonl, OffsetUnit::Byte),
        (Format::Jsonl, OffsetUnit::Utf16),
        (Format::Conll, OffsetUnit::Char),
        (Format::Conllu, OffsetUnit::Char),
        (Format::Text, OffsetUnit::Char),
    ] {
        let renderer = Renderer::new(
            format,
            RenderOptions {
                offsets,
                html_sentences: false,
            },
        );
        // Reused like a worker's buffer; its size is counted, not kept.
        let mut out = Output::default();
        let mut written = 0usize;
        let start = Instant::now();
        for (i, doc) in docs.iter().enumerate() {
            out.clear();
            renderer.render(doc, i as u64, &mut out)?;
            written += out.bytes.len();
        }
        let render = start.elapsed();
        assert!(written > bytes, "{format} wrote less than the text");
        println!(
            "render {format:<6} --offsets {offsets:<5}  {}  = {:.1}% of annotate + render ({:.1} MB out)",
            rate(render, bytes),
            100.0 * render.as_secs_f64() / (annotate + render).as_secs_f64(),
            written as f64 / 1e6
        );
    }

    let renderer = Renderer::new(Format::Jsonl, RenderOptions::default());
    let mut out = Output::default();
    for (i, doc) in docs.iter().enumerate() {
        renderer.render(doc, i as u64, &mut out)?;
    }
    let start = Instant::now();
    let mut read = 0;
    for doc in JsonlReader::new(&out.bytes[..], "rendered", OffsetUnit::Char) {
        read += doc?.tokens().len();
    }
    let read_back = start.elapsed();
    assert_eq!(read, tokens, "reading back lost tokens");
    println!(
        "read back jsonl (JsonlReader)      {}  ({:.1} MB of JSONL at {:.1} MB/s)",
        rate(read_back, bytes),
        out.bytes.len() as f64 / 1e6,
        out.bytes.len() as f64 / 1e6 / read_back.as_secs_f64()
    );
    Ok(())
}

fn rate(time: Duration, bytes: usize) -> String {
    format!(
        "{:>8.1} ms  {:>7.1} MB/s",
        time.as_secs_f64() * 1e3,
        bytes as f64 / 1e6 / time.as_secs_f64()
    )
}
