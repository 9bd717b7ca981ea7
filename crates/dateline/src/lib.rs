//! The principal type in this crate is a [`Pipeline`]: stages run in order
//! over a [`Doc`](dateline_core::Doc), built by name through a
//! [`StageRegistry`]. Around it sits the corpus driver behind the
//! `dateline` binary: readers for text, JSONL and CoNLL inputs, and a
//! [`Runner`] that processes a corpus in parallel, in bounded memory, with
//! output in input order.
//!
//! ```
//! use dateline::Pipeline;
//! use dateline_core::Doc;
//!
//! let pipeline = Pipeline::default(); // tokenize, segment, tag
//! let mut doc = Doc::new("seed", "BEIJING, May 14 (Xinhua) -- Cai Qi met a delegation. It was warm.")?;
//! pipeline.process(&mut doc)?;
//! assert_eq!(doc.sentences().len(), 2);
//! for entity in doc.entities() {
//!     println!("{} {}", doc.slice(entity.span), entity.label);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Only some stages, or your own, through the builder:
//!
//! ```
//! use dateline::{Pipeline, StageOptions, StageRegistry};
//!
//! let by_hand = Pipeline::new()
//!     .with_stage(dateline_tokenize::Tokenizer::default())
//!     .with_stage(dateline_segment::Segmenter::default());
//! let by_name = StageRegistry::builtin()
//!     .build_pipeline(&["tokenize", "segment"], &StageOptions::default(), &[])?;
//! assert_eq!(by_hand.names(), by_name.names());
//! // A stage whose input nothing provides is refused before any work.
//! assert!(StageRegistry::builtin().resolve(&["tag"], &[]).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//! None.

mod conll;
mod error;
pub mod eval;
pub mod input;
mod pipeline;
mod registry;
mod runner;
mod stages;

pub use error::{DocFailure, Error, FailureKind};
pub use input::{BatchLimits, InputFormat, Shard};
pub use pipeline::{Pipeline, Run};
pub use registry::{BuildError, BuildFn, StageOptions, StageRegistry, StageSpec};
pub use runner::{RunConfig, RunSummary, Runner};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<crate::Pipeline>();
        assert_send_sync::<crate::StageRegistry>();
        assert_send_sync::<crate::Error>();
        assert_send_sync::<crate::DocFailure>();
    }
}
