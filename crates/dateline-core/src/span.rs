//! Byte spans: the canonical offsets of every layer.

use std::fmt;
use std::ops::Range;

/// A half-open byte range `[start, end)` into a document's text.
///
/// Byte offsets are canonical inside dateline; character and UTF-16 offsets
/// are computed at the rendering edge with an [`OffsetIndex`](crate::OffsetIndex).
/// `u32` keeps a token at eight bytes of span; documents over 4 GiB are
/// rejected when the `Doc` is built.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// Creates a span.
    ///
    /// # Panics
    /// When `start > end`: a reversed span is always a bug in the caller.
    #[inline]
    #[track_caller]
    pub fn new(start: u32, end: u32) -> Span {
        assert!(start <= end, "invalid span {start}..{end}");
        Span { start, end }
    }

    /// Creates a span from `usize` offsets, as produced by `str` methods.
    #[inline]
    #[track_caller]
    pub fn from_usize(start: usize, end: usize) -> Span {
        Span::new(to_u32(start), to_u32(end))
    }

    #[inline]
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    #[inline]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    #[inline]
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    #[inline]
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    #[inline]
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

#[inline]
#[track_caller]
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("offset exceeds u32; Doc::new rejects such documents")
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for Range<usize> {
    fn from(span: Span) -> Range<usize> {
        span.range()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "invalid span")]
    fn reversed_span_panics() {
        let _ = Span::new(3, 2);
    }

    #[test]
    fn cover_and_contains() {
        let a = Span::new(2, 5);
        let b = Span::new(4, 9);
        assert_eq!(a.cover(b), Span::new(2, 9));
        assert!(a.cover(b).contains(a));
        assert!(!a.contains(b));
        assert_eq!(a.len(), 3);
    }
}
