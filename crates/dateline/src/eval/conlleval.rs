//! Entity scoring over IOB tags, with the chunk semantics of the CoNLL-2003
//! `conlleval` script: an entity is correct only when its type, start and
//! end all match.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Counts;

/// An entity chunk: tokens `start..end` of a sequence, with its type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub label: String,
}

/// Splits an IOB tag into prefix and type: `B-PER` -> (`B`, `PER`), `O` -> (`O`, ``).
fn split_tag(tag: &str) -> (&str, &str) {
    match tag.split_once('-') {
        Some((prefix, label)) => (prefix, label),
        None => (tag, ""),
    }
}

/// The chunks of one tag sequence (a sentence or a whole document with
/// sentence breaks marked by `O`), read as conlleval reads them, so IOB1
/// and IOB2 input both work: a chunk starts at `B-`, or at `I-X` after `O`
/// or after a tag of another type; it ends before `O`, `B-`, or a tag of
/// another type.
pub fn chunks<S: AsRef<str>>(tags: &[S]) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, label) = split_tag(tag.as_ref());
        let starts = match prefix {
            "B" | "S" | "U" => true,
            "I" | "E" | "L" => !matches!(open, Some((_, l)) if l == label),
            _ => false,
        };
        let continues = !starts && matches!(prefix, "I" | "E" | "L");
        if !continues {
            if let Some((start, l)) = open.take() {
                out.push(Chunk {
                    start,
                    end: i,
                    label: l.to_string(),
                });
            }
        }
        if starts {
            open = Some((i, label));
        }
        // A single-token or last-token tag closes its chunk right here.
        if matches!(prefix, "S" | "U" | "E" | "L") {
            if let Some((start, l)) = open.take() {
                out.push(Chunk {
                    start,
                    end: i + 1,
                    label: l.to_string(),
                });
            }
        }
    }
    if let Some((start, l)) = open {
        out.push(Chunk {
            start,
            end: tags.len(),
            label: l.to_string(),
        });
    }
    out
}

/// Entity scores overall and per type.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EntityScores {
    pub overall: Counts,
    pub by_label: BTreeMap<String, Counts>,
    /// Tokens whose predicted tag equals the gold tag.
    pub tokens_correct: u64,
    pub tokens: u64,
}

impl EntityScores {
    /// Adds one sequence (a sentence): gold and predicted tags, same length.
    ///
    /// # Panics
    /// When the lengths differ: the caller aligned them wrongly.
    pub fn add_sequence<G: AsRef<str>, P: AsRef<str>>(&mut self, gold: &[G], predicted: &[P]) {
        assert_eq!(
            gold.len(),
            predicted.len(),
            "gold and predicted tags must align"
        );
        self.tokens += gold.len() as u64;
        self.tokens_correct += gold
            .iter()
            .zip(predicted)
            .filter(|(g, p)| g.as_ref() == p.as_ref())
            .count() as u64;
        let (gold, predicted) = (chunks(gold), chunks(predicted));
        self.overall.add(super::match_sorted(&gold, &predicted));
        for chunk in &gold {
            self.by_label.entry(chunk.label.clone()).or_default().gold += 1;
        }
        for chunk in &predicted {
            self.by_label
                .entry(chunk.label.clone())
                .or_default()
                .predicted += 1;
        }
        // Chunks come out ordered by start, so `gold` is sorted.
        for chunk in predicted.iter().filter(|c| gold.binary_search(c).is_ok()) {
            self.by_label
                .entry(chunk.label.clone())
                .or_default()
                .correct += 1;
        }
    }

    pub fn token_accuracy(&self) -> f64 {
        super::percent(self.tokens_correct, self.tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(tags: &str, expected: &[(usize, usize, &str)]) {
        let tags: Vec<&str> = tags.split_whitespace().collect();
        let got: Vec<(usize, usize, String)> = chunks(&tags)
            .into_iter()
            .map(|c| (c.start, c.end, c.label))
            .collect();
        let expected: Vec<(usize, usize, String)> = expected
            .iter()
            .map(|&(s, e, l)| (s, e, l.to_string()))
            .collect();
        assert_eq!(got, expected, "{tags:?}");
    }

    #[test]
    fn reads_chunks_like_conlleval() {
        check("B-PER I-PER O B-LOC", &[(0, 2, "PER"), (3, 4, "LOC")]);
        // IOB1: I- after O opens a chunk; B- splits adjacent chunks.
        check("I-ORG I-ORG B-ORG O", &[(0, 2, "ORG"), (2, 3, "ORG")]);
        // A type change inside a run opens a new chunk.
        check("B-PER I-LOC I-LOC", &[(0, 1, "PER"), (1, 3, "LOC")]);
        check("O O", &[]);
        // BILOU
        check("U-PER B-ORG L-ORG O", &[(0, 1, "PER"), (1, 3, "ORG")]);
    }

    #[test]
    fn scores_exact_spans_per_type() {
        let mut scores = EntityScores::default();
        scores.add_sequence(
            &["B-PER", "I-PER", "O", "B-LOC", "O"],
            &["B-PER", "O", "O", "B-LOC", "B-ORG"],
        );
        assert_eq!(scores.overall.correct, 1);
        assert_eq!(scores.overall.gold, 2);
        assert_eq!(scores.overall.predicted, 3);
        assert_eq!(scores.by_label["LOC"].correct, 1);
        assert_eq!(scores.by_label["PER"].correct, 0);
        assert_eq!(scores.by_label["ORG"].predicted, 1);
        assert_eq!(scores.tokens_correct, 3);
    }
}
