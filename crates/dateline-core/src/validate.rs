//! `validate`: the invariants every stage must keep.

use crate::{Doc, ValidationError};

/// Checks every layer present on `doc` against the model's invariants:
///
/// - a token is a non-empty, whitespace-free slice on character boundaries;
///   tokens are ordered, do not overlap, and cover all non-whitespace text;
/// - sentences are non-empty contiguous token ranges that follow each other
///   and together cover every token; a sentence's span runs from its first
///   token's start to its last token's end;
/// - entities are non-empty token ranges whose span matches their tokens,
///   ordered and non-overlapping, each inside one sentence, with a
///   confidence in `[0, 1]` where present.
///
/// Every snapshot and property test calls this before looking at output.
pub fn validate(doc: &Doc) -> Result<(), ValidationError> {
    validate_tokens(doc)?;
    validate_sentences(doc)?;
    validate_entities(doc)?;
    if let Some(lines) = &doc.token_lines {
        if lines.len() != doc.tokens().len() {
            return Err(ValidationError::TokenLines {
                lines: lines.len(),
                tokens: doc.tokens().len(),
            });
        }
    }
    Ok(())
}

fn validate_tokens(doc: &Doc) -> Result<(), ValidationError> {
    let Some(tokens) = &doc.tokens else {
        return Ok(());
    };
    let text = doc.text();
    let mut covered = 0usize;
    for (index, token) in tokens.iter().enumerate() {
        let (start, end) = (token.span.start, token.span.end);
        let Some(slice) = text.get(token.span.range()).filter(|s| !s.is_empty()) else {
            return Err(ValidationError::BadToken { index, start, end });
        };
        if (start as usize) < covered {
            return Err(ValidationError::TokenOrder { index, start, end });
        }
        if slice.chars().any(char::is_whitespace) {
            return Err(ValidationError::TokenWhitespace { index, start, end });
        }
        check_gap(text, covered, start as usize)?;
        covered = end as usize;
    }
    check_gap(text, covered, text.len())
}

/// The text between two tokens must be whitespace only.
fn check_gap(text: &str, from: usize, to: usize) -> Result<(), ValidationError> {
    match text[from..to]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
    {
        Some((i, _)) => Err(ValidationError::Uncovered {
            offset: (from + i) as u32,
        }),
        None => Ok(()),
    }
}

fn validate_sentences(doc: &Doc) -> Result<(), ValidationError> {
    let Some(sentences) = &doc.sentences else {
        return Ok(());
    };
    if doc.tokens.is_none() {
        return Err(ValidationError::MissingTokens { layer: "sentences" });
    }
    let tokens = doc.tokens();
    let mut next = 0u32;
    for (index, sentence) in sentences.iter().enumerate() {
        let (first, end) = (sentence.first_token, sentence.end_token);
        if first != next || end <= first || end as usize > tokens.len() {
            return Err(ValidationError::SentenceRange { index, first, end });
        }
        let expected = tokens[first as usize]
            .span
            .cover(tokens[end as usize - 1].span);
        if sentence.span != expected {
            return Err(ValidationError::SentenceSpan { index });
        }
        next = end;
    }
    if next as usize != tokens.len() {
        return Err(ValidationError::SentenceCoverage {
            end: next,
            tokens: tokens.len(),
        });
    }
    Ok(())
}

