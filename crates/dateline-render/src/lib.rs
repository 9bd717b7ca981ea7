//! The principal type in this crate is a [`Renderer`]: it turns annotated
//! [`Doc`]s into one of the formats NLP tools read — JSONL/JSON, CoNLL-2003,
//! CoNLL-U, brat standoff, a self-contained HTML entity viewer, or inline
//! text — one document at a time, so a corpus of any size streams through
//! bounded memory. The [`read`] module reads the annotated formats back.
//!
//! ```
//! use dateline_core::{Doc, Entity, Label, Sentence, Span, Token, TokenKind};
//! use dateline_render::{Format, Output, RenderOptions, Renderer};
//!
//! let mut doc = Doc::new("seed", "Cai Qi met.")?;
//! let spans = [(0, 3), (4, 6), (7, 10), (10, 11)];
//! doc.tokens = Some(spans.iter().map(|&(s, e)| Token::new(Span::new(s, e), TokenKind::Word)).collect());
//! doc.sentences = Some(vec![Sentence { span: Span::new(0, 11), first_token: 0, end_token: 4 }]);
//! doc.entities = Some(vec![Entity {
//!     span: Span::new(0, 6), first_token: 0, end_token: 2, label: Label::Per,
//!     source: "rules", confidence: None,
//! }]);
//!
//! let renderer = Renderer::new(Format::Text, RenderOptions::default());
//! let mut out = Output::default();
//! renderer.render(&doc, 0, &mut out)?;
//! assert_eq!(String::from_utf8(out.bytes)?, "[Cai Qi](PER) met.\n\n");
//!
//! let renderer = Renderer::new("jsonl".parse()?, RenderOptions::default());
//! let mut out = Output::default();
//! renderer.render(&doc, 0, &mut out)?;
//! assert!(out.bytes.starts_with(br#"{"id":"seed","text":"Cai Qi met.","tokens":[{"start":0,"end":3},"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Driving a renderer
//!
//! One `Renderer` (it is `Send + Sync`) serves every worker thread. The
//! driver writes [`Renderer::header`] once, then for document number `index`
//! (0-based, in input order, counting failed documents too) calls
//! [`Renderer::render`] or [`Renderer::render_error`] in any thread, and
//! writes each [`Output`] in input order: `bytes` to the output stream,
//! `files` (paths relative to the `-o` directory) as files. At the end it
//! writes [`Renderer::footer`], given one [`DocSummary`] per document
//! (built with [`DocSummary::new`] or [`DocSummary::failed`]).
//! [`Renderer::writes_files`] says whether the format needs an output
//! directory (brat, html). `footer` only uses the summaries for html
//! (`index.html`) and brat (`annotation.conf`), so a driver may skip
//! collecting them for the stream formats.
//!
//! The JSON array is streamed too: `header` is `[`, each record is
//! prefixed by `\n` (index 0) or `,\n` (index > 0), `footer` is `\n]\n`, so
//! records rendered in parallel concatenate into one valid array.
//!
//! # Formats
//!
//! | `--format` | Output | Read back by |
//! |---|---|---|
//! | `jsonl`, `json` | the record below, one per line or in one array | [`read::JsonlReader`] |
//! | `conll` | CoNLL-2003 columns, IOB2 tags, input columns kept for CoNLL input | [`read::ConllReader`] |
//! | `conllu` | CoNLL-U, `NER=` and exact spacing in MISC | [`read::ConlluReader`] |
//! | `brat` | `<stem>.txt` + `<stem>.ann` per document, `annotation.conf` | [`read::read_brat`] |
//! | `html` | `<stem>.html` per document (displaCy-style), `index.html` | — |
//! | `text` | `[Cai Qi](PER) met ...`, one sentence per line | — |
//!
//! Each format's module docs give its details; `cargo xtask interop` opens
//! each with its real consumer (the PyPI `conllu` parser, headless
//! Chromium, a brat re-reader, a conlleval scorer).
//!
//! # The JSONL record
//!
//! `--format jsonl` writes one JSON object per line per input document, in
//! input order; `--format json` writes the same objects as one array. Fields,
//! in this order:
//!
//! - `id` (string): the document id.
//! - `text` (string): the original text, unchanged.
//! - `tokens` (array, present when tokenisation ran): `{"start","end"}` per
//!   token, in text order.
//! - `sentences` (array, present when segmentation ran): `{"start","end"}`
//!   per sentence, from its first token's start to its last token's end.
//! - `entities` (array, present when a tagger ran): per entity
//!   `{"start","end","label","text","source"}` and `"confidence"` (a number
//!   in `[0, 1]`) when its producer has one (the statistical model).
//!   `label` is `PER`, `ORG`, `LOC`, `MISC`, `DATE`, `TIME`, `MONEY`,
//!   `PERCENT` or a user label; `text` is the covered text; `source` is the
//!   layer that produced it (`model`, `rules`, `gazetteer`, `gold`, ...).
//! - then each extra layer in [`Doc::layers`] as a top-level field,
//! - then the input record's other fields unchanged: [`Doc::fields`], then
//!   [`Doc::raw_fields`] written back byte for byte.
//!
//! All offsets are half-open `[start, end)` in the `--offsets` unit:
//! Unicode code points by default (Python's `text[start:end]`), or UTF-8
//! bytes, or UTF-16 code units (JavaScript). A layer or input field whose key
//! is already taken by an earlier field is left out, so a record never has
//! duplicate keys. A failed document is the record
//! `{"id","error":{"kind","message"}}`.
//!
//! # Crate features
//! None.

