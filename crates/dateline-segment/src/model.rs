//! The learned boundary classifier: a linear model over hashed features of
//! a candidate gap, for the cases the rules leave open (a period before a
//! lower-case word, an ellipsis, a line of web text that ends without
//! punctuation).
//!
//! The weights live in `data/boundary-model.tsv` (`feature<TAB>weight`,
//! made by `cargo xtask train-segment` from UD English EWT train) and are
//! read once into a hash table keyed by a 64-bit hash of the feature
//! string. Features are produced as string pieces; the runtime hashes the
//! pieces in place, so scoring allocates nothing.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

use crate::chunk::{Kind, Left, Right, Shape};
use crate::knowledge::{AbbrevClass, Knowledge};

/// Everything the model sees of one candidate gap.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GapView<'t> {
    pub left: Left<'t>,
    pub right: Right<'t>,
    /// The chunk before the left one, split when needed.
    pub before_chunk: &'t str,
    pub newlines: u32,
    /// Chunks in the sentence so far, the left one included.
    pub chunks: u32,
}

impl<'t> GapView<'t> {
    /// The chunk before the left one, split like the left one.
    pub fn before(&self, k: &Knowledge) -> Left<'t> {
        crate::chunk::split_left(self.before_chunk, k)
    }
}

/// Feature strings longer than this are replaced by a placeholder: a long
/// URL as a word feature would never be seen twice.
const MAX_PIECE: usize = 24;

fn piece(word: &str) -> &str {
    if word.len() > MAX_PIECE {
        "<long>"
    } else {
        word
    }
}

/// The values of the pieces that come from short lists (every piece of a
/// feature but its tag and kind, unless the feature holds a word).
const CASES: [&str; 4] = ["upper", "lower", "digit", "other"];
const CLOSERS: [&str; 3] = ["-", "bracket", "quote"];
const OPENERS: [&str; 2] = ["-", "open"];
const STARTERS: [&str; 2] = ["starter", "-"];
const ABBREVIATIONS: [&str; 5] = ["title", "ambiguous", "final", "dotted", "-"];
const BUCKETS: [&str; 6] = ["1", "2", "3", "4-6", "7-12", "13+"];
const NEWLINES: [&str; 2] = ["nl", "-"];
const LENGTHS: [&str; 5] = ["0", "1", "2", "3", "4+"];
const SHAPES: usize = Shape::ALL.len();

fn bucket(n: u32) -> usize {
    match n {
        0 | 1 => 0,
        2 => 1,
        3 => 2,
        4..=6 => 3,
        7..=12 => 4,
        _ => 5,
    }
}

fn abbrev(k: &Knowledge, word: &str) -> usize {
    match k.abbreviation(word) {
        Some(AbbrevClass::Title) => 0,
        Some(AbbrevClass::Ambiguous) => 1,
        Some(AbbrevClass::Final) => 2,
        None if crate::chunk::is_dotted_letters(word) => 3,
        None => 4,
    }
}

fn closers(s: &str) -> usize {
    match s.chars().next_back() {
        None => 0,
        Some(')' | ']' | '}') => 1,
        Some(_) => 2,
    }
}

/// The first piece of each feature, in the order [`features`] emits them.
const TAGS: [&str; 18] = [
    "k", "kl", "ks", "kr", "krs", "kc", "klr", "klc", "kt", "kcl", "ko", "kst", "ka", "kn", "kb",
    "kbw", "knl", "klen",
];

