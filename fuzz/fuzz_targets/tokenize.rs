//! The tokenizer on any text: tokens are valid (non-empty, ordered,
//! whitespace-free, covering all non-whitespace), deterministic, and
//! their offsets convert to characters and UTF-16 and back.

#![no_main]

use dateline_fuzz::{check_offsets, text, tokenized, TOKENIZER};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let doc = tokenized(&text);
    // The stage and the plain function agree, and a second run gives the
    // same tokens: no hidden state between documents.
    assert_eq!(doc.tokens(), &TOKENIZER.tokenize(&text)[..]);
    check_offsets(&doc);
});
