//! Whitespace-delimited chunks and what they look like.
//!
//! The segmenter reasons about the text between two whitespace runs ("U.S.",
//! `"final."`, `anonymity.)`) rather than about tokens, so its decisions do
//! not depend on how a tokenizer splits punctuation: a chunk is the same
//! string whether `U.S.` came as one token or three.

use crate::knowledge::{role, Knowledge};

/// What ends the text of a chunk once closing quotes and brackets are set
/// aside: the kind of boundary candidate a gap after it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Period,
    Ellipsis,
    Exclaim,
    Question,
    Colon,
    Semicolon,
    Comma,
    Dash,
    None,
}

impl Kind {
    /// Every kind, in the order of their discriminants.
    pub const ALL: [Kind; 9] = [
        Kind::Period,
        Kind::Ellipsis,
        Kind::Exclaim,
        Kind::Question,
        Kind::Colon,
        Kind::Semicolon,
        Kind::Comma,
        Kind::Dash,
        Kind::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Period => "period",
            Kind::Ellipsis => "ellipsis",
            Kind::Exclaim => "exclaim",
            Kind::Question => "question",
            Kind::Colon => "colon",
            Kind::Semicolon => "semicolon",
            Kind::Comma => "comma",
            Kind::Dash => "dash",
            Kind::None => "none",
        }
    }

    /// Kinds after which a sentence normally ends.
    pub fn is_stop(self) -> bool {
        matches!(
            self,
            Kind::Period | Kind::Ellipsis | Kind::Exclaim | Kind::Question
        )
    }
}

/// A chunk split from the right: `word`, then `terminal` (a run of sentence
/// punctuation, or one `,` `:` `;` or dash), then `closers`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Left<'t> {
    /// Opening quotes and brackets before the word: `(U.S.)` is the word
    /// `U.S` opened by `(`.
    pub openers: &'t str,
    pub word: &'t str,
    pub terminal: &'t str,
    pub closers: &'t str,
    pub kind: Kind,
}

pub(crate) fn split_left<'t>(chunk: &'t str, k: &Knowledge) -> Left<'t> {
    split_left_ascii(chunk, k).unwrap_or_else(|| split_left_chars(chunk, k))
}

/// [`split_left`] character by character, for any chunk.
fn split_left_chars<'t>(chunk: &'t str, k: &Knowledge) -> Left<'t> {
    let core = chunk.trim_end_matches(|c| k.has_role(c, role::CLOSER));
    let closers = &chunk[core.len()..];
    let word = core.trim_end_matches(|c| k.has_role(c, role::TERMINAL));
    let terminal = &core[word.len()..];
    let kind = if terminal.is_empty() {
        match word.chars().next_back() {
            Some(',') => Kind::Comma,
            Some(':') => Kind::Colon,
            Some(';') => Kind::Semicolon,
            Some(c) if k.has_role(c, role::DASH) => Kind::Dash,
            _ => Kind::None,
        }
    } else {
        let (mut question, mut exclaim, mut ellipsis, mut n) = (false, false, false, 0);
        for c in terminal.chars() {
            n += 1;
            match c {
                '?' | '⁇' | '⁈' => question = true,
                '!' | '‼' | '⁉' => exclaim = true,
                '…' => ellipsis = true,
                _ => {}
            }
        }
        if question {
            Kind::Question
        } else if exclaim {
            Kind::Exclaim
        } else if ellipsis || n >= 3 {
            Kind::Ellipsis
        } else {
            Kind::Period
        }
    };
    let (word, terminal) = match kind {
        Kind::Comma | Kind::Colon | Kind::Semicolon => {
            (&word[..word.len() - 1], &word[word.len() - 1..])
        }
        _ => (word, terminal),
    };
    let bare = word.trim_start_matches(|c| k.has_role(c, role::OPENER));
    Left {
        openers: &word[..word.len() - bare.len()],
        word: bare,
        terminal,
        closers,
        kind,
    }
}

