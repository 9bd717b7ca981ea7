//! Layout rules `cargo test` enforces, read from `cargo metadata`:
//!
//! - every crate under `crates/` is a workspace member with `publish = false`;
//! - a library crate under `crates/` other than the driver depends (normal
//!   dependencies) on no dateline crate but `dateline-core`, so each stage
//!   can be used alone;
//! - no crate under `crates/` depends on the driver, even to test;
//! - `cargo test -p dateline-tokenize` pulls in no other dateline crate
//!   than `dateline-core`, not even through its dev-dependencies.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn metadata() -> Value {
    let output = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A package's dependencies of one kind (`None` = normal) on dateline crates.
fn dateline_deps<'a>(package: &'a Value, kind: Option<&str>) -> BTreeSet<&'a str> {
    package["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"].as_str() == kind)
        .filter_map(|d| d["name"].as_str())
        .filter(|name| *name == "dateline" || name.starts_with("dateline-"))
        .collect()
}

/// The packages whose manifest sits in `crates/NAME/`, by folder name.
fn crate_packages(metadata: &Value) -> Vec<(String, &Value)> {
    let crates = workspace_root().join("crates");
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let manifest = PathBuf::from(p["manifest_path"].as_str()?);
            let dir = manifest.parent()?;
            (dir.parent()? == crates)
                .then(|| (dir.file_name().unwrap().to_string_lossy().into_owned(), p))
        })
        .collect()
}

#[test]
fn every_crate_is_an_unpublished_workspace_member_named_after_its_folder() {
    let metadata = metadata();
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let packages = crate_packages(&metadata);
    let folders: BTreeSet<String> = std::fs::read_dir(workspace_root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let found: BTreeSet<String> = packages.iter().map(|(f, _)| f.clone()).collect();
    assert_eq!(
        folders, found,
        "every crates/*/Cargo.toml must be a workspace member (add it to the root Cargo.toml)"
    );
    for (folder, package) in &packages {
        assert!(
            members.contains(package["id"].as_str().unwrap()),
            "{folder} is not a workspace member"
        );
        assert_eq!(package["name"], folder.as_str(), "folder name = crate name");
        assert_eq!(
            package["publish"],
            serde_json::json!([]),
            "{folder} must say publish = false (publish.workspace = true)"
        );
    }
}

#[test]
fn stage_crates_depend_on_core_alone() {
    let metadata = metadata();
    let packages = crate_packages(&metadata);
    assert!(packages.len() >= 6, "{} crates found", packages.len());
    for (folder, package) in &packages {
        if folder == "dateline" {
            continue;
        }
        let normal = dateline_deps(package, None);
        assert!(
            normal.iter().all(|d| *d == "dateline-core"),
            "{folder} depends on {normal:?}: a stage crate may use dateline-core only, \
             so it can be used alone (stages never depend on each other or on the driver)"
        );
        let dev = dateline_deps(package, Some("dev"));
        assert!(
            !dev.contains("dateline"),
            "{folder} depends on the driver to test; test through the stages it needs"
        );
    }
}

#[test]
fn the_tokenizer_builds_and_tests_with_core_alone() {
    let metadata = metadata();
    let packages = crate_packages(&metadata);
    for folder in ["dateline-core", "dateline-tokenize"] {
        let (_, package) = packages
            .iter()
            .find(|(f, _)| f == folder)
            .unwrap_or_else(|| panic!("{folder} not found"));
        let all: BTreeSet<&str> = [None, Some("dev"), Some("build")]
            .into_iter()
            .flat_map(|kind| dateline_deps(package, kind))
            .collect();
        assert!(
            all.iter().all(|d| *d == "dateline-core"),
            "cargo test -p {folder} would build {all:?}"
        );
    }
}
