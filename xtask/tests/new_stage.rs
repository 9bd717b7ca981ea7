//! `cargo xtask new-stage` end to end, on a copy of the workspace: scaffold
//! a stage, then build, lint and test the whole workspace with it, and run
//! it through the `dateline` binary.
//!
//! Slow (it builds the workspace again under another path), so it is
//! ignored by default; CI runs it with
//! `cargo test -p xtask --test new_stage -- --ignored`.
//!
//! The copy holds the files git knows of (tracked and untracked but not
//! ignored), so `target/` stays out. It builds into a target directory of
//! its own beside the copy: the copy's crates have the same names and
//! versions as the workspace's, and cargo, given one target directory for
//! both, can mistake one's artifacts for the other's. The copy's path is
//! fixed, so a second run is incremental.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{ensure, Context, Result};
use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where the copy builds: never the workspace's own target directory.
fn copy_target_dir() -> PathBuf {
    target_dir().join("new-stage-test/target")
}

/// Copies the workspace's files (as git lists them) to `to`, replacing it.
fn copy_workspace(to: &Path) -> Result<()> {
    let root = workspace_root();
    if to.exists() {
        fs::remove_dir_all(to).with_context(|| format!("removing {}", to.display()))?;
    }
    let listed = Command::new("git")
        .current_dir(&root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .context("running git ls-files")?;
    ensure!(listed.status.success(), "git ls-files failed");
    for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name)?;
        let from = root.join(name);
        // A tracked file deleted in the working tree is not part of it.
        if !from.is_file() {
            continue;
        }
        let dest = to.join(name);
        fs::create_dir_all(dest.parent().unwrap())?;
        fs::copy(&from, &dest).with_context(|| format!("copying {name}"))?;
    }
    Ok(())
}

/// Runs cargo in `dir` and fails with its output unless it succeeds.
fn cargo(dir: &Path, args: &[&str]) -> Result<Output> {
    let output = Command::new(env!("CARGO"))
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", copy_target_dir())
        .env("INSTA_UPDATE", "no")
        .output()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    ensure!(
        output.status.success(),
        "cargo {} failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

#[test]
#[ignore = "slow: builds and tests a copy of the workspace (run with --ignored)"]
fn new_stage_builds_tests_and_runs_in_a_copy_of_the_workspace() -> Result<()> {
    let ws = target_dir().join("new-stage-test/workspace");
    copy_workspace(&ws)?;

    let scaffold = cargo(&ws, &["xtask", "new-stage", "keywords"])?;
    let said = String::from_utf8_lossy(&scaffold.stdout);
    assert!(said.contains("review the snapshots"), "{said}");
    let krate = ws.join("crates/dateline-keywords");
    for file in [
        "Cargo.toml",
        "README.md",
        "src/lib.rs",
        "tests/snapshots.rs",
        "examples/keywords.rs",
        "tests/snapshots/snapshots__fixtures@seed-article.txt.snap",
    ] {
        assert!(krate.join(file).is_file(), "{file} not written");
    }

    // The scaffolder refuses the name it has just used, and bad names.
    for (name, why) in [
        ("keywords", "already"),
        ("tag", "already"),
        ("Key_Words", "not a valid"),
    ] {
        let output = Command::new(env!("CARGO"))
            .current_dir(&ws)
            .args(["xtask", "new-stage", name, "--no-test"])
            .env("CARGO_TARGET_DIR", copy_target_dir())
            .output()?;
        assert!(!output.status.success(), "{name} accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(why), "{name}: {stderr}");
    }

    cargo(
        &ws,
        &[
            "fmt",
            "-p",
            "dateline-keywords",
            "-p",
            "dateline",
            "--",
            "--check",
        ],
    )?;
    cargo(
        &ws,
        &[
            "clippy",
            "-p",
            "dateline-keywords",
            "-p",
            "dateline",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    cargo(&ws, &["test", "--workspace"])?;

    let run = cargo(
        &ws,
        &[
            "run",
            "--quiet",
            "-p",
            "dateline",
            "--",
            "run",
            "--quiet",
            "--stages",
            "tokenize,segment,tag,keywords",
            "fixtures/",
        ],
    )?;
    let records: Vec<Value> = String::from_utf8(run.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let fixtures = fs::read_dir(ws.join("fixtures"))?
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "txt"))
        })
        .count();
    assert_eq!(records.len(), fixtures);
    let seed = records
        .iter()
        .find(|r| r["id"] == "seed-article.txt")
        .context("no record of the seed article")?;
    assert!(seed["entities"].as_array().is_some_and(|e| !e.is_empty()));
    let keywords = seed["keywords"]
        .as_array()
        .context("no keywords layer on the seed article")?;
    assert!(!keywords.is_empty());
    assert!(keywords
        .iter()
        .any(|k| k["text"] == "party" && k["count"].as_u64() > Some(1)));

    let stages = cargo(&ws, &["run", "--quiet", "-p", "dateline", "--", "stages"])?;
    assert!(String::from_utf8(stages.stdout)?
        .lines()
        .any(|l| l.starts_with("keywords ") && l.contains("needs tokens,sentences")));
    Ok(())
}
