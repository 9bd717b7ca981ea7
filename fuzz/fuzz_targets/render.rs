//! Every renderer on the full pipeline's output of any text, with the
//! read-back checks the formats promise:
//!
//! - JSONL, in each offset unit, reads back with `JsonlReader` as the same
//!   document (text, token spans, sentences, entities);
//! - JSON is one array whose element is the JSONL record;
//! - CoNLL-U reads back with the exact text and the same spans;
//! - CoNLL reads back with the same tokens, sentences and entity ranges;
//! - brat's `.txt` is the text and its `.ann` gives back the entities;
//! - HTML and inline text are valid UTF-8;
//! - an error record with a fuzzed id and message is one valid JSON line.

#![no_main]

use dateline_core::{Doc, OffsetUnit, Span};
use dateline_fuzz::tagged;
use dateline_render::read::{brat_entities, read_brat, ConllReader, ConlluReader, JsonlReader};
use dateline_render::{Format, Output, RenderOptions, Renderer};
use libfuzzer_sys::fuzz_target;

fn render(format: Format, unit: OffsetUnit, doc: &Doc) -> Output {
    let renderer = Renderer::new(
        format,
        RenderOptions {
            offsets: unit,
            html_sentences: true,
        },
    );
    let mut out = renderer.header();
    renderer
        .render(doc, 0, &mut out)
        .unwrap_or_else(|e| panic!("{format}: {e}"));
    let footer = renderer.footer(&[dateline_render::DocSummary::new(doc, 0)]);
    out.bytes.extend(footer.bytes);
    out.files.extend(footer.files);
    out
}

fn spans<T>(items: &[T], f: impl Fn(&T) -> Span) -> Vec<Span> {
    items.iter().map(f).collect()
}

/// Token texts, sentence token ranges and entity token ranges with labels.
fn structure(doc: &Doc) -> (Vec<&str>, Vec<(u32, u32)>, Vec<(u32, u32, String)>) {
    (
        (0..doc.tokens().len()).map(|i| doc.token_text(i)).collect(),
        doc.sentences()
            .iter()
            .map(|s| (s.first_token, s.end_token))
            .collect(),
        doc.entities()
            .iter()
            .map(|e| (e.first_token, e.end_token, e.label.to_string()))
            .collect(),
    )
}

fuzz_target!(|data: &[u8]| {
    let text = dateline_fuzz::text(data);
    let doc = tagged(&text);
    let context = || format!("text: {text:?}");

    for unit in [OffsetUnit::Char, OffsetUnit::Byte, OffsetUnit::Utf16] {
        let out = render(Format::Jsonl, unit, &doc);
        let read: Vec<Doc> = JsonlReader::new(&out.bytes[..], "fuzz", unit)
            .map(|r| r.unwrap_or_else(|e| panic!("jsonl {unit} reads back: {e}; {}", context())))
            .collect();
        assert_eq!(read.len(), 1, "one jsonl record; {}", context());
        let back = &read[0];
        assert_eq!(back.text(), doc.text());
        assert_eq!(
            spans(back.tokens(), |t| t.span),
            spans(doc.tokens(), |t| t.span)
        );
        assert_eq!(back.sentences(), doc.sentences());
        assert_eq!(
            spans(back.entities(), |e| e.span),
            spans(doc.entities(), |e| e.span)
        );
    }

    let json = render(Format::Json, OffsetUnit::Char, &doc);
    let array: Vec<serde_json::Value> = serde_json::from_slice(&json.bytes)
        .unwrap_or_else(|e| panic!("json is one array: {e}; {}", context()));
    let jsonl = render(Format::Jsonl, OffsetUnit::Char, &doc);
    let line: serde_json::Value = serde_json::from_slice(&jsonl.bytes).expect("a json line");
    assert_eq!(array, [line]);

    if !doc.tokens().is_empty() {
        let conllu = render(Format::Conllu, OffsetUnit::Char, &doc);
        let read: Vec<Doc> = ConlluReader::new(&conllu.bytes[..], "fuzz")
            .map(|r| r.unwrap_or_else(|e| panic!("conllu reads back: {e}; {}", context())))
            .collect();
        assert_eq!(read.len(), 1, "one conllu document; {}", context());
        assert_eq!(read[0].text(), doc.text(), "conllu keeps the exact text");
        assert_eq!(
            spans(read[0].tokens(), |t| t.span),
            spans(doc.tokens(), |t| t.span)
        );
        assert_eq!(read[0].sentences(), doc.sentences());
        assert_eq!(structure(&read[0]), structure(&doc));
    }

    let conll = render(Format::Conll, OffsetUnit::Char, &doc);
    let read: Vec<Doc> = ConllReader::new(&conll.bytes[..], "fuzz")
        .gold_entities(true)
        .map(|r| r.unwrap_or_else(|e| panic!("conll reads back: {e}; {}", context())))
        .collect();
    assert_eq!(read.len(), 1, "one conll document; {}", context());
    assert_eq!(
        structure(&read[0]),
        structure(&doc),
        "conll structure; {}",
        context()
    );

    let brat = render(Format::Brat, OffsetUnit::Char, &doc);
    let txt = brat.files.iter().find(|(name, _)| name.ends_with(".txt"));
    let ann = brat.files.iter().find(|(name, _)| name.ends_with(".ann"));
    let (Some((_, txt)), Some((ann_name, ann))) = (txt, ann) else {
        panic!("brat writes a .txt and an .ann: {:?}", brat.files);
    };
    let txt = std::str::from_utf8(txt).expect("brat .txt is UTF-8");
    assert_eq!(txt, doc.text());
    let ann = std::str::from_utf8(ann).expect("brat .ann is UTF-8");
    let annotations = read_brat(ann_name, txt, ann)
        .unwrap_or_else(|e| panic!("brat reads back: {e}; {}", context()));
    let entities = brat_entities(ann_name, &doc, &annotations)
        .unwrap_or_else(|e| panic!("brat entities: {e}; {}", context()));
    assert_eq!(
        spans(&entities, |e| e.span),
        spans(doc.entities(), |e| e.span)
    );

    for format in [Format::Html, Format::Text] {
        let out = render(format, OffsetUnit::Char, &doc);
        std::str::from_utf8(&out.bytes).expect("UTF-8 output");
        for (name, content) in &out.files {
            std::str::from_utf8(content).unwrap_or_else(|_| panic!("{name} is UTF-8"));
        }
    }

    // An error record carries whatever id and message it is given.
    let renderer = Renderer::new(Format::Jsonl, RenderOptions::default());
    let mut out = Output::default();
    renderer.render_error(&text, "stage", &text, 0, &mut out);
    let record: serde_json::Value =
        serde_json::from_slice(&out.bytes).expect("an error record is JSON");
    assert_eq!(record["id"].as_str(), Some(text.as_str()));
    assert_eq!(
        out.bytes.iter().filter(|&&b| b == b'\n').count(),
        1,
        "one line"
    );
});
