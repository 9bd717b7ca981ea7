//! The corpus runner behind `dateline run`: reads, processes and writes in
//! bounded batches, with the three overlapping.
//!
//! - A reader thread cuts the inputs into batches of raw documents
//!   ([`BatchLimits`]) and hands them over a channel that holds one batch.
//! - The calling thread hands each batch to a rayon pool, which splits it
//!   into chunks of consecutive documents; a worker builds, processes and
//!   renders the documents of its chunk into one byte buffer, so nothing is
//!   allocated per document beyond the document itself. Two batches are in
//!   the pool at once, so threads never idle at a batch boundary.
//! - A writer thread writes the chunks in order, then the next batch's.
//!
//! Output order is input order whatever the thread count, because chunks
//! are collected in order and batches are written in order: `--threads 1`
//! and `--threads 8` give the same bytes. Memory is bounded by the few
//! batches in flight (one being read, one queued, two being processed, one
//! handed to the writer, one being written), never by the corpus.
//!
//! A run can stop early and be continued. A stop flag (set by the binary
//! on SIGINT or SIGTERM) makes the reader stop while the documents already
//! read are finished and written, so an interrupted output ends with a
//! complete record. An output file is written under a staging name and
//! renamed into place when the run ends ([`FileTarget`]), so it holds whole
//! records even when the process is killed outright. A resumed run (JSONL
//! only, where a record is a line) cuts a partial last line, counts the
//! lines and skips as many documents of its shard before appending.

use std::collections::VecDeque;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Read, Seek, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use dateline_core::Doc;
use dateline_render::{DocSummary, Format, Output, RenderOptions, Renderer};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::input::{
    build_doc, resolve_inputs, Batch, BatchLimits, BatchReader, Input, InputFormat, Item,
    Selection, Shard, MAX_DOC_BYTES,
};
use crate::{DocFailure, Error, FailureKind, Pipeline, StageOptions, StageRegistry};

/// Everything `dateline run` needs, already parsed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RunConfig {
    /// Files, directories or `-`; none means stdin.
    pub inputs: Vec<PathBuf>,
    pub input_format: InputFormat,
    /// The JSONL field holding the text.
    pub text_field: String,
    /// Stage names, in order, resolved through the registry.
    pub stages: Vec<String>,
    pub stage_options: StageOptions,
    pub format: Format,
    pub render: RenderOptions,
    /// A file (stream formats) or a directory (brat, html); `None` is stdout.
    pub output: Option<PathBuf>,
    /// Worker threads; `None` is one per core.
    pub threads: Option<usize>,
    /// Draw a progress bar (only ever on a terminal).
    pub progress: bool,
    pub limits: BatchLimits,
    /// Input bytes a document may take: a longer JSONL line or larger
    /// `.txt` file becomes a `too_large` error record and is read past, not
    /// held (`--max-doc-bytes`; at most [`Doc::MAX_LEN`]).
    pub max_doc_bytes: usize,
    /// Only this shard of the documents (`--shard K/N`).
    pub shard: Shard,
    /// Keep the complete records already in the output file and append
    /// the documents after them (`--resume`; JSONL output only).
    pub resume: bool,
}

impl Default for RunConfig {
    fn default() -> RunConfig {
        RunConfig {
            inputs: Vec::new(),
            input_format: InputFormat::Auto,
            text_field: "text".to_owned(),
            stages: ["tokenize", "segment", "tag"].map(String::from).to_vec(),
            stage_options: StageOptions::default(),
            format: Format::Jsonl,
            render: RenderOptions::default(),
            output: None,
            threads: None,
            progress: false,
            limits: BatchLimits::default(),
            max_doc_bytes: MAX_DOC_BYTES,
            shard: Shard::ALL,
            resume: false,
        }
    }
}

/// A run that passed every start-up check: inputs found, stages built,
/// output opened. [`Runner::run`] then cannot fail on configuration.
#[derive(Debug)]
pub struct Runner {
    pipeline: Pipeline,
    renderer: Renderer,
    inputs: Vec<Input>,
    sink: Sink,
    pool: rayon::ThreadPool,
    text_field: String,
    progress: bool,
    limits: BatchLimits,
    max_doc_bytes: usize,
    select: Selection,
    stop: Arc<AtomicBool>,
    started: Instant,
}

