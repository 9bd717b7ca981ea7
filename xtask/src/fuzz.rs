//! `cargo xtask fuzz`: runs every cargo-fuzz target of `fuzz/` for a fixed
//! time and reports, per target, the executions, the coverage libFuzzer
//! measured and whether it found a crash.
//!
//! cargo-fuzz is installed with `cargo install cargo-fuzz` when missing.
//! It needs nightly compiler flags; `RUSTC_BOOTSTRAP=1` lets the stable
//! toolchain accept them, so no nightly toolchain is needed. Each target's
//! corpus (`fuzz/corpus/TARGET`, not committed) is seeded on first use from
//! the fixtures and the gold files of the driver's tests, so a short run
//! starts from real news rather than from nothing.
//!
//! A crash leaves its input in `fuzz/artifacts/TARGET/`; reproduce it with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz TARGET -s none PATH`
//! and turn it into a regression test in the owning crate.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, ensure, Context, Result};

use crate::paths::workspace_root;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seconds to fuzz each target
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Only these targets (repeatable); default: every target in fuzz/
    #[arg(long = "target")]
    targets: Vec<String>,
    /// The sanitizer: none (fastest; the code is safe Rust) or address
    #[arg(long, default_value = "none")]
    sanitizer: String,
    /// Largest input libFuzzer generates, in bytes
    #[arg(long, default_value_t = 8192)]
    max_len: usize,
}

/// What libFuzzer reported for one target.
#[derive(Debug, Default)]
struct Report {
    target: String,
    executions: Option<u64>,
    exec_per_sec: Option<u64>,
    coverage: Option<u64>,
    features: Option<u64>,
    corpus: Option<u64>,
    /// The crash input libFuzzer wrote, when it found one.
    artifact: Option<String>,
    ok: bool,
}

pub fn run(args: Args) -> Result<()> {
    let root = workspace_root();
    let fuzz_dir = root.join("fuzz");
    ensure_cargo_fuzz()?;
    let all = list_targets(&fuzz_dir)?;
    let targets = if args.targets.is_empty() {
        all
    } else {
        for target in &args.targets {
            ensure!(
                all.contains(target),
                "no fuzz target {target:?} (there are: {})",
                all.join(", ")
            );
        }
        args.targets.clone()
    };

    // One build of every target up front, so the time budget is spent
    // fuzzing, not compiling.
    let status = cargo_fuzz(&fuzz_dir)
        .args([
            "build",
            "--sanitizer",
            &args.sanitizer,
            "--debug-assertions",
        ])
        .status()
        .context("running cargo fuzz build")?;
    ensure!(status.success(), "cargo fuzz build failed");

    let mut reports = Vec::new();
    for target in &targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        seed_corpus(&root, target, &corpus)?;
        eprintln!("== fuzzing {target} for {} s", args.seconds);
        let output = cargo_fuzz(&fuzz_dir)
            .args([
                "run",
                target,
                "--sanitizer",
                &args.sanitizer,
                "--debug-assertions",
                "--",
                &format!("-max_total_time={}", args.seconds),
                &format!("-max_len={}", args.max_len),
                "-print_final_stats=1",
                // One process: the machine is shared.
                "-workers=1",
                "-jobs=1",
            ])
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("running cargo fuzz run {target}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        let mut report = parse_log(target, &log);
        report.ok = output.status.success();
        if !report.ok {
            // The end of the log holds the panic message and the artifact.
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            for line in tail.into_iter().rev() {
                // The failing input's Debug dump is one enormous line.
                let cut = line.char_indices().nth(300).map_or(line.len(), |(i, _)| i);
                eprintln!("  {}", &line[..cut]);
            }
        }
        reports.push(report);
    }

    print_table(&reports, args.seconds);
    let failed: Vec<&str> = reports
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.target.as_str())
        .collect();
    if !failed.is_empty() {
        bail!("fuzz targets failed: {}", failed.join(", "));
    }
    Ok(())
}

/// `cargo fuzz` in the fuzz project, allowed the nightly flags it needs.
fn cargo_fuzz(fuzz_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(fuzz_dir.parent().expect("fuzz/ is in the workspace"))
        .env("RUSTC_BOOTSTRAP", "1")
        .arg("fuzz");
    command
}

fn ensure_cargo_fuzz() -> Result<()> {
    let found = Command::new(env!("CARGO"))
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("== cargo install cargo-fuzz");
        let status = Command::new(env!("CARGO"))
            .args(["install", "cargo-fuzz"])
            .status()
            .context("running cargo install cargo-fuzz")?;
        ensure!(status.success(), "cargo install cargo-fuzz failed");
    }
    Ok(())
}

