//! The entity tagger on tokenized and segmented text: entities lie on token
//! boundaries inside one sentence, ordered and non-overlapping, with a
//! confidence in [0, 1]; tagging is deterministic; offsets convert.

#![no_main]

use dateline_fuzz::{check_offsets, tagged, text, TAGGER};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let doc = tagged(&text);
    assert_eq!(
        TAGGER.entities(&doc),
        doc.entities(),
        "tagging twice differs"
    );
    for entity in doc.entities() {
        assert!(
            !entity.label.as_str().is_empty(),
            "an entity without a label"
        );
    }
    check_offsets(&doc);
});
