//! Tokens and sentences scored from raw text rebuilt out of a CoNLL-U
//! treebank, so the tokenizer and segmenter are judged on what a user
//! feeds them: text, not gold tokens.
//!
//! The rebuild: each sentence is its token forms joined by a space unless
//! the token has `SpaceAfter=No`; sentences of a paragraph are joined by one
//! space; paragraphs (`# newpar`) are separated by a blank line; every
//! document (`# newdoc`) is a [`GoldDoc`] of its own. A multi-word token
//! counts as its words when they spell its surface form exactly (`don't` =
//! `do` + `n't`, the PTB/CoNLL convention) and as one token otherwise.
//! A token or sentence is correct when its character span matches exactly.

use std::fmt::Write as _;

use serde::Serialize;

use super::{match_sorted, Counts};

/// One rebuilt document: raw text and gold spans as byte offsets into it.
#[derive(Clone, Debug, Default)]
pub struct GoldDoc {
    pub id: String,
    pub text: String,
    pub tokens: Vec<(u32, u32)>,
    pub sentences: Vec<(u32, u32)>,
}

/// What a tokenizer + segmenter produced for one document.
#[derive(Clone, Debug, Default)]
pub struct Prediction {
    pub tokens: Vec<(u32, u32)>,
    pub sentences: Vec<(u32, u32)>,
}

/// Token and sentence scores over a treebank.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct UdScores {
    pub tokens: Counts,
    pub sentences: Counts,
    pub documents: u64,
}

/// Scores a prediction for every gold document.
pub fn score<F>(docs: &[GoldDoc], mut predict: F) -> UdScores
where
    F: FnMut(&GoldDoc) -> Prediction,
{
    let mut scores = UdScores::default();
    for doc in docs {
        let mut predicted = predict(doc);
        predicted.tokens.sort_unstable();
        predicted.sentences.sort_unstable();
        scores
            .tokens
            .add(match_sorted(&doc.tokens, &predicted.tokens));
        scores
            .sentences
            .add(match_sorted(&doc.sentences, &predicted.sentences));
        scores.documents += 1;
    }
    scores
}

/// A CoNLL-U line that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("conllu line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

#[derive(Default)]
struct Builder {
    docs: Vec<GoldDoc>,
    doc: GoldDoc,
    /// Whether the current document has a paragraph open.
    in_paragraph: bool,
    sentence_start: Option<u32>,
    /// Words of the multi-word token being read: (remaining words, surface,
    /// surface start, space after, words seen so far).
    mwt: Option<Mwt>,
}

struct Mwt {
    last_id: usize,
    surface: String,
    start: u32,
    space_after: bool,
    words: Vec<String>,
}

impl Builder {
    fn new_doc(&mut self, id: &str) {
        self.finish_doc();
        self.doc.id = id.to_string();
    }

    fn finish_doc(&mut self) {
        if !self.doc.text.is_empty() || !self.doc.id.is_empty() {
            let mut doc = std::mem::take(&mut self.doc);
            let trimmed = doc.text.trim_end().len();
            doc.text.truncate(trimmed);
            self.docs.push(doc);
        }
        self.in_paragraph = false;
    }

    fn new_paragraph(&mut self) {
        self.in_paragraph = false;
    }

    fn begin_sentence(&mut self) {
        let text = &mut self.doc.text;
        // Trailing separators left by the previous sentence's last token.
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
        if !text.is_empty() {
            text.push_str(if self.in_paragraph { " " } else { "\n\n" });
        }
        self.in_paragraph = true;
        self.sentence_start = Some(text.len() as u32);
    }

    fn push_token(&mut self, form: &str, space_after: bool) {
        let start = self.doc.text.len() as u32;
        self.doc.text.push_str(form);
        self.doc.tokens.push((start, self.doc.text.len() as u32));
        if space_after {
            self.doc.text.push(' ');
        }
    }

    fn end_sentence(&mut self) {
        if let Some(start) = self.sentence_start.take() {
            let end = self.doc.tokens.last().map_or(start, |t| t.1);
            if end > start {
                self.doc.sentences.push((start, end));
            }
        }
    }
}

