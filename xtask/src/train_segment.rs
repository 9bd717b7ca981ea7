//! `cargo xtask train-segment`: fits dateline-segment's boundary model on
//! UD English EWT train (raw text rebuilt as `cargo xtask eval` does,
//! tokenized by dateline-tokenize), picks the decision threshold that
//! maximises sentence F1 on EWT dev, and writes
//! `crates/dateline-segment/data/boundary-model.tsv`. Deterministic: the
//! same data and code give the same file.

use std::fs;

use anyhow::{Context, Result};
use dateline::eval::{golden, ud};
use dateline_core::Token;
use dateline_segment::train::{self, Example, Options, TrainedModel};
use dateline_tokenize::Tokenizer;

use crate::paths::{shared_data, workspace_root};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Passes over the training data
    #[arg(long, default_value_t = 10)]
    epochs: u32,
    /// Leave out features seen fewer times than this
    #[arg(long, default_value_t = 2)]
    min_count: u32,
    /// Decision threshold; default: chosen on EWT dev (of the grid points within 0.25 F1 of the best, the one nearest zero)
    #[arg(long)]
    threshold: Option<f32>,
    /// Report the dev scores without writing the model file
    #[arg(long)]
    dry_run: bool,
    /// Print up to this many dev boundary errors (missed and spurious)
    #[arg(long, default_value_t = 0)]
    show_errors: usize,
}

struct Tokenized {
    gold: ud::GoldDoc,
    tokens: Vec<Token>,
    starts: Vec<u32>,
}

fn load(name: &str, tokenizer: &Tokenizer) -> Result<Vec<Tokenized>> {
    let path = shared_data()?.join(format!("ud-english-ewt/en_ewt-ud-{name}.conllu"));
    let input = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let docs = ud::parse_conllu(&input).with_context(|| path.display().to_string())?;
    Ok(docs
        .into_iter()
        .map(|gold| {
            let tokens = tokenizer.tokenize(&gold.text);
            let starts = gold.sentences.iter().map(|s| s.0).collect();
            Tokenized {
                gold,
                tokens,
                starts,
            }
        })
        .collect())
}

fn dev_scores(model: &TrainedModel, threshold: f32, dev: &[Tokenized]) -> ud::UdScores {
    let golds: Vec<ud::GoldDoc> = dev.iter().map(|d| d.gold.clone()).collect();
    let mut next = dev.iter();
    ud::score(&golds, |_| {
        let doc = next.next().expect("one prediction per document");
        let mut sentences = Vec::new();
        model.segment_into(threshold, &doc.gold.text, &doc.tokens, &mut sentences);
        ud::Prediction {
            tokens: doc
                .tokens
                .iter()
                .map(|t| (t.span.start, t.span.end))
                .collect(),
            sentences: sentences
                .iter()
                .map(|s| (s.span.start, s.span.end))
                .collect(),
        }
    })
}

fn golden_passed(
    model: &TrainedModel,
    threshold: f32,
    tokenizer: &Tokenizer,
) -> Result<(usize, usize)> {
    let path = shared_data()?.join("golden-rules/en.json");
    let input = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let cases = golden::parse_cases(&input)?;
    let outcomes = golden::run(&cases, |text| {
        let tokens = tokenizer.tokenize(text);
        let mut sentences = Vec::new();
        model.segment_into(threshold, text, &tokens, &mut sentences);
        sentences
            .iter()
            .map(|s| (s.span.start, s.span.end))
            .collect()
    });
    Ok((outcomes.iter().filter(|o| o.passed).count(), outcomes.len()))
}

pub fn run(args: Args) -> Result<()> {
    let tokenizer = Tokenizer::default();
    let train_docs = load("train", &tokenizer)?;
    let dev = load("dev", &tokenizer)?;
    let examples: Vec<Example<'_>> = train_docs
        .iter()
        .map(|d| Example {
            text: &d.gold.text,
            tokens: &d.tokens,
            sentence_starts: &d.starts,
        })
        .collect();
    let options = Options {
        epochs: args.epochs,
        min_count: args.min_count,
        ..Options::default()
    };
    let model = train::train(&examples, &options);
    println!(
        "trained on {} open gaps ({} boundaries): {} features",
        model.examples,
        model.positives,
        model.weights.len()
    );

    let grid: Vec<f32> = match args.threshold {
        Some(t) => vec![t],
        None => (-12..=12).map(|i| i as f32 * 0.5).collect(),
    };
    let mut scored = Vec::new();
    for &t in &grid {
        let scores = dev_scores(&model, t, &dev);
        println!("threshold {t:>5.2}: EWT dev {}", ud::describe(&scores));
        scored.push((t, scores.sentences.f1()));
    }
    // Dev F1 is flat over a wide range of thresholds; of those within a
    // quarter point of the best, take the one nearest zero, which leans
    // least on the dev set.
    let top = scored.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    let best = scored
        .iter()
        .filter(|s| s.1 >= top - 0.25)
        .min_by(|a, b| a.0.abs().total_cmp(&b.0.abs()))
        .map(|&(t, f1)| (f1, t))
        .expect("a threshold");
    let threshold = best.1;
    let (passed, cases) = golden_passed(&model, threshold, &tokenizer)?;
    println!(
        "chosen threshold {threshold}: EWT dev sentence F1 {:.2}, Golden Rules {passed} of {cases}",
        best.0
    );
    if args.show_errors > 0 {
        show_errors(&model, threshold, &dev, args.show_errors);
    }
    if args.dry_run {
        return Ok(());
    }
    let header = format!(
        "dateline-segment boundary model: feature<TAB>weight (an averaged perceptron).\n\
         Made by `cargo xtask train-segment --epochs {} --min-count {}` from UD English EWT\n\
         train ({} open gaps, {} boundaries); threshold chosen on EWT dev (sentence F1 {:.2}).\n\
         Do not edit by hand.",
        args.epochs, args.min_count, model.examples, model.positives, best.0
    );
    let path = workspace_root().join("crates/dateline-segment/data/boundary-model.tsv");
    fs::write(&path, model.to_tsv(threshold, &header))
        .with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Prints dev boundaries the model missed or invented, with context.
fn show_errors(model: &TrainedModel, threshold: f32, dev: &[Tokenized], limit: usize) {
    let mut shown = 0;
    for doc in dev {
        let mut sentences = Vec::new();
        model.segment_into(threshold, &doc.gold.text, &doc.tokens, &mut sentences);
        let predicted: Vec<u32> = sentences.iter().map(|s| s.span.start).collect();
        let text = &doc.gold.text;
        let context = |at: u32| {
            let at = at as usize;
            let mut a = at.saturating_sub(50);
            while !text.is_char_boundary(a) {
                a -= 1;
            }
            let mut b = (at + 40).min(text.len());
            while !text.is_char_boundary(b) {
                b += 1;
            }
            format!("{} ‖ {}", &text[a..at], &text[at..b]).replace('\n', "⏎")
        };
        for &g in &doc.starts {
            if predicted.binary_search(&g).is_err() && shown < limit {
                println!("MISS  {}", context(g));
                shown += 1;
            }
        }
        for &p in &predicted {
            if doc.starts.binary_search(&p).is_err() && shown < limit {
                println!("FALSE {}", context(p));
                shown += 1;
            }
        }
    }
}
