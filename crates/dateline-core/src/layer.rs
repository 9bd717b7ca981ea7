//! The annotation layers a `Doc` carries: tokens, sentences, entities.

use std::fmt;
use std::sync::Arc;

use crate::Span;

/// What a token is, as decided by the tokenizer. Small on purpose: later
/// stages use it as a cheap feature, renderers may ignore it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TokenKind {
    /// Letters, possibly with inner apostrophes, hyphens or periods (`U.S.`).
    #[default]
    Word,
    /// Digits, possibly with separators, decimals, times or dates.
    Number,
    /// Punctuation: `.`, `,`, quotes, brackets, dashes, ellipses.
    Punct,
    /// Symbols: currency, `%`, `&`, maths, emoji.
    Symbol,
    Url,
    Email,
    /// `@handle`
    Mention,
    /// `#hashtag`
    Hashtag,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Word => "word",
            TokenKind::Number => "number",
            TokenKind::Punct => "punct",
            TokenKind::Symbol => "symbol",
            TokenKind::Url => "url",
            TokenKind::Email => "email",
            TokenKind::Mention => "mention",
            TokenKind::Hashtag => "hashtag",
        }
    }
}

/// One token: a non-empty span of non-whitespace text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

impl Token {
    #[inline]
    pub fn new(span: Span, kind: TokenKind) -> Token {
        Token { span, kind }
    }
}

/// A sentence: the contiguous token range `first_token..end_token` and the
/// byte span from the first token's start to the last token's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub span: Span,
    pub first_token: u32,
    pub end_token: u32,
}

impl Sentence {
    #[inline]
    pub fn token_range(&self) -> std::ops::Range<usize> {
        self.first_token as usize..self.end_token as usize
    }
}

/// An entity label. The eight built-in labels are a byte each; labels that
/// users bring through gazetteers or their own stages are shared strings.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Per,
    Org,
    Loc,
    Misc,
    Date,
    Time,
    Money,
    Percent,
    Other(Arc<str>),
}

impl Label {
    /// The built-in labels, in the order renderers list them.
    pub const BUILT_IN: [Label; 8] = [
        Label::Per,
        Label::Org,
        Label::Loc,
        Label::Misc,
        Label::Date,
        Label::Time,
        Label::Money,
        Label::Percent,
    ];

    /// Parses a label name; unknown names become [`Label::Other`].
    pub fn parse(name: &str) -> Label {
        match name {
            "PER" => Label::Per,
            "ORG" => Label::Org,
            "LOC" => Label::Loc,
            "MISC" => Label::Misc,
            "DATE" => Label::Date,
            "TIME" => Label::Time,
            "MONEY" => Label::Money,
            "PERCENT" => Label::Percent,
            other => Label::Other(Arc::from(other)),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Label::Per => "PER",
            Label::Org => "ORG",
            Label::Loc => "LOC",
            Label::Misc => "MISC",
            Label::Date => "DATE",
            Label::Time => "TIME",
            Label::Money => "MONEY",
            Label::Percent => "PERCENT",
            Label::Other(name) => name,
        }
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named entity: a contiguous token range inside one sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub span: Span,
    pub first_token: u32,
    pub end_token: u32,
    pub label: Label,
    /// The layer that produced it: `"model"`, `"rules"`, `"gazetteer"`,
    /// `"gold"`, or a custom stage's name.
    pub source: &'static str,
    /// Present when the producer has one, in `[0, 1]`.
    pub confidence: Option<f32>,
}

impl Entity {
    #[inline]
    pub fn token_range(&self) -> std::ops::Range<usize> {
        self.first_token as usize..self.end_token as usize
    }
}
