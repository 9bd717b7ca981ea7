//! [`Pipeline`]: an ordered list of stages, run over one document or, in
//! parallel, over a corpus.

use std::collections::VecDeque;
use std::fmt;

use dateline_core::{Doc, Layer, Stage, StageError};
use rayon::prelude::*;

use crate::Error;

/// Stages run in order over each document; one pipeline serves every
/// thread, since stages hold only read-only state.
///
/// ```
/// use dateline::Pipeline;
/// use dateline_core::Doc;
///
/// let pipeline = Pipeline::default(); // tokenize, segment, tag
/// let mut doc = Doc::new("d1", "Cai Qi met Mongolian guests in Beijing on May 14.")?;
/// pipeline.process(&mut doc)?;
/// assert!(!doc.tokens().is_empty() && !doc.sentences().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
}

impl Pipeline {
    /// A pipeline with no stages.
    pub fn new() -> Pipeline {
        Pipeline { stages: Vec::new() }
    }

    /// Appends a stage.
    pub fn with_stage<S: Stage + 'static>(self, stage: S) -> Pipeline {
        self.with_boxed_stage(Box::new(stage))
    }

    /// Appends a stage already boxed, as the registry builds them.
    pub fn with_boxed_stage(mut self, stage: Box<dyn Stage>) -> Pipeline {
        self.stages.push(stage);
        self
    }

    pub fn stages(&self) -> &[Box<dyn Stage>] {
        &self.stages
    }

    /// The stage names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|stage| stage.name()).collect()
    }

    /// Checks that each stage's required layers are in `initial` or provided
    /// by an earlier stage.
    pub fn check(&self, initial: &[Layer]) -> Result<(), Error> {
        let mut available = initial.to_vec();
        for stage in &self.stages {
            if let Some(layer) = stage.requires().iter().find(|l| !available.contains(l)) {
                return Err(Error::MissingLayer {
                    stage: stage.name().to_owned(),
                    layer: layer.to_string(),
                    hint: String::new(),
                });
            }
            available.extend_from_slice(stage.provides());
        }
        Ok(())
    }

    /// Runs every stage over `doc`, stopping at the first failure.
    pub fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        for stage in &self.stages {
            stage.check_requirements(doc)?;
            stage.process(doc)?;
        }
        Ok(())
    }

    /// Runs the pipeline over a corpus in parallel (on the current rayon
    /// pool), yielding each document with its outcome in input order.
    ///
    /// Documents are taken from `docs` in batches of [`Run::DEFAULT_BATCH`]
    /// (see [`Run::batch_size`]), so memory is bounded by a batch, not the
    /// corpus. A failed document is yielded with the error; the run goes on.
    ///
    /// ```
    /// use dateline::Pipeline;
    /// use dateline_core::Doc;
    ///
    /// let texts = ["First story. It ends.", "", "Second story."];
    /// let docs = texts.iter().enumerate().map(|(i, t)| Doc::new(i.to_string(), *t).unwrap());
    /// let pipeline = Pipeline::default();
    /// let sentences: Vec<usize> = pipeline
    ///     .run(docs)
    ///     .map(|(doc, result)| result.map(|()| doc.sentences().len()))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(sentences, [2, 0, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run<I>(&self, docs: I) -> Run<'_, I::IntoIter>
    where
        I: IntoIterator<Item = Doc>,
    {
        Run {
            pipeline: self,
            docs: docs.into_iter(),
            done: VecDeque::new(),
            batch_size: Run::<I::IntoIter>::DEFAULT_BATCH,
        }
    }
}

impl Default for Pipeline {
    /// The standard pipeline: `tokenize`, `segment`, `tag`, each with its
    /// built-in data.
    ///
    /// # Panics
    /// When a built-in stage cannot load the data compiled into it, which
    /// is a broken build. [`StageRegistry::build_pipeline`](crate::StageRegistry::build_pipeline)
    /// returns that as an error instead.
    fn default() -> Pipeline {
        let mut pipeline = Pipeline::new();
        for spec in crate::stages::BUILTIN {
            let stage = (spec.build)(&crate::StageOptions::default())
                .unwrap_or_else(|e| panic!("built-in stage {} failed to load: {e}", spec.name));
            pipeline = pipeline.with_boxed_stage(stage);
        }
        pipeline
    }
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("stages", &self.names())
            .finish()
    }
}

