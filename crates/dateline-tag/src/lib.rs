//! The principal type in this crate is [`EntityTagger`], built by an
//! [`EntityTaggerBuilder`]: a pipeline [`Stage`] (named `tag`) that reads a
//! document's tokens and sentences and fills its entities — `PER`, `ORG`,
//! `LOC` and `MISC` from a trained model, `DATE`, `TIME`, `MONEY` and
//! `PERCENT` from a rule layer, and any label from user gazetteers.
//!
//! ```
//! use dateline_core::{Doc, Stage};
//! use dateline_segment::Segmenter;
//! use dateline_tag::{EntityTagger, Gazetteer};
//! use dateline_tokenize::Tokenizer;
//!
//! let mut doc = Doc::new("seed", "BEIJING, May 14 (Xinhua) -- Cai Qi met Yangug Sodbaatar on Wednesday.")?;
//! Tokenizer::default().process(&mut doc)?;
//! Segmenter::default().process(&mut doc)?;
//!
//! let gazetteer = Gazetteer::from_tsv("Xinhua\tAGENCY\n")?;
//! let tagger = EntityTagger::builder().rules(true).gazetteer(gazetteer).build()?;
//! tagger.process(&mut doc)?;
//!
//! let found: Vec<String> = doc
//!     .entities()
//!     .iter()
//!     .map(|e| format!("{} {} {}", e.label, e.source, doc.slice(e.span)))
//!     .collect();
//! assert_eq!(
//!     found,
//!     [
//!         "LOC model BEIJING",
//!         "DATE rules May 14",
//!         "AGENCY gazetteer Xinhua",
//!         "PER model Cai Qi",
//!         "PER model Yangug Sodbaatar",
//!         "DATE rules Wednesday",
//!     ]
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The layers and their precedence
//!
//! 1. **Model** (`source: "model"`, with a calibrated `confidence` in
//!    `[0, 1]`): an averaged structured perceptron over hashed features of
//!    each token and its neighbours, gazetteer membership, word frequency
//!    and document context (how a word was tagged earlier in the document,
//!    and cues from all its occurrences), decoded with Viterbi over BILOU
//!    tags. Trained on CoNLL-2003 by `cargo xtask train-ner`. A `PER`
//!    made of byline and job-title words alone (`Staff Reporter`) is
//!    dropped.
//! 2. **Organisation names** (`source: "rules"`): `X of (the) Y`, where X
//!    is a model ORG or a capitalised phrase ending in an organisational
//!    head word (`Committee`, `Secretariat`, `Ministry`, `Bank`, ...) and Y
//!    a model ORG or LOC, becomes one outermost ORG: `Standing Committee of
//!    the Political Bureau of the CPC Central Committee`. An ORG also runs
//!    on past its abbreviation in brackets to a name ending in a head word:
//!    `the Communist Party of China (CPC) Central Committee`.
//!
//!    **Document consistency** (`source: "rules"`): a word the model tags
//!    as a one-token name with confidence 0.5 or more, always with the
//!    same type, and never written lower-case in the document, gets that
//!    type where it stands untagged between untagged neighbours (a
//!    headline's `Senior CPC official meets ...`).
//! 3. **Rules** (`source: "rules"`): `DATE`, `TIME`, `MONEY`, `PERCENT` in
//!    news style. They fill the gaps: a rule match that overlaps a model
//!    entity is dropped, since names are what the model is for and the
//!    rules never need a name's tokens.
//! 4. **Gazetteer** (`source: "gazetteer"`): user phrases, case-sensitive,
//!    on token boundaries, longest match first. A match replaces the model
//!    or rule entities it overlaps, because the user asked for it, except
//!    where a longer model name contains or crosses it (`Washington` in a
//!    gazetteer does not split the person `George Washington`).
//!
//! Entities come out in text order, non-overlapping, each inside one
//! sentence, as [`dateline_core::validate`] checks.
//!
//! # For the driver
//!
//! - `--model FILE`: `EntityTagger::builder().model(Model::load(FILE)?)`;
//!   a damaged, truncated or foreign file is a [`TagError`], never a panic.
//!   Without it the model embedded in the binary is used: parsed once on
//!   first use, shared through an `Arc` by every clone and thread.
//! - `--gazetteer FILE`: `.gazetteer(Gazetteer::load(FILE)?)`; a bad line
//!   is [`TagError::GazetteerLine`] with its line number.
//! - CoNLL input (`--input-format conll`): build the document from the
//!   given tokens with [`doc_from_sentences`] (or set tokens and sentences
//!   yourself), run the stage, and read per-token IOB2 tags back with
//!   [`iob2_tags`]. To score against CoNLL-2003 gold, build the tagger with
//!   `.rules(false)`: CoNLL has no `DATE` or `MONEY`, so rule entities would
//!   count as false positives.
//!
//! # Crate features
//! - `train`: the training code behind `cargo xtask train-ner` (module
//!   `train`); the runtime only loads models.

// Decoding and training are matrix code over small fixed tag arrays, where
// index loops read more clearly than zipped iterators.
#![allow(clippy::needless_range_loop)]

mod conll;
mod decode;
mod error;
mod features;
mod gazetteer;
mod hash;
mod labels;
mod model;
mod rules;
mod tagger;
#[cfg(feature = "train")]
pub mod train;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use dateline_core::{Doc, Entity, Label, Layer, Span, Stage, StageError};

pub use conll::{doc_from_sentences, iob2_tags};
pub use error::TagError;
pub use gazetteer::Gazetteer;
pub use model::Model;

use tagger::{tag_document, ModelSpan, Scratch};

