//! Shared set-up and invariant checks of dateline's fuzz targets.
//!
//! Every target turns the fuzzer's bytes into documents through the real
//! stages and then checks what the stages promise, not only that nothing
//! panicked: [`dateline_core::validate`] holds after every stage, offsets
//! convert from bytes to characters and UTF-16 and back, and what a
//! renderer writes reads back as the same document.
//!
//! The stages are built once per process and shared, as the driver shares
//! them between threads.

use std::sync::LazyLock;

use dateline_core::{validate, Doc, OffsetIndex, OffsetUnit, Span, Stage};
use dateline_segment::Segmenter;
use dateline_tag::EntityTagger;
use dateline_tokenize::Tokenizer;

pub static TOKENIZER: LazyLock<Tokenizer> = LazyLock::new(Tokenizer::default);
pub static SEGMENTER: LazyLock<Segmenter> = LazyLock::new(Segmenter::default);
pub static TAGGER: LazyLock<EntityTagger> =
    LazyLock::new(|| EntityTagger::new().expect("the built-in model loads"));

/// The fuzzer's bytes as text. Invalid UTF-8 is replaced rather than
/// skipped, so every input reaches the stages (the driver rejects invalid
/// UTF-8 before any stage runs; the stages only ever see `&str`).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Panics with the validation error and the text, so a crash report shows
/// both.
#[track_caller]
pub fn check(doc: &Doc, after: &str) {
    if let Err(e) = validate(doc) {
        panic!("validate failed after {after}: {e}\ntext: {:?}", doc.text());
    }
}

/// Runs `stage` on `doc` and checks the invariants.
#[track_caller]
pub fn run(stage: &dyn Stage, doc: &mut Doc) {
    if let Err(e) = stage.process(doc) {
        panic!("{} failed: {e}\ntext: {:?}", stage.name(), doc.text());
    }
    check(doc, stage.name());
}

pub fn tokenized(text: &str) -> Doc {
    let mut doc = Doc::new("fuzz", text).expect("fuzz inputs are small");
    run(&*TOKENIZER, &mut doc);
    doc
}

pub fn segmented(text: &str) -> Doc {
    let mut doc = tokenized(text);
    run(&*SEGMENTER, &mut doc);
    // Sentences are present exactly when there are tokens to hold.
    assert_eq!(doc.sentences().is_empty(), doc.tokens().is_empty());
    doc
}

pub fn tagged(text: &str) -> Doc {
    let mut doc = segmented(text);
    run(&*TAGGER, &mut doc);
    doc
}

/// Every span boundary converts to characters and UTF-16 and back to the
/// same byte, the conversion is monotonic, and the last boundary's value
/// agrees with a direct count.
pub fn check_offsets(doc: &Doc) {
    let text = doc.text();
    let mut boundaries: Vec<u32> = Vec::new();
    let spans = doc
        .tokens()
        .iter()
        .map(|t| t.span)
        .chain(doc.sentences().iter().map(|s| s.span))
        .chain(doc.entities().iter().map(|e| e.span));
    for Span { start, end } in spans {
        boundaries.push(start);
        boundaries.push(end);
    }
    boundaries.push(0);
    boundaries.push(text.len() as u32);
    boundaries.sort_unstable();
    boundaries.dedup();
    for unit in [OffsetUnit::Char, OffsetUnit::Utf16, OffsetUnit::Byte] {
        let index = OffsetIndex::new(text, unit);
        let mut last = None;
        for &byte in &boundaries {
            let offset = index.from_byte(text, byte);
            assert_eq!(
                index.to_byte(text, offset),
                Some(byte),
                "{unit} offset {offset} of byte {byte} does not convert back; text: {text:?}"
            );
            assert!(
                last < Some(offset) || last.is_none(),
                "{unit} offsets not increasing"
            );
            last = Some(offset);
        }
        let total = match unit {
            OffsetUnit::Char => text.chars().count(),
            OffsetUnit::Utf16 => text.encode_utf16().count(),
            _ => text.len(),
        };
        assert_eq!(
            index.from_byte(text, text.len() as u32) as usize,
            total,
            "{unit} length"
        );
    }
}
