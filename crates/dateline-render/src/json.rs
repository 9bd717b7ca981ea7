//! The JSONL record (see the crate docs for the schema), written by hand
//! into the output buffer: no intermediate `serde_json::Value` per token.

use std::collections::HashSet;

use dateline_core::{Doc, OffsetIndex, OffsetUnit, Span};
use serde_json::value::RawValue;

use crate::write::{push_json_str, push_u32};

/// Top-level keys the record itself uses; a layer or input field with one
/// of these keys would duplicate it.
const RESERVED: [&str; 6] = ["id", "text", "tokens", "sentences", "entities", "error"];

/// Appends one record and its newline.
pub(crate) fn render(doc: &Doc, unit: OffsetUnit, out: &mut Vec<u8>) {
    let text = doc.text();
    // One index per document, built in one pass; lookups are O(1).
    let index = OffsetIndex::new(text, unit);
    let tokens = doc.tokens.as_deref();
    out.reserve(text.len() * 2 + 64 + tokens.map_or(0, |t| t.len() * 24));

    out.extend_from_slice(b"{\"id\":");
    push_json_str(out, doc.id());
    out.extend_from_slice(b",\"text\":");
    push_json_str(out, text);

    if let Some(tokens) = tokens {
        out.extend_from_slice(b",\"tokens\":[");
        for (i, token) in tokens.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_span(out, &index, text, token.span);
            out.push(b'}');
        }
        out.push(b']');
    }
    if let Some(sentences) = &doc.sentences {
        out.extend_from_slice(b",\"sentences\":[");
        for (i, sentence) in sentences.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_span(out, &index, text, sentence.span);
            out.push(b'}');
        }
        out.push(b']');
    }
    if let Some(entities) = &doc.entities {
        out.extend_from_slice(b",\"entities\":[");
        for (i, entity) in entities.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_span(out, &index, text, entity.span);
            out.extend_from_slice(b",\"label\":");
            push_json_str(out, entity.label.as_str());
            out.extend_from_slice(b",\"text\":");
            push_json_str(out, doc.slice(entity.span));
            out.extend_from_slice(b",\"source\":");
            push_json_str(out, entity.source);
            if let Some(confidence) = entity.confidence {
                out.extend_from_slice(b",\"confidence\":");
                push_confidence(out, confidence);
            }
            out.push(b'}');
        }
        out.push(b']');
    }
    for (key, value) in &doc.layers {
        if RESERVED.contains(&key.as_str()) {
            continue;
        }
        push_field(out, key, value);
    }
    for (key, value) in &doc.fields {
        if RESERVED.contains(&key.as_str()) || doc.layers.contains_key(key) {
            continue;
        }
        push_field(out, key, value);
    }
    push_raw_fields(doc, out);
    out.extend_from_slice(b"}\n");
}

/// Appends the input's other fields kept as JSON text, byte for byte.
/// Their keys are unique when the driver read them; a key repeated by
/// other code is written once, its first time, like any taken key.
fn push_raw_fields(doc: &Doc, out: &mut Vec<u8>) {
    let raw = &doc.raw_fields;
    let taken = |key: &str| {
        RESERVED.contains(&key) || doc.layers.contains_key(key) || doc.fields.contains_key(key)
    };
    let mut push = |key: &str, value: &RawValue| {
        out.push(b',');
        push_json_str(out, key);
        out.push(b':');
        out.extend_from_slice(value.get().as_bytes());
    };
    // A record has a handful of fields: comparing with the earlier ones
    // beats hashing them, and a set keeps an adversarial record linear.
    if raw.len() <= 16 {
        for (i, (key, value)) in raw.iter().enumerate() {
            if !taken(key) && !raw[..i].iter().any(|(k, _)| k == key) {
                push(key, value);
            }
        }
    } else {
        let mut seen = HashSet::with_capacity(raw.len());
        for (key, value) in raw {
            if !taken(key) && seen.insert(key.as_str()) {
                push(key, value);
            }
        }
    }
}

/// Appends the error record and its newline.
pub(crate) fn render_error(id: &str, kind: &str, message: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"id\":");
    push_json_str(out, id);
    out.extend_from_slice(b",\"error\":{\"kind\":");
    push_json_str(out, kind);
    out.extend_from_slice(b",\"message\":");
    push_json_str(out, message);
    out.extend_from_slice(b"}}\n");
}

/// `{"start":S,"end":E` — the caller closes the object.
#[inline]
fn push_span(out: &mut Vec<u8>, index: &OffsetIndex, text: &str, span: Span) {
    out.extend_from_slice(b"{\"start\":");
    push_u32(out, index.from_byte(text, span.start));
    out.extend_from_slice(b",\"end\":");
    push_u32(out, index.from_byte(text, span.end));
}

fn push_field(out: &mut Vec<u8>, key: &str, value: &serde_json::Value) {
    out.push(b',');
    push_json_str(out, key);
    out.push(b':');
    serde_json::to_writer(&mut *out, value).expect("a JSON value always serialises to a Vec");
}