/// Tags entities: the statistical model for `PER`, `ORG`, `LOC` and
/// `MISC`, the rule layer for `DATE`, `TIME`, `MONEY` and `PERCENT`, and an
/// optional user gazetteer. See the [crate docs](crate) for precedence.
///
/// Cheap to clone: the model and gazetteer are shared read-only.
#[derive(Clone, Debug)]
pub struct EntityTagger {
    model: Arc<Model>,
    rules: bool,
    gazetteer: Option<Arc<Gazetteer>>,
}

/// Builds an [`EntityTagger`]: by default the embedded model, rules on, no
/// gazetteer.
#[derive(Debug)]
pub struct EntityTaggerBuilder {
    model: Option<Arc<Model>>,
    rules: bool,
    gazetteer: Option<Arc<Gazetteer>>,
}

impl Default for EntityTaggerBuilder {
    fn default() -> Self {
        EntityTaggerBuilder {
            model: None,
            rules: true,
            gazetteer: None,
        }
    }
}

impl EntityTaggerBuilder {
    /// Uses this model instead of the embedded one.
    pub fn model(mut self, model: impl Into<Arc<Model>>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Whether to run the `DATE`/`TIME`/`MONEY`/`PERCENT` rules (default on).
    pub fn rules(mut self, on: bool) -> Self {
        self.rules = on;
        self
    }

    /// Adds a user gazetteer.
    pub fn gazetteer(mut self, gazetteer: impl Into<Arc<Gazetteer>>) -> Self {
        self.gazetteer = Some(gazetteer.into());
        self
    }

    /// Builds the tagger; fails only when the embedded model is needed and
    /// does not parse (a broken build).
    pub fn build(self) -> Result<EntityTagger, TagError> {
        let model = match self.model {
            Some(m) => m,
            None => Model::embedded()?,
        };
        Ok(EntityTagger {
            model,
            rules: self.rules,
            gazetteer: self.gazetteer,
        })
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

    /// Finds the entities of a tokenised, segmented document, in order and
    /// non-overlapping, each inside one sentence.
    pub fn entities(&self, doc: &Doc) -> Vec<Entity> {
        let tokens = doc.tokens();
        let sentences: Vec<Range<usize>> =
            doc.sentences().iter().map(|s| s.token_range()).collect();
        let words: Vec<&str> = tokens.iter().map(|t| doc.slice(t.span)).collect();
        let mut spans: Vec<ModelSpan> = Vec::new();
        let mut found = Vec::new();
        if self.rules {
            for range in &sentences {
                rules::find(&words, range.clone(), &mut found);
            }
        }
        // The buffers of earlier documents on this thread, already grown.
        SCRATCH.with_borrow_mut(|scratch| {
            tag_document(&self.model, &words, &sentences, &found, scratch, &mut spans);
        });
        let entity = |first: usize, end: usize, label: Label, source, confidence| Entity {
            span: Span::new(tokens[first].span.start, tokens[end - 1].span.end),
            first_token: first as u32,
            end_token: end as u32,
            label,
            source,
            confidence,
        };
        let mut entities: Vec<Entity> = spans
            .iter()
            .map(|m| {
                let label = labels::label(m.ty);
                if m.joined {
                    entity(m.first, m.end, label, "rules", None)
                } else {
                    let p = self.model.confidence(m.margin);
                    entity(m.first, m.end, label, "model", Some(p))
                }
            })
            .collect();
        if self.rules {
            let found = found
                .into_iter()
                .map(|r| entity(r.first, r.end, r.label, "rules", None));
            entities = fill_gaps(entities, found);
        }
        if let Some(gazetteer) = &self.gazetteer {
            let found = gazetteer
                .find(doc)
                .into_iter()
                .map(|(a, b, label)| entity(a, b, label, "gazetteer", None));
            entities = overlay(entities, found);
        }
        entities
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Adds `extra` entities where they overlap nothing in `base` (both sorted
/// and non-overlapping): the model's entities win over the rules'.
fn fill_gaps(base: Vec<Entity>, extra: impl IntoIterator<Item = Entity>) -> Vec<Entity> {
    let mut out = Vec::with_capacity(base.len());
    let mut base = base.into_iter().peekable();
    for e in extra {
        while let Some(b) = base.next_if(|b| b.end_token <= e.first_token) {
            out.push(b);
        }
        if base.peek().is_none_or(|b| b.first_token >= e.end_token) {
            out.push(e);
        }
    }
    out.extend(base);
    out
}

/// Whether an entity is a name from the model (alone or joined by the
/// organisation rule), as opposed to a rule-layer date or number.
fn is_name(e: &Entity) -> bool {
    matches!(e.label, Label::Per | Label::Org | Label::Loc | Label::Misc)
}

/// Lays gazetteer matches over `base` (both sorted and non-overlapping): a
/// match replaces the entities it overlaps, unless a model name is longer
/// and contains or crosses it (`George Washington` stays a person when the
/// gazetteer lists `Washington`).
fn overlay(base: Vec<Entity>, matches: impl IntoIterator<Item = Entity>) -> Vec<Entity> {
    let mut removed = vec![false; base.len()];
    let mut kept = Vec::new();
    let len = |e: &Entity| e.end_token - e.first_token;
    for g in matches {
        let lo = base.partition_point(|b| b.end_token <= g.first_token);
        let hi = base.partition_point(|b| b.first_token < g.end_token);
        if base[lo..hi].iter().any(|b| is_name(b) && len(b) > len(&g)) {
            continue;
        }
        removed[lo..hi].iter_mut().for_each(|r| *r = true);
        kept.push(g);
    }
    let mut out: Vec<Entity> = base
        .into_iter()
        .zip(removed)
        .filter(|(_, r)| !r)
        .map(|(e, _)| e)
        .collect();
    out.extend(kept);
    out.sort_by_key(|e| e.first_token);
    out
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
