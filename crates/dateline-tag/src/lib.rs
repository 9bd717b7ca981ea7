//! The principal type in this crate is [`EntityTagger`], built by an
//! [`EntityTaggerBuilder`]: a pipeline [`Stage`] that finds named entities
//! in tokenised, segmented news text.
//!
//! (crate documentation being written)
//!
//! # Crate features
//! - `train`: the training code behind `cargo xtask train-ner`.

// Decoding and training are matrix code over small fixed tag arrays, where
// index loops read more clearly than zipped iterators.
#![allow(clippy::needless_range_loop)]

mod decode;
mod error;
mod features;
mod hash;
mod labels;
mod model;
mod tagger;
#[cfg(feature = "train")]
pub mod train;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use dateline_core::{Doc, Entity, Layer, Span, Stage, StageError};

pub use error::TagError;
pub use model::Model;

use tagger::{tag_model, ModelSpan, Scratch};

/// Tags entities: the statistical model for `PER`, `ORG`, `LOC` and
/// `MISC`, then the rule layer for `DATE`, `TIME`, `MONEY` and `PERCENT`,
/// then user gazetteers.
#[derive(Clone, Debug)]
pub struct EntityTagger {
    model: Arc<Model>,
}

/// Builds an [`EntityTagger`].
#[derive(Debug, Default)]
pub struct EntityTaggerBuilder {
    model: Option<Arc<Model>>,
}

impl EntityTaggerBuilder {
    /// Uses this model instead of the embedded one.
    pub fn model(mut self, model: impl Into<Arc<Model>>) -> Self {
        self.model = Some(model.into());
        self
    }

    pub fn build(self) -> Result<EntityTagger, TagError> {
        let model = match self.model {
            Some(m) => m,
            None => Model::embedded()?,
        };
        Ok(EntityTagger { model })
    }
}

impl EntityTagger {
    /// The default tagger: the embedded model, rules on, no gazetteer.
    pub fn new() -> Result<EntityTagger, TagError> {
        EntityTagger::builder().build()
    }

    pub fn builder() -> EntityTaggerBuilder {
        EntityTaggerBuilder::default()
    }

    /// A default tagger with the model read from `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<EntityTagger, TagError> {
        EntityTagger::builder().model(Model::load(path)?).build()
    }

    /// A default tagger with the model parsed from file bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<EntityTagger, TagError> {
        EntityTagger::builder()
            .model(Model::from_bytes(bytes)?)
            .build()
    }

    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// Finds the entities of a tokenised, segmented document.
    pub fn entities(&self, doc: &Doc) -> Vec<Entity> {
        let tokens = doc.tokens();
        let sentences: Vec<Range<usize>> =
            doc.sentences().iter().map(|s| s.token_range()).collect();
        let mut spans: Vec<ModelSpan> = Vec::new();
        let mut scratch = Scratch::default();
        tag_model(
            &self.model,
            tokens.iter().map(|t| doc.slice(t.span)),
            &sentences,
            &mut scratch,
            &mut spans,
        );
        spans
            .iter()
            .map(|m| Entity {
                span: Span::new(tokens[m.first].span.start, tokens[m.end - 1].span.end),
                first_token: m.first as u32,
                end_token: m.end as u32,
                label: labels::label(m.ty),
                source: "model",
                confidence: Some(self.model.confidence(m.margin)),
            })
            .collect()
    }
}

impl Stage for EntityTagger {
    fn name(&self) -> &'static str {
        "tag"
    }

    fn requires(&self) -> &[Layer] {
        &[Layer::Tokens, Layer::Sentences]
    }

    fn provides(&self) -> &[Layer] {
        &[Layer::Entities]
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        self.check_requirements(doc)?;
        doc.entities = Some(self.entities(doc));
        Ok(())
    }
}
