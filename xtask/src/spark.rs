//! `cargo xtask spark`: the Spark job of `integrations/spark` run on a real
//! Spark (`local[2]`, pyspark from PyPI), checked record for record against
//! `dateline run` on the same input.
//!
//! It installs what is missing (the pinned pyspark of
//! `integrations/spark/requirements.txt` with pip, a Java runtime with
//! apt-get), builds the release binary, writes a synthetic corpus (see
//! [`corpus`]), submits the job exactly as the README documents it, with
//! `--files` shipping the binary, and runs the binary directly on the same
//! files. Then every record must match: the same ids, none lost, none
//! twice, each line byte for byte the direct run's line, except that
//! records without an id of their own carry the job's unique `part-P:N`
//! name instead of `corpus.jsonl:N` and are matched by content. The Parquet
//! table is read back by Spark and must hold the same layers.

mod corpus;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;

use crate::paths::{build_dateline, exec, pip_install, target_dir, workspace_root};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dateline binary to ship, named `dateline` (default: build the release binary)
    #[arg(long, value_name = "PATH")]
    bin: Option<PathBuf>,
    /// Directory for the corpus and the outputs, emptied first (default: target/spark)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Minimum partitions Spark splits corpus.jsonl into
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(2..))]
    partitions: u32,
    /// Generated articles in corpus.jsonl (the special records come on top)
    #[arg(long, default_value_t = 220)]
    docs: usize,
    /// Generated .txt articles (the special files come on top)
    #[arg(long, default_value_t = 24)]
    txt_docs: usize,
    /// Fail instead of installing a missing pyspark or Java
    #[arg(long)]
    no_install: bool,
}

const MASTER: &str = "local[2]";
const PYTHON: &str = "python3";

/// Reads a Parquet table back with Spark and prints the layers of each row
/// as JSON, and the entities column's type on stderr.
const READ_PARQUET: &str = r#"
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("dateline-parquet-check")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .getOrCreate())
table = spark.read.parquet(sys.argv[1])
if "entities" in table.columns:
    print("entities column: " + table.schema["entities"].dataType.simpleString(), file=sys.stderr)
keep = [c for c in ("id", "text", "tokens", "sentences", "entities", "error") if c in table.columns]
for line in table.select(*keep).toJSON().collect():
    print(line)
