//! The byte scanner: one left-to-right walk over the text that emits the
//! tokens starting at each position in turn.
//!
//! Every step starts at a token boundary, looks ahead a bounded distance (or
//! consumes what it looked at), and returns a position strictly after where
//! it started, so the scan is linear in the input. The one longer look-ahead,
//! for e-mail addresses and bare domains, remembers how far it looked when it
//! fails and is not repeated inside that stretch. Whitespace ends every run
//! the rules scan, so no token ever crosses it.
//!
//! The common cases are settled by [`Scanner::plain_tokens`] from bit
//! masks of a 64-byte window of text (letters, bytes that are not letters
//! or digits, whitespace, and where tokens may start), computed 32 or 16
//! bytes at a time with AVX2 or SSE2 on x86_64 and a byte at a time
//! elsewhere: plain words and numbers, punctuation that stands alone, and a
//! word's sentence period, possessive `'s` or `n't`. Everything else goes
//! through the full rules in [`Scanner::word`] and the punctuation
//! handlers, and the fast loop decides nothing they would decide otherwise:
//! a unit test compares the two on generated text.

use std::cell::Cell;

use dateline_core::{Span, Token, TokenKind};

use crate::chars::{
    first_char, is_cjk, is_emoji, is_extender, is_punctuation, is_regional_indicator, is_word_char,
};
use crate::lexicon::{Lexicon, LEXICON};

/// The UTF-8 bytes of the right single quotation mark, the curly apostrophe.
const RSQUO: &[u8] = "\u{2019}".as_bytes();
/// The UTF-8 bytes of the horizontal ellipsis.
const ELLIPSIS: &[u8] = "\u{2026}".as_bytes();

pub(crate) struct Scanner<'t> {
    text: &'t str,
    b: &'t [u8],
    /// The caller's vector, moved in for the scan: a vector owned by the
    /// scanner saves a pointer chase on every push.
    out: Vec<Token>,
    lex: &'static Lexicon,
    split_hyphens: bool,
    /// The text's length: scans stop here or at whitespace, which no step
    /// ever consumes.
    end: usize,
    /// Positions before this one already failed the e-mail/domain check
    /// (a cell, so that the main loop, which borrows the scanner shared,
    /// can record a check it made).
    special_until: Cell<usize>,
}

const OTHER: u8 = 0;
const SPACE: u8 = 1;
const ALNUM: u8 = 2;
const NON_ASCII: u8 = 3;

/// The class of each byte, for the main loop's dispatch and word runs.
static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b >= 0x80 {
            NON_ASCII
        } else if is_ascii_space(b) {
            SPACE
        } else if b.is_ascii_alphanumeric() {
            ALNUM
        } else {
            OTHER
        };
        i += 1;
    }
    t
};

/// ASCII bytes that end a word whatever it is: whitespace and punctuation
/// that no rule joins to the letters before it. Not `.`, `'`, `-`, `&`, `_`,
/// `/`, `@`, `:` and the like, which the full rules look at.
static ENDS_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = is_ascii_space(b)
            || matches!(
                b,
                b',' | b';' | b'"' | b'(' | b')' | b'[' | b']' | b'!' | b'?' | b'{' | b'}'
            );
        i += 1;
    }
    t
};

/// The end of the run of ASCII letters and digits at `i`, eight bytes at a
/// time while eight remain.
#[inline(always)]
fn ascii_alnum_end(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(word);
        // With the high bits cleared no byte sum below carries into the
        // next byte; bytes that had it set (non-ASCII) are masked out last.
        let v = x & !HIGH;
        let folded = v | (0x20 * ONES);
        // High bit set where lo <= byte, and where byte > hi.
        let letter = (folded + (0x80 - 0x61) * ONES) & !(folded + (0x7F - 0x7A) * ONES);
        let digit = (v + (0x80 - 0x30) * ONES) & !(v + (0x7F - 0x39) * ONES);
        let alnum = (letter | digit) & !x & HIGH;
        if alnum != HIGH {
            return i + ((!alnum & HIGH).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && CLASS[usize::from(b[i])] == ALNUM {
        i += 1;
    }
    i
}

/// Bytes the main loop classifies at once.
const WINDOW: usize = 64;

/// Bit masks over a window of [`WINDOW`] bytes: bit `i` describes byte `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Masks {
    /// ASCII letters.
    letter: u64,
    /// Bytes other than ASCII letters and digits: inverted, so that the
    /// length of a run is a count of trailing zeros, with no `!` first.
    non_alnum: u64,
    /// ASCII whitespace.
    space: u64,
    /// Where a token may start: the first of each run of letters and
    /// digits, and every byte that is neither one nor whitespace.
    starts: u64,
}

impl Masks {
    fn new(letter: u64, alnum: u64, space: u64) -> Masks {
        Masks {
            letter,
            non_alnum: !alnum,
            space,
            starts: (alnum & !(alnum << 1)) | !(alnum | space),
        }
    }
}

/// The masks of a window: with AVX2 where the CPU has it (checked once, the
/// answer cached by the standard library), else with SSE2, which every
/// x86_64 CPU has. A dozen vector instructions classify sixteen or
/// thirty-two bytes, where a byte loop would take a load, a lookup and a
/// branch per byte.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn classify(w: &[u8; WINDOW]) -> Masks {
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        let (letter, alnum, space) = unsafe { classify_avx2(w) };
        // Out of the AVX2 function: inside it, the compiler vectorised these
        // few word operations into hundreds of byte shuffles.
        Masks::new(letter, alnum, space)
    } else {
        classify_sse2(w)
    }
}

/// [`classify`] thirty-two bytes at a time: half the instructions of SSE2,
/// and no register copies, as AVX instructions take three operands. The
/// letter, letter-or-digit and whitespace masks.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "avx2")]
unsafe fn classify_avx2(w: &[u8; WINDOW]) -> (u64, u64, u64) {
    use std::arch::x86_64::{
        _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256,
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };
    let splat = |b: u8| _mm256_set1_epi8(b as i8);
    let (mut all_letter, mut all_alnum, mut all_space) = (0, 0, 0);
    for (i, chunk) in w.chunks_exact(32).enumerate() {
        // SAFETY: the caller guarantees AVX2; the unaligned load reads the
        // 32 bytes of `chunk`, which is exactly 32 bytes long and borrowed
        // for the duration.
        let x = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) };
        // As in `classify_sse2`: signed compares keep UTF-8 bytes out of
        // the ASCII ranges; `a < b` is written `b > a`.
        let folded = _mm256_or_si256(x, splat(0x20));
        let letter = _mm256_and_si256(
            _mm256_cmpgt_epi8(folded, splat(b'a' - 1)),
            _mm256_cmpgt_epi8(splat(b'z' + 1), folded),
        );
        let digit = _mm256_and_si256(
            _mm256_cmpgt_epi8(x, splat(b'0' - 1)),
            _mm256_cmpgt_epi8(splat(b'9' + 1), x),
        );
        let space = _mm256_or_si256(
            _mm256_cmpeq_epi8(x, splat(b' ')),
            _mm256_and_si256(
                _mm256_cmpgt_epi8(x, splat(8)),
                _mm256_cmpgt_epi8(splat(14), x),
            ),
        );
        all_letter |= u64::from(_mm256_movemask_epi8(letter) as u32) << (32 * i);
        all_alnum |=
            u64::from(_mm256_movemask_epi8(_mm256_or_si256(letter, digit)) as u32) << (32 * i);
        all_space |= u64::from(_mm256_movemask_epi8(space) as u32) << (32 * i);
    }
    (all_letter, all_alnum, all_space)
}

