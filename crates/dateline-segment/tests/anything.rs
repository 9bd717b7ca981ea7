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
