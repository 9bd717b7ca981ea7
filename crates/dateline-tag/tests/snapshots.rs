//! Snapshots of the tagger's entities on the shared fixtures (the seed
//! article first) and on a small CoNLL-format news sample of our own.

use dateline_core::{validate, Doc, Stage};
use dateline_segment::Segmenter;
use dateline_tag::EntityTagger;
use dateline_tokenize::Tokenizer;

/// `[start..end) LABEL source confidence  text`, one entity a line.
fn view(doc: &Doc) -> String {
    let mut out = String::new();
    for e in doc.entities() {
        let conf = e.confidence.map_or(String::new(), |c| format!(" {:.2}", c));
        out.push_str(&format!(
            "[{}..{}) {} {}{}  {}\n",
            e.span.start,
            e.span.end,
            e.label,
            e.source,
            conf,
            doc.slice(e.span)
        ));
    }
    out
}

fn tag_text(id: &str, text: &str) -> Doc {
    let mut doc = Doc::new(id, text).unwrap();
    Tokenizer::default().process(&mut doc).unwrap();
    Segmenter::default().process(&mut doc).unwrap();
    EntityTagger::new().unwrap().process(&mut doc).unwrap();
    validate(&doc).unwrap();
    doc
}

#[test]
fn fixtures() {
    insta::glob!("../../../fixtures", "*.txt", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let doc = tag_text(&path.display().to_string(), &text);
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(view(&doc));
        });
    });
}