/// [`classify`] sixteen bytes at a time with SSE2.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn classify_sse2(w: &[u8; WINDOW]) -> Masks {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let splat = |b: u8| b as i8;
    let (mut all_letter, mut all_alnum, mut all_space) = (0, 0, 0);
    for (i, chunk) in w.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86_64 baseline, so these
        // instructions exist on every CPU this code compiles for; the
        // unaligned load reads the 16 bytes of `chunk`, which is exactly 16
        // bytes long and borrowed for the duration.
        let (letter, alnum, space) = unsafe {
            let x = _mm_loadu_si128(chunk.as_ptr().cast());
            // The compares are signed: bytes from 0x80 up are negative, so
            // no UTF-8 byte lands in an ASCII range. `| 0x20` folds A-Z onto
            // a-z and moves no other byte into that range.
            let folded = _mm_or_si128(x, _mm_set1_epi8(0x20));
            let letter = _mm_and_si128(
                _mm_cmpgt_epi8(folded, _mm_set1_epi8(splat(b'a' - 1))),
                _mm_cmplt_epi8(folded, _mm_set1_epi8(splat(b'z' + 1))),
            );
            let digit = _mm_and_si128(
                _mm_cmpgt_epi8(x, _mm_set1_epi8(splat(b'0' - 1))),
                _mm_cmplt_epi8(x, _mm_set1_epi8(splat(b'9' + 1))),
            );
            // Tab, LF, VT, FF, CR (9 to 13) and space.
            let space = _mm_or_si128(
                _mm_cmpeq_epi8(x, _mm_set1_epi8(splat(b' '))),
                _mm_and_si128(
                    _mm_cmpgt_epi8(x, _mm_set1_epi8(8)),
                    _mm_cmplt_epi8(x, _mm_set1_epi8(14)),
                ),
            );
            (
                _mm_movemask_epi8(letter) as u16,
                _mm_movemask_epi8(_mm_or_si128(letter, digit)) as u16,
                _mm_movemask_epi8(space) as u16,
            )
        };
        all_letter |= u64::from(letter) << (16 * i);
        all_alnum |= u64::from(alnum) << (16 * i);
        all_space |= u64::from(space) << (16 * i);
    }
    Masks::new(all_letter, all_alnum, all_space)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn classify(w: &[u8; WINDOW]) -> Masks {
    classify_scalar(w)
}

/// The portable definition of [`classify`], a byte at a time.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn classify_scalar(w: &[u8; WINDOW]) -> Masks {
    let (mut letter, mut alnum, mut space) = (0, 0, 0);
    for (i, &c) in w.iter().enumerate() {
        letter |= u64::from(c.is_ascii_alphabetic()) << i;
        alnum |= u64::from(c.is_ascii_alphanumeric()) << i;
        space |= u64::from(is_ascii_space(c)) << i;
    }
    Masks::new(letter, alnum, space)
}

/// The classified window of text the main loop works in: the scan comes
/// back to it after each token the full rules take, so it is kept between
/// calls and moves on only when a token or gap reaches its end.
#[derive(Debug)]
struct Window {
    /// Where the window starts in the text.
    start: usize,
    masks: Masks,
    /// A copy of its bytes, spaces past the text's end: indexed by offsets
    /// below [`WINDOW`], reads need no bounds check against the text.
    bytes: [u8; WINDOW],
}

impl Window {
    /// The window at the start of `b`.
    fn first(b: &[u8]) -> Window {
        let mut win = Window {
            start: 0,
            masks: Masks::new(0, 0, 0),
            bytes: [b' '; WINDOW],
        };
        win.load(b, 0);
        win
    }

    /// Moves the window to start at `p`. Past the text's end it reads
    /// spaces: the end acts like whitespace for every rule that uses it.
    #[inline]
    fn load(&mut self, b: &[u8], p: usize) {
        self.start = p;
        match b[p..].first_chunk() {
            Some(w) => self.bytes = *w,
            None => self.bytes = padded(&b[p..]),
        }
        self.masks = classify(&self.bytes);
    }
}

/// The last bytes of a text, padded with spaces to a window. Out of line,
/// so that the common full window is a fixed-size copy rather than a call
/// to `memcpy` shared with this one.
#[cold]
#[inline(never)]
fn padded(rest: &[u8]) -> [u8; WINDOW] {
    let mut w = [b' '; WINDOW];
    w[..rest.len()].copy_from_slice(rest);
    w
}

/// If the alphanumeric run `[p, e)` is digits, with any `.`, `,` or `:`
/// groups of digits after it (`1,200.50`, `09:07`), and what follows is
/// whitespace or punctuation no number rule looks at, the number's end.
#[inline(always)]
fn plain_number_end(b: &[u8], p: usize, e: usize) -> Option<usize> {
    if !b[p..e].iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits_end(b, e)
}

/// [`plain_number_end`] for a run of digits ending at `e`.
#[inline(always)]
fn digits_end(b: &[u8], e: usize) -> Option<usize> {
    let digit_at = |i: usize| i < b.len() && b[i].is_ascii_digit();
    let mut q = e;
    while q < b.len() && matches!(b[q], b'.' | b',' | b':') && digit_at(q + 1) {
        q += 1;
        while digit_at(q) {
            q += 1;
        }
    }
    let ends = q == b.len()
        || ENDS_WORD[usize::from(b[q])]
        || (b[q] == b'.' && (q + 1 == b.len() || CLASS[usize::from(b[q + 1])] == SPACE));
    ends.then_some(q)
}

/// ASCII punctuation that is always a token of its own, whatever surrounds
/// it (brackets are not: `(:` may be an emoticon).
static SINGLE: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b';' as usize] = true;
    t[b'"' as usize] = true;
    t[b'%' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

// How the main loop treats an ASCII punctuation byte before another ASCII
// byte, as bit flags in `ALONE` (tested without branches, where a `match`
// made a jump table whose target is hard to predict): what
// `Scanner::ascii_other` would decide, where that is cheap to see. No flag:
// the full rules.

/// Always a token of its own ([`SINGLE`]).
const ALWAYS: u8 = 1;
/// A token of its own unless the same byte follows, which joins the run.
const UNREPEATED: u8 = 2;
/// A token of its own unless it opens a chunk with an emoticon.
const NO_EMOTICON: u8 = 4;
/// A token of its own before whitespace (the period).
const BEFORE_SPACE: u8 = 8;

static ALONE: [u8; 256] = {
    let mut t = [0; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if SINGLE[i] {
            ALWAYS
        } else if b == b'.' {
            BEFORE_SPACE
        } else if matches!(b, b'(' | b')' | b':') {
            NO_EMOTICON
        } else if matches!(b, b'-' | b'*' | b'~' | b'_' | b'|' | b'/' | b'$' | b'>') {
            // The run-merging bytes that no earlier rule of `ascii_other`
            // looks at (not `+ # = < ^`).
            UNREPEATED
        } else {
            0
        };
        i += 1;
    }
    t
};

#[inline]
const fn is_ascii_space(b: u8) -> bool {
    // char::is_whitespace on ASCII: tab, LF, VT, FF, CR and space. A bit
    // test: a `match` compiled to a jump table, whose target is hard to
    // predict.
    const SPACES: u64 = 1 << b'\t' | 1 << b'\n' | 1 << 0x0B | 1 << 0x0C | 1 << b'\r' | 1 << b' ';
    b < 64 && (SPACES >> b) & 1 != 0
}

#[inline]
fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Characters of a URL after its scheme or host, up to the chunk's end.
#[inline]
fn is_url_byte(b: u8) -> bool {
    b >= 0x80 || (b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'`'))
}

/// Characters an e-mail local part or a host name may hold.
#[inline]
fn is_local_byte(b: u8) -> bool {
    LOCAL[usize::from(b)]
}

/// [`is_local_byte`] by table: the scans over an address then take one
/// branch a byte, where comparisons took several.
static LOCAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
        i += 1;
    }
    t
};

/// ASCII punctuation after a word's period that ends any address or
/// dotted name there (a quote, bracket, comma, ...): not whitespace,
/// which another rule takes, nor a letter, digit, `@` or other byte an
/// address may hold.
#[inline]
fn ends_address(b: u8) -> bool {
    b < 0x80 && !is_ascii_space(b) && !is_local_byte(b) && b != b'@'
}

