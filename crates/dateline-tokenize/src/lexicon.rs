//! The word lists the scanner consults, compiled in from `data/*.txt` and
//! parsed once, on first use, into small hash tables.
//!
//! Keeping the lists as data lets a reader audit and extend the conventions
//! without touching the scanner. Every entry is at most eight bytes, so a
//! word is looked up as one `u64` (its bytes, zero-padded) in an
//! open-addressing table: a multiply, a shift and a compare or two, with no
//! hashing of strings and no allocation. Most words asked about are in no
//! list, so each table first tests a bit chosen by the word's first and
//! last bytes and its length, which rejects nearly all of them before the
//! key is built.

use std::sync::LazyLock;

/// Longest entry a list may hold: the bytes of a key fill one `u64`.
const MAX_KEY: usize = 8;

/// The bytes of `word` packed little-endian into a `u64`, or `None` when it
/// is empty or longer than [`MAX_KEY`]. No key is zero: text bytes never
/// pack to all zeros unless they are NUL, which no list holds.
#[inline]
fn key(word: &[u8], fold: bool) -> Option<u64> {
    if word.is_empty() || word.len() > MAX_KEY {
        return None;
    }
    let mut k = 0u64;
    for (i, &b) in word.iter().enumerate() {
        let b = if fold { b.to_ascii_lowercase() } else { b };
        k |= u64::from(b) << (8 * i);
    }
    Some(k)
}

/// A set of short words with a value each, in an open-addressing table.
pub(crate) struct WordTable {
    /// `(key, value)`; key 0 marks an empty slot.
    slots: Box<[(u64, u32)]>,
    shift: u32,
    /// Whether keys were stored lower-cased and lookups fold case.
    fold: bool,
    /// Entry [`filter_slot`] of a word's first and last bytes has bit
    /// `n % 32` set when some entry of `n` bytes starts and ends with those
    /// bytes, up to case (`& 31` folds it). Other bytes that share a
    /// letter's slot, and words of 32 bytes or more, whose bits are those of
    /// shorter lengths, only cost a lookup that fails: no entry is longer
    /// than [`MAX_KEY`]. The modulo is free, as the bit-test instruction
    /// takes its shift count modulo 32.
    filter: [u32; 1024],
}

impl WordTable {
    fn new(entries: &[(&str, u32)], fold: bool) -> WordTable {
        // At most a quarter full, so probes are short.
        let bits = (entries.len() * 4)
            .next_power_of_two()
            .max(16)
            .trailing_zeros();
        let mut table = WordTable {
            slots: vec![(0, 0); 1 << bits].into_boxed_slice(),
            shift: 64 - bits,
            fold,
            filter: [0; 1024],
        };
        for &(word, value) in entries {
            assert!(
                !fold || !word.bytes().any(|b| b.is_ascii_uppercase()),
                "case-insensitive list entry must be lower-case: {word}"
            );
            let k = key(word.as_bytes(), false)
                .unwrap_or_else(|| panic!("list entry longer than {MAX_KEY} bytes: {word:?}"));
            let mut i = table.slot(k);
            while table.slots[i].0 != 0 && table.slots[i].0 != k {
                i = (i + 1) & (table.slots.len() - 1);
            }
            table.slots[i] = (k, value);
            let w = word.as_bytes();
            table.filter[filter_slot(w[0], w[w.len() - 1])] |= 1 << w.len();
        }
        table
    }

    /// A set: every entry has the value 1.
    fn set(src: &'static str, fold: bool) -> WordTable {
        let entries: Vec<(&str, u32)> = entries(src).map(|w| (w, 1)).collect();
        WordTable::new(&entries, fold)
    }

