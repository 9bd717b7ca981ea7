//! Feature extraction: what the linear model sees of each token.
//!
//! Each token's word, lower-case form, affixes and shape are hashed once per
//! document ([`TokenInfo`]); a feature is then a template id mixed with one
//! or two of those hashes, so extraction allocates nothing per token.
//! Document-level context comes in two ways: whether a capitalised word also
//! occurs lower-cased in the document, and how the same word was tagged
//! earlier in the document (the "prediction history" of Ratinov and Roth).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::hash::{fmix, hash_bytes, mix};
use crate::labels::type_of;
use crate::model::Lexicon;

const CAP: u8 = 1; // first character upper-case
const UPPER: u8 = 2; // has an upper-case letter
const LOWER: u8 = 4; // has a lower-case letter
const DIGIT: u8 = 8;
const ALPHA: u8 = 16;

const BOS: u64 = 0x5f5f_424f_535f_5f01;
const EOS: u64 = 0x5f5f_454f_535f_5f02;
/// Seed of the phrase keys in the [`Lexicon`].
pub(crate) const PHRASE_SEED: u64 = 0x7068_7261_7365_0001;
const LONGEST_PHRASE: usize = 6;

/// What the features need of one token, computed once per document.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TokenInfo {
    pub(crate) word: u64,
    pub(crate) lower: u64,
    shape: u64,
    prefix: [u64; 4],
    suffix: [u64; 4],
    flags: u8,
    freq: u8,
    /// Per lexicon list, the BILOU position (1-4) of the token in the
    /// longest phrase of that list covering it, four bits per list.
    lex: u64,
    /// The token's lower-case form occurs as a lower-case word elsewhere in
    /// the document.
    lower_elsewhere: bool,
    /// Length (capped at 4) and BILOU position of the run of capitalised
    /// tokens the token is in, `4 * len + pos`; 0 outside runs.
    pub(crate) run: u8,
    /// What the document says about this word elsewhere (context
    /// aggregation): cue bits, and the lexicon lists any occurrence is in.
    agg: u32,
    /// The lexicon value of the word alone.
    lexv: u32,
}

impl TokenInfo {
    /// Whether the token has an upper-case letter.
    #[inline]
    pub(crate) fn has_upper(&self) -> bool {
        self.flags & UPPER != 0
    }

    /// Whether the token's lower-case form occurs as a lower-case word
    /// elsewhere in the document (set for tokens with an upper-case letter).
    #[inline]
    pub(crate) fn lower_elsewhere(&self) -> bool {
        self.lower_elsewhere
    }

    pub(crate) fn new(text: &str) -> TokenInfo {
        let bytes = text.as_bytes();
        let mut lower = [0u8; 48];
        let mut n = 0;
        let mut flags = 0u8;
        let mut shape = [0u8; 12];
        let mut shape_len = 0;
        let ascii = text.is_ascii();
        if ascii {
            // The same classes as the general loop below, a byte at a time.
            for (i, &b) in bytes.iter().enumerate() {
                let class = match b {
                    b'A'..=b'Z' => {
                        flags |= UPPER | ALPHA | if i == 0 { CAP } else { 0 };
                        b'X'
                    }
                    b'a'..=b'z' => {
                        flags |= LOWER | ALPHA;
                        b'x'
                    }
                    b'0'..=b'9' => {
                        flags |= DIGIT;
                        b'd'
                    }
                    _ => b,
                };
                if shape_len < shape.len() && (shape_len == 0 || shape[shape_len - 1] != class) {
                    shape[shape_len] = class;
                    shape_len += 1;
                }
                if n < lower.len() {
                    lower[n] = b.to_ascii_lowercase();
                    n += 1;
                }
            }
        }
        for (i, ch) in text
            .chars()
            .enumerate()
            .take(if ascii { 0 } else { usize::MAX })
        {
            let class = if ch.is_uppercase() {
                flags |= UPPER | ALPHA;
                if i == 0 {
                    flags |= CAP;
                }
                b'X'
            } else if ch.is_lowercase() {
                flags |= LOWER | ALPHA;
                b'x'
            } else if ch.is_ascii_digit() {
                flags |= DIGIT;
                b'd'
            } else if ch.is_ascii() {
                ch as u8
            } else if ch.is_alphabetic() {
                flags |= ALPHA;
                b'a'
            } else {
                b'o'
            };
            if shape_len < shape.len() && (shape_len == 0 || shape[shape_len - 1] != class) {
                shape[shape_len] = class;
                shape_len += 1;
            }
            if ch.is_ascii() {
                if n < lower.len() {
                    lower[n] = (ch as u8).to_ascii_lowercase();
                    n += 1;
                }
            } else {
                for lc in ch.to_lowercase() {
                    let mut buf = [0u8; 4];
                    let enc = lc.encode_utf8(&mut buf).as_bytes();
                    if n + enc.len() <= lower.len() {
                        lower[n..n + enc.len()].copy_from_slice(enc);
                        n += enc.len();
                    }
                }
            }
        }
        let low = &lower[..n];
        let mut prefix = [0u64; 4];
        let mut suffix = [0u64; 4];
        // Lower-cased ASCII has one byte per character: no scanning.
        let chars = if ascii {
            n
        } else {
            low.iter().filter(|&&b| b & 0xC0 != 0x80).count()
        };
        for k in 1..=4.min(chars.saturating_sub(1)) {
            let (end, from) = if ascii {
                (k, n - k)
            } else {
                (prefix_end(low, k), nth_char_from_end(low, k))
            };
            prefix[k - 1] = affix_key(0x10 + k as u64, &low[..end]);
            suffix[k - 1] = affix_key(0x20 + k as u64, &low[from..]);
        }
        TokenInfo {
            word: hash_bytes(1, bytes),
            lower: hash_bytes(2, low),
            shape: hash_bytes(3, &shape[..shape_len]),
            prefix,
            suffix,
            flags,
            freq: 0,
            lex: 0,
            lower_elsewhere: false,
            run: 0,
            agg: 0,
            lexv: 0,
        }
    }
}

