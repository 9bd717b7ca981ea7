//! The stage registry: every stage `--stages` can name, with a one-line
//! description, the layers it needs and adds, and a constructor from
//! [`StageOptions`].
//!
//! Names are resolved and the layer chain is checked here, before any stage
//! is built, so a misspelt name or a stage whose input no earlier stage
//! provides is a start-up error rather than a failure on every document.

use std::fmt;
use std::path::PathBuf;

use dateline_core::{Layer, Stage};

use crate::{Error, Pipeline};

/// What a stage constructor may be given: the command line's stage options.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct StageOptions {
    /// A model file replacing the built-in one (`--model`).
    pub model: Option<PathBuf>,
    /// Extra phrase lists, lines of `phrase<TAB>LABEL` (`--gazetteer`).
    pub gazetteers: Vec<PathBuf>,
}

impl StageOptions {
    pub fn new() -> StageOptions {
        StageOptions::default()
    }

    pub fn with_model(mut self, model: impl Into<PathBuf>) -> StageOptions {
        self.model = Some(model.into());
        self
    }

    pub fn with_gazetteer(mut self, path: impl Into<PathBuf>) -> StageOptions {
        self.gazetteers.push(path.into());
        self
    }
}

/// The error a stage constructor returns: each stage crate has its own
/// error type, so the registry carries it boxed.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

/// Builds a stage from the options.
pub type BuildFn = fn(&StageOptions) -> Result<Box<dyn Stage>, BuildError>;

/// One registered stage.
#[derive(Clone, Copy)]
pub struct StageSpec {
    /// The name `--stages` uses; equal to the built stage's [`Stage::name`].
    pub name: &'static str,
    /// One line: what the stage adds.
    pub description: &'static str,
    /// Layers that must be present before it runs.
    pub requires: &'static [Layer],
    /// Layers it adds.
    pub provides: &'static [Layer],
    pub build: BuildFn,
}

impl fmt::Debug for StageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StageSpec")
            .field("name", &self.name)
            .field("requires", &self.requires)
            .field("provides", &self.provides)
            .finish_non_exhaustive()
    }
}

/// The stages dateline knows by name, in registration order.
#[derive(Clone, Debug, Default)]
pub struct StageRegistry {
    specs: Vec<StageSpec>,
}

impl StageRegistry {
    /// An empty registry.
    pub fn new() -> StageRegistry {
        StageRegistry::default()
    }

    /// The built-in stages, `tokenize`, `segment`, `tag`, then those added
    /// with `cargo xtask new-stage`.
    pub fn builtin() -> StageRegistry {
        let mut registry = StageRegistry::new();
        for spec in crate::stages::BUILTIN.iter().chain(crate::stages::ADDED) {
            registry
                .register(*spec)
                .expect("built-in stage names are distinct");
        }
        registry
    }

    /// Adds a stage; fails when the name is taken.
    pub fn register(&mut self, spec: StageSpec) -> Result<(), Error> {
        if self.get(spec.name).is_some() {
            return Err(Error::AlreadyRegistered {
                name: spec.name.to_owned(),
            });
        }
        self.specs.push(spec);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&StageSpec> {
        self.specs.iter().find(|spec| spec.name == name)
    }

    /// The registered stages, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &StageSpec> {
        self.specs.iter()
    }

    /// Resolves `names` and checks the layer chain without building
    /// anything: every name is registered and listed once, and each stage's
    /// required layers are present in `initial` (what the input already
    /// carries) or provided by an earlier stage.
    ///
    /// Returns the specs to build, in order. A stage whose every product
    /// the input already carries is left out: pre-tokenised CoNLL input
    /// skips `tokenize` and `segment`, and only the later stages run.
    pub fn resolve<S: AsRef<str>>(
        &self,
        names: &[S],
        initial: &[Layer],
    ) -> Result<Vec<StageSpec>, Error> {
        let mut available: Vec<Layer> = initial.to_vec();
        let mut resolved = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let name = name.as_ref();
            let spec = self.get(name).ok_or_else(|| Error::UnknownStage {
                name: name.to_owned(),
                known: self.names().join(", "),
            })?;
            if names[..i].iter().any(|earlier| earlier.as_ref() == name) {
                return Err(Error::DuplicateStage {
                    name: name.to_owned(),
                });
            }
            if !spec.provides.is_empty() && spec.provides.iter().all(|l| initial.contains(l)) {
                continue;
            }
            if let Some(layer) = spec.requires.iter().find(|l| !available.contains(l)) {
                return Err(self.missing_layer(spec.name, *layer));
            }
            available.extend_from_slice(spec.provides);
            resolved.push(*spec);
        }
        Ok(resolved)
    }

    /// Resolves `names` (see [`resolve`](StageRegistry::resolve)), builds
    /// each stage and checks the chain again with the built stages' own
    /// declarations.
    pub fn build_pipeline<S: AsRef<str>>(
        &self,
        names: &[S],
        options: &StageOptions,
        initial: &[Layer],
    ) -> Result<Pipeline, Error> {
        let mut pipeline = Pipeline::new();
        for spec in self.resolve(names, initial)? {
            let stage = (spec.build)(options).map_err(|source| Error::StageBuild {
                stage: spec.name.to_owned(),
                source,
            })?;
            pipeline = pipeline.with_boxed_stage(stage);
        }
        pipeline.check(initial).map_err(|error| match error {
            Error::MissingLayer { stage, layer, .. } => {
                let hint = self
                    .iter()
                    .find(|s| s.provides.iter().any(|p| p.to_string() == layer))
                    .map(|s| format!(" (add {} before it)", s.name))
                    .unwrap_or_default();
                Error::MissingLayer { stage, layer, hint }
            }
            other => other,
        })?;
        Ok(pipeline)
    }

    fn names(&self) -> Vec<&'static str> {
        self.specs.iter().map(|spec| spec.name).collect()
    }

    fn missing_layer(&self, stage: &str, layer: Layer) -> Error {
        let hint = self
            .specs
            .iter()
            .find(|spec| spec.provides.contains(&layer))
            .map(|spec| format!(" (add {} before it)", spec.name))
            .unwrap_or_default();
        Error::MissingLayer {
            stage: stage.to_owned(),
            layer: layer.to_string(),
            hint,
        }
    }
}