    #[inline]
    fn slot(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Whether some entry might be a word of `len` bytes that starts with
    /// `first` and ends with `last`: a few bit operations and no branch.
    #[inline]
    pub(crate) fn may_contain(&self, first: u8, last: u8, len: usize) -> bool {
        self.filter[filter_slot(first, last)] >> (len % 32) & 1 != 0
    }

    #[inline]
    pub(crate) fn get(&self, word: &[u8]) -> Option<u32> {
        let ([first, .., last] | [first @ last]) = word else {
            return None;
        };
        if !self.may_contain(*first, *last, word.len()) {
            return None;
        }
        self.lookup(word)
    }

    /// [`WordTable::get`] without the filter, for callers that applied it.
    #[inline]
    fn lookup(&self, word: &[u8]) -> Option<u32> {
        let k = key(word, self.fold)?;
        let mut i = self.slot(k);
        loop {
            let (stored, value) = self.slots[i];
            if stored == k {
                return Some(value);
            }
            if stored == 0 {
                return None;
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
    }

    #[inline]
    pub(crate) fn contains(&self, word: &[u8]) -> bool {
        self.get(word).is_some()
    }
}

fn entries(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Every list the scanner uses.
pub(crate) struct Lexicon {
    /// Words that keep a following period (`Mr.`, `vs.`).
    pub(crate) abbreviations: WordTable,
    /// Words that keep it unless a capitalised word follows (`Inc.`, `etc.`).
    pub(crate) abbreviations_ending: WordTable,
    /// Words that keep a following period only before a number (`No. 1`).
    pub(crate) abbreviations_before_number: WordTable,
    /// Prefixes that stay joined across a hyphen (`e-mail`, `non-profit`).
    pub(crate) hyphen_prefixes: WordTable,
    /// Letters that split from the digits they follow (`3pm`, `35mm`).
    pub(crate) unit_suffixes: WordTable,
    /// Emoticons such as `:)`, longest first so the longest match wins.
    emoticons: Vec<(u32, usize)>,
    /// Bit `b % 64` of entry `b / 64` is set when some emoticon's second byte
    /// is `b`: most brackets at a chunk's start are followed by a letter.
    emoticon_seconds: [u64; 4],
    /// Top-level domains that make a scheme-less `name.tld` a URL.
    pub(crate) tlds: WordTable,
    /// File-name extensions that make `name.ext` one token.
    pub(crate) file_extensions: WordTable,
    /// Short forms with a slash that stay one token (`b/c`, `w/`).
    pub(crate) slash_words: WordTable,
    /// Words written without their apostrophe that split into parts
    /// (`cannot` -> `can` `not`): the part lengths, four bits each, first
    /// part lowest. Its filter is consulted for every plain word.
    word_splits: WordTable,
}

pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut emoticons: Vec<(u32, usize)> = entries(include_str!("../data/emoticons.txt"))
        .map(|e| {
            assert!(
                e.len() <= 4,
                "emoticons.txt: {e:?} is longer than four bytes"
            );
            (pack4(e.as_bytes()), e.len())
        })
        .collect();
    emoticons.sort_by_key(|&(_, len)| std::cmp::Reverse(len));
    let mut emoticon_seconds = [0u64; 4];
    for e in entries(include_str!("../data/emoticons.txt")) {
        let second = *e
            .as_bytes()
            .get(1)
            .expect("emoticons.txt: one-byte emoticon");
        emoticon_seconds[usize::from(second / 64)] |= 1 << (second % 64);
    }

    let mut splits = Vec::new();
    for line in entries(include_str!("../data/word-splits.txt")) {
        let (word, parts) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("word-splits.txt: no parts in {line:?}"));
        assert_eq!(
            parts.replace('|', ""),
            word,
            "word-splits.txt: the parts of {word:?} must spell it"
        );
        let mut packed = 0u32;
        for (i, part) in parts.split('|').enumerate() {
            assert!(
                i < 8 && !part.is_empty(),
                "word-splits.txt: bad parts in {line:?}"
            );
            packed |= (part.len() as u32) << (4 * i);
        }
        assert!(
            word.bytes().all(|b| b.is_ascii_lowercase()),
            "word-splits.txt: {word:?} must be lower-case letters"
        );
        splits.push((word, packed));
    }
    Lexicon {
        abbreviations: WordTable::set(include_str!("../data/abbreviations.txt"), false),
        abbreviations_ending: WordTable::set(
            include_str!("../data/abbreviations-ending.txt"),
            false,
        ),
        abbreviations_before_number: WordTable::set(
            include_str!("../data/abbreviations-before-number.txt"),
            false,
        ),
        hyphen_prefixes: WordTable::set(include_str!("../data/hyphen-prefixes.txt"), true),
        unit_suffixes: WordTable::set(include_str!("../data/unit-suffixes.txt"), false),
        emoticons,
        emoticon_seconds,
        tlds: WordTable::set(include_str!("../data/tlds.txt"), true),
        file_extensions: WordTable::set(include_str!("../data/file-extensions.txt"), true),
        slash_words: WordTable::set(include_str!("../data/slash-words.txt"), true),
        word_splits: WordTable::new(&splits, true),
    }
});

impl Lexicon {
    /// Whether a word of `len` bytes from `first` to `last` might be in the
    /// word splits: a few bit operations that rule out nearly every word.
    #[inline]
    pub(crate) fn may_split(&self, first: u8, last: u8, len: usize) -> bool {
        self.word_splits.may_contain(first, last, len)
    }

