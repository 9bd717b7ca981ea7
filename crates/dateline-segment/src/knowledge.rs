//! The segmenter's knowledge: abbreviations, sentence openers, line
//! continuations, news agencies and punctuation roles, read from the data
//! files under `data/` (compiled in) once, into lookups that cost a hash of
//! a short word and never allocate.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// What an abbreviation's period means before the next word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AbbrevClass {
    /// Precedes a name: no sentence ends after it on the same line.
    Title,
    /// Ends a sentence only before a usual sentence opener.
    Ambiguous,
    /// Ends a sentence before any capitalised word.
    Final,
}

/// Roles a character can play, as bit flags: `"` is both opener and closer.
pub(crate) mod role {
    pub const TERMINAL: u8 = 1;
    pub const CJK_STOP: u8 = 2;
    pub const CLOSER: u8 = 4;
    pub const OPENER: u8 = 8;
    pub const BULLET: u8 = 16;
    pub const DASH: u8 = 32;
}

/// Words are looked up lower-cased in a fixed buffer: longer words are
/// never in any list.
const MAX_WORD: usize = 24;

pub(crate) struct Knowledge {
    abbreviations: HashMap<Box<[u8]>, AbbrevClass, Fx>,
    abbreviation_sieve: Sieve,
    /// The longest abbreviation: a longer word needs no lookup.
    longest_abbreviation: usize,
    starters: WordSet,
    continuations: WordSet,
    agencies: WordSet,
    months: WordSet,
    salutations: WordSet,
    ascii_roles: [u8; 128],
    other_roles: HashMap<char, u8>,
}

pub(crate) static KNOWLEDGE: LazyLock<Knowledge> = LazyLock::new(|| {
    Knowledge::parse(
        include_str!("../data/abbreviations.tsv"),
        include_str!("../data/starters.txt"),
        include_str!("../data/continuations.txt"),
        include_str!("../data/agencies.txt"),
        include_str!("../data/months.txt"),
        include_str!("../data/salutations.txt"),
        include_str!("../data/punctuation.tsv"),
    )
    .unwrap_or_else(|e| panic!("dateline-segment data: {e}"))
});

/// Lines of a data file that carry data: not blank, not `#` comments.
fn data_lines(file: &str) -> impl Iterator<Item = (usize, &str)> {
    file.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim_end_matches('\r')))
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
}

/// A quick test before a lookup: the lengths and first bytes of a list's
/// words, so most words that are not in it are turned away unhashed.
#[derive(Clone, Copy, Debug, Default)]
struct Sieve {
    lengths: u32,
    /// Bit `b` for an ASCII first byte `b` (lower-cased); bit 0 for any
    /// first byte outside ASCII.
    firsts: u128,
}

impl Sieve {
    fn add(&mut self, key: &[u8]) {
        self.lengths |= 1 << key.len();
        self.firsts |= 1 << Sieve::first_bit(key[0]);
    }

    fn first_bit(b: u8) -> u8 {
        if b.is_ascii() {
            b.to_ascii_lowercase()
        } else {
            0
        }
    }

    /// False only for a word that cannot be in the list.
    #[inline]
    fn may_hold(&self, word: &[u8]) -> bool {
        match word.first() {
            Some(&b) if word.len() <= MAX_WORD => {
                self.lengths >> word.len() & 1 != 0 && self.firsts >> Sieve::first_bit(b) & 1 != 0
            }
            _ => false,
        }
    }
}

/// A list of words, looked up lower-cased.
struct WordSet {
    words: HashSet<Box<[u8]>, Fx>,
    sieve: Sieve,
}

impl WordSet {
    #[inline]
    fn contains(&self, word: &str) -> bool {
        self.sieve.may_hold(word.as_bytes())
            && lower_key(word).is_some_and(|k| self.words.contains(k.as_slice()))
    }
}

