//! The one extension point: a `Stage` adds a layer to a `Doc`.

use std::fmt;

use crate::{Doc, StageError};

/// A layer of annotation, as named in a stage's needs and products.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    Tokens,
    Sentences,
    Entities,
    /// A layer outside the core model, stored in [`Doc::layers`] under this key.
    Custom(&'static str),
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Tokens => f.write_str("tokens"),
            Layer::Sentences => f.write_str("sentences"),
            Layer::Entities => f.write_str("entities"),
            Layer::Custom(key) => f.write_str(key),
        }
    }
}

/// A pipeline stage: reads the layers earlier stages wrote and adds its own.
///
/// A stage holds only read-only state (tables, models), so one instance is
/// shared by every worker thread; it does no I/O and knows nothing of files,
/// threads or the command line.
pub trait Stage: Send + Sync {
    /// The name `--stages` uses for it.
    fn name(&self) -> &'static str;

    /// Layers that must be present before this stage runs.
    fn requires(&self) -> &[Layer] {
        &[]
    }

    /// Layers this stage adds (or extends, as the entity stages do).
    fn provides(&self) -> &[Layer];

    /// Annotates one document.
    fn process(&self, doc: &mut Doc) -> Result<(), StageError>;

    /// Checks [`requires`](Stage::requires) against a document.
    fn check_requirements(&self, doc: &Doc) -> Result<(), StageError> {
        match self.requires().iter().find(|layer| !doc.has(**layer)) {
            Some(layer) => Err(StageError::MissingLayer {
                stage: self.name(),
                layer: layer.to_string(),
            }),
            None => Ok(()),
        }
    }
}
