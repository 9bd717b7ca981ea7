//! Running the `dateline` binary from this package, and checking what it
//! wrote.
//!
//! Cargo hands a package's own binaries to its integration tests
//! (`CARGO_BIN_EXE_*`), but `dateline` belongs to another package, so the
//! binary is built here once per test process with the same cargo and
//! profile that built the test, then found beside the test executable.
//! `DATELINE_BIN` overrides that (a CI that built it already).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use dateline_core::{validate, OffsetUnit};
use dateline_render::read::JsonlReader;
use dateline_tests::workspace_root;
use serde_json::Value;

/// The `dateline` binary, built on first use.
pub fn dateline_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("DATELINE_BIN") {
            return PathBuf::from(path);
        }
        // The test runs from <target>/<profile>/deps/NAME-HASH.
        let exe = std::env::current_exe().expect("the test's own path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("a test executable inside a target directory");
        let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        build
            .current_dir(workspace_root())
            .args([
                "build",
                "--quiet",
                "--package",
                "dateline",
                "--bin",
                "dateline",
            ])
            .stdin(Stdio::null());
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("running cargo build");
        assert!(status.success(), "building the dateline binary failed");
        let bin = profile_dir.join("dateline");
        assert!(bin.is_file(), "no binary at {}", bin.display());
        bin
    })
}

/// `dateline` with the workspace as its working directory.
pub fn dateline() -> Command {
    let mut command = Command::new(dateline_bin());
    command.current_dir(workspace_root());
    command
}

/// One output record, checked: an error record has a non-empty `kind` and
/// `message` and nothing else besides `id`; any other record reads back
/// with `JsonlReader` (whose documents pass `validate`), with every layer
/// of the default pipeline present.
#[derive(Debug)]
pub enum Record {
    Doc {
        id: String,
        doc: Box<dateline_core::Doc>,
    },
    Error {
        id: String,
        kind: String,
        message: String,
    },
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Doc { id, .. } | Record::Error { id, .. } => id,
        }
    }
}

/// Parses and checks every line of JSONL output (character offsets).
pub fn records(output: &[u8]) -> Vec<Record> {
    output
        .lines()
        .map(|line| {
            let line = line.expect("UTF-8 output");
            let value: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("an output line is not JSON ({e}): {line:.200}"));
            let id = value["id"]
                .as_str()
                .expect("every record has an id")
                .to_owned();
            if let Some(error) = value.get("error") {
                let object = value.as_object().unwrap();
                assert_eq!(
                    object.len(),
                    2,
                    "an error record is id and error: {line:.200}"
                );
                let kind = error["kind"].as_str().unwrap_or_default().to_owned();
                let message = error["message"].as_str().unwrap_or_default().to_owned();
                assert!(!kind.is_empty() && !message.is_empty(), "{line:.200}");
                return Record::Error { id, kind, message };
            }
            let mut docs: Vec<_> =
                JsonlReader::new(line.as_bytes(), "output", OffsetUnit::Char).collect();
            assert_eq!(docs.len(), 1);
            let doc = docs
                .pop()
                .unwrap()
                .unwrap_or_else(|e| panic!("record {id} does not read back: {e}"));
            validate(&doc).expect("read-back documents are valid");
            assert!(
                doc.tokens.is_some() && doc.sentences.is_some() && doc.entities.is_some(),
                "record {id} lacks a layer"
            );
            Record::Doc {
                id,
                doc: Box::new(doc),
            }
        })
        .collect()
}
