//! The principal type in this crate is [`Segmenter`]: it splits a
//! document's tokens into sentences, with the knowledge news text needs.
//!
//! ```
//! use dateline_core::{Doc, Span, Stage, Token, TokenKind};
//! use dateline_segment::Segmenter;
//!
//! let text = "BEIJING, May 14 (Xinhua) -- Cai Qi met Mr. Sodbaatar. They spoke.";
//! let mut doc = Doc::new("d", text)?;
//! // Any tokenizer will do; here, whitespace and a split-off final period.
//! let mut tokens = Vec::new();
//! let mut start = None;
//! for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
//!     match (c.is_whitespace(), start) {
//!         (false, None) => start = Some(i),
//!         (true, Some(s)) => {
//!             let word = &text[s..i];
//!             if word.len() > 1 && word.ends_with('.') && word != "Mr." {
//!                 tokens.push(Token::new(Span::from_usize(s, i - 1), TokenKind::Word));
//!                 tokens.push(Token::new(Span::from_usize(i - 1, i), TokenKind::Punct));
//!             } else {
//!                 tokens.push(Token::new(Span::from_usize(s, i), TokenKind::Word));
//!             }
//!             start = None;
//!         }
//!         _ => {}
//!     }
//! }
//! doc.tokens = Some(tokens);
//! Segmenter::default().process(&mut doc)?;
//! let sentences: Vec<&str> = doc.sentences().iter().map(|s| doc.slice(s.span)).collect();
//! assert_eq!(
//!     sentences,
//!     ["BEIJING, May 14 (Xinhua) -- Cai Qi met Mr. Sodbaatar.", "They spoke."]
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How boundaries are decided
//!
//! The segmenter reads the whitespace-delimited chunks around each gap
//! between tokens (`U.S.`, `"final."`, `anonymity.)`), so it works on any
//! reasonable tokenization. A gap with no whitespace is never a boundary,
//! except after a CJK full stop (`。`). The rules, in order of precedence:
//!
//! 1. **Blank line**: always a boundary.
//! 2. **Dateline**: `BEIJING, May 14 (Xinhua) --`, `WASHINGTON, Jan. 7
//!    (Reuters) -`, `LONDON (AP) -` at a line start open the sentence that
//!    follows them: no boundary inside or right after one.
//! 3. **Lists**: a bullet (`•`, `⁃`) or a list marker (`1.`, `2)`, `3.)`,
//!    `a.`) at a line start, or the next marker of a running list on the
//!    same line (`1. The first item 2. The second item`), opens a sentence;
//!    no boundary right after a marker.
//! 4. **Single line break** after a line without a final stop (a headline,
//!    byline, caption or label): a boundary, unless the line plainly
//!    continues (it ends with a comma, colon, dash or a word such as `of`,
//!    or the next line starts in lower case).
//! 5. **Full stops** (`.`, `!`, `?`, ellipses), with the closing quotes and
//!    brackets that follow them staying in the sentence (`"final."`,
//!    `anonymity.)`):
//!    - before a lower-case word: no boundary after an abbreviation or a
//!      closing quote (`"Stop!" he shouted`, `Yahoo! in`); otherwise the
//!      model decides (web text often starts sentences in lower case);
//!    - after a title (`Mr.`, `Dr.`, `Sen.`): no boundary on the same line;
//!    - after an ambiguous abbreviation or dotted acronym (`Inc.`, `Co.`,
//!      `Jan.`, `U.S.`, `a.m.`): a boundary only before a usual sentence
//!      opener or a title (`I live in the U.S. How about you?`, but `U.S.
//!      Government`), and only once the sentence has four chunks (`At 5
//!      a.m. Mr. Smith went`);
//!    - after an initial: no boundary (`Jonas E. Smith`, `J.K. Rowling`),
//!      unless it is `I` or follows a lower-case word and a sentence opener
//!      comes next (`you and I. Did you`);
//!    - spaced ellipses: `. . .` stays inside a sentence, `. . . .` ends
//!      one, and in `word. . . . Next` the first period ends the sentence;
//!    - anything else before a capital letter: a boundary, except before a
//!      photo credit that ends the line (`2025. (Xinhua/Rao Aimin)`,
//!      `2024. REUTERS/Brendan McDermid`);
//!    - a bracket closed after a space and an emoticon stay with the
//!      sentence before them (`next day. )`, `great! :P`), and an emoticon
//!      ends a sentence as a full stop does.
//! 6. **Without a full stop** on one line: no boundary before a lower-case
//!    word, inside brackets (`(Web editor: Zhang Kaiwei, ...)`), after a
//!    semicolon, or between two plain words, numbers, ISO dates or times
//!    (`NEW YORK 1996-08-26`). A few web-text patterns go to the model: a
//!    sign-off opened by a salutation (`Thanks, Sean`), a short label
//!    (`How to Pledge: This year ...`), a dash after a few words, and the
//!    header lines of mail (a written date, address or link after a name,
//!    the word after `07:17 AM`).
//! 7. **The model** decides what the rules leave open: an averaged
//!    perceptron over features of the gap (the words on either side, their
//!    shapes and casing, the punctuation, abbreviation class, sentence
//!    length so far), trained on UD English EWT train. Its weights are in
//!    `data/boundary-model.tsv`; [`Config::model`] turns it off, leaving
//!    the rules' own default for those gaps.
//!
//! The abbreviation lists, sentence openers, line continuations, news
//! agencies, months, salutations and punctuation roles are data files
//! under `data/`,
//! compiled in and parsed once. The pass is linear in the number of tokens:
//! most gaps are settled by reading three bytes, and every lookahead is
//! bounded.
//!
//! # Crate features
//! - `train`: [`train::train`], which fits the boundary model from gold
//!   sentences (used by `cargo xtask train-segment`).

