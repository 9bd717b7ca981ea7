//! One left-to-right pass over the gaps between tokens, deciding at each
//! whether a sentence ends there.
//!
//! Most gaps are settled by a fast test that reads a few bytes (a word,
//! one space, a lower-case word: never a boundary). The rest go through the
//! rules in the order the crate docs give; the gaps the rules leave open
//! go to a [`Decider`] (the learned model at run time, the gold answer
//! while training). Every lookahead is bounded, so the pass is linear.

use std::cell::Cell;

use dateline_core::{Sentence, Span, Token};

use crate::chunk::{
    is_dotted_letters, marker, split_left, split_right, Case, Kind, Marker, MarkerStyle, Shape,
};
use crate::knowledge::{role, AbbrevClass, Knowledge};
use crate::model::GapView;

/// Settles the gaps the rules leave open.
pub(crate) trait Decider {
    /// Whether a sentence ends at the gap before token `right_token`.
    fn decide(&mut self, gap: &GapView<'_>, right_token: usize) -> bool;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Break,
    Keep,
    Ask,
}

/// Datelines and credits are looked for within this many chunks.
const LINE_LOOKAHEAD: usize = 12;

/// What a period after an abbreviation-like word means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Abbrev {
    Class(AbbrevClass),
    /// One capital letter: an initial (`Jonas E. Smith`) or `I`.
    Initial(char),
    /// Dotted letters: `U.S`, `J.K`, `a.m`.
    Dotted,
}

fn classify(k: &Knowledge, word: &str) -> Option<Abbrev> {
    // `Iraq-U.N.`: the part after a hyphen decides.
    let word = match word.rsplit_once('-') {
        Some((_, last)) if !last.is_empty() => last,
        _ => word,
    };
    if let Some(class) = k.abbreviation(word) {
        return Some(Abbrev::Class(class));
    }
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_uppercase() {
            return Some(Abbrev::Initial(c));
        }
    }
    is_dotted_letters(word).then_some(Abbrev::Dotted)
}

/// Letters only, at least two, none lower-case: `BEIJING`, `NEW`, `ST.`.
fn is_caps_word(w: &str) -> bool {
    if w.is_ascii() {
        let mut letters = 0;
        for &b in w.as_bytes() {
            if b.is_ascii_uppercase() {
                letters += 1;
            } else if !matches!(b, b'.' | b'-' | b'\'') {
                return false;
            }
        }
        return letters >= 2;
    }
    let mut letters = 0;
    for c in w.chars() {
        if c.is_alphabetic() {
            if c.is_lowercase() {
                return false;
            }
            letters += 1;
        } else if !matches!(c, '.' | '-' | '\'' | '’') {
            return false;
        }
    }
    letters >= 2
}

fn is_dash_chunk(k: &Knowledge, w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| k.has_role(c, role::DASH))
}

/// A lone full stop, as in a spaced ellipsis `. . .` (closers allowed).
fn is_lone_dot(k: &Knowledge, chunk: &str) -> bool {
    chunk.trim_end_matches(|c| k.has_role(c, role::CLOSER)) == "."
}

/// Where the next `@`, `/` and `www.` of the text are: a chunk with one
/// of them may be an address, link or written date, part of a mail header
/// line. Found with `memchr` a stretch of text at a time rather than looked
/// for in every chunk; a chunk holds one when the mark falls before its end.
#[derive(Clone, Copy, Debug)]
struct Marks {
    /// The next `@` or `/` at or after the byte the sweep last caught up to.
    symbol: usize,
    /// The end of the next `www.` from there.
    www_end: usize,
}

impl Marks {
    const NONE: usize = usize::MAX;

    /// The first marks at or after byte `pos`.
    fn from(bytes: &[u8], pos: usize) -> Marks {
        Marks {
            symbol: Self::symbol_from(bytes, pos),
            www_end: Self::www_end_from(bytes, pos),
        }
    }

    fn symbol_from(bytes: &[u8], pos: usize) -> usize {
        memchr::memchr2(b'@', b'/', &bytes[pos..]).map_or(Self::NONE, |p| pos + p)
    }

    fn www_end_from(bytes: &[u8], pos: usize) -> usize {
        WWW.find(&bytes[pos..]).map_or(Self::NONE, |p| pos + p + 4)
    }

    /// Moves the marks on to the first ones at or after byte `pos`. Cheap
    /// when they already are: the text is searched only past a mark.
    #[inline]
    fn catch_up(&mut self, bytes: &[u8], pos: usize) {
        if self.symbol < pos {
            self.symbol = Self::symbol_from(bytes, pos);
        }
        if self.www_end < pos + 4 {
            self.www_end = Self::www_end_from(bytes, pos);
        }
    }

    /// No mark from where they last caught up to `end`: no chunk in
    /// between holds one. (A mark before `end` may still lie before the
    /// chunks asked about; [`Marks::within`] tells exactly.)
    #[inline]
    fn clear_before(&self, end: usize) -> bool {
        (self.symbol >= end) & (self.www_end > end)
    }

    /// Whether the chunk that starts where the marks caught up and ends
    /// at `end` holds an `@`, a `/` or a `www.`.
    #[inline]
    fn within(&self, end: usize) -> bool {
        (self.symbol < end) | (self.www_end <= end)
    }
}

static WWW: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"www."));

/// Byte classes for the plain-gap test, one table lookup a byte.
mod class {
    pub const LOWER: u16 = 1;
    pub const ALNUM: u16 = 2;
    pub const DIGIT: u16 = 4;
    /// `.`, `!`, `?`: the left chunk may end a sentence.
    pub const STOP: u16 = 8;
    /// Outside ASCII.
    pub const WIDE: u16 = 16;
    /// Closes a word on the left: `)`, `]`, `}`, `"`, `'`.
    pub const CLOSER: u16 = 32;
    /// Opens a word on the right: `(`, `[`, `{`, `"`, `'`.
    pub const OPENER: u16 = 64;
    /// Opens an emoticon: `:`, `;`, `=`.
    pub const EMOTICON: u16 = 128;
    /// Opens a link: `h` (`http`), `w` (`www.`).
    pub const LINK: u16 = 256;
    /// Ends a list marker: `.`, `)`.
    pub const MARKER_END: u16 = 512;
    /// ASCII whitespace: ends a chunk.
    pub const SPACE: u16 = 1024;

    pub static OF: [u16; 256] = {
        let mut table = [0; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            let mut bits = 0;
            if c.is_ascii_lowercase() {
                bits |= LOWER;
            }
            if c.is_ascii_alphanumeric() {
                bits |= ALNUM;
            }
            if c.is_ascii_digit() {
                bits |= DIGIT;
            }
            if matches!(c, b'.' | b'!' | b'?') {
                bits |= STOP;
            }
            if c >= 0x80 {
                bits |= WIDE;
            }
            if matches!(c, b')' | b']' | b'}' | b'"' | b'\'') {
                bits |= CLOSER;
            }
            if matches!(c, b'(' | b'[' | b'{' | b'"' | b'\'') {
                bits |= OPENER;
            }
            if matches!(c, b':' | b';' | b'=') {
                bits |= EMOTICON;
            }
            if matches!(c, b'h' | b'w') {
                bits |= LINK;
            }
            if matches!(c, b'.' | b')') {
                bits |= MARKER_END;
            }
            if c.is_ascii_whitespace() {
                bits |= SPACE;
            }
            table[b] = bits;
            b += 1;
        }
        table
    };
}

