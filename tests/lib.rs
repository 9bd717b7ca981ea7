//! Helpers shared by the end-to-end tests: where the fixtures are, and
//! readable views of annotated documents for snapshots.
//!
//! A view prints every span next to the text it covers, so a reviewer
//! checks offsets by eye:
//!
//! ```text
//! sentence 0 [0..46) Senior CPC official meets Mongolian delegation
//!   tokens: Senior|CPC|official|meets|Mongolian|delegation
//!   [7..10) CPC  ORG
//! ```
//!
//! [`view_doc`] renders a [`Doc`] (byte offsets, as stages keep them);
//! [`view_record`] renders a JSONL record as the binary writes it, slicing
//! the text by *character* offsets, so a record with wrong offsets shows
//! the wrong text.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dateline_core::Doc;
use serde_json::Value;

/// The workspace root.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
}

/// The shared fixtures directory.
pub fn fixtures() -> PathBuf {
    workspace_root().join("fixtures")
}

/// The fixture texts, sorted by name (the order `dateline run fixtures/`
/// processes them in).
pub fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/ is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// A readable view of a document's layers, byte offsets.
pub fn view_doc(doc: &Doc) -> String {
    let tokens: Vec<(usize, usize)> = doc
        .tokens()
        .iter()
        .map(|t| (t.span.start as usize, t.span.end as usize))
        .collect();
    let sentences: Vec<(usize, usize)> = doc
        .sentences()
        .iter()
        .map(|s| (s.span.start as usize, s.span.end as usize))
        .collect();
    let entities: Vec<(usize, usize, String)> = doc
        .entities()
        .iter()
        .map(|e| {
            (
                e.span.start as usize,
                e.span.end as usize,
                e.label.to_string(),
            )
        })
        .collect();
    let text = doc.text();
    let slice = |start: usize, end: usize| text[start..end].to_owned();
    view(
        &format!("id: {}", doc.id()),
        &tokens,
        doc.sentences.as_ref().map(|_| sentences.as_slice()),
        doc.entities.as_ref().map(|_| entities.as_slice()),
        &slice,
    )
}

/// A readable view of a JSONL record as the binary writes it: offsets are
/// in characters (the default `--offsets char`). Panics when the record is
/// not one (an error record, or a missing field).
pub fn view_record(record: &Value) -> String {
    let text: Vec<char> = record["text"]
        .as_str()
        .expect("a text field")
        .chars()
        .collect();
    let span = |v: &Value| -> (usize, usize) {
        let n = |key: &str| v[key].as_u64().expect("numeric offsets") as usize;
        (n("start"), n("end"))
    };
    let list = |key: &str| record.get(key).and_then(Value::as_array);
    let tokens: Vec<(usize, usize)> =
        list("tokens").map_or(Vec::new(), |a| a.iter().map(span).collect());
    let sentences: Option<Vec<(usize, usize)>> =
        list("sentences").map(|a| a.iter().map(span).collect());
    let entities: Option<Vec<(usize, usize, String)>> = list("entities").map(|a| {
        a.iter()
            .map(|e| {
                let (start, end) = span(e);
                let covered: String = text[start..end].iter().collect();
                assert_eq!(
                    e["text"].as_str(),
                    Some(covered.as_str()),
                    "entity text matches its offsets"
                );
                (start, end, e["label"].as_str().expect("a label").to_owned())
            })
            .collect()
    });
    let mut header = format!("id: {}", record["id"].as_str().expect("an id"));
    if let Some(object) = record.as_object() {
        let known = ["id", "text", "tokens", "sentences", "entities"];
        for (key, value) in object.iter().filter(|(k, _)| !known.contains(&k.as_str())) {
            write!(header, "\n{key}: {value}").unwrap();
        }
    }
    let slice = |start: usize, end: usize| text[start..end].iter().collect::<String>();
    view(
        &header,
        &tokens,
        sentences.as_deref(),
        entities.as_deref(),
        &slice,
    )
}

/// The view itself, over spans in any unit and a way to slice the text.
fn view(
    header: &str,
    tokens: &[(usize, usize)],
    sentences: Option<&[(usize, usize)]>,
    entities: Option<&[(usize, usize, String)]>,
    slice: &dyn Fn(usize, usize) -> String,
) -> String {
    let mut out = String::new();
    writeln!(out, "{header}").unwrap();
    writeln!(out, "tokens: {}", tokens.len()).unwrap();
    let one_line = |s: String| s.replace('\n', "\u{21b5}");
    let whole = [(0usize, usize::MAX)];
    let groups: &[(usize, usize)] = match sentences {
        Some(sentences) => {
            writeln!(out, "sentences: {}", sentences.len()).unwrap();
            sentences
        }
        None => &whole,
    };
    let entities = entities.unwrap_or(&[]);
    for (i, &(start, end)) in groups.iter().enumerate() {
        if sentences.is_some() {
            writeln!(
                out,
                "\nsentence {i} [{start}..{end}) {}",
                one_line(slice(start, end))
            )
            .unwrap();
        } else {
            out.push('\n');
        }
        let inside: Vec<String> = tokens
            .iter()
            .filter(|&&(s, e)| start <= s && e <= end)
            .map(|&(s, e)| slice(s, e))
            .collect();
        writeln!(out, "  tokens: {}", inside.join("|")).unwrap();
        for (s, e, label) in entities.iter().filter(|(s, e, _)| start <= *s && *e <= end) {
            writeln!(out, "  [{s}..{e}) {}  {label}", slice(*s, *e)).unwrap();
        }
    }
    out
}

/// A directory under the system temp dir, removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty directory whose name starts with `prefix`.
    pub fn new(prefix: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `content` to `name` (parents created) and returns its path.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating parent directories");
        }
        std::fs::write(&path, content).expect("writing a temporary file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