/// [`split_left`] by bytes, for the usual chunk whose punctuation is all
/// ASCII; `None` when a character outside ASCII could play a role.
#[inline]
fn split_left_ascii<'t>(chunk: &'t str, k: &Knowledge) -> Option<Left<'t>> {
    let b = chunk.as_bytes();
    let has = |c: u8, flag: u8| k.ascii_roles(c) & flag != 0;
    let mut core = b.len();
    while let Some(&c) = b[..core].last() {
        if c >= 0x80 {
            return None;
        }
        if !has(c, role::CLOSER) {
            break;
        }
        core -= 1;
    }
    let mut word_end = core;
    while let Some(&c) = b[..word_end].last() {
        if c >= 0x80 {
            return None;
        }
        if !has(c, role::TERMINAL) {
            break;
        }
        word_end -= 1;
    }
    let terminal = &b[word_end..core];
    let kind = if terminal.is_empty() {
        match b[..word_end].last() {
            Some(b',') => Kind::Comma,
            Some(b':') => Kind::Colon,
            Some(b';') => Kind::Semicolon,
            Some(&c) if c >= 0x80 => return None,
            Some(&c) if has(c, role::DASH) => Kind::Dash,
            _ => Kind::None,
        }
    } else if terminal.contains(&b'?') {
        Kind::Question
    } else if terminal.contains(&b'!') {
        Kind::Exclaim
    } else if terminal.len() >= 3 {
        Kind::Ellipsis
    } else {
        Kind::Period
    };
    let (word_end, terminal_end) = match kind {
        Kind::Comma | Kind::Colon | Kind::Semicolon => (word_end - 1, word_end),
        _ => (word_end, core),
    };
    let mut start = 0;
    while start < word_end {
        let c = b[start];
        if c >= 0x80 {
            return None;
        }
        if !has(c, role::OPENER) {
            break;
        }
        start += 1;
    }
    Some(Left {
        openers: &chunk[..start],
        word: &chunk[start..word_end],
        terminal: &chunk[word_end..terminal_end],
        closers: &chunk[core..],
        kind,
    })
}

/// The case of the first letter or digit of the chunk after a gap, once
/// opening quotes and brackets are skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    Upper,
    Lower,
    Digit,
    Other,
}

impl Case {
    pub fn of(c: Option<char>) -> Case {
        match c {
            Some(c) if c.is_ascii_digit() => Case::Digit,
            Some(c) if c.is_uppercase() => Case::Upper,
            Some(c) if c.is_lowercase() => Case::Lower,
            _ => Case::Other,
        }
    }
}

/// The chunk after a gap: `openers`, then `word` (trailing punctuation
/// trimmed).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Right<'t> {
    pub openers: &'t str,
    pub word: &'t str,
    pub case: Case,
}

pub(crate) fn split_right<'t>(chunk: &'t str, k: &Knowledge) -> Right<'t> {
    split_right_ascii(chunk, k).unwrap_or_else(|| split_right_chars(chunk, k))
}

/// [`split_right`] character by character, for any chunk.
fn split_right_chars<'t>(chunk: &'t str, k: &Knowledge) -> Right<'t> {
    let rest = chunk.trim_start_matches(|c| k.has_role(c, role::OPENER));
    let openers = &chunk[..chunk.len() - rest.len()];
    let word = rest.trim_end_matches(|c: char| !c.is_alphanumeric());
    Right {
        openers,
        word,
        case: Case::of(rest.chars().next()),
    }
}

/// [`split_right`] by bytes, for a chunk whose openers, first character
/// and trailing punctuation are ASCII; `None` otherwise.
#[inline]
fn split_right_ascii<'t>(chunk: &'t str, k: &Knowledge) -> Option<Right<'t>> {
    let b = chunk.as_bytes();
    let mut start = 0;
    while let Some(&c) = b.get(start) {
        if c >= 0x80 {
            return None;
        }
        if k.ascii_roles(c) & role::OPENER == 0 {
            break;
        }
        start += 1;
    }
    let mut end = b.len();
    while end > start {
        let c = b[end - 1];
        if c >= 0x80 {
            return None;
        }
        if c.is_ascii_alphanumeric() {
            break;
        }
        end -= 1;
    }
    let case = match b.get(start) {
        None => Case::Other,
        Some(c) if c.is_ascii_digit() => Case::Digit,
        Some(c) if c.is_ascii_uppercase() => Case::Upper,
        Some(c) if c.is_ascii_lowercase() => Case::Lower,
        Some(_) => Case::Other,
    };
    Some(Right {
        openers: &chunk[..start],
        word: &chunk[start..end],
        case,
    })
}

/// A coarse shape of a word, the main feature of the boundary model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Empty,
    Lower,
    Cap,
    Caps,
    /// One capital letter: an initial or "I".
    Letter,
    Mixed,
    Number,
    Date,
    Time,
    Alnum,
    Url,
    Email,
    Handle,
    Other,
}

