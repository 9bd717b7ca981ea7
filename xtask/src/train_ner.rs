//! `cargo xtask train-ner`: trains dateline-tag's entity model on
//! CoNLL-2003 and writes it to `crates/dateline-tag/data/model.bin`.
//!
//! The trainer is dateline-tag's `train-ner` example (feature `train`), run
//! as a release build: the perceptron is fast when optimised and xtask
//! stays a light debug build. Training is deterministic, so the same data
//! and gazetteers give the same model bytes.

use std::process::Command;

use anyhow::{ensure, Context, Result};

use crate::paths::{shared_data, workspace_root};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Passes over the training data; the best epoch on dev is kept
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// The weight table has 2^bits rows
    #[arg(long, default_value_t = 20)]
    bits: u32,
    /// Training runs (different document orders) averaged into one model
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Where to write the model (default: the embedded model's file)
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let root = workspace_root();
    let data = shared_data()?.join("conll2003");
    let crate_dir = root.join("crates/dateline-tag");
    let out = args.out.unwrap_or_else(|| crate_dir.join("data/model.bin"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args([
            "run",
            "--quiet",
            "--release",
            "--package",
            "dateline-tag",
            "--features",
            "train",
            "--example",
            "train-ner",
            "--",
        ])
        .arg(&data)
        .arg(crate_dir.join("data/gazetteers"))
        .arg(&out)
        .arg(args.epochs.to_string())
        .arg(args.bits.to_string())
        .arg(args.runs.to_string())
        .status()
        .context("cannot run cargo")?;
    ensure!(status.success(), "training failed ({status})");
    Ok(())
}
