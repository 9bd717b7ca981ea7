//! Where the workspace and the shared data live.

use std::path::PathBuf;

use anyhow::{ensure, Result};

/// The workspace root (xtask's parent directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
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
