//! The word lists the scanner consults, compiled in from `data/*.txt` and
//! parsed once into hash sets on first use.
//!
//! Keeping the lists as data lets a reader audit and extend the conventions
//! without touching the scanner; lookups happen only at the few decision
//! points (a word before `.`, `-` or digits before letters), never per byte.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// Longest entry any list may usefully hold; longer words are not looked up.
const MAX_KEY: usize = 24;

/// FNV-1a: the keys are a few bytes long, where SipHash's setup dominates.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastSet = HashSet<&'static [u8], BuildHasherDefault<Fnv>>;

/// A set of words read from one data file.
pub(crate) struct WordSet {
    words: FastSet,
    max_len: usize,
}

impl WordSet {
    /// One entry per line; `#` starts a comment line; blank lines are skipped.
    fn parse(src: &'static str, lowercase: bool) -> WordSet {
        let mut words = FastSet::default();
        let mut max_len = 0;
        for line in entries(src) {
            assert!(line.len() <= MAX_KEY, "word list entry too long: {line}");
            if lowercase {
                assert!(
                    !line.bytes().any(|b| b.is_ascii_uppercase()),
                    "case-insensitive list entry must be lower-case: {line}"
                );
            }
            max_len = max_len.max(line.len());
            words.insert(line.as_bytes());
        }
        WordSet { words, max_len }
    }

    #[inline]
    pub(crate) fn contains(&self, word: &[u8]) -> bool {
        word.len() <= self.max_len && self.words.contains(word)
    }

    /// Looks the word up with its ASCII letters lower-cased.
    #[inline]
    pub(crate) fn contains_folded(&self, word: &[u8]) -> bool {
        if word.len() > self.max_len {
            return false;
        }
        let mut buf = [0u8; MAX_KEY];
        let folded = &mut buf[..word.len()];
        folded.copy_from_slice(word);
        folded.make_ascii_lowercase();
        self.words.contains(&*folded)
    }
}

fn entries(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Every list the scanner uses.
pub(crate) struct Lexicon {
    /// Words that keep a following period (`Mr.`, `Inc.`, `Jan.`).
    pub(crate) abbreviations: WordSet,
    /// Words that keep a following period only before a number (`No. 1`).
    pub(crate) abbreviations_before_number: WordSet,
    /// Prefixes that stay joined across a hyphen (`e-mail`, `non-profit`).
    pub(crate) hyphen_prefixes: WordSet,
    /// Letters that split from the digits they follow (`3pm`, `35mm`).
    pub(crate) unit_suffixes: WordSet,
    /// Emoticons such as `:)`, longest first so the longest match wins.
    pub(crate) emoticons: Vec<&'static [u8]>,
    /// Top-level domains that make a scheme-less `name.tld` a URL.
    pub(crate) tlds: WordSet,
    /// Words written without their apostrophe that split into parts
    /// (`cannot` -> `can` `not`): the lengths of the parts, in bytes.
    pub(crate) word_splits: HashMap<&'static [u8], Box<[u8]>, BuildHasherDefault<Fnv>>,
    pub(crate) word_splits_max_len: usize,
}

pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut emoticons: Vec<&'static [u8]> = entries(include_str!("../data/emoticons.txt"))
        .map(str::as_bytes)
        .collect();
    emoticons.sort_by_key(|e| std::cmp::Reverse(e.len()));
    let mut word_splits = HashMap::default();
    let mut word_splits_max_len = 0;
    for line in entries(include_str!("../data/word-splits.txt")) {
        let (word, parts) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("word-splits.txt: no parts in {line:?}"));
        let lens: Box<[u8]> = parts.split('|').map(|p| p.len() as u8).collect();
        assert_eq!(
            parts.replace('|', ""),
            word,
            "word-splits.txt: the parts of {word:?} must spell it"
        );
        word_splits_max_len = word_splits_max_len.max(word.len());
        word_splits.insert(word.as_bytes(), lens);
    }
    Lexicon {
        abbreviations: WordSet::parse(include_str!("../data/abbreviations.txt"), false),
        abbreviations_before_number: WordSet::parse(
            include_str!("../data/abbreviations-before-number.txt"),
            false,
        ),
        hyphen_prefixes: WordSet::parse(include_str!("../data/hyphen-prefixes.txt"), true),
        unit_suffixes: WordSet::parse(include_str!("../data/unit-suffixes.txt"), false),
        emoticons,
        tlds: WordSet::parse(include_str!("../data/tlds.txt"), true),
        word_splits,
        word_splits_max_len,
    }
});

impl Lexicon {
    /// The part lengths of a word that splits without an apostrophe.
    #[inline]
    pub(crate) fn word_split(&self, word: &[u8]) -> Option<&[u8]> {
        if word.len() > self.word_splits_max_len || word.len() > MAX_KEY {
            return None;
        }
        let mut buf = [0u8; MAX_KEY];
        let folded = &mut buf[..word.len()];
        folded.copy_from_slice(word);
        folded.make_ascii_lowercase();
        self.word_splits.get(&*folded).map(|lens| &**lens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_answer() {
        let lex = &*LEXICON;
        assert!(lex.abbreviations.contains(b"Mr"));
        assert!(!lex.abbreviations.contains(b"mr"));
        assert!(lex.hyphen_prefixes.contains_folded(b"Non"));
        assert!(lex.tlds.contains_folded(b"COM"));
        assert_eq!(lex.word_split(b"Cannot"), Some(&[3u8, 3][..]));
        assert_eq!(lex.emoticons.first().map(|e| e.len()), Some(3));
    }
}
