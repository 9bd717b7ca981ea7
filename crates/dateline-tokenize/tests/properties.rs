//! Property tests: any text tokenizes without panicking into tokens that
//! pass `validate`, and tokenizing is deterministic.

use dateline_core::{validate, Doc, Stage};
use dateline_tokenize::Tokenizer;
use proptest::prelude::*;

/// Characters the rules treat specially, so generated text hits them often.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "7",
    ".",
    ",",
    "'",
    "’",
    "-",
    "@",
    "#",
    "$",
    "%",
    "/",
    ":",
    "_",
    "&",
    "(",
    ")",
    "\"",
    "`",
    "…",
    "—",
    " ",
    "\n",
    "\t",
    "\u{a0}",
    "\u{301}",
    "\u{200d}",
    "\u{fe0f}",
    "👍",
    "🏽",
    "🇲",
    "北",
    "é",
    "\0",
    "http://",
    "www.",
    ".com",
    "n't",
    "Mr",
    "U.S.",
    "p.m.",
    "etc",
    "2025-05-14",
    "1,200",
    "e-",
    "Inc",
    "'s",
    ":)",
    "<3",
    "1️⃣",
    "doc",
];

fn check(text: &str) -> Result<(), TestCaseError> {
    let joined = Tokenizer::builder().split_hyphens(false).build();
    for tokenizer in [Tokenizer::default(), joined] {
        let mut doc = Doc::new("prop", text).unwrap();
        tokenizer.process(&mut doc).unwrap();
        prop_assert!(validate(&doc).is_ok(), "{:?}: {:?}", text, validate(&doc));
        prop_assert_eq!(doc.tokens(), &tokenizer.tokenize(text)[..]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_tokenizes(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn tricky_pieces_tokenize(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..40)) {
        check(&pieces.concat())?;
    }
}
