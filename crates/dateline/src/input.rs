//! Corpus input: resolving the command line's inputs into sources, and a
//! streaming reader that cuts them into bounded batches of raw documents.
//!
//! The reader does only I/O. It appends raw bytes (a `.txt` file, a JSONL
//! line) to one buffer per batch and records where each document lies;
//! UTF-8 validation and JSON parsing happen later, in the worker threads,
//! so they run in parallel and a bad document becomes an error record
//! there. Memory is bounded by the batch limits, whatever the corpus size
//! (a single document larger than a batch makes a batch of its own).
//!
//! The reader also numbers the documents and picks those the run processes
//! ([`Shard`], and a resumed run's skip): another shard's `.txt` file is
//! never opened, another shard's JSONL line is read past, and each batch
//! carries every document's index in the whole input.
//!
//! Text that is not valid UTF-8 becomes an `invalid_utf8` error record
//! naming the first bad byte, rather than being decoded lossily: offsets
//! into a repaired text would not point into the file the user has, and a
//! wrong encoding is better reported than silently turned into `\u{FFFD}`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use dateline_core::{Doc, DocError, Layer};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::{DocFailure, Error, FailureKind};

/// How to read inputs (`--input-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// By extension: `.jsonl`/`.ndjson` are JSONL, `.conll` is CoNLL,
    /// anything else is text; directories give their `.txt` files; stdin
    /// is JSONL.
    #[default]
    Auto,
    /// One document per file (stdin: all of it).
    Txt,
    /// One JSON object per line.
    Jsonl,
    /// CoNLL columns, pre-tokenised: `-DOCSTART-` documents, blank-line
    /// sentences, the token in the first column.
    Conll,
}

impl InputFormat {
    /// The layers documents of this format carry before any stage runs.
    pub fn initial_layers(self) -> &'static [Layer] {
        match self {
            InputFormat::Conll => &[Layer::Tokens, Layer::Sentences],
            InputFormat::Auto | InputFormat::Txt | InputFormat::Jsonl => &[],
        }
    }

    /// File extensions a directory walk picks up for this format.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            InputFormat::Auto | InputFormat::Txt => &["txt"],
            InputFormat::Jsonl => &["jsonl", "ndjson"],
            InputFormat::Conll => &["conll"],
        }
    }
}

impl FromStr for InputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<InputFormat, String> {
        match s {
            "auto" => Ok(InputFormat::Auto),
            "txt" => Ok(InputFormat::Txt),
            "jsonl" => Ok(InputFormat::Jsonl),
            "conll" => Ok(InputFormat::Conll),
            other => Err(format!(
                "unknown input format {other:?} (expected auto, txt, jsonl or conll)"
            )),
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputFormat::Auto => "auto",
            InputFormat::Txt => "txt",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Conll => "conll",
        })
    }
}

/// One input source with its format decided.
#[derive(Clone, Debug)]
pub struct Input {
    /// `None` for stdin.
    pub path: Option<PathBuf>,
    /// The name ids are built from: the path relative to the command-line
    /// argument for files found in a directory, the argument itself for a
    /// file, `stdin` for stdin.
    pub name: String,
    /// `Txt`, `Jsonl` or `Conll`, never `Auto`.
    pub format: InputFormat,
    /// Size in bytes when known (not for stdin).
    pub size: Option<u64>,
}

/// Turns command-line inputs into sources, in order. No inputs means stdin.
///
/// A directory expands to its files of the format's extension (`.txt` in
/// `auto` mode), recursively, sorted by path; symbolic links to files are
/// read, links to directories are not followed.
/// A path that does not exist is an error here, before anything runs.
pub fn resolve_inputs<P: AsRef<Path>>(
    args: &[P],
    format: InputFormat,
) -> Result<Vec<Input>, Error> {
    let mut inputs = Vec::new();
    if args.is_empty() {
        inputs.push(stdin_input(format));
    }
    for arg in args {
        let arg = arg.as_ref();
        if arg == Path::new("-") {
            inputs.push(stdin_input(format));
            continue;
        }
        let meta = std::fs::metadata(arg).map_err(|source| Error::Input {
            path: arg.to_owned(),
            source,
        })?;
        if meta.is_dir() {
            walk_dir(arg, format, &mut inputs)?;
        } else {
            inputs.push(Input {
                path: Some(arg.to_owned()),
                name: arg.to_string_lossy().into_owned(),
                format: file_format(arg, format),
                size: Some(meta.len()),
            });
        }
    }
    Ok(inputs)
}

fn stdin_input(format: InputFormat) -> Input {
    Input {
        path: None,
        name: "stdin".to_owned(),
        format: match format {
            InputFormat::Auto => InputFormat::Jsonl,
            other => other,
        },
        size: None,
    }
}

fn file_format(path: &Path, format: InputFormat) -> InputFormat {
    if format != InputFormat::Auto {
        return format;
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("jsonl" | "ndjson") => InputFormat::Jsonl,
        Some("conll") => InputFormat::Conll,
        _ => InputFormat::Txt,
    }
}