fn word_set(name: &str, file: &str) -> Result<WordSet, String> {
    let mut words = HashSet::default();
    let mut sieve = Sieve::default();
    for (n, line) in data_lines(file) {
        let word = line.trim();
        let key = lower_key(word).ok_or_else(|| format!("{name} line {n}: word too long"))?;
        sieve.add(key.as_slice());
        if !words.insert(Box::from(key.as_slice())) {
            return Err(format!("{name} line {n}: duplicate {word:?}"));
        }
    }
    Ok(WordSet { words, sieve })
}

impl Knowledge {
    fn parse(
        abbreviations: &str,
        starters: &str,
        continuations: &str,
        agencies: &str,
        months: &str,
        salutations: &str,
        punctuation: &str,
    ) -> Result<Knowledge, String> {
        let mut abbrevs = HashMap::default();
        let mut abbreviation_sieve = Sieve::default();
        let mut longest_abbreviation = 0;
        for (n, line) in data_lines(abbreviations) {
            let (word, class) = line
                .split_once('\t')
                .ok_or_else(|| format!("abbreviations line {n}: expected word<TAB>class"))?;
            let class = match class.trim() {
                "title" => AbbrevClass::Title,
                "ambiguous" => AbbrevClass::Ambiguous,
                "final" => AbbrevClass::Final,
                other => return Err(format!("abbreviations line {n}: unknown class {other:?}")),
            };
            let key =
                lower_key(word).ok_or_else(|| format!("abbreviations line {n}: word too long"))?;
            longest_abbreviation = longest_abbreviation.max(key.as_slice().len());
            abbreviation_sieve.add(key.as_slice());
            if abbrevs.insert(Box::from(key.as_slice()), class).is_some() {
                return Err(format!("abbreviations line {n}: duplicate {word:?}"));
            }
        }
        let mut ascii_roles = [0u8; 128];
        let mut other_roles = HashMap::new();
        for (n, line) in data_lines(punctuation) {
            let (ch, name) = line
                .split_once('\t')
                .ok_or_else(|| format!("punctuation line {n}: expected char<TAB>role"))?;
            let mut chars = ch.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(format!("punctuation line {n}: expected one character"));
            };
            let flag = match name.trim() {
                "terminal" => role::TERMINAL,
                "cjk-stop" => role::CJK_STOP,
                "closer" => role::CLOSER,
                "opener" => role::OPENER,
                "bullet" => role::BULLET,
                "dash" => role::DASH,
                other => return Err(format!("punctuation line {n}: unknown role {other:?}")),
            };
            if c.is_ascii() {
                ascii_roles[c as usize] |= flag;
            } else {
                *other_roles.entry(c).or_insert(0) |= flag;
            }
        }
        Ok(Knowledge {
            longest_abbreviation,
            abbreviations: abbrevs,
            abbreviation_sieve,
            starters: word_set("starters", starters)?,
            continuations: word_set("continuations", continuations)?,
            agencies: word_set("agencies", agencies)?,
            months: word_set("months", months)?,
            salutations: word_set("salutations", salutations)?,
            ascii_roles,
            other_roles,
        })
    }

    /// Words longer than this are never abbreviations.
    #[inline]
    pub fn longest_abbreviation(&self) -> usize {
        self.longest_abbreviation
    }

    /// The class of an abbreviation, given without its final period.
    #[inline]
    pub fn abbreviation(&self, word: &str) -> Option<AbbrevClass> {
        if !self.abbreviation_sieve.may_hold(word.as_bytes()) {
            return None;
        }
        lower_key(word).and_then(|k| self.abbreviations.get(k.as_slice()).copied())
    }

    #[inline]
    pub fn is_starter(&self, word: &str) -> bool {
        self.starters.contains(word)
    }

    #[inline]
    pub fn is_continuation(&self, word: &str) -> bool {
        self.continuations.contains(word)
    }

    #[inline]
    pub fn is_agency(&self, word: &str) -> bool {
        self.agencies.contains(word)
    }

    #[inline]
    pub fn is_salutation(&self, word: &str) -> bool {
        self.salutations.contains(word)
    }

    /// A month name or abbreviation, with or without its period.
    #[inline]
    pub fn is_month(&self, word: &str) -> bool {
        let word = word.strip_suffix('.').unwrap_or(word);
        self.months.contains(word)
    }

    /// Inlined for the table lookup of an ASCII character; the hash
    /// lookup of any other is kept out of line, so callers stay small.
    #[inline(always)]
    pub fn roles(&self, c: char) -> u8 {
        if c.is_ascii() {
            self.ascii_roles[c as usize]
        } else {
            self.other_roles_of(c)
        }
    }

    #[inline(never)]
    fn other_roles_of(&self, c: char) -> u8 {
        self.other_roles.get(&c).copied().unwrap_or(0)
    }

    /// The roles of an ASCII byte.
    #[inline]
    pub fn ascii_roles(&self, b: u8) -> u8 {
        self.ascii_roles[usize::from(b & 0x7f)]
    }

    #[inline]
    pub fn has_role(&self, c: char, flag: u8) -> bool {
        self.roles(c) & flag != 0
    }
}