spark.stop()
"#;

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let root = workspace_root();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| target_dir().join("spark"));
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("emptying {}", out.display()))?;
    }
    fs::create_dir_all(&out)?;
    let out = out.canonicalize()?;
    let job = root.join("integrations/spark/dateline_spark.py");
    let requirements = root.join("integrations/spark/requirements.txt");

    let step = Instant::now();
    let java = java_version(!args.no_install)?;
    let spark = pyspark(&requirements, !args.no_install)?;
    println!(
        "spark: pyspark {} on Java {java} ({:.1} s)",
        spark.version,
        step.elapsed().as_secs_f64()
    );

    let step = Instant::now();
    let bin = match &args.bin {
        Some(bin) => bin.canonicalize().context("--bin")?,
        None => build_dateline(true)?,
    };
    ensure!(
        bin.file_name().is_some_and(|n| n == "dateline"),
        "the binary must be named dateline (the job finds it by that name): {}",
        bin.display()
    );
    let stages = stages(&bin)?;
    println!(
        "spark: binary {} ({:.1} s)",
        bin.display(),
        step.elapsed().as_secs_f64()
    );

    let step = Instant::now();
    let corpus = corpus::write(&out, args.docs, args.txt_docs)?;
    let documents = corpus.jsonl_records + corpus.txt_files;
    println!(
        "spark: corpus of {documents} documents ({} JSONL records, {} without an id, {} .txt files) in {} ({:.1} s)",
        corpus.jsonl_records,
        corpus.unnamed_lines.len(),
        corpus.txt_files,
        out.display(),
        step.elapsed().as_secs_f64()
    );

    let step = Instant::now();
    // The README's command: spark-submit with the binary shipped by --files.
    let mut submit = Command::new(&spark.submit);
    submit
        .current_dir(&out)
        .env("PYSPARK_PYTHON", &spark.python)
        .env("PYSPARK_DRIVER_PYTHON", &spark.python)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .args(["--master", MASTER])
        // Quieter than Spark's INFO default; and an empty input file keeps its
        // (empty) partition, so the job's empty-partition path runs too.
        .args(["--conf", "spark.log.level=WARN"])
        .args(["--conf", "spark.hadoopRDD.ignoreEmptySplits=false"])
        .arg("--files")
        .arg(&bin)
        .arg(&job)
        .args([
            "--jsonl",
            "corpus.jsonl",
            "--jsonl",
            "empty.jsonl",
            "--txt",
            "txt",
        ])
        .args(["--partitions", &args.partitions.to_string()])
        .args(["--output", "spark-jsonl", "--parquet", "spark-parquet"]);
    if let Some(stages) = &stages {
        submit.args(["--stages", stages]);
    }
    exec(&mut submit)?;
    let spark_secs = step.elapsed().as_secs_f64();
    println!("spark: job finished in {spark_secs:.1} s");

    let step = Instant::now();
    let mut direct = Command::new(&bin);
    direct
        .current_dir(&out)
        .args(["run", "--quiet", "--allow-errors"])
        .args(["corpus.jsonl", "empty.jsonl", "txt", "-o", "direct.jsonl"]);
    if let Some(stages) = &stages {
        direct.args(["--stages", stages]);
    }
    exec(&mut direct)?;
    println!(
        "spark: direct dateline run in {:.2} s",
        step.elapsed().as_secs_f64()
    );

    let step = Instant::now();
    let parts = read_parts(&out.join("spark-jsonl"))?;
    let spark_records = compare(&out, &parts, &corpus, documents)?;
    println!(
        "ok  JSONL: {} records in {} part files ({} empty), equal to the direct run record for record ({} by content, for records without an id)",
        documents,
        parts.len(),
        parts.iter().filter(|p| p.lines.is_empty()).count(),
        corpus.unnamed_lines.len()
    );
    ensure!(
        parts.len() > args.partitions as usize,
        "expected more than {} part files (the JSONL corpus split into at least {}, the empty file, the .txt files), found {}",
        args.partitions,
        args.partitions,
        parts.len()
    );
    ensure!(
        parts.iter().any(|p| p.lines.is_empty()),
        "no empty partition: empty.jsonl should give one"
    );

    check_parquet(&spark, &out.join("spark-parquet"), &spark_records)?;
    println!(
        "ok  Parquet: {documents} rows whose layers equal the JSONL records ({:.1} s)",
        step.elapsed().as_secs_f64()
    );
    println!(
        "spark: passed in {:.1} s (job {spark_secs:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

struct Spark {
    version: String,
    /// The interpreter that has pyspark, for the driver and the workers.
    python: String,
    submit: PathBuf,
}

/// The `java -version` string; installs a headless Java 17 when there is none.
fn java_version(install: bool) -> Result<String> {
    let version = || -> Option<String> {
        let output = Command::new("java").arg("-version").output().ok()?;
        let text = String::from_utf8_lossy(&output.stderr).into_owned();
        let quoted = text.split('"').nth(1)?;
        output.status.success().then(|| quoted.to_owned())
    };
    if let Some(version) = version() {
        return Ok(version);
    }
    ensure!(
        install,
        "no Java runtime (java -version failed); Spark needs Java 17"
    );
    println!("spark: installing Java 17 with apt-get");
    exec(Command::new("apt-get").arg("update"))?;
    exec(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "openjdk-17-jre-headless",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    version().context("java -version still fails after installing openjdk-17-jre-headless")
}

/// The pinned pyspark, installed with pip when another or none is there.
fn pyspark(requirements: &Path, install: bool) -> Result<Spark> {
    let text = fs::read_to_string(requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let pinned = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("pyspark=="))
        .map(str::trim)
        .with_context(|| format!("no pyspark==VERSION line in {}", requirements.display()))?;
    let probe = || -> Result<Option<Spark>> {
        let output = Command::new(PYTHON)
            .args([
                "-c",
                "import os, sys, pyspark\n\
                 print(pyspark.__version__)\n\
                 print(sys.executable)\n\
                 print(os.path.join(os.path.dirname(pyspark.__file__), 'bin', 'spark-submit'))",
            ])
            .stderr(Stdio::null())
            .output()
            .with_context(|| format!("running {PYTHON}"))?;
        if !output.status.success() {
            return Ok(None);
        }
        let text = String::from_utf8(output.stdout)?;
        let mut lines = text.lines();
        let (Some(version), Some(python), Some(submit)) =
            (lines.next(), lines.next(), lines.next())
        else {
            bail!("unexpected answer from the pyspark probe: {text:?}");
        };
        Ok(Some(Spark {
            version: version.to_owned(),
            python: python.to_owned(),
            submit: PathBuf::from(submit),
        }))
    };
    match probe()? {
        Some(spark) if spark.version == pinned => return Ok(spark),
        Some(spark) if !install => {
            bail!("pyspark {} is installed, {pinned} is pinned", spark.version)
        }
        None if !install => bail!(
            "pyspark is not installed ({PYTHON} -m pip install -r {})",
            requirements.display()
        ),
        _ => {}
    }
    println!("spark: installing pyspark {pinned} with pip");
    pip_install(
        PYTHON,
        [std::ffi::OsStr::new("-r"), requirements.as_os_str()],
    )?;
    match probe()? {
        Some(spark) if spark.version == pinned => Ok(spark),
        Some(spark) => bail!("pip installed pyspark {}, not {pinned}", spark.version),
        None => bail!("pyspark does not import after pip install"),
    }
}

/// `None` when the binary has the default stages; else the stages it has
/// (a tree whose tagger is not registered yet still checks the job, only
/// without entities).
fn stages(bin: &Path) -> Result<Option<String>> {
    let output = Command::new(bin)
        .arg("stages")
        .output()
        .context("running dateline stages")?;
    ensure!(output.status.success(), "dateline stages failed");
    let listed = String::from_utf8_lossy(&output.stdout);
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    if names.contains(&"tag") {
        return Ok(None);
    }
    println!("spark: warning: no tag stage in this binary; entities are not checked");
    ensure!(
        names.contains(&"tokenize") && names.contains(&"segment"),
        "dateline lacks the tokenize and segment stages: {names:?}"
    );
    Ok(Some("tokenize,segment".to_owned()))
}

/// One `part-NNNNN` file of the job's JSONL output.
struct Part {
    name: String,
    lines: Vec<String>,
}

fn read_parts(dir: &Path) -> Result<Vec<Part>> {
    ensure!(
        dir.join("_SUCCESS").exists(),
        "{} has no _SUCCESS marker: the job did not finish its output",
        dir.display()
    );
    let mut parts = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !name.starts_with("part-") {
            continue;
        }
        let text =
            fs::read_to_string(dir.join(&name)).with_context(|| format!("reading {name}"))?;
        let lines = text.lines().map(str::to_owned).collect();
        parts.push(Part { name, lines });
    }
    parts.sort_by(|a, b| a.name.cmp(&b.name));
    ensure!(!parts.is_empty(), "no part files in {}", dir.display());
    Ok(parts)
}

/// The id of a JSONL record, or an error naming where it came from.
fn id_of(value: &Value, place: &str) -> Result<String> {
    match value.get("id") {
        Some(Value::String(id)) => Ok(id.clone()),
        _ => bail!("{place}: record without a string id"),
    }
}

/// Parses records into id -> (line, value), failing on a duplicate id.
fn by_id<'a>(
    lines: impl Iterator<Item = (String, &'a str)>,
) -> Result<BTreeMap<String, (&'a str, Value)>> {
    let mut map = BTreeMap::new();
    for (place, line) in lines {
        let value: Value =
            serde_json::from_str(line).with_context(|| format!("{place}: not JSON: {line}"))?;
        let id = id_of(&value, &place)?;
        if map.insert(id.clone(), (line, value)).is_some() {
            bail!("{place}: id {id:?} occurs twice");
        }
    }
    Ok(map)
}

/// The record without its id, as comparable text.
fn without_id(value: &Value) -> String {
    let mut value = value.clone();
    if let Some(object) = value.as_object_mut() {
        object.shift_remove("id");
    }
    value.to_string()
}

/// Checks the Spark records against the direct run's; returns them by id.
fn compare(
    out: &Path,
    parts: &[Part],
    corpus: &corpus::Corpus,
    documents: usize,
) -> Result<BTreeMap<String, Value>> {
    let direct_text = fs::read_to_string(out.join("direct.jsonl"))?;
    let direct = by_id(
        direct_text
            .lines()
            .enumerate()
            .map(|(i, l)| (format!("direct.jsonl:{}", i + 1), l)),
    )?;
    let spark = by_id(parts.iter().flat_map(|p| {
        p.lines
            .iter()
            .enumerate()
            .map(move |(i, l)| (format!("{}:{}", p.name, i + 1), l.as_str()))
    }))?;
    ensure!(
        direct.len() == documents,
        "the direct run wrote {} records for {documents} documents",
        direct.len()
    );
    ensure!(
        spark.len() == documents,
        "the Spark job wrote {} records for {documents} documents",
        spark.len()
    );

    let unnamed: Vec<String> = corpus
        .unnamed_lines
        .iter()
        .map(|n| format!("corpus.jsonl:{n}"))
        .collect();
    let mut mismatches = Vec::new();
    let mut direct_unnamed = Vec::new();
    for (id, (line, value)) in &direct {
        if unnamed.contains(id) {
            direct_unnamed.push(without_id(value));
            continue;
        }
        match spark.get(id) {
            None => mismatches.push(format!("{id}: missing from the Spark output")),
            Some((spark_line, _)) if spark_line != line => mismatches.push(format!(
                "{id}: differs\n  direct: {}\n  spark:  {}",
                clip(line),
                clip(spark_line)
            )),
            Some(_) => {}
        }
    }
    let mut spark_unnamed = Vec::new();
    for (id, (_, value)) in &spark {
        if direct.contains_key(id) && !unnamed.contains(id) {
            continue;
        }
        if !is_part_id(id) {
            mismatches.push(format!("{id}: in the Spark output only"));
            continue;
        }
        spark_unnamed.push(without_id(value));
    }
    direct_unnamed.sort();
    spark_unnamed.sort();
    if direct_unnamed != spark_unnamed {
        mismatches.push(format!(
            "the records without an id differ:\n  direct: {direct_unnamed:?}\n  spark:  {spark_unnamed:?}"
        ));
    }
    if !mismatches.is_empty() {
        bail!(
            "the Spark output differs from the direct run in {} places:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
    }
    Ok(spark.into_iter().map(|(id, (_, v))| (id, v)).collect())
}

/// `part-P:N`: the job's name for the Nth record of partition P with no id.
fn is_part_id(id: &str) -> bool {
    id.strip_prefix("part-")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(p, n)| {
            !p.is_empty()
                && !n.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && n.bytes().all(|b| b.is_ascii_digit())
        })
}

fn clip(line: &str) -> String {
    const MAX: usize = 300;
    match line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{} ...", &line[..i]),
        None => line.to_owned(),
    }
}

