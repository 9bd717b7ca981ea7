//! `cargo xtask eval` and `dateline eval` score with the same code: on a
//! gold file of our own, laid out as the standard suites expect
//! (`$DATELINE_DATA/conll2003/test.txt`, `ud-english-ewt/en_ewt-ud-test.conllu`),
//! xtask's figures equal those of `dateline::eval::user::score_file`, which
//! the `dateline eval` binary prints (crates/dateline/tests/eval.rs checks
//! that half).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use dateline::eval::user::{score_file, GoldFormat};
use dateline::{StageOptions, StageRegistry};
use dateline_core::{Layer, OffsetUnit};
use serde_json::Value;

fn gold(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/dateline/tests/inputs/gold")
        .join(name)
}

#[test]
fn xtask_eval_and_dateline_eval_agree_on_a_fixture() {
    let data = std::env::temp_dir().join(format!("dateline-eval-agrees-{}", std::process::id()));
    fs::create_dir_all(data.join("conll2003")).unwrap();
    fs::create_dir_all(data.join("ud-english-ewt")).unwrap();
    fs::copy(gold("news.conll"), data.join("conll2003/test.txt")).unwrap();
    fs::copy(
        gold("news.conllu"),
        data.join("ud-english-ewt/en_ewt-ud-test.conllu"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["eval", "--suites", "conll,ud", "--splits", "test", "--json"])
        .env("DATELINE_DATA", &data)
        .output()
        .unwrap();
    fs::remove_dir_all(&data).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let xtask: Value = serde_json::from_slice(&output.stdout).unwrap();

    // What `dateline eval --gold FILE` runs: each format's default stages.
    let registry = StageRegistry::builtin();
    let options = StageOptions::default();
    let conll_stages = GoldFormat::Conll.default_stages();
    let tagger = registry
        .build_pipeline(conll_stages, &options, &[Layer::Tokens, Layer::Sentences])
        .unwrap();
    let conll = score_file(
        &gold("news.conll"),
        GoldFormat::Conll,
        OffsetUnit::Char,
        &tagger,
    )
    .unwrap();
    let entities = serde_json::to_value(conll.entities.unwrap()).unwrap();
    assert_eq!(xtask["conll2003_test"], entities);
    assert_eq!(entities["overall"]["gold"], 23);

    let text = registry
        .build_pipeline(GoldFormat::Conllu.default_stages(), &options, &[])
        .unwrap();
    let ud = score_file(
        &gold("news.conllu"),
        GoldFormat::Conllu,
        OffsetUnit::Char,
        &text,
    )
    .unwrap();
    assert_eq!(
        xtask["ud_ewt_test"]["tokens"],
        serde_json::to_value(ud.tokens.unwrap()).unwrap()
    );
    assert_eq!(
        xtask["ud_ewt_test"]["sentences"],
        serde_json::to_value(ud.sentences.unwrap()).unwrap()
    );
    assert_eq!(xtask["ud_ewt_test"]["documents"], 2);
}
