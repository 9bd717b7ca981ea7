//! The byte scanner: whitespace-separated chunks, then a left-to-right walk
//! through each chunk that emits one token per step.
//!
//! Every step starts at a token boundary, looks ahead a bounded distance (or
//! consumes what it looked at), and returns a position strictly after where
//! it started, so the scan is linear in the input. The one longer look-ahead,
//! for e-mail addresses and bare domains, remembers how far it looked when it
//! fails and is not repeated inside that stretch.

use dateline_core::{Span, Token, TokenKind};

use crate::chars::{
    first_char, is_cjk, is_emoji, is_extender, is_punctuation, is_regional_indicator, is_word_char,
};
use crate::lexicon::{Lexicon, LEXICON};

/// The UTF-8 bytes of the right single quotation mark, the curly apostrophe.
const RSQUO: &[u8] = "\u{2019}".as_bytes();
/// The UTF-8 bytes of the horizontal ellipsis.
const ELLIPSIS: &[u8] = "\u{2026}".as_bytes();

pub(crate) struct Scanner<'t, 'o> {
    text: &'t str,
    b: &'t [u8],
    out: &'o mut Vec<Token>,
    lex: &'static Lexicon,
    split_hyphens: bool,
    /// End of the current whitespace-free chunk.
    end: usize,
    /// Start of the current chunk.
    chunk_start: usize,
    /// Positions before this one already failed the e-mail/domain check.
    special_until: usize,
}