/// What a run did, for the summary line and the exit status.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RunSummary {
    /// Records written, failed documents included.
    pub documents: u64,
    /// Documents that failed (written as error records).
    pub errors: u64,
    /// Input bytes read.
    pub bytes: u64,
    /// From [`Runner::new`] on, start-up included.
    pub elapsed: Duration,
    /// The reader of the output went away (a closed pipe): the run stopped
    /// early, which is not an error.
    pub output_closed: bool,
    /// The first few failures, as `id: kind: message`.
    pub first_errors: Vec<String>,
    /// Records a resumed run found in the output and kept.
    pub resumed_after: u64,
    /// The run was told to stop ([`Runner::stop_flag`]) before the end of
    /// the input; the output holds only complete records.
    pub interrupted: bool,
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = self.bytes as f64 / 1e6;
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "{} documents, {} errors, {:.2} MB in {:.2} s ({:.2} MB/s)",
            self.documents,
            self.errors,
            mb,
            secs,
            if secs > 0.0 { mb / secs } else { 0.0 }
        )?;
        if self.resumed_after > 0 {
            write!(f, ", after {} records kept", self.resumed_after)?;
        }
        if self.output_closed {
            f.write_str(", output closed early")?;
        }
        if self.interrupted {
            f.write_str(", interrupted")?;
        }
        Ok(())
    }
}

/// Batches processed at once: two, so one's tail overlaps the next's start.
const IN_FLIGHT: usize = 2;

/// How many failures the summary quotes.
const QUOTED_ERRORS: usize = 5;