/// ASCII punctuation whose runs of one repeated character form one token
/// (`--`, `**`, `==`, `<<`). Brackets, quotes and separators are not here:
/// `((` is two tokens.
#[inline]
fn merges_in_runs(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'*' | b'=' | b'+' | b'<' | b'>' | b'~' | b'_' | b'#' | b'^' | b'|' | b'/' | b'$'
    )
}

/// The kind of a one-byte ASCII token, looked up: a `match` here made a
/// jump table.
#[inline]
fn ascii_kind(b: u8) -> TokenKind {
    ASCII_KIND[usize::from(b)]
}

static ASCII_KIND: [TokenKind; 256] = {
    let mut t = [TokenKind::Symbol; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = ascii_kind_of(i as u8);
        i += 1;
    }
    t
};

const fn ascii_kind_of(b: u8) -> TokenKind {
    match b {
        b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'"' | b'`' | b'(' | b')' | b'['
        | b']' | b'{' | b'}' | b'-' | b'/' | b'\\' => TokenKind::Punct,
        _ => TokenKind::Symbol,
    }
}

impl<'t> Scanner<'t> {
    pub(crate) fn new(text: &'t str, out: Vec<Token>, split_hyphens: bool) -> Self {
        Scanner {
            text,
            b: text.as_bytes(),
            out,
            lex: &LEXICON,
            split_hyphens,
            end: text.len(),
            special_until: Cell::new(0),
        }
    }

    /// Tokenizes the whole text and hands back the vector, tokens appended.
    pub(crate) fn run(mut self) -> Vec<Token> {
        self.scan::<true>();
        self.out
    }

    /// The scan; without `FAST`, every token takes the byte-at-a-time
    /// dispatch below, which the tests compare the fast loop against.
    fn scan<const FAST: bool>(&mut self) {
        let b = self.b;
        let mut p = 0;
        let mut win = Window::first(b);
        while p < b.len() {
            if FAST {
                // The loop pushes to a local vector, which stays in
                // registers while the rules it calls borrow the scanner.
                let mut out = std::mem::take(&mut self.out);
                p = self.plain_tokens(p, &mut win, &mut out);
                self.out = out;
            }
            if p >= b.len() {
                break;
            }
            let c = b[p];
            let next = match CLASS[usize::from(c)] {
                SPACE => p + 1,
                ALNUM => self.fast_word(p),
                OTHER => {
                    // Punctuation that is always a token of its own, before
                    // ASCII (so no combining mark to take along).
                    let after = self.byte(p + 1);
                    if after < 0x80
                        && (SINGLE[usize::from(c)]
                            || (c == b'.' && CLASS[usize::from(after)] == SPACE))
                    {
                        self.push(p, p + 1, ascii_kind(c));
                        p + 1
                    } else {
                        self.ascii_other(p)
                    }
                }
                _ => {
                    let ch = self.char_at(p);
                    if ch.is_whitespace() {
                        p + ch.len_utf8()
                    } else {
                        self.non_ascii(p, ch)
                    }
                }
            };
            debug_assert!(next > p, "scanner made no progress at {p}");
            p = next;
        }
    }

    /// The tight loop for running text: consumes the tokens whose rules are
    /// decided by a look at a few bytes (plain words and numbers, digit
    /// groups, a word's sentence period, possessive `'s` or `n't`, a word
    /// before a splitting hyphen or a colon, punctuation that is a token of
    /// its own) and the ASCII whitespace between them, pushing them to
    /// `out`, and returns where the first thing it leaves to the full rules
    /// starts. It agrees with [`Scanner::fast_word`], [`Scanner::word`] and
    /// the punctuation handlers on everything it takes (a unit test compares
    /// them), and leaves them the scan state they would have left.
    ///
    /// It walks the token starts of a window's masks: the next token is the
    /// lowest set bit, a word's length a count of trailing zeros, and the
    /// whitespace between tokens is never looked at, so a word and its
    /// space cost no branch on their length.
    #[inline(always)]
    fn plain_tokens(&self, mut p: usize, win: &mut Window, out: &mut Vec<Token>) -> usize {
        let b = self.b;
        let lex = self.lex;
        // A byte, or a space past the end, as the window reads it.
        let byte = |i: usize| if i < b.len() { b[i] } else { b' ' };
        while p < b.len() {
            // The window must hold the byte after `p` too.
            if p + 1 >= win.start + WINDOW {
                win.load(b, p);
            }
            let q = win.start;
            let m = win.masks;
            let w = &win.bytes;
            // A byte of the window at an offset below `WINDOW`; the mask
            // states the bound to the compiler.
            let at_off = |i: usize| w[i & (WINDOW - 1)];
            let mut push = |start: usize, end: usize, kind: TokenKind| {
                let span = Span {
                    start: start as u32,
                    end: end as u32,
                };
                out.push(Token::new(span, kind));
            };
            // The token starts from `p` on: those of the masks, and `p`
            // itself unless it is whitespace, as the rules may have ended a
            // token inside a run (`3pm`). The pass ends with `None` to move
            // the window on (to `p`), or with where the full rules take over.
            let from = |off: usize| (m.starts >> off << off) | (!(m.space >> off) & 1) << off;
            let mut starts = from(p - q);
            let stop = loop {
                if starts == 0 {
                    // Only whitespace is left in the window.
                    p = q + WINDOW;
                    break None;
                }
                let off = starts.trailing_zeros() as usize;
                if off + 1 >= WINDOW {
                    // The byte after it is in the next window.
                    p = q + off;
                    break None;
                }
                let at = q + off;
                // Letters first: most tokens are words.
                let next = if (m.letter >> off) & 1 != 0 {
                    // The bits shifted in are clear: a run to the window's
                    // end counts at least to it.
                    let run = (m.non_alnum >> off).trailing_zeros() as usize;
                    let e = at + run;
                    if off + run >= WINDOW {
                        if off == 0 {
                            // A run longer than the window: the rules take it.
                            break Some(at);
                        }
                        // The run may go on: look again from its start.
                        win.load(b, at);
                        p = at;
                        break None;
                    }
                    // `off + run` is inside the window (checked above).
                    let follow = at_off(off + run);
                    if ENDS_WORD[usize::from(follow)] {
                        // Past the text's end the window holds spaces, so the
                        // run ends by the end and the slice is in bounds.
                        if lex.may_split(at_off(off), at_off(off + run - 1), run)
                            && lex.splits_filtered_word(&b[at..e])
                        {
                            break Some(at);
                        }
                        push(at, e, TokenKind::Word);
                        // The commonest token of all: the next start is the
                        // next bit, as a run holds no other start.
                        starts &= starts - 1;
                        continue;
                    } else if follow == b'-'
                        && self.split_hyphens
                        && self.no_address_from(at)
                        && !lex.hyphen_prefixes.contains(&b[at..e])
                        && !lex.splits_word(&b[at..e])
                    {
                        // A word before a hyphen that splits (`long-term`).
                        push(at, e, TokenKind::Word);
                        starts &= starts - 1;
                        continue;
                    } else if follow == b':'
                        && byte(e + 1) != b'/'
                        && !b[at..e].eq_ignore_ascii_case(b"mailto")
                        && !lex.splits_word(&b[at..e])
                    {
                        // A word before a colon that starts no URL.
                        push(at, e, TokenKind::Word);
                        starts &= starts - 1;
                        continue;
                    } else if follow == b'.'
                        && e + 1 < b.len()
                        && is_ascii_space(b[e + 1])
                        && !lex.splits_word(&b[at..e])
                    {
                        // A word before a period and a space: an abbreviation
                        // keeps the period, else it is left for the sentence.
                        let end = if self.keeps_period(at, e) { e + 1 } else { e };
                        push(at, end, TokenKind::Word);
                        end
                    } else if follow == b'.'
                        && e + 1 < b.len()
                        && ends_address(b[e + 1])
                        && !b[at..e].eq_ignore_ascii_case(b"www")
                        && !lex.splits_word(&b[at..e])
                    {
                        // A word before a period and a closing quote,
                        // bracket or the like (`said."`): no address or
                        // dotted name goes on past the period, which the
                        // rules' check would find, and record, as here.
                        if at >= self.special_until.get() {
                            self.special_until.set(e + 1);
                        }
                        let end = if self.keeps_period(at, e) { e + 1 } else { e };
                        push(at, end, TokenKind::Word);
                        end
                    } else if follow == b'\''
                        && run >= 2
                        && matches!(at_off(off + run - 1), b'n' | b'N')
                        && matches!(byte(e + 1), b't' | b'T')
                        && byte(e + 2) < 0x80
                        && !is_alnum(byte(e + 2))
                        && (!(m.letter >> off)).trailing_zeros() as usize >= run
                    {
                        // `don't` -> `do` `n't`: letters, then `n't` before a
                        // space or punctuation.
                        push(at, e - 1, TokenKind::Word);
                        push(e - 1, e + 2, TokenKind::Word);
                        e + 2
                    } else if follow == b'\''
                        && matches!(byte(e + 1), b's' | b'S')
                        && byte(e + 2) < 0x80
                        && !is_alnum(byte(e + 2))
                    {
                        // The possessive `'s` before a space or punctuation.
                        push(at, e, TokenKind::Word);
                        push(e, e + 2, TokenKind::Word);
                        e + 2
                    } else {
                        break Some(at);
                    }
                } else if (m.non_alnum >> off) & 1 == 0 {
                    // Digits: a number if no letter is in the run.
                    let run = (m.non_alnum >> off).trailing_zeros() as usize;
                    if off + run >= WINDOW && off > 0 {
                        // The run may go on: look again from its start.
                        win.load(b, at);
                        p = at;
                        break None;
                    }
                    if off + run >= WINDOW || ((m.letter >> off).trailing_zeros() as usize) < run {
                        break Some(at);
                    }
                    let e = at + run;
                    match digits_end(b, e) {
                        Some(end) => {
                            push(at, end, TokenKind::Number);
                            end
                        }
                        // Digits before a hyphen (dates, phone numbers,
                        // scores, ranges) or a separator (`1/2`, `12,700-`),
                        // as the number rules join them; before a hyphen
                        // once no address starts here.
                        None if matches!(byte(e), b',' | b':' | b'/')
                            || (byte(e) == b'.' && !byte(e + 1).is_ascii_alphabetic())
                            || (byte(e) == b'-' && self.no_address_from(at)) =>
                        {
                            let (end, kind) = self.number_end(e);
                            let end = self.extend(end);
                            push(at, end, kind);
                            // It may end inside a run (`2.5` of `2.5bn`),
                            // which holds no start bit.
                            if end >= q + WINDOW {
                                p = end;
                                break None;
                            }
                            starts = from(end - q);
                            continue;
                        }
                        None => break Some(at),
                    }
                } else {
                    // Punctuation before ASCII (so no combining mark to take
                    // along) that is a token of its own. `off + 1` is inside
                    // the window (checked above).
                    let c = at_off(off);
                    let after = at_off(off + 1);
                    let f = ALONE[usize::from(c)];
                    let space_after = (m.space >> (off + 1)) & 1 != 0;
                    let plain = (f & ALWAYS != 0)
                        | ((f & UNREPEATED != 0) & (after != c))
                        | ((f & BEFORE_SPACE != 0) & space_after);
                    let alone = after < 0x80
                        && (plain
                            || (f & NO_EMOTICON != 0
                                && (!self.at_chunk_start(at) || lex.emoticon(&b[at..]).is_none())));
                    if !alone {
                        break Some(at);
                    }
                    push(at, at + 1, ascii_kind(c));
                    // The byte after it starts a token or is whitespace.
                    starts &= starts - 1;
                    continue;
                };
                // Numbers, periods and possessives may end past the window.
                // They end before whitespace or punctuation, so the next
                // start is the first start bit after them.
                if next >= q + WINDOW {
                    p = next;
                    break None;
                }
                starts &= u64::MAX << (next - q);
            };
            if let Some(at) = stop {
                return at;
            }
        }
        // Spaces read past the end may have carried `p` beyond it.
        p.min(b.len())
    }