fn walk_dir(dir: &Path, format: InputFormat, inputs: &mut Vec<Input>) -> Result<(), Error> {
    let extensions = format.extensions();
    // Entry types come from the directory listing itself; only the size
    // (for the progress total) costs a `stat` per file, and a symbolic link
    // one more to see what it points to. Links to directories are not
    // followed, so a link cycle cannot make the walk endless.
    let walker = walkdir::WalkDir::new(dir).sort_by_file_name();
    for entry in walker {
        let entry = entry.map_err(|e| Error::Input {
            path: e.path().unwrap_or(dir).to_owned(),
            source: e.into(),
        })?;
        let path = entry.path();
        let wanted_name = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e));
        if !wanted_name || entry.file_type().is_dir() {
            continue;
        }
        let meta = if entry.path_is_symlink() {
            std::fs::metadata(path).ok()
        } else {
            entry.metadata().ok()
        };
        if meta.as_ref().is_some_and(|m| !m.is_file()) {
            continue;
        }
        let relative = path.strip_prefix(dir).unwrap_or(path);
        inputs.push(Input {
            path: Some(path.to_owned()),
            name: relative.to_string_lossy().into_owned(),
            format: file_format(path, format),
            size: meta.map(|m| m.len()),
        });
    }
    Ok(())
}

/// Limits on one batch: whichever is reached first closes it.
#[derive(Clone, Copy, Debug)]
pub struct BatchLimits {
    pub max_docs: usize,
    pub max_bytes: usize,
}

impl Default for BatchLimits {
    /// A few megabytes: enough documents that every thread has work and a
    /// slow document does not stall the others for long; few enough that
    /// the batches in flight stay well inside the memory budget.
    fn default() -> BatchLimits {
        BatchLimits {
            max_docs: 4096,
            max_bytes: 2 << 20,
        }
    }
}

/// A batch of raw documents: their bytes in one buffer, and where each is.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub buf: Vec<u8>,
    pub items: Vec<Item>,
    /// Each item's document index in the whole input (0-based, counting
    /// the documents of every shard), parallel to `items`.
    pub indices: Vec<u64>,
    /// Input bytes of the batch's documents (for a file the workers read,
    /// its size when the inputs were listed).
    pub bytes: u64,
    /// Input bytes passed over: documents of other shards, and those a
    /// resumed run has written already. Progress counts them too.
    pub skipped: u64,
    /// Bytes of the files the workers will read, which count towards the
    /// batch's size limit like bytes in the buffer.
    pending: usize,
}

impl Batch {
    fn push(&mut self, index: u64, item: Item) {
        self.indices.push(index);
        self.items.push(item);
    }
}

/// `--shard K/N`: the documents whose index in the input, counted from 0,
/// leaves the remainder K-1 when divided by N.
///
/// Modulo rather than contiguous ranges, because a shard can then be picked
/// while streaming, without knowing how many documents the input holds; it
/// also spreads a corpus sorted by size or date evenly over the shards.
/// Every document counts, the ones that become error records included, so
/// the N shards together are exactly the input, each document once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1.
    number: u32,
    /// N, at least 1.
    count: u32,
}

impl Shard {
    /// The whole input: shard 1 of 1.
    pub const ALL: Shard = Shard {
        number: 1,
        count: 1,
    };

    /// Shard `number` (from 1) of `count`; `None` unless `1 <= number <= count`.
    pub fn new(number: u32, count: u32) -> Option<Shard> {
        (1..=count)
            .contains(&number)
            .then_some(Shard { number, count })
    }

    /// K, from 1.
    pub fn number(self) -> u32 {
        self.number
    }

    /// N.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether the document with this index (from 0) belongs to the shard.
    pub fn contains(self, index: u64) -> bool {
        index % u64::from(self.count) == u64::from(self.number - 1)
    }
}

impl Default for Shard {
    fn default() -> Shard {
        Shard::ALL
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let parsed = s
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((k, n)) => {
                Shard::new(k, n).ok_or_else(|| format!("shard {k}/{n}: K must be between 1 and N"))
            }
            None => Err(format!("{s:?} is not a shard: expected K/N, as in 2/8")),
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number, self.count)
    }
}

/// Which documents the reader hands out: those of the shard, after the
/// first `skip` of them (a resumed run has written those already).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Selection {
    pub shard: Shard,
    pub skip: u64,
    /// Documents met so far, selected or not.
    seen: u64,
}

impl Selection {
    pub fn new(shard: Shard, skip: u64) -> Selection {
        Selection {
            shard,
            skip,
            seen: 0,
        }
    }

    /// Called once per document, in input order: its index when it is to be
    /// processed.
    fn next(&mut self) -> Option<u64> {
        let index = self.seen;
        self.seen += 1;
        if !self.shard.contains(index) {
            return None;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return None;
        }
        Some(index)
    }
}

/// One raw document.
#[derive(Debug)]
pub(crate) enum Item {
    /// A `.txt` file of `size` bytes, read by the worker that processes
    /// it: with very many small files, opening and reading them is much of
    /// the work, and it runs in parallel there.
    File {
        id: String,
        path: PathBuf,
        size: u64,
    },
    /// Stdin in txt mode, read whole, at `range` of the buffer.
    Text {
        id: String,
        range: std::ops::Range<usize>,
    },
    /// One JSONL line at `range` of the buffer, line numbers from 1.
    Json {
        source: Arc<str>,
        line: u64,
        range: std::ops::Range<usize>,
    },
    /// A document the reader built itself (pre-tokenised input); taken by
    /// the worker that processes it.
    Ready(Option<Box<Doc>>),
    /// A document that could not even be read.
    Failed { id: String, failure: DocFailure },
}

