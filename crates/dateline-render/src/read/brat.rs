//! Reads brat standoff back: [`read_brat`] parses a `.ann` file against its
//! `.txt` and checks that every text-bound annotation's text equals the text
//! at its offsets; [`brat_entities`] places the annotations on a document's
//! tokens.
//!
//! brat has no tokens or sentences, so those come from elsewhere (the
//! original document, or dateline's tokenizer on the `.txt`). Only
//! text-bound annotations (`T`) and their `AnnotatorNotes` (`source=`,
//! `confidence=`, as the renderer writes them) are read; relations, events
//! and attributes are ignored.

use dateline_core::{Doc, Entity, Label, OffsetIndex, OffsetUnit, Span};

use super::{intern_source, token_range, ReadError};

/// One text-bound annotation of a `.ann` file.
#[derive(Clone, Debug, PartialEq)]
pub struct BratAnnotation {
    /// `T1`, `T2`, ...
    pub id: String,
    pub label: Label,
    /// Byte spans into the text: one, or several for a discontinuous
    /// annotation, in order.
    pub fragments: Vec<Span>,
    pub source: Option<&'static str>,
    pub confidence: Option<f32>,
    /// The `.ann` line it is on.
    pub line: u64,
}

impl BratAnnotation {
    /// From the first fragment's start to the last fragment's end.
    pub fn span(&self) -> Span {
        let first = self
            .fragments
            .first()
            .expect("an annotation has a fragment");
        let last = self.fragments.last().expect("an annotation has a fragment");
        first.cover(*last)
    }
}

/// Parses `ann` (named `name` in errors), whose character offsets point into
/// `text`, checking every annotation's text against the text it covers.
pub fn read_brat(name: &str, text: &str, ann: &str) -> Result<Vec<BratAnnotation>, ReadError> {
    let chars = OffsetIndex::new(text, OffsetUnit::Char);
    let mut annotations: Vec<BratAnnotation> = Vec::new();
    for (line_no, line) in (1u64..).zip(ann.lines()) {
        let syntax = |message: String| ReadError::Syntax {
            source_name: name.to_owned(),
            line: line_no,
            message,
        };
        if line.starts_with('T') {
            let mut parts = line.splitn(3, '\t');
            let (Some(id), Some(body), Some(covered)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(syntax("expected ID<TAB>TYPE START END<TAB>TEXT".to_owned()));
            };
            let (label, ranges) = body
                .split_once(' ')
                .ok_or_else(|| syntax(format!("no offsets in {body:?}")))?;
            let mut fragments = Vec::new();
            for range in ranges.split(';') {
                let offsets = range.split_once(' ').and_then(|(s, e)| {
                    let s = chars.to_byte(text, s.parse().ok()?)?;
                    let e = chars.to_byte(text, e.parse().ok()?)?;
                    (s <= e).then(|| Span::new(s, e))
                });
                fragments.push(offsets.ok_or_else(|| {
                    syntax(format!(
                        "bad or out-of-range offsets {range:?} for a text of {} characters",
                        text.chars().count()
                    ))
                })?);
            }
            let expected = fragments
                .iter()
                .map(|f| &text[f.range()])
                .collect::<Vec<_>>()
                .join(" ");
            if covered != expected {
                return Err(syntax(format!(
                    "{id}: annotation text {covered:?} differs from the text at its offsets, {expected:?}"
                )));
            }
            annotations.push(BratAnnotation {
                id: id.to_owned(),
                label: Label::parse(label),
                fragments,
                source: None,
                confidence: None,
                line: line_no,
            });
        } else if line.starts_with('#') {
            let mut parts = line.splitn(3, '\t');
            let (Some(_), Some(body), note) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let Some(target) = body.strip_prefix("AnnotatorNotes ") else {
                continue;
            };
            let Some(annotation) = annotations.iter_mut().find(|a| a.id == target) else {
                continue;
            };
            for item in note.unwrap_or("").split_whitespace() {
                match item.split_once('=') {
                    Some(("source", source)) => annotation.source = Some(intern_source(source)),
                    Some(("confidence", c)) => annotation.confidence = c.parse().ok(),
                    _ => {}
                }
            }
        }
    }
    Ok(annotations)
}

/// The annotations as entities of `doc` (whose text must be the `.txt`),
/// in text order: each must start and end on a token. Source defaults to
/// `"gold"`.
pub fn brat_entities(
    name: &str,
    doc: &Doc,
    annotations: &[BratAnnotation],
) -> Result<Vec<Entity>, ReadError> {
    let mut entities = Vec::with_capacity(annotations.len());
    for annotation in annotations {
        let span = annotation.span();
        let (first_token, end_token) =
            token_range(doc.tokens(), span).ok_or_else(|| ReadError::Syntax {
                source_name: name.to_owned(),
                line: annotation.line,
                message: format!(
                    "{}: {:?} does not start and end on tokens",
                    annotation.id,
                    doc.slice(span)
                ),
            })?;
        entities.push(Entity {
            span,
            first_token,
            end_token,
            label: annotation.label.clone(),
            source: annotation.source.unwrap_or("gold"),
            confidence: annotation.confidence,
        });
    }
    entities.sort_by_key(|e| e.span.start);
    Ok(entities)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Zürich's Mongolian\nPeople's  Party met.";

    #[test]
    fn reads_fragments_and_notes() {
        let ann = "T1\tLOC 0 8\tZürich's\n#1\tAnnotatorNotes T1\tsource=model confidence=0.5\n\
                   T2\tORG 9 18;19 34\tMongolian People's  Party\nR1\tRel Arg1:T1 Arg2:T2\n";
        let annotations = read_brat("a.ann", TEXT, ann).unwrap();
        assert_eq!(annotations.len(), 2);
        assert_eq!(annotations[0].source, Some("model"));
        assert_eq!(annotations[0].confidence, Some(0.5));
        assert_eq!(
            annotations[1].fragments,
            [Span::new(10, 19), Span::new(20, 35)]
        );
        assert_eq!(annotations[1].span(), Span::new(10, 35));
    }

    #[test]
    fn rejects_text_that_does_not_match() {
        let err = read_brat("a.ann", TEXT, "T1\tLOC 0 7\tZürich's\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.ann:1: T1: annotation text \"Zürich's\" differs from the text at its offsets, \"Zürich'\""
        );
        let err = read_brat("a.ann", TEXT, "T1\tLOC 0 99\tx\n").unwrap_err();
        assert!(err.to_string().contains("out-of-range"), "{err}");
    }
}
