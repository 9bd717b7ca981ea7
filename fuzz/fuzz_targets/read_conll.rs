//! The CoNLL and CoNLL-U readers on raw bytes: they never panic, always
//! terminate, and every document they yield is valid and renders back in
//! its format.

#![no_main]

use dateline_core::{validate, Doc};
use dateline_render::read::{ConllReader, ConlluReader, ReadError};
use dateline_render::{Format, Output, RenderOptions, Renderer};
use libfuzzer_sys::fuzz_target;

fn check(items: impl Iterator<Item = Result<Doc, ReadError>>, lines: usize, format: Format) {
    let renderer = Renderer::new(format, RenderOptions::default());
    let mut count = 0;
    for item in items {
        count += 1;
        // A document needs at least one line, an error consumes one.
        assert!(count <= lines + 1, "more items than lines");
        let Ok(doc) = item else { continue };
        validate(&doc).expect("the reader yields valid documents");
        let mut out = Output::default();
        renderer
            .render(&doc, 0, &mut out)
            .unwrap_or_else(|e| panic!("{format} renders what it read: {e}"));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let lines = input.split(|&b| b == b'\n').count();
    // Small caps too, so reading past over-long documents and lines is fuzzed.
    let cap = [usize::MAX, 8, 40, 200][usize::from(selector / 3 % 4)];
    match selector % 3 {
        0 => check(
            ConllReader::new(input, "fuzz.conll").max_doc_bytes(cap),
            lines,
            Format::Conll,
        ),
        1 => check(
            ConllReader::new(input, "fuzz.conll")
                .max_doc_bytes(cap)
                .gold_entities(true),
            lines,
            Format::Conll,
        ),
        _ => check(
            ConlluReader::new(input, "fuzz.conllu"),
            lines,
            Format::Conllu,
        ),
    }
});
