//! The JSONL reader on raw bytes: it never panics, yields at most one item
//! per line, every document it yields is valid, and a document rendered
//! back to JSONL reads back identical.

#![no_main]

use dateline_core::{validate, Doc, OffsetUnit, Span};
use dateline_render::read::JsonlReader;
use dateline_render::{Format, Output, RenderOptions, Renderer};
use libfuzzer_sys::fuzz_target;

fn spans<T>(items: &[T], f: impl Fn(&T) -> Span) -> Vec<Span> {
    items.iter().map(f).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let unit = [OffsetUnit::Char, OffsetUnit::Byte, OffsetUnit::Utf16][selector as usize % 3];
    let lines = input.split(|&b| b == b'\n').count();
    let mut items = 0;
    for item in JsonlReader::new(input, "fuzz.jsonl", unit) {
        items += 1;
        assert!(items <= lines, "more items than lines");
        let doc = match item {
            Ok(doc) => doc,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                // An I/O error (invalid UTF-8) ends the input; anything
                // else names its line.
                continue;
            }
        };
        validate(&doc).expect("the reader yields valid documents");
        let renderer = Renderer::new(
            Format::Jsonl,
            RenderOptions {
                offsets: unit,
                html_sentences: false,
            },
        );
        let mut out = Output::default();
        renderer
            .render(&doc, 0, &mut out)
            .expect("jsonl renders any doc");
        let back: Vec<Doc> = JsonlReader::new(&out.bytes[..], "again", unit)
            .map(|r| r.unwrap_or_else(|e| panic!("re-rendered record reads back: {e}")))
            .collect();
        assert_eq!(back.len(), 1);
        let back = &back[0];
        assert_eq!(back.id(), doc.id());
        assert_eq!(back.text(), doc.text());
        assert_eq!(
            spans(back.tokens(), |t| t.span),
            spans(doc.tokens(), |t| t.span)
        );
        assert_eq!(back.sentences(), doc.sentences());
        assert_eq!(back.entities(), doc.entities());
        // Exact: the workspace's serde_json parses floats correctly rounded
        // (`float_roundtrip`), so a number written back reads back the same.
        assert_eq!(back.fields, doc.fields);
    }
});
