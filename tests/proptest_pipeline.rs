//! Whole-pipeline property tests: on any Unicode text and on generated
//! news-like text, the default pipeline (tokenize, segment, tag) never
//! panics, `validate` holds after every stage, every span's offsets convert
//! from bytes to characters and UTF-16 and back (and agree with the JSONL
//! the renderer writes), and a parallel run over a corpus gives exactly the
//! documents a serial run gives.

use dateline::Pipeline;
use dateline_core::{validate, Doc, OffsetIndex, OffsetUnit, Span};
use dateline_render::read::JsonlReader;
use dateline_render::{Format, Output, RenderOptions, Renderer};
use proptest::prelude::*;
use std::sync::LazyLock;

static PIPELINE: LazyLock<Pipeline> = LazyLock::new(Pipeline::default);

/// Runs the stages one by one, validating after each.
fn annotate(text: &str) -> Result<Doc, TestCaseError> {
    let mut doc = Doc::new("prop", text).expect("a small text");
    for stage in PIPELINE.stages() {
        stage
            .process(&mut doc)
            .map_err(|e| TestCaseError::fail(format!("{} failed: {e}", stage.name())))?;
        if let Err(e) = validate(&doc) {
            return Err(TestCaseError::fail(format!("after {}: {e}", stage.name())));
        }
    }
    prop_assert_eq!(doc.sentences().is_empty(), doc.tokens().is_empty());
    Ok(doc)
}

fn spans(doc: &Doc) -> Vec<Span> {
    doc.tokens()
        .iter()
        .map(|t| t.span)
        .chain(doc.sentences().iter().map(|s| s.span))
        .chain(doc.entities().iter().map(|e| e.span))
        .collect()
}

/// Every span boundary converts to each unit and back, matches a direct
/// count, and the JSONL record in that unit gives back the same spans.
fn offsets_round_trip(doc: &Doc) -> Result<(), TestCaseError> {
    let text = doc.text();
    for unit in [OffsetUnit::Char, OffsetUnit::Utf16, OffsetUnit::Byte] {
        let index = OffsetIndex::new(text, unit);
        for span in spans(doc) {
            for byte in [span.start, span.end] {
                let offset = index.from_byte(text, byte);
                let prefix = &text[..byte as usize];
                let direct = match unit {
                    OffsetUnit::Char => prefix.chars().count(),
                    OffsetUnit::Utf16 => prefix.encode_utf16().count(),
                    _ => prefix.len(),
                };
                prop_assert_eq!(offset as usize, direct, "{} offset of byte {}", unit, byte);
                prop_assert_eq!(index.to_byte(text, offset), Some(byte));
            }
        }
        let renderer = Renderer::new(
            Format::Jsonl,
            RenderOptions {
                offsets: unit,
                html_sentences: false,
            },
        );
        let mut out = Output::default();
        renderer.render(doc, 0, &mut out).expect("jsonl renders");
        let back: Vec<Doc> = JsonlReader::new(&out.bytes[..], "prop", unit)
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("{unit} record reads back: {e}")))?;
        prop_assert_eq!(back.len(), 1);
        prop_assert_eq!(spans(&back[0]), spans(doc));
    }
    Ok(())
}

/// What a run computed, comparable across runs.
fn layers(doc: &Doc) -> (String, Vec<Span>, Vec<(Span, String)>) {
    (
        doc.id().to_owned(),
        spans(doc),
        doc.entities()
            .iter()
            .map(|e| (e.span, e.label.to_string()))
            .collect(),
    )
}

/// News-like text: sentences of capitalised names, titles, abbreviations,
/// numbers, dates, quotes, brackets and datelines, in several scripts.
fn news() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "BEIJING,",
        "May",
        "14",
        "(Xinhua)",
        "--",
        "Cai",
        "Qi",
        "met",
        "Mr.",
        "Sodbaatar",
        "of",
        "the",
        "Communist",
        "Party",
        "China",
        "CPC",
        "U.S.",
        "$4.5",
        "billion",
        "12.5%",
        "09:07",
        "Wednesday",
        "said",
        "\"We",
        "agree,\"",
        "(AP)",
        "e.g.",
        "Jan.",
        "3,",
        "2025.",
        "No.",
        "1",
        "St.",
        "Louis",
        "Zürich",
        "北京",
        "😀",
        "http://news.cn/a?b=1",
        "a@b.com",
        "...",
        "?",
        "!",
        ".",
        ",",
        ";",
        ":",
        "'s",
        "n't",
        "—",
        "–",
        "(",
        ")",
        "[",
        "]",
        "«",
        "»",
        "Dr",
        "Inc.",
        "Ltd",
        "&",
    ]);
    let gap = prop::sample::select(vec![
        " ", " ", " ", "", "\n", "\n\n", "\t", "\u{a0}", "\r\n",
    ]);
    prop::collection::vec((piece, gap), 0..80).prop_map(|pieces| {
        pieces
            .into_iter()
            .flat_map(|(piece, gap)| [piece, gap])
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_unicode_text(text in any::<String>()) {
        let doc = annotate(&text)?;
        offsets_round_trip(&doc)?;
    }

    #[test]
    fn news_like_text(text in news()) {
        let doc = annotate(&text)?;
        offsets_round_trip(&doc)?;
    }

    #[test]
    fn serial_and_parallel_runs_are_identical(
        texts in prop::collection::vec(prop_oneof![news(), any::<String>()], 0..24),
        batch in 1usize..8,
    ) {
        let docs = || texts.iter().enumerate().map(|(i, t)| Doc::new(format!("d{i}"), t.as_str()).unwrap());
        let serial: Vec<_> = docs()
            .map(|mut doc| {
                PIPELINE.process(&mut doc).expect("the pipeline accepts any text");
                layers(&doc)
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let parallel: Vec<_> = pool.install(|| {
            PIPELINE
                .run(docs())
                .batch_size(batch)
                .map(|(doc, result)| {
                    result.expect("the pipeline accepts any text");
                    layers(&doc)
                })
                .collect()
        });
        prop_assert_eq!(serial, parallel);
    }
}
