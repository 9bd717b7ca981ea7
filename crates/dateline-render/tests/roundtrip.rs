//! Property tests: render -> read gives the same document, for every format
//! that carries annotations back (JSONL in each offset unit, CoNLL-U,
//! CoNLL, brat), on generated documents with multi-byte text, odd
//! whitespace, several sentences and entities of built-in and user labels.

use dateline_core::{validate, Doc, Entity, Label, OffsetUnit, Sentence, Span, Token, TokenKind};
use dateline_render::read::{brat_entities, read_brat, ConllReader, ConlluReader, JsonlReader};
use dateline_render::{Format, Output, RenderOptions, Renderer};
use proptest::prelude::*;

const LABELS: [&str; 6] = ["PER", "ORG", "LOC", "DATE", "MISC", "POLITICAL-PARTY"];
const SOURCES: [&str; 3] = ["model", "rules", "my-stage"];

/// Words and the whitespace around them; a sentence break and an entity
/// decision per word.
#[derive(Clone, Debug)]
struct Spec {
    id: String,
    words: Vec<String>,
    spaces: Vec<&'static str>,
    breaks: Vec<bool>,
    entities: Vec<(u8, u8, f32)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        "[a-z0-9 ./:]{0,12}",
        prop::collection::vec(r"[a-zA-Zé北🙂0-9.,'|\\<>&;\u{301}-]{1,6}", 0..24),
        prop::collection::vec(
            prop::sample::select(vec![
                " ", " ", " ", "  ", "\n", "\n\n", "\t", " \u{a0}", "\u{2028}", "\r\n",
            ]),
            25,
        ),
        prop::collection::vec(any::<bool>(), 24),
        prop::collection::vec((any::<u8>(), any::<u8>(), 0.0f32..=1.0), 24),
    )
        .prop_map(|(id, words, spaces, breaks, entities)| Spec {
            id: format!("doc {id}"),
            words,
            spaces,
            breaks,
            entities,
        })
}

fn build(spec: &Spec, leading: bool) -> Doc {
    let mut text = String::new();
    if leading {
        text.push_str(spec.spaces[24]);
    }
    let mut tokens = Vec::new();
    for (i, word) in spec.words.iter().enumerate() {
        if i > 0 {
            text.push_str(spec.spaces[i]);
        }
        let start = text.len();
        text.push_str(word);
        tokens.push(Token::new(
            Span::from_usize(start, text.len()),
            TokenKind::Word,
        ));
    }
    if leading {
        text.push_str(spec.spaces[0]);
    }
    let mut doc = Doc::new(spec.id.clone(), text).unwrap();
    let mut sentences = Vec::new();
    let mut first = 0;
    for i in 0..tokens.len() {
        if i + 1 == tokens.len() || spec.breaks[i] {
            sentences.push(Sentence {
                span: tokens[first].span.cover(tokens[i].span),
                first_token: first as u32,
                end_token: i as u32 + 1,
            });
            first = i + 1;
        }
    }
    let mut entities = Vec::new();
    for s in &sentences {
        let mut i = s.first_token;
        while i < s.end_token {
            let (pick, kind, confidence) = spec.entities[i as usize];
            if pick >= 90 {
                i += 1;
                continue;
            }
            let end = (i + 1 + u32::from(pick % 3)).min(s.end_token);
            let source = SOURCES[usize::from(kind) % SOURCES.len()];
            entities.push(Entity {
                span: tokens[i as usize].span.cover(tokens[end as usize - 1].span),
                first_token: i,
                end_token: end,
                label: Label::parse(LABELS[usize::from(kind) % LABELS.len()]),
                source,
                confidence: (source == "model").then_some(confidence),
            });
            i = end;
        }
    }
    doc.tokens = Some(tokens);
    doc.sentences = Some(sentences);
    doc.entities = Some(entities);
    doc.fields
        .insert("url".into(), serde_json::json!({"u": [1, "x"]}));
    validate(&doc).unwrap();
    doc
}

fn render(format: Format, unit: OffsetUnit, docs: &[Doc]) -> Output {
    let renderer = Renderer::new(
        format,
        RenderOptions {
            offsets: unit,
            html_sentences: false,
        },
    );
    let mut out = renderer.header();
    for (i, doc) in docs.iter().enumerate() {
        renderer.render(doc, i as u64, &mut out).unwrap();
    }
    out
}

fn spans<T>(items: &[T], f: impl Fn(&T) -> Span) -> Vec<Span> {
    items.iter().map(f).collect()
}