/// Texts of the per-thread token cache: short words only, stored whole
/// so that a hit is an exact match, never a hash collision.
const TEXT_BYTES: usize = 23;
const TEXT_SLOTS: usize = 1 << 13;

/// [`TokenInfo::new`] of recent words, per thread (direct-mapped by word
/// hash): a frequent word costs one hash and a compare.
#[derive(Default)]
struct TextCache {
    slots: Vec<(u8, [u8; TEXT_BYTES], TokenInfo)>,
}

impl TextCache {
    #[inline]
    fn get(&mut self, text: &str) -> TokenInfo {
        let bytes = text.as_bytes();
        if bytes.len() > TEXT_BYTES || bytes.is_empty() {
            return TokenInfo::new(text);
        }
        if self.slots.is_empty() {
            // Length 0 marks an empty slot: empty words are never cached.
            self.slots = vec![(0, [0; TEXT_BYTES], TokenInfo::default()); TEXT_SLOTS];
        }
        let word = hash_bytes(1, bytes);
        let (len, stored, info) = &mut self.slots[word as usize & (TEXT_SLOTS - 1)];
        if *len as usize != bytes.len() || &stored[..bytes.len()] != bytes {
            *info = TokenInfo::new(text);
            *len = bytes.len() as u8;
            stored[..bytes.len()].copy_from_slice(bytes);
        }
        *info
    }
}

/// Cue bits and lists of each capitalised word of a document, by its
/// lower-case hash (see [`aggregate`]).
type Cues = HashMap<u64, u32, BuildHasherDefault<PassThrough>>;

/// What [`DocContext::new`] builds and drops for each document, kept per
/// thread so that a document allocates nothing once they have grown.
#[derive(Default)]
struct DocBuffers {
    /// The lower-case words of the document (their hashes).
    lower_words: HashSet<u64, BuildHasherDefault<PassThrough>>,
    /// Per token, the longest phrase of each list that covers it.
    lens: Vec<[u8; Lexicon::LISTS]>,
    cues: Cues,
}

thread_local! {
    static TEXTS: RefCell<TextCache> = RefCell::new(TextCache::default());
    static DOC_BUFFERS: RefCell<DocBuffers> = RefCell::new(DocBuffers::default());
}

/// Left out by [`DocContext::context_features`]: neither the token nor its
/// predecessor is in a list (one fixed feature).
pub(crate) const NO_LISTS_BEFORE: u8 = 1;
/// Neither the token nor its successor is in a list (one fixed feature).
pub(crate) const NO_LISTS_AFTER: u8 = 2;
/// The token is in no run of capitalised words (one fixed feature and
/// [`TokenInfo::runless_features`]).
pub(crate) const NO_RUN: u8 = 4;

/// The fixed features of [`NO_LISTS_BEFORE`], [`NO_LISTS_AFTER`] and
/// [`NO_RUN`], in that order.
pub(crate) fn plain_context(mut f: impl FnMut(u8, u64)) {
    f(NO_LISTS_BEFORE, fmix(tid(31), fmix(0, 0)));
    f(NO_LISTS_AFTER, fmix(tid(32), fmix(0, 0)));
    f(NO_RUN, fmix(tid(36), 0));
}