/// For each feature in [`TAGS`], the lists its pieces after the kind come
/// from, or `None` for a feature that holds a word. The code [`features`]
/// gives such a feature numbers its pieces in these lists, the first
/// piece the most significant.
fn piece_lists() -> [Option<Vec<Vec<&'static str>>>; TAGS.len()] {
    let shapes: Vec<&str> = Shape::ALL.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    let list = |l: &[&'static str]| l.to_vec();
    [
        Some(vec![]),
        None,
        Some(vec![shapes.clone()]),
        None,
        Some(vec![shapes.clone()]),
        Some(vec![list(&CASES)]),
        Some(vec![shapes.clone(), shapes.clone()]),
        None,
        None,
        Some(vec![list(&CLOSERS), list(&CASES)]),
        Some(vec![list(&OPENERS)]),
        Some(vec![list(&STARTERS), list(&CASES)]),
        Some(vec![list(&ABBREVIATIONS), list(&CASES)]),
        Some(vec![list(&BUCKETS)]),
        Some(vec![shapes.clone(), kinds]),
        None,
        Some(vec![list(&NEWLINES)]),
        Some(vec![list(&LENGTHS), shapes]),
    ]
}

/// The pieces after the tag and kind of the feature with a code, written
/// to `out`; returns how many.
fn decode<'a>(lists: &[Vec<&'a str>], code: usize, out: &mut [&'a str; 2]) -> usize {
    let mut radix: usize = lists.iter().map(Vec::len).product();
    let mut rest = code;
    for (list, piece) in lists.iter().zip(out.iter_mut()) {
        radix /= list.len();
        *piece = list[rest / radix];
        rest %= radix;
    }
    lists.len()
}

