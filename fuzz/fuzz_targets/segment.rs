//! The segmenter on the tokenizer's output of any text, with and without
//! its boundary model: sentences are contiguous token ranges covering every
//! token, and a run is deterministic.

#![no_main]

use dateline_core::Stage;
use dateline_fuzz::{check, segmented, text, tokenized};
use dateline_segment::{Config, Segmenter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let doc = segmented(&text);
    let mut again = tokenized(&text);
    dateline_fuzz::run(&*dateline_fuzz::SEGMENTER, &mut again);
    assert_eq!(
        doc.sentences(),
        again.sentences(),
        "segmenting twice differs"
    );

    // The rule-only configuration keeps the same invariants.
    let mut rules_only = tokenized(&text);
    Segmenter::new(Config { model: false })
        .process(&mut rules_only)
        .expect("segmenting never fails on tokenized text");
    check(&rules_only, "segment (rules only)");
});
