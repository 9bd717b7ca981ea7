//! Pre-tokenised input and IOB2 output, for CoNLL-style evaluation.

use dateline_core::{Doc, Sentence, Span, Token, TokenKind};

use crate::TagError;

/// Builds a document from pre-tokenised sentences: the text is the tokens
/// joined by spaces, sentences by newlines, and the tokens and sentences
/// layers are set as given. Tokens must be non-empty and free of
/// whitespace.
pub fn doc_from_sentences<S: AsRef<str>>(id: &str, sentences: &[Vec<S>]) -> Result<Doc, TagError> {
    let mut text = String::new();
    let mut tokens = Vec::new();
    let mut spans = Vec::new();
    for sentence in sentences.iter().filter(|s| !s.is_empty()) {
        if !text.is_empty() {
            text.push('\n');
        }
        let first = tokens.len();
        for (i, word) in sentence.iter().enumerate() {
            let word = word.as_ref();
            if word.is_empty() || word.contains(char::is_whitespace) {
                return Err(TagError::Malformed(format!(
                    "document {id}: token {word:?} is empty or contains whitespace"
                )));
            }
            if i > 0 {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(word);
            let kind = if word.chars().any(char::is_alphabetic) {
                TokenKind::Word
            } else if word.chars().any(|c| c.is_ascii_digit()) {
                TokenKind::Number
            } else {
                TokenKind::Punct
            };
            tokens.push(Token::new(Span::from_usize(start, text.len()), kind));
        }
        spans.push((first, tokens.len()));
    }
    let sentences = spans
        .into_iter()
        .map(|(first, end)| Sentence {
            span: tokens[first].span.cover(tokens[end - 1].span),
            first_token: first as u32,
            end_token: end as u32,
        })
        .collect();
    let mut doc = Doc::new(id, text).map_err(|e| TagError::Malformed(e.to_string()))?;
    doc.tokens = Some(tokens);
    doc.sentences = Some(sentences);
    Ok(doc)
}

/// The IOB2 tag of every token (`O`, `B-PER`, `I-PER`, ...) from the
/// document's entities.
pub fn iob2_tags(doc: &Doc) -> Vec<String> {
    let mut tags = vec![String::from("O"); doc.tokens().len()];
    for e in doc.entities() {
        for (k, t) in e.token_range().enumerate() {
            tags[t] = format!("{}-{}", if k == 0 { "B" } else { "I" }, e.label);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_valid_doc_and_reads_tags_back() {
        let doc = doc_from_sentences(
            "d",
            &[
                vec!["EU", "rejects", "German", "call"],
                vec!["Peter", "Blackburn"],
            ],
        )
        .unwrap();
        dateline_core::validate(&doc).unwrap();
        assert_eq!(doc.text(), "EU rejects German call\nPeter Blackburn");
        assert_eq!(doc.sentences().len(), 2);
        assert_eq!(iob2_tags(&doc), ["O"; 6]);
        assert!(doc_from_sentences("d", &[vec!["a b"]]).is_err());
    }
}