/// Rebuilds raw text and gold spans from a CoNLL-U file's contents.
pub fn parse_conllu(input: &str) -> Result<Vec<GoldDoc>, ParseError> {
    let mut b = Builder::default();
    let mut doc_counter = 0usize;
    for (index, line) in input.lines().enumerate() {
        let line_no = index + 1;
        let error = |message: &str| ParseError {
            line: line_no,
            message: message.to_string(),
        };
        if line.is_empty() {
            b.end_sentence();
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(id) = comment
                .strip_prefix("newdoc id =")
                .or(comment.strip_prefix("newdoc"))
            {
                b.new_doc(id.trim());
                doc_counter += 1;
            } else if comment.starts_with("newpar") {
                b.new_paragraph();
            }
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        if columns.len() != 10 {
            return Err(error("expected 10 tab-separated columns"));
        }
        let (id, form, misc) = (columns[0], columns[1], columns[9]);
        if id.contains('.') {
            continue; // empty node: no surface text
        }
        if b.sentence_start.is_none() {
            if b.doc.id.is_empty() && b.doc.text.is_empty() {
                doc_counter += 1;
                b.doc.id = format!("doc-{doc_counter}");
            }
            b.begin_sentence();
        }
        let space_after = !misc.split('|').any(|m| m == "SpaceAfter=No");
        if let Some((first, last)) = id.split_once('-') {
            let _first: usize = first.parse().map_err(|_| error("bad range id"))?;
            let last_id: usize = last.parse().map_err(|_| error("bad range id"))?;
            b.mwt = Some(Mwt {
                last_id,
                surface: form.to_string(),
                start: b.doc.text.len() as u32,
                space_after,
                words: Vec::new(),
            });
            continue;
        }
        let word_id: usize = id.parse().map_err(|_| error("bad token id"))?;
        match b.mwt.as_mut() {
            Some(mwt) => {
                mwt.words.push(form.to_string());
                if word_id == mwt.last_id {
                    let mwt = b.mwt.take().expect("open multi-word token");
                    finish_mwt(&mut b, mwt);
                }
            }
            None => b.push_token(form, space_after),
        }
    }
    b.end_sentence();
    b.finish_doc();
    Ok(b.docs)
}

/// Writes a multi-word token: as its words when they spell the surface
/// exactly, else as one token.
fn finish_mwt(b: &mut Builder, mwt: Mwt) {
    let spelled: String = mwt.words.concat();
    debug_assert_eq!(b.doc.text.len() as u32, mwt.start);
    if spelled == mwt.surface {
        let mut at = mwt.start;
        for word in &mwt.words {
            let end = at + word.len() as u32;
            b.doc.tokens.push((at, end));
            at = end;
        }
        b.doc.text.push_str(&mwt.surface);
    } else {
        b.push_token(&mwt.surface, false);
    }
    if mwt.space_after {
        b.doc.text.push(' ');
    }
}

/// A short human-readable report line.
pub fn describe(scores: &UdScores) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "tokens F1 {:.2} (P {:.2} R {:.2}), sentences F1 {:.2} (P {:.2} R {:.2}), {} documents",
        scores.tokens.f1(),
        scores.tokens.precision(),
        scores.tokens.recall(),
        scores.sentences.f1(),
        scores.sentences.precision(),
        scores.sentences.recall(),
        scores.documents
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# newdoc id = d1\n# newpar id = p1\n# text = I'm here.\n\
1-2\tI'm\t_\t_\t_\t_\t_\t_\t_\t_\n\
1\tI\tI\t_\t_\t_\t_\t_\t_\t_\n\
2\t'm\tbe\t_\t_\t_\t_\t_\t_\t_\n\
3\there\there\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n\
4\t.\t.\t_\t_\t_\t_\t_\t_\t_\n\
\n\
# text = Yes!\n\
1\tYes\tyes\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n\
2\t!\t!\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n\
\n\
# newpar id = p2\n\
# text = vámonos\n\
1-2\tvámonos\t_\t_\t_\t_\t_\t_\t_\t_\n\
1\tvamos\tir\t_\t_\t_\t_\t_\t_\t_\n\
2\tnos\tnos\t_\t_\t_\t_\t_\t_\t_\n\
\n\
# newdoc id = d2\n\
1\tNext\tnext\t_\t_\t_\t_\t_\t_\t_\n\
\n";

    #[test]
    fn rebuilds_text_paragraphs_and_multiword_tokens() {
        let docs = parse_conllu(SAMPLE).unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.text, "I'm here. Yes!\n\nvámonos");
        let spans: Vec<&str> = d
            .tokens
            .iter()
            .map(|&(s, e)| &d.text[s as usize..e as usize])
            .collect();
        assert_eq!(spans, ["I", "'m", "here", ".", "Yes", "!", "vámonos"]);
        let sentences: Vec<&str> = d
            .sentences
            .iter()
            .map(|&(s, e)| &d.text[s as usize..e as usize])
            .collect();
        assert_eq!(sentences, ["I'm here.", "Yes!", "vámonos"]);
        assert_eq!(docs[1].text, "Next");
        assert_eq!(docs[1].id, "d2");
    }

    #[test]
    fn scores_spans_exactly() {
        let docs = parse_conllu(SAMPLE).unwrap();
        let scores = score(&docs[..1], |doc| Prediction {
            // Whitespace tokens: "I'm", "here.", "Yes!", "vámonos".
            tokens: vec![(0, 3), (4, 9), (10, 14), (16, 24)],
            sentences: doc.sentences.clone(),
        });
        assert_eq!(scores.tokens.correct, 1);
        assert_eq!(scores.tokens.gold, 7);
        assert_eq!(scores.sentences.f1(), 100.0);
    }
}
