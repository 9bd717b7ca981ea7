//! The built-in stages, as the registry lists them. A new stage crate is
//! registered by adding its [`StageSpec`] to [`ADDED`] and a constructor
//! below (`cargo xtask new-stage` writes both).

use std::path::PathBuf;

use dateline_core::{Layer, Stage};

use crate::registry::{BuildError, StageOptions, StageSpec};

/// Every stage dateline ships, in pipeline order: the default pipeline.
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
];

/// Stages added to the workspace (`cargo xtask new-stage`): registered by
/// name for `--stages`, but not part of the default pipeline.
pub(crate) const ADDED: &[StageSpec] = &[
    // new stages: registered above this line
];

fn build_tokenize(_: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {
    Ok(Box::new(dateline_tokenize::Tokenizer::default()))
}

fn build_segment(_: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {
    Ok(Box::new(dateline_segment::Segmenter::default()))
}

fn build_tag(options: &StageOptions) -> Result<Box<dyn Stage>, BuildError> {
    let mut builder = dateline_tag::EntityTagger::builder();
    if let Some(path) = &options.model {
        builder = builder.model(dateline_tag::Model::load(path)?);
    }
    if !options.gazetteers.is_empty() {
        builder = builder.gazetteer(load_gazetteers(&options.gazetteers)?);
    }
    Ok(Box::new(builder.build()?))
}

/// Several `--gazetteer` files act as one list, in command-line order (a
/// phrase listed twice keeps its first label). Each file is parsed on its
/// own first, so an error names the file as well as the line.
fn load_gazetteers(paths: &[PathBuf]) -> Result<dateline_tag::Gazetteer, BuildError> {
    let mut all = String::new();
    for path in paths {
        let in_file = |e: &dyn std::fmt::Display| format!("gazetteer {}: {e}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| in_file(&e))?;
        if paths.len() == 1 {
            return dateline_tag::Gazetteer::from_tsv(&text).map_err(|e| in_file(&e).into());
        }
        dateline_tag::Gazetteer::from_tsv(&text).map_err(|e| in_file(&e))?;
        all.push_str(&text);
        if !all.ends_with('\n') {
            all.push('\n');
        }
    }
    Ok(dateline_tag::Gazetteer::from_tsv(&all)?)
}
