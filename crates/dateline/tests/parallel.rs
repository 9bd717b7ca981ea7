//! Property test of the runner through the library: any JSONL input, valid
//! or not, gives exactly one record per non-blank line, in input order, and
//! the same bytes whatever the thread count and batch size.

use dateline::{BatchLimits, RunConfig, Runner, StageRegistry};
use dateline_tests::TempDir;
use proptest::prelude::*;
use serde_json::Value;

/// One JSONL line: mostly documents with arbitrary text, sometimes lines a
/// real corpus has by mistake.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => any::<String>().prop_map(|text| serde_json::json!({ "text": text }).to_string()),
        2 => "[a-zA-Z .,!?'\"()-]{0,200}".prop_map(|text| serde_json::json!({ "text": text, "k": 1 }).to_string()),
        1 => "[^\n\r]{0,40}",
        1 => Just("[1, 2]".to_owned()),
        1 => Just(r#"{"body":"no text field"}"#.to_owned()),
    ]
}

fn run(
    input: &std::path::Path,
    output: &std::path::Path,
    threads: usize,
    limits: BatchLimits,
) -> Vec<u8> {
    let mut config = RunConfig::default();
    config.inputs = vec![input.to_owned()];
    config.output = Some(output.to_owned());
    config.threads = Some(threads);
    config.limits = limits;
    let runner = Runner::new(config, &StageRegistry::builtin()).expect("a valid configuration");
    runner.run().expect("writing a temporary file");
    std::fs::read(output).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn any_input_gives_one_ordered_record_per_line_for_any_thread_count(lines in prop::collection::vec(line(), 0..40)) {
        let dir = TempDir::new("dateline-parallel");
        let input = dir.write("in.jsonl", lines.join("\n"));
        let serial = run(&input, &dir.path().join("1.jsonl"), 1, BatchLimits::default());
        let small = BatchLimits { max_docs: 3, max_bytes: 300 };
        let parallel = run(&input, &dir.path().join("3.jsonl"), 3, small);
        prop_assert_eq!(&serial, &parallel);

        let records: Vec<Value> = String::from_utf8(serial)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let expected: Vec<usize> = lines
            .iter()
            .enumerate()
            // A byte-order mark opening the file is not part of line 1.
            .filter(|(i, l)| {
                let l = if *i == 0 { l.strip_prefix('\u{FEFF}').unwrap_or(l) } else { l };
                !l.bytes().all(|b| b.is_ascii_whitespace())
            })
            .map(|(i, _)| i + 1)
            .collect();
        prop_assert_eq!(records.len(), expected.len());
        for (record, line) in records.iter().zip(expected) {
            let id = record["id"].as_str().unwrap();
            prop_assert_eq!(id.to_owned(), format!("{}:{line}", input.display()));
        }
    }
}
