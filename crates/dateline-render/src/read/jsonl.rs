//! Reads annotated JSONL records (the schema the JSONL renderer writes)
//! back into documents, one line at a time.
//!
//! Offsets are read in the unit they were written in (the reader is told
//! which) and must fall on token boundaries; `id` defaults to `NAME:LINE`;
//! every key besides the record's own comes back in [`Doc::fields`] in
//! order. A line holding the record of a failed document
//! (`{"id","error"}`) is read as an error naming it. Blank lines are
//! skipped.
//!
//! [`Doc::fields`]: dateline_core::Doc::fields

use std::io::BufRead;

use dateline_core::{Doc, Entity, Label, OffsetIndex, OffsetUnit, Sentence, Span, Token};
use serde_json::Value;

use super::record::{EntityKeys, Record, SpanItem, Spans};
use super::{intern_source, kind_of, token_range, ReadError};

/// Reads documents from annotated JSONL; an iterator of documents.
#[derive(Debug)]
pub struct JsonlReader<R> {
    input: R,
    name: String,
    unit: OffsetUnit,
    line_no: u64,
    line: String,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader of `input`, whose offsets are in `unit`; `name` (usually the
    /// file name) prefixes default ids and error messages.
    pub fn new(input: R, name: impl Into<String>, unit: OffsetUnit) -> JsonlReader<R> {
        JsonlReader {
            input,
            name: name.into(),
            unit,
            line_no: 0,
            line: String::new(),
        }
    }

    fn syntax(&self, message: impl Into<String>) -> ReadError {
        ReadError::Syntax {
            source_name: self.name.clone(),
            line: self.line_no,
            message: message.into(),
        }
    }

    fn parse(&self) -> Result<Doc, ReadError> {
        let record: Record = serde_json::from_str(&self.line)
            .map_err(|e| self.syntax(format!("not a JSON object: {e}")))?;
        let id = match record.id {
            Some(Value::String(id)) => id,
            Some(other) => other.to_string(),
            None => format!("{}:{}", self.name, self.line_no),
        };
        if let Some(error) = record.error {
            return Err(self.syntax(format!(
                "document {id} failed when it was annotated: {error}"
            )));
        }
        let Some(Value::String(text)) = record.text else {
            return Err(self.syntax(format!("document {id}: no string field \"text\"")));
        };
        let mut doc = Doc::new(id, text).map_err(|e| self.syntax(e.to_string()))?;
        let index = OffsetIndex::new(doc.text(), self.unit);
        // Tokens first whatever the key order: the other layers are
        // placed on them.
        if let Some(spans) = &record.tokens {
            let tokens = self.layer(&doc, &index, spans, "tokens", |doc, span, _| {
                Ok(Token::new(span, kind_of(doc.slice(span))))
            })?;
            doc.tokens = Some(tokens);
        }
        if let Some(spans) = &record.sentences {
            let sentences = self.layer(&doc, &index, spans, "sentences", |doc, span, _| {
                let (first_token, end_token) = self.on_tokens(doc, span, "sentence")?;
                Ok(Sentence {
                    span,
                    first_token,
                    end_token,
                })
            })?;
            doc.sentences = Some(sentences);
        }
        if let Some(spans) = &record.entities {
            let entities = self.layer(&doc, &index, spans, "entities", |doc, span, keys| {
                self.entity(doc, span, keys)
            })?;
            doc.entities = Some(entities);
        }
        doc.fields = record.fields;
        dateline_core::validate(&doc).map_err(|source| ReadError::Invalid {
            source_name: self.name.clone(),
            line: self.line_no,
            id: doc.id().to_owned(),
            source,
        })?;
        Ok(doc)
    }

    /// The array under `key`, each item made into a layer element by
    /// `make` from its byte span and entity keys.
    fn layer<T>(
        &self,
        doc: &Doc,
        index: &OffsetIndex,
        spans: &Spans,
        key: &str,
        mut make: impl FnMut(&Doc, Span, Option<&EntityKeys>) -> Result<T, ReadError>,
    ) -> Result<Vec<T>, ReadError> {
        let Spans::Items(items) = spans else {
            return Err(self.syntax(format!("document {}: \"{key}\" is not an array", doc.id())));
        };
        let mut layer = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let (span, keys) = self.span(doc, index, item, key, i)?;
            layer.push(make(doc, span, keys)?);
        }
        Ok(layer)
    }