/// Calls `emit` with the index in [`TAGS`] and the pieces of every feature
/// of a gap: the tag, the kind of the gap, then the rest. A feature's name
/// is its pieces joined by `|`, lower-cased. A feature with no word also
/// comes with a code that numbers its pieces (see [`piece_lists`]), so
/// the runtime finds its weight in a table without hashing the name.
pub(crate) fn features(
    g: &GapView<'_>,
    k: &Knowledge,
    mut emit: impl FnMut(usize, &[&str], Option<usize>),
) {
    let mut index = 0;
    let mut emit = |pieces: &[&str], code: Option<usize>| {
        debug_assert_eq!(pieces[0], TAGS[index]);
        emit(index, pieces, code);
        index += 1;
    };
    let kind = g.left.kind.as_str();
    let before = g.before(k);
    let (lshape, rshape) = (Shape::of(g.left.word), Shape::of(g.right.word));
    let (ls, rs) = (lshape.as_str(), rshape.as_str());
    let (li, ri) = (lshape as usize, rshape as usize);
    let lw = piece(g.left.word);
    let rw = piece(g.right.word);
    let ci = match g.right.case {
        crate::chunk::Case::Upper => 0,
        crate::chunk::Case::Lower => 1,
        crate::chunk::Case::Digit => 2,
        crate::chunk::Case::Other => 3,
    };
    let case = CASES[ci];
    emit(&["k", kind], Some(0));
    emit(&["kl", kind, lw], None);
    emit(&["ks", kind, ls], Some(li));
    emit(&["kr", kind, rw], None);
    emit(&["krs", kind, rs], Some(ri));
    emit(&["kc", kind, case], Some(ci));
    emit(&["klr", kind, ls, rs], Some(li * SHAPES + ri));
    emit(&["klc", kind, lw, case], None);
    emit(&["kt", kind, piece(g.left.terminal)], None);
    let cl = closers(g.left.closers);
    emit(
        &["kcl", kind, CLOSERS[cl], case],
        Some(cl * CASES.len() + ci),
    );
    let open = usize::from(!g.right.openers.is_empty());
    emit(&["ko", kind, OPENERS[open]], Some(open));
    let starter = usize::from(!k.is_starter(g.right.word));
    emit(
        &["kst", kind, STARTERS[starter], case],
        Some(starter * CASES.len() + ci),
    );
    let ab = abbrev(k, g.left.word);
    emit(
        &["ka", kind, ABBREVIATIONS[ab], case],
        Some(ab * CASES.len() + ci),
    );
    let bu = bucket(g.chunks);
    emit(&["kn", kind, BUCKETS[bu]], Some(bu));
    let bshape = Shape::of(before.word);
    emit(
        &["kb", kind, bshape.as_str(), before.kind.as_str()],
        Some(bshape as usize * Kind::ALL.len() + before.kind as usize),
    );
    emit(&["kbw", kind, piece(before.word), lw], None);
    let nl = usize::from(g.newlines == 0);
    emit(&["knl", kind, NEWLINES[nl]], Some(nl));
    let len = g.left.word.chars().count().min(LENGTHS.len() - 1);
    emit(&["klen", kind, LENGTHS[len], ls], Some(len * SHAPES + li));
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over the lower-cased pieces joined by `|`: the same value as the
/// hash of the feature's name, computed without building the name.
#[inline]
pub(crate) fn hash_pieces(pieces: &[&str]) -> u64 {
    match pieces.split_first() {
        Some((first, rest)) => hash_more(hash_piece(FNV_OFFSET, first), rest),
        None => FNV_OFFSET,
    }
}

/// [`hash_pieces`] of more pieces, from the hash of the ones before.
#[inline]
fn hash_more(mut h: u64, pieces: &[&str]) -> u64 {
    for p in pieces {
        h = hash_piece((h ^ u64::from(b'|')).wrapping_mul(FNV_PRIME), p);
    }
    h
}

#[inline]
fn hash_piece(mut h: u64, piece: &str) -> u64 {
    for &b in piece.as_bytes() {
        h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
    }
    h
}

/// The hash of a feature name (already lower-case) as written in the file.
pub(crate) fn hash_name(name: &str) -> u64 {
    hash_pieces(&[name])
}

/// Hash keys are already well mixed: the table uses them as they are.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed")
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Name of the line that holds the decision threshold in the model file.
pub(crate) const THRESHOLD: &str = "@threshold";

#[derive(Debug)]
pub(crate) struct Model {
    weights: HashMap<u64, f32, BuildHasherDefault<IdentityHasher>>,
    threshold: f32,
    /// The hash of each feature's tag and kind (`kl|period`), indexed by
    /// tag and kind: the rest of a name is hashed on from there.
    prefixes: [[u64; Kind::ALL.len()]; TAGS.len()],
    /// The weights of the features with no word, by tag, kind and code
    /// (see [`piece_lists`]): where each tag and kind starts in `coded`.
    offsets: [[usize; Kind::ALL.len()]; TAGS.len()],
    coded: Vec<f32>,
}

fn prefixes() -> [[u64; Kind::ALL.len()]; TAGS.len()] {
    let mut table = [[0; Kind::ALL.len()]; TAGS.len()];
    for (row, tag) in table.iter_mut().zip(TAGS) {
        for (cell, kind) in row.iter_mut().zip(Kind::ALL) {
            *cell = hash_pieces(&[tag, kind.as_str()]);
        }
    }
    table
}

pub(crate) static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::parse(include_str!("../data/boundary-model.tsv"))
        .unwrap_or_else(|e| panic!("dateline-segment boundary model: {e}"))
});

