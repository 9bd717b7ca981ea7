//! Where the workspace, its target directory and the shared data live; how
//! a measuring command gets itself run from a release build; and running the
//! tools a command drives (cargo, pip, the dateline binary).

use std::path::PathBuf;

use std::process::Command;

use anyhow::{ensure, Context, Result};

/// The workspace root (xtask's parent directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// Cargo's target directory: `$CARGO_TARGET_DIR`, else `target/` in the workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Runs `command` to completion and fails unless it succeeded.
pub fn exec(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    ensure!(status.success(), "{command:?} failed with {status}");
    Ok(())
}

/// `python -m pip install --quiet ARGS` (packages, or `-r FILE`).
pub fn pip_install<S: AsRef<std::ffi::OsStr>>(
    python: impl AsRef<std::ffi::OsStr>,
    args: impl IntoIterator<Item = S>,
) -> Result<()> {
    exec(
        Command::new(python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(args),
    )
}

/// Builds the `dateline` binary, in release mode or not, and returns its path.
pub fn build_dateline(release: bool) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root())
        .args(["build", "-p", "dateline"]);
    if release {
        command.arg("--release");
    }
    exec(&mut command)?;
    Ok(target_dir()
        .join(if release { "release" } else { "debug" })
        .join("dateline"))
}

/// `../shared/data` beside the workspace, or `$DATELINE_DATA`.
pub fn shared_data() -> Result<PathBuf> {
    let dir = match std::env::var_os("DATELINE_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared/data"),
    };
    ensure!(
        dir.is_dir(),
        "shared data not found at {} (set DATELINE_DATA to its folder)",
        dir.display()
    );
    Ok(dir)
}

/// Re-runs this xtask command from a release build when this is a debug
/// build, since timings of a debug build mean nothing. Returns `true` when
/// it did (the caller is then done), `false` in a release build.
pub fn rerun_in_release(command: &str) -> Result<bool> {
    if !cfg!(debug_assertions) {
        return Ok(false);
    }
    let status = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "xtask",
            "--",
            command,
        ])
        .args(std::env::args().skip(2))
        .status()
        .context("running the release build of xtask")?;
    ensure!(
        status.success(),
        "release build of `cargo xtask {command}` failed"
    );
    Ok(true)
}