fn list_targets(fuzz_dir: &Path) -> Result<Vec<String>> {
    let output = cargo_fuzz(fuzz_dir)
        .arg("list")
        .output()
        .context("running cargo fuzz list")?;
    ensure!(
        output.status.success(),
        "cargo fuzz list failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let targets: Vec<String> = String::from_utf8(output.stdout)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    ensure!(!targets.is_empty(), "cargo fuzz list found no targets");
    Ok(targets)
}

/// Seeds an empty corpus: text targets get the fixtures; reader targets get
/// the driver's gold files, behind the selector byte their target reads
/// first.
fn seed_corpus(root: &Path, target: &str, corpus: &Path) -> Result<()> {
    fs::create_dir_all(corpus)?;
    if fs::read_dir(corpus)?.next().is_some() {
        return Ok(());
    }
    let gold = root.join("crates/dateline/tests/inputs/gold");
    let seeds: Vec<(Vec<u8>, PathBuf)> = match target {
        "read_jsonl" => (0u8..3)
            .map(|unit| (vec![unit], gold.join("news.jsonl")))
            .collect(),
        "read_conll" => vec![
            (vec![0], gold.join("news.conll")),
            (vec![1], gold.join("news.conll")),
            (vec![2], gold.join("news.conllu")),
        ],
        _ => {
            let mut files: Vec<PathBuf> = fs::read_dir(root.join("fixtures"))?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
            files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
            files.into_iter().map(|p| (Vec::new(), p)).collect()
        }
    };
    for (i, (prefix, path)) in seeds.iter().enumerate() {
        let mut bytes = prefix.clone();
        bytes.extend(fs::read(path).with_context(|| format!("reading {}", path.display()))?);
        fs::write(corpus.join(format!("seed-{i}")), bytes)?;
    }
    Ok(())
}

/// Reads the figures out of libFuzzer's log: the last status line
/// (`#N ... cov: C ft: F corp: K/...  exec/s: E`) and the final stats
/// (`stat::number_of_executed_units: N`).
fn parse_log(target: &str, log: &str) -> Report {
    let mut report = Report {
        target: target.to_owned(),
        ..Report::default()
    };
    let after = |line: &str, key: &str| -> Option<u64> {
        let rest = &line[line.find(key)? + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    for line in log.lines() {
        if line.starts_with('#') && line.contains("cov:") {
            report.coverage = after(line, "cov:").or(report.coverage);
            report.features = after(line, "ft:").or(report.features);
            report.corpus = after(line, "corp:").or(report.corpus);
            report.exec_per_sec = after(line, "exec/s:").or(report.exec_per_sec);
        }
        if let Some(n) = after(line, "stat::number_of_executed_units:") {
            report.executions = Some(n);
        }
        if let Some(path) = line.split("Test unit written to ").nth(1) {
            report.artifact = Some(path.trim().to_owned());
        }
    }
    report
}

fn print_table(reports: &[Report], seconds: u64) {
    let show = |n: Option<u64>| n.map_or("-".to_owned(), |n| n.to_string());
    println!();
    println!("| target | seconds | executions | exec/s | coverage (edges) | features | corpus | result |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for r in reports {
        let result = match (&r.artifact, r.ok) {
            (_, true) => "ok".to_owned(),
            (Some(artifact), false) => format!("CRASH {artifact}"),
            (None, false) => "FAILED".to_owned(),
        };
        println!(
            "| {} | {seconds} | {} | {} | {} | {} | {} | {result} |",
            r.target,
            show(r.executions),
            show(r.exec_per_sec),
            show(r.coverage),
            show(r.features),
            show(r.corpus),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_figures() {
        let log = "\
#2\tINITED cov: 120 ft: 130 corp: 3/10Kb exec/s: 0 rss: 40Mb
#4096\tpulse  cov: 1500 ft: 2300 corp: 80/20Kb lim: 43 exec/s: 2048 rss: 60Mb
#9000\tDONE   cov: 1710 ft: 2911 corp: 95/27Kb lim: 60 exec/s: 3000 rss: 61Mb
stat::number_of_executed_units: 9001
stat::average_exec_per_sec:     3000
";
        let report = parse_log("tokenize", log);
        assert_eq!(report.executions, Some(9001));
        assert_eq!(report.coverage, Some(1710));
        assert_eq!(report.features, Some(2911));
        assert_eq!(report.corpus, Some(95));
        assert_eq!(report.exec_per_sec, Some(3000));
        assert_eq!(report.artifact, None);
    }

    #[test]
    fn finds_the_crash_artifact() {
        let log = "==1== ERROR: libFuzzer: deadly signal\n\
                   artifact_prefix='fuzz/artifacts/tag/'; Test unit written to fuzz/artifacts/tag/crash-abc\n";
        let report = parse_log("tag", log);
        assert_eq!(
            report.artifact.as_deref(),
            Some("fuzz/artifacts/tag/crash-abc")
        );
    }
}
