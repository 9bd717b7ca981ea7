//! The built-in stages, as the registry lists them. A new stage crate is
//! registered by adding its [`StageSpec`] here (`cargo xtask new-stage`
//! appends one).

use dateline_core::{Layer, Stage};

use crate::registry::{BuildError, StageOptions, StageSpec};

/// Every stage dateline ships, in pipeline order.
pub(crate) const BUILTIN: &[StageSpec] = &[
    StageSpec {
        name: "tokenize",
        description: "splits raw text into tokens (words, numbers, punctuation, URLs, ...)",
        requires: &[],
        provides: &[Layer::Tokens],
        build: build_tokenize,
    },
    StageSpec {
        name: "segment",
        description:
            "groups tokens into sentences (news-aware: datelines, captions, abbreviations)",
        requires: &[Layer::Tokens],
        provides: &[Layer::Sentences],
        build: build_segment,
    },
    StageSpec {
        name: "tag",
        description: "finds named entities (PER, ORG, LOC, MISC, DATE, TIME, MONEY, PERCENT, gazetteer labels)",
        requires: &[Layer::Tokens, Layer::Sentences],
        provides: &[Layer::Entities],
        build: build_tag,
    },
    // new stages: registered above this line
];

fn build_tokenize(_: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {
    Ok(Box::new(dateline_tokenize::Tokenizer::default()))
}

fn build_segment(_: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {
    Ok(Box::new(dateline_segment::Segmenter::default()))
}

fn build_tag(options: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {
    if let Some(path) = options.gazetteers.first() {
        return Err(format!(
            "gazetteer {}: this build of the tag stage does not read gazetteer files",
            path.display()
        )
        .into());
    }
    let mut builder = dateline_tag::EntityTagger::builder();
    if let Some(path) = &options.model {
        builder = builder.model(dateline_tag::Model::load(path)?);
    }
    Ok(Box::new(builder.build()?))
}
