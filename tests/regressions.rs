//! Regression tests for bugs the fuzzers and the adversarial suite found in
//! the driver and the stages. A test that is `#[ignore]`d documents a bug
//! not fixed yet; its reason says what would fix it.

// The adversarial suite's helpers; this file uses only the binary runner.
#[path = "adversarial/support.rs"]
#[allow(dead_code)]
mod support;

use std::io::Write;
use std::process::Stdio;

use serde_json::value::RawValue;

/// Runs `dateline run --stages tokenize -` on `input` and returns its lines.
fn run(input: &str) -> Vec<String> {
    let mut child = support::dateline()
        .args([
            "run",
            "--quiet",
            "--allow-errors",
            "--stages",
            "tokenize",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting dateline");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// Found by the `read_jsonl` fuzz target. DESIGN.md promises the input
/// record's other fields "unchanged", but the driver parsed each line into
/// a `serde_json::Value` and wrote it back: an integer beyond 64 bits
/// became a float (`123456789012345678901234567890` was written
/// `1.2345678901234568e+29`), a mantissa over 19 digits could move by one
/// bit, and a number beyond f64's range (`1e400`, valid JSON) made the
/// whole document an `invalid_json` error record that lost its id. The
/// driver now keeps each other field as its JSON text (`RawValue`) and
/// writes it back byte for byte, escapes and spacing included.
#[test]
fn numbers_in_other_fields_pass_through_unchanged() {
    let big = "123456789012345678901234567890";
    let long = "3.99999999999999999999999999999999999999999999999999999999999999996e66";
    let lines = run(&format!(
        "{{\"id\":\"a\",\"text\":\"x\",\"big\":{big},\"long\":{long}}}\n\
         {{\"id\":\"b\",\"text\":\"y\",\"huge\":1e400}}\n"
    ));
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains(&format!("\"big\":{big}")), "{}", lines[0]);
    assert!(
        lines[0].contains(&format!("\"long\":{long}")),
        "{}",
        lines[0]
    );
    // Valid JSON, though no f64 holds 1e400: checked without parsing numbers.
    serde_json::from_str::<&RawValue>(&lines[1]).unwrap();
    assert!(
        lines[1].starts_with(r#"{"id":"b","text":"y","#),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(r#","huge":1e400}"#), "{}", lines[1]);

    // Strings keep their escapes, objects their spacing, keys their order.
    let other = r#""s":"caf\u00e9 \/ \ud83d\ude00","o":{ "b" : [1.0, 1E2, -0] },"z":null"#;
    let lines = run(&format!("{{\"z0\":1,\"text\":\"x\",{other}}}\n"));
    assert!(
        lines[0].ends_with(&format!(",\"z0\":1,{other}}}")),
        "{}",
        lines[0]
    );
}
