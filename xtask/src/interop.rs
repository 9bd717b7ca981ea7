//! `cargo xtask interop`: every output format of `dateline run`, opened by
//! the program its users open it with, instead of by dateline's own
//! readers.
//!
//! - jsonl (char, byte and utf16 offsets): Python slices the text with each
//!   offset (`text[s:e]`, UTF-8 bytes, UTF-16 code units) and checks tokens
//!   cover the text and every entity's `text` is its slice.
//! - json: the array holds exactly the JSONL records.
//! - conllu: the PyPI `conllu` parser reads it; the text rebuilt from the
//!   tokens and their spacing equals each input file, `# text` matches the
//!   tokens, NER tags are valid IOB2.
//! - brat: a re-reader checks every `T` line's text equals its slice of the
//!   `.txt` (Python character offsets) and its type is in `annotation.conf`.
//! - text: stripping the inline markup gives back each sentence.
//! - html: headless Chromium loads the seed article's page; the rendered DOM
//!   has the same entities and labels as the JSONL output and a `<script>`
//!   input shows as text with no script element; `index.html` links every
//!   page; a screenshot is taken (`--update-docs` copies it to
//!   `docs/seed-article.png`, which the README shows).
//! - conll: CoNLL-2003 through `--input-format conll --format conll`; the
//!   input columns come back unchanged with the prediction appended, and a
//!   conlleval re-implementation in Python scores it with the same numbers
//!   as `dateline::eval::conlleval` (the scorer of `cargo xtask eval`), on
//!   all labels and in the gold file's label scheme (xtask eval's figures).
//!
//! It installs what is missing: the `conllu` package with pip, and Debian's
//! `chromium` with apt-get.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, ensure, Context, Result};
use dateline::eval::conlleval::EntityScores;
use dateline::eval::user::conll_scheme;
use serde_json::Value;

use crate::paths::{build_dateline, exec, pip_install, shared_data, target_dir, workspace_root};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A dateline binary to check (default: build it with cargo)
    #[arg(long, value_name = "PATH")]
    bin: Option<PathBuf>,
    /// Build the binary with the release profile
    #[arg(long)]
    release: bool,
    /// Directory for the outputs, emptied first (default: target/interop)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// CoNLL-2003 split the conll check runs on
    #[arg(long, default_value = "dev")]
    split: String,
    /// Fail instead of installing a missing tool (pip conllu, apt chromium)
    #[arg(long)]
    no_install: bool,
    /// Copy the seed article's screenshot to docs/seed-article.png (it is
    /// always taken, into the output directory)
    #[arg(long)]
    update_docs: bool,
}

const CHROMIUM: &str = "/usr/bin/chromium";

struct Ctx {
    root: PathBuf,
    out: PathBuf,
    bin: PathBuf,
    stages: String,
    script: PathBuf,
    fixtures: PathBuf,
}

impl Ctx {
    /// `dateline run` with the given arguments, in the fixture-wide stage set.
    fn dateline(&self, args: &[&str]) -> Result<()> {
        let mut command = Command::new(&self.bin);
        command
            .arg("run")
            .args(["--quiet", "--stages", &self.stages])
            .args(args);
        exec(&mut command)
    }

    /// Runs a subcommand of the Python checker and returns its JSON report.
    fn python(&self, args: &[&str]) -> Result<Value> {
        let output = Command::new("python3")
            .arg(&self.script)
            .args(args)
            .output()
            .context("running python3")?;
        ensure!(
            output.status.success(),
            "check.py {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(serde_json::from_slice(&output.stdout)?)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }
}

fn s(path: &Path) -> &str {
    path.to_str().expect("paths under the workspace are UTF-8")
}

pub fn run(args: Args) -> Result<()> {
    let root = workspace_root();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| target_dir().join("interop"));
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("emptying {}", out.display()))?;
    }
    fs::create_dir_all(&out)?;

    let bin = match &args.bin {
        Some(bin) => bin.clone(),
        None => build_dateline(args.release)?,
    };
    let stages = stages(&bin)?;
    if !args.no_install {
        install_tools()?;
    }
    let ctx = Ctx {
        script: root.join("xtask/interop/check.py"),
        fixtures: root.join("fixtures"),
        root,
        out,
        bin,
        stages,
    };
    println!(
        "interop: {} with --stages {}, outputs in {}",
        ctx.bin.display(),
        ctx.stages,
        ctx.out.display()
    );

    let jsonl = check_jsonl(&ctx)?;
    check_json(&ctx)?;
    check_conllu(&ctx)?;
    check_brat(&ctx)?;
    check_text(&ctx)?;
    check_html(&ctx, &jsonl, args.update_docs)?;
    check_conll(&ctx, &args.split)?;
    println!("interop: every format passed its consumer");
    Ok(())
}