/// A feature template's id, to mix with the values it reads.
#[inline]
const fn tid(id: u64) -> u64 {
    id.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The features of [`DocContext::features`] that read nothing but one
/// token's text (and the model's lexicon), by where that token stands:
/// the tagger sums their weights once per word and reuses the sums. Each
/// is also produced, in the same way, by `features`; a test checks that the
/// parts and [`DocContext::context_features`] add up to exactly `features`.
impl TokenInfo {
    /// The token's own word, lower-case form, affixes and shape.
    #[inline]
    pub(crate) fn own_features(&self, mut f: impl FnMut(u64)) {
        f(tid(1));
        f(fmix(tid(2), self.word));
        f(fmix(tid(3), self.lower));
        for k in 0..4 {
            if self.prefix[k] != 0 {
                f(fmix(tid(4 + k as u64), self.prefix[k]));
            }
            if self.suffix[k] != 0 {
                f(fmix(tid(8 + k as u64), self.suffix[k]));
            }
        }
        f(fmix(tid(12), self.shape));
    }

    /// The own features that also read sentence start and all-capitals,
    /// for the usual case of neither.
    #[inline]
    pub(crate) fn plain_features(&self, mut f: impl FnMut(u64)) {
        f(fmix(tid(22), fmix(0, self.shape)));
        f(fmix(tid(24), fmix(0, self.shape)));
        f(fmix(tid(26), fmix(self.freq as u64, fmix(self.shape, 0))));
    }

    /// The run feature that reads the token's shape, outside runs.
    #[inline]
    pub(crate) fn runless_features(&self, mut f: impl FnMut(u64)) {
        f(fmix(tid(37), fmix(0, self.shape)));
    }

    /// What the next token's features read of this one (its predecessor).
    #[inline]
    pub(crate) fn as_previous(&self, f: impl FnMut(u64)) {
        previous_features(self.lower, self.word, self.suffix[2], f);
    }

    /// What the previous token's features read of this one.
    #[inline]
    pub(crate) fn as_next(&self, f: impl FnMut(u64)) {
        next_features(self.lower, self.word, self.suffix[2], f);
    }

    /// What the token two places on reads of this one.
    #[inline]
    pub(crate) fn as_second_previous(&self, mut f: impl FnMut(u64)) {
        f(fmix(tid(15), self.lower));
    }

    /// What the token two places back reads of this one.
    #[inline]
    pub(crate) fn as_second_next(&self, mut f: impl FnMut(u64)) {
        f(fmix(tid(16), self.lower));
    }
}

/// The features a token reads of its predecessor, given the predecessor's
/// lower-case form, word and three-letter suffix (all `BOS` at a sentence
/// start).
#[inline]
pub(crate) fn previous_features(lower: u64, word: u64, suffix3: u64, mut f: impl FnMut(u64)) {
    f(fmix(tid(13), lower));
    f(fmix(tid(38), word));
    f(fmix(tid(40), suffix3));
}

/// The features a token reads of its successor (`EOS` at a sentence end).
#[inline]
pub(crate) fn next_features(lower: u64, word: u64, suffix3: u64, mut f: impl FnMut(u64)) {
    f(fmix(tid(14), lower));
    f(fmix(tid(39), word));
    f(fmix(tid(41), suffix3));
}

/// The features a token at a sentence start reads of the missing tokens
/// before it: one and two places back.
pub(crate) fn before_start(mut f: impl FnMut(u64), mut f2: impl FnMut(u64)) {
    previous_features(BOS, BOS, BOS, &mut f);
    f2(fmix(tid(15), BOS));
}

/// The features a token at a sentence end reads of the missing tokens
/// after it: one and two places on.
pub(crate) fn after_end(mut f: impl FnMut(u64), mut f2: impl FnMut(u64)) {
    next_features(EOS, EOS, EOS, &mut f);
    f2(fmix(tid(16), EOS));
}

/// The keys of the feature groups that [`DocContext::context_features`]
/// leaves to the caller: each group's features are a function of its key
/// alone, so the tagger can sum their weights once per key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GroupKeys {
    /// The shapes of the previous token, the token and the next token
    /// (see [`shape_features`]).
    pub(crate) shapes: [u64; 3],
    /// Frequency classes and capitalisation (see [`freq_features`]).
    pub(crate) freqs: usize,
    /// Document context of a capitalised token (see [`document_features`]).
    pub(crate) document: Option<[u64; 3]>,
}

/// Shape pairs and the shape triple around a token, from the shapes of
/// its predecessor, itself and its successor.
#[inline]
pub(crate) fn shape_features([sp, shape, sn]: [u64; 3], mut f: impl FnMut(u64)) {
    f(fmix(tid(17), fmix(sp, shape)));
    f(fmix(tid(18), fmix(shape, sn)));
    f(fmix(tid(19), fmix(fmix(sp, shape), sn)));
}

/// How many keys [`freq_features`] has.
pub(crate) const FREQ_KEYS: usize = 1 << 13;

/// The key of [`freq_features`]: the frequency classes of a token's
/// neighbours (15 at a sentence edge), its own, and whether it is
/// capitalised, packed into 13 bits.
#[inline]
fn freq_key(t: &TokenInfo, prev: Option<&TokenInfo>, next: Option<&TokenInfo>) -> usize {
    let pf = prev.map_or(15, |t| t.freq as usize);
    let nf = next.map_or(15, |t| t.freq as usize);
    pf | nf << 4 | (t.freq as usize) << 8 | ((t.flags & CAP) as usize) << 12
}