impl Runner {
    /// Checks the configuration and prepares the run: resolves the inputs,
    /// builds the stages through `registry`, creates the output and the
    /// thread pool. Every error here is a start-up error.
    pub fn new(config: RunConfig, registry: &StageRegistry) -> Result<Runner, Error> {
        // The clock includes start-up: listing a large directory and
        // loading models are part of what a run costs.
        let started = Instant::now();
        let inputs = resolve_inputs(&config.inputs, config.input_format)?;
        // Pre-tokenised input carries tokens and sentences, so the stages
        // that would compute them are skipped. Raw text in the same run
        // would need the skipped stages: one pipeline cannot serve both.
        let initial = inputs
            .first()
            .map_or(&[][..], |input| input.format.initial_layers());
        if let Some(other) = inputs
            .iter()
            .find(|input| input.format.initial_layers() != initial)
        {
            return Err(Error::MixedInputs {
                first: inputs[0].name.clone(),
                other: other.name.clone(),
            });
        }
        let pipeline = registry.build_pipeline(&config.stages, &config.stage_options, initial)?;
        let renderer = Renderer::new(config.format, config.render);
        let target = match &config.output {
            Some(path) if !renderer.writes_files() => Some(FileTarget::resolve(path)?),
            _ => None,
        };
        if let Some(target) = &target {
            refuse_overwriting_an_input(target, &inputs)?;
        }
        if config.resume {
            if config.format != Format::Jsonl {
                return Err(Error::ResumeFormat {
                    format: config.format.as_str(),
                });
            }
            if target.is_none() {
                return Err(Error::ResumeNeedsOutput);
            }
        }
        let (sink, resumed_after) = Sink::open(
            config.output.as_deref(),
            target,
            renderer.writes_files(),
            config.format,
            config.resume,
        )?;
        let threads = config.threads.unwrap_or(0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("dateline-worker-{i}"))
            .build()
            .map_err(|e| Error::Threads {
                threads,
                message: e.to_string(),
            })?;
        Ok(Runner {
            pipeline,
            renderer,
            inputs,
            sink,
            pool,
            text_field: config.text_field,
            progress: config.progress,
            limits: config.limits,
            max_doc_bytes: config.max_doc_bytes.min(Doc::MAX_LEN),
            select: Selection::new(config.shard, resumed_after),
            stop: Arc::default(),
            started,
        })
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// A flag that stops the run when set (from a signal handler, say):
    /// no further document is read, the ones already read are processed
    /// and written, and [`Runner::run`] returns a summary marked
    /// `interrupted`. The output then ends with a complete record, and
    /// `--resume` continues after it.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Runs to the end of the input (or until the output is closed). Fails
    /// only when the output cannot be written.
    pub fn run(self) -> Result<RunSummary, Error> {
        let total: Option<u64> = self.inputs.iter().map(|input| input.size).sum();
        let progress = self.progress_bar(total);

        let (batch_tx, batch_rx) = sync_channel::<Batch>(1);
        let resumed_after = self.select.skip;
        let mut reader = BatchReader::new(
            self.inputs,
            self.limits,
            self.max_doc_bytes,
            self.select,
            Arc::clone(&self.stop),
        );
        let reader_thread = thread::Builder::new()
            .name("dateline-reader".into())
            .spawn(move || {
                while let Some(batch) = reader.next_batch() {
                    if batch_tx.send(batch).is_err() {
                        break;
                    }
                }
            })
            .expect("spawning the reader thread");

        // A rendezvous: a processed batch waits in the calling thread, not
        // in a queue, until the writer takes it.
        let (out_tx, out_rx) = sync_channel::<Processed>(0);
        let writer = Writer {
            sink: self.sink,
            header: self.renderer.header(),
            renderer: self.renderer.clone(),
            progress: progress.clone(),
        };
        let writer_thread = thread::Builder::new()
            .name("dateline-writer".into())
            .spawn(move || writer.run(out_rx))
            .expect("spawning the writer thread");

        let work = Work {
            pipeline: &self.pipeline,
            renderer: &self.renderer,
            text_field: &self.text_field,
            max_doc_bytes: self.max_doc_bytes,
            summaries: self.renderer.writes_files(),
            // The json array's separators depend on a record's place in
            // this output, not in the input.
            by_position: self.renderer.format() == Format::Json,
            threads: self.pool.current_num_threads(),
        };
        // Two batches in flight: while the last chunks of one finish, the
        // idle threads already work on the next, so no thread waits at a
        // batch boundary. Each batch reports through its own channel, and
        // they are handed to the writer in order.
        let work = &work;
        self.pool.in_place_scope(|scope| {
            let mut in_flight: VecDeque<Receiver<Processed>> = VecDeque::with_capacity(IN_FLIGHT);
            let mut next_index = 0u64;
            let mut writer_gone = false;
            for batch in batch_rx {
                if in_flight.len() >= IN_FLIGHT {
                    let processed = in_flight.pop_front().and_then(|rx| rx.recv().ok());
                    if processed.is_some_and(|p| out_tx.send(p).is_err()) {
                        // The writer stopped: the output is closed or broken.
                        writer_gone = true;
                        break;
                    }
                }
                let first_index = next_index;
                next_index += batch.items.len() as u64;
                let (done_tx, done_rx) = sync_channel::<Processed>(1);
                scope.spawn(move |_| {
                    let _ = done_tx.send(work.process(batch, first_index));
                });
                in_flight.push_back(done_rx);
            }
            for done_rx in in_flight {
                if let Ok(processed) = done_rx.recv() {
                    if !writer_gone && out_tx.send(processed).is_err() {
                        writer_gone = true;
                    }
                }
            }
        });
        drop(out_tx);

        let written = writer_thread
            .join()
            .unwrap_or_else(|e| panic::resume_unwind(e));
        if !written.closed && written.error.is_none() {
            // The reader has finished (its channel closed); otherwise it may
            // be blocked on a slow input nobody needs any more, and the
            // process exits without waiting for it. A reader that panicked
            // must not pass for the end of the input.
            if let Err(panic) = reader_thread.join() {
                panic::resume_unwind(panic);
            }
        }
        if let Some(progress) = &progress {
            progress.finish_and_clear();
        }
        if let Some(error) = written.error {
            return Err(error);
        }
        Ok(RunSummary {
            documents: written.docs,
            errors: written.errors,
            bytes: written.bytes,
            elapsed: self.started.elapsed(),
            output_closed: written.closed,
            first_errors: written.first_errors,
            resumed_after,
            interrupted: self.stop.load(Ordering::Relaxed),
        })
    }

    fn progress_bar(&self, total: Option<u64>) -> Option<ProgressBar> {
        if !self.progress || !io::stderr().is_terminal() {
            return None;
        }
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {decimal_bytes}/{decimal_total_bytes} {msg} {decimal_bytes_per_sec} ETA {eta}",
                    )
                    .expect("a valid template"),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {decimal_bytes} {msg} {decimal_bytes_per_sec} {elapsed}")
                    .expect("a valid template"),
            ),
        };
        bar.set_message("0 docs");
        bar.enable_steady_tick(Duration::from_millis(200));
        Some(bar)
    }
}

