//! The document: original text plus the layers stages add to it.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::{DocError, Entity, Sentence, Span, Token};

/// A document: the original text, untouched, and the annotation layers.
///
/// A layer is `None` until the stage that provides it has run, so renderers
/// can leave out what a run did not compute. Stages add layers; they never
/// rewrite a layer an earlier stage wrote.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    id: String,
    text: String,
    /// Tokens in text order, non-overlapping, covering all non-whitespace.
    pub tokens: Option<Vec<Token>>,
    /// Sentences: contiguous token ranges covering every token in order.
    pub sentences: Option<Vec<Sentence>>,
    /// Entities in text order, non-overlapping, each inside one sentence.
    pub entities: Option<Vec<Entity>>,
    /// Layers added by stages outside the core model (a keyword list, a
    /// language guess), rendered as top-level JSON fields under their key.
    pub layers: Map<String, Value>,
    /// The input record's other fields, passed through unchanged.
    pub fields: Map<String, Value>,
    /// The input record's other fields as their JSON text, in input order,
    /// keys unique. Renderers write each value back byte for byte, after
    /// [`Doc::fields`]: a number beyond `f64` or a string's escapes cannot
    /// change on the way through, as they can through a parsed [`Value`].
    /// The driver's JSONL input fills this rather than `fields`.
    pub raw_fields: Vec<(String, Box<RawValue>)>,
    /// For pre-tokenised (CoNLL) input: the input line of each token, so a
    /// renderer can write the input columns back with a prediction appended.
    pub token_lines: Option<Vec<Box<str>>>,
}

impl Doc {
    /// Largest text a document may hold: offsets are `u32`.
    pub const MAX_LEN: usize = u32::MAX as usize;

    /// Creates a document with no layers.
    ///
    /// Fails when the text is longer than [`Doc::MAX_LEN`] bytes.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Result<Doc, DocError> {
        let id = id.into();
        let text = text.into();
        if text.len() > Doc::MAX_LEN {
            return Err(DocError::TooLarge {
                id,
                len: text.len(),
            });
        }
        Ok(Doc {
            id,
            text,
            ..Doc::default()
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text a span covers.
    ///
    /// # Panics
    /// When the span is out of bounds or not on character boundaries; spans
    /// that passed [`validate`](crate::validate) never are.
    #[inline]
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }

    /// The tokens, or an empty slice when tokenisation has not run.
    #[inline]
    pub fn tokens(&self) -> &[Token] {
        self.tokens.as_deref().unwrap_or(&[])
    }

    /// The sentences, or an empty slice when segmentation has not run.
    #[inline]
    pub fn sentences(&self) -> &[Sentence] {
        self.sentences.as_deref().unwrap_or(&[])
    }

    /// The entities, or an empty slice when no tagger has run.
    #[inline]
    pub fn entities(&self) -> &[Entity] {
        self.entities.as_deref().unwrap_or(&[])
    }

    /// The text of token `i`.
    #[inline]
    pub fn token_text(&self, i: usize) -> &str {
        self.slice(self.tokens()[i].span)
    }

    /// Whether the layer is present on this document.
    pub fn has(&self, layer: crate::Layer) -> bool {
        match layer {
            crate::Layer::Tokens => self.tokens.is_some(),
            crate::Layer::Sentences => self.sentences.is_some(),
            crate::Layer::Entities => self.entities.is_some(),
            crate::Layer::Custom(key) => self.layers.contains_key(key),
        }
    }
}