/// A token's frequency class next to each neighbour's, from [`freq_key`].
#[inline]
pub(crate) fn freq_features(key: usize, mut f: impl FnMut(u64)) {
    let (pf, nf) = ((key & 15) as u64, (key >> 4 & 15) as u64);
    let (freq, cap) = ((key >> 8 & 15) as u64, (key >> 12) as u64);
    f(fmix(tid(27), fmix(pf, fmix(freq, cap))));
    f(fmix(tid(28), fmix(nf, fmix(freq, cap))));
}

/// Context aggregation (cues and lists from all occurrences of the word)
/// and document context (lower-cased elsewhere, prediction history) of a
/// capitalised token, from [`DocContext::document_key`]'s key.
#[inline]
pub(crate) fn document_features([agg, flags, shape]: [u64; 3], mut f: impl FnMut(u64)) {
    let cues = agg & 0x3f;
    let contexts = (agg >> 6) & 0x7f;
    f(fmix(tid(42), cues));
    f(fmix(tid(43), fmix(cues, shape)));
    f(fmix(tid(44), agg >> 16));
    f(fmix(tid(45), contexts));
    for bit in 0..7 {
        if contexts & (1 << bit) != 0 {
            f(fmix(tid(46), bit));
        }
    }
    let (lower_elsewhere, first, caps, hist) =
        (flags & 1, flags >> 1 & 1, flags >> 2 & 1, flags >> 8);
    f(fmix(tid(33), fmix(lower_elsewhere, fmix(first, caps))));
    f(fmix(tid(34), hist));
    f(fmix(tid(35), fmix(hist, shape)));
}

/// A key for a short affix: its bytes packed under a seed byte when they
/// fit (no hashing needed: features mix the key again), hashed otherwise.
#[inline]
fn affix_key(seed: u64, bytes: &[u8]) -> u64 {
    if bytes.len() <= 7 {
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        word[7] = seed as u8;
        u64::from_le_bytes(word)
    } else {
        hash_bytes(seed, bytes)
    }
}

/// The byte length of the first `k` characters.
fn prefix_end(s: &[u8], k: usize) -> usize {
    let mut seen = 0;
    for (i, &b) in s.iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if seen == k {
                return i;
            }
            seen += 1;
        }
    }
    s.len()
}

fn nth_char_from_end(s: &[u8], k: usize) -> usize {
    let mut seen = 0;
    for i in (0..s.len()).rev() {
        if s[i] & 0xC0 != 0x80 {
            seen += 1;
            if seen == k {
                return i;
            }
        }
    }
    0
}

/// Map hasher for keys that are already hashes.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type History = HashMap<u64, [u16; 5], BuildHasherDefault<PassThrough>>;

/// One document's feature context: token infos and the prediction history.
#[derive(Debug, Default)]
pub(crate) struct DocContext {
    pub(crate) toks: Vec<TokenInfo>,
    history: History,
    all_caps: Vec<bool>,
}