/// An output that is also an input would be replaced by the records made
/// from it (or emptied, when written in place, before it is read). Only
/// inputs with the output's file name are resolved, so a directory of many
/// files costs no extra system calls.
fn refuse_overwriting_an_input(target: &FileTarget, inputs: &[Input]) -> Result<(), Error> {
    for output in [Some(&target.path), target.staging.as_ref()]
        .into_iter()
        .flatten()
    {
        let Ok(output) = std::fs::canonicalize(output) else {
            // Not there yet: nothing to overwrite.
            continue;
        };
        let clash = inputs
            .iter()
            .filter_map(|input| input.path.as_deref())
            .any(|path| {
                path.file_name() == output.file_name()
                    && std::fs::canonicalize(path).is_ok_and(|path| path == output)
            });
        if clash {
            return Err(Error::OutputIsInput { path: output });
        }
    }
    Ok(())
}

/// Where a file output goes. The records are written to a staging file
/// beside it, `OUT.partial`, renamed to `OUT` when the run ends (finished,
/// or stopped by SIGINT or SIGTERM after its last whole record). A rename
/// is atomic, so `OUT` holds whole records at every instant, whatever stops
/// the process: a write(2) to a regular file is not atomic against SIGKILL
/// (Linux may stop it at a page boundary), and the staging file may end
/// inside a record, which `--resume` cuts off before it continues.
///
/// An output that exists and is not a regular file (a device such as
/// `/dev/null`, a named pipe) is written in place, as it cannot be renamed
/// over and holds no records to protect.
#[derive(Debug)]
struct FileTarget {
    /// The output; for a symbolic link, the file it names, so the link
    /// stays a link.
    path: PathBuf,
    /// The staging file; `None` when the output is written in place.
    staging: Option<PathBuf>,
}

impl FileTarget {
    fn resolve(path: &Path) -> Result<FileTarget, Error> {
        let error = |source| Error::Output {
            path: path.display().to_string(),
            source,
        };
        let path = match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                return Ok(FileTarget {
                    path: path.to_owned(),
                    staging: None,
                })
            }
            Ok(_) if path.is_symlink() => std::fs::canonicalize(path).map_err(error)?,
            Ok(_) => path.to_owned(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => path.to_owned(),
            Err(e) => return Err(error(e)),
        };
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(".partial");
        Ok(FileTarget {
            staging: Some(path.with_file_name(name)),
            path,
        })
    }

    /// The file the records are written to while the run lasts.
    fn written(&self) -> &Path {
        self.staging.as_deref().unwrap_or(&self.path)
    }
}