    /// Whether `word` is in the word splits.
    #[inline]
    pub(crate) fn splits_word(&self, word: &[u8]) -> bool {
        self.word_splits.contains(word)
    }

    /// [`Lexicon::splits_word`] for a word that passed [`Lexicon::may_split`].
    #[inline]
    pub(crate) fn splits_filtered_word(&self, word: &[u8]) -> bool {
        self.word_splits.lookup(word).is_some()
    }

    /// The length of the longest emoticon that `text` starts with.
    #[inline]
    pub(crate) fn emoticon(&self, text: &[u8]) -> Option<usize> {
        let second = *text.get(1)?;
        if self.emoticon_seconds[usize::from(second / 64)] & (1 << (second % 64)) == 0 {
            return None;
        }
        let head = pack4(&text[..text.len().min(4)]);
        self.emoticons
            .iter()
            .find(|&&(e, len)| len <= text.len() && head & mask4(len) == e)
            .map(|&(_, len)| len)
    }

    /// The part lengths of a word that splits without an apostrophe.
    #[inline]
    pub(crate) fn word_split(&self, word: &[u8]) -> Option<impl Iterator<Item = usize>> {
        let mut packed = self.word_splits.get(word)?;
        Some(std::iter::from_fn(move || {
            let len = (packed & 0xF) as usize;
            packed >>= 4;
            (len > 0).then_some(len)
        }))
    }
}

/// Up to four bytes packed little-endian into a `u32`.
#[inline]
fn pack4(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .enumerate()
        .fold(0, |k, (i, &b)| k | u32::from(b) << (8 * i))
}

/// The mask of the low `len` bytes of a `u32`.
#[inline]
fn mask4(len: usize) -> u32 {
    if len >= 4 {
        u32::MAX
    } else {
        (1u32 << (8 * len)) - 1
    }
}

/// The slot in a table's filter of a word's first and last bytes.
#[inline]
fn filter_slot(first: u8, last: u8) -> usize {
    usize::from(first & 31) << 5 | usize::from(last & 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_answer() {
        let lex = &*LEXICON;
        assert!(lex.abbreviations.contains(b"Mr"));
        assert!(!lex.abbreviations.contains(b"mr"));
        assert!(!lex.abbreviations.contains(b"Mrx"));
        assert!(!lex.abbreviations.contains(b"a-very-long-word"));
        assert!(lex.hyphen_prefixes.contains(b"Non"));
        assert!(lex.tlds.contains(b"COM"));
        let parts: Vec<usize> = lex.word_split(b"Cannot").map(Iterator::collect).unwrap();
        assert_eq!(parts, [3, 3]);
        assert!(lex.word_split(b"canned").is_none());
        assert_eq!(lex.emoticon(b":-) hi"), Some(3));
        assert_eq!(lex.emoticon(b":)"), Some(2));
        assert_eq!(lex.emoticon(b":"), None);
        assert_eq!(lex.emoticon(b"<3"), Some(2));
    }

    #[test]
    fn every_entry_is_found() {
        let lists = [
            (
                include_str!("../data/abbreviations.txt"),
                &LEXICON.abbreviations,
            ),
            (
                include_str!("../data/abbreviations-ending.txt"),
                &LEXICON.abbreviations_ending,
            ),
            (
                include_str!("../data/unit-suffixes.txt"),
                &LEXICON.unit_suffixes,
            ),
            (include_str!("../data/tlds.txt"), &LEXICON.tlds),
            (
                include_str!("../data/file-extensions.txt"),
                &LEXICON.file_extensions,
            ),
        ];
        for (src, table) in lists {
            for word in entries(src) {
                assert!(table.contains(word.as_bytes()), "{word} not found");
            }
        }
    }
}
