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

fn bucket(n: u32) -> &'static str {
    match n {
        0 | 1 => "1",
        2 => "2",
        3 => "3",
        4..=6 => "4-6",
        7..=12 => "7-12",
        _ => "13+",
    }
}

fn abbrev(k: &Knowledge, word: &str) -> &'static str {
    match k.abbreviation(word) {
        Some(AbbrevClass::Title) => "title",
        Some(AbbrevClass::Ambiguous) => "ambiguous",
        Some(AbbrevClass::Final) => "final",
        None if crate::chunk::is_dotted_letters(word) => "dotted",
        None => "-",
    }
}

fn closers(s: &str) -> &'static str {
    match s.chars().next_back() {
        None => "-",
        Some(')' | ']' | '}') => "bracket",
        Some(_) => "quote",
    }
}

/// The first piece of each feature, in the order [`features`] emits them.
const TAGS: [&str; 18] = [
    "k", "kl", "ks", "kr", "krs", "kc", "klr", "klc", "kt", "kcl", "ko", "kst", "ka", "kn", "kb",
    "kbw", "knl", "klen",
];

/// Calls `emit` with the index in [`TAGS`] and the pieces of every feature
/// of a gap: the tag, the kind of the gap, then the rest. A feature's name
/// is its pieces joined by `|`, lower-cased.
pub(crate) fn features(g: &GapView<'_>, k: &Knowledge, mut emit: impl FnMut(usize, &[&str])) {
    let mut index = 0;
    let mut emit = |pieces: &[&str]| {
        debug_assert_eq!(pieces[0], TAGS[index]);
        emit(index, pieces);
        index += 1;
    };
    let kind = g.left.kind.as_str();
    let before = g.before(k);
    let ls = Shape::of(g.left.word).as_str();
    let rs = Shape::of(g.right.word).as_str();
    let lw = piece(g.left.word);
    let rw = piece(g.right.word);
    let case = match g.right.case {
        crate::chunk::Case::Upper => "upper",
        crate::chunk::Case::Lower => "lower",
        crate::chunk::Case::Digit => "digit",
        crate::chunk::Case::Other => "other",
    };
    emit(&["k", kind]);
    emit(&["kl", kind, lw]);
    emit(&["ks", kind, ls]);
    emit(&["kr", kind, rw]);
    emit(&["krs", kind, rs]);
    emit(&["kc", kind, case]);
    emit(&["klr", kind, ls, rs]);
    emit(&["klc", kind, lw, case]);
    emit(&["kt", kind, piece(g.left.terminal)]);
    emit(&["kcl", kind, closers(g.left.closers), case]);
    emit(&[
        "ko",
        kind,
        if g.right.openers.is_empty() {
            "-"
        } else {
            "open"
        },
    ]);
    emit(&[
        "kst",
        kind,
        if k.is_starter(g.right.word) {
            "starter"
        } else {
            "-"
        },
        case,
    ]);
    emit(&["ka", kind, abbrev(k, g.left.word), case]);
    emit(&["kn", kind, bucket(g.chunks)]);
    emit(&[
        "kb",
        kind,
        Shape::of(before.word).as_str(),
        before.kind.as_str(),
    ]);
    emit(&["kbw", kind, piece(before.word), lw]);
    emit(&["knl", kind, if g.newlines > 0 { "nl" } else { "-" }]);
    let len = match g.left.word.chars().count() {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        _ => "4+",
    };
    emit(&["klen", kind, len, ls]);
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
        Ok(Model {
            weights,
            threshold,
            prefixes: prefixes(),
        })
    }

    #[cfg(feature = "train")]
    pub fn from_weights(weights: impl IntoIterator<Item = (u64, f32)>, threshold: f32) -> Model {
        Model {
            weights: weights.into_iter().collect(),
            threshold,
            prefixes: prefixes(),
        }
    }

    pub fn score(&self, g: &GapView<'_>, k: &Knowledge) -> f32 {
        let mut sum = 0.0;
        let kind = g.left.kind as usize;
        features(g, k, |index, pieces| {
            let hash = hash_more(self.prefixes[index][kind], &pieces[2..]);
            sum += self.weights.get(&hash).copied().unwrap_or(0.0);
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
            features(&g, k, |index, pieces| {
                let kind = g.left.kind as usize;
                assert_eq!(
                    hash_more(model.prefixes[index][kind], &pieces[2..]),
                    hash_name(&pieces.join("|").to_ascii_lowercase()),
                    "{pieces:?}"
                );
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