impl Shape {
    /// Every shape, in the order of their discriminants.
    pub const ALL: [Shape; 14] = [
        Shape::Empty,
        Shape::Lower,
        Shape::Cap,
        Shape::Caps,
        Shape::Letter,
        Shape::Mixed,
        Shape::Number,
        Shape::Date,
        Shape::Time,
        Shape::Alnum,
        Shape::Url,
        Shape::Email,
        Shape::Handle,
        Shape::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Empty => "empty",
            Shape::Lower => "lower",
            Shape::Cap => "cap",
            Shape::Caps => "caps",
            Shape::Letter => "letter",
            Shape::Mixed => "mixed",
            Shape::Number => "number",
            Shape::Date => "date",
            Shape::Time => "time",
            Shape::Alnum => "alnum",
            Shape::Url => "url",
            Shape::Email => "email",
            Shape::Handle => "handle",
            Shape::Other => "other",
        }
    }

    /// Words made of letters only (with inner `-`, `'`, `.`, `&`).
    pub fn is_alpha(self) -> bool {
        matches!(
            self,
            Shape::Lower | Shape::Cap | Shape::Caps | Shape::Letter | Shape::Mixed
        )
    }

    pub fn of(w: &str) -> Shape {
        let b = w.as_bytes();
        if b.is_empty() {
            return Shape::Empty;
        }
        if b[0] == b'@' || b[0] == b'#' {
            return Shape::Handle;
        }
        let mut counts = Counts::default();
        let mut first_upper = false;
        let mut at = None;
        // Bytes first: most words are ASCII.
        let mut ascii = true;
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'0'..=b'9' => counts.dig += 1,
                b'A'..=b'Z' => {
                    counts.up += 1;
                    first_upper |= i == 0;
                }
                b'a'..=b'z' => counts.low += 1,
                b':' => counts.colon += 1,
                b'/' => counts.slash += 1,
                b'-' => counts.dash += 1,
                b'.' | b',' | b'\'' | b'&' => {}
                b'@' => {
                    at.get_or_insert(i);
                    counts.other += 1;
                }
                0x80.. => {
                    ascii = false;
                    break;
                }
                _ => counts.other += 1,
            }
        }
        if counts.colon > 0 && counts.slash >= 2 && b.windows(3).any(|w| w == b"://")
            || b.starts_with(b"www.")
        {
            return Shape::Url;
        }
        if let Some(at) = at {
            if at > 0 && b[at..].contains(&b'.') {
                return Shape::Email;
            }
        }
        if !ascii {
            return Shape::of_unicode(w);
        }
        counts.classify(first_upper)
    }

    fn of_unicode(w: &str) -> Shape {
        if w.contains('@')
            && w.find('@')
                .is_some_and(|at| at > 0 && w[at..].contains('.'))
        {
            return Shape::Email;
        }
        let mut counts = Counts::default();
        let mut first_upper = false;
        let Counts {
            up,
            low,
            dig,
            other,
            colon,
            slash,
            dash,
        } = &mut counts;
        for (i, c) in w.chars().enumerate() {
            if c.is_ascii_digit() {
                *dig += 1;
            } else if c.is_uppercase() {
                *up += 1;
                first_upper |= i == 0;
            } else if c.is_lowercase() {
                *low += 1;
            } else {
                match c {
                    ':' => *colon += 1,
                    '/' => *slash += 1,
                    '-' => *dash += 1,
                    '.' | ',' | '\'' | '’' | '&' => {}
                    _ => *other += 1,
                }
            }
        }
        counts.classify(first_upper)
    }
}

/// Character classes counted over a word.
#[derive(Default)]
struct Counts {
    up: u32,
    low: u32,
    dig: u32,
    other: u32,
    colon: u32,
    slash: u32,
    dash: u32,
}

impl Counts {
    fn classify(&self, first_upper: bool) -> Shape {
        let Counts {
            up,
            low,
            dig,
            other,
            colon,
            slash,
            dash,
        } = *self;
        let letters = up + low;
        if letters == 0 && dig > 0 && other <= 1 {
            if colon > 0 {
                Shape::Time
            } else if slash >= 2 || (dash >= 2 && dig >= 6) {
                Shape::Date
            } else {
                Shape::Number
            }
        } else if letters > 0 && dig == 0 && other == 0 && colon == 0 && slash == 0 {
            if low == 0 {
                if up == 1 {
                    Shape::Letter
                } else {
                    Shape::Caps
                }
            } else if up == 0 {
                Shape::Lower
            } else if first_upper && up == 1 {
                Shape::Cap
            } else {
                Shape::Mixed
            }
        } else if letters > 0 && dig > 0 && other == 0 {
            Shape::Alnum
        } else {
            Shape::Other
        }
    }
}

/// Dotted acronyms and initials: `U.S`, `J.K`, `E`, `a.m` (the final period
/// already removed): single letters separated by single periods.
pub(crate) fn is_dotted_letters(word: &str) -> bool {
    let mut expect_letter = true;
    let mut letters = 0;
    for c in word.chars() {
        if expect_letter {
            if !c.is_alphabetic() {
                return false;
            }
            letters += 1;
        } else if c != '.' {
            return false;
        }
        expect_letter = !expect_letter;
    }
    letters > 0 && !expect_letter
}