use std::fmt;
use std::str::FromStr;

use dateline_core::{Doc, OffsetUnit};
use thiserror::Error;

mod brat;
mod conll;
mod conllu;
mod html;
mod json;
pub mod read;
mod text;
mod write;

/// An output format, as `--format` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array of the same objects.
    Json,
    /// CoNLL-2003 columns: token, then the IOB2 tag.
    Conll,
    /// CoNLL-U with `NER=` in MISC.
    Conllu,
    /// brat standoff: `.txt` and `.ann` per document.
    Brat,
    /// One HTML page per document and an `index.html`.
    Html,
    /// Inline markup, one sentence per line.
    Text,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Jsonl,
        Format::Json,
        Format::Conll,
        Format::Conllu,
        Format::Brat,
        Format::Html,
        Format::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Conll => "conll",
            Format::Conllu => "conllu",
            Format::Brat => "brat",
            Format::Html => "html",
            Format::Text => "text",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?} (expected jsonl, json, conll, conllu, brat, html or text)"
                )
            })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to render, beyond the format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// The unit of offsets in JSON/JSONL (`--offsets`). brat always uses
    /// characters, which is what brat counts.
    pub offsets: OffsetUnit,
    /// Mark sentence boundaries in HTML pages (`--html-sentences`).
    pub html_sentences: bool,
}

/// What rendering produced: bytes for the output stream and/or named files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Bytes for the output stream (a file or stdout), in order.
    pub bytes: Vec<u8>,
    /// Files to write, as (path relative to the output directory, content).
    pub files: Vec<(String, Vec<u8>)>,
}

impl Output {
    /// Empties both parts, keeping the allocations for reuse.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.files.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty() && self.files.is_empty()
    }
}

/// What the footer needs to know about one rendered document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocSummary {
    pub id: String,
    /// [`Renderer::file_stem`] of the document.
    pub file_stem: String,
    /// Number of entities (0 for a failed document).
    pub entities: usize,
    /// The distinct entity labels: built-in ones in their usual order, then
    /// others by name (brat's `annotation.conf` must list every label the
    /// `.ann` files use).
    pub labels: Vec<String>,
    /// Whether the document failed and was rendered by `render_error`.
    pub error: bool,
}

impl DocSummary {
    /// The summary of a rendered document.
    pub fn new(doc: &Doc, index: u64) -> DocSummary {
        let mut distinct: Vec<&dateline_core::Label> = Vec::new();
        for entity in doc.entities() {
            if !distinct.contains(&&entity.label) {
                distinct.push(&entity.label);
            }
        }
        distinct.sort();
        let labels = distinct.iter().map(|l| l.as_str().to_owned()).collect();
        DocSummary {
            id: doc.id().to_owned(),
            file_stem: Renderer::file_stem(doc.id(), index),
            entities: doc.entities().len(),
            labels,
            error: false,
        }
    }

    /// The summary of a document that failed.
    pub fn failed(id: &str, index: u64) -> DocSummary {
        DocSummary {
            id: id.to_owned(),
            file_stem: Renderer::file_stem(id, index),
            entities: 0,
            labels: Vec::new(),
            error: true,
        }
    }
}

/// A document could not be rendered in the chosen format.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RenderError {
    #[error("document {id}: the {format} format needs the {layer} layer, which this run did not compute")]
    MissingLayer {
        id: String,
        format: Format,
        layer: &'static str,
    },
}

/// Renders documents in one format. Holds only its options, so one instance
/// is shared by every worker thread.
#[derive(Clone, Debug)]
pub struct Renderer {
    format: Format,
    options: RenderOptions,
}