#[cfg(test)]
mod tests {
    use dateline_core::{Doc, StageError, Token, TokenKind};

    use super::*;

    /// Marks every document with its length: a stage that needs nothing.
    struct Length;

    impl Stage for Length {
        fn name(&self) -> &'static str {
            "length"
        }
        fn provides(&self) -> &[Layer] {
            &[Layer::Custom("length")]
        }
        fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
            let len = doc.text().len();
            doc.layers.insert("length".into(), len.into());
            Ok(())
        }
    }

    /// One token per document: needs the `length` layer.
    struct Whole;

    impl Stage for Whole {
        fn name(&self) -> &'static str {
            "whole"
        }
        fn requires(&self) -> &[Layer] {
            &[Layer::Custom("length")]
        }
        fn provides(&self) -> &[Layer] {
            &[Layer::Tokens]
        }
        fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
            let end = doc.text().len();
            doc.tokens = Some(vec![Token::new(
                dateline_core::Span::from_usize(0, end),
                TokenKind::Word,
            )]);
            Ok(())
        }
    }

    fn registry() -> StageRegistry {
        let mut registry = StageRegistry::new();
        registry
            .register(StageSpec {
                name: "length",
                description: "text length",
                requires: &[],
                provides: &[Layer::Custom("length")],
                build: |_| Ok(Box::new(Length)),
            })
            .unwrap();
        registry
            .register(StageSpec {
                name: "whole",
                description: "the whole text as one token",
                requires: &[Layer::Custom("length")],
                provides: &[Layer::Tokens],
                build: |_| Ok(Box::new(Whole)),
            })
            .unwrap();
        registry
    }

    fn names(specs: &[StageSpec]) -> Vec<&'static str> {
        specs.iter().map(|s| s.name).collect()
    }

    #[test]
    fn resolves_names_in_order_and_builds() {
        let registry = registry();
        let specs = registry.resolve(&["length", "whole"], &[]).unwrap();
        assert_eq!(names(&specs), ["length", "whole"]);
        let pipeline = registry
            .build_pipeline(&["length", "whole"], &StageOptions::default(), &[])
            .unwrap();
        let mut doc = Doc::new("d", "Beijing").unwrap();
        pipeline.process(&mut doc).unwrap();
        assert_eq!(doc.token_text(0), "Beijing");
        assert_eq!(doc.layers["length"], 7);
    }

    #[test]
    fn refuses_unknown_duplicate_and_unsatisfied_stages() {
        let registry = registry();
        let error = registry.resolve(&["length", "lemmas"], &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown stage \"lemmas\" (known stages: length, whole)"
        );
        let error = registry.resolve(&["length", "length"], &[]).unwrap_err();
        assert_eq!(error.to_string(), "stage length is listed twice");
        let error = registry.resolve(&["whole", "length"], &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "stage whole needs the length layer, which no earlier stage provides (add length before it)"
        );
        // No stages is a valid run: the input is rendered as read.
        assert!(registry.resolve::<&str>(&[], &[]).unwrap().is_empty());
    }

    #[test]
    fn skips_stages_whose_layers_the_input_carries() {
        let registry = registry();
        let initial = [Layer::Custom("length")];
        let specs = registry.resolve(&["length", "whole"], &initial).unwrap();
        assert_eq!(names(&specs), ["whole"]);
    }

    #[test]
    fn a_name_registers_once() {
        let mut registry = registry();
        let spec = *registry.get("whole").unwrap();
        assert!(matches!(
            registry.register(spec),
            Err(Error::AlreadyRegistered { .. })
        ));
    }

    #[test]
    fn builtin_stages_chain_and_match_their_specs() {
        let registry = StageRegistry::builtin();
        // Stages added with `cargo xtask new-stage` follow the standard three.
        assert_eq!(
            registry.iter().map(|s| s.name).take(3).collect::<Vec<_>>(),
            ["tokenize", "segment", "tag"]
        );
        for spec in registry.iter() {
            let stage = (spec.build)(&StageOptions::default()).unwrap();
            assert_eq!(stage.name(), spec.name);
            assert_eq!(stage.requires(), spec.requires, "{}", spec.name);
            assert_eq!(stage.provides(), spec.provides, "{}", spec.name);
        }
    }
}