    /// The common case first: a run of ASCII letters and digits starting
    /// with a letter, followed by whitespace or punctuation that can never
    /// join it, is a plain word. Anything else takes the full rules.
    #[inline]
    fn fast_word(&mut self, p: usize) -> usize {
        let b = self.b;
        let e = ascii_alnum_end(b, p + 1);
        let follow = if e < b.len() { b[e] } else { b' ' };
        if follow == b'.'
            && b[p].is_ascii_alphabetic()
            && CLASS[usize::from(self.byte(e + 1))] == SPACE
            && !self.lex.splits_word(&b[p..e])
        {
            // A word before a period and a space: an abbreviation keeps the
            // period, else it is left for the sentence.
            let end = if self.keeps_period(p, e) { e + 1 } else { e };
            self.push(p, end, TokenKind::Word);
            return end;
        }
        if b[p].is_ascii_alphabetic() {
            if ENDS_WORD[usize::from(follow)] && !self.lex.splits_word(&b[p..e]) {
                self.push(p, e, TokenKind::Word);
                return e;
            }
            // The possessive `'s` before a space or punctuation.
            let after = self.byte(e + 2);
            if follow == b'\''
                && matches!(self.byte(e + 1), b's' | b'S')
                && after < 0x80
                && !is_alnum(after)
            {
                self.push(p, e, TokenKind::Word);
                self.push(e, e + 2, TokenKind::Word);
                return e + 2;
            }
        } else if let Some(end) = self.fast_number(p, e) {
            return end;
        }
        self.word(p)
    }

    /// Digits at `[p, e)`, with any `.`, `,` or `:` groups after, when
    /// what follows is whitespace or punctuation no number rule looks at.
    #[inline]
    fn fast_number(&mut self, p: usize, e: usize) -> Option<usize> {
        let q = plain_number_end(self.b, p, e)?;
        self.push(p, q, TokenKind::Number);
        Some(q)
    }

    /// Pushes a token; callers guarantee `start < end`, and the text fits
    /// `u32` offsets (`Tokenizer::tokenize_into` checks).
    #[inline(always)]
    fn push(&mut self, start: usize, end: usize, kind: TokenKind) {
        debug_assert!(start < end && end <= self.b.len());
        let span = Span {
            start: start as u32,
            end: end as u32,
        };
        self.out.push(Token::new(span, kind));
    }

    #[inline]
    fn char_at(&self, i: usize) -> char {
        first_char(&self.text[i..])
    }

    /// Whether `p` starts a whitespace-delimited chunk of text.
    #[inline]
    fn at_chunk_start(&self, p: usize) -> bool {
        if p == 0 {
            return true;
        }
        let prev = self.b[p - 1];
        if prev < 0x80 {
            return CLASS[usize::from(prev)] == SPACE;
        }
        self.text[..p]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
    }

    /// Pushes a token, extending it over any combining marks and joiners that
    /// follow, and returns where it ends.
    #[inline(always)]
    fn emit(&mut self, start: usize, mut end: usize, kind: TokenKind) -> usize {
        end = self.extend(end);
        self.push(start, end, kind);
        end
    }

    /// Skips combining marks, joiners and selectors at `i`.
    #[inline(always)]
    fn extend(&self, i: usize) -> usize {
        if i < self.end && self.b[i] >= 0x80 {
            self.extend_slow(i)
        } else {
            i
        }
    }

    #[cold]
    #[inline(never)]
    fn extend_slow(&self, mut i: usize) -> usize {
        while i < self.end && self.b[i] >= 0x80 {
            let c = self.char_at(i);
            if !is_extender(c) {
                break;
            }
            i += c.len_utf8();
        }
        i
    }

    // ---------------------------------------------------------------- words

    /// The end of a run of letters, digits and marks starting at `i`.
    #[inline]
    fn alnum_run(&self, mut i: usize) -> usize {
        let b = self.b;
        loop {
            i = ascii_alnum_end(b, i);
            if i == b.len() || b[i] < 0x80 {
                return i;
            }
            let ch = self.char_at(i);
            if !is_word_char(ch) {
                return i;
            }
            i += ch.len_utf8();
        }
    }