impl Renderer {
    pub fn new(format: Format, options: RenderOptions) -> Renderer {
        Renderer { format, options }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn options(&self) -> RenderOptions {
        self.options
    }

    /// Whether the format writes files per document into a directory (`-o
    /// DIR`) rather than one stream: brat and html.
    pub fn writes_files(&self) -> bool {
        matches!(self.format, Format::Brat | Format::Html)
    }

    /// What comes before the first record: `[` for json, nothing otherwise.
    pub fn header(&self) -> Output {
        let mut out = Output::default();
        if self.format == Format::Json {
            out.bytes.push(b'[');
        }
        out
    }

    /// Renders document number `index` (0-based, in input order), appending
    /// to `out.bytes` or pushing to `out.files`.
    ///
    /// Fails only when the format needs a layer the run did not compute:
    /// CoNLL and CoNLL-U need tokens.
    pub fn render(&self, doc: &Doc, index: u64, out: &mut Output) -> Result<(), RenderError> {
        match self.format {
            Format::Jsonl => json::render(doc, self.options.offsets, &mut out.bytes),
            Format::Json => {
                out.bytes
                    .extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
                json::render(doc, self.options.offsets, &mut out.bytes);
                // The record's own newline is the separator's job in an array.
                out.bytes.pop();
            }
            Format::Conll => conll::render(doc, &mut out.bytes)?,
            Format::Conllu => conllu::render(doc, &mut out.bytes)?,
            Format::Brat => brat::render(doc, index, &mut out.files),
            Format::Html => html::render(doc, index, self.options.html_sentences, &mut out.files),
            Format::Text => text::render(doc, &mut out.bytes),
        }
        Ok(())
    }

    /// Renders a document that failed: the record
    /// `{"id","error":{"kind","message"}}` in JSON/JSONL, a comment in
    /// CoNLL-U and text, an error page in HTML, a `<stem>.error` file beside
    /// the brat pairs (brat ignores it). CoNLL-2003 has no comment syntax and
    /// its consumers reject unknown lines, so there the failure shows only in
    /// the run's summary.
    pub fn render_error(&self, id: &str, kind: &str, message: &str, index: u64, out: &mut Output) {
        match self.format {
            Format::Jsonl => json::render_error(id, kind, message, &mut out.bytes),
            Format::Json => {
                out.bytes
                    .extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
                json::render_error(id, kind, message, &mut out.bytes);
                out.bytes.pop();
            }
            Format::Conll => {}
            Format::Conllu => conllu::render_error(id, kind, message, &mut out.bytes),
            Format::Brat => brat::render_error(id, kind, message, index, &mut out.files),
            Format::Html => html::render_error(id, kind, message, index, &mut out.files),
            Format::Text => text::render_error(id, kind, message, &mut out.bytes),
        }
    }

    /// What comes after the last record: `\n]\n` for json, `index.html`
    /// for html, `annotation.conf` and `visual.conf` for brat, nothing
    /// otherwise.
    pub fn footer(&self, docs: &[DocSummary]) -> Output {
        let mut out = Output::default();
        match self.format {
            Format::Json => out.bytes.extend_from_slice(b"\n]\n"),
            Format::Html => out.files.push(("index.html".to_owned(), html::index(docs))),
            Format::Brat => {
                out.files
                    .push(("annotation.conf".to_owned(), brat::annotation_conf(docs)));
                out.files
                    .push(("visual.conf".to_owned(), brat::visual_conf(docs)));
            }
            Format::Jsonl | Format::Conll | Format::Conllu | Format::Text => {}
        }
        out
    }

    /// The file name stem for a document's files: the index (zero-padded to
    /// six digits, so a listing sorts in input order, and unique) then the
    /// id without a `.txt` extension, with every run of characters outside
    /// `[A-Za-z0-9.-]` replaced by `_`, keeping its last 64 bytes (the file
    /// name end of a path id): `seed-article.txt` gives
    /// `000000-seed-article`, so brat's pair is `000000-seed-article.txt`
    /// and `.ann`.
    pub fn file_stem(id: &str, index: u64) -> String {
        const KEEP: usize = 64;
        let id = id.strip_suffix(".txt").unwrap_or(id);
        let mut safe = String::with_capacity(id.len().min(4 * KEEP));
        for c in id.chars() {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                safe.push(c);
            } else if !safe.ends_with('_') {
                safe.push('_');
            }
        }
        let tail = &safe[safe.len().saturating_sub(KEEP)..];
        let tail = if tail.is_empty() { "doc" } else { tail };
        format!("{index:06}-{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<Renderer>();
        assert_send_sync::<Output>();
        assert_send_sync::<DocSummary>();
        assert_send_sync::<RenderError>();
        assert_send_sync::<read::ReadError>();
    }

    fn doc() -> Doc {
        use dateline_core::{Entity, Label, Sentence, Span, Token, TokenKind};
        let mut doc = Doc::new("a/seed.txt", "Cai Qi met.").unwrap();
        let spans = [(0, 3), (4, 6), (7, 10), (10, 11)];
        doc.tokens = Some(
            spans
                .iter()
                .map(|&(s, e)| Token::new(Span::new(s, e), TokenKind::Word))
                .collect(),
        );
        doc.sentences = Some(vec![Sentence {
            span: Span::new(0, 11),
            first_token: 0,
            end_token: 4,
        }]);
        doc.entities = Some(vec![Entity {
            span: Span::new(0, 6),
            first_token: 0,
            end_token: 2,
            label: Label::Per,
            source: "model",
            confidence: Some(0.75),
        }]);
        doc
    }

    /// Header, two documents (the second failed), footer, as a driver
    /// writes them.
    fn run(format: Format) -> Output {
        let renderer = Renderer::new(format, RenderOptions::default());
        let mut all = renderer.header();
        let mut out = Output::default();
        renderer.render(&doc(), 0, &mut out).unwrap();
        renderer.render_error("b", "utf8", "invalid UTF-8 at byte 3", 1, &mut out);
        all.bytes.extend(out.bytes);
        all.files.extend(out.files);
        let footer = renderer.footer(&[DocSummary::new(&doc(), 0), DocSummary::failed("b", 1)]);
        all.bytes.extend(footer.bytes);
        all.files.extend(footer.files);
        all
    }

    fn names(out: &Output) -> Vec<&str> {
        out.files.iter().map(|(name, _)| name.as_str()).collect()
    }

    #[test]
    fn stream_formats_write_bytes_and_file_formats_write_files() {
        for format in Format::ALL {
            let renderer = Renderer::new(format, RenderOptions::default());
            let out = run(format);
            assert_eq!(renderer.writes_files(), !out.files.is_empty(), "{format}");
            assert_eq!(renderer.writes_files(), out.bytes.is_empty(), "{format}");
        }
        assert_eq!(
            names(&run(Format::Brat)),
            [
                "000000-a_seed.txt",
                "000000-a_seed.ann",
                "000001-b.error",
                "annotation.conf",
                "visual.conf"
            ]
        );
        assert_eq!(
            names(&run(Format::Html)),
            ["000000-a_seed.html", "000001-b.html", "index.html"]
        );
    }

    #[test]
    fn json_streams_one_array_with_the_error_record() {
        let out = run(Format::Json);
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.starts_with("[\n{\"id\":\"a/seed.txt\""), "{text}");
        assert!(text.ends_with("},\n{\"id\":\"b\",\"error\":{\"kind\":\"utf8\",\"message\":\"invalid UTF-8 at byte 3\"}}\n]\n"), "{text}");
        let array: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(array[0]["entities"][0]["confidence"], 0.75);
        let empty = Renderer::new(Format::Json, RenderOptions::default());
        let mut bytes = empty.header().bytes;
        bytes.extend(empty.footer(&[]).bytes);
        assert!(serde_json::from_slice::<Vec<serde_json::Value>>(&bytes)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn failures_show_in_every_format_but_conll() {
        let shown = |format| {
            let renderer = Renderer::new(format, RenderOptions::default());
            let mut out = Output::default();
            renderer.render_error("b", "utf8", "invalid UTF-8 at byte 3", 1, &mut out);
            let mut all = out.bytes;
            for (_, content) in out.files {
                all.extend(content);
            }
            String::from_utf8(all).unwrap()
        };
        for format in Format::ALL {
            let text = shown(format);
            if format == Format::Conll {
                assert_eq!(text, "");
            } else {
                assert!(text.contains("invalid UTF-8 at byte 3"), "{format}: {text}");
            }
        }
    }

    #[test]
    fn formats_parse_and_display() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
        }
        assert!("xml"
            .parse::<Format>()
            .unwrap_err()
            .contains("unknown format"));
    }

    #[test]
    fn file_stems_are_safe_and_unique() {
        assert_eq!(
            Renderer::file_stem("seed-article.txt", 0),
            "000000-seed-article"
        );
        assert_eq!(
            Renderer::file_stem("a/b/../c d:e", 12),
            "000012-a_b_.._c_d_e"
        );
        assert_eq!(Renderer::file_stem("../..", 3), "000003-.._..");
        assert_eq!(Renderer::file_stem("", 1_000_000), "1000000-doc");
        assert_eq!(Renderer::file_stem("北京", 2), "000002-_");
        let long = "x".repeat(500);
        assert_eq!(Renderer::file_stem(&long, 5).len(), 7 + 64);
        let path = format!("/{long}/2024/seed-article.txt");
        assert!(Renderer::file_stem(&path, 0).ends_with("x_2024_seed-article"));
    }
}
