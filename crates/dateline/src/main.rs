//! The `dateline` binary: turns the command line into a validated
//! [`RunConfig`], runs it, and maps the outcome to an exit status.
//!
//! Exit status: 0 on success (also when the reader of the output went away
//! early, as with `| head`); 1 when a document failed (unless
//! `--allow-errors`) or the output could not be written; 2 for a usage or
//! start-up error (bad option, missing input, unknown stage, unloadable
//! model); 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM)
//! when a signal stopped the run, after the records already read were
//! written: the output then ends with a complete record and `--resume`
//! continues it.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use dateline::eval::user::{self, GoldFormat};
use dateline::{InputFormat, RunConfig, Runner, Shard, StageOptions, StageRegistry};
use dateline_core::{Doc, Layer, OffsetUnit};
use dateline_render::{Format, RenderOptions};

#[derive(Debug, Parser)]
#[command(
    name = "dateline",
    version,
    about = "Tokens, sentences and named entities for news text, with exact offsets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Annotate documents and write them in the chosen format
    Run(RunArgs),
    /// List the stages --stages can name, with what each needs and adds
    Stages,
    /// Score the pipeline against a gold file: CoNLL columns, CoNLL-U or JSONL
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// The gold file: CoNLL columns (.conll, .txt; IOB tags last),
    /// CoNLL-U (.conllu) or JSONL with gold tokens/sentences/entities (.jsonl)
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// conll | conllu | jsonl (default: by the file's extension)
    #[arg(long, value_name = "F")]
    gold_format: Option<GoldFormat>,
    /// Comma-separated stage names (default: what the gold layers need;
    /// CoNLL input keeps its tokens and sentences, so only tag runs)
    #[arg(long, value_name = "LIST")]
    stages: Option<String>,
    /// Offset unit of JSONL gold spans: char | byte | utf16
    #[arg(long, value_name = "U", default_value = "char")]
    offsets: OffsetUnit,
    /// Entity model file replacing the built-in one
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Extra phrase list for the tagger, lines of phrase<TAB>LABEL (repeatable)
    #[arg(long, value_name = "FILE")]
    gazetteer: Vec<PathBuf>,
    /// Print one JSON object instead of the table
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// A .txt file (one document), a directory (its .txt files, recursively,
    /// in sorted order), a .jsonl file, or - for stdin; none means stdin
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// auto (by extension; stdin = jsonl) | txt | jsonl | conll
    #[arg(long, value_name = "F", default_value = "auto")]
    input_format: InputFormat,
    /// JSONL field holding the text; the id comes from "id" when present,
    /// else file:line
    #[arg(long, value_name = "NAME", default_value = "text")]
    text_field: String,
    /// Comma-separated stage names (see `dateline stages`)
    #[arg(long, value_name = "LIST", default_value = "tokenize,segment,tag")]
    stages: String,
    /// jsonl | json | conll | conllu | brat | html | text
    #[arg(long, value_name = "F", default_value = "jsonl")]
    format: Format,
    /// Offset unit in the output: char | byte | utf16
    #[arg(long, value_name = "U", default_value = "char")]
    offsets: OffsetUnit,
    /// Output file, or directory for brat and html (one file per document);
    /// default stdout
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Worker threads (default: all cores); output is identical for every N
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Extra phrase list for the tagger, lines of phrase<TAB>LABEL (repeatable)
    #[arg(long, value_name = "FILE")]
    gazetteer: Vec<PathBuf>,
    /// Entity model file replacing the built-in one
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// No progress bar and no summary line
    #[arg(short, long)]
    quiet: bool,
    /// Exit with status 0 even when some documents failed
    #[arg(long)]
    allow_errors: bool,
    /// Mark sentence boundaries in HTML output
    #[arg(long)]
    html_sentences: bool,
    /// Process only shard K of N (1 <= K <= N): the documents whose index
    /// in the input, from 0, is K-1 modulo N
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Keep the complete records of the output file (-o, JSONL) and go on
    /// after them; an interrupted run's last partial line is dropped
    #[arg(long)]
    resume: bool,
    /// Bytes a document may take in its input (a JSONL line, a .txt file,
    /// a CoNLL document's lines):
    /// a larger one becomes a too_large error record and is read past, not
    /// held. A number with an optional K, M or G (powers of 1024), at most 4G-1
    #[arg(long, value_name = "N", default_value = "256M", value_parser = parse_size)]
    max_doc_bytes: usize,
    /// Documents per batch (tuning and tests)
    #[arg(long, hide = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    batch_docs: Option<u32>,
    /// Input bytes per batch (tuning and tests)
    #[arg(long, hide = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    batch_bytes: Option<u32>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Stages => stages(),
        Command::Eval(args) => eval(args),
    }
}

