//! Typed errors of the driver: start-up errors that stop a run before it
//! begins, write errors that stop it midway, and the per-document failures
//! that become error records while the run goes on.

use std::fmt;
use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// A run could not start, or could not go on.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    #[error("unknown stage {name:?} (known stages: {known})")]
    UnknownStage { name: String, known: String },
    #[error("stage {name} is listed twice")]
    DuplicateStage { name: String },
    #[error("a stage named {name} is already registered")]
    AlreadyRegistered { name: String },
    #[error("stage {stage} needs the {layer} layer, which no earlier stage provides{hint}")]
    MissingLayer {
        stage: String,
        layer: String,
        /// Which registered stage would provide it, as advice.
        hint: String,
    },
    #[error("stage {stage} could not be built: {source}")]
    StageBuild {
        stage: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("input {path}: {source}")]
    Input {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "inputs {first} and {other} mix raw text and pre-tokenised CoNLL: run them separately"
    )]
    MixedInputs { first: String, other: String },
    #[error(
        "the {format} format writes one file per document: give an output directory with -o DIR"
    )]
    NeedsOutputDir { format: &'static str },
    #[error("output {path} is also an input: it would be overwritten")]
    OutputIsInput { path: PathBuf },
    #[error("output {path}: {source}")]
    Output {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("output {path} is being written by another run (it holds the lock on {staging})")]
    OutputBusy { path: PathBuf, staging: PathBuf },
    #[error("--resume needs the output file to continue: give -o FILE")]
    ResumeNeedsOutput,
    #[error(
        "--resume continues JSONL output only, not {format}: its records cannot be counted back reliably"
    )]
    ResumeFormat { format: &'static str },
    #[error("could not start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
}

/// Why one document could not be processed. It becomes the record
/// `{"id", "error": {"kind", "message"}}` and the run goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocFailure {
    pub kind: FailureKind,
    pub message: String,
}

impl DocFailure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> DocFailure {
        DocFailure {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for DocFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// The `kind` of an error record: a stable, machine-readable name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// A `.txt` file or JSONL line is not valid UTF-8.
    InvalidUtf8,
    /// A JSONL line is not valid JSON.
    InvalidJson,
    /// A JSONL line is valid JSON but not an object.
    NotAnObject,
    /// A JSONL object lacks the text field.
    MissingText,
    /// The text field holds something other than a string.
    TextNotString,
    /// The text exceeds the 4 GiB a document may hold.
    TooLarge,
    /// The document could not be read.
    Io,
    /// Pre-tokenised (CoNLL) input could not be parsed.
    InvalidConll,
    /// A stage failed (or panicked) on the document.
    Stage,
    /// The output format cannot show the document (a layer it needs is missing).
    Render,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::InvalidUtf8 => "invalid_utf8",
            FailureKind::InvalidJson => "invalid_json",
            FailureKind::NotAnObject => "not_an_object",
            FailureKind::MissingText => "missing_text",
            FailureKind::TextNotString => "text_not_string",
            FailureKind::TooLarge => "too_large",
            FailureKind::Io => "io",
            FailureKind::InvalidConll => "invalid_conll",
            FailureKind::Stage => "stage",
            FailureKind::Render => "render",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
