//! Scoring against gold data: the one implementation behind both
//! `cargo xtask eval` (the standard suites) and `dateline eval` (a user's
//! own gold files), so the two always agree.
//!
//! - [`ud`]: token and sentence F1 from raw text rebuilt out of a CoNLL-U
//!   treebank (UD English EWT).
//! - [`golden`]: the pySBD Golden Rules for sentence boundaries.
//! - [`conlleval`]: entity precision / recall / F1 over IOB2 tags, scored
//!   exactly like the CoNLL-2003 `conlleval` script; [`entities`] applies it
//!   to annotated documents.
//! - [`user`]: a gold file of the user's own (CoNLL, CoNLL-U or JSONL)
//!   scored end to end, as `dateline eval` does; `cargo xtask eval` scores
//!   its CoNLL and CoNLL-U suites through the same functions.

pub mod conlleval;
pub mod entities;
pub mod golden;
pub mod ud;
pub mod user;

use std::fmt;

use serde::Serialize;

/// Counts behind a precision / recall / F1 figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Items in both gold and prediction.
    pub correct: u64,
    /// Items in the gold data.
    pub gold: u64,
    /// Items predicted.
    pub predicted: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.correct += other.correct;
        self.gold += other.gold;
        self.predicted += other.predicted;
    }

    /// Precision in percent (100 when nothing was predicted, as conlleval does not; see [`Counts::f1`]).
    pub fn precision(&self) -> f64 {
        percent(self.correct, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        percent(self.correct, self.gold)
    }

    /// Harmonic mean of precision and recall, in percent; 0 when either is 0.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P {:6.2}  R {:6.2}  F1 {:6.2}  (gold {}, predicted {}, correct {})",
            self.precision(),
            self.recall(),
            self.f1(),
            self.gold,
            self.predicted,
            self.correct
        )
    }
}

/// Scores two sorted, duplicate-free lists of items: an item is correct
/// when it is in both. Linear in the lengths.
pub fn match_sorted<T: Ord>(gold: &[T], predicted: &[T]) -> Counts {
    let (mut i, mut j, mut correct) = (0, 0, 0u64);
    while i < gold.len() && j < predicted.len() {
        match gold[i].cmp(&predicted[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                correct += 1;
                i += 1;
                j += 1;
            }
        }
    }
    Counts {
        correct,
        gold: gold.len() as u64,
        predicted: predicted.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_of_partial_match() {
        let counts = match_sorted(&[(0, 3), (4, 6), (7, 9)], &[(0, 3), (4, 9)]);
        assert_eq!(
            counts,
            Counts {
                correct: 1,
                gold: 3,
                predicted: 2
            }
        );
        assert!((counts.precision() - 50.0).abs() < 1e-9);
        assert!((counts.recall() - 100.0 / 3.0).abs() < 1e-9);
        assert!((counts.f1() - 40.0).abs() < 1e-9);
    }

    #[test]
    fn empty_prediction_scores_zero() {
        let counts = match_sorted(&[1, 2], &[]);
        assert_eq!(counts.f1(), 0.0);
    }
}