/// Spark reads the Parquet table back; each row's layers must equal the
/// JSONL record's (Spark leaves out absent layers, as dateline does).
fn check_parquet(spark: &Spark, table: &Path, records: &BTreeMap<String, Value>) -> Result<()> {
    let output = Command::new(&spark.python)
        .args(["-c", READ_PARQUET])
        .arg(table)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env("PYSPARK_PYTHON", &spark.python)
        .stderr(Stdio::piped())
        .output()
        .context("reading the Parquet table with pyspark")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        output.status.success(),
        "reading the Parquet table failed:\n{stderr}"
    );
    if let Some(line) = stderr.lines().find(|l| l.starts_with("entities column:")) {
        println!("spark: Parquet {line}");
    }
    let text = String::from_utf8(output.stdout)?;
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let row: Value =
            serde_json::from_str(line).with_context(|| format!("Parquet row {}: {line}", i + 1))?;
        let id = id_of(&row, &format!("Parquet row {}", i + 1))?;
        ensure!(seen.insert(id.clone()), "Parquet: id {id:?} occurs twice");
        let record = records
            .get(&id)
            .with_context(|| format!("Parquet: id {id:?} is not in the JSONL output"))?;
        let object = row.as_object().expect("a row is an object");
        for layer in ["text", "tokens", "sentences", "entities", "error"] {
            ensure!(
                object.get(layer) == record.get(layer),
                "Parquet: {id}: {layer} differs from the JSONL record\n  parquet: {}\n  jsonl:   {}",
                clip(&object.get(layer).map_or("absent".into(), Value::to_string)),
                clip(&record.get(layer).map_or("absent".into(), Value::to_string))
            );
        }
    }
    ensure!(
        seen.len() == records.len(),
        "Parquet holds {} rows for {} records",
        seen.len(),
        records.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIRECT: &str = r#"{"id":"a","text":"A","tokens":[{"start":0,"end":1}]}
{"id":"b","text":"B","tokens":[{"start":0,"end":1}],"src":1}
{"id":"corpus.jsonl:3","error":{"kind":"invalid_json","message":"eof"}}
"#;

    fn check(spark: &[&[&str]]) -> Result<BTreeMap<String, Value>> {
        // Tests run in parallel: each gets its own directory.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("dateline-spark-compare-{}-{n}", std::process::id()));
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("direct.jsonl"), DIRECT)?;
        let parts: Vec<Part> = spark
            .iter()
            .enumerate()
            .map(|(i, lines)| Part {
                name: format!("part-{i:05}"),
                lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            })
            .collect();
        let corpus = corpus::Corpus {
            jsonl_records: 3,
            unnamed_lines: vec![3],
            txt_files: 0,
        };
        let result = compare(&dir, &parts, &corpus, 3);
        fs::remove_dir_all(&dir)?;
        result
    }

    const A: &str = r#"{"id":"a","text":"A","tokens":[{"start":0,"end":1}]}"#;
    const B: &str = r#"{"id":"b","text":"B","tokens":[{"start":0,"end":1}],"src":1}"#;
    const UNNAMED: &str =
        r#"{"id":"part-00001:2","error":{"kind":"invalid_json","message":"eof"}}"#;

    #[test]
    fn equal_records_in_any_partition_pass() {
        let records = check(&[&[B], &[], &[A, UNNAMED]]).unwrap();
        assert_eq!(records.len(), 3);
        assert!(records.contains_key("part-00001:2"));
    }

    #[test]
    fn a_lost_record_fails() {
        let e = check(&[&[A], &[UNNAMED]]).unwrap_err().to_string();
        assert!(e.contains("wrote 2 records for 3"), "{e}");
    }

    #[test]
    fn a_duplicated_record_fails() {
        let e = check(&[&[A, B], &[A, UNNAMED]]).unwrap_err().to_string();
        assert!(e.contains("\"a\" occurs twice"), "{e}");
    }

    #[test]
    fn a_changed_record_fails() {
        let changed = B.replace("\"end\":1", "\"end\":2");
        let e = check(&[&[A, &changed, UNNAMED]]).unwrap_err().to_string();
        assert!(e.contains("b: differs"), "{e}");
    }

    #[test]
    fn a_changed_record_without_id_fails() {
        let changed = UNNAMED.replace("eof", "other");
        let e = check(&[&[A, B, &changed]]).unwrap_err().to_string();
        assert!(e.contains("without an id differ"), "{e}");
    }

    #[test]
    fn a_foreign_id_fails() {
        let e = check(&[&[
            A,
            B,
            r#"{"id":"stdin:3","error":{"kind":"invalid_json","message":"eof"}}"#,
        ]])
        .unwrap_err()
        .to_string();
        assert!(e.contains("stdin:3: in the Spark output only"), "{e}");
    }

    #[test]
    fn part_ids() {
        assert!(is_part_id("part-00003:17"));
        for id in ["part-:1", "part-3:", "part-3", "part-x:1", "doc-1"] {
            assert!(!is_part_id(id), "{id}");
        }
    }
}