/// Reads the inputs in order and hands out batches.
pub(crate) struct BatchReader {
    inputs: std::vec::IntoIter<Input>,
    current: Option<Open>,
    limits: BatchLimits,
    /// Bytes a document may take in its input (`--max-doc-bytes`).
    max_doc: usize,
    select: Selection,
    /// Set from outside (a signal): stop after the current document.
    stop: Arc<AtomicBool>,
}

/// An input being read across batches.
enum Open {
    Jsonl {
        reader: Box<dyn BufRead + Send>,
        source: Arc<str>,
        line: u64,
    },
    Conll(crate::conll::ConllDocs),
}

/// The default of `--max-doc-bytes`: far above any news article, far below
/// the 4 GiB a document's offsets can address, and small enough that the
/// few batches in flight, with their layers, fit in a machine's memory.
pub const MAX_DOC_BYTES: usize = 256 << 20;

/// Large reads: a JSONL corpus is read sequentially, so bigger buffers mean
/// fewer system calls and nothing else.
const READ_BUFFER: usize = 1 << 20;

impl BatchReader {
    pub fn new(
        inputs: Vec<Input>,
        limits: BatchLimits,
        max_doc: usize,
        select: Selection,
        stop: Arc<AtomicBool>,
    ) -> BatchReader {
        BatchReader {
            inputs: inputs.into_iter(),
            current: None,
            limits,
            max_doc,
            select,
            stop,
        }
    }

