//! The training routine (feature `train`) is deterministic and learns from
//! the gaps the rules leave open.
#![cfg(feature = "train")]

use dateline_segment::train::{train, Example, Options};
use dateline_tokenize::Tokenizer;

/// Web-style documents: sentences joined by a space, some without a final
/// stop, some opening in lower case.
const DOCS: &[&[&str]] = &[
    &[
        "thanks for the help.",
        "i will call you tomorrow.",
        "see you there!",
    ],
    &[
        "the food was great...",
        "Staff were friendly.",
        "no parking though",
    ],
    &[
        "Hope all is well.",
        "see you soon.",
        "Thanks, Sean",
        "Here you go.",
    ],
    &["great place!", "love the pizza...", "And the beer.", "ok."],
];

#[test]
fn training_is_deterministic_and_learns() {
    let tokenizer = Tokenizer::default();
    let prepared: Vec<(String, Vec<_>, Vec<u32>)> = DOCS
        .iter()
        .map(|sentences| {
            let text = sentences.join(" ");
            let mut starts = Vec::new();
            let mut at = 0;
            for s in *sentences {
                starts.push(at as u32);
                at += s.len() + 1;
            }
            let tokens = tokenizer.tokenize(&text);
            (text, tokens, starts)
        })
        .collect();
    let examples: Vec<Example<'_>> = prepared
        .iter()
        .map(|(text, tokens, starts)| Example {
            text,
            tokens,
            sentence_starts: starts,
        })
        .collect();
    let options = Options {
        min_count: 1,
        ..Options::default()
    };
    let first = train(&examples, &options);
    let second = train(&examples, &options);
    assert_eq!(first.to_tsv(0.0, "test"), second.to_tsv(0.0, "test"));
    assert!(first.examples > 0 && first.positives > 0);
    assert!(!first.weights.is_empty());

    // On its own training data the model finds the boundaries the rules
    // leave to it.
    let (text, tokens, starts) = &prepared[0];
    let mut sentences = Vec::new();
    first.segment_into(0.0, text, tokens, &mut sentences);
    let got: Vec<u32> = sentences.iter().map(|s| s.span.start).collect();
    assert_eq!(&got, starts);
}