impl DocContext {
    /// Prepares a document given its token texts and sentence token ranges.
    pub(crate) fn new<'a>(
        lexicon: &Lexicon,
        words: impl IntoIterator<Item = &'a str>,
        sentences: &[Range<usize>],
    ) -> DocContext {
        let mut toks: Vec<TokenInfo> =
            TEXTS.with_borrow_mut(|cache| words.into_iter().map(|w| cache.get(w)).collect());
        // Taken for the document and put back, so that no borrow of the
        // thread-local is held while the document is prepared.
        let mut buffers = DOC_BUFFERS.take();
        {
            let lower_words = &mut buffers.lower_words;
            lower_words.clear();
            lower_words.extend(
                toks.iter()
                    .filter(|t| t.flags & (UPPER | LOWER) == LOWER)
                    .map(|t| t.lower),
            );
            for t in &mut toks {
                t.lexv = lexicon.get(mix(PHRASE_SEED, t.lower));
                t.freq = (t.lexv >> 8) as u8 & 0x0f;
                if t.flags & UPPER != 0 {
                    t.lower_elsewhere = lower_words.contains(&t.lower);
                }
            }
        }
        let lens = &mut buffers.lens;
        lens.clear();
        lens.resize(toks.len(), [0u8; Lexicon::LISTS]);
        for s in sentences {
            mark_phrases(lexicon, &mut toks[s.clone()], &mut lens[s.clone()]);
            mark_runs(&mut toks[s.clone()]);
        }
        aggregate(&mut toks, sentences, &mut buffers.cues);
        DOC_BUFFERS.set(buffers);
        let all_caps = sentences
            .iter()
            .map(|s| {
                let t = &toks[s.clone()];
                !t.iter().any(|t| t.flags & LOWER != 0)
                    && t.iter().filter(|t| t.flags & UPPER != 0).count() >= 2
            })
            .collect();
        DocContext {
            toks,
            history: History::default(),
            all_caps,
        }
    }

    /// Calls `f` with the hash of every feature of token `i` of sentence
    /// number `sentence`, which spans tokens `range`: what training sees.
    /// The tagger computes the same sums from per-word parts and
    /// [`context_features`](DocContext::context_features).
    #[cfg(any(test, feature = "train"))]
    #[inline]
    pub(crate) fn features(
        &self,
        sentence: usize,
        range: Range<usize>,
        i: usize,
        mut f: impl FnMut(u64),
    ) {
        let toks = &self.toks;
        let t = &toks[i];
        let at = |j: isize| -> Option<&TokenInfo> {
            if j >= range.start as isize && j < range.end as isize {
                Some(&toks[j as usize])
            } else {
                None
            }
        };
        let ii = i as isize;
        let lower_at = |j: isize| at(j).map_or(if j < ii { BOS } else { EOS }, |t| t.lower);
        let shape_at = |j: isize| at(j).map_or(if j < ii { BOS } else { EOS }, |t| t.shape);
        let first = i == range.start;
        let caps = self.all_caps[sentence] as u64;

        t.own_features(&mut f);
        let (p1, p2, n1, n2) = (
            lower_at(ii - 1),
            lower_at(ii - 2),
            lower_at(ii + 1),
            lower_at(ii + 2),
        );
        f(fmix(tid(13), p1));
        f(fmix(tid(14), n1));
        f(fmix(tid(15), p2));
        f(fmix(tid(16), n2));
        let (sp, sn) = (shape_at(ii - 1), shape_at(ii + 1));
        shape_features([sp, t.shape, sn], &mut f);
        f(fmix(tid(20), fmix(p1, t.lower)));
        f(fmix(tid(21), fmix(t.lower, n1)));
        f(fmix(tid(22), fmix(first as u64, t.shape)));
        if first {
            f(fmix(tid(23), t.lower));
        }
        f(fmix(tid(24), fmix(caps, t.shape)));
        if caps == 1 {
            f(fmix(tid(25), t.lower));
        }
        let freq = t.freq as u64;
        f(fmix(tid(26), fmix(freq, fmix(t.shape, first as u64))));
        freq_features(freq_key(t, at(ii - 1), at(ii + 1)), &mut f);
        self.lexicon_features(t, at(ii - 1), at(ii + 1), true, &mut f);
        f(fmix(tid(38), at(ii - 1).map_or(BOS, |t| t.word)));
        f(fmix(tid(39), at(ii + 1).map_or(EOS, |t| t.word)));
        f(fmix(tid(40), at(ii - 1).map_or(BOS, |t| t.suffix[2])));
        f(fmix(tid(41), at(ii + 1).map_or(EOS, |t| t.suffix[2])));
        self.document_features(t, first, caps, f);
    }

    /// The features of token `i` that read more than its own text and the
    /// texts of its neighbours: [`features`](DocContext::features) less the
    /// per-word parts of [`TokenInfo`] (own features; plain ones unless `i`
    /// starts its sentence or the sentence is all capitals; what it reads
    /// of each neighbour, or of the sentence edge), which the tagger sums
    /// once per word. Features that are the same for most tokens are left
    /// out too, and the result says which: [`NO_LISTS_BEFORE`],
    /// [`NO_LISTS_AFTER`], [`NO_RUN`] (see [`plain_context`] and
    /// [`TokenInfo::runless_features`]). Three groups of features that
    /// read a few small values are not called either: the result holds
    /// their [`GroupKeys`], from which the tagger sums them once per key.
    #[inline]
    pub(crate) fn context_features(
        &self,
        sentence: usize,
        range: Range<usize>,
        i: usize,
        mut f: impl FnMut(u64),
    ) -> (u8, GroupKeys) {
        let toks = &self.toks;
        let t = &toks[i];
        let at = |j: isize| -> Option<&TokenInfo> {
            if j >= range.start as isize && j < range.end as isize {
                Some(&toks[j as usize])
            } else {
                None
            }
        };
        let ii = i as isize;
        let prev = at(ii - 1);
        let next = at(ii + 1);
        let first = i == range.start;
        let caps = self.all_caps[sentence] as u64;
        let (p1, n1) = (prev.map_or(BOS, |t| t.lower), next.map_or(EOS, |t| t.lower));
        let (sp, sn) = (prev.map_or(BOS, |t| t.shape), next.map_or(EOS, |t| t.shape));
        f(fmix(tid(20), fmix(p1, t.lower)));
        f(fmix(tid(21), fmix(t.lower, n1)));
        let freq = t.freq as u64;
        if first || caps == 1 {
            f(fmix(tid(22), fmix(first as u64, t.shape)));
            f(fmix(tid(24), fmix(caps, t.shape)));
            f(fmix(tid(26), fmix(freq, fmix(t.shape, first as u64))));
        }
        if first {
            f(fmix(tid(23), t.lower));
        }
        if caps == 1 {
            f(fmix(tid(25), t.lower));
        }
        let skipped = self.lexicon_features(t, prev, next, false, &mut f);
        let keys = GroupKeys {
            shapes: [sp, t.shape, sn],
            freqs: freq_key(t, prev, next),
            document: self.document_key(t, first, caps),
        };
        (skipped, keys)
    }

    /// Gazetteer membership (position in the longest phrase per list, and
    /// the lists of the neighbours) and runs of capitalised words. Unless
    /// `all`, leaves out the features that take their usual value (no
    /// lists on either side, no run) and says which.
    #[inline]
    fn lexicon_features(
        &self,
        t: &TokenInfo,
        prev: Option<&TokenInfo>,
        next: Option<&TokenInfo>,
        all: bool,
        mut f: impl FnMut(u64),
    ) -> u8 {
        let mut lex = t.lex;
        let mut list = 0u64;
        while lex != 0 {
            let pos = lex & 0xf;
            if pos != 0 {
                f(fmix(tid(29), list * 8 + pos));
                f(fmix(tid(30), fmix(list * 8 + pos, t.shape)));
            }
            lex >>= 4;
            list += 1;
        }
        let lp = prev.map_or(0, |t| t.lex);
        let ln = next.map_or(0, |t| t.lex);
        let mut skipped = 0;
        if all || lp | t.lex != 0 {
            f(fmix(tid(31), fmix(lp, t.lex)));
        } else {
            skipped |= NO_LISTS_BEFORE;
        }
        if all || t.lex | ln != 0 {
            f(fmix(tid(32), fmix(t.lex, ln)));
        } else {
            skipped |= NO_LISTS_AFTER;
        }
        if all || t.run != 0 {
            f(fmix(tid(36), t.run as u64));
            f(fmix(tid(37), fmix(t.run as u64, t.shape)));
        } else {
            skipped |= NO_RUN;
        }
        skipped
    }

    /// Context aggregation and document context, for capitalised words.
    #[cfg(any(test, feature = "train"))]
    #[inline]
    fn document_features(&self, t: &TokenInfo, first: bool, caps: u64, f: impl FnMut(u64)) {
        if let Some(key) = self.document_key(t, first, caps) {
            document_features(key, f);
        }
    }

    /// All that [`document_features`] reads of a capitalised token: its
    /// aggregated cues, whether it occurs lower-cased, sentence start,
    /// all-capitals, its prediction history, and its shape.
    #[inline]
    fn document_key(&self, t: &TokenInfo, first: bool, caps: u64) -> Option<[u64; 3]> {
        if t.flags & UPPER == 0 {
            return None;
        }
        let hist = self.history.get(&t.lower).map_or(0u64, |counts| {
            // The most frequent type, O only when nothing else was seen.
            let best = (1..5)
                .max_by_key(|&k| (counts[k], std::cmp::Reverse(k)))
                .unwrap_or(1);
            if counts[best] > 0 {
                1 + best as u64
            } else {
                1
            }
        });
        let flags = t.lower_elsewhere as u64 | (first as u64) << 1 | caps << 2 | hist << 8;
        Some([t.agg as u64, flags, t.shape])
    }

    /// Whether sentence number `sentence` is in capitals (a headline).
    #[inline]
    pub(crate) fn all_caps(&self, sentence: usize) -> bool {
        self.all_caps[sentence]
    }

    /// Records a decoded sentence in the prediction history.
    pub(crate) fn record(&mut self, range: Range<usize>, tags: &[u8]) {
        for (t, &tag) in self.toks[range].iter().zip(tags) {
            if t.flags & UPPER == 0 {
                continue;
            }
            let k = type_of(tag as usize).map_or(0, |ty| ty + 1);
            let counts = self.history.entry(t.lower).or_insert([0; 5]);
            counts[k] = counts[k].saturating_add(1);
        }
    }
}