    /// The next batch, or `None` when every input is exhausted or the
    /// reader was told to stop.
    pub fn next_batch(&mut self) -> Option<Batch> {
        let mut batch = Batch::default();
        while !self.is_full(&batch) && !self.stopped() {
            if self.current.is_none() && !self.open_next(&mut batch) {
                break;
            }
            self.fill(&mut batch);
        }
        (!batch.items.is_empty()).then_some(batch)
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn is_full(&self, batch: &Batch) -> bool {
        batch.items.len() >= self.limits.max_docs
            || batch.buf.len() + batch.pending >= self.limits.max_bytes
    }

    /// Opens the next input; a `.txt` input is read whole into the batch
    /// right away. Returns false when there are no inputs left.
    fn open_next(&mut self, batch: &mut Batch) -> bool {
        let Some(input) = self.inputs.next() else {
            return false;
        };
        let failed = |input: Input, e: io::Error| Item::Failed {
            id: input.name,
            failure: DocFailure::new(FailureKind::Io, e.to_string()),
        };
        match input.format {
            InputFormat::Jsonl => match open(&input) {
                Ok(reader) => {
                    self.current = Some(Open::Jsonl {
                        reader,
                        source: Arc::from(input.name),
                        line: 0,
                    });
                }
                // An input that cannot be opened is one document: its
                // error record.
                Err(e) => {
                    if let Some(index) = self.select.next() {
                        batch.push(index, failed(input, e));
                    }
                }
            },
            InputFormat::Conll => match open(&input) {
                Ok(reader) => {
                    self.current = Some(Open::Conll(crate::conll::ConllDocs::new(
                        reader,
                        input.name,
                        self.max_doc,
                    )))
                }
                Err(e) => {
                    if let Some(index) = self.select.next() {
                        batch.push(index, failed(input, e));
                    }
                }
            },
            InputFormat::Txt | InputFormat::Auto => match self.select.next() {
                Some(index) => match (input.path, input.size) {
                    (Some(path), Some(size)) if size <= self.max_doc as u64 => {
                        batch.bytes += size;
                        batch.pending += size as usize;
                        let id = input.name;
                        batch.push(index, Item::File { id, path, size });
                    }
                    (path, size) => read_text(
                        Input {
                            path,
                            size,
                            ..input
                        },
                        index,
                        self.max_doc,
                        batch,
                    ),
                },
                // Another shard's file (or one a resumed run has done) is
                // not even opened.
                None => batch.skipped += input.size.unwrap_or(0),
            },
        }
        true
    }

    /// Reads documents of the open input into the batch until it is full or
    /// the input ends.
    fn fill(&mut self, batch: &mut Batch) {
        let limits = self.limits;
        let stop = &self.stop;
        let full = |b: &Batch| {
            b.items.len() >= limits.max_docs
                || b.buf.len() + b.pending >= limits.max_bytes
                || stop.load(Ordering::Relaxed)
        };
        let select = &mut self.select;
        let max_doc = self.max_doc;
        let finished = match &mut self.current {
            None => return,
            Some(Open::Jsonl {
                reader,
                source,
                line,
            }) => loop {
                if full(batch) {
                    break false;
                }
                let line_start = batch.buf.len();
                match read_line(reader, &mut batch.buf, max_doc) {
                    Ok(Line::End) => break true,
                    Ok(Line::TooLong { n, blank, id }) => {
                        *line += 1;
                        // Read past, not held: one error record stands for it.
                        let selected = if blank { None } else { select.next() };
                        let Some(index) = selected else {
                            if blank {
                                batch.bytes += n;
                            } else {
                                batch.skipped += n;
                            }
                            continue;
                        };
                        batch.bytes += n;
                        batch.push(
                            index,
                            Item::Failed {
                                id: id.unwrap_or_else(|| format!("{source}:{line}")),
                                failure: too_large(
                                    &format!("line {source}:{line}"),
                                    Some(n),
                                    max_doc,
                                ),
                            },
                        );
                    }
                    Ok(Line::Read(n)) => {
                        *line += 1;
                        let mut start = line_start;
                        // A byte-order mark opens some JSONL files written
                        // on Windows; it is not part of the first object.
                        if *line == 1 && batch.buf[start..].starts_with(b"\xEF\xBB\xBF") {
                            start += 3;
                        }
                        let mut end = batch.buf.len();
                        while end > start && matches!(batch.buf[end - 1], b'\n' | b'\r') {
                            end -= 1;
                        }
                        // A blank line separates nothing and holds no
                        // document (a trailing newline, a spacer): skip it.
                        let blank = batch.buf[start..end].iter().all(u8::is_ascii_whitespace);
                        let selected = if blank { None } else { select.next() };
                        let Some(index) = selected else {
                            if blank {
                                batch.bytes += n as u64;
                            } else {
                                batch.skipped += n as u64;
                            }
                            batch.buf.truncate(line_start);
                            continue;
                        };
                        batch.bytes += n as u64;
                        batch.push(
                            index,
                            Item::Json {
                                source: Arc::clone(source),
                                line: *line,
                                range: start..end,
                            },
                        );
                    }
                    Err(e) => {
                        batch.buf.truncate(line_start);
                        if let Some(index) = select.next() {
                            batch.push(
                                index,
                                Item::Failed {
                                    id: format!("{source}:{}", *line + 1),
                                    failure: DocFailure::new(
                                        FailureKind::Io,
                                        format!("reading {source}: {e}"),
                                    ),
                                },
                            );
                        }
                        break true;
                    }
                }
            },
            Some(Open::Conll(docs)) => loop {
                if full(batch) {
                    break false;
                }
                match docs.next() {
                    None => break true,
                    Some((Ok(doc), bytes)) => {
                        if let Some(index) = select.next() {
                            batch.bytes += bytes;
                            batch.push(index, Item::Ready(Some(Box::new(doc))));
                        } else {
                            batch.skipped += bytes;
                        }
                    }
                    Some((Err((id, failure)), bytes)) => {
                        let fatal = failure.kind == FailureKind::Io;
                        if let Some(index) = select.next() {
                            batch.bytes += bytes;
                            batch.push(index, Item::Failed { id, failure });
                        } else {
                            batch.skipped += bytes;
                        }
                        if fatal {
                            break true;
                        }
                    }
                }
            },
        };
        if finished {
            self.current = None;
        }
    }
}

fn open(input: &Input) -> io::Result<Box<dyn BufRead + Send>> {
    Ok(match &input.path {
        Some(path) => Box::new(BufReader::with_capacity(READ_BUFFER, File::open(path)?)),
        None => Box::new(BufReader::with_capacity(READ_BUFFER, io::stdin())),
    })
}

/// What [`read_line`] found.
enum Line {
    /// The input has ended.
    End,
    /// A line of this many bytes (line end included) is in the buffer.
    Read(usize),
    /// A line over the limit was read past, not kept: its length, whether
    /// it was all whitespace, and its id when it opens with one.
    TooLong {
        n: u64,
        blank: bool,
        id: Option<String>,
    },
}

/// Appends the next line, through its newline, to `buf`, unless it holds
/// more than `max` bytes besides its line end: then the whole line is read
/// past a buffer at a time, so one huge line (a crawler's dump, a file
/// with no newline) costs no more memory than a line at the limit.
fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    let start = buf.len();
    let mut n = 0u64;
    let mut over = false;
    let mut blank = true;
    let mut id = None;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let (used, ends) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        let piece = &available[..used];
        if !over {
            buf.extend_from_slice(piece);
            // The limit is on the content: a newline and a CR before it
            // (the longest line end) may come on top.
            if buf.len() - start > max + 2 || (ends && trim_line_end(&buf[start..]).len() > max) {
                blank = buf[start..].iter().all(u8::is_ascii_whitespace);
                id = leading_id(&buf[start..]);
                buf.truncate(start);
                over = true;
            }
        } else if blank {
            blank = piece.iter().all(u8::is_ascii_whitespace);
        }
        n += used as u64;
        reader.consume(used);
        if ends {
            break;
        }
    }
    if over {
        return Ok(Line::TooLong { n, blank, id });
    }
    // A last line cut off without its newline may still be over.
    if trim_line_end(&buf[start..]).len() > max {
        blank = buf[start..].iter().all(u8::is_ascii_whitespace);
        id = leading_id(&buf[start..]);
        buf.truncate(start);
        return Ok(Line::TooLong { n, blank, id });
    }
    Ok(if n == 0 {
        Line::End
    } else {
        Line::Read(n as usize)
    })
}

/// The id of a JSONL line too long to parse, when the line opens with it,
/// as writers usually put it (`{"id": "a1", ...`): the id a parsed line
/// would give, so the error record names the document.
fn leading_id(line: &[u8]) -> Option<String> {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let rest = skip_blanks(line).strip_prefix(b"{")?;
    let mut keys = serde_json::Deserializer::from_slice(rest).into_iter::<Key<'_>>();
    if keys.next()?.ok()?.0 != "id" {
        return None;
    }
    let rest = skip_blanks(&rest[keys.byte_offset()..]).strip_prefix(b":")?;
    let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<&RawValue>();
    let value = values.next()?.ok()?.get();
    if values.byte_offset() == rest.len() {
        // Nothing after it: a number may go on past the cut.
        return None;
    }
    match value.as_bytes()[0] {
        b'"' => json_string(value).ok(),
        b'n' => None,
        _ => Some(value.to_owned()),
    }
}

