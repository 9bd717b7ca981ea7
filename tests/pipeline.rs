//! The default pipeline (tokenize, segment, tag) over every fixture: the
//! cross-stage view a reader checks against the text, one snapshot per
//! fixture, the seed article among them.

use dateline::Pipeline;
use dateline_core::{validate, Doc};
use dateline_tests::view_doc;

#[test]
fn default_pipeline_on_fixtures() {
    let pipeline = Pipeline::default();
    insta::glob!("../fixtures", "*.txt", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let mut doc = Doc::new(name, text).unwrap();
        pipeline.process(&mut doc).unwrap();
        validate(&doc).unwrap();
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(view_doc(&doc));
        });
    });
}