    /// Whether the bytes at `i` are an apostrophe, and how long it is.
    #[inline]
    fn apostrophe_at(&self, i: usize) -> usize {
        match self.b.get(i) {
            Some(b'\'' | b'`') => 1,
            Some(0xE2) if self.b[i..].starts_with(RSQUO) => 3,
            _ => 0,
        }
    }

    #[inline]
    fn byte(&self, i: usize) -> u8 {
        if i < self.end {
            self.b[i]
        } else {
            0
        }
    }

    /// A word or number from `p`, which holds an ASCII letter or digit or a
    /// non-ASCII letter.
    fn word(&mut self, p: usize) -> usize {
        let b = self.b;
        let run = self.alnum_run(p);
        // A URL, e-mail address or file name needs one of these right
        // after its first run of letters and digits.
        let at = self.byte(run);
        let after = self.byte(run + 1);
        // After digits, a file name (`20.doc`, `8-7-01.doc`) or an address
        // is possible, but a decimal point never starts one.
        let maybe = if b[p].is_ascii_digit() {
            matches!(at, b'@' | b'_' | b'%' | b'+' | b'-')
                || (at == b'.' && after.is_ascii_alphabetic())
        } else {
            matches!(at, b'@' | b'_' | b'%' | b'+' | b'-' | b':')
                || (at == b'.' && matches!(CLASS[usize::from(after)], ALNUM | OTHER))
        };
        if maybe {
            if let Some(next) = self.special(p, run) {
                return next;
            }
        }
        // A dollar with its country: `US$`, `HK$`, `C$`.
        if self.byte(run) == b'$' && run - p <= 3 && b[p..run].iter().all(u8::is_ascii_uppercase) {
            return self.emit(p, run + 1, TokenKind::Symbol);
        }
        let digits = b[p..run].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            let d = p + digits;
            if d == run {
                return self.number(p, run);
            }
            // Digits then letters: `3pm` and `35mm` split, `15th` and
            // `1990s` stay whole.
            if self.lex.unit_suffixes.contains(&b[d..run]) && !is_alnum(self.byte(run)) {
                return self.emit(p, d, TokenKind::Number);
            }
            // `3p.m.`: the number, then the abbreviation on its own.
            if run - d == 1 && self.byte(run) == b'.' && self.byte(run + 1).is_ascii_alphabetic() {
                return self.emit(p, d, TokenKind::Number);
            }
        }
        let mut q = run;
        // Whether the token is still one plain run of letters.
        let mut simple = true;
        loop {
            match self.byte(q) {
                b'.' => {
                    // `U.S.`, `p.m.`, `Ph.D.`, `a.k.a.`: short letter groups
                    // joined by periods, the last period included.
                    if let Some(next) = self.initialism(p, q) {
                        q = next;
                        simple = false;
                        continue;
                    }
                    if simple && self.keeps_period(p, q) {
                        return self.emit(p, q + 1, TokenKind::Word);
                    }
                    break;
                }
                b'\'' | b'`' | 0xE2 => {
                    let alen = self.apostrophe_at(q);
                    if alen == 0 {
                        break;
                    }
                    match self.after_apostrophe(p, q, alen) {
                        Apostrophe::Join(next) => {
                            q = next;
                            simple = false;
                        }
                        Apostrophe::Split => break,
                        Apostrophe::Done(next) => return next,
                    }
                }
                b'-' => {
                    let next = self.byte(q + 1);
                    if !(is_alnum(next) || next >= 0x80 && is_word_char(self.char_at(q + 1))) {
                        break;
                    }
                    let joins = !self.split_hyphens
                        || (simple && self.lex.hyphen_prefixes.contains(&b[p..q]));
                    if !joins {
                        break;
                    }
                    q = self.alnum_run(q + 1);
                    simple = false;
                }
                b'/' if simple && q - p <= 2 => {
                    // `b/c`, `w/o`, `w/`.
                    let r = self.alnum_run(q + 1);
                    if r - q <= 3 && self.lex.slash_words.contains(&b[p..r]) {
                        return self.emit(p, r, TokenKind::Word);
                    }
                    if self.lex.slash_words.contains(&b[p..q + 1]) {
                        return self.emit(p, q + 1, TokenKind::Word);
                    }
                    break;
                }
                b'&' | b'_' if is_alnum(self.byte(q + 1)) => {
                    // `AT&T`, `R&D`, `user_name`.
                    q = self.alnum_run(q + 1);
                    simple = false;
                }
                _ => break,
            }
        }
        if simple {
            if let Some(parts) = self.lex.word_split(&b[p..q]) {
                let mut s = p;
                for len in parts {
                    self.push(s, s + len, TokenKind::Word);
                    s += len;
                }
                return q;
            }
        }
        self.emit(p, q, TokenKind::Word)
    }

    /// If the letters `[p, q)` and the period at `q` start an initialism
    /// (`U.S.`, `p.m.`, `Ph.D.`, `a.k.a.`: short letter groups each followed
    /// by a period), its end after the last period.
    fn initialism(&self, p: usize, q: usize) -> Option<usize> {
        let b = self.b;
        let short =
            |s: usize, e: usize| e > s && e - s <= 3 && b[s..e].iter().all(u8::is_ascii_alphabetic);
        if !short(p, q) {
            return None;
        }
        let mut end = None;
        let mut dot = q;
        loop {
            let s = dot + 1;
            let mut e = s;
            while e < self.end && e - s < 4 && b[e].is_ascii_alphabetic() {
                e += 1;
            }
            // Each further group must end in a period too, else `end.The`
            // would join.
            if short(s, e) && self.byte(e) == b'.' {
                end = Some(e + 1);
                dot = e;
            } else {
                // At a line's end, or after `p.m.` before a capitalised word,
                // the last period ends the sentence instead.
                return end.map(|e| {
                    let ending = self.lex.abbreviations_ending.contains(&b[p..e - 1])
                        && self.capital_follows(e);
                    if ending || self.ends_line(e) {
                        e - 1
                    } else {
                        e
                    }
                });
            }
        }
    }

    /// Whether the word `[p, q)`, one run of letters, keeps the period at `q`.
    fn keeps_period(&self, p: usize, q: usize) -> bool {
        let word = &self.b[p..q];
        // `etc...` is the word and an ellipsis, but `Inc..` is `Inc.` and
        // the sentence's own period.
        if self.byte(q + 1) == b'.' && self.byte(q + 2) == b'.' {
            return false;
        }
        if self.ends_line(q + 1) {
            return false;
        }
        let after = self.byte(q + 1);
        if word.len() == 1 {
            // An initial, also written against the name (`S.Korea`). Not the
            // pronoun `I`, nor a lower-case letter after digits (`66k.`).
            let c = word[0];
            return match c {
                b'I' => false,
                b'A'..=b'Z' => {
                    !is_alnum(after)
                        || (after.is_ascii_uppercase() && self.byte(q + 2).is_ascii_lowercase())
                }
                b'a'..=b'z' => self.at_chunk_start(p) && !is_alnum(after),
                _ => false,
            };
        }
        // Listed abbreviations keep their period even when the next word
        // follows without a space (`Dr.Michael`, `Nov.28`).
        if self.lex.abbreviations.contains(word) {
            return true;
        }
        if self.lex.abbreviations_ending.contains(word) {
            return is_alnum(after) || !self.capital_follows(q + 1);
        }
        !is_alnum(after)
            && self.lex.abbreviations_before_number.contains(word)
            && self.number_follows(q + 1)
    }

    /// Whether only spaces and tabs stand between `i` and a line break or
    /// the end of the text: a period there ends a sentence or a paragraph,
    /// and UD English EWT writes it as a token of its own even after an
    /// abbreviation (`in the U.S` `.`).
    fn ends_line(&self, mut i: usize) -> bool {
        // Bit tests: a `match` on these bytes compiled to a jump table,
        // whose target a sentence period mispredicts.
        const BLANK: u64 = 1 << b' ' | 1 << b'\t';
        const BREAK: u64 = 1 << b'\n' | 1 << b'\r';
        let is = |set: u64, c: u8| c < 64 && (set >> c) & 1 != 0;
        let b = self.b;
        while i < b.len() && is(BLANK, b[i]) {
            i += 1;
        }
        i == b.len() || is(BREAK, b[i])
    }

    /// Whether a capitalised word follows `i` after spaces on the same line.
    fn capital_follows(&self, mut i: usize) -> bool {
        let b = self.b;
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        i < b.len() && b[i].is_ascii_uppercase()
    }

    /// Whether the next non-space text after `i` starts with a digit.
    fn number_follows(&self, mut i: usize) -> bool {
        let b = self.b;
        while i < b.len() && is_ascii_space(b[i]) {
            i += 1;
        }
        i < b.len() && b[i].is_ascii_digit()
    }

    /// Decides what an apostrophe at `q` (of `alen` bytes) does to the word
    /// `[p, q)`.
    fn after_apostrophe(&mut self, p: usize, q: usize, alen: usize) -> Apostrophe {
        let b = self.b;
        let s = q + alen;
        let e = self.alnum_run(s);
        if e == s {
            // `bees'`, `cookin'`: the apostrophe is a token of its own.
            return Apostrophe::Split;
        }
        let after = &b[s..e];
        // `don't` -> `do` `n't`, `can't` -> `ca` `n't`.
        if q - p >= 2
            && matches!(b[q - 1], b'n' | b'N')
            && (after == b"t" || after == b"T")
            && b[p..q - 1].iter().all(u8::is_ascii_alphabetic)
        {
            self.emit(p, q - 1, TokenKind::Word);
            return Apostrophe::Done(self.emit(q - 1, e, TokenKind::Word));
        }
        if is_clitic(after) {
            // `1990's` stays whole, as UD EWT writes it.
            if b[p..q].iter().all(u8::is_ascii_digit) && (after == b"s" || after == b"S") {
                return Apostrophe::Done(self.emit(p, e, TokenKind::Number));
            }
            self.emit(p, q, TokenKind::Word);
            return Apostrophe::Done(self.emit(q, e, TokenKind::Word));
        }
        // `O'Connell`, `Shi'ite`.
        Apostrophe::Join(e)
    }

    /// Digits at `[p, run)`, possibly with separators after.
    fn number(&mut self, p: usize, run: usize) -> usize {
        let (end, kind) = self.number_end(run);
        self.emit(p, end, kind)
    }

    /// The end and kind of the token [`Scanner::number`] emits for the
    /// digits ending at `run`, before any combining marks.
    fn number_end(&self, run: usize) -> (usize, TokenKind) {
        let b = self.b;
        let mut q = run;
        loop {
            let sep = self.byte(q);
            let next = self.byte(q + 1);
            if !next.is_ascii_digit() {
                break;
            }
            match sep {
                // Thousands (`1,200`) and decimal commas (`3,40`).
                b',' | b'.' | b':' | b'/' => q = self.digit_run(q + 1),
                b'-' => match self.hyphen_chain(q) {
                    Some(e) => q = e,
                    None => break,
                },
                _ => break,
            }
        }
        // Letters after a decimal or time: `2.5bn` splits like `3pm`,
        // `1.5x` stays whole.
        if self.byte(q).is_ascii_alphabetic() {
            let e = self.alnum_run(q);
            if !self.lex.unit_suffixes.contains(&b[q..e]) {
                return (e, TokenKind::Word);
            }
        }
        // `1990's`, `60's`.
        let alen = self.apostrophe_at(q);
        if alen > 0 && q == run {
            let e = self.alnum_run(q + alen);
            if matches!(&b[q + alen..e], b"s" | b"S") {
                return (e, TokenKind::Number);
            }
        }
        (q, TokenKind::Number)
    }

    #[inline]
    fn digit_run(&self, mut i: usize) -> usize {
        while i < self.end && self.b[i].is_ascii_digit() {
            i += 1;
        }
        i
    }

    /// At a hyphen `q` after digits: the end of the digit groups it chains
    /// to when they form one token (dates `2025-05-14`, phone numbers),
    /// else `None` (ranges and scores `3-1` split, as UD EWT does).
    fn hyphen_chain(&self, q: usize) -> Option<usize> {
        let b = self.b;
        // The group before the hyphen.
        let mut s = q;
        while s > 0 && b[s - 1].is_ascii_digit() {
            s -= 1;
        }
        let first = q - s;
        let mut groups = 1;
        let mut e = q;
        let mut second = 0;
        while self.byte(e) == b'-' && self.byte(e + 1).is_ascii_digit() {
            let g = self.digit_run(e + 1);
            if groups == 1 {
                second = g - (e + 1);
            }
            groups += 1;
            e = g;
        }
        // Phone numbers and extensions (`555-1234`, `3-5213`) and ZIP+4
        // codes (`77415-0027`); a four-digit first group is a year range.
        let joins = groups >= 3 || (second >= 4 && first != 4 && first <= 5);
        // A group glued to letters (`3-1st`) is not a date or phone number.
        (joins && !self.byte(e).is_ascii_alphabetic()).then_some(e)
    }

    // ------------------------------------------------- URLs, e-mail, domains

    /// For a run at `p` before a hyphen, which no URL scheme ends in:
    /// whether [`Scanner::special`] finds no e-mail address or dotted name
    /// from `p`, recording the check as it does.
    #[inline]
    fn no_address_from(&self, p: usize) -> bool {
        if p < self.special_until.get() {
            return true;
        }
        let b = self.b;
        let mut q = p;
        let mut dots = false;
        while q < self.end && is_local_byte(b[q]) {
            dots |= b[q] == b'.';
            q += 1;
        }
        if dots || self.byte(q) == b'@' {
            return false;
        }
        self.special_until.set(q);
        true
    }

    /// A URL, e-mail address or bare domain starting at `p`, emitted.
    ///
    /// `[p, run)` is the first run of letters and digits.
    fn special(&mut self, p: usize, run: usize) -> Option<usize> {
        let b = self.b;
        // A scheme: letters then `://`, or `mailto:`, or `www.`.
        let scheme = &b[p..run];
        let rest = &b[run..];
        if scheme.len() <= 10 && scheme.iter().all(u8::is_ascii_alphabetic) {
            if rest.starts_with(b"://") && rest.len() > 3 && is_url_byte(rest[3]) {
                return Some(self.url(p, run + 3));
            }
            if scheme.eq_ignore_ascii_case(b"mailto") && rest.starts_with(b":") {
                return Some(self.url(p, run + 1));
            }
            if scheme.eq_ignore_ascii_case(b"www") && rest.starts_with(b".") {
                return Some(self.url(p, run + 1));
            }
        }
        if p < self.special_until.get() || rest.first() == Some(&b':') {
            return None;
        }
        // E-mail local part or host name.
        let mut q = p;
        let mut dots = false;
        while q < self.end && is_local_byte(b[q]) {
            dots |= b[q] == b'.';
            q += 1;
        }
        if self.byte(q) == b'@' {
            let d0 = q + 1;
            let mut d = d0;
            while d < self.end && (is_alnum(b[d]) || b[d] == b'.' || b[d] == b'-') {
                d += 1;
            }
            while d > d0 && matches!(b[d - 1], b'.' | b'-') {
                d -= 1;
            }
            if d > d0 && is_alnum(b[d0]) && !continues_address(self.byte(d)) {
                return Some(self.emit(p, d, TokenKind::Email));
            }
        } else if dots {
            if let Some((host_end, kind)) = self.host(p, q) {
                let next = self.byte(host_end);
                let path =
                    next == b'/' || (next == b':' && self.byte(host_end + 1).is_ascii_digit());
                let e = if kind == TokenKind::Url && path {
                    self.url(p, host_end)
                } else {
                    self.emit(p, host_end, kind)
                };
                return Some(e);
            }
        }
        self.special_until.set(q);
        None
    }

    /// If `[p, q)` starts with a dotted name, its end and kind: a host
    /// `name.tld` with a known top-level domain (a URL), a file name
    /// `name.ext` with a known extension, or three or more dotted names
    /// (`comp.sources.unix`).
    fn host(&self, p: usize, q: usize) -> Option<(usize, TokenKind)> {
        let b = self.b;
        let mut labels = 0;
        let mut i = p;
        let mut best = None;
        // Whether every label so far starts with a letter and has two or
        // more characters, unlike initials (`U.S.A`) and numbers.
        let mut named = true;
        while i < q {
            let s = i;
            while i < q && (is_alnum(b[i]) || b[i] == b'-' || b[i] == b'_') {
                i += 1;
            }
            if i == s {
                break;
            }
            labels += 1;
            named &= b[s].is_ascii_alphabetic() && i - s >= 2;
            let label = &b[s..i];
            if labels >= 2 {
                if self.lex.tlds.contains(label) {
                    best = Some((i, TokenKind::Url));
                } else if self.lex.file_extensions.contains(label) || (labels >= 3 && named) {
                    best = Some((i, TokenKind::Word));
                }
            }
            if i < q && b[i] == b'.' {
                i += 1;
            } else {
                break;
            }
        }
        // The first label must look like a name, not an initial (`U.S.`).
        let first_len = b[p..q].iter().take_while(|&&c| c != b'.').count();
        best.filter(|_| first_len >= 2)
    }

    /// A URL from `p` whose scheme or host ends at `from`: runs to the end
    /// of the chunk, less trailing punctuation and unbalanced brackets.
    fn url(&mut self, p: usize, from: usize) -> usize {
        let b = self.b;
        let mut e = from;
        let mut open = [0i32; 3];
        while e < self.end && is_url_byte(b[e]) {
            if b[e] >= 0x80 {
                // Curly quotes end a URL; other non-ASCII is part of it.
                let c = self.char_at(e);
                if c.is_whitespace()
                    || matches!(c, '\u{2018}'..='\u{201F}' | '\u{00AB}' | '\u{00BB}')
                {
                    break;
                }
                e += c.len_utf8();
                continue;
            }
            match b[e] {
                b'(' => open[0] += 1,
                b')' => open[0] -= 1,
                b'[' => open[1] += 1,
                b']' => open[1] -= 1,
                b'{' => open[2] += 1,
                b'}' => open[2] -= 1,
                _ => {}
            }
            e += 1;
        }
        while e > from {
            let c = b[e - 1];
            let drop = match c {
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' => true,
                b')' => open[0] < 0,
                b']' => open[1] < 0,
                b'}' => open[2] < 0,
                _ => false,
            };
            if !drop {
                break;
            }
            match c {
                b')' => open[0] += 1,
                b']' => open[1] += 1,
                b'}' => open[2] += 1,
                _ => {}
            }
            e -= 1;
        }
        self.emit(p, e, TokenKind::Url)
    }

    // ------------------------------------------------ ASCII punctuation etc.

    fn ascii_other(&mut self, p: usize) -> usize {
        let b = self.b;
        let c = b[p];
        match c {
            b'.' if self.byte(p + 1).is_ascii_digit() && (p == 0 || !is_alnum(b[p - 1])) => {
                // A leading decimal point: `$.04`, `.15`.
                let run = self.digit_run(p + 1);
                self.number(p, run)
            }
            b'+' if self.byte(p + 1).is_ascii_digit()
                && (self.at_chunk_start(p) || b[p - 1] == b'(') =>
            {
                // An explicit plus sign belongs to its number (`+44`, `+3.5`),
                // as UD EWT writes it; a minus is a hyphen and splits.
                let run = self.digit_run(p + 1);
                self.number(p, run)
            }
            b'.' if !self.at_chunk_start(p) && self.byte(p + 1).is_ascii_alphabetic() => {
                // A file extension after a bracket: `(draft).doc`.
                let e = self.alnum_run(p + 1);
                if self.lex.file_extensions.contains(&b[p + 1..e]) {
                    self.emit(p, e, TokenKind::Word)
                } else {
                    self.terminal_run(p)
                }
            }
            b'.' | b'!' | b'?' => self.terminal_run(p),
            b'\'' => self.apostrophe_start(p, 1),
            b'`' => {
                let e = if self.byte(p + 1) == b'`' {
                    p + 2
                } else {
                    p + 1
                };
                self.emit(p, e, TokenKind::Punct)
            }
            b'@' if is_alnum(self.byte(p + 1)) => {
                // `@example.com`, the domain part of an address on its own.
                let mut q = p + 1;
                while q < self.end && is_local_byte(b[q]) {
                    q += 1;
                }
                match self.host(p + 1, q) {
                    Some((e, TokenKind::Url)) => self.emit(p, e, TokenKind::Email),
                    _ => {
                        let e = self.alnum_underscore_run(p + 1);
                        self.emit(p, e, TokenKind::Mention)
                    }
                }
            }
            b'@' | b'#' => {
                let e = self.alnum_underscore_run(p + 1);
                let first = self.byte(p + 1);
                let ok = e > p + 1
                    && (c == b'@' || first.is_ascii_alphabetic() || first == b'_' || first >= 0x80);
                if ok {
                    let kind = if c == b'@' {
                        TokenKind::Mention
                    } else {
                        TokenKind::Hashtag
                    };
                    self.emit(p, e, kind)
                } else if c == b'#' {
                    self.same_run(p)
                } else {
                    self.emit(p, p + 1, TokenKind::Symbol)
                }
            }
            b':' | b';' | b'=' | b'<' | b'^' | b'(' | b')' if self.at_chunk_start(p) => {
                match self.emoticon(p) {
                    Some(e) => self.emit(p, e, TokenKind::Symbol),
                    None if merges_in_runs(c) => self.same_run(p),
                    None => self.emit(p, p + 1, ascii_kind(c)),
                }
            }
            _ if merges_in_runs(c) => self.same_run(p),
            _ => self.emit(p, p + 1, ascii_kind(c)),
        }
    }

    /// A run of `.`, `!`, `?` and `…` is one token: `...`, `?!`, `!!!`.
    fn terminal_run(&mut self, p: usize) -> usize {
        let b = self.b;
        let mut e = p;
        while e < self.end {
            match b[e] {
                b'.' | b'!' | b'?' => e += 1,
                0xE2 if b[e..].starts_with(ELLIPSIS) => e += 3,
                _ => break,
            }
        }
        self.emit(p, e, TokenKind::Punct)
    }

    /// A run of one repeated ASCII character.
    fn same_run(&mut self, p: usize) -> usize {
        let c = self.b[p];
        let mut e = p + 1;
        while e < self.end && self.b[e] == c {
            e += 1;
        }
        self.emit(p, e, ascii_kind(c))
    }

    fn alnum_underscore_run(&self, mut i: usize) -> usize {
        loop {
            let e = self.alnum_run(i);
            if self.byte(e) == b'_' {
                i = e + 1;
            } else {
                return e;
            }
        }
    }

    /// An emoticon at the chunk start, not followed by a letter or digit.
    fn emoticon(&self, p: usize) -> Option<usize> {
        let len = self.lex.emoticon(&self.b[p..])?;
        (!is_alnum(self.byte(p + len))).then_some(p + len)
    }

    /// An apostrophe that does not follow a letter: a clitic after other
    /// text (`#'s`), a year (`'72`, `'60s`), a doubled quote (`''`) or a
    /// single quote.
    fn apostrophe_start(&mut self, p: usize, alen: usize) -> usize {
        let b = self.b;
        let s = p + alen;
        if alen == 1 && self.byte(s) == b'\'' {
            return self.emit(p, s + 1, TokenKind::Punct);
        }
        if let Some(e) = self.curly_pair(p, s) {
            return self.emit(p, e, TokenKind::Punct);
        }
        let e = self.alnum_run(s);
        if e > s {
            let after = &b[s..e];
            let digits = after.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 2 && (after.len() == 2 || &after[2..] == b"s") {
                return self.emit(p, e, TokenKind::Number);
            }
            if !self.at_chunk_start(p) && is_clitic(after) {
                return self.emit(p, e, TokenKind::Word);
            }
        }
        self.emit(p, s, TokenKind::Punct)
    }

    // ------------------------------------------------------------ non-ASCII

    fn non_ascii(&mut self, p: usize, c: char) -> usize {
        let len = c.len_utf8();
        if is_word_char(c) && !is_extender(c) {
            return self.word(p);
        }
        if is_cjk(c) {
            return self.emit(p, p + len, TokenKind::Word);
        }
        match c {
            '\u{2019}' => self.apostrophe_start(p, len),
            '\u{2018}' => {
                let e = self.curly_pair(p, p + len).unwrap_or(p + len);
                self.emit(p, e, TokenKind::Punct)
            }
            '\u{2026}' => self.terminal_run(p),
            // Dashes: a run of the same one is one token.
            '\u{2010}'..='\u{2015}' | '\u{2E3A}' | '\u{2E3B}' => {
                let mut e = p + len;
                while self.b[e..self.end].starts_with(&self.b[p..p + len]) {
                    e += len;
                }
                self.emit(p, e, TokenKind::Punct)
            }
            _ if is_regional_indicator(c) => {
                let mut e = p + len;
                if e < self.end && is_regional_indicator(self.char_at(e)) {
                    e += 4;
                }
                self.emit(p, e, TokenKind::Symbol)
            }
            _ if is_emoji(c) => {
                let e = self.emoji_sequence(p + len);
                self.emit(p, e, TokenKind::Symbol)
            }
            _ => {
                let kind = if is_punctuation(c) {
                    TokenKind::Punct
                } else {
                    TokenKind::Symbol
                };
                self.emit(p, p + len, kind)
            }
        }
    }

    /// A curly single quote at `p` (ending at `s`) doubled into one
    /// quotation mark (`’’`, `‘’`), as UD English EWT writes it: its end.
    fn curly_pair(&self, p: usize, s: usize) -> Option<usize> {
        let b = self.b;
        let curly = |i: usize| {
            i + 3 <= self.end && b[i] == 0xE2 && b[i + 1] == 0x80 && matches!(b[i + 2], 0x98 | 0x99)
        };
        (s - p == 3 && curly(s)).then_some(s + 3)
    }

    /// After an emoji: modifiers, selectors and `ZWJ emoji` links.
    fn emoji_sequence(&self, mut e: usize) -> usize {
        loop {
            e = self.extend(e);
            // `extend` took a trailing ZWJ; the pictograph it links to joins.
            if e >= 3 && self.b[..e].ends_with("\u{200D}".as_bytes()) && e < self.end {
                let c = self.char_at(e);
                if is_emoji(c) {
                    e += c.len_utf8();
                    continue;
                }
            }
            return e;
        }
    }
}

