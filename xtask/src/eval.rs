//! `cargo xtask eval`: accuracy of the current code on the standard data
//! sets in `../shared/data`, scored by `dateline::eval` (the same code as
//! `dateline eval`).

use std::fs;

use anyhow::{Context, Result};
use dateline::eval::{golden, ud, user};
use dateline::{Pipeline, StageOptions, StageRegistry};
use dateline_core::{Doc, Layer};
use dateline_render::read::ConllReader;
use serde_json::json;

use crate::paths::shared_data;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which suites to run: ud, golden, conll (comma-separated); default all
    #[arg(long, value_delimiter = ',', default_values_t = vec!["ud".to_string(), "golden".to_string(), "conll".to_string()])]
    suites: Vec<String>,
    /// Which splits of UD and CoNLL to score: dev, test (comma-separated)
    #[arg(long, value_delimiter = ',', default_values_t = vec!["dev".to_string(), "test".to_string()])]
    splits: Vec<String>,
    /// Print the Golden Rules cases that fail, with what came out
    #[arg(long)]
    failures: bool,
    /// Print one JSON object instead of the table
    #[arg(long)]
    json: bool,
}

fn annotate(stages: &Pipeline, id: &str, text: &str) -> Result<Doc> {
    let mut doc = Doc::new(id, text)?;
    stages
        .process(&mut doc)
        .with_context(|| format!("document {id}"))?;
    Ok(doc)
}

pub fn run(args: Args) -> Result<()> {
    let data = shared_data()?;
    // The stages that make tokens and sentences from raw text.
    let stages = StageRegistry::builtin().build_pipeline(
        &["tokenize", "segment"],
        &StageOptions::default(),
        &[],
    )?;
    let mut report = serde_json::Map::new();
    let wants = |suite: &str| args.suites.iter().any(|s| s == suite);

    if wants("ud") {
        for split in &args.splits {
            let path = data.join(format!("ud-english-ewt/en_ewt-ud-{split}.conllu"));
            let input =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let scores =
                user::score_conllu(&input, &stages).with_context(|| path.display().to_string())?;
            if !args.json {
                println!(
                    "UD English EWT {split:<4} (raw text)  {}",
                    ud::describe(&scores)
                );
            }
            report.insert(format!("ud_ewt_{split}"), serde_json::to_value(scores)?);
        }
    }

    if wants("golden") {
        let path = data.join("golden-rules/en.json");
        let input =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let cases = golden::parse_cases(&input).with_context(|| path.display().to_string())?;
        let outcomes = golden::run(&cases, |text| {
            annotate(&stages, "golden", text)
                .map(|doc| user::prediction(&doc).sentences)
                .unwrap_or_default()
        });
        let passed = outcomes.iter().filter(|o| o.passed).count();
        if !args.json {
            println!(
                "Golden Rules (pySBD, English)     {passed} of {} cases",
                outcomes.len()
            );
            if args.failures {
                for o in outcomes.iter().filter(|o| !o.passed) {
                    println!(
                        "  FAIL #{} {}\n    expected {:?}\n    got      {:?}",
                        o.id, o.rule, o.expected, o.got
                    );
                }
            }
        }
        report.insert(
            "golden_rules".into(),
            json!({"passed": passed, "cases": outcomes.len(),
                   "failed": outcomes.iter().filter(|o| !o.passed).map(|o| o.id).collect::<Vec<_>>()}),
        );
    }

    if wants("conll") {
        // Tokens and sentences are given: only the tagger runs, as with
        // `dateline run --input-format conll`.
        let tagger = StageRegistry::builtin().build_pipeline(
            &["tag"],
            &StageOptions::default(),
            &[Layer::Tokens, Layer::Sentences],
        )?;
        for split in &args.splits {
            let path = data.join(format!("conll2003/{split}.txt"));
            let file =
                fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
            let reader = ConllReader::new(std::io::BufReader::new(file), format!("{split}.txt"));
            // CoNLL-2003 annotates only its four types; the rule layer's
            // DATE, MONEY, ... are outside its scheme.
            let (scores, _) = user::score_conll(reader, &tagger, &user::CONLL_2003)?;
            if !args.json {
                println!("CoNLL-2003 {split:<4} entities       {}", scores.overall);
                for (label, counts) in &scores.by_label {
                    println!("    {label:<6}                        {counts}");
                }
            }
            report.insert(format!("conll2003_{split}"), serde_json::to_value(&scores)?);
        }
    }

    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}