impl Model {
    pub fn parse(file: &str) -> Result<Model, String> {
        let mut weights = HashMap::default();
        let mut threshold = 0.0;
        for (n, line) in file.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, weight) = line
                .rsplit_once('\t')
                .ok_or_else(|| format!("line {}: expected feature<TAB>weight", n + 1))?;
            let weight: f32 = weight
                .parse()
                .map_err(|_| format!("line {}: bad weight {weight:?}", n + 1))?;
            if name == THRESHOLD {
                threshold = weight;
            } else {
                weights.insert(hash_name(name), weight);
            }
        }
        Ok(Model::new(weights, threshold))
    }

    fn new(
        weights: HashMap<u64, f32, BuildHasherDefault<IdentityHasher>>,
        threshold: f32,
    ) -> Model {
        let mut offsets = [[0; Kind::ALL.len()]; TAGS.len()];
        let mut coded = Vec::new();
        let prefixes = prefixes();
        let mut pieces = [""; 2];
        for (t, lists) in piece_lists().into_iter().enumerate() {
            let Some(lists) = lists else { continue };
            let size: usize = lists.iter().map(Vec::len).product();
            for kind in 0..Kind::ALL.len() {
                offsets[t][kind] = coded.len();
                for code in 0..size {
                    let n = decode(&lists, code, &mut pieces);
                    let hash = hash_more(prefixes[t][kind], &pieces[..n]);
                    coded.push(weights.get(&hash).copied().unwrap_or(0.0));
                }
            }
        }
        Model {
            weights,
            threshold,
            prefixes,
            offsets,
            coded,
        }
    }

    #[cfg(feature = "train")]
    pub fn from_weights(weights: impl IntoIterator<Item = (u64, f32)>, threshold: f32) -> Model {
        Model::new(weights.into_iter().collect(), threshold)
    }

    pub fn score(&self, g: &GapView<'_>, k: &Knowledge) -> f32 {
        let mut sum = 0.0;
        let kind = g.left.kind as usize;
        features(g, k, |index, pieces, code| {
            sum += match code {
                Some(code) => self.coded[self.offsets[index][kind] + code],
                None => {
                    let hash = hash_more(self.prefixes[index][kind], &pieces[2..]);
                    self.weights.get(&hash).copied().unwrap_or(0.0)
                }
            };
        });
        sum
    }

    pub fn is_boundary(&self, g: &GapView<'_>, k: &Knowledge) -> bool {
        self.score(g, k) > self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::{split_left, split_right};
    use crate::knowledge::KNOWLEDGE;

    #[test]
    fn hashes_from_prefixes_equal_hashes_of_names() {
        let model = &*MODEL;
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?}");
        }
        let k = &*KNOWLEDGE;
        for (before, left, right) in [
            ("said", "Inc.", "The"),
            ("(U.S.", "Jan.\"", "(lower"),
            ("", "stop!", "ABC"),
            ("x", "wait...", "Éclair"),
            ("Thanks,", "Sean:", "04/26/2001"),
            ("a|b", "--", "|"),
        ] {
            let g = GapView {
                left: split_left(left, k),
                right: split_right(right, k),
                before_chunk: before,
                newlines: 0,
                chunks: 3,
            };
            let mut n = 0;
            features(&g, k, |index, pieces, code| {
                let kind = g.left.kind as usize;
                let hash = hash_more(model.prefixes[index][kind], &pieces[2..]);
                assert_eq!(
                    hash,
                    hash_name(&pieces.join("|").to_ascii_lowercase()),
                    "{pieces:?}"
                );
                if let Some(code) = code {
                    let lists = piece_lists()[index].clone().expect("coded feature");
                    let mut rest = [""; 2];
                    let n = decode(&lists, code, &mut rest);
                    assert_eq!(&rest[..n], &pieces[2..]);
                    assert_eq!(
                        model.coded[model.offsets[index][kind] + code],
                        model.weights.get(&hash).copied().unwrap_or(0.0),
                        "{pieces:?}"
                    );
                }
                n += 1;
            });
            assert_eq!(n, TAGS.len());
        }
    }

    #[test]
    fn piece_hash_equals_name_hash() {
        assert_eq!(
            hash_pieces(&["kl", "Period", "Inc"]),
            hash_name("kl|period|inc")
        );
        assert_ne!(hash_pieces(&["kl", "period"]), hash_name("klperiod"));
    }

    #[test]
    fn parses_weights_and_threshold() {
        let m = Model::parse("# comment\nk|period\t1.5\n@threshold\t0.25\n").expect("valid");
        assert_eq!(m.weights.len(), 1);
        assert_eq!(m.threshold, 0.25);
        assert!(Model::parse("k|period 1.5\n").is_err());
    }
}
