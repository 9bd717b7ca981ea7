//! Tagging throughput on one core: documents are tokenised and segmented
//! first, then only `EntityTagger::process` is timed (best of five passes,
//! since the machine is shared). Also times parsing the embedded model.
//!
//! `cargo run --release -p dateline-tag --example bench -- FILE.jsonl`

use std::error::Error;
use std::time::Instant;

use dateline_core::{Doc, Stage};
use dateline_segment::Segmenter;
use dateline_tag::{EntityTagger, Model};
use dateline_tokenize::Tokenizer;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: bench FILE.jsonl [PASSES] (one {\"text\": ...} per line)")?;
    let passes: usize = std::env::args().nth(2).map_or(Ok(5), |p| p.parse())?;
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/model.bin"))?;
    let timer = Instant::now();
    let model = Model::from_bytes(&bytes)?;
    println!(
        "model: {} bytes parsed in {:.1} ms",
        bytes.len(),
        timer.elapsed().as_secs_f64() * 1e3
    );
    drop(model);
    let timer = Instant::now();
    let tagger = EntityTagger::new()?;
    println!(
        "embedded model loaded in {:.1} ms",
        timer.elapsed().as_secs_f64() * 1e3
    );

    let mut docs = Vec::new();
    for (n, line) in std::fs::read_to_string(&path)?.lines().enumerate() {
        let record: serde_json::Value = serde_json::from_str(line)?;
        let text = record["text"].as_str().ok_or("no text field")?;
        let mut doc = Doc::new(format!("{n}"), text)?;
        Tokenizer::default().process(&mut doc)?;
        Segmenter::default().process(&mut doc)?;
        docs.push(doc);
    }
    let tokens: usize = docs.iter().map(|d| d.tokens().len()).sum();
    let text_bytes: usize = docs.iter().map(|d| d.text().len()).sum();
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut entities = 0;
    let mut digest = 0xcbf2_9ce4_8422_2325u64;
    for _ in 0..passes {
        let timer = Instant::now();
        let cpu = cpu_seconds();
        entities = 0;
        for doc in &mut docs {
            tagger.process(doc)?;
            entities += doc.entities().len();
        }
        best = best.min(timer.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds() - cpu);
    }
    if passes == 0 {
        return Ok(());
    }
    for doc in &docs {
        digest = doc.entities().iter().fold(digest, |h, e| {
            let conf = e.confidence.map_or(u32::MAX, f32::to_bits);
            let fields = [
                u64::from(e.first_token),
                u64::from(e.end_token),
                u64::from(conf),
            ];
            let text = e.label.as_str().bytes().chain(e.source.bytes());
            let h = fields.iter().fold(h, |h, &v| fnv(h, v));
            text.fold(h, |h, b| fnv(h, u64::from(b)))
        });
    }
    assert!(tokens > 0 && entities > 0, "the benchmark tagged nothing");
    // Any change to an entity, its source or its confidence (to the bit)
    // changes the digest: speedups must leave it as it was.
    println!("output digest {digest:016x}");
    println!(
        "{} documents, {tokens} tokens, {text_bytes} bytes, {entities} entities: {:.3} s, {:.0} tokens/s, {:.1} MB/s (tagging only, one thread, best of {passes})",
        docs.len(),
        best,
        tokens as f64 / best,
        text_bytes as f64 / best / 1e6
    );
    if best_cpu.is_finite() && best_cpu > 0.0 {
        println!(
            "on-CPU time {best_cpu:.3} s: {:.0} tokens per CPU second (what one free core does; the wall clock also counts time the shared machine gave to others)",
            tokens as f64 / best_cpu
        );
    }
    Ok(())
}

/// One FNV-1a step over a value.
fn fnv(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(0x0000_0100_0000_01b3)
}

/// This thread's time on a CPU, from Linux's schedstat (NaN elsewhere).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}