impl FileTarget {
    /// Opens the file the records go to. A fresh run empties it; a resumed
    /// one (JSONL) cuts a partial last record and counts the complete ones,
    /// returned with the file. A staging file left by a run that did not
    /// end (killed, or failed on a full disk) is the newest work and is
    /// continued; otherwise the output of a finished or interrupted run
    /// moves back to the staging name to be continued, so that a resumed
    /// run killed in turn cannot tear it either. No output at all is an
    /// empty one, so the same command serves the first run and every
    /// re-run.
    ///
    /// The staging file is locked while the run lasts (the lock goes with
    /// the process, however it ends), and locked before anything in it is
    /// cut: a second run on the same output stops with an error instead of
    /// emptying or interleaving the first one's records.
    fn open(&self, resume: bool) -> Result<(File, u64), Error> {
        let error = |path: &Path, source| Error::Output {
            path: path.display().to_string(),
            source,
        };
        let open = |path: &Path, create: bool| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(create)
                .open(path)
        };
        let Some(staging) = &self.staging else {
            // Written in place: a device or a pipe, nothing to protect.
            return if resume {
                let file = open(&self.path, false).map_err(|e| error(&self.path, e))?;
                let mut handle = &file;
                let lines = truncate_to_complete_lines(&mut handle)
                    .and_then(|lines| handle.seek(io::SeekFrom::End(0)).map(|_| lines))
                    .map_err(|e| error(&self.path, e))?;
                Ok((file, lines))
            } else {
                let file = File::create(&self.path).map_err(|e| error(&self.path, e))?;
                Ok((file, 0))
            };
        };
        let file = match open(staging, !resume) {
            Ok(file) => file,
            Err(e) if resume && e.kind() == io::ErrorKind::NotFound => {
                match std::fs::rename(&self.path, staging) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(error(&self.path, e)),
                }
                open(staging, true).map_err(|e| error(staging, e))?
            }
            Err(e) => return Err(error(staging, e)),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::OutputBusy {
                    path: self.path.clone(),
                    staging: staging.clone(),
                })
            }
            // A file system without locks still takes the records.
            Err(std::fs::TryLockError::Error(_)) => {}
        }
        let mut handle = &file;
        let lines = if resume {
            truncate_to_complete_lines(&mut handle).map_err(|e| error(staging, e))?
        } else {
            file.set_len(0).map_err(|e| error(staging, e))?;
            0
        };
        // Records are appended after what was kept.
        handle
            .seek(io::SeekFrom::End(0))
            .map_err(|e| error(staging, e))?;
        Ok((file, lines))
    }
}

/// Counts the lines of `file` that end in a newline and cuts whatever
/// follows the last of them: a JSONL record is complete exactly when its
/// newline was written.
fn truncate_to_complete_lines(file: &mut &File) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let (mut lines, mut read, mut complete) = (0u64, 0u64, 0u64);
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        lines += memchr::memchr_iter(b'\n', chunk).count() as u64;
        if let Some(last) = memchr::memrchr(b'\n', chunk) {
            complete = read + last as u64 + 1;
        }
        read += n as u64;
    }
    if complete < read {
        file.set_len(complete)?;
    }
    Ok(lines)
}

/// Where the records go.
#[derive(Debug)]
enum Sink {
    Stdout,
    /// `-o FILE`: written to `target.written()`, committed at the end.
    File {
        target: FileTarget,
        file: File,
    },
    /// brat and html: a file per document in this directory; stream bytes
    /// (if a format ever has any) go to stdout.
    Dir(PathBuf),
}

impl Sink {
    /// Opens the output; with `resume`, what the file holds is kept, and
    /// the number of records it holds is returned too.
    fn open(
        output: Option<&Path>,
        target: Option<FileTarget>,
        writes_files: bool,
        format: Format,
        resume: bool,
    ) -> Result<(Sink, u64), Error> {
        match (output, target) {
            (None, _) if writes_files => Err(Error::NeedsOutputDir {
                format: format.as_str(),
            }),
            (None, _) => Ok((Sink::Stdout, 0)),
            (Some(_), Some(target)) => {
                let (file, records) = target.open(resume)?;
                Ok((Sink::File { target, file }, records))
            }
            (Some(path), None) => {
                std::fs::create_dir_all(path).map_err(|source| Error::Output {
                    path: path.display().to_string(),
                    source,
                })?;
                Ok((Sink::Dir(path.to_owned()), 0))
            }
        }
    }
}

/// What the workers made of one batch, in order.
struct Processed {
    chunks: Vec<Chunk>,
    bytes: u64,
    skipped: u64,
}

/// The rendering of consecutive documents of a batch.
#[derive(Default)]
struct Chunk {
    out: Output,
    summaries: Vec<DocSummary>,
    docs: u64,
    errors: u64,
    first_errors: Vec<String>,
}

/// The shared, read-only state of the workers.
struct Work<'a> {
    pipeline: &'a Pipeline,
    renderer: &'a Renderer,
    text_field: &'a str,
    max_doc_bytes: usize,
    /// Whether the footer needs a summary of each document (brat, html).
    summaries: bool,
    /// Render with the record's place in the output rather than the
    /// document's index in the input (json).
    by_position: bool,
    threads: usize,
}

