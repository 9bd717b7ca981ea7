//! Any string, tokenized by the tokenizer, segments into valid sentences.

use dateline_core::{validate, Doc, Stage};
use dateline_segment::{Config, Segmenter};
use dateline_tokenize::Tokenizer;
use proptest::prelude::*;

fn segment_and_validate(text: &str, config: Config) -> Result<(), TestCaseError> {
    let mut doc = Doc::new("any", text).expect("small text");
    Tokenizer::default().process(&mut doc).expect("tokenize");
    Segmenter::new(config).process(&mut doc).expect("segment");
    prop_assert_eq!(validate(&doc), Ok(()));
    prop_assert_eq!(doc.sentences().is_empty(), doc.tokens().is_empty());
    Ok(())
}

proptest! {
    #[test]
    fn any_string(text in any::<String>()) {
        segment_and_validate(&text, Config::default())?;
        segment_and_validate(&text, Config { model: false })?;
    }

    #[test]
    fn punctuation_heavy_text(
        text in r#"([A-Za-z]{1,6}|[.!?…,:;"'()\[\]•⁃—-]|[0-9]{1,3}|U\.S\.|Mr\.|BEIJING,|May|\(Xinhua\)|。|[ \n]){0,60}"#
    ) {
        segment_and_validate(&text, Config::default())?;
    }
}

/// Inputs built to defeat bounded lookahead: long runs without spaces,
/// endless spaced ellipses, a line of capitals, one huge chunk, many
/// lines that start like datelines. Each must segment, validly, in one
/// pass (a quadratic pass would not finish in test time at this size).
#[test]
fn pathological_inputs() {
    let cases = [
        "a.".repeat(50_000),
        ". ".repeat(50_000),
        "A ".repeat(50_000),
        "BEIJING, May 14 (Xinhua) -\n".repeat(5_000),
        "x".repeat(100_000) + ". " + &"Y".repeat(100_000),
        "(".repeat(50_000) + &")".repeat(50_000),
        "1. a. 2. b. ".repeat(10_000),
        "http://x.org/a ".repeat(10_000),
    ];
    for text in &cases {
        segment_and_validate(text, Config::default()).expect("valid");
    }
}