/// The default stages when the binary has them all, else those it has (a
/// tree where the tagger is not registered yet still checks every format,
/// only without entities).
fn stages(bin: &Path) -> Result<String> {
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
    let wanted: Vec<&str> = ["tokenize", "segment", "tag"]
        .into_iter()
        .filter(|s| names.contains(s))
        .collect();
    if !wanted.contains(&"tag") {
        println!("interop: warning: no tag stage in this binary; entities are not checked");
    }
    ensure!(
        wanted.len() >= 2,
        "dateline lacks the tokenize and segment stages: {names:?}"
    );
    Ok(wanted.join(","))
}

fn install_tools() -> Result<()> {
    let has_conllu = Command::new("python3")
        .args(["-c", "import conllu"])
        .stderr(Stdio::null())
        .status()
        .context("running python3")?
        .success();
    if !has_conllu {
        println!("interop: installing the conllu package with pip");
        pip_install("python3", ["conllu"])?;
    }
    if !Path::new(CHROMIUM).exists() {
        println!("interop: installing chromium with apt-get");
        exec(Command::new("apt-get").arg("update"))?;
        exec(
            Command::new("apt-get")
                .args(["install", "-y", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
    }
    Ok(())
}

/// JSONL in every offset unit, sliced by Python. Returns the char report.
fn check_jsonl(ctx: &Ctx) -> Result<Value> {
    let mut char_report = Value::Null;
    for unit in ["char", "byte", "utf16"] {
        let file = ctx.path(&format!("fixtures-{unit}.jsonl"));
        ctx.dateline(&[s(&ctx.fixtures), "--offsets", unit, "-o", s(&file)])?;
        let report = ctx.python(&[
            "jsonl",
            s(&file),
            "--offsets",
            unit,
            "--texts",
            s(&ctx.fixtures),
        ])?;
        println!(
            "ok  jsonl --offsets {unit:<5}  {} documents, {} tokens, {} entities: every span is its Python slice",
            report["documents"], report["tokens"], report["entities"]
        );
        if unit == "char" {
            char_report = report;
        }
    }
    Ok(char_report)
}

fn check_json(ctx: &Ctx) -> Result<()> {
    let file = ctx.path("fixtures.json");
    ctx.dateline(&[s(&ctx.fixtures), "--format", "json", "-o", s(&file)])?;
    let array: Vec<Value> = serde_json::from_slice(&fs::read(&file)?)
        .context("the json output is not one JSON array")?;
    let jsonl = fs::read_to_string(ctx.path("fixtures-char.jsonl"))?;
    let records: Vec<Value> = jsonl
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    ensure!(
        array == records,
        "the json array differs from the jsonl records"
    );
    println!(
        "ok  json                {} records in one array, equal to the JSONL records",
        array.len()
    );
    Ok(())
}

fn check_conllu(ctx: &Ctx) -> Result<()> {
    let file = ctx.path("fixtures.conllu");
    ctx.dateline(&[s(&ctx.fixtures), "--format", "conllu", "-o", s(&file)])?;
    let report = ctx.python(&["conllu", s(&file), "--texts", s(&ctx.fixtures)])?;
    println!(
        "ok  conllu              PyPI conllu parsed {} documents, {} sentences, {} tokens, {} entities; text rebuilt = input",
        report["documents"], report["sentences"], report["tokens"], report["entities"]
    );
    Ok(())
}

fn check_brat(ctx: &Ctx) -> Result<()> {
    let dir = ctx.path("brat");
    ctx.dateline(&[s(&ctx.fixtures), "--format", "brat", "-o", s(&dir)])?;
    let report = ctx.python(&["brat", s(&dir), "--texts", s(&ctx.fixtures)])?;
    println!(
        "ok  brat                {} documents, {} T lines ({} fragments): each text = its .txt slice, types in annotation.conf",
        report["documents"], report["annotations"], report["fragments"]
    );
    Ok(())
}

fn check_text(ctx: &Ctx) -> Result<()> {
    let file = ctx.path("fixtures.txt");
    ctx.dateline(&[s(&ctx.fixtures), "--format", "text", "-o", s(&file)])?;
    let report = ctx.python(&[
        "text",
        s(&file),
        "--jsonl",
        s(&ctx.path("fixtures-char.jsonl")),
    ])?;
    println!(
        "ok  text                {} documents, {} marked entities: markup stripped = each sentence",
        report["documents"], report["entities"]
    );
    Ok(())
}

/// Loads a page in headless Chromium and returns the DOM it rendered.
fn chromium(ctx: &Ctx, page: &Path, extra: &[&str]) -> Result<String> {
    let profile = ctx
        .out
        .join(format!("chromium-profile-{}", std::process::id()));
    let _ = fs::remove_dir_all(&profile);
    let url = format!("file://{}", s(&fs::canonicalize(page)?));
    let output = Command::new("timeout")
        .arg("120")
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", s(&profile)))
        .args(extra)
        .arg(&url)
        .output()
        .context("running chromium")?;
    let _ = fs::remove_dir_all(&profile);
    ensure!(
        output.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

fn check_html(ctx: &Ctx, jsonl: &Value, update_docs: bool) -> Result<()> {
    let dir = ctx.path("html");
    ctx.dateline(&[
        s(&ctx.fixtures),
        "--format",
        "html",
        "--html-sentences",
        "-o",
        s(&dir),
    ])?;
    let page = find(&dir, "-seed-article.html")?;
    let dom_file = ctx.path("seed-article.dom.html");
    fs::write(&dom_file, chromium(ctx, &page, &["--dump-dom"])?)?;
    let dom = ctx.python(&["dom", s(&dom_file)])?;
    let expected = &jsonl["per_doc"]["seed-article.txt"];
    ensure!(
        dom["sorted_labels"] == *expected,
        "Chromium shows entities {} but the JSONL has {}",
        dom["sorted_labels"],
        expected
    );
    let records = fs::read_to_string(ctx.path("fixtures-char.jsonl"))?;
    let seed: Value = records
        .lines()
        .map(serde_json::from_str::<Value>)
        .find(|r| r.as_ref().is_ok_and(|r| r["id"] == "seed-article.txt"))
        .context("no seed article in the JSONL")??;
    let sentences = seed["sentences"].as_array().map_or(0, Vec::len);
    ensure!(
        dom["sentences"] == sentences,
        "Chromium shows {} sentences, the JSONL has {sentences}",
        dom["sentences"]
    );
    println!(
        "ok  html                Chromium renders the seed article with {} entities {} and {} sentences, as in the JSONL",
        dom["entities"], dom["labels"], dom["sentences"]
    );

    let index_dom = ctx.path("index.dom.html");
    fs::write(
        &index_dom,
        chromium(ctx, &dir.join("index.html"), &["--dump-dom"])?,
    )?;
    let index = ctx.python(&["dom", s(&index_dom)])?;
    let links: Vec<&str> = index["links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    ensure!(
        links.len() == 6,
        "index.html links {} pages, not 6",
        links.len()
    );
    for link in &links {
        ensure!(
            dir.join(link).is_file(),
            "index.html links {link}, which does not exist"
        );
    }
    println!("ok  html index          Chromium renders index.html with {} links, each to an existing page", links.len());

    let hostile = ctx.path("hostile");
    fs::create_dir_all(&hostile)?;
    let payload = "<script>document.title='owned'</script><img src=x onerror=alert(1)> & Cai Qi met \"Sodbaatar\" in Beijing.";
    fs::write(hostile.join("hostile.txt"), payload)?;
    let hostile_out = ctx.path("hostile-html");
    ctx.dateline(&[
        s(&hostile.join("hostile.txt")),
        "--format",
        "html",
        "-o",
        s(&hostile_out),
    ])?;
    let dom_file = ctx.path("hostile.dom.html");
    fs::write(
        &dom_file,
        chromium(ctx, &find(&hostile_out, "hostile.html")?, &["--dump-dom"])?,
    )?;
    let report = ctx.python(&[
        "dom",
        s(&dom_file),
        "--contains",
        "<script>document.title='owned'</script><img src=x onerror=alert(1)> & ",
    ])?;
    ensure!(report["scripts"] == 0, "a script element reached the DOM");
    let raw = fs::read_to_string(&dom_file)?;
    ensure!(!raw.contains("<img"), "an img element reached the DOM");
    println!("ok  html escaping       input holding <script> and <img onerror> shows as text; no such element in the DOM");

    let shot = ctx.path("seed-article.png");
    chromium(
        ctx,
        &page,
        &[
            &format!("--screenshot={}", s(&shot)),
            "--window-size=1280,1700",
        ],
    )?;
    ensure!(
        fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "chromium wrote no screenshot"
    );
    if update_docs {
        let png = ctx.root.join("docs/seed-article.png");
        fs::create_dir_all(png.parent().expect("docs/ has a parent"))?;
        fs::copy(&shot, &png)?;
        println!(
            "ok  html screenshot     {} (copied to {})",
            shot.display(),
            png.display()
        );
    } else {
        println!(
            "ok  html screenshot     {} (--update-docs copies it to docs/)",
            shot.display()
        );
    }
    Ok(())
}

/// Entity scores of a CoNLL file with gold and predicted tags as its last
/// two columns, by `dateline::eval::conlleval`; predicted labels outside
/// `scheme` (when given) count as `O`.
fn rust_conlleval(file: &Path, scheme: Option<&[String]>) -> Result<EntityScores> {
    let mut scores = EntityScores::default();
    let (mut gold, mut predicted) = (Vec::new(), Vec::new());
    for line in BufReader::new(fs::File::open(file)?).lines() {
        let line = line?;
        let columns: Vec<&str> = line.split_whitespace().collect();
        if columns.is_empty() || columns[0] == "-DOCSTART-" {
            if !gold.is_empty() {
                scores.add_sequence(&gold, &predicted);
                gold.clear();
                predicted.clear();
            }
            continue;
        }
        gold.push(columns[columns.len() - 2].to_owned());
        let tag = columns[columns.len() - 1];
        let outside = match (scheme, tag.split_once('-')) {
            (Some(scheme), Some((_, label))) => !scheme.iter().any(|l| l == label),
            _ => false,
        };
        predicted.push(if outside {
            "O".to_owned()
        } else {
            tag.to_owned()
        });
    }
    if !gold.is_empty() {
        scores.add_sequence(&gold, &predicted);
    }
    Ok(scores)
}

/// The one file in `dir` whose name ends with `suffix`.
fn find(dir: &Path, suffix: &str) -> Result<PathBuf> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.to_str().is_some_and(|p| p.ends_with(suffix)) {
            return Ok(path);
        }
    }
    bail!("no *{suffix} in {}", dir.display())
}

fn check_conll(ctx: &Ctx, split: &str) -> Result<()> {
    let input = shared_data()?.join(format!("conll2003/{split}.txt"));
    let file = ctx.path(&format!("conll2003-{split}.conll"));
    // Tokens and sentences come from the file: only the tagger runs.
    let stages = if ctx.stages.contains("tag") {
        "tag"
    } else {
        ""
    };
    exec(Command::new(&ctx.bin).args([
        "run",
        "--quiet",
        "--input-format",
        "conll",
        "--stages",
        stages,
        "--format",
        "conll",
        s(&input),
        "-o",
        s(&file),
    ]))?;

    // The input columns come back unchanged, one more column appended.
    let (inp, outp) = (
        BufReader::new(fs::File::open(&input)?),
        BufReader::new(fs::File::open(&file)?),
    );
    let mut out_lines = outp.lines();
    let mut compared = 0u64;
    for (n, line) in inp.lines().enumerate() {
        let line = line?;
        let line = line.trim();
        // The -DOCSTART- line is regenerated with as many columns as the
        // token lines (conlleval needs that), not copied.
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            continue;
        }
        let written = loop {
            match out_lines.next().transpose()? {
                Some(l) if l.trim().is_empty() || l.starts_with("-DOCSTART-") => continue,
                Some(l) => break l,
                None => bail!(
                    "{}: output ends before input line {}",
                    file.display(),
                    n + 1
                ),
            }
        };
        let kept = written.rsplit_once(' ').map_or("", |(kept, _)| kept);
        ensure!(
            kept == line,
            "input line {} {line:?} came back as {written:?}",
            n + 1
        );
        compared += 1;
    }

    // Scored by Python's conlleval re-implementation and by dateline's,
    // on all predicted labels (what conlleval.pl reports on this file) and
    // in the gold file's label scheme (what `cargo xtask eval` reports).
    let scheme = conll_scheme(BufReader::new(fs::File::open(&input)?), s(&input))?;
    let mut report = String::new();
    for restrict in [false, true] {
        let mut args = vec!["conlleval", s(&file)];
        let joined = scheme.join(",");
        if restrict {
            args.extend(["--scheme", &joined]);
        }
        let python = ctx.python(&args)?;
        let ours =
            serde_json::to_value(rust_conlleval(&file, restrict.then_some(&scheme[..]))?.overall)?;
        let overall = &python["overall"];
        for key in ["gold", "predicted", "correct"] {
            ensure!(
                overall[key] == ours[key],
                "conlleval.py ({}) and dateline::eval ({}) disagree on {key}",
                overall[key],
                ours[key]
            );
        }
        report.push_str(&format!(
            "\n    {:<28} P {} R {} F1 {} ({} gold, {} predicted, {} correct)",
            if restrict {
                format!("labels {joined}:")
            } else {
                "all labels:".to_owned()
            },
            overall["precision"],
            overall["recall"],
            overall["f1"],
            overall["gold"],
            overall["predicted"],
            overall["correct"]
        ));
    }
    println!(
        "ok  conll               {compared} CoNLL-2003 {split} lines kept with a tag appended; \
         conlleval.py and dateline::eval agree:{report}"
    );
    Ok(())
}
