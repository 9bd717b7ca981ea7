//! Snapshots of the tokens of every shared fixture, one line per token:
//! `[start..end) kind text`, byte offsets, so a reader checks each span
//! against the text by eye.

use std::fmt::Write;

use dateline_core::{validate, Doc, Stage};
use dateline_tokenize::Tokenizer;

#[test]
fn fixtures() {
    insta::glob!("../../../fixtures", "*.txt", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let mut doc = Doc::new(path.display().to_string(), text).unwrap();
        Tokenizer::default().process(&mut doc).unwrap();
        validate(&doc).unwrap();
        let mut view = String::new();
        for token in doc.tokens() {
            let span = token.span;
            writeln!(
                view,
                "[{}..{}) {:<7} {}",
                span.start,
                span.end,
                token.kind.as_str(),
                doc.slice(span)
            )
            .unwrap();
        }
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(view);
        });
    });
}
