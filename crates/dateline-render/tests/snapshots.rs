//! Snapshots of every format on each fixture (tokenized and segmented by
//! dateline's own stages, entities placed from a hand-written list of known
//! names) and on the fixtures together as one multi-document corpus.
//!
//! Stream formats are snapshotted as written, except JSON/JSONL, whose
//! one-line records are shown as a view that slices each span out of the
//! record's own `text` with the record's own (character) offsets, the way a
//! Python reader would: a wrong offset shows as wrong text. File formats
//! (brat, html) show each file under its name.

use std::fmt::Write as _;
use std::path::Path;

use dateline_core::{validate, Doc, Entity, Label, Stage};
use dateline_render::{DocSummary, Format, Output, RenderOptions, Renderer};
use serde_json::Value;

/// Known names in the fixtures and their labels. Longer names win; a name
/// counts only where it starts and ends on tokens inside one sentence.
const NAMES: &[(&str, &str)] = &[
    ("Standing Committee of the Political Bureau of the Communist Party of China (CPC) Central Committee", "ORG"),
    ("Standing Committee of the Political Bureau of the CPC Central Committee", "ORG"),
    ("Secretariat of the CPC Central Committee", "ORG"),
    ("Communist Party of China", "ORG"),
    ("Mongolian People's Party", "ORG"),
    ("Cai Qi", "PER"),
    ("Cai", "PER"),
    ("Yangug Sodbaatar", "PER"),
    ("Sodbaatar", "PER"),
    ("Rao Aimin", "PER"),
    ("Zhang Kaiwei", "PER"),
    ("Zhong Wenxing", "PER"),
    ("Xinhua", "ORG"),
    ("CPC", "ORG"),
    ("BEIJING", "LOC"),
    ("Beijing", "LOC"),
    ("China", "LOC"),
    ("Mongolia", "LOC"),
    ("Mongolian", "MISC"),
    ("May 15, 2025", "DATE"),
    ("May 14, 2025", "DATE"),
    ("May 14", "DATE"),
    ("Wednesday", "DATE"),
    ("09:07", "TIME"),
    ("WASHINGTON", "LOC"),
    ("Jan. 7", "DATE"),
    ("Reuters", "ORG"),
    ("U.S.", "LOC"),
    ("1.2%", "PERCENT"),
    ("Tuesday", "DATE"),
    ("J.K. Rowling", "PER"),
    ("Bloomsbury Publishing Inc.", "ORG"),
    ("$4.5 billion", "MONEY"),
    ("Manchester United", "ORG"),
    ("3.2 percent", "PERCENT"),
    ("Elizabeth Warren", "PER"),
    ("Jane Doe", "PER"),
    ("LONDON", "LOC"),
    ("March 3", "DATE"),
    ("AP", "ORG"),
    ("Bank of England", "ORG"),
    ("5.25%", "PERCENT"),
    ("Thursday", "DATE"),
    ("New York Stock Exchange", "ORG"),
    ("NYSE", "ORG"),
    ("New York City", "LOC"),
    ("March 2, 2024", "DATE"),
    ("Brendan McDermid", "PER"),
    ("John Smith", "PER"),
    ("Mary Jones", "PER"),
    ("北京", "LOC"),
    ("新华社", "ORG"),
    ("Zürich", "LOC"),
    ("José Martínez", "PER"),
    ("Ulaanbaatar", "LOC"),
    ("Улаанбаатар", "LOC"),
    ("Cyrillic", "SCRIPT"),
    ("Acme Corp.", "ORG"),
    ("Smith", "PER"),
];

fn annotate(id: &str, text: &str) -> Doc {
    let mut doc = Doc::new(id, text).unwrap();
    dateline_tokenize::Tokenizer::default()
        .process(&mut doc)
        .unwrap();
    dateline_segment::Segmenter::default()
        .process(&mut doc)
        .unwrap();
    let tokens = doc.tokens();
    let sentences = doc.sentences();
    let mut names: Vec<&(&str, &str)> = NAMES.iter().collect();
    names.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut entities: Vec<Entity> = Vec::new();
    for (name, label) in names {
        for (start, _) in text.match_indices(name) {
            let end = start + name.len();
            let first = tokens.iter().position(|t| t.span.start as usize == start);
            let last = tokens.iter().position(|t| t.span.end as usize == end);
            let (Some(first), Some(last)) = (first, last) else {
                continue;
            };
            let (first, end_token) = (first as u32, last as u32 + 1);
            let one_sentence = sentences
                .iter()
                .any(|s| s.first_token <= first && end_token <= s.end_token);
            let free = entities
                .iter()
                .all(|e| e.end_token <= first || end_token <= e.first_token);
            if first < end_token && one_sentence && free {
                entities.push(Entity {
                    span: tokens[first as usize].span.cover(tokens[last].span),
                    first_token: first,
                    end_token,
                    label: Label::parse(label),
                    source: "gold",
                    confidence: None,
                });
            }
        }
    }
    entities.sort_by_key(|e| e.first_token);
    doc.entities = Some(entities);
    validate(&doc).unwrap();
    doc
}