/// A word lower-cased (ASCII) into a stack buffer, or `None` when too long.
#[derive(Clone, Copy)]
pub(crate) struct LowerKey {
    buf: [u8; MAX_WORD],
    len: usize,
}

impl LowerKey {
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[inline]
pub(crate) fn lower_key(word: &str) -> Option<LowerKey> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_WORD {
        return None;
    }
    let mut buf = [0u8; MAX_WORD];
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = s.to_ascii_lowercase();
    }
    Some(LowerKey {
        buf,
        len: bytes.len(),
    })
}

/// A small multiplicative hasher for short keys (the Firefox/rustc "Fx"
/// hash): the lists are fixed data, so flooding resistance buys nothing.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

pub(crate) type Fx = BuildHasherDefault<FxHasher>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for &b in chunks.remainder() {
            self.hash = (self.hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(SEED);
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.hash = (self.hash.rotate_left(5) ^ n).wrapping_mul(SEED);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_parse() {
        let k = &*KNOWLEDGE;
        assert_eq!(k.abbreviation("Mr"), Some(AbbrevClass::Title));
        assert_eq!(k.abbreviation("U.S"), None);
        assert_eq!(k.abbreviation("Inc"), Some(AbbrevClass::Ambiguous));
        assert_eq!(k.abbreviation("etc"), Some(AbbrevClass::Final));
        assert!(k.is_starter("The"));
        assert!(!k.is_starter("Government"));
        assert!(k.is_continuation("of"));
        assert!(k.is_salutation("Regards") && !k.is_salutation("In"));
        assert!(k.is_agency("XINHUA"));
        assert!(k.is_month("Jan.") && k.is_month("May") && !k.is_month("Mayday"));
        assert!(k.has_role('"', role::OPENER) && k.has_role('"', role::CLOSER));
        assert!(k.has_role('。', role::CJK_STOP));
        assert!(k.has_role('•', role::BULLET));
        assert_eq!(k.roles('a'), 0);
    }

    /// The dateline test gives up at a chunk that starts with a digit
    /// without asking whether it is a month: none is.
    #[test]
    fn no_month_starts_with_a_digit() {
        for (_, line) in data_lines(include_str!("../data/months.txt")) {
            let word = line.trim();
            assert!(!word.starts_with(|c: char| c.is_ascii_digit()), "{word}");
        }
    }

    #[test]
    fn bad_data_is_reported_with_its_line() {
        let err = Knowledge::parse("mr\ttitle\nmr\ttitle\n", "", "", "", "", "", "")
            .err()
            .expect("duplicate");
        assert_eq!(err, "abbreviations line 2: duplicate \"mr\"");
        let err = Knowledge::parse("", "", "", "", "", "", ".\tfull-stop\n")
            .err()
            .expect("unknown role");
        assert_eq!(err, "punctuation line 1: unknown role \"full-stop\"");
    }
}