fn skip_blanks(bytes: &[u8]) -> &[u8] {
    let at = bytes.iter().position(|b| !b.is_ascii_whitespace());
    &bytes[at.unwrap_or(bytes.len())..]
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The failure of a document over `--max-doc-bytes`; `size` when known.
fn too_large(what: &str, size: Option<u64>, max: usize) -> DocFailure {
    let size = match size {
        Some(size) => format!("{size} bytes"),
        None => format!("more than {max} bytes"),
    };
    DocFailure::new(
        FailureKind::TooLarge,
        format!("{what} of {size} is over the limit of {max} bytes a document may take (--max-doc-bytes)"),
    )
}

/// Reads a whole `.txt` input (stdin, or a file of unknown size) into the
/// batch as document number `index`.
fn read_text(input: Input, index: u64, max: usize, batch: &mut Batch) {
    let start = batch.buf.len();
    let id = input.name;
    if let Some(size) = input.size.filter(|&s| s > max as u64) {
        let failure = too_large("text", Some(size), max);
        batch.push(index, Item::Failed { id, failure });
        return;
    }
    let read = match &input.path {
        Some(path) => {
            File::open(path).and_then(|f| read_capped(f, input.size, max, &mut batch.buf))
        }
        None => read_capped(io::stdin(), None, max, &mut batch.buf),
    };
    let failure = match read {
        Ok(true) => {
            batch.bytes += (batch.buf.len() - start) as u64;
            let range = start..batch.buf.len();
            batch.push(index, Item::Text { id, range });
            return;
        }
        Ok(false) => too_large("text", None, max),
        Err(e) => DocFailure::new(FailureKind::Io, e.to_string()),
    };
    batch.buf.truncate(start);
    batch.push(index, Item::Failed { id, failure });
}

/// Appends what `reader` holds to `buf` when that is at most `max` bytes,
/// and returns false when it is more. The rest is not read: an input
/// without end (a device, a pipe) must not keep the run waiting.
fn read_capped(
    reader: impl Read,
    size: Option<u64>,
    max: usize,
    buf: &mut Vec<u8>,
) -> io::Result<bool> {
    let start = buf.len();
    let limit = max as u64 + 1;
    if let Some(size) = size {
        buf.reserve(size.min(limit) as usize);
    }
    reader.take(limit).read_to_end(buf)?;
    Ok(buf.len() - start <= max)
}

fn read_file(path: &Path, size: u64, max: usize) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    let within = read_capped(File::open(path)?, Some(size), max, &mut bytes)?;
    Ok(within.then_some(bytes))
}

/// A document, or the id and reason of its failure.
pub(crate) type Built = Result<Doc, (String, DocFailure)>;

/// Builds the document an item holds: validates UTF-8, parses JSON, takes
/// the id and text out of a JSONL object and keeps its other fields.
pub(crate) fn build_doc(item: &mut Item, buf: &[u8], text_field: &str, max_doc: usize) -> Built {
    match item {
        Item::File { id, path, size } => {
            let id = std::mem::take(id);
            let mut bytes = match read_file(path, *size, max_doc) {
                Ok(Some(bytes)) => bytes,
                // It grew after it was listed.
                Ok(None) => return Err((id, too_large("file", None, max_doc))),
                Err(e) => return Err((id, DocFailure::new(FailureKind::Io, e.to_string()))),
            };
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            // The file's bytes become the text without a copy.
            match String::from_utf8(bytes) {
                Ok(text) => new_doc(id, text),
                Err(e) => Err((id, utf8_failure(&e.utf8_error()))),
            }
        }
        Item::Text { id, range } => {
            let id = std::mem::take(id);
            let mut bytes = &buf[range.clone()];
            // A byte-order mark is an encoding marker, not text: offsets
            // count from the first character after it.
            if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                bytes = rest;
            }
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => return Err((id, utf8_failure(&e))),
            };
            new_doc(id, text.to_owned())
        }
        Item::Json {
            source,
            line,
            range,
        } => build_json_doc(&buf[range.clone()], source, *line, text_field),
        Item::Ready(doc) => Ok(*doc.take().expect("a ready document is built once")),
        Item::Failed { id, failure } => Err((std::mem::take(id), failure.clone())),
    }
}

fn build_json_doc(bytes: &[u8], source: &str, line: u64, text_field: &str) -> Built {
    let fallback_id = || format!("{source}:{line}");
    let json = match std::str::from_utf8(bytes) {
        Ok(json) => json,
        Err(e) => return Err((fallback_id(), utf8_failure(&e))),
    };
    let invalid = |e: serde_json::Error| {
        (
            fallback_id(),
            DocFailure::new(FailureKind::InvalidJson, e.to_string()),
        )
    };
    let opens_object = json
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{');
    if !opens_object {
        // Broken JSON is reported as such before its type.
        let value: &RawValue = serde_json::from_str(json).map_err(invalid)?;
        return Err((
            fallback_id(),
            DocFailure::new(
                FailureKind::NotAnObject,
                format!("expected a JSON object, found {}", json_type(value)),
            ),
        ));
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let RawObject(fields) = RawObject::deserialize(&mut de)
        .and_then(|object| de.end().map(|()| object))
        .map_err(invalid)?;
    let (mut id, mut text) = (None, None);
    let mut others: Vec<(String, Box<RawValue>)> = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        if key == "id" {
            id = Some(value);
        } else if key == text_field {
            text = Some(value);
        } else {
            others.push((key.into_owned(), value.to_owned()));
        }
    }
    let id = match id.map(RawValue::get) {
        None | Some("null") => fallback_id(),
        Some(raw) if raw.starts_with('"') => json_string(raw).map_err(invalid)?,
        // A number (or any other value) is kept as its JSON text.
        Some(raw) => raw.to_owned(),
    };
    let text = match text {
        Some(raw) if raw.get().starts_with('"') => json_string(raw.get()).map_err(invalid)?,
        Some(other) => {
            return Err((
                id,
                DocFailure::new(
                    FailureKind::TextNotString,
                    format!("field {text_field:?} is {}, not a string", json_type(other)),
                ),
            ))
        }
        None => {
            return Err((
                id,
                DocFailure::new(FailureKind::MissingText, format!("no {text_field:?} field")),
            ))
        }
    };
    let mut doc = new_doc(id, text)?;
    doc.raw_fields = unique_keys(others);
    Ok(doc)
}

/// A JSONL object's fields, each value the JSON text it has in the line.
/// Capturing a value validates it without building it, so other fields
/// cost a scan and one copy, and come back out exactly as they came in.
struct RawObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = RawObject<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawObject<'de>, A::Error> {
                let mut fields = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    fields.push((key, map.next_value()?));
                }
                Ok(RawObject(fields))
            }
        }

        deserializer.deserialize_map(Fields)
    }
}