#[inline]
fn is_ascii_space(b: u8) -> bool {
    // char::is_whitespace on ASCII: tab, LF, VT, FF, CR and space.
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Lead bytes of the non-ASCII whitespace characters (U+0085, U+00A0,
/// U+1680, U+2000..U+205F, U+3000): only these need decoding to decide.
#[inline]
fn may_start_space(b: u8) -> bool {
    matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3)
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
    is_alnum(b) || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// ASCII punctuation whose runs of one repeated character form one token
/// (`--`, `**`, `==`, `<<`). Brackets, quotes and separators are not here:
/// `((` is two tokens.
#[inline]
fn merges_in_runs(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'*' | b'=' | b'+' | b'<' | b'>' | b'~' | b'_' | b'#' | b'^' | b'|' | b'/'
    )
}

#[inline]
fn ascii_kind(b: u8) -> TokenKind {
    match b {
        b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'"' | b'`' | b'(' | b')' | b'['
        | b']' | b'{' | b'}' | b'-' | b'/' | b'\\' => TokenKind::Punct,
        _ => TokenKind::Symbol,
    }
}

impl<'t, 'o> Scanner<'t, 'o> {
    pub(crate) fn new(text: &'t str, out: &'o mut Vec<Token>, split_hyphens: bool) -> Self {
        Scanner {
            text,
            b: text.as_bytes(),
            out,
            lex: &LEXICON,
            split_hyphens,
            end: 0,
            chunk_start: 0,
            special_until: 0,
        }
    }

    pub(crate) fn run(&mut self) {
        let n = self.b.len();
        let mut i = 0;
        while i < n {
            let c = self.b[i];
            if c < 0x80 {
                if is_ascii_space(c) {
                    i += 1;
                    continue;
                }
            } else if may_start_space(c) {
                let ch = self.char_at(i);
                if ch.is_whitespace() {
                    i += ch.len_utf8();
                    continue;
                }
            }
            let end = self.chunk_end(i);
            self.chunk(i, end);
            i = end;
        }
    }

    #[inline]
    fn char_at(&self, i: usize) -> char {
        first_char(&self.text[i..])
    }

    /// The end of the whitespace-free run starting at `i`.
    #[inline]
    fn chunk_end(&self, mut i: usize) -> usize {
        let b = self.b;
        while i < b.len() {
            let c = b[i];
            if c < 0x80 {
                if is_ascii_space(c) {
                    break;
                }
            } else if may_start_space(c) && self.char_at(i).is_whitespace() {
                break;
            }
            i += 1;
        }
        i
    }

    /// Pushes a token, extending it over any combining marks and joiners that
    /// follow, and returns where it ends.
    #[inline]
    fn emit(&mut self, start: usize, mut end: usize, kind: TokenKind) -> usize {
        end = self.extend(end);
        self.out
            .push(Token::new(Span::from_usize(start, end), kind));
        end
    }

    /// Skips combining marks, joiners and selectors at `i`.
    #[inline]
    fn extend(&self, mut i: usize) -> usize {
        while i < self.end && self.b[i] >= 0x80 {
            let c = self.char_at(i);
            if !is_extender(c) {
                break;
            }
            i += c.len_utf8();
        }
        i
    }

    fn chunk(&mut self, start: usize, end: usize) {
        self.end = end;
        self.chunk_start = start;
        self.special_until = start;
        let mut p = start;
        while p < end {
            let c = self.b[p];
            let next = if is_alnum(c) {
                self.word_start(p)
            } else if c < 0x80 {
                self.ascii_other(p)
            } else {
                self.non_ascii(p)
            };
            debug_assert!(next > p, "scanner made no progress at {p}");
            p = next;
        }
    }

    // ---------------------------------------------------------------- words

    /// Letters or digits: a URL, e-mail address or domain, else a word or
    /// number.
    fn word_start(&mut self, p: usize) -> usize {
        if let Some(next) = self.special(p) {
            return next;
        }
        self.word(p)
    }

    /// The end of a run of letters, digits and marks starting at `i`.
    #[inline]
    fn alnum_run(&self, mut i: usize) -> usize {
        let b = self.b;
        while i < self.end {
            let c = b[i];
            if c < 0x80 {
                if !is_alnum(c) {
                    break;
                }
                i += 1;
            } else {
                let ch = self.char_at(i);
                if !is_word_char(ch) {
                    break;
                }
                i += ch.len_utf8();
            }
        }
        i
    }

    /// Whether the bytes at `i` are an apostrophe, and how long it is.
    #[inline]
    fn apostrophe_at(&self, i: usize) -> usize {
        match self.b.get(i) {
            Some(b'\'') => 1,
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
                b'\'' | 0xE2 => {
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
                        || (simple && self.lex.hyphen_prefixes.contains_folded(&b[p..q]));
                    if !joins {
                        break;
                    }
                    q = self.alnum_run(q + 1);
                    simple = false;
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
                for &len in parts {
                    let e = s + usize::from(len);
                    self.out
                        .push(Token::new(Span::from_usize(s, e), TokenKind::Word));
                    s = e;
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
                return end;
            }
        }
    }

    /// Whether a single letter run `[p, q)` keeps the period at `q`.
    fn keeps_period(&self, p: usize, q: usize) -> bool {
        let word = &self.b[p..q];
        // `etc...` is the word and an ellipsis.
        if self.byte(q + 1) == b'.' {
            return false;
        }
        // A period followed by a letter or digit is not an abbreviation's
        // (`end.The`); domains were caught earlier.
        let after = self.byte(q + 1);
        if is_alnum(after) {
            return false;
        }
        if word.len() == 1 && word[0].is_ascii_alphabetic() {
            return true;
        }
        if self.lex.abbreviations.contains(word) {
            return true;
        }
        self.lex.abbreviations_before_number.contains(word) && self.number_follows(q + 1)
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
        let b = self.b;
        let mut q = run;
        loop {
            let sep = self.byte(q);
            let next = self.byte(q + 1);
            if !next.is_ascii_digit() {
                break;
            }
            match sep {
                b',' => {
                    // Thousands: exactly three digits after the comma.
                    let e = self.digit_run(q + 1);
                    if e - (q + 1) != 3 {
                        break;
                    }
                    q = e;
                }
                b'.' | b':' | b'/' => q = self.digit_run(q + 1),
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
                return self.emit(p, e, TokenKind::Word);
            }
        }
        // `1990's`, `60's`.
        let alen = self.apostrophe_at(q);
        if alen > 0 && q == run {
            let e = self.alnum_run(q + alen);
            if matches!(&b[q + alen..e], b"s" | b"S") {
                return self.emit(p, e, TokenKind::Number);
            }
        }
        self.emit(p, q, TokenKind::Number)
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
        while s > self.chunk_start && b[s - 1].is_ascii_digit() {
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
        let joins = groups >= 3 || (first == 3 && second == 4);
        // A group glued to letters (`3-1st`) is not a date or phone number.
        (joins && !self.byte(e).is_ascii_alphabetic()).then_some(e)
    }

    // ------------------------------------------------- URLs, e-mail, domains

    /// A URL, e-mail address or bare domain starting at `p`, emitted.
    fn special(&mut self, p: usize) -> Option<usize> {
        if p < self.special_until {
            return None;
        }
        let b = self.b;
        // A scheme: letters then `://`, or `mailto:`, or `www.`.
        let mut s = p;
        while s < self.end && s - p <= 10 && b[s].is_ascii_alphabetic() {
            s += 1;
        }
        let rest = &b[s..self.end];
        if s > p && rest.starts_with(b"://") && rest.len() > 3 && is_url_byte(rest[3]) {
            return Some(self.url(p, s + 3));
        }
        if s - p == 6 && b[p..s].eq_ignore_ascii_case(b"mailto") && rest.starts_with(b":") {
            return Some(self.url(p, s + 1));
        }
        if s - p == 3 && b[p..s].eq_ignore_ascii_case(b"www") && rest.starts_with(b".") {
            return Some(self.url(p, s + 1));
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
            if let Some(host_end) = self.host(p, q) {
                let next = self.byte(host_end);
                let e =
                    if next == b'/' || (next == b':' && self.byte(host_end + 1).is_ascii_digit()) {
                        self.url(p, host_end)
                    } else {
                        self.emit(p, host_end, TokenKind::Url)
                    };
                return Some(e);
            }
        }
        self.special_until = q;
        None
    }

    /// If `[p, q)` starts with a host name `name.tld` (labels of letters,
    /// digits and hyphens, a known top-level domain last), its end.
    fn host(&self, p: usize, q: usize) -> Option<usize> {
        let b = self.b;
        let mut labels = 0;
        let mut i = p;
        let mut best = None;
        while i < q {
            let s = i;
            while i < q && (is_alnum(b[i]) || b[i] == b'-') {
                i += 1;
            }
            if i == s {
                break;
            }
            labels += 1;
            if labels >= 2 && self.lex.tlds.contains_folded(&b[s..i]) && !is_alnum(self.byte(i)) {
                best = Some(i);
            }
            if i < q && b[i] == b'.' {
                i += 1;
            } else {
                break;
            }
        }
        // The first label must look like a name, not an initial (`U.S.`).
        let first_len = b[p..].iter().take_while(|&&c| c != b'.').count();
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
                if matches!(c, '\u{2018}'..='\u{201F}' | '\u{00AB}' | '\u{00BB}') {
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
            b':' | b';' | b'=' | b'<' | b'^' | b'(' | b')' if p == self.chunk_start => {
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
        let rest = &self.b[p..self.end];
        self.lex
            .emoticons
            .iter()
            .find(|e| rest.starts_with(e) && !is_alnum(self.byte(p + e.len())))
            .map(|e| p + e.len())
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
        let e = self.alnum_run(s);
        if e > s {
            let after = &b[s..e];
            let digits = after.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 2 && (after.len() == 2 || &after[2..] == b"s") {
                return self.emit(p, e, TokenKind::Number);
            }
            if p > self.chunk_start && is_clitic(after) {
                return self.emit(p, e, TokenKind::Word);
            }
        }
        self.emit(p, s, TokenKind::Punct)
    }

    // ------------------------------------------------------------ non-ASCII

    fn non_ascii(&mut self, p: usize) -> usize {
        let c = self.char_at(p);
        let len = c.len_utf8();
        if is_word_char(c) && !is_extender(c) {
            if let Some(next) = self.special(p) {
                return next;
            }
            return self.word(p);
        }
        if is_cjk(c) {
            return self.emit(p, p + len, TokenKind::Word);
        }
        match c {
            '\u{2019}' => self.apostrophe_start(p, len),
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
