//! `cargo xtask bench`: throughput and peak memory on the bench corpus
//! (`../shared/data/bench/conll-docs.jsonl`, replicated to the size asked).
//!
//! Stage throughput is measured in this process on texts held in memory,
//! so it times the stage code alone; the whole run is measured on the
//! release `dateline` binary over a replicated JSONL file, as a user runs
//! it. Every figure comes with the count it processed, and the run fails
//! when a count is zero or differs between repetitions, so a benchmark can
//! never silently measure nothing. It re-runs itself in release mode.
//!
//! A stage measurement is short (under a second for 100 MB), so on a shared
//! machine one reading swings with its neighbours: each is repeated
//! (`--repeat`) and the best and the median are reported, the best being the
//! code's speed with the least interference.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use dateline_core::{Sentence, Token};
use dateline_segment::Segmenter;
use dateline_tokenize::Tokenizer;

use crate::paths::{shared_data, workspace_root};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Size in MB the corpus is replicated to for the stage and whole-run figures
    #[arg(long, default_value_t = 100)]
    size_mb: u64,
    /// Skip the whole-run measurement of the dateline binary
    #[arg(long)]
    stages_only: bool,
    /// Worker threads for the "all cores" figures (default: all cores)
    #[arg(long)]
    threads: Option<usize>,
    /// Repetitions of each stage measurement (best and median reported)
    #[arg(long, default_value_t = 7)]
    repeat: usize,
}

const MB: f64 = 1_000_000.0;

pub fn run(args: Args) -> Result<()> {
    if crate::paths::rerun_in_release("bench")? {
        return Ok(());
    }
    let corpus = shared_data()?.join("bench/conll-docs.jsonl");
    let texts = read_texts(&corpus)?;
    let corpus_bytes: usize = texts.iter().map(String::len).sum();
    let passes = ((args.size_mb as f64 * MB) / corpus_bytes as f64)
        .ceil()
        .max(1.0) as usize;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    println!(
        "bench corpus: {} documents, {:.2} MB, replicated x{passes} = {:.1} MB; {threads} cores",
        texts.len(),
        corpus_bytes as f64 / MB,
        (corpus_bytes * passes) as f64 / MB
    );

    let tokenizer = Tokenizer::default();
    let segmenter = Segmenter::default();
    let tokens: Vec<Vec<Token>> = texts.iter().map(|t| tokenizer.tokenize(t)).collect();
    let tokens_per_pass: usize = tokens.iter().map(Vec::len).sum();
    ensure!(tokens_per_pass > 0, "the tokenizer produced no tokens");

    let tokenize = measure(args.repeat, passes, 1, |range| {
        let mut out = Vec::new();
        let mut count = 0;
        for _ in range {
            for text in &texts {
                out.clear();
                tokenizer.tokenize_into(text, &mut out);
                count += out.len();
            }
        }
        count
    })?;
    report(
        "tokenize",
        1,
        corpus_bytes,
        passes,
        tokens_per_pass,
        &tokenize,
    )?;

    let segment = measure(args.repeat, passes, 1, |range| {
        let mut out = Vec::new();
        let mut count = 0;
        for _ in range {
            for (text, toks) in texts.iter().zip(&tokens) {
                out.clear();
                segmenter.segment_into(text, toks, &mut out);
                count += toks.len();
            }
        }
        count
    })?;
    report(
        "segment",
        1,
        corpus_bytes,
        passes,
        tokens_per_pass,
        &segment,
    )?;

    let both = |range: std::ops::Range<usize>| {
        let mut toks = Vec::new();
        let mut sentences: Vec<Sentence> = Vec::new();
        let mut count = 0;
        for _ in range {
            for text in &texts {
                toks.clear();
                sentences.clear();
                tokenizer.tokenize_into(text, &mut toks);
                segmenter.segment_into(text, &toks, &mut sentences);
                count += toks.len();
            }
        }
        count
    };
    // One thread and all of them alternate, repetition by repetition, so
    // the scaling compares readings taken under the same neighbours.
    let counts: Vec<usize> = if threads > 1 {
        vec![1, threads]
    } else {
        vec![1]
    };
    let measured = measure_each(args.repeat, passes, &counts, both)?;
    for (&n, m) in counts.iter().zip(&measured) {
        report(
            "tokenize+segment",
            n,
            corpus_bytes,
            passes,
            tokens_per_pass,
            m,
        )?;
    }
    if let [one, many] = &measured[..] {
        println!(
            "  scaling: {threads} threads = {:.2}x one thread (best against best; median {:.2}x)",
            one.best.as_secs_f64() / many.best.as_secs_f64(),
            one.median.as_secs_f64() / many.median.as_secs_f64()
        );
    }

    if !args.stages_only {
        whole_run(&corpus, args.size_mb, threads)?;
    }
    Ok(())
}

fn read_texts(path: &Path) -> Result<Vec<String>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut texts = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line?;
        let record: serde_json::Value = serde_json::from_str(&line)?;
        let text = record["text"]
            .as_str()
            .context("bench record without text")?;
        texts.push(text.to_string());
    }
    ensure!(!texts.is_empty(), "{} holds no documents", path.display());
    Ok(texts)
}

struct Measured {
    /// The fastest of the repetitions.
    best: Duration,
    median: Duration,
    /// Tokens processed in one repetition, summed over threads.
    count: usize,
}

/// Runs `work` over `passes` split across `threads` threads, `repeat`
/// times; every repetition must process the same count.
fn measure<F>(repeat: usize, passes: usize, threads: usize, work: F) -> Result<Measured>
where
    F: Fn(std::ops::Range<usize>) -> usize + Sync,
{
    let mut measured = measure_each(repeat, passes, &[threads], work)?;
    Ok(measured.remove(0))
}