/// The chunk after a gap might be a list marker (`2.`, `b)`, `10.)`),
/// which can open a sentence in a running list.
#[inline]
fn marker_like(chunk: &[u8]) -> bool {
    if chunk.len() > 5 || !matches!(chunk.last(), Some(b'.' | b')')) {
        return false;
    }
    let body = chunk
        .strip_suffix(b".)")
        .or_else(|| chunk.strip_suffix(b")"))
        .or_else(|| chunk.strip_suffix(b"."));
    match body {
        Some([c]) => c.is_ascii_alphanumeric(),
        Some(b) => (1..=3).contains(&b.len()) && b.iter().all(u8::is_ascii_digit),
        None => false,
    }
}

/// The last token of the chunk that starts at token `j` (which ends at
/// `end`, read by the caller with the token's start), the chunk's byte
/// end, and whether a token inside it ends outside ASCII (where a CJK stop
/// could be).
#[inline]
fn walk(tokens: &[Token], bytes: &[u8], j: usize, mut end: u32) -> (usize, usize, bool) {
    let mut e = j;
    let mut wide = false;
    while let Some(next) = tokens.get(e + 1) {
        if next.span.start != end {
            break;
        }
        wide |= bytes[end as usize - 1] >= 0x80;
        e += 1;
        end = next.span.end;
    }
    (e, end as usize, wide)
}

/// [`BRACKETS`] bit of `(`, `[` and `{`; `)`, `]` and `}` have the one above.
const OPENS: u8 = 1;

static BRACKETS: [u8; 256] = {
    let mut table = [0; 256];
    table[b'(' as usize] = OPENS;
    table[b'[' as usize] = OPENS;
    table[b'{' as usize] = OPENS;
    table[b')' as usize] = OPENS << 1;
    table[b']' as usize] = OPENS << 1;
    table[b'}' as usize] = OPENS << 1;
    table
};

/// A run of one symbol used as a rule: `***`, `=====`, `_____`.
fn is_separator(chunk: &str) -> bool {
    let b = chunk.as_bytes();
    b.len() >= 3 && matches!(b[0], b'*' | b'=' | b'_' | b'~' | b'#') && b.iter().all(|&c| c == b[0])
}

/// `:)`, `:-(`, `;P`, `:D` and the like.
fn is_emoticon(chunk: &str) -> bool {
    let [b':' | b';' | b'=', rest @ ..] = chunk.as_bytes() else {
        return false;
    };
    let rest = rest.strip_prefix(b"-").unwrap_or(rest);
    !rest.is_empty()
        && rest.len() <= 3
        && rest.iter().all(|b| {
            matches!(
                b,
                b')' | b'(' | b'P' | b'p' | b'D' | b'/' | b'|' | b'O' | b'o' | b'S' | b's'
            )
        })
}

/// Chunks of one line from a byte offset: `(start, text)`, stopping at a
/// line break or the end of the text.
struct LineChunks<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Iterator for LineChunks<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<(usize, &'t str)> {
        let b = self.text.as_bytes();
        let mut start = self.pos;
        // Bytes first: space, tab, `\x0B` and `\x0C` are the ASCII
        // whitespace that does not end a line.
        while start < b.len() && matches!(b[start], b' ' | b'\t' | 0x0B | 0x0C) {
            start += 1;
        }
        if start < b.len() && b[start] >= 0x80 {
            let rest = &self.text[start..];
            start += rest.len()
                - rest
                    .trim_start_matches(|c: char| c.is_whitespace() && c != '\n' && c != '\r')
                    .len();
        }
        let rest = &self.text[start..];
        if rest.is_empty() || rest.starts_with(['\n', '\r']) {
            return None;
        }
        // Bytes first; only a non-ASCII character needs decoding.
        let len = rest
            .bytes()
            .position(|b| b.is_ascii_whitespace() || b >= 0x80)
            .map_or(rest.len(), |p| {
                if rest.as_bytes()[p] < 0x80 {
                    p
                } else {
                    rest[p..]
                        .find(char::is_whitespace)
                        .map_or(rest.len(), |q| p + q)
                }
            });
        self.pos = start + len;
        Some((start, &rest[..len]))
    }
}

/// Where the sweep stands: what the plain-gap fast path reads and moves.
/// Kept apart so a run of plain gaps works on a copy held in registers.
#[derive(Clone, Copy, Debug)]
struct Cursor {
    /// Chunks in the current sentence, the left one of the gap included.
    chunks: u32,
    /// Byte start of the chunk left of the current gap.
    chunk_start: usize,
    /// Byte range of the chunk before that one.
    before: (usize, usize),
}

/// Where a run of plain gaps stopped.
#[derive(Clone, Copy, Debug)]
enum Stop {
    /// At the last token, whose index it holds.
    End(usize),
    /// At a gap it leaves to the rules: the token `left` of it, and the
    /// chunk right of it as [`walk`] measures it.
    Gap {
        left: usize,
        right_last: usize,
        end: usize,
        cjk: bool,
    },
    /// After the plain gap right of token `left`: the chunk there may
    /// hold a CJK stop.
    Inside(usize),
}

pub(crate) struct Sweep<'t, D> {
    k: &'t Knowledge,
    text: &'t str,
    tokens: &'t [Token],
    decider: D,
    sentence_first: usize,
    at: Cursor,
    /// Gaps whose right token starts at or before this byte never break
    /// (they are inside or just after a dateline).
    protect_until: usize,
    /// Brackets open in the current sentence.
    depth: u32,
    /// The first token not yet counted in `depth`.
    depth_next: usize,
    /// The token left of the gap being decided.
    gap_token: usize,
    /// The last list marker that opened a sentence.
    marker: Option<Marker>,
    /// The current sentence so far holds only bullets and list markers.
    only_markers: bool,
    /// Lone `.` chunks ending with the left chunk (a spaced ellipsis).
    dot_run: u32,
    /// Byte end of the chunk right of the current gap, measured once as
    /// the sweep reaches it; it is the left chunk of the next spaced gap.
    right_end: usize,
    /// Settle plain gaps by bytes before the rules (off only in the test
    /// that checks both ways agree).
    fast_paths: bool,
    /// The next addresses and links; a cell, so the fast path reads and
    /// moves them through a shared borrow.
    marks: Cell<Marks>,
}

