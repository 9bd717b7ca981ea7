//! `cargo xtask`: the project's own tooling — evaluation, benchmarks,
//! training, interop checks against real consumers, and scaffolding.
//!
//! Each command lives in its own module with its own `Args`.

use anyhow::Result;
use clap::{Parser, Subcommand};

mod bench;
mod eval;
mod fuzz;
mod gazetteers;
mod interop;
mod linear;
mod new_stage;
mod paths;
mod spacy;
mod spark;
mod train_ner;
mod train_segment;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "dateline's development tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Accuracy on the standard data sets in ../shared/data
    Eval(eval::Args),
    /// Throughput and peak memory on the bench corpus
    Bench(bench::Args),
    /// Train the entity model on CoNLL-2003 and write it into dateline-tag
    TrainNer(train_ner::Args),
    /// Train the sentence boundary model on UD English EWT and write it into dateline-segment
    TrainSegment(train_segment::Args),
    /// Compile gazetteer files from packaged knowledge sources
    Gazetteers(gazetteers::Args),
    /// Check each output format with its real consumer (Chromium, a CoNLL-U parser, ...)
    Interop(interop::Args),
    /// Scaffold a stage crate, crates/dateline-NAME, registered in the driver
    NewStage(new_stage::Args),
    /// Run the Spark job of integrations/spark on a real Spark and compare it with dateline run
    Spark(spark::Args),
    /// Compare speed and CoNLL-2003 accuracy with spaCy's en_core_web_sm (installs spaCy in a venv)
    Spacy(spacy::Args),
    /// Run every cargo-fuzz target in fuzz/ for a while and report executions and coverage
    Fuzz(fuzz::Args),
    /// Time each stage on adversarial inputs of size n and 2n and fail on a ratio over 2.3
    Linear(linear::Args),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Eval(args) => eval::run(args),
        Command::Bench(args) => bench::run(args),
        Command::TrainNer(args) => train_ner::run(args),
        Command::TrainSegment(args) => train_segment::run(args),
        Command::Gazetteers(args) => gazetteers::run(args),
        Command::Interop(args) => interop::run(args),
        Command::NewStage(args) => new_stage::run(args),
        Command::Spark(args) => spark::run(args),
        Command::Spacy(args) => spacy::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::Linear(args) => linear::run(args),
    }
}
