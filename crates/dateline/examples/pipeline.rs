//! The driver as a library: the default pipeline plus a stage of our own,
//! run in parallel over the text files named on the command line (or the
//! shared fixtures), printing each document's sentences and entities.
//!
//! ```text
//! cargo run -p dateline --example pipeline -- fixtures/seed-article.txt
//! ```

use std::path::PathBuf;

use dateline::Pipeline;
use dateline_core::{Doc, Layer, Stage, StageError};
use serde_json::json;

/// A stage of our own: counts what the earlier stages found, in
/// `doc.layers["counts"]`. It needs entities, so it must follow `tag`.
struct Counts;

impl Stage for Counts {
    fn name(&self) -> &'static str {
        "counts"
    }

    fn requires(&self) -> &[Layer] {
        &[Layer::Tokens, Layer::Sentences, Layer::Entities]
    }

    fn provides(&self) -> &[Layer] {
        &[Layer::Custom("counts")]
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        let counts = json!({
            "tokens": doc.tokens().len(),
            "sentences": doc.sentences().len(),
            "entities": doc.entities().len(),
        });
        doc.layers.insert("counts".into(), counts);
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        for entry in std::fs::read_dir(fixtures)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "txt") {
                paths.push(path);
            }
        }
        paths.sort();
    }
    // Reading is the caller's business: the pipeline takes documents.
    let docs = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)?;
            Ok(Doc::new(path.display().to_string(), text)?)
        })
        .collect::<Result<Vec<Doc>, Box<dyn std::error::Error>>>()?;

    let pipeline = Pipeline::default().with_stage(Counts);
    pipeline.check(&[])?;
    // Documents come back in input order, each with its own outcome.
    for (doc, result) in pipeline.run(docs) {
        if let Err(e) = result {
            eprintln!("{}: {e}", doc.id());
            continue;
        }
        println!("{}  {}", doc.id(), doc.layers["counts"]);
        for sentence in doc.sentences().iter().take(3) {
            let text = doc.slice(sentence.span).replace('\n', " ");
            println!(
                "  sentence [{}..{}) {text}",
                sentence.span.start, sentence.span.end
            );
        }
        for entity in doc.entities() {
            println!(
                "  {:<8} [{}..{}) {}",
                entity.label.as_str(),
                entity.span.start,
                entity.span.end,
                doc.slice(entity.span)
            );
        }
    }
    Ok(())
}