    /// The byte span of item `i` of the array under `key`, and its entity
    /// keys.
    fn span<'s>(
        &self,
        doc: &Doc,
        index: &OffsetIndex,
        item: &'s SpanItem,
        key: &str,
        i: usize,
    ) -> Result<(Span, Option<&'s EntityKeys>), ReadError> {
        let to_byte = |offset: Option<u32>| offset.and_then(|n| index.to_byte(doc.text(), n));
        if let SpanItem::Object { start, end, entity } = item {
            if let (Some(start), Some(end)) = (to_byte(*start), to_byte(*end)) {
                if start <= end {
                    return Ok((Span::new(start, end), entity.as_deref()));
                }
            }
        }
        Err(self.syntax(format!(
            "document {}: {key}[{i}] is not {{\"start\",\"end\"}} with {} offsets inside the text",
            doc.id(),
            index.unit()
        )))
    }

    fn on_tokens(&self, doc: &Doc, span: Span, what: &str) -> Result<(u32, u32), ReadError> {
        token_range(doc.tokens(), span).ok_or_else(|| {
            self.syntax(format!(
                "document {}: {what} at bytes {span:?} does not start and end on tokens",
                doc.id()
            ))
        })
    }

    fn entity(
        &self,
        doc: &Doc,
        span: Span,
        keys: Option<&EntityKeys>,
    ) -> Result<Entity, ReadError> {
        let (first_token, end_token) = self.on_tokens(doc, span, "entity")?;
        let keys = keys.map_or(&EntityKeys::NONE, |k| k);
        let Some(label) = keys.label.as_ref().and_then(Value::as_str) else {
            return Err(self.syntax(format!(
                "document {}: entity at bytes {span:?} has no label",
                doc.id()
            )));
        };
        if let Some(text) = keys.text.as_ref().and_then(Value::as_str) {
            if text != doc.slice(span) {
                return Err(self.syntax(format!(
                    "document {}: entity text {text:?} differs from the text at its offsets, {:?}",
                    doc.id(),
                    doc.slice(span)
                )));
            }
        }
        Ok(Entity {
            span,
            first_token,
            end_token,
            label: Label::parse(label),
            source: intern_source(
                keys.source
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or("gold"),
            ),
            confidence: keys
                .confidence
                .as_ref()
                .and_then(Value::as_f64)
                .map(|c| c as f32),
        })
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Doc, ReadError>;

    fn next(&mut self) -> Option<Result<Doc, ReadError>> {
        loop {
            self.line.clear();
            match self.input.read_line(&mut self.line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    return Some(Err(ReadError::Io {
                        source_name: self.name.clone(),
                        source,
                    }))
                }
            }
            self.line_no += 1;
            if !self.line.trim().is_empty() {
                return Some(self.parse());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str, unit: OffsetUnit) -> Vec<Result<Doc, ReadError>> {
        JsonlReader::new(input.as_bytes(), "in.jsonl", unit).collect()
    }

    #[test]
    fn reads_layers_in_the_given_unit() {
        let line = r#"{"id":"a","text":"Zürich 🙂 ok","tokens":[{"start":0,"end":6},{"start":7,"end":8},{"start":9,"end":11}],"sentences":[{"start":0,"end":11}],"entities":[{"start":0,"end":6,"label":"LOC","text":"Zürich","source":"model","confidence":0.5}],"url":"u"}"#;
        let docs = read(&format!("\n{line}\n"), OffsetUnit::Char);
        let doc = docs[0].as_ref().unwrap();
        assert_eq!(doc.tokens()[2].span, Span::new(13, 15));
        assert_eq!(doc.sentences()[0].token_range(), 0..3);
        let e = &doc.entities()[0];
        assert_eq!(
            (e.span, e.label.as_str(), e.source, e.confidence),
            (Span::new(0, 7), "LOC", "model", Some(0.5))
        );
        assert_eq!(doc.fields["url"], "u");
        // The same numbers as bytes fall inside the emoji.
        let err = read(line, OffsetUnit::Byte).remove(0).unwrap_err();
        assert!(err.to_string().contains("tokens[2] is not"), "{err}");
    }

    #[test]
    fn reports_bad_records_by_line() {
        let docs = read("[1]\n{\"id\":\"x\",\"error\":{\"kind\":\"k\",\"message\":\"m\"}}\n{\"text\":\"a\",\"tokens\":[{\"start\":0,\"end\":2}]}\n{\"text\":\"a b\",\"tokens\":[{\"start\":0,\"end\":1}]}\n", OffsetUnit::Char);
        let errors: Vec<String> = docs
            .into_iter()
            .map(|d| d.unwrap_err().to_string())
            .collect();
        assert_eq!(errors[0], "in.jsonl:1: not a JSON object: invalid type: sequence, expected a map at line 1 column 0");
        assert_eq!(errors[1], "in.jsonl:2: document x failed when it was annotated: {\"kind\":\"k\",\"message\":\"m\"}");
        assert!(
            errors[2].starts_with("in.jsonl:3: document in.jsonl:3: tokens[0] is not"),
            "{}",
            errors[2]
        );
        assert_eq!(errors[3], "in.jsonl:4: document in.jsonl:4: non-whitespace text at byte 2 is not covered by any token");
    }
}
