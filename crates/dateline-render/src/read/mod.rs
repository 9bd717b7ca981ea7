//! Readers for the formats that carry annotations back into a [`Doc`]:
//! JSONL, CoNLL column files, CoNLL-U and brat standoff.

use thiserror::Error;

mod conll;

pub use conll::ConllReader;

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
}