/// A trailing byte that would make an address continue past where we cut.
#[inline]
fn continues_address(b: u8) -> bool {
    matches!(b, b'@' | b'_' | b'%' | b'+')
}

/// The clitics UD English splits off after an apostrophe.
#[inline]
fn is_clitic(s: &[u8]) -> bool {
    if s.len() > 2 {
        return false;
    }
    let mut buf = [0u8; 2];
    buf[..s.len()].copy_from_slice(s);
    buf.make_ascii_lowercase();
    matches!(&buf[..s.len()], b"s" | b"m" | b"d" | b"ll" | b"re" | b"ve")
}

enum Apostrophe {
    /// The apostrophe and the letters after it belong to the word.
    Join(usize),
    /// The word ends before the apostrophe.
    Split,
    /// Tokens were emitted up to this position.
    Done(usize),
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The tokens of `text` from the fast loop with the rules behind it, and
    /// from the rules' own dispatch alone.
    fn both(text: &str, split_hyphens: bool) -> (Vec<Token>, Vec<Token>) {
        let fast = Scanner::new(text, Vec::new(), split_hyphens).run();
        let mut rules = Scanner::new(text, Vec::new(), split_hyphens);
        rules.scan::<false>();
        (fast, rules.out)
    }

    /// What the fast loop looks at: words, digits and their separators,
    /// periods, apostrophes, the punctuation it settles and the neighbours
    /// that make it leave a case to the rules, with spaces of every kind.
    const PIECES: &[&str] = &[
        "word",
        "Mr",
        "etc",
        "cannot",
        "gonna",
        "I",
        "x",
        "U",
        "S",
        "Ab3",
        "1",
        "42",
        "1996",
        "2,5",
        ".",
        ",",
        ";",
        ":",
        "'",
        "'s",
        "'S",
        "’",
        "-",
        "--",
        "(",
        ")",
        "[",
        "\"",
        "$",
        "/",
        "*",
        "_",
        "|",
        "~",
        ">",
        "<",
        "=",
        "+",
        "#",
        "@",
        "&",
        "%",
        "!",
        "?",
        ":)",
        "(:",
        "):",
        " ",
        " ",
        " ",
        "\n",
        "\t",
        "\r\n",
        "\u{a0}",
        "\u{301}",
        "é",
        "北",
        "👍",
        "\0",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789ab",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn fast_loop_agrees_with_rules(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..120),
            split_hyphens: bool,
        ) {
            let text = pieces.concat();
            let (fast, rules) = both(&text, split_hyphens);
            prop_assert_eq!(fast, rules, "{:?}", text);
        }