/// The iterator [`Pipeline::run`] returns.
pub struct Run<'p, I> {
    pipeline: &'p Pipeline,
    docs: I,
    done: VecDeque<(Doc, Result<(), StageError>)>,
    batch_size: usize,
}

impl<I> Run<'_, I> {
    /// Documents processed together: large enough to keep every thread
    /// busy, small enough that a batch of news articles is a few megabytes.
    pub const DEFAULT_BATCH: usize = 256;

    /// Sets how many documents are taken and processed at a time.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }
}

impl<I: Iterator<Item = Doc>> Iterator for Run<'_, I> {
    type Item = (Doc, Result<(), StageError>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done.is_empty() {
            let batch: Vec<Doc> = self.docs.by_ref().take(self.batch_size).collect();
            let pipeline = self.pipeline;
            let processed: Vec<_> = batch
                .into_par_iter()
                .map(|mut doc| {
                    let result = pipeline.process(&mut doc);
                    (doc, result)
                })
                .collect();
            self.done = processed.into();
        }
        self.done.pop_front()
    }
}

impl<I> fmt::Debug for Run<'_, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("pipeline", self.pipeline)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use dateline_core::{Doc, Layer, Stage, StageError};

    use super::*;

    /// Records the text's length; fails on documents containing "fail".
    struct Length;

    impl Stage for Length {
        fn name(&self) -> &'static str {
            "length"
        }
        fn provides(&self) -> &[Layer] {
            &[Layer::Custom("length")]
        }
        fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
            if doc.text().contains("fail") {
                return Err(StageError::Failed {
                    stage: "length",
                    message: "asked to".into(),
                });
            }
            let len = doc.text().len();
            doc.layers.insert("length".into(), len.into());
            Ok(())
        }
    }

    /// Needs `length`, so it must come after [`Length`].
    struct Double;

    impl Stage for Double {
        fn name(&self) -> &'static str {
            "double"
        }
        fn requires(&self) -> &[Layer] {
            &[Layer::Custom("length")]
        }
        fn provides(&self) -> &[Layer] {
            &[Layer::Custom("double")]
        }
        fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
            let len = doc.layers["length"].as_u64().unwrap();
            doc.layers.insert("double".into(), (2 * len).into());
            Ok(())
        }
    }

    #[test]
    fn checks_the_layer_chain() {
        let good = Pipeline::new().with_stage(Length).with_stage(Double);
        assert!(good.check(&[]).is_ok());
        assert_eq!(good.names(), ["length", "double"]);
        let bad = Pipeline::new().with_stage(Double).with_stage(Length);
        assert!(matches!(bad.check(&[]), Err(Error::MissingLayer { .. })));
        let mut doc = Doc::new("d", "x").unwrap();
        assert!(matches!(
            bad.process(&mut doc),
            Err(StageError::MissingLayer {
                stage: "double",
                ..
            })
        ));
    }

    #[test]
    fn run_keeps_input_order_and_reports_failures_in_place() {
        let pipeline = Pipeline::new().with_stage(Length).with_stage(Double);
        let texts: Vec<String> = (0..100)
            .map(|i| {
                if i % 17 == 3 {
                    "fail".into()
                } else {
                    "ab".repeat(i)
                }
            })
            .collect();
        let docs = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Doc::new(i.to_string(), t.as_str()).unwrap());
        let results: Vec<(Doc, Result<(), StageError>)> =
            pipeline.run(docs).batch_size(7).collect();
        assert_eq!(results.len(), 100);
        for (i, (doc, result)) in results.iter().enumerate() {
            assert_eq!(doc.id(), i.to_string());
            if i % 17 == 3 {
                assert!(result.is_err());
            } else {
                assert_eq!(doc.layers["double"], 4 * i as u64);
            }
        }
    }
}