/// Marks each token with its position in the longest phrase of each
/// lexicon list that covers it. Phrases start at a capitalised token or a
/// digit; lookups stop after six tokens.
fn mark_phrases(lexicon: &Lexicon, toks: &mut [TokenInfo], lens: &mut [[u8; Lexicon::LISTS]]) {
    for start in 0..toks.len() {
        if toks[start].flags & (UPPER | DIGIT) == 0 {
            continue;
        }
        let mut key = PHRASE_SEED;
        for end in start..toks.len().min(start + LONGEST_PHRASE) {
            key = mix(key, toks[end].lower);
            let value = if end == start {
                toks[start].lexv
            } else {
                lexicon.get(key)
            };
            let lists = Lexicon::lists(value);
            if lists == 0 {
                if value & Lexicon::PREFIX == 0 {
                    break;
                }
                continue;
            }
            let len = (end - start + 1) as u8;
            for list in 0..Lexicon::LISTS {
                if lists & (1 << list) == 0 {
                    continue;
                }
                for j in start..=end {
                    if lens[j][list] > len {
                        continue;
                    }
                    lens[j][list] = len;
                    let pos: u64 = if len == 1 {
                        4
                    } else if j == start {
                        1
                    } else if j == end {
                        3
                    } else {
                        2
                    };
                    let shift = 4 * list as u64;
                    toks[j].lex = (toks[j].lex & !(0xf << shift)) | (pos << shift);
                }
            }
            if value & Lexicon::PREFIX == 0 {
                break;
            }
        }
    }
}