/// [`measure`] for each thread count in `counts`, the counts taking turns
/// within every repetition.
fn measure_each<F>(repeat: usize, passes: usize, counts: &[usize], work: F) -> Result<Vec<Measured>>
where
    F: Fn(std::ops::Range<usize>) -> usize + Sync,
{
    let mut times = vec![Vec::with_capacity(repeat.max(1)); counts.len()];
    let mut count = None;
    for _ in 0..repeat.max(1) {
        for (&threads, times) in counts.iter().zip(&mut times) {
            let start = Instant::now();
            let n: usize = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = passes * t / threads..passes * (t + 1) / threads;
                        let work = &work;
                        scope.spawn(move || work(range))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("bench thread panicked"))
                    .sum()
            });
            times.push(start.elapsed());
            ensure!(
                count.is_none_or(|c| c == n),
                "a repetition processed {n} tokens, an earlier one {count:?}"
            );
            count = Some(n);
        }
    }
    Ok(times
        .into_iter()
        .map(|mut times| {
            times.sort();
            Measured {
                best: times[0],
                median: times[times.len() / 2],
                count: count.unwrap_or(0),
            }
        })
        .collect())
}

fn report(
    name: &str,
    threads: usize,
    corpus_bytes: usize,
    passes: usize,
    tokens_per_pass: usize,
    m: &Measured,
) -> Result<()> {
    if m.count != tokens_per_pass * passes {
        bail!(
            "{name}: processed {} tokens, expected {}",
            m.count,
            tokens_per_pass * passes
        );
    }
    let secs = m.best.as_secs_f64();
    let bytes = (corpus_bytes * passes) as f64;
    println!(
        "{name:<18} {threads} thread(s): {:8.1} MB/s  {:12.0} tokens/s  ({} tokens in {:.2} s; median {:.1} MB/s)",
        bytes / MB / secs,
        m.count as f64 / secs,
        m.count,
        secs,
        bytes / MB / m.median.as_secs_f64()
    );
    Ok(())
}

/// Writes the corpus replicated to `size_mb` into target/bench (kept for
/// the next run), each copy with fresh ids.
fn replicated_corpus(corpus: &Path, size_mb: u64) -> Result<PathBuf> {
    let dir = workspace_root().join("target/bench");
    fs::create_dir_all(&dir)?;
    let path = dir.join(format!("conll-docs-{size_mb}MB.jsonl"));
    let target = size_mb * 1_000_000;
    if fs::metadata(&path).is_ok_and(|m| m.len() >= target) {
        return Ok(path);
    }
    let lines: Vec<serde_json::Value> = BufReader::new(File::open(corpus)?)
        .lines()
        .map(|l| Ok(serde_json::from_str(&l?)?))
        .collect::<Result<_>>()?;
    let tmp = path.with_extension("tmp");
    let mut out = BufWriter::new(File::create(&tmp)?);
    let mut written = 0u64;
    let mut copy = 0;
    while written < target {
        for record in &lines {
            let mut record = record.clone();
            let id = record["id"].as_str().unwrap_or("doc").to_string();
            record["id"] = format!("{id}-{copy}").into();
            let line = serde_json::to_string(&record)?;
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
            written += line.len() as u64 + 1;
        }
        copy += 1;
    }
    out.flush()?;
    drop(out);
    fs::rename(&tmp, &path)?;
    Ok(path)
}

fn whole_run(corpus: &Path, size_mb: u64, threads: usize) -> Result<()> {
    let root = workspace_root();
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args([
            "build",
            "--release",
            "--quiet",
            "--package",
            "dateline",
            "--bin",
            "dateline",
        ])
        .status()?;
    ensure!(
        status.success(),
        "building the release dateline binary failed"
    );
    let binary = root.join("target/release/dateline");
    let input = replicated_corpus(corpus, size_mb)?;
    let bytes = fs::metadata(&input)?.len();
    let docs = BufReader::new(File::open(&input)?).lines().count();
    let mut configs = vec![1];
    if threads > 1 {
        configs.push(threads);
    }
    for n in configs {
        let (elapsed, peak_kb, records) = run_binary(&binary, &input, n)?;
        ensure!(
            records == docs,
            "dateline wrote {records} records for {docs} documents"
        );
        println!(
            "whole run (tokenize,segment,tag -> jsonl) {n} thread(s): {:8.1} MB/s  {:.2} s  peak RSS {}  ({records} documents, {:.1} MB)",
            bytes as f64 / MB / elapsed.as_secs_f64(),
            elapsed.as_secs_f64(),
            peak_kb.map_or("n/a".to_string(), |kb| format!("{:.1} MB", kb as f64 / 1000.0)),
            bytes as f64 / MB
        );
    }
    Ok(())
}

/// Runs the binary once, counting its output records as they stream by,
/// and its peak resident memory as GNU time reports it (when installed).
fn run_binary(
    binary: &Path,
    input: &Path,
    threads: usize,
) -> Result<(Duration, Option<u64>, usize)> {
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "peak-rss-kb %M"]).arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command
        .args(["run", "--quiet", "--threads", &threads.to_string()])
        .arg(input)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let mut child = command.spawn().context("starting dateline")?;
    let stdout = child.stdout.take().expect("piped stdout");
    let records = BufReader::with_capacity(1 << 20, stdout)
        .split(b'\n')
        .count();
    let output = child.wait_with_output()?;
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(output.status.success(), "dateline failed: {stderr}");
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kb "))
        .and_then(|kb| kb.trim().parse().ok());
    Ok((elapsed, peak, records))
}