/// An object key, borrowed from the line unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }

            fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }

            fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The string a JSON string literal (already validated) stands for.
fn json_string(raw: &str) -> Result<String, serde_json::Error> {
    // Most texts have no escape, so their characters are the string's.
    if memchr::memchr(b'\\', raw.as_bytes()).is_none() {
        return Ok(raw[1..raw.len() - 1].to_owned());
    }
    serde_json::from_str(raw)
}

/// Keeps one field per key, as a parsed JSON object would: the last value,
/// at the place of the first.
fn unique_keys(mut fields: Vec<(String, Box<RawValue>)>) -> Vec<(String, Box<RawValue>)> {
    // A handful of fields is checked pairwise; a map keeps a record with
    // thousands of fields linear.
    if fields.len() <= 16 {
        let mut i = 0;
        while i < fields.len() {
            if let Some(first) = fields[..i].iter().position(|(k, _)| *k == fields[i].0) {
                let (_, value) = fields.remove(i);
                fields[first].1 = value;
            } else {
                i += 1;
            }
        }
        return fields;
    }
    let mut place: HashMap<String, usize> = HashMap::with_capacity(fields.len());
    let mut unique: Vec<(String, Box<RawValue>)> = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        match place.get(&key) {
            Some(&first) => unique[first].1 = value,
            None => {
                place.insert(key.clone(), unique.len());
                unique.push((key, value));
            }
        }
    }
    unique
}

fn new_doc(id: String, text: String) -> Built {
    if text.len() > Doc::MAX_LEN {
        return Err((
            id,
            DocFailure::new(
                FailureKind::TooLarge,
                format!("text of {} bytes exceeds the 4 GiB limit", text.len()),
            ),
        ));
    }
    // Doc::new fails only on the length checked above; the id goes into
    // the document without a copy.
    Doc::new(id, text).map_err(|e| {
        let id = match &e {
            DocError::TooLarge { id, .. } => id.clone(),
            _ => String::new(),
        };
        (id, DocFailure::new(FailureKind::TooLarge, e.to_string()))
    })
}

fn utf8_failure(e: &std::str::Utf8Error) -> DocFailure {
    DocFailure::new(
        FailureKind::InvalidUtf8,
        format!("invalid UTF-8 at byte {}", e.valid_up_to()),
    )
}