mod chunk;
mod knowledge;
mod model;
mod sweep;
#[cfg(feature = "train")]
pub mod train;

use std::sync::LazyLock;

use dateline_core::{Doc, Layer, Sentence, Stage, StageError, Token};

use crate::knowledge::{Knowledge, KNOWLEDGE};
use crate::model::{GapView, Model, MODEL};
use crate::sweep::{Decider, Sweep};

/// Options of a [`Segmenter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Let the learned boundary model decide the gaps the rules leave open
    /// (default). Without it those gaps are boundaries only after an
    /// ellipsis before a capital letter.
    pub model: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config { model: true }
    }
}

/// Splits tokens into sentences. Holds only references to shared,
/// read-only tables, so one instance serves every thread.
#[derive(Clone, Copy, Debug)]
pub struct Segmenter {
    config: Config,
}

impl Default for Segmenter {
    fn default() -> Segmenter {
        Segmenter::new(Config::default())
    }
}

impl Segmenter {
    /// A segmenter with the given options. The word lists and the model
    /// are parsed here, once for the process, rather than in the first
    /// document's [`Segmenter::segment_into`].
    pub fn new(config: Config) -> Segmenter {
        LazyLock::force(&KNOWLEDGE);
        if config.model {
            LazyLock::force(&MODEL);
        }
        Segmenter { config }
    }

    pub fn config(&self) -> Config {
        self.config
    }

    /// Appends to `out` the sentences of `tokens`, which must be the tokens
    /// of `text` in order (as [`dateline_core::validate`] checks): contiguous,
    /// non-empty, covering every token. No tokens, no sentences.
    // Called once a document, so inlining buys nothing; kept apart, its
    // cost shows as one entry in a profile.
    #[inline(never)]
    pub fn segment_into(&self, text: &str, tokens: &[Token], out: &mut Vec<Sentence>) {
        let decider = ModelDecider {
            model: self.config.model.then(|| &*MODEL),
            knowledge: &KNOWLEDGE,
        };
        Sweep::new(&KNOWLEDGE, text, tokens, decider).run(out);
    }

    /// The sentences of `tokens`; see [`Segmenter::segment_into`].
    pub fn segment(&self, text: &str, tokens: &[Token]) -> Vec<Sentence> {
        let mut out = Vec::new();
        self.segment_into(text, tokens, &mut out);
        out
    }
}

impl Stage for Segmenter {
    fn name(&self) -> &'static str {
        "segment"
    }

    fn requires(&self) -> &[Layer] {
        &[Layer::Tokens]
    }

    fn provides(&self) -> &[Layer] {
        &[Layer::Sentences]
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        self.check_requirements(doc)?;
        let mut sentences = Vec::new();
        self.segment_into(doc.text(), doc.tokens(), &mut sentences);
        doc.sentences = Some(sentences);
        Ok(())
    }
}

struct ModelDecider<'m> {
    model: Option<&'m Model>,
    knowledge: &'m Knowledge,
}

impl Decider for ModelDecider<'_> {
    fn decide(&mut self, gap: &GapView<'_>, _right_token: usize) -> bool {
        match self.model {
            Some(model) => model.is_boundary(gap, self.knowledge),
            None => gap.left.kind == chunk::Kind::Ellipsis && gap.right.case == chunk::Case::Upper,
        }
    }
}

#[cfg(test)]
mod send_sync {
    #[test]
    fn segmenter_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::Segmenter>();
    }
}