/// Hashes of the words whose presence next to a name is a cue.
struct CueWords {
    the: u64,
    possessive: u64,
    place_preps: Vec<u64>,
    speech: Vec<u64>,
    titles: Vec<u64>,
}

static CUE_WORDS: std::sync::LazyLock<CueWords> = std::sync::LazyLock::new(|| {
    let h = |w: &str| TokenInfo::new(w).lower;
    let all = |ws: &[&str]| ws.iter().map(|w| h(w)).collect();
    CueWords {
        the: h("the"),
        possessive: h("'s"),
        place_preps: all(&["in", "at", "from", "to", "near", "into", "across"]),
        speech: all(&["said", "says", "told", "added", "announced"]),
        titles: all(&[
            "mr.",
            "mrs.",
            "ms.",
            "dr.",
            "mr",
            "mrs",
            "ms",
            "president",
            "minister",
            "coach",
            "striker",
            "leader",
            "chairman",
            "spokesman",
            "spokeswoman",
            "secretary",
            "general",
            "sen.",
            "rep.",
            "gov.",
            "judge",
            "captain",
            "manager",
            "premier",
            "king",
            "queen",
        ]),
    }
});

/// Context aggregation: for each capitalised word, cues gathered from all
/// its occurrences in the document — capitalised mid-sentence, first or
/// later word of a multi-word run, alone, in a headline — and the lexicon
/// lists of every occurrence, so one informative mention informs all.
fn aggregate(toks: &mut [TokenInfo], sentences: &[Range<usize>], cues: &mut Cues) {
    let cue_words = &*CUE_WORDS;
    let is_any = |h: u64, set: &[u64]| set.contains(&h);
    cues.clear();
    for s in sentences {
        for i in s.clone() {
            let t = &toks[i];
            if t.flags & UPPER == 0 {
                continue;
            }
            let prev = (i > s.start).then(|| &toks[i - 1]);
            let next = (i + 1 < s.end).then(|| &toks[i + 1]);
            let mut c = 0u32;
            // What the neighbours of this occurrence say.
            if let Some(p) = prev {
                if p.lower == cue_words.the {
                    c |= 1 << 6;
                }
                if is_any(p.lower, &cue_words.place_preps) {
                    c |= 1 << 8;
                }
                if is_any(p.lower, &cue_words.titles) {
                    c |= 1 << 10;
                }
                if p.flags & DIGIT != 0 && p.flags & ALPHA == 0 {
                    c |= 1 << 12;
                }
            }
            if let Some(n) = next {
                if n.lower == cue_words.possessive {
                    c |= 1 << 7;
                }
                if is_any(n.lower, &cue_words.speech) {
                    c |= 1 << 9;
                }
                if n.flags & DIGIT != 0 && n.flags & ALPHA == 0 {
                    c |= 1 << 11;
                }
            }
            if i > s.start {
                c |= 1;
            }
            let run_len = t.run / 4;
            let run_pos = t.run % 4;
            if run_len >= 2 && i > s.start {
                c |= match run_pos {
                    0 => 2,
                    3 => 8,
                    _ => 4,
                };
            }
            if run_len == 1 && i > s.start {
                c |= 16;
            }
            if t.flags & LOWER == 0 {
                c |= 32;
            }
            let mut lists = 0u32;
            for list in 0..Lexicon::LISTS {
                if (t.lex >> (4 * list)) & 0xf != 0 {
                    lists |= 1 << list;
                }
            }
            *cues.entry(t.lower).or_default() |= c | (lists << 16);
        }
    }
    for t in toks.iter_mut() {
        if t.flags & UPPER != 0 {
            t.agg = cues.get(&t.lower).copied().unwrap_or(0);
        }
    }
}

/// Marks runs of capitalised tokens (names, titles, headlines).
fn mark_runs(toks: &mut [TokenInfo]) {
    let mut i = 0;
    while i < toks.len() {
        if toks[i].flags & CAP == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < toks.len() && toks[i].flags & CAP != 0 {
            i += 1;
        }
        let len = (i - start).min(4) as u8;
        for (j, t) in toks[start..i].iter_mut().enumerate() {
            let pos = if i - start == 1 {
                3
            } else if j == 0 {
                0
            } else if start + j + 1 == i {
                2
            } else {
                1
            };
            t.run = 4 * len + pos;
        }
    }
}