fn run(args: RunArgs) -> ExitCode {
    let stages: Vec<String> = args
        .stages
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let mut stage_options = StageOptions::new();
    stage_options.model = args.model;
    stage_options.gazetteers = args.gazetteer;
    let mut config = RunConfig::default();
    config.inputs = args.inputs;
    config.input_format = args.input_format;
    config.text_field = args.text_field;
    config.stages = stages;
    config.stage_options = stage_options;
    config.format = args.format;
    config.render = RenderOptions {
        offsets: args.offsets,
        html_sentences: args.html_sentences,
    };
    config.output = args.output;
    config.threads = args.threads.map(usize::from);
    config.progress = !args.quiet;
    if let Some(n) = args.batch_docs {
        config.limits.max_docs = n as usize;
    }
    if let Some(n) = args.batch_bytes {
        config.limits.max_bytes = n as usize;
    }
    config.max_doc_bytes = args.max_doc_bytes;
    config.shard = args.shard.unwrap_or_default();
    config.resume = args.resume;

    let runner = match Runner::new(config, &StageRegistry::builtin()) {
        Ok(runner) => runner,
        Err(e) => {
            report(format_args!("dateline: error: {}", chain(&e)));
            return ExitCode::from(2);
        }
    };
    let signal = match stop_on_signals(&runner) {
        Ok(signal) => signal,
        Err(e) => {
            report(format_args!(
                "dateline: error: installing signal handlers: {e}"
            ));
            return ExitCode::from(2);
        }
    };
    match runner.run() {
        Ok(summary) if summary.interrupted => {
            if !args.quiet {
                report(format_args!("dateline: {summary}"));
                report(format_args!(
                    "dateline: stopped by a signal after the last complete record; run again with --resume to continue"
                ));
            }
            let signal = signal.load(Ordering::Relaxed);
            ExitCode::from(128u8.saturating_add(u8::try_from(signal).unwrap_or(0)))
        }
        Ok(summary) => {
            if !args.quiet {
                for quote in &summary.first_errors {
                    report(format_args!("dateline: failed: {quote}"));
                }
                if summary.errors > summary.first_errors.len() as u64 {
                    report(format_args!(
                        "dateline: ... and {} more failed documents (see the error records)",
                        summary.errors - summary.first_errors.len() as u64
                    ));
                }
                report(format_args!("dateline: {summary}"));
            }
            if summary.errors > 0 && !args.allow_errors {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            report(format_args!("dateline: error: {}", chain(&e)));
            ExitCode::from(1)
        }
    }
}

fn stages() -> ExitCode {
    let registry = StageRegistry::builtin();
    let mut out = io::stdout().lock();
    let layers = |layers: &[dateline_core::Layer]| {
        if layers.is_empty() {
            "-".to_owned()
        } else {
            layers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    let mut text = String::new();
    for spec in registry.iter() {
        text.push_str(&format!(
            "{:<10} needs {:<18} adds {:<10} {}\n",
            spec.name,
            layers(spec.requires),
            layers(spec.provides),
            spec.description
        ));
    }
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            report(format_args!("dateline: error: stdout: {e}"));
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

fn eval(args: EvalArgs) -> ExitCode {
    let Some(format) = args
        .gold_format
        .or_else(|| GoldFormat::from_path(&args.gold))
    else {
        report(format_args!(
            "dateline: error: {}: cannot tell the gold format from the extension; pass --gold-format conll, conllu or jsonl",
            args.gold.display()
        ));
        return ExitCode::from(2);
    };
    let stages: Vec<String> = match &args.stages {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        None => format
            .default_stages()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let mut options = StageOptions::new();
    options.model = args.model;
    options.gazetteers = args.gazetteer;
    // CoNLL gold brings its own tokens and sentences; the registry skips
    // the stages that would make them.
    let initial: &[Layer] = match format {
        GoldFormat::Conll => &[Layer::Tokens, Layer::Sentences],
        GoldFormat::Conllu | GoldFormat::Jsonl => &[],
    };
    let pipeline = match StageRegistry::builtin().build_pipeline(&stages, &options, initial) {
        Ok(pipeline) => pipeline,
        Err(e) => {
            report(format_args!("dateline: error: {}", chain(&e)));
            return ExitCode::from(2);
        }
    };
    let scores = match user::score_file(&args.gold, format, args.offsets, &pipeline) {
        Ok(scores) => scores,
        Err(e) => {
            report(format_args!("dateline: error: {}", chain(&e)));
            return ExitCode::from(1);
        }
    };
    let text = if args.json {
        match serde_json::to_string_pretty(&scores) {
            Ok(json) => json + "\n",
            Err(e) => {
                report(format_args!("dateline: error: {e}"));
                return ExitCode::from(1);
            }
        }
    } else {
        format!(
            "{} ({}, {} documents, stages {})\n{scores}",
            args.gold.display(),
            format,
            scores.documents,
            pipeline.names().join(",")
        )
    };
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            report(format_args!("dateline: error: stdout: {e}"));
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// SIGINT and SIGTERM stop the run gracefully through its stop flag; the
/// returned cell holds the number of the signal that did. A second signal
/// ends the process at once (with 130), for a run blocked on a slow input.
fn stop_on_signals(runner: &Runner) -> io::Result<Arc<AtomicUsize>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = runner.stop_flag();
    let which = Arc::new(AtomicUsize::new(0));
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as the previous signal left it.
        signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&stop))?;
        signal_hook::flag::register_usize(signal, Arc::clone(&which), signal as usize)?;
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(which)
}

/// A byte count: digits and an optional K, M or G (powers of 1024), from 1
/// to the largest a document may hold.
fn parse_size(arg: &str) -> Result<usize, String> {
    let (digits, unit) = match arg.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => arg.split_at(at),
        None => (arg, ""),
    };
    let shift = match unit {
        "" => 0,
        "k" | "K" => 10,
        "m" | "M" => 20,
        "g" | "G" => 30,
        _ => return Err("expected a number of bytes, as in 1048576 or 256M".to_owned()),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| "expected a number of bytes, as in 1048576 or 256M".to_owned())?;
    let max = Doc::MAX_LEN as u64;
    match n.checked_shl(shift).filter(|&bytes| bytes >> shift == n) {
        Some(bytes) if (1..=max).contains(&bytes) => Ok(bytes as usize),
        _ => Err(format!("must be between 1 and {max} bytes")),
    }
}

/// An error and its causes, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !line.contains(&cause_text) {
            line.push_str(": ");
            line.push_str(&cause_text);
        }
        source = cause.source();
    }
    line
}

/// Writes a line to stderr; a closed stderr is not worth a panic.
fn report(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr(), "{line}");
}
