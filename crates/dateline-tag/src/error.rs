//! The crate's one error type.

use std::path::PathBuf;

use thiserror::Error;

/// Loading a model or a gazetteer failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TagError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a dateline tagger model: bad magic number")]
    BadMagic,
    #[error("model format version {found} is not supported: this build reads version {expected}")]
    UnsupportedVersion { found: u32, expected: u32 },
    #[error("model is truncated: {needed} bytes needed, {available} available")]
    Truncated { needed: usize, available: usize },
    #[error("model checksum mismatch: the file is corrupt")]
    Checksum,
    #[error("model is malformed: {0}")]
    Malformed(String),
    #[error("gazetteer line {line}: {message}")]
    GazetteerLine { line: usize, message: String },
}
