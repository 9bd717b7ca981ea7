//! User gazetteers: phrase lists matched on token boundaries.

use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use dateline_core::{Doc, Label};

use crate::TagError;

/// A user phrase list, read from lines of `phrase<TAB>LABEL`.
///
/// Matching is case-sensitive and on token boundaries: a phrase matches
/// where it starts at a token's start and ends at a token's end, inside
/// one sentence, with any run of whitespace in the text matching one space
/// in the phrase. Where phrases overlap, the longest wins, then the
/// leftmost. Empty lines and lines starting with `#` are skipped.
#[derive(Clone, Debug)]
pub struct Gazetteer {
    matcher: AhoCorasick,
    labels: Vec<Label>,
}

impl Gazetteer {
    /// Parses `phrase<TAB>LABEL` lines.
    pub fn from_tsv(text: &str) -> Result<Gazetteer, TagError> {
        let mut phrases: Vec<String> = Vec::new();
        let mut labels = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |message: &str| TagError::GazetteerLine {
                line: n + 1,
                message: message.to_string(),
            };
            let (phrase, label) = line
                .rsplit_once('\t')
                .ok_or_else(|| bad("expected phrase<TAB>LABEL"))?;
            let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
            let label = label.trim();
            if phrase.is_empty() {
                return Err(bad("empty phrase"));
            }
            if label.is_empty() || label.contains(char::is_whitespace) {
                return Err(bad("the label must be one word"));
            }
            // The first line for a phrase decides its label.
            if seen.insert(phrase.clone()) {
                phrases.push(phrase);
                labels.push(Label::parse(label));
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&phrases)
            .map_err(|e| TagError::GazetteerLine {
                line: 0,
                message: format!("cannot build the matcher: {e}"),
            })?;
        Ok(Gazetteer { matcher, labels })
    }

    /// Reads a gazetteer file.
    pub fn load(path: impl AsRef<Path>) -> Result<Gazetteer, TagError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| TagError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Gazetteer::from_tsv(&text)
    }

    /// The number of distinct phrases.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Matches in a tokenised, segmented document: `(first, end, label)`
    /// token ranges, in order, non-overlapping.
    pub(crate) fn find(&self, doc: &Doc) -> Vec<(usize, usize, Label)> {
        let tokens = doc.tokens();
        if tokens.is_empty() || self.labels.is_empty() {
            return Vec::new();
        }
        // The text with each whitespace run between tokens made one space,
        // and where each token starts and ends in it.
        let mut norm = String::with_capacity(doc.text().len());
        let mut starts = Vec::with_capacity(tokens.len());
        let mut ends = Vec::with_capacity(tokens.len());
        let mut sentence_of = vec![0u32; tokens.len()];
        for (s, sentence) in doc.sentences().iter().enumerate() {
            for t in sentence.token_range() {
                sentence_of[t] = s as u32;
            }
        }
        for (i, t) in tokens.iter().enumerate() {
            if i > 0 && tokens[i - 1].span.end < t.span.start {
                norm.push(' ');
            }
            starts.push(norm.len());
            norm.push_str(doc.slice(t.span));
            ends.push(norm.len());
        }
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.matcher.find_overlapping_iter(&norm) {
            let (Ok(first), Ok(last)) = (
                starts.binary_search(&m.start()),
                ends.binary_search(&m.end()),
            ) else {
                continue;
            };
            if first <= last && sentence_of[first] == sentence_of[last] {
                found.push((first, last + 1, m.pattern().as_usize()));
            }
        }
        // Longest first, then leftmost; a token belongs to one match.
        found.sort_by_key(|&(a, b, p)| (std::cmp::Reverse(b - a), a, p));
        let mut taken = vec![false; tokens.len()];
        let mut out = Vec::new();
        for (a, b, p) in found {
            if taken[a..b].iter().any(|&t| t) {
                continue;
            }
            taken[a..b].iter_mut().for_each(|t| *t = true);
            out.push((a, b, self.labels[p].clone()));
        }
        out.sort_by_key(|m| m.0);
        out
    }
}