        #[test]
        fn fast_loop_agrees_on_any_string(text in any::<String>()) {
            let (fast, rules) = both(&text, true);
            prop_assert_eq!(fast, rules, "{:?}", text);
        }
    }

    /// Every fixture, and each of its suffixes that start in the first
    /// window, so that tokens meet the window's end at every offset.
    #[test]
    fn fast_loop_agrees_on_fixtures() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for (start, _) in text.char_indices().take(2 * WINDOW) {
                let (fast, rules) = both(&text[start..], true);
                assert_eq!(fast, rules, "fixture from byte {start}");
            }
        }
    }

    #[test]
    fn local_bytes() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b".+-%_".contains(&b);
            assert_eq!(is_local_byte(b), expected, "{b:#x}");
        }
    }

    type Classifier = fn(&[u8; WINDOW]) -> Masks;

    /// The classifiers this CPU can run, by name.
    fn classifiers() -> Vec<(&'static str, Classifier)> {
        #[allow(unused_mut)]
        let mut all: Vec<(&'static str, Classifier)> = vec![("dispatch", classify)];
        #[cfg(target_arch = "x86_64")]
        {
            all.push(("sse2", classify_sse2));
            if std::arch::is_x86_feature_detected!("avx2") {
                #[allow(unsafe_code)]
                fn avx2(w: &[u8; WINDOW]) -> Masks {
                    // SAFETY: only pushed when the CPU has AVX2.
                    let (letter, alnum, space) = unsafe { classify_avx2(w) };
                    Masks::new(letter, alnum, space)
                }
                all.push(("avx2", avx2));
            }
        }
        all
    }

    /// The vector classifiers agree with the portable one on every byte
    /// value at every position, and on mixed windows.
    #[test]
    fn classify_matches_scalar() {
        for (name, classify) in classifiers() {
            check_classifier(name, classify);
        }
    }

    fn check_classifier(name: &str, classify: Classifier) {
        for c in 0..=255u8 {
            for i in 0..WINDOW {
                let mut w = [b'a'; WINDOW];
                w[i] = c;
                assert_eq!(
                    classify(&w),
                    classify_scalar(&w),
                    "{name}: byte {c:#x} at {i}"
                );
            }
        }
        // A fixed xorshift sequence: windows mixing every kind of byte.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..10_000 {
            let mut w = [0u8; WINDOW];
            for b in &mut w {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            assert_eq!(classify(&w), classify_scalar(&w), "{name}");
        }
    }
}
