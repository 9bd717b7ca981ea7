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

/// JSON equality, except that numbers may differ in their last bit:
/// serde_json's default float parser is best-effort (it can be one ULP off
/// on mantissas over 19 digits, unless its `float_roundtrip` feature is
/// on), so a number passed through twice may move. That is reported as a
/// finding of this target (tests/regressions.rs); it is tolerated here so
/// the target keeps looking for other bugs.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || ((x - y).abs() <= x.abs().max(y.abs()) * 4.0 * f64::EPSILON)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_json(vx, vy))
        }
        _ => a == b,
    }
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
        assert!(
            same_json(
                &serde_json::Value::Object(back.fields.clone()),
                &serde_json::Value::Object(doc.fields.clone())
            ),
            "fields differ: {:?} vs {:?}",
            back.fields,
            doc.fields
        );
    }
});