impl<'t, D: Decider> Sweep<'t, D> {
    pub fn new(k: &'t Knowledge, text: &'t str, tokens: &'t [Token], decider: D) -> Self {
        Sweep {
            k,
            text,
            tokens,
            decider,
            sentence_first: 0,
            at: Cursor {
                chunks: 1,
                chunk_start: 0,
                before: (0, 0),
            },
            marks: Cell::new(Marks {
                symbol: Marks::NONE,
                www_end: Marks::NONE,
            }),
            protect_until: 0,
            depth: 0,
            depth_next: 0,
            gap_token: 0,
            marker: None,
            only_markers: false,
            dot_run: 0,
            right_end: 0,
            fast_paths: true,
        }
    }

    /// Appends the sentences of the text to `out`.
    ///
    /// The sweep goes chunk by chunk: each chunk's end is found once, when
    /// it first stands right of a gap, and the gaps inside it (no
    /// whitespace) need no decision unless a CJK stop may hide in them.
    pub fn run(mut self, out: &mut Vec<Sentence>) {
        let tokens = self.tokens;
        let Some(first) = tokens.first() else {
            return;
        };
        let bytes = self.text.as_bytes();
        self.at.chunk_start = first.span.start as usize;
        self.at.before = (self.at.chunk_start, self.at.chunk_start);
        self.marks.set(Marks::from(bytes, self.at.chunk_start));
        let (mut last, end, cjk) = walk(tokens, bytes, 0, first.span.end);
        self.right_end = end;
        self.line_start(0, self.at.chunk_start, end);
        if cjk {
            self.inside(0, last, out);
        }
        while last + 1 < tokens.len() {
            let stop = if self.fast_paths && !self.only_markers {
                let mut at = self.at;
                let stop = self.plain_run(&mut at, last);
                if at.chunk_start != self.at.chunk_start {
                    self.dot_run = 0;
                    self.only_markers = false;
                }
                self.at = at;
                stop
            } else {
                let (right_last, end, cjk) =
                    walk(tokens, bytes, last + 1, tokens[last + 1].span.end);
                Stop::Gap {
                    left: last,
                    right_last,
                    end,
                    cjk,
                }
            };
            match stop {
                Stop::End(l) => {
                    last = l;
                }
                Stop::Inside(left) => {
                    let (right_last, _, _) =
                        walk(tokens, bytes, left + 1, tokens[left + 1].span.end);
                    self.inside(left + 1, right_last, out);
                    last = right_last;
                }
                Stop::Gap {
                    left: i,
                    right_last,
                    end,
                    cjk,
                } => {
                    let gs = tokens[i].span.end as usize;
                    let ge = tokens[i + 1].span.start as usize;
                    self.right_end = end;
                    // `plain_run` has ruled out a plain gap here.
                    if self.fast_paths
                        && ge - gs == 1
                        && bytes[gs] == b' '
                        && self.plain_stop(gs, ge)
                    {
                        self.cut(i + 1, out);
                        self.at.before = (self.at.chunk_start, gs);
                        self.at.chunk_start = ge;
                        self.at.chunks = 1;
                        self.dot_run = 0;
                        self.only_markers = false;
                    } else {
                        self.gap(i, gs, ge, out);
                    }
                    if cjk {
                        self.inside(i + 1, right_last, out);
                    }
                    last = right_last;
                }
            }
        }
        self.cut(tokens.len(), out);
    }

    /// Settles the plain gaps from the one after token `last` on, as long
    /// as they come one after another (most of a news text), moving `at`.
    /// Not while the sentence holds only list markers.
    #[inline(never)]
    fn plain_run(&self, at: &mut Cursor, last: usize) -> Stop {
        let tokens = self.tokens;
        let bytes = self.text.as_bytes();
        // A local copy of the cursor, so the loop keeps it in registers.
        let mut c = *at;
        let letters = self.marker.is_some_and(|m| m.style != MarkerStyle::Digit);
        let Some(next) = tokens.get(last + 1) else {
            return Stop::End(last);
        };
        let mut left = last;
        // Each step carries the left end and right start of the next gap
        // over from measuring the chunk between them.
        let mut gs = tokens[last].span.end as usize;
        let mut ge = next.span.start as usize;
        let mut ge_end = next.span.end;
        let stop = loop {
            let (right_last, end, cjk) = walk(tokens, bytes, left + 1, ge_end);
            // One space between two bytes, read with one bounds check.
            let plain = ge == gs + 1
                && match bytes.get(..=ge) {
                    Some(&[.., l, b' ', r]) => self.plain_gap(&mut c, letters, l, r, gs, end),
                    _ => false,
                };
            if !plain {
                break Stop::Gap {
                    left,
                    right_last,
                    end,
                    cjk,
                };
            }
            c.before = (c.chunk_start, gs);
            c.chunk_start = ge;
            c.chunks += 1;
            if cjk {
                break Stop::Inside(left);
            }
            let Some(next) = tokens.get(right_last + 1) else {
                break Stop::End(right_last);
            };
            left = right_last;
            gs = end;
            ge = next.span.start as usize;
            ge_end = next.span.end;
        };
        *at = c;
        stop
    }

    /// The gaps with no whitespace between tokens `first..=last` of one
    /// chunk: only a CJK full stop ends a sentence there.
    fn inside(&mut self, first: usize, last: usize, out: &mut Vec<Sentence>) {
        let bytes = self.text.as_bytes();
        for i in first..last {
            let gs = self.tokens[i].span.end as usize;
            if bytes[gs - 1] >= 0x80 && self.cjk_stop(i) {
                self.cut(i + 1, out);
                self.at.chunks = 1;
                self.at.chunk_start = gs;
                self.only_markers = false;
            }
        }
    }