fn validate_entities(doc: &Doc) -> Result<(), ValidationError> {
    let Some(entities) = &doc.entities else {
        return Ok(());
    };
    if doc.tokens.is_none() {
        return Err(ValidationError::MissingTokens { layer: "entities" });
    }
    let tokens = doc.tokens();
    let sentences = doc.sentences.as_deref();
    let mut sentence_index = 0usize;
    let mut prev_end = 0u32;
    for (index, entity) in entities.iter().enumerate() {
        let (first, end) = (entity.first_token, entity.end_token);
        if end <= first || end as usize > tokens.len() {
            return Err(ValidationError::EntityRange { index, first, end });
        }
        let expected = tokens[first as usize]
            .span
            .cover(tokens[end as usize - 1].span);
        if entity.span != expected {
            return Err(ValidationError::EntitySpan { index });
        }
        if index > 0 && first < prev_end {
            return Err(ValidationError::EntityOrder { index });
        }
        prev_end = end;
        if let Some(conf) = entity.confidence {
            if !(0.0..=1.0).contains(&conf) {
                return Err(ValidationError::Confidence {
                    index,
                    confidence: conf.to_string(),
                });
            }
        }
        if let Some(sentences) = sentences {
            // Entities are ordered, so the containing sentence only moves forward.
            while sentence_index < sentences.len() && sentences[sentence_index].end_token <= first {
                sentence_index += 1;
            }
            match sentences.get(sentence_index) {
                Some(s) if s.first_token <= first && end <= s.end_token => {}
                _ => return Err(ValidationError::EntityCrossesSentence { index }),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entity, Label, Sentence, Span, Token, TokenKind};

    fn doc_with_tokens(text: &str, spans: &[(u32, u32)]) -> Doc {
        let mut doc = Doc::new("t", text).unwrap();
        doc.tokens = Some(
            spans
                .iter()
                .map(|&(s, e)| Token::new(Span::new(s, e), TokenKind::Word))
                .collect(),
        );
        doc
    }

    #[test]
    fn accepts_well_formed_layers() {
        let mut doc = doc_with_tokens("Cai Qi met.", &[(0, 3), (4, 6), (7, 10), (10, 11)]);
        doc.sentences = Some(vec![Sentence {
            span: Span::new(0, 11),
            first_token: 0,
            end_token: 4,
        }]);
        doc.entities = Some(vec![Entity {
            span: Span::new(0, 6),
            first_token: 0,
            end_token: 2,
            label: Label::Per,
            source: "model",
            confidence: Some(0.9),
        }]);
        assert_eq!(validate(&doc), Ok(()));
    }

    #[test]
    fn rejects_uncovered_text() {
        let doc = doc_with_tokens("Cai Qi", &[(0, 3)]);
        assert_eq!(
            validate(&doc),
            Err(ValidationError::Uncovered { offset: 4 })
        );
    }

    #[test]
    fn rejects_overlapping_tokens() {
        let doc = doc_with_tokens("abcd", &[(0, 3), (2, 4)]);
        assert!(matches!(
            validate(&doc),
            Err(ValidationError::TokenOrder { index: 1, .. })
        ));
    }

    #[test]
    fn rejects_token_inside_a_character() {
        let doc = doc_with_tokens("é", &[(0, 1), (1, 2)]);
        assert!(matches!(
            validate(&doc),
            Err(ValidationError::BadToken { index: 0, .. })
        ));
    }

    #[test]
    fn rejects_sentences_that_skip_tokens() {
        let mut doc = doc_with_tokens("a b c", &[(0, 1), (2, 3), (4, 5)]);
        doc.sentences = Some(vec![Sentence {
            span: Span::new(0, 3),
            first_token: 0,
            end_token: 2,
        }]);
        assert!(matches!(
            validate(&doc),
            Err(ValidationError::SentenceCoverage { end: 2, tokens: 3 })
        ));
    }

    #[test]
    fn rejects_entity_across_sentences() {
        let mut doc = doc_with_tokens("a b", &[(0, 1), (2, 3)]);
        doc.sentences = Some(vec![
            Sentence {
                span: Span::new(0, 1),
                first_token: 0,
                end_token: 1,
            },
            Sentence {
                span: Span::new(2, 3),
                first_token: 1,
                end_token: 2,
            },
        ]);
        doc.entities = Some(vec![Entity {
            span: Span::new(0, 3),
            first_token: 0,
            end_token: 2,
            label: Label::Org,
            source: "model",
            confidence: None,
        }]);
        assert_eq!(
            validate(&doc),
            Err(ValidationError::EntityCrossesSentence { index: 0 })
        );
    }
}
