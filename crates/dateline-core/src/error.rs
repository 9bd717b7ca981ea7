//! Typed errors of the document model.

use thiserror::Error;

/// Building a document failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DocError {
    #[error("document {id}: text of {len} bytes exceeds the 4 GiB limit")]
    TooLarge { id: String, len: usize },
}

/// A stage could not annotate a document.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StageError {
    #[error("stage {stage} needs the {layer} layer, which no earlier stage provides")]
    MissingLayer { stage: &'static str, layer: String },
    #[error("stage {stage}: {message}")]
    Failed {
        stage: &'static str,
        message: String,
    },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// A document broke an invariant of the model; see [`validate`](crate::validate).
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    #[error(
        "token {index} at {start}..{end} is empty, out of bounds or not on character boundaries"
    )]
    BadToken { index: usize, start: u32, end: u32 },
    #[error("token {index} at {start}..{end} overlaps or precedes the token before it")]
    TokenOrder { index: usize, start: u32, end: u32 },
    #[error("token {index} at {start}..{end} contains whitespace")]
    TokenWhitespace { index: usize, start: u32, end: u32 },
    #[error("non-whitespace text at byte {offset} is not covered by any token")]
    Uncovered { offset: u32 },
    #[error("sentence {index} is empty or its tokens {first}..{end} do not follow the previous sentence")]
    SentenceRange { index: usize, first: u32, end: u32 },
    #[error("sentences end at token {end}, but there are {tokens} tokens")]
    SentenceCoverage { end: u32, tokens: usize },
    #[error(
        "sentence {index} span does not run from its first token's start to its last token's end"
    )]
    SentenceSpan { index: usize },
    #[error("entity {index} has an empty or out-of-range token range {first}..{end}")]
    EntityRange { index: usize, first: u32, end: u32 },
    #[error(
        "entity {index} span does not run from its first token's start to its last token's end"
    )]
    EntitySpan { index: usize },
    #[error("entity {index} overlaps or precedes the entity before it")]
    EntityOrder { index: usize },
    #[error("entity {index} crosses a sentence boundary")]
    EntityCrossesSentence { index: usize },
    #[error("entity {index} has confidence {confidence}, outside [0, 1]")]
    Confidence { index: usize, confidence: String },
    #[error("token lines: {lines} lines for {tokens} tokens")]
    TokenLines { lines: usize, tokens: usize },
    #[error("{layer} present without the tokens layer")]
    MissingTokens { layer: &'static str },
}
