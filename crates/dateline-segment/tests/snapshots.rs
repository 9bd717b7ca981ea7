//! Snapshots of the sentences of every shared fixture, one per line as
//! `[start..end) text`, after `validate`.

use std::fmt::Write as _;

use dateline_core::{validate, Doc, Stage};
use dateline_segment::Segmenter;
use dateline_tokenize::Tokenizer;

fn view(doc: &Doc) -> String {
    let mut out = String::new();
    for s in doc.sentences() {
        // Line breaks inside a sentence are shown, not followed.
        let text = doc.slice(s.span).replace('\n', "⏎");
        writeln!(out, "[{}..{}) {text}", s.span.start, s.span.end).expect("string");
    }
    out
}

#[test]
fn fixtures() {
    insta::glob!("../../../fixtures", "*.txt", |path| {
        let text = std::fs::read_to_string(path).expect("fixture");
        let mut doc = Doc::new(path.display().to_string(), text).expect("small fixture");
        Tokenizer::default().process(&mut doc).expect("tokenize");
        Segmenter::default().process(&mut doc).expect("segment");
        validate(&doc).expect("valid document");
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(view(&doc));
        });
    });
}