/// A confidence in `[0, 1]`, shortest form that reads back as the same
/// `f32`; a non-finite value (never valid) is written as `null` so the
/// record stays JSON.
fn push_confidence(out: &mut Vec<u8>, confidence: f32) {
    if confidence.is_finite() {
        serde_json::to_writer(&mut *out, &confidence).expect("a float always serialises");
    } else {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use dateline_core::{Entity, Label, OffsetUnit, Sentence, Span, Token, TokenKind};
    use serde_json::{json, Value};

    use super::*;

    fn doc() -> Doc {
        let mut doc = Doc::new("d\"1", "Zürich 🙂 \"Cai\".").unwrap();
        let spans = [(0, 7), (8, 12), (13, 14), (14, 17), (17, 18), (18, 19)];
        doc.tokens = Some(
            spans
                .iter()
                .map(|&(s, e)| Token::new(Span::new(s, e), TokenKind::Word))
                .collect(),
        );
        doc.sentences = Some(vec![Sentence {
            span: Span::new(0, 19),
            first_token: 0,
            end_token: 6,
        }]);
        doc.entities = Some(vec![
            Entity {
                span: Span::new(0, 7),
                first_token: 0,
                end_token: 1,
                label: Label::Loc,
                source: "model",
                confidence: Some(0.875),
            },
            Entity {
                span: Span::new(14, 17),
                first_token: 3,
                end_token: 4,
                label: Label::Other("HERO".into()),
                source: "gazetteer",
                confidence: None,
            },
        ]);
        doc.layers.insert("lang".into(), json!("en"));
        doc.fields.insert("url".into(), json!("http://x"));
        doc.fields
            .insert("meta".into(), json!({"a": [1, 2.5, null]}));
        doc.fields.insert("text".into(), json!("shadowed"));
        doc.fields.insert("lang".into(), json!("shadowed"));
        for (key, raw) in [
            ("big", "123456789012345678901234567890"),
            ("nested", "{\"x\": [1, \"caf\\u00e9\"]}"),
            ("url", "\"taken by fields\""),
            ("big", "\"repeated\""),
            ("error", "1"),
        ] {
            let raw = RawValue::from_string(raw.to_owned()).unwrap();
            doc.raw_fields.push((key.to_owned(), raw));
        }
        doc
    }

    fn record(doc: &Doc, unit: OffsetUnit) -> Value {
        let mut out = Vec::new();
        render(doc, unit, &mut out);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(out.last(), Some(&b'\n'));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn writes_the_schema_in_order() {
        let value = record(&doc(), OffsetUnit::Char);
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "text",
                "tokens",
                "sentences",
                "entities",
                "lang",
                "url",
                "meta",
                "big",
                "nested"
            ]
        );
        assert_eq!(value["id"], "d\"1");
        assert_eq!(value["text"], "Zürich 🙂 \"Cai\".");
        assert_eq!(value["tokens"][1], json!({"start": 7, "end": 8}));
        assert_eq!(value["sentences"], json!([{"start": 0, "end": 15}]));
        assert_eq!(
            value["entities"],
            json!([
                {"start": 0, "end": 6, "label": "LOC", "text": "Zürich", "source": "model", "confidence": 0.875},
                {"start": 10, "end": 13, "label": "HERO", "text": "Cai", "source": "gazetteer"},
            ])
        );
        assert_eq!(value["lang"], "en");
        assert_eq!(value["meta"], json!({"a": [1, 2.5, null]}));
    }

    #[test]
    fn raw_fields_are_written_byte_for_byte() {
        let mut doc = doc();
        // Valid JSON that no f64 holds.
        let huge = RawValue::from_string("1e400".to_owned()).unwrap();
        doc.raw_fields.push(("huge".to_owned(), huge));
        let mut out = Vec::new();
        render(&doc, OffsetUnit::Char, &mut out);
        let line = std::str::from_utf8(&out).unwrap();
        assert!(
            line.ends_with(
                ",\"big\":123456789012345678901234567890,\"nested\":{\"x\": [1, \"caf\\u00e9\"]},\"huge\":1e400}\n"
            ),
            "{line}"
        );
    }

    #[test]
    fn many_raw_fields_keep_each_key_once() {
        let mut doc = Doc::new("x", "plain").unwrap();
        // Each value is the field's place in the list; k3 and k19 repeat.
        for (place, i) in (0..20).chain([3, 19]).enumerate() {
            let raw = RawValue::from_string(place.to_string()).unwrap();
            doc.raw_fields.push((format!("k{i}"), raw));
        }
        let value = record(&doc, OffsetUnit::Char);
        let object = value.as_object().unwrap();
        assert_eq!(object.len(), 2 + 20);
        assert_eq!(object["k3"], 3);
        assert_eq!(object["k19"], 19);
    }

    #[test]
    fn offsets_follow_the_unit() {
        let doc = doc();
        let spans = |unit| record(&doc, unit)["tokens"][3].clone();
        assert_eq!(spans(OffsetUnit::Byte), json!({"start": 14, "end": 17}));
        assert_eq!(spans(OffsetUnit::Char), json!({"start": 10, "end": 13}));
        assert_eq!(spans(OffsetUnit::Utf16), json!({"start": 11, "end": 14}));
    }

    #[test]
    fn absent_layers_are_left_out() {
        let doc = Doc::new("x", "plain").unwrap();
        assert_eq!(
            record(&doc, OffsetUnit::Char),
            json!({"id": "x", "text": "plain"})
        );
    }

    #[test]
    fn error_record() {
        let mut out = Vec::new();
        render_error("f:3", "json", "line 3: expected value", &mut out);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "{\"id\":\"f:3\",\"error\":{\"kind\":\"json\",\"message\":\"line 3: expected value\"}}\n"
        );
    }
}
