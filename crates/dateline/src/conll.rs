//! Pre-tokenised CoNLL input, read by `dateline_render::read::ConllReader`,
//! as (document or failure, bytes read) pairs for the batch reader.

use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dateline_core::Doc;
use dateline_render::read::{ConllReader, ReadError};

use crate::{DocFailure, FailureKind};

/// The documents of one CoNLL input, each with the input bytes it took.
pub(crate) struct ConllDocs {
    reader: ConllReader<Counting<Box<dyn BufRead + Send>>>,
    name: String,
    consumed: Arc<AtomicU64>,
    reported: u64,
}

impl ConllDocs {
    /// `max_doc_bytes` caps the input lines one document may take.
    pub fn new(input: Box<dyn BufRead + Send>, name: String, max_doc_bytes: usize) -> ConllDocs {
        let consumed = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: input,
            consumed: Arc::clone(&consumed),
        };
        ConllDocs {
            reader: ConllReader::new(counting, name.clone()).max_doc_bytes(max_doc_bytes),
            name,
            consumed,
            reported: 0,
        }
    }
}

impl Iterator for ConllDocs {
    type Item = (Result<Doc, (String, DocFailure)>, u64);

    fn next(&mut self) -> Option<Self::Item> {
        let result = self.reader.next()?.map_err(|e| match e {
            ReadError::Syntax { line, .. } => (
                format!("{}:{line}", self.name),
                DocFailure::new(FailureKind::InvalidConll, e.to_string()),
            ),
            ReadError::TooLarge { line, limit, .. } => (
                format!("{}:{line}", self.name),
                DocFailure::new(
                    FailureKind::TooLarge,
                    format!("document of more than {limit} bytes is over the limit a document may take (--max-doc-bytes)"),
                ),
            ),
            other => (
                self.name.clone(),
                DocFailure::new(FailureKind::Io, other.to_string()),
            ),
        });
        let consumed = self.consumed.load(Ordering::Relaxed);
        let bytes = consumed - self.reported;
        self.reported = consumed;
        Some((result, bytes))
    }
}

/// Counts the bytes its reader hands out, for progress.
struct Counting<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.consumed.fetch_add(amt as u64, Ordering::Relaxed);
        self.inner.consume(amt);
    }
}