impl Work<'_> {
    /// Processes a batch whose first record has place `first_position` in
    /// the output.
    fn process(&self, batch: Batch, first_position: u64) -> Processed {
        let Batch {
            buf,
            mut items,
            indices,
            bytes,
            skipped,
            ..
        } = batch;
        // A few chunks per thread, so one slow document does not leave the
        // other threads idle for long.
        let chunk_len = items.len().div_ceil(self.threads * 4).max(1);
        let chunks = items
            .par_chunks_mut(chunk_len)
            .enumerate()
            .map(|(c, chunk)| {
                let first = c * chunk_len;
                let mut out = Chunk::default();
                for (i, item) in chunk.iter_mut().enumerate() {
                    // Brat and html name files after the input index, so
                    // the shards of a corpus never reuse a name.
                    let index = if self.by_position {
                        first_position + (first + i) as u64
                    } else {
                        indices[first + i]
                    };
                    self.one(item, &buf, index, &mut out);
                }
                out
            })
            .collect();
        Processed {
            chunks,
            bytes,
            skipped,
        }
    }

    /// Builds, processes and renders one document into the chunk; a
    /// failure anywhere becomes the document's error record.
    fn one(&self, item: &mut Item, buf: &[u8], index: u64, chunk: &mut Chunk) {
        chunk.docs += 1;
        let failure = match build_doc(item, buf, self.text_field, self.max_doc_bytes) {
            Ok(mut doc) => match self.process_and_render(&mut doc, index, &mut chunk.out) {
                Ok(()) => {
                    if self.summaries {
                        chunk.summaries.push(DocSummary::new(&doc, index));
                    }
                    return;
                }
                Err(failure) => (doc.id().to_owned(), failure),
            },
            Err(failure) => failure,
        };
        let (id, failure) = failure;
        self.renderer.render_error(
            &id,
            failure.kind.as_str(),
            &failure.message,
            index,
            &mut chunk.out,
        );
        if self.summaries {
            chunk.summaries.push(DocSummary::failed(&id, index));
        }
        chunk.errors += 1;
        if chunk.first_errors.len() < QUOTED_ERRORS {
            chunk.first_errors.push(format!("{id}: {failure}"));
        }
    }

    fn process_and_render(
        &self,
        doc: &mut Doc,
        index: u64,
        out: &mut Output,
    ) -> Result<(), DocFailure> {
        let (bytes_mark, files_mark) = (out.bytes.len(), out.files.len());
        // A panic in a stage is a bug on one document; it must not take
        // down a run over millions of others.
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            self.pipeline
                .process(doc)
                .map_err(|e| DocFailure::new(FailureKind::Stage, e.to_string()))?;
            self.renderer
                .render(doc, index, out)
                .map_err(|e| DocFailure::new(FailureKind::Render, e.to_string()))
        }));
        let result = result.unwrap_or_else(|payload| {
            Err(DocFailure::new(
                FailureKind::Stage,
                format!("a stage panicked: {}", panic_message(&payload)),
            ))
        });
        if result.is_err() {
            out.bytes.truncate(bytes_mark);
            out.files.truncate(files_mark);
        }
        result
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown cause"
    }
}

/// The writer thread's state.
struct Writer {
    sink: Sink,
    header: Output,
    renderer: Renderer,
    progress: Option<ProgressBar>,
}

/// What the writer thread wrote.
#[derive(Default)]
struct Written {
    docs: u64,
    errors: u64,
    bytes: u64,
    first_errors: Vec<String>,
    closed: bool,
    error: Option<Error>,
}

/// Output is handed to the OS in pieces of about this size.
const WRITE_BUFFER: usize = 1 << 20;