fn fixtures() -> Vec<Doc> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    paths.sort();
    paths
        .iter()
        .map(|p| {
            annotate(
                &p.file_name().unwrap().to_string_lossy(),
                &std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect()
}

/// Renders the documents as a driver does: header, each document, footer.
fn render(format: Format, docs: &[Doc]) -> Output {
    let renderer = Renderer::new(
        format,
        RenderOptions {
            html_sentences: true,
            ..RenderOptions::default()
        },
    );
    let mut out = renderer.header();
    let mut summaries = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        renderer.render(doc, i as u64, &mut out).unwrap();
        summaries.push(DocSummary::new(doc, i as u64));
    }
    let footer = renderer.footer(&summaries);
    out.bytes.extend(footer.bytes);
    out.files.extend(footer.files);
    out
}

/// A readable view of one JSON record: every span sliced from the record's
/// text by its character offsets.
fn record_view(record: &Value, view: &mut String) {
    let chars: Vec<char> = record["text"].as_str().unwrap().chars().collect();
    let slice = |span: &Value| -> String {
        let (s, e) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        chars[s..e]
            .iter()
            .collect::<String>()
            .replace('\n', "\u{23ce}")
    };
    writeln!(view, "id: {}", record["id"]).unwrap();
    writeln!(view, "text: {} characters", chars.len()).unwrap();
    let tokens = record["tokens"].as_array().unwrap();
    writeln!(view, "tokens ({}):", tokens.len()).unwrap();
    let mut line = String::from(" ");
    for token in tokens {
        if line.len() > 90 {
            writeln!(view, "{line}").unwrap();
            line = String::from(" ");
        }
        write!(line, " {}", slice(token)).unwrap();
    }
    writeln!(view, "{line}").unwrap();
    writeln!(view, "sentences:").unwrap();
    for s in record["sentences"].as_array().unwrap() {
        writeln!(view, "  [{}..{}) {}", s["start"], s["end"], slice(s)).unwrap();
    }
    writeln!(view, "entities:").unwrap();
    for e in record["entities"].as_array().unwrap() {
        assert_eq!(
            e["text"].as_str().unwrap().replace('\n', "\u{23ce}"),
            slice(e)
        );
        writeln!(
            view,
            "  [{}..{}) {}  {} {}",
            e["start"],
            e["end"],
            slice(e),
            e["label"].as_str().unwrap(),
            e["source"]
        )
        .unwrap();
    }
    let known = ["id", "text", "tokens", "sentences", "entities"];
    let others: Vec<&String> = record
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    writeln!(view, "other fields: {others:?}").unwrap();
}

fn view(format: Format, out: &Output) -> String {
    let mut view = String::new();
    match format {
        Format::Jsonl => {
            let text = std::str::from_utf8(&out.bytes).unwrap();
            for line in text.lines() {
                record_view(&serde_json::from_str(line).unwrap(), &mut view);
                view.push('\n');
            }
        }
        Format::Json => {
            let array: Vec<Value> = serde_json::from_slice(&out.bytes).unwrap();
            for record in &array {
                record_view(record, &mut view);
                view.push('\n');
            }
        }
        _ => view.push_str(std::str::from_utf8(&out.bytes).unwrap()),
    }
    for (name, content) in &out.files {
        writeln!(view, "===== {name} =====").unwrap();
        view.push_str(std::str::from_utf8(content).unwrap());
        if !content.ends_with(b"\n") {
            view.push_str("\n(no newline at end)\n");
        }
    }
    view
}

#[test]
fn every_format_on_each_fixture() {
    insta::glob!("../../../fixtures", "*.txt", |path| {
        let name = path.file_name().unwrap().to_string_lossy();
        let doc = annotate(&name, &std::fs::read_to_string(path).unwrap());
        for format in Format::ALL {
            let out = render(format, std::slice::from_ref(&doc));
            insta::with_settings!({ omit_expression => true }, {
                insta::assert_snapshot!(format.as_str(), view(format, &out));
            });
        }
    });
}

#[test]
fn every_format_on_the_fixtures_as_one_corpus() {
    let docs = fixtures();
    assert_eq!(docs.len(), 6);
    for format in Format::ALL {
        let out = render(format, &docs);
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(format!("corpus-{format}"), view(format, &out));
        });
    }
}
