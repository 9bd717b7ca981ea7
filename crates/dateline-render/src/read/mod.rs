//! Readers for the formats that carry annotations back into a [`Doc`]:
//! JSONL ([`JsonlReader`]), CoNLL column files ([`ConllReader`]), CoNLL-U
//! ([`ConlluReader`]) and brat standoff ([`read_brat`], [`brat_entities`]).
//!
//! The stream readers are iterators of `Result<Doc, ReadError>` over a
//! `BufRead`: they hold one document at a time, and after a malformed
//! document they yield its error and go on with the next one. Every
//! document they yield has passed [`dateline_core::validate`].
//!
//! What does not survive a round trip: token kinds (formats do not carry
//! them; readers guess numbers, punctuation and symbols, else words),
//! extra [`Doc::layers`] (they come back as [`Doc::fields`], as a JSONL
//! record cannot tell them apart), and an entity's source and confidence in
//! CoNLL and CoNLL-U (read as `"gold"`).
//!
//! [`Doc`]: dateline_core::Doc
//! [`Doc::layers`]: dateline_core::Doc::layers
//! [`Doc::fields`]: dateline_core::Doc::fields

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use dateline_core::{Entity, Label, Span, ValidationError};
use thiserror::Error;

mod brat;
mod conll;
mod conllu;

mod jsonl;
mod record;

pub use brat::{brat_entities, read_brat, BratAnnotation};
pub use conll::ConllReader;
pub use conllu::ConlluReader;

pub use jsonl::JsonlReader;

/// A reader could not turn its input into documents.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("{source_name}: {source}")]
    Io {
        source_name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{source_name}:{line}: {message}")]
    Syntax {
        source_name: String,
        line: u64,
        message: String,
    },
    #[error("{source_name}:{line}: the document takes more than the limit of {limit} bytes")]
    TooLarge {
        source_name: String,
        line: u64,
        limit: usize,
    },
    #[error("{source_name}:{line}: document {id}: {source}")]
    Invalid {
        source_name: String,
        line: u64,
        id: String,
        #[source]
        source: ValidationError,
    },
}

impl ReadError {
    /// The line the error is on (where the document starts for `Invalid`),
    /// when it has one.
    pub fn line(&self) -> Option<u64> {
        match self {
            ReadError::Io { .. } => None,
            ReadError::Syntax { line, .. }
            | ReadError::TooLarge { line, .. }
            | ReadError::Invalid { line, .. } => Some(*line),
        }
    }
}

/// An entity's source as the `&'static str` [`Entity::source`] holds: the
/// usual names are constants; other names are leaked once each and shared,
/// so memory grows with the number of distinct names, not of entities.
pub(crate) fn intern_source(name: &str) -> &'static str {
    match name {
        "model" => "model",
        "rules" => "rules",
        "gazetteer" => "gazetteer",
        "gold" => "gold",
        _ => {
            static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
            let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
            let names = names.get_or_insert_with(HashSet::new);
            match names.get(name) {
                Some(&interned) => interned,
                None => {
                    let leaked: &'static str = Box::leak(name.into());
                    names.insert(leaked);
                    leaked
                }
            }
        }
    }
}

/// A parsed IOB tag: `O`, or `B-`/`I-` and a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tag<'a> {
    Outside,
    Begin(&'a str),
    Inside(&'a str),
}

impl<'a> Tag<'a> {
    pub(crate) fn parse(s: &'a str) -> Option<Tag<'a>> {
        if s == "O" {
            return Some(Tag::Outside);
        }
        match s.split_once('-') {
            Some(("B", label)) if !label.is_empty() => Some(Tag::Begin(label)),
            Some(("I", label)) if !label.is_empty() => Some(Tag::Inside(label)),
            _ => None,
        }
    }
}

/// Turns a sentence's IOB tags, token by token, into entities: IOB2, or IOB1
/// as `conlleval` reads it (an `I-` that does not continue an entity of its
/// label starts one).
#[derive(Debug, Default)]
pub(crate) struct IobDecoder {
    open: Option<Label>,
}

impl IobDecoder {
    pub(crate) fn push(
        &mut self,
        entities: &mut Vec<Entity>,
        tag: Tag<'_>,
        index: u32,
        span: Span,
    ) {
        let (label, begins) = match tag {
            Tag::Outside => {
                self.open = None;
                return;
            }
            Tag::Begin(label) => (label, true),
            Tag::Inside(label) => (label, false),
        };
        let continues = !begins
            && self
                .open
                .as_ref()
                .is_some_and(|open| open.as_str() == label);
        if continues {
            let last = entities.last_mut().expect("an open entity exists");
            last.end_token = index + 1;
            last.span = last.span.cover(span);
        } else {
            let label = Label::parse(label);
            entities.push(Entity {
                span,
                first_token: index,
                end_token: index + 1,
                label: label.clone(),
                source: "gold",
                confidence: None,
            });
            self.open = Some(label);
        }
    }

    /// Entities never cross a sentence boundary.
    pub(crate) fn end_sentence(&mut self) {
        self.open = None;
    }
}

/// A cheap token kind for tokens that did not come from dateline's
/// tokenizer: numbers, punctuation, symbols, else words.
pub(crate) fn kind_of(token: &str) -> dateline_core::TokenKind {
    use dateline_core::TokenKind;
    let is_symbol = |c: char| "$%&+<=>^|~#*€£¥".contains(c);
    if token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || ".,:-/".contains(c))
    {
        TokenKind::Number
    } else if token.chars().all(is_symbol) {
        TokenKind::Symbol
    } else if token
        .chars()
        .all(|c| c.is_ascii_punctuation() || "“”‘’—–…«»".contains(c))
    {
        TokenKind::Punct
    } else {
        TokenKind::Word
    }
}

/// The index of the token starting at byte `start` and of the token ending
/// at byte `end`, as a token range; `None` when a span is not on token
/// boundaries.
pub(crate) fn token_range(tokens: &[dateline_core::Token], span: Span) -> Option<(u32, u32)> {
    let first = tokens
        .binary_search_by_key(&span.start, |t| t.span.start)
        .ok()?;
    let last = tokens
        .binary_search_by_key(&span.end, |t| t.span.end)
        .ok()?;
    (first <= last).then_some((first as u32, last as u32 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_interned_once() {
        let a = intern_source(&String::from("my-stage"));
        let b = intern_source(&String::from("my-stage"));
        assert!(std::ptr::eq(a, b));
        assert_eq!(intern_source("model"), "model");
    }

    #[test]
    fn guesses_token_kinds() {
        use dateline_core::TokenKind::*;
        let kinds: Vec<_> = ["2,000", "09:07", ".", "“", "%", "$", "Cai", "U.S.", "-"]
            .into_iter()
            .map(kind_of)
            .collect();
        assert_eq!(
            kinds,
            [Number, Number, Punct, Punct, Symbol, Symbol, Word, Word, Punct]
        );
    }
}
