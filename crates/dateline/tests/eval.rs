//! `dateline eval` end to end on gold files of our own news sentences
//! (`tests/inputs/gold/`: CoNLL columns, CoNLL-U and JSONL; the POS and
//! chunk columns of the CoNLL file are rough and unused): the binary
//! prints the figures of `dateline::eval::user::score_file`, as a table
//! and as JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dateline::eval::user::{score_file, GoldFormat, GoldReport};
use dateline::{StageOptions, StageRegistry};
use dateline_core::{Layer, OffsetUnit};
use serde_json::Value;

fn gold(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/inputs/gold")
        .join(name)
}

fn eval(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dateline"))
        .arg("eval")
        .args(args)
        .output()
        .unwrap()
}

fn expected(name: &str, format: GoldFormat, stages: &[&str]) -> GoldReport {
    let initial: &[Layer] = if format == GoldFormat::Conll {
        &[Layer::Tokens, Layer::Sentences]
    } else {
        &[]
    };
    let pipeline = StageRegistry::builtin()
        .build_pipeline(stages, &StageOptions::default(), initial)
        .unwrap();
    score_file(&gold(name), format, OffsetUnit::Char, &pipeline).unwrap()
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn each_format_prints_the_shared_scores() {
    for (name, format, layers) in [
        ("news.conll", GoldFormat::Conll, &["entities"][..]),
        (
            "news.conllu",
            GoldFormat::Conllu,
            &["tokens", "sentences"][..],
        ),
        (
            "news.jsonl",
            GoldFormat::Jsonl,
            &["tokens", "sentences", "entities"][..],
        ),
    ] {
        let path = gold(name);
        let got = json_of(&eval(&["--gold", path.to_str().unwrap(), "--json"]));
        let want = serde_json::to_value(expected(name, format, format.default_stages())).unwrap();
        assert_eq!(got, want, "{name}");
        assert_eq!(got["format"], format.as_str());
        for layer in ["tokens", "sentences", "entities"] {
            assert_eq!(
                !got[layer].is_null(),
                layers.contains(&layer),
                "{name} {layer}"
            );
        }
    }
}

#[test]
fn the_table_shows_each_label_and_the_stages_run() {
    let path = gold("news.conll");
    let output = eval(&["--gold", path.to_str().unwrap()]);
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    let report = expected("news.conll", GoldFormat::Conll, &["tag"]);
    let entities = report.entities.as_ref().unwrap();
    assert!(table
        .lines()
        .next()
        .unwrap()
        .ends_with("(conll, 3 documents, stages tag)"));
    assert!(table.contains(&format!("entities     {}", entities.overall)));
    for label in ["PER", "ORG", "LOC", "MISC"] {
        assert!(
            table.contains(&format!("  {label:<10} {}", entities.by_label[label])),
            "{table}"
        );
    }
}

#[test]
fn format_override_stages_and_errors() {
    // --gold-format names the format whatever the extension says.
    let path = gold("news.jsonl");
    let output = eval(&[
        "--gold",
        path.to_str().unwrap(),
        "--gold-format",
        "jsonl",
        "--stages",
        "tokenize,segment",
        "--json",
    ]);
    let got = json_of(&output);
    let want = expected("news.jsonl", GoldFormat::Jsonl, &["tokenize", "segment"]);
    assert_eq!(got, serde_json::to_value(want).unwrap());
    // Without the tag stage nothing is predicted, and recall is 0.
    assert_eq!(got["entities"]["overall"]["predicted"], 0);
    assert_eq!(got["entities"]["overall"]["gold"], 23);

    let unknown = eval(&["--gold", "gold.csv"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--gold-format"));
    let missing = eval(&["--gold", "no-such-file.conll"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file.conll"));
    let unsatisfied = eval(&["--gold", path.to_str().unwrap(), "--stages", "tag"]);
    assert_eq!(unsatisfied.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unsatisfied.stderr).contains("needs the tokens layer"));
}