/// The type of a validated JSON value, from its first byte.
fn json_type(value: &RawValue) -> &'static str {
    match value.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_DOC: usize = MAX_DOC_BYTES;

    fn json(line: &str) -> Built {
        build_json_doc(line.as_bytes(), "in.jsonl", 7, "text")
    }

    fn failure(built: Built) -> (String, &'static str) {
        let (id, failure) = built.expect_err("should fail");
        (id, failure.kind.as_str())
    }

    #[test]
    fn jsonl_object_keeps_other_fields_in_order() {
        let doc = json(r#"{"z":1,"id":"a1","text":"Hi.","a":[2],"m":null}"#).unwrap();
        assert_eq!(doc.id(), "a1");
        assert_eq!(doc.text(), "Hi.");
        let keys: Vec<&str> = doc.raw_fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    /// The other fields as `key=raw` pairs.
    fn raw_fields(doc: &Doc) -> Vec<String> {
        doc.raw_fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.get()))
            .collect()
    }

    #[test]
    fn other_fields_keep_their_json_text() {
        let doc = json(concat!(
            r#"{"big":123456789012345678901234567890,"huge":-1e400,"#,
            r#""f":3.99999999999999999999999999999999996e66,"s":"caf\u00e9\n","#,
            r#""o":{ "a" : [1.0, 1E2] },"text":"Hi \"you\".","t\u0061g":true}"#
        ))
        .unwrap();
        assert_eq!(doc.text(), "Hi \"you\".");
        assert_eq!(
            raw_fields(&doc),
            [
                "big=123456789012345678901234567890",
                "huge=-1e400",
                "f=3.99999999999999999999999999999999996e66",
                r#"s="caf\u00e9\n""#,
                r#"o={ "a" : [1.0, 1E2] }"#,
                "tag=true",
            ]
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_at_its_first_place() {
        let doc = json(r#"{"a":1,"b":2,"text":"x","a":3,"text":"y"}"#).unwrap();
        assert_eq!(doc.text(), "y");
        assert_eq!(raw_fields(&doc), ["a=3", "b=2"]);
        let mut many = String::from("{\"text\":\"x\"");
        for i in 0..40 {
            many.push_str(&format!(",\"k{}\":{i}", i % 20));
        }
        many.push('}');
        let doc = json(&many).unwrap();
        let expected: Vec<String> = (0..20).map(|i| format!("k{i}={}", i + 20)).collect();
        assert_eq!(raw_fields(&doc), expected);
    }

    #[test]
    fn jsonl_ids_fall_back_to_file_and_line() {
        assert_eq!(json(r#"{"text":"x"}"#).unwrap().id(), "in.jsonl:7");
        assert_eq!(
            json(r#"{"id":null,"text":"x"}"#).unwrap().id(),
            "in.jsonl:7"
        );
        assert_eq!(json(r#"{"id":42,"text":"x"}"#).unwrap().id(), "42");
        assert_eq!(json(r#"{"id":"a\"b","text":"x"}"#).unwrap().id(), "a\"b");
        assert_eq!(
            json(r#"{"id":12345678901234567890123,"text":"x"}"#)
                .unwrap()
                .id(),
            "12345678901234567890123"
        );
    }

    #[test]
    fn jsonl_failures_have_kinds_and_ids() {
        assert_eq!(
            failure(json("{not json")),
            ("in.jsonl:7".into(), "invalid_json")
        );
        assert_eq!(
            failure(json("[1,2]")),
            ("in.jsonl:7".into(), "not_an_object")
        );
        assert_eq!(failure(json(r#"{"id":"k"}"#)), ("k".into(), "missing_text"));
        assert_eq!(
            failure(json(r#"{"id":"k","text":3}"#)),
            ("k".into(), "text_not_string")
        );
        assert_eq!(
            failure(json(r#"{"id":"k","text":{"a":1}}"#)),
            ("k".into(), "text_not_string")
        );
        assert_eq!(
            failure(json(r#" "text" "#)),
            ("in.jsonl:7".into(), "not_an_object")
        );
        assert_eq!(
            failure(json("1e400")),
            ("in.jsonl:7".into(), "not_an_object")
        );
        // Broken JSON anywhere in the line, even in a field nobody reads.
        for broken in [
            "[1,2",
            r#"{"text":"x"} {}"#,
            r#"{"text":"x","n":01}"#,
            r#"{"text":"x","s":"a\qb"}"#,
            "{\"text\":\"x\",\"s\":\"a\u{1}b\"}",
            r#"{"text":"x",}"#,
            r#"{"text":"x","o":{"a":}}"#,
        ] {
            assert_eq!(
                failure(json(broken)),
                ("in.jsonl:7".into(), "invalid_json"),
                "{broken}"
            );
        }
        let bad = build_json_doc(b"{\"text\":\"\xff\"}", "in.jsonl", 7, "text");
        assert_eq!(failure(bad), ("in.jsonl:7".into(), "invalid_utf8"));
    }

    #[test]
    fn text_items_strip_a_bom_and_reject_bad_utf8() {
        let buf = b"\xEF\xBB\xBFNews.bad\xC3(".to_vec();
        let mut good = Item::Text {
            id: "a.txt".into(),
            range: 0..8,
        };
        assert_eq!(
            build_doc(&mut good, &buf, "text", MAX_DOC).unwrap().text(),
            "News."
        );
        let mut bad = Item::Text {
            id: "b.txt".into(),
            range: 8..buf.len(),
        };
        let (id, failure) = build_doc(&mut bad, &buf, "text", MAX_DOC).unwrap_err();
        assert_eq!(
            (id.as_str(), failure.kind),
            ("b.txt", FailureKind::InvalidUtf8)
        );
        assert_eq!(failure.message, "invalid UTF-8 at byte 3");
    }

    #[test]
    fn files_are_read_by_the_worker_without_a_bom() {
        let dir = std::env::temp_dir().join(format!("dateline-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "\u{FEFF}News.").unwrap();
        std::fs::write(dir.join("b.txt"), b"ok\xC3(").unwrap();
        std::fs::write(dir.join("c.txt"), "gone").unwrap();
        let inputs = resolve_inputs(&[&dir], InputFormat::Auto).unwrap();
        let mut reader = BatchReader::new(
            inputs,
            BatchLimits::default(),
            MAX_DOC,
            Selection::default(),
            Arc::default(),
        );
        let mut batch = reader.next_batch().unwrap();
        assert!(batch.buf.is_empty(), "the reader thread reads no file");
        assert_eq!(batch.bytes, 8 + 4 + 4);
        // Gone between listing and reading: an io error record.
        std::fs::remove_file(dir.join("c.txt")).unwrap();
        let built: Vec<Built> = batch
            .items
            .iter_mut()
            .map(|item| build_doc(item, &[], "text", MAX_DOC))
            .collect();
        assert_eq!(built[0].as_ref().unwrap().text(), "News.");
        let (id, failure) = built[1].as_ref().unwrap_err();
        assert_eq!(
            (id.as_str(), failure.kind),
            ("b.txt", FailureKind::InvalidUtf8)
        );
        assert_eq!(failure.message, "invalid UTF-8 at byte 2");
        let (id, failure) = built[2].as_ref().unwrap_err();
        assert_eq!((id.as_str(), failure.kind), ("c.txt", FailureKind::Io));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lines_over_the_limit_are_read_past_across_buffers() {
        let input = b"12345\n123456\n12345\r\n123456\r\n       \n\n1234567";
        // A 2-byte buffer: every line spans several reads.
        let mut reader = BufReader::with_capacity(2, &input[..]);
        let mut buf = b"kept".to_vec();
        let mut got = Vec::new();
        loop {
            let before = buf.len();
            match read_line(&mut reader, &mut buf, 5).unwrap() {
                Line::End => break,
                Line::Read(n) => {
                    assert_eq!(buf.len() - before, n);
                    got.push(format!(
                        "{:?}",
                        std::str::from_utf8(&buf[before..]).unwrap()
                    ));
                }
                Line::TooLong { n, blank, id } => {
                    assert_eq!(buf.len(), before, "nothing of it is held");
                    assert_eq!(id, None);
                    got.push(format!("over {n}{}", if blank { " blank" } else { "" }));
                }
            }
        }
        assert_eq!(
            got,
            [
                r#""12345\n""#,
                "over 7",
                r#""12345\r\n""#,
                "over 8",
                "over 8 blank",
                r#""\n""#,
                "over 7",
            ]
        );
        assert!(buf.starts_with(b"kept"));
    }

    #[test]
    fn a_line_too_long_to_parse_keeps_a_leading_id() {
        let ids = [
            (r#"{"id":"a\"1","text":"xxxx"#, Some("a\"1")),
            ("\u{feff} { \"id\" : 42 , \"text\":\"xxx", Some("42")),
            (
                r#"{"id":12345678901234567890123,"t"#,
                Some("12345678901234567890123"),
            ),
            (r#"{"id":null,"text":"xxx"#, None),
            (r#"{"text":"xxx","id":"late"}"#, None),
            (r#"{"id":"cut off"#, None),
            (r#"{"id":1"#, None),
            (r#"["id","x"]"#, None),
        ];
        for (line, id) in ids {
            assert_eq!(leading_id(line.as_bytes()).as_deref(), id, "{line}");
        }
    }

    #[test]
    fn too_large_files_are_not_read() {
        let dir = std::env::temp_dir().join(format!("dateline-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "12345").unwrap();
        std::fs::write(dir.join("b.txt"), "123456").unwrap();
        let inputs = resolve_inputs(&[&dir], InputFormat::Auto).unwrap();
        let mut reader = BatchReader::new(
            inputs,
            BatchLimits::default(),
            5,
            Selection::default(),
            Arc::default(),
        );
        let mut batch = reader.next_batch().unwrap();
        let kinds: Vec<Option<FailureKind>> = batch
            .items
            .iter_mut()
            .map(|item| build_doc(item, &[], "text", 5).err().map(|(_, f)| f.kind))
            .collect();
        assert_eq!(kinds, [None, Some(FailureKind::TooLarge)]);
        // A file that grows past the limit after it was listed.
        let mut grown = Item::File {
            id: "a.txt".into(),
            path: dir.join("a.txt"),
            size: 5,
        };
        std::fs::write(dir.join("a.txt"), "1234567").unwrap();
        let (_, failure) = build_doc(&mut grown, &[], "text", 5).unwrap_err();
        assert_eq!(failure.kind, FailureKind::TooLarge);
        assert!(
            failure.message.contains("more than 5 bytes"),
            "{}",
            failure.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shards_partition_the_document_indices() {
        let shards: Vec<Shard> = (1..=3).map(|k| Shard::new(k, 3).unwrap()).collect();
        for index in 0..30u64 {
            assert_eq!(shards.iter().filter(|s| s.contains(index)).count(), 1);
        }
        assert!(shards[1].contains(4));
        assert_eq!("2/3".parse::<Shard>(), Ok(shards[1]));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
        // Shard 2 of 2, after skipping the first two of its documents.
        let mut select = Selection::new(Shard::new(2, 2).unwrap(), 2);
        let picked: Vec<u64> = (0..10).filter_map(|_| select.next()).collect();
        assert_eq!(picked, [5, 7, 9]);
    }

    #[test]
    fn reader_cuts_batches_and_skips_blank_lines() {
        let dir = std::env::temp_dir().join(format!("dateline-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.jsonl");
        std::fs::write(
            &path,
            "\u{FEFF}{\"text\":\"a\"}\n\n{\"text\":\"b\"}\r\n{\"text\":\"c\"}",
        )
        .unwrap();
        let inputs = resolve_inputs(&[&path], InputFormat::Auto).unwrap();
        let limits = BatchLimits {
            max_docs: 2,
            max_bytes: 1 << 20,
        };
        let mut reader = BatchReader::new(
            inputs,
            limits,
            MAX_DOC,
            Selection::default(),
            Arc::default(),
        );
        let first = reader.next_batch().unwrap();
        let second = reader.next_batch().unwrap();
        assert!(reader.next_batch().is_none());
        let lines: Vec<u64> = first
            .items
            .iter()
            .chain(&second.items)
            .map(|item| match item {
                Item::Json { line, .. } => *line,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(lines, [1, 3, 4]);
        let mut first = first;
        let texts: Vec<String> = first
            .items
            .iter_mut()
            .map(|item| {
                build_doc(item, &first.buf, "text", MAX_DOC)
                    .unwrap()
                    .text()
                    .to_owned()
            })
            .collect();
        assert_eq!(texts, ["a", "b"], "the byte-order mark and CR are not text");
        assert_eq!(
            first.bytes + second.bytes,
            std::fs::metadata(&path).unwrap().len()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