/// A list marker: `1.` `2)` `3.)` `a.` `b)`, after any bullet characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub style: MarkerStyle,
    pub value: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MarkerStyle {
    Digit,
    Lower,
    Upper,
}

pub(crate) fn marker(chunk: &str, k: &Knowledge) -> Option<Marker> {
    let rest = chunk.trim_start_matches(|c| k.has_role(c, role::BULLET));
    let body = rest
        .strip_suffix(".)")
        .or_else(|| rest.strip_suffix(')'))
        .or_else(|| rest.strip_suffix('.'))?;
    let b = body.as_bytes();
    match b {
        [c] if c.is_ascii_lowercase() => Some(Marker {
            style: MarkerStyle::Lower,
            value: u32::from(c - b'a') + 1,
        }),
        [c] if c.is_ascii_uppercase() => Some(Marker {
            style: MarkerStyle::Upper,
            value: u32::from(c - b'A') + 1,
        }),
        _ if !b.is_empty() && b.len() <= 3 && b.iter().all(u8::is_ascii_digit) => Some(Marker {
            style: MarkerStyle::Digit,
            value: body.parse().ok()?,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::KNOWLEDGE;

    #[test]
    fn splits_the_end_of_a_chunk() {
        let k = &*KNOWLEDGE;
        let l = split_left("final.\"", k);
        assert_eq!(
            (l.word, l.terminal, l.closers, l.kind),
            ("final", ".", "\"", Kind::Period)
        );
        let l = split_left("anonymity.)", k);
        assert_eq!((l.word, l.closers), ("anonymity", ")"));
        let l = split_left("Hello?!", k);
        assert_eq!((l.word, l.kind), ("Hello", Kind::Question));
        let l = split_left("that....", k);
        assert_eq!(
            (l.word, l.terminal, l.kind),
            ("that", "....", Kind::Ellipsis)
        );
        let l = split_left("Thanks,", k);
        assert_eq!((l.word, l.kind), ("Thanks", Kind::Comma));
        let l = split_left("U.S.", k);
        assert_eq!((l.word, l.kind), ("U.S", Kind::Period));
    }

    proptest::proptest! {
        #[test]
        fn byte_splits_agree_with_char_splits(
            chunk in r#"([a-zA-Z0-9]{0,3}|[.,:;!?'"()\[\]{}\-@/*…’“”«»—–•]){0,6}"#
        ) {
            let k = &*KNOWLEDGE;
            let fmt_left = |l: Left<'_>| format!("{:?}", (l.openers, l.word, l.terminal, l.closers, l.kind));
            if let Some(l) = split_left_ascii(&chunk, k) {
                proptest::prop_assert_eq!(fmt_left(l), fmt_left(split_left_chars(&chunk, k)));
            }
            let fmt_right = |r: Right<'_>| format!("{:?}", (r.openers, r.word, r.case));
            if let Some(r) = split_right_ascii(&chunk, k) {
                proptest::prop_assert_eq!(fmt_right(r), fmt_right(split_right_chars(&chunk, k)));
            }
        }
    }

    #[test]
    fn shapes() {
        for (w, s) in [
            ("the", Shape::Lower),
            ("Beijing", Shape::Cap),
            ("CPC", Shape::Caps),
            ("I", Shape::Letter),
            ("iPhone", Shape::Mixed),
            ("1,200.50", Shape::Number),
            ("04/26/2001", Shape::Date),
            ("2025-05-14", Shape::Date),
            ("09:07", Shape::Time),
            ("https://x.org/a", Shape::Url),
            ("press@example.org", Shape::Email),
            ("@dateline", Shape::Handle),
            ("Zürich", Shape::Cap),
            ("", Shape::Empty),
        ] {
            assert_eq!(Shape::of(w), s, "{w}");
        }
    }

    #[test]
    fn markers_and_dotted_letters() {
        let k = &*KNOWLEDGE;
        assert_eq!(marker("2.)", k).map(|m| m.value), Some(2));
        assert_eq!(marker("⁃10.", k).map(|m| m.value), Some(10));
        assert_eq!(marker("b.", k).map(|m| m.style), Some(MarkerStyle::Lower));
        assert_eq!(marker("2025.", k), None);
        assert!(is_dotted_letters("U.S") && is_dotted_letters("E") && is_dotted_letters("a.m"));
        assert!(!is_dotted_letters("Mr") && !is_dotted_letters("U..S"));
    }
}