/// The lexicon key of a phrase already split into tokens.
#[cfg(any(test, feature = "train"))]
pub(crate) fn phrase_key<'a>(tokens: impl IntoIterator<Item = &'a str>) -> u64 {
    tokens
        .into_iter()
        .fold(PHRASE_SEED, |key, t| mix(key, TokenInfo::new(t).lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affixes_count_characters_not_bytes() {
        let a = TokenInfo::new("Zürich");
        let b = TokenInfo::new("zürich");
        assert_eq!(a.lower, b.lower);
        assert_eq!(a.prefix, b.prefix);
        assert_eq!(a.suffix, b.suffix);
        assert_ne!(a.shape, b.shape);
        let c = TokenInfo::new("Zü");
        // "zü" has two characters: a two-character prefix would be the
        // whole word, so only the one-character affixes are set.
        assert_ne!(c.prefix[0], 0);
        assert_eq!(c.prefix[1], 0);
        assert_eq!(
            TokenInfo::new("zürich").prefix[1],
            TokenInfo::new("züri").prefix[1]
        );
    }

    /// The per-word parts and the context features the tagger sums must
    /// be exactly the features training saw, position by position.
    #[test]
    fn parts_add_up_to_the_features() {
        let mut lex = Lexicon::with_capacity(8);
        lex.insert(phrase_key(["New"]), Lexicon::PREFIX);
        lex.insert(phrase_key(["New", "York"]), 1);
        lex.insert(phrase_key(["said"]), 5 << 8);
        let words = [
            "In", "New", "York", ",", "Cai", "Qi", "said", "Zürich", "'s", "2", ".", //
            "WORLD", "CUP", "NEWS", //
            "Cai",  //
            "He", "left", "New", "York", ".",
        ];
        let sentences = [0..11, 11..14, 14..15, 15..20];
        let mut ctx = DocContext::new(&lex, words, &sentences);
        ctx.record(0..11, &[0, 9, 11, 0, 1, 3, 0, 12, 0, 0, 0]);
        let (mut before, mut before2, mut after, mut after2) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        before_start(|h| before.push(h), |h| before2.push(h));
        after_end(|h| after.push(h), |h| after2.push(h));
        for (s, range) in sentences.iter().enumerate() {
            for i in range.clone() {
                let mut want = Vec::new();
                ctx.features(s, range.clone(), i, |h| want.push(h));
                let mut got = Vec::new();
                let t = &ctx.toks[i];
                t.own_features(|h| got.push(h));
                if i > range.start && !ctx.all_caps(s) {
                    t.plain_features(|h| got.push(h));
                }
                match i.checked_sub(1).filter(|&j| j >= range.start) {
                    Some(j) => ctx.toks[j].as_previous(|h| got.push(h)),
                    None => got.extend(&before),
                }
                match i.checked_sub(2).filter(|&j| j >= range.start) {
                    Some(j) => ctx.toks[j].as_second_previous(|h| got.push(h)),
                    None => got.extend(&before2),
                }
                match Some(i + 1).filter(|&j| j < range.end) {
                    Some(j) => ctx.toks[j].as_next(|h| got.push(h)),
                    None => got.extend(&after),
                }
                match Some(i + 2).filter(|&j| j < range.end) {
                    Some(j) => ctx.toks[j].as_second_next(|h| got.push(h)),
                    None => got.extend(&after2),
                }
                let (skipped, keys) = ctx.context_features(s, range.clone(), i, |h| got.push(h));
                shape_features(keys.shapes, |h| got.push(h));
                freq_features(keys.freqs, |h| got.push(h));
                if let Some(key) = keys.document {
                    document_features(key, |h| got.push(h));
                }
                plain_context(|flag, h| {
                    if skipped & flag != 0 {
                        got.push(h);
                    }
                });
                if skipped & NO_RUN != 0 {
                    t.runless_features(|h| got.push(h));
                }
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "token {i} ({})", words[i]);
            }
        }
    }

    #[test]
    fn phrases_mark_bilou_positions() {
        let mut lex = Lexicon::with_capacity(4);
        lex.insert(phrase_key(["New"]), Lexicon::PREFIX);
        lex.insert(phrase_key(["New", "York"]), 1);
        lex.insert(phrase_key(["York"]), 2);
        let words = ["in", "New", "York", "."];
        let sentences = [Range { start: 0, end: 4 }];
        let ctx = DocContext::new(&lex, words, &sentences);
        assert_eq!(ctx.toks[1].lex, 1);
        assert_eq!(ctx.toks[2].lex, 3 | (4 << 4));
        assert_eq!(ctx.toks[0].lex, 0);
    }
}