/// Token texts, sentence token ranges, entity token ranges and labels: what
/// survives a format that rebuilds the text.
type Structure<'a> = (Vec<&'a str>, Vec<(u32, u32)>, Vec<(u32, u32, &'a str)>);

fn structure(doc: &Doc) -> Structure<'_> {
    (
        (0..doc.tokens().len()).map(|i| doc.token_text(i)).collect(),
        doc.sentences()
            .iter()
            .map(|s| (s.first_token, s.end_token))
            .collect(),
        doc.entities()
            .iter()
            .map(|e| (e.first_token, e.end_token, e.label.as_str()))
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn jsonl_round_trips_in_every_unit(a in spec(), b in spec(), leading: bool) {
        let docs = [build(&a, leading), build(&b, !leading)];
        for unit in [OffsetUnit::Char, OffsetUnit::Byte, OffsetUnit::Utf16] {
            let out = render(Format::Jsonl, unit, &docs);
            let read: Vec<Doc> = JsonlReader::new(&out.bytes[..], "t", unit).map(Result::unwrap).collect();
            prop_assert_eq!(read.len(), 2);
            for (doc, back) in docs.iter().zip(&read) {
                prop_assert_eq!(back.id(), doc.id());
                prop_assert_eq!(back.text(), doc.text());
                prop_assert_eq!(spans(back.tokens(), |t| t.span), spans(doc.tokens(), |t| t.span));
                prop_assert_eq!(back.sentences(), doc.sentences());
                prop_assert_eq!(back.entities(), doc.entities());
                prop_assert_eq!(&back.fields, &doc.fields);
            }
        }
    }

    #[test]
    fn json_array_holds_the_jsonl_records(a in spec(), b in spec()) {
        let docs = [build(&a, false), build(&b, true)];
        let renderer = Renderer::new(Format::Json, RenderOptions::default());
        let mut out = renderer.header();
        renderer.render(&docs[0], 0, &mut out).unwrap();
        renderer.render_error("bad", "json", "line 2: expected value", 1, &mut out);
        renderer.render(&docs[1], 2, &mut out).unwrap();
        out.bytes.extend(renderer.footer(&[]).bytes);
        let array: Vec<serde_json::Value> = serde_json::from_slice(&out.bytes).unwrap();
        let jsonl = render(Format::Jsonl, OffsetUnit::Char, &docs).bytes;
        let lines: Vec<serde_json::Value> =
            jsonl.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
        prop_assert_eq!(&array[0], &lines[0]);
        prop_assert_eq!(&array[1]["error"]["kind"], "json");
        prop_assert_eq!(&array[2], &lines[1]);
    }

    #[test]
    fn conllu_round_trips_the_exact_text(a in spec(), b in spec(), leading: bool) {
        prop_assume!(!a.words.is_empty() && !b.words.is_empty());
        let docs = [build(&a, leading), build(&b, !leading)];
        let out = render(Format::Conllu, OffsetUnit::Char, &docs);
        let read: Vec<Doc> = ConlluReader::new(&out.bytes[..], "t").map(Result::unwrap).collect();
        prop_assert_eq!(read.len(), 2);
        for (doc, back) in docs.iter().zip(&read) {
            prop_assert_eq!(back.id(), doc.id());
            prop_assert_eq!(back.text(), doc.text());
            prop_assert_eq!(spans(back.tokens(), |t| t.span), spans(doc.tokens(), |t| t.span));
            prop_assert_eq!(back.sentences(), doc.sentences());
            prop_assert_eq!(spans(back.entities(), |e| e.span), spans(doc.entities(), |e| e.span));
            prop_assert_eq!(structure(back), structure(doc));
        }
    }

    #[test]
    fn conll_round_trips_tokens_sentences_and_tags(a in spec(), b in spec()) {
        let docs = [build(&a, false), build(&b, true)];
        let out = render(Format::Conll, OffsetUnit::Char, &docs);
        let read: Vec<Doc> = ConllReader::new(&out.bytes[..], "t").gold_entities(true).map(Result::unwrap).collect();
        prop_assert_eq!(read.len(), 2);
        for (doc, back) in docs.iter().zip(&read) {
            prop_assert_eq!(structure(back), structure(doc));
        }
        // Written back with a prediction appended, the columns are kept.
        let again = render(Format::Conll, OffsetUnit::Char, &read);
        let text = String::from_utf8(again.bytes).unwrap();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let columns: Vec<&str> = line.split(' ').collect();
            // An empty document has no columns to copy.
            if line == "-DOCSTART- O" {
                continue;
            }
            prop_assert_eq!(columns.len(), 3, "{}", line);
            prop_assert_eq!(columns[1], columns[2]);
        }
    }

    #[test]
    fn brat_round_trips_entities(a in spec(), leading: bool) {
        let doc = build(&a, leading);
        let out = render(Format::Brat, OffsetUnit::Char, std::slice::from_ref(&doc));
        let [(txt_name, txt), (ann_name, ann)] = &out.files[..] else { panic!("{:?}", out.files) };
        prop_assert!(txt_name.ends_with(".txt") && ann_name.ends_with(".ann"));
        let txt = std::str::from_utf8(txt).unwrap();
        prop_assert_eq!(txt, doc.text());
        let annotations = read_brat(ann_name, txt, std::str::from_utf8(ann).unwrap()).unwrap();
        let entities = brat_entities(ann_name, &doc, &annotations).unwrap();
        prop_assert_eq!(&entities[..], doc.entities());
    }
}