impl Writer {
    fn run(self, batches: Receiver<Processed>) -> Written {
        let mut written = Written::default();
        let Writer {
            sink,
            header,
            renderer,
            progress,
        } = self;
        let mut commit = None;
        let (stream, dir, name) = match sink {
            Sink::Stdout => (
                Stream::Stdout(io::stdout().lock()),
                None,
                "stdout".to_owned(),
            ),
            Sink::File { target, file } => {
                let name = target.written().display().to_string();
                commit = Some(target);
                (Stream::File(file), None, name)
            }
            Sink::Dir(dir) => (
                Stream::Stdout(io::stdout().lock()),
                Some(dir),
                "stdout".to_owned(),
            ),
        };
        let mut out = Out {
            stream: RecordWriter {
                inner: stream,
                buf: Vec::with_capacity(WRITE_BUFFER),
            },
            dir,
            name,
        };
        let mut summaries = Vec::new();
        let result = (|| -> io::Result<()> {
            out.write(&header)?;
            for batch in batches {
                for chunk in batch.chunks {
                    out.write(&chunk.out)?;
                    written.docs += chunk.docs;
                    written.errors += chunk.errors;
                    for quote in chunk.first_errors {
                        if written.first_errors.len() < QUOTED_ERRORS {
                            written.first_errors.push(quote);
                        }
                    }
                    summaries.extend(chunk.summaries);
                }
                written.bytes += batch.bytes;
                if let Some(progress) = &progress {
                    progress.inc(batch.bytes + batch.skipped);
                    let secs = progress.elapsed().as_secs_f64().max(1e-3);
                    progress.set_message(format!(
                        "{} docs ({:.0} docs/s)",
                        written.docs,
                        written.docs as f64 / secs
                    ));
                }
            }
            out.write(&renderer.footer(&summaries))?;
            out.stream.flush()?;
            match (&out.stream.inner, commit) {
                (
                    Stream::File(file),
                    Some(FileTarget {
                        path,
                        staging: Some(staging),
                    }),
                ) => {
                    // On disk before it has the name, so a power cut
                    // cannot leave the name on a file not yet written.
                    file.sync_data()?;
                    std::fs::rename(staging, path)
                }
                _ => Ok(()),
            }
        })();
        if let Err(e) = result {
            if e.kind() == io::ErrorKind::BrokenPipe {
                written.closed = true;
            } else {
                written.error = Some(out.error(e));
            }
        }
        written
    }
}

/// Collects whole chunks of records and hands them to the OS in one
/// `write_all` each, so a write ends inside a record only when the process
/// is killed during it; a file output is kept whole by its staging file
/// ([`FileTarget`]).
struct RecordWriter {
    inner: Stream,
    buf: Vec<u8>,
}

/// The stream output, kept as a file where it is one so it can be synced.
enum Stream {
    Stdout(io::StdoutLock<'static>),
    File(File),
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Stdout(out) => out.write(buf),
            Stream::File(file) => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Stdout(out) => out.write_all(buf),
            Stream::File(file) => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Stdout(out) => out.flush(),
            Stream::File(file) => file.flush(),
        }
    }
}

impl RecordWriter {
    /// Writes `records`, which end on a record boundary.
    fn write_records(&mut self, records: &[u8]) -> io::Result<()> {
        if self.buf.len() + records.len() > WRITE_BUFFER {
            self.write_buffered()?;
        }
        if records.len() >= WRITE_BUFFER {
            self.inner.write_all(records)
        } else {
            self.buf.extend_from_slice(records);
            Ok(())
        }
    }

    fn write_buffered(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let result = self.inner.write_all(&self.buf);
        self.buf.clear();
        result
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_buffered()?;
        self.inner.flush()
    }
}

/// The open output: a stream and, for brat and html, a directory.
struct Out {
    stream: RecordWriter,
    dir: Option<PathBuf>,
    name: String,
}

impl Out {
    fn write(&mut self, output: &Output) -> io::Result<()> {
        self.stream.write_records(&output.bytes)?;
        if let Some(dir) = &self.dir {
            for (name, content) in &output.files {
                let path = dir.join(name);
                // Written under a staging name and renamed, as `-o FILE`
                // is: a killed run leaves each file whole or absent (and
                // perhaps a `.partial` beside it), never cut.
                let mut staging = path.clone().into_os_string();
                staging.push(".partial");
                std::fs::write(&staging, content)
                    .and_then(|()| std::fs::rename(&staging, &path))
                    // The error names the file that failed, not the stream.
                    .inspect_err(|_| self.name = path.display().to_string())?;
            }
        }
        Ok(())
    }

    fn error(&self, source: io::Error) -> Error {
        Error::Output {
            path: self.name.clone(),
            source,
        }
    }
}