    /// Gaps settled by a few bytes, the great majority of them: one space
    /// (from `gs` to `ge`, the right chunk ending at `right_end`), then a
    /// lower-case word after anything but a stop; a word, number or
    /// opening bracket after a plain word or number (`... said Cai Qi ...`,
    /// `on May 14 (Xinhua)`); anything after a comma deep in a sentence.
    /// The rules give the same answer for all of these (none is a
    /// boundary); this only gets there sooner. `letters`: a list lettered
    /// `a.`, `b.` is running.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn plain_gap(
        &self,
        at: &mut Cursor,
        letters: bool,
        l: u8,
        r: u8,
        gs: usize,
        right_end: usize,
    ) -> bool {
        let bytes = self.text.as_bytes();
        let ge = gs + 1;
        if r.is_ascii_lowercase() {
            // After anything but a stop (one table lookup, one branch). A
            // link may open a line of a list of links, and in a list
            // lettered `a.`, `b.` the next marker opens a sentence.
            // (The link's first four bytes are read as one word and
            // compared without a branch on its first letter.)
            let four = bytes
                .get(ge..ge + 4)
                .map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
            let link =
                (four == u32::from_le_bytes(*b"http")) | (four == u32::from_le_bytes(*b"www."));
            return class::OF[usize::from(l)] & (class::STOP | class::WIDE) == 0
                && !link
                && !(letters && marker_like(&bytes[ge..right_end]));
        }
        use class::*;
        let (lc, rc) = (OF[usize::from(l)], OF[usize::from(r)]);
        if (lc | rc) & WIDE != 0 {
            return false;
        }
        let cs = at.chunk_start;
        // Few short chunks end in `.` or `)`, as a list marker does: the
        // full test is taken rarely, the two before it without a branch.
        let maybe_marker =
            (right_end - ge <= 5) & (OF[usize::from(bytes[right_end - 1])] & MARKER_END != 0);
        let marker = || maybe_marker && marker_like(&bytes[ge..right_end]);
        if l == b',' {
            return at.chunks > 3 && !marker();
        }
        // The left chunk ends in a word or number, maybe closed by a
        // bracket or quote: no stop, so no sentence end but in mail
        // headers. An emoticon (`great :P Next`) ends a sentence before a
        // capital, bracketed or quoted or not. The closed word, rare, is
        // looked at only when the last byte is no letter or digit.
        let word_end = lc & ALNUM != 0
            || ((lc & CLOSER != 0)
                & (gs - cs >= 2)
                & (OF[usize::from(bytes[gs.saturating_sub(2)])] & ALNUM != 0));
        let emoticon = OF[usize::from(bytes[cs])] & EMOTICON != 0;
        if !word_end | emoticon {
            return false;
        }
        if rc & OPENER != 0 {
            return true;
        }
        // The header lines of mail: links, addresses, written dates,
        // `07:17 AM Will you ...`. Most texts hold no `@`, `/` or `www.`
        // for many chunks on: then neither chunk does.
        let mut marks = self.marks.get();
        if !marks.clear_before(right_end) {
            marks.catch_up(bytes, cs);
            let left_marked = marks.within(gs);
            marks.catch_up(bytes, ge);
            let right_marked = marks.within(right_end);
            self.marks.set(marks);
            if left_marked {
                return false;
            }
            if rc & ALNUM == 0 {
                return true;
            }
            if right_marked {
                return false;
            }
        }
        if rc & ALNUM == 0 {
            // `AP -`, `to $4.5`: no stop before a symbol.
            return true;
        }
        // `07:17 AM Will`: the word after a time may open a mail header
        // line; other two-byte chunks after a number (`5 12 3` in a
        // table) are plain. Only a word ending in `m` can be one: the
        // rest (a branch seldom taken) is worked out without branches.
        // (`cs + 1` is at most `gs`, inside the text.)
        let meridiem = (l | 0x20) == b'm' && {
            let pair = u16::from_le_bytes([bytes[cs], bytes[cs + 1]]) | 0x2020;
            (gs - cs == 2)
                & ((pair == u16::from_le_bytes(*b"am")) | (pair == u16::from_le_bytes(*b"pm")))
                & (at.before.0 < at.before.1)
                & (OF[usize::from(bytes[at.before.0])] & DIGIT != 0)
        };
        !meridiem && !marker()
    }

    /// The plainest sentence end: a word that is no abbreviation (or a
    /// number), a full stop, maybe closing quotes or brackets (`wars."`),
    /// one space, a capitalised word, maybe opened by quotes or brackets
    /// (`"It`), that is no list marker and no photo credit. The rules
    /// break here too; this only gets there sooner.
    #[inline]
    fn plain_stop(&self, gs: usize, ge: usize) -> bool {
        let bytes = self.text.as_bytes();
        let (mut stop, mut first) = (gs - 1, ge);
        if bytes[stop] != b'.' || !bytes[first].is_ascii_uppercase() {
            // Quotes and brackets around the gap, seldom: only then looked at.
            let has = |b: u8, flag: u8| b < 0x80 && self.k.ascii_roles(b) & flag != 0;
            while stop > self.at.chunk_start && has(bytes[stop], role::CLOSER) {
                stop -= 1;
            }
            while first + 1 < self.right_end && has(bytes[first], role::OPENER) {
                first += 1;
            }
            if bytes[stop] != b'.' || !bytes[first].is_ascii_uppercase() {
                return false;
            }
        }
        if ge <= self.protect_until || self.only_markers {
            return false;
        }
        let word = &bytes[self.at.chunk_start..stop];
        // A leading quote would open the word (`'Jan.`), which the rules
        // look up without it.
        let plain = word.first().is_some_and(u8::is_ascii_alphanumeric)
            && word
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'\'');
        if !plain {
            return false;
        }
        let number = word.iter().all(u8::is_ascii_digit);
        // Not an abbreviation: too long to be one, or looked up. One letter
        // is an initial, and a hyphen sends the rules to the last part.
        let ordinary = number
            || (word.len() >= 2
                && !word.contains(&b'-')
                && (word.len() > self.k.longest_abbreviation()
                    || self
                        .k
                        .abbreviation(&self.text[self.at.chunk_start..stop])
                        .is_none()));
        if !ordinary {
            return false;
        }
        let right = &bytes[ge..self.right_end];
        !right.contains(&b'/') && !marker_like(right)
    }

    /// Brackets open in the sentence up to the left token of the current
    /// gap: a colon or comma inside `(Web editor: ...)` ends nothing.
    /// Counted lazily, each token once, since few gaps ask.
    fn open_brackets(&mut self) -> u32 {
        if self.depth_next <= self.gap_token {
            let bytes = self.text.as_bytes();
            let mut depth = self.depth;
            for t in &self.tokens[self.depth_next..=self.gap_token] {
                let first = BRACKETS[usize::from(bytes[t.span.start as usize])];
                let last = BRACKETS[usize::from(bytes[t.span.end as usize - 1])];
                depth += u32::from(first & OPENS);
                depth = depth.saturating_sub(u32::from(last >> 1));
            }
            self.depth = depth;
            self.depth_next = self.gap_token + 1;
        }
        self.depth
    }

    fn cut(&mut self, end: usize, out: &mut Vec<Sentence>) {
        let first = self.sentence_first;
        if end <= first {
            return;
        }
        // Tokens come in order, so the span is well formed: built without
        // `Span::new`'s check, whose panic path would cost every call a
        // stack frame.
        out.push(Sentence {
            span: Span {
                start: self.tokens[first].span.start,
                end: self.tokens[end - 1].span.end,
            },
            first_token: first as u32,
            end_token: end as u32,
        });
        self.sentence_first = end;
        self.depth = 0;
        self.depth_next = end;
    }

    /// A CJK full stop ends a sentence even with no space after it.
    fn cjk_stop(&self, i: usize) -> bool {
        let left = &self.text[self.tokens[i].span.range()];
        let right = &self.text[self.tokens[i + 1].span.range()];
        let stop = left
            .chars()
            .next_back()
            .is_some_and(|c| self.k.has_role(c, role::CJK_STOP));
        let continues = right.chars().next().is_some_and(|c| {
            self.k
                .has_role(c, role::CJK_STOP | role::CLOSER | role::TERMINAL)
        });
        stop && !continues
    }

    // The slow path: kept out of line, away from the fast paths' registers.
    #[inline(never)]
    fn gap(&mut self, i: usize, gs: usize, ge: usize, out: &mut Vec<Sentence>) {
        self.gap_token = i;
        let k = self.k;
        let text = self.text;
        let gap_text = &text.as_bytes()[gs..ge];
        let mut newlines = gap_text.iter().filter(|&&b| b == b'\n').count() as u32;
        if newlines == 0 {
            newlines = gap_text.iter().filter(|&&b| b == b'\r').count() as u32;
        }
        let right_end = self.right_end;
        let left_chunk = &text[self.at.chunk_start..gs];
        let right_chunk = &text[ge..right_end];
        // An ASCII first byte is looked up in place, without decoding.
        let right_bullet = match right_chunk.as_bytes().first() {
            Some(&b) if b < 0x80 => k.ascii_roles(b) & role::BULLET != 0,
            _ => right_chunk
                .chars()
                .next()
                .is_some_and(|c| k.has_role(c, role::BULLET)),
        };
        // A letter is a list marker only where a list can be: `a.` opens
        // one, `b.` follows `a.`; `J. Gillespie` is a name.
        let right_marker = if right_chunk.len() <= 8
            && matches!(right_chunk.as_bytes().last(), Some(b'.' | b')'))
        {
            marker(right_chunk, k).filter(|m| {
                m.style == MarkerStyle::Digit
                    || m.value == 1
                    || self
                        .marker
                        .is_some_and(|p| p.style == m.style && p.value + 1 == m.value)
            })
        } else {
            None
        };
        let plain_end = if self.fast_paths && newlines == 1 && ge == gs + 1 {
            self.plain_line_end(left_chunk, right_chunk.as_bytes(), ge)
        } else {
            None
        };
        let cut = if newlines >= 2 {
            // A blank line: nothing else to weigh.
            self.dot_run = 0;
            true
        } else if let Some(cut) = plain_end.filter(|_| !right_bullet && right_marker.is_none()) {
            self.dot_run = 0;
            cut
        } else {
            let left = split_left(left_chunk, k);
            self.dot_run = if left.word.is_empty() && left.terminal == "." {
                self.dot_run + 1
            } else {
                0
            };
            // Gaps the rules settle before they look at the words: inside
            // or right after a dateline or a list marker, and a line that
            // opens with a list marker or bullet (the rules' first tests).
            let held = ge <= self.protect_until || self.only_markers;
            let opens_list = newlines == 1
                && (right_marker.is_some() || (right_bullet && !is_dash_chunk(k, right_chunk)));
            if self.fast_paths && (held || opens_list) {
                !held
            } else {
                let view = GapView {
                    left,
                    right: split_right(right_chunk, k),
                    before_chunk: &text[self.at.before.0..self.at.before.1],
                    newlines,
                    chunks: self.at.chunks,
                };
                match self.rules(
                    &view,
                    left_chunk,
                    right_chunk,
                    right_bullet,
                    right_marker,
                    i,
                    ge,
                ) {
                    Verdict::Break => true,
                    Verdict::Keep => false,
                    Verdict::Ask => self.decider.decide(&view, i + 1),
                }
            }
        };
        let right_is_marker = right_bullet || right_marker.is_some();
        if cut {
            self.cut(i + 1, out);
            self.at.chunks = 1;
            self.only_markers = right_is_marker;
        } else {
            self.at.chunks += 1;
            self.only_markers &= right_is_marker;
        }
        if cut || newlines > 0 {
            if let Some(m) = right_marker {
                self.marker = Some(m);
            }
        }
        self.at.before = (self.at.chunk_start, gs);
        self.at.chunk_start = ge;
        if newlines > 0 {
            self.line_start(i + 1, ge, right_end);
        }
    }

    /// The plainest line end, most of those in tables and headlines: a
    /// word or number, one line break, a capitalised word or a number
    /// that is no list marker (the caller checks that). A break, unless a
    /// dateline or a list marker holds the line, the word carries on
    /// (`of`) or a bracket is open. `None` for any other line end; the
    /// rules give the same answer for these, this only gets there sooner.
    fn plain_line_end(&mut self, left_chunk: &str, right: &[u8], ge: usize) -> Option<bool> {
        let left = left_chunk.as_bytes();
        let (&l, &r) = (left.last()?, right.first()?);
        if !l.is_ascii_alphanumeric()
            || !(r.is_ascii_uppercase() || r.is_ascii_digit())
            || matches!(left[0], b':' | b';' | b'=')
        {
            return None;
        }
        if ge <= self.protect_until || self.only_markers {
            return Some(false);
        }
        let opened = left
            .iter()
            .position(|&b| b >= 0x80 || self.k.ascii_roles(b) & role::OPENER == 0)?;
        if left[opened] >= 0x80 {
            return None;
        }
        // An ASCII byte starts a character.
        let word = &left_chunk[opened..];
        Some(!self.k.is_continuation(word) && self.open_brackets() == 0)
    }

    /// At the first token of a line: a dateline protects the gaps up to the
    /// sentence it opens.
    #[inline]
    fn line_start(&mut self, token: usize, start: usize, chunk_end: usize) {
        // Every dateline opens with two capitals (`BEIJING`, `ST. LOUIS`).
        let b = self.text.as_bytes();
        if b[start].is_ascii_uppercase()
            && b.get(start + 1).is_some_and(u8::is_ascii_uppercase)
            && self.may_hold_dateline(start)
        {
            if let Some(end) = self.dateline(start) {
                self.protect_until = end;
            }
        }
        if token == 0 {
            let chunk = &self.text[start..chunk_end];
            if let Some(m) = marker(chunk, self.k) {
                self.marker = Some(m);
            }
            self.only_markers = chunk
                .chars()
                .next()
                .is_some_and(|c| self.k.has_role(c, role::BULLET))
                || marker(chunk, self.k).is_some();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rules(
        &mut self,
        g: &GapView<'_>,
        left_chunk: &str,
        right_chunk: &str,
        bullet: bool,
        right_marker: Option<Marker>,
        i: usize,
        ge: usize,
    ) -> Verdict {
        let k = self.k;
        if g.newlines >= 2 {
            return Verdict::Break;
        }
        if ge <= self.protect_until {
            return Verdict::Keep;
        }
        if self.only_markers {
            return Verdict::Keep;
        }
        // A bracket closed on the far side of a space, an emoticon or a
        // rule of symbols ends the sentence it follows: `next day. )`,
        // `great! :P`, `Graae. ***`.
        if g.newlines == 0
            && (self.closes(right_chunk) || is_emoticon(right_chunk) || is_separator(right_chunk))
        {
            return Verdict::Keep;
        }
        // A rule of symbols (`*****`, `=====`) ends what comes before it
        // and what it closes.
        if g.right.case != Case::Lower && is_separator(left_chunk) {
            return Verdict::Break;
        }
        // An emoticon ends a sentence as a full stop does, and so does a
        // bracket closed after one (`next day. ) Hop on`).
        if g.right.case == Case::Upper
            && (is_emoticon(left_chunk)
                || (g.left.word.is_empty()
                    && g.left.terminal.is_empty()
                    && self.closes(left_chunk)
                    && g.before(k).kind.is_stop()))
        {
            return Verdict::Break;
        }
        if g.newlines == 1 {
            if (bullet && !is_dash_chunk(k, right_chunk)) || right_marker.is_some() {
                return Verdict::Break;
            }
            if matches!(right_chunk, "-" | "*" | "•") {
                return Verdict::Break;
            }
            if g.left.kind.is_stop() {
                return self.stop_rules(g, right_chunk, i, ge);
            }
            return self.line_end_rules(g);
        }
        if bullet && !is_dash_chunk(k, right_chunk) {
            return Verdict::Break;
        }
        if let (Some(m), Some(prev)) = (right_marker, self.marker) {
            if m.style == prev.style && m.value == prev.value + 1 {
                return Verdict::Break;
            }
        }
        if g.left.kind.is_stop() {
            return self.stop_rules(g, right_chunk, i, ge);
        }
        self.inner_rules(g)
    }

    /// After `.`, `!`, `?` or an ellipsis.
    fn stop_rules(&mut self, g: &GapView<'_>, right_chunk: &str, i: usize, ge: usize) -> Verdict {
        let k = self.k;
        let (l, r) = (&g.left, &g.right);
        let nl = g.newlines > 0;
        let verdict = match l.kind {
            _ if l.terminal.chars().any(|c| k.has_role(c, role::CJK_STOP)) => Verdict::Break,
            Kind::Period => {
                if let Some(v) = self.spaced_ellipsis(g, right_chunk, i) {
                    return v;
                }
                // `L.P..`: an abbreviation and then the full stop.
                let class = if l.terminal == ".." {
                    None
                } else {
                    classify(k, l.word)
                };
                match r.case {
                    Case::Lower if class.is_some() || !l.closers.is_empty() => Verdict::Keep,
                    Case::Digit | Case::Other if class.is_some() => {
                        if nl && class != Some(Abbrev::Class(AbbrevClass::Title)) {
                            Verdict::Break
                        } else {
                            Verdict::Keep
                        }
                    }
                    Case::Lower | Case::Digit | Case::Other => Verdict::Ask,
                    Case::Upper => match class {
                        None | Some(Abbrev::Class(AbbrevClass::Final)) => Verdict::Break,
                        _ if nl => Verdict::Break,
                        Some(Abbrev::Class(AbbrevClass::Title)) => Verdict::Keep,
                        Some(Abbrev::Class(AbbrevClass::Ambiguous) | Abbrev::Dotted) => {
                            if self.opens_sentence(r.word) && g.chunks >= 4 {
                                Verdict::Break
                            } else {
                                Verdict::Keep
                            }
                        }
                        Some(Abbrev::Initial(c)) => {
                            let before = g.before(k);
                            let after_name = matches!(
                                Shape::of(before.word),
                                Shape::Cap | Shape::Caps | Shape::Letter
                            ) && before.kind == Kind::None;
                            if k.is_starter(r.word) && (c == 'I' || !after_name) {
                                Verdict::Break
                            } else {
                                Verdict::Keep
                            }
                        }
                    },
                }
            }
            Kind::Ellipsis => {
                let dots = l.terminal.chars().filter(|&c| c == '.').count()
                    + 3 * l.terminal.chars().filter(|&c| c == '…').count();
                // `[...]`: an omission inside a quotation.
                let bracketed = l.word.is_empty() && !l.openers.is_empty();
                if r.case == Case::Lower || bracketed {
                    Verdict::Keep
                } else if nl || (dots >= 4 && r.case == Case::Upper) {
                    Verdict::Break
                } else {
                    Verdict::Ask
                }
            }
            _ => {
                // `!` and `?`
                if r.case != Case::Lower {
                    Verdict::Break
                } else if !l.closers.is_empty()
                    || (l.kind == Kind::Exclaim
                        && matches!(Shape::of(l.word), Shape::Cap | Shape::Mixed)
                        && g.chunks >= 2)
                {
                    // `"Stop!" he shouted`, `Yahoo! in`
                    Verdict::Keep
                } else {
                    Verdict::Ask
                }
            }
        };
        if verdict == Verdict::Break && !nl && right_chunk.contains('/') && self.credit_follows(ge)
        {
            return Verdict::Keep;
        }
        verdict
    }

    /// Whether a chunk starts by closing a bracket (not a quote, which
    /// could as well open one).
    fn closes(&self, chunk: &str) -> bool {
        chunk
            .chars()
            .next()
            .is_some_and(|c| self.k.has_role(c, role::CLOSER) && !self.k.has_role(c, role::OPENER))
    }

    /// A word that opens a sentence after an ambiguous abbreviation: a
    /// usual opener or a title (`... at 6 P.M. Mr. Smith then ...`).
    fn opens_sentence(&self, word: &str) -> bool {
        self.k.is_starter(word) || self.k.abbreviation(word) == Some(AbbrevClass::Title)
    }

    /// Spaced ellipses: `. . .` inside a sentence, `. . . .` ending one, and
    /// `word. . . . Next` where the first period ends the sentence and the
    /// ellipsis opens the next.
    fn spaced_ellipsis(&mut self, g: &GapView<'_>, right_chunk: &str, i: usize) -> Option<Verdict> {
        let k = self.k;
        let right_dot = is_lone_dot(k, right_chunk);
        if self.dot_run >= 1 {
            if right_dot {
                return Some(Verdict::Keep);
            }
            if self.dot_run >= 3 {
                // `. . . .` ends a sentence; so does `. . .` before a capital
                // (but `I`), unless it opened the sentence itself.
                let upper = g.right.case == Case::Upper;
                let ends = g.newlines > 0
                    || (self.dot_run >= 4 && upper)
                    || (upper && g.right.word != "I" && g.chunks > self.dot_run);
                return Some(if ends { Verdict::Break } else { Verdict::Keep });
            }
            return None;
        }
        if !right_dot {
            return None;
        }
        // Count the lone dots ahead and look at the word after them.
        let mut run = 0;
        let mut after = None;
        for (_, chunk) in (LineChunks {
            text: self.text,
            pos: self.tokens[i + 1].span.start as usize,
        })
        .take(LINE_LOOKAHEAD)
        {
            if is_lone_dot(k, chunk) {
                run += 1;
            } else {
                after = Some(split_right(chunk, k).case);
                break;
            }
        }
        let ends = run == 3 && !g.left.word.is_empty() && after == Some(Case::Upper);
        Some(if ends { Verdict::Break } else { Verdict::Keep })
    }

    /// After a comma, colon, semicolon, dash or no punctuation at all, on
    /// one line. Only web-text patterns go to the model: a greeting or
    /// sign-off (`Thanks, Sean`), a label (`How to Pledge: This year`), a
    /// date or address line. Ordinary news prose never does.
    fn inner_rules(&mut self, g: &GapView<'_>) -> Verdict {
        let (l, r) = (&g.left, &g.right);
        // A list of links, one after another. The shapes cost a pass over
        // each word, so the cheap tests go first.
        let link = |w: &str| w.starts_with("http") || w.starts_with("www.");
        if l.kind == Kind::None
            && r.openers.is_empty()
            && link(r.word)
            && Shape::of(l.word) == Shape::Url
        {
            return Verdict::Ask;
        }
        if r.case == Case::Lower || r.case == Case::Other || !r.openers.is_empty() {
            return Verdict::Keep;
        }
        // The shapes cost a pass over each word: taken only where needed.
        let ask = match l.kind {
            // `Thanks, Sean`, `Best regards, Debra`: a sign-off may end
            // before the name. `In Houston, Jeff Bagwell homered` goes on.
            Kind::Comma => {
                let first_word = || {
                    let opening =
                        &self.text[self.tokens[self.sentence_first].span.start as usize..];
                    opening
                        .split(|c: char| !c.is_alphabetic())
                        .next()
                        .unwrap_or("")
                };
                r.case == Case::Upper
                    && g.chunks <= 3
                    && Shape::of(l.word).is_alpha()
                    && Shape::of(r.word).is_alpha()
                    && (self.k.is_salutation(first_word()) || self.k.is_salutation(l.word))
            }
            // A label: `How to Pledge: This year it is easy`. Long
            // sentences before a colon introduce what follows.
            Kind::Colon => (2..=4).contains(&g.chunks) && r.case == Case::Upper,
            // A dash that opens a line signs off a story (`-- Paris
            // newsroom`); a semicolon separates the items of a list.
            Kind::Dash => g.chunks >= 2,
            Kind::Semicolon => false,
            _ => {
                // The header lines of mail: a written date (`04/26/2001`),
                // an address or a link after a name, or the word after a
                // time (`Kay Mann 04/26/2001 07:17 AM Will you ...`); not
                // `write to press@example.org`. ISO dates, times and
                // scores are news (`NEW YORK 1996-08-26`, `Honda 38:43.253`)
                // and stay inside.
                let header = || {
                    let ls = Shape::of(l.word);
                    (ls != Shape::Lower
                        && match Shape::of(r.word) {
                            Shape::Url | Shape::Email => true,
                            Shape::Date => r.word.contains('/'),
                            _ => false,
                        })
                        || matches!(ls, Shape::Url | Shape::Email)
                        || ((l.word.eq_ignore_ascii_case("am")
                            || l.word.eq_ignore_ascii_case("pm"))
                            && Shape::of(g.before(self.k).word) == Shape::Time)
                };
                l.closers.is_empty() && header()
            }
        };
        // Inside brackets (`(Web editor: Zhang Kaiwei, ...)`) nothing ends.
        // Few gaps would go to the model, so the brackets, counted
        // token by token, are asked about last.
        if ask && self.open_brackets() == 0 {
            Verdict::Ask
        } else {
            Verdict::Keep
        }
    }

    /// A single line break after a line without a final stop: the line was
    /// a headline, byline or label unless it plainly continues.
    fn line_end_rules(&mut self, g: &GapView<'_>) -> Verdict {
        let l = &g.left;
        // A label line (`Scorers:`) or a last table cell (`.576 -`) ends;
        // a comma, a hyphen or a word such as `of` carries on.
        if g.right.case == Case::Lower {
            return Verdict::Keep;
        }
        let lone_dash = l.kind == Kind::Dash && is_dash_chunk(self.k, l.word);
        let unfinished = match l.kind {
            Kind::Comma | Kind::Semicolon => true,
            Kind::Dash => !lone_dash,
            _ => self.k.is_continuation(l.word),
        } || self.open_brackets() > 0;
        if unfinished {
            Verdict::Keep
        } else {
            Verdict::Break
        }
    }

    /// A photo credit runs from here to the end of the line:
    /// `(Xinhua/Rao Aimin)`, `REUTERS/Brendan McDermid`.
    fn credit_follows(&self, from: usize) -> bool {
        let k = self.k;
        let mut chunks = LineChunks {
            text: self.text,
            pos: from,
        };
        let Some((_, first)) = chunks.next() else {
            return false;
        };
        let Some((agency, _)) = first.trim_start_matches('(').split_once('/') else {
            return false;
        };
        if !(k.is_agency(agency) || is_caps_word(agency)) {
            return false;
        }
        let mut rest = std::iter::once(first).chain(chunks.by_ref().map(|(_, c)| c));
        for _ in 0..LINE_LOOKAHEAD {
            match rest.next() {
                None => return true,
                Some(chunk) => {
                    let l = split_left(chunk, k);
                    if l.kind.is_stop() {
                        return false;
                    }
                }
            }
        }
        false
    }

    /// Whether the line from `start` may hold a dateline, read by bytes:
    /// every dateline has an agency in brackets or a dash, so one of the
    /// chunks [`Sweep::dateline`] may reach opens with `(` or is all
    /// dashes. Most lines that open with two capitals have neither
    /// (headlines, `BRUSSELS 1996-08-22`, table rows); a line with a
    /// character outside ASCII is left to the full test.
    fn may_hold_dateline(&self, start: usize) -> bool {
        use class::{OF, SPACE, WIDE};
        let b = self.text.as_bytes();
        let mut pos = start;
        for _ in 0..LINE_LOOKAHEAD {
            while pos < b.len() && matches!(b[pos], b' ' | b'\t' | 0x0B | 0x0C) {
                pos += 1;
            }
            let Some(&first) = b.get(pos) else {
                return false;
            };
            match first {
                b'\n' | b'\r' => return false,
                b'(' | 0x80.. => return true,
                _ => {}
            }
            // A dash chunk starts with a dash: only then is it read twice.
            if self.k.ascii_roles(first) & role::DASH != 0 {
                let end = b[pos..]
                    .iter()
                    .position(|&c| OF[usize::from(c)] & (SPACE | WIDE) != 0)
                    .map_or(b.len(), |p| pos + p);
                if b[pos..end]
                    .iter()
                    .all(|&c| self.k.ascii_roles(c) & role::DASH != 0)
                {
                    return true;
                }
            }
            pos += 1;
            while let Some(&c) = b.get(pos) {
                let class = OF[usize::from(c)];
                if class & (SPACE | WIDE) != 0 {
                    if class & WIDE != 0 {
                        return true;
                    }
                    break;
                }
                pos += 1;
            }
        }
        false
    }

    /// A dateline at a line start: `BEIJING, May 14 (Xinhua) --`,
    /// `WASHINGTON, Jan. 7 (Reuters) -`, `LONDON (AP) -`. Returns the byte
    /// where the sentence it opens starts.
    /// The line must start with two capitals; the caller checks.
    #[inline(never)]
    fn dateline(&self, start: usize) -> Option<usize> {
        let k = self.k;
        let mut chunks = LineChunks {
            text: self.text,
            pos: start,
        }
        .take(LINE_LOOKAHEAD);
        let mut c = chunks.next()?;
        let mut places = 0;
        while is_caps_word(c.1.trim_end_matches(',')) {
            places += 1;
            let comma = c.1.ends_with(',');
            c = chunks.next()?;
            if comma || places == 4 {
                break;
            }
        }
        // A number after the place (`BRUSSELS 1996-08-22`, a table row
        // `JAPAN 3 2 1 0 5 2 7`) is no region, month, agency or dash: no
        // dateline, as the tests below would find at more cost.
        if places == 0 || c.1.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        // A region after the place: `SAN FRANCISCO, Calif., Jan. 7`.
        let mut region = 0;
        while region < 3
            && !k.is_month(c.1.trim_end_matches(','))
            && !c.1.starts_with('(')
            && !is_dash_chunk(k, c.1)
            && c.1.chars().next().is_some_and(char::is_uppercase)
        {
            let comma = c.1.ends_with(',');
            region += 1;
            c = chunks.next()?;
            if comma {
                break;
            }
        }
        let mut date = false;
        if k.is_month(c.1.trim_end_matches(',')) {
            let day = chunks.next()?;
            let digits = day.1.trim_end_matches(',');
            if !(1..=2).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            date = true;
            c = chunks.next()?;
            if day.1.ends_with(',') && c.1.len() == 4 && c.1.bytes().all(|b| b.is_ascii_digit()) {
                c = chunks.next()?;
            }
        }
        let mut agency = false;
        if c.1.starts_with('(') {
            let mut inner = c;
            for _ in 0..4 {
                if inner.1.ends_with(')') {
                    agency = true;
                    break;
                }
                inner = chunks.next()?;
            }
            if !agency {
                return None;
            }
            c = chunks.next()?;
        }
        if is_dash_chunk(k, c.1) {
            return chunks.next().map(|(s, _)| s);
        }
        (date && agency).then_some(c.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::knowledge::KNOWLEDGE;
    use crate::model::MODEL;
    use crate::ModelDecider;

    fn segment(text: &str, fast_paths: bool) -> Vec<Sentence> {
        let tokens = dateline_tokenize::Tokenizer::default().tokenize(text);
        let decider = ModelDecider {
            model: Some(&*MODEL),
            knowledge: &KNOWLEDGE,
        };
        let mut sweep = Sweep::new(&KNOWLEDGE, text, &tokens, decider);
        sweep.fast_paths = fast_paths;
        let mut out = Vec::new();
        sweep.run(&mut out);
        out
    }

    #[track_caller]
    fn check_same(text: &str) {
        assert_eq!(segment(text, true), segment(text, false), "in {text:?}");
    }

    /// The byte-class table repeats, for speed, what `punctuation.tsv`
    /// says of ASCII characters; an edit of the data file must show here.
    #[test]
    fn byte_classes_agree_with_the_punctuation_data() {
        use crate::knowledge::role;
        for b in 0..128u8 {
            let (bits, roles) = (class::OF[usize::from(b)], KNOWLEDGE.ascii_roles(b));
            for (class_bit, role_bit, name) in [
                (class::STOP, role::TERMINAL, "terminal"),
                (class::CLOSER, role::CLOSER, "closer"),
                (class::OPENER, role::OPENER, "opener"),
            ] {
                assert_eq!(
                    bits & class_bit != 0,
                    roles & role_bit != 0,
                    "{:?} as {name}",
                    char::from(b)
                );
            }
        }
    }

    #[test]
    fn marks_find_addresses_and_links_chunk_by_chunk() {
        let text = b"a@b www.x.com 04/26/2001 Kay awww. wwww.x.org said www. www wwwww.\
                     xwww.y.com abcdefgh@ abcdefghi/ new";
        let mut marks = Marks::from(text, 0);
        let mut start = 0;
        for chunk in text.split(|&b| b == b' ') {
            let end = start + chunk.len();
            marks.catch_up(text, start);
            let slow = chunk.iter().any(|&b| b == b'@' || b == b'/')
                || chunk.windows(4).any(|w| w == b"www.");
            assert_eq!(
                marks.within(end),
                slow,
                "{}",
                String::from_utf8_lossy(chunk)
            );
            start = end + 1;
        }
    }

    #[test]
    fn fast_paths_agree_with_the_rules_on_the_fixtures() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                check_same(&std::fs::read_to_string(&path).expect("fixture"));
            }
        }
    }

    fn sweep(text: &str) -> Sweep<'_, ModelDecider<'static>> {
        let decider = ModelDecider {
            model: None,
            knowledge: &KNOWLEDGE,
        };
        Sweep::new(&KNOWLEDGE, text, &[], decider)
    }

    #[test]
    fn dateline_lines_pass_the_byte_test() {
        for line in [
            "BEIJING, May 14 (Xinhua) -- Cai Qi met",
            "WASHINGTON, Jan. 7 (Reuters) - The",
            "LONDON (AP) - The",
            "SOCCER - JAPAN GET LOWER",
            "ZÜRICH, May 14 (Xinhua) Swiss",
        ] {
            assert!(sweep(line).dateline(0).is_some(), "{line}");
            assert!(sweep(line).may_hold_dateline(0), "{line}");
        }
        for line in [
            "BRUSSELS 1996-08-22",
            "BALTIMORE 67 58 .536 5",
            "FRONT PAGE\nLONDON - x",
        ] {
            assert!(!sweep(line).may_hold_dateline(0), "{line}");
        }
    }

    proptest! {
        #[test]
        fn the_byte_test_keeps_every_dateline(
            text in r#"([A-Z]{2,7}|[A-Z][a-z]{1,5}|[0-9]{1,4}|Jan\.|May|\(AP\)|\(|\)|Calif\.,|-|--|—|–|,|[ ]{1,2}|\t|\n|É){0,30}"#
        ) {
            let line = format!("AB{text}");
            let sweep = sweep(&line);
            if !sweep.may_hold_dateline(0) {
                prop_assert_eq!(sweep.dateline(0), None);
            }
        }

        #[test]
        fn fast_paths_agree_with_the_rules(
            text in r#"([A-Za-z]{1,7}|[A-Z]{2,5}|[0-9]{1,4}|[.,:;!?'"()\[\]\-$@/+=%&#*<>~_]|Mr\.|Inc\.|U\.S\.|2\.|a\.|b\.|c\)|b\)|www\.x\.com|http://x\.org|Thanks,|Love,|AM|07:17|04/26/2001|:\)|:P|;D|\*\*\*|…|’|“|”|•|Jan\.|\(AP\)|BEIJING,|[ ]{1,2}|\t|\n){0,80}"#
        ) {
            prop_assert_eq!(segment(&text, true), segment(&text, false));
        }
    }
}
