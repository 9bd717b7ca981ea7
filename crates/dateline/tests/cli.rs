//! End-to-end tests of the `dateline` binary: inputs, output order,
//! determinism across thread counts, error records, exit statuses and pipes.
//!
//! They live in this package because Cargo builds a package's binaries for
//! its own integration tests and tells them where (`CARGO_BIN_EXE_dateline`);
//! the helpers (fixture paths, readable views, temp dirs) come from the
//! `dateline-tests` package in `tests/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use dateline_tests::{fixture_files, view_record, workspace_root, TempDir};
use serde_json::Value;

fn dateline() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dateline"));
    command.current_dir(workspace_root());
    command
}

/// Runs `dateline run ARGS` with `stdin` and returns its output.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = dateline()
        .arg("run")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting dateline");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // The binary may exit before reading everything; that is fine.
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().expect("waiting for dateline");
    feeder.join().unwrap();
    output
}

fn records(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .expect("UTF-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn assert_status(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        stderr(output)
    );
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn error_kind(record: &Value) -> Option<&str> {
    record.get("error").map(|e| e["kind"].as_str().unwrap())
}

#[test]
fn fixtures_directory_gives_one_record_per_file_in_sorted_order() {
    let output = run(&["--quiet", "fixtures"], b"");
    assert_status(&output, 0);
    let records = records(&output);
    let expected: Vec<String> = fixture_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(ids(&records), expected);
    for (record, path) in records.iter().zip(fixture_files()) {
        assert_eq!(
            record["text"].as_str(),
            Some(std::fs::read_to_string(path).unwrap().as_str())
        );
        for layer in ["tokens", "sentences", "entities"] {
            assert!(record[layer].is_array(), "{layer} in {}", record["id"]);
        }
        // Character offsets: every token is a non-empty, space-free slice.
        let text: Vec<char> = record["text"].as_str().unwrap().chars().collect();
        for token in record["tokens"].as_array().unwrap() {
            let (start, end) = (
                token["start"].as_u64().unwrap() as usize,
                token["end"].as_u64().unwrap() as usize,
            );
            assert!(start < end && end <= text.len());
            assert!(!text[start..end].iter().any(|c| c.is_whitespace()));
        }
        view_record(record); // checks every entity's text against its offsets
    }
}

#[test]
fn seed_article_record_snapshot() {
    let output = run(&["--quiet", "fixtures/seed-article.txt"], b"");
    assert_status(&output, 0);
    let records = records(&output);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], "fixtures/seed-article.txt");
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("seed_article_jsonl", view_record(&records[0]));
    });
}

#[test]
fn stages_option_limits_the_layers() {
    let output = run(
        &[
            "--quiet",
            "--stages",
            "tokenize",
            "fixtures/seed-article.txt",
        ],
        b"",
    );
    assert_status(&output, 0);
    let record = &records(&output)[0];
    assert!(record["tokens"].is_array());
    assert!(record.get("sentences").is_none() && record.get("entities").is_none());
}

/// A corpus big enough for several batches and chunks, with documents of
/// very different sizes, so a parallel run has every chance to reorder.
fn varied_corpus(docs: usize) -> String {
    let mut corpus = String::new();
    for i in 0..docs {
        let sentence = "Cai Qi met Sodbaatar in Beijing on May 14, 2025. ";
        let text = sentence.repeat(1 + (i * 7919) % 23);
        let record = serde_json::json!({ "id": format!("doc-{i}"), "text": text, "n": i });
        corpus.push_str(&record.to_string());
        corpus.push('\n');
    }
    corpus
}

#[test]
fn output_is_in_input_order_and_identical_for_any_thread_count() {
    let corpus = varied_corpus(400);
    let small_batches = ["--batch-docs", "37", "--batch-bytes", "20000"];
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let mut args = vec!["--quiet", "--threads", threads];
        args.extend(small_batches);
        args.push("-");
        let output = run(&args, corpus.as_bytes());
        assert_status(&output, 0);
        outputs.push(output.stdout);
    }
    assert_eq!(outputs[0], outputs[1], "--threads 1 and 2 differ");
    assert_eq!(outputs[0], outputs[2], "--threads 1 and 3 differ");
    let default = run(&["--quiet", "-"], corpus.as_bytes());
    assert_eq!(outputs[0], default.stdout, "batch size changes the output");
    let records = records(&default);
    let expected: Vec<String> = (0..400).map(|i| format!("doc-{i}")).collect();
    assert_eq!(ids(&records), expected);
}

#[test]
fn stdin_is_jsonl_with_or_without_a_dash() {
    let input = b"{\"id\":\"a\",\"text\":\"One. Two.\"}\n{\"text\":\"Three.\"}\n";
    for args in [&["--quiet", "-"][..], &["--quiet"][..]] {
        let output = run(args, input);
        assert_status(&output, 0);
        let records = records(&output);
        assert_eq!(ids(&records), ["a", "stdin:2"]);
        assert_eq!(records[0]["sentences"].as_array().unwrap().len(), 2);
    }
}

#[test]
fn jsonl_fields_pass_through_unchanged_and_in_order() {
    let input = br#"{"source":"Xinhua","id":"x1","meta":{"page":3,"tags":["a","b"]},"text":"Beijing, May 14.","score":1.5,"none":null}"#;
    let output = run(&["--quiet", "--stages", "tokenize"], input);
    assert_status(&output, 0);
    let record = &records(&output)[0];
    let keys: Vec<&str> = record
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["id", "text", "tokens", "source", "meta", "score", "none"]
    );
    let line = String::from_utf8(output.stdout).unwrap();
    let tail = r#","source":"Xinhua","meta":{"page":3,"tags":["a","b"]},"score":1.5,"none":null}"#;
    assert!(line.trim_end().ends_with(tail), "{line}");
}

#[test]
fn text_field_option_and_file_line_ids() {
    let dir = TempDir::new("dateline-cli");
    let path = dir.write(
        "news.jsonl",
        "{\"body\":\"First.\"}\n\n{\"body\":\"Second.\",\"id\":7}\n",
    );
    let output = run(
        &["--quiet", "--text-field", "body", path.to_str().unwrap()],
        b"",
    );
    assert_status(&output, 0);
    let records = records(&output);
    let first = format!("{}:1", path.display());
    assert_eq!(ids(&records), [first.as_str(), "7"]);
    assert_eq!(records[1]["text"], "Second.");
}

#[test]
fn bad_jsonl_lines_become_error_records_and_the_run_goes_on() {
    let input = concat!(
        "{\"id\":\"ok\",\"text\":\"Fine.\"}\n",
        "[\"not\",\"an\",\"object\"]\n",
        "{\"id\":\"no-text\",\"title\":\"x\"}\n",
        "{\"id\":\"num\",\"text\":42}\n",
        "{broken\n",
        "{\"id\":\"empty\",\"text\":\"\"}\n",
        "{\"id\":\"last\",\"text\":\"Also fine.\"}\n",
    );
    let output = run(&[], input.as_bytes());
    assert_status(&output, 1);
    let records = records(&output);
    assert_eq!(
        ids(&records),
        ["ok", "stdin:2", "no-text", "num", "stdin:5", "empty", "last"]
    );
    let kinds: Vec<Option<&str>> = records.iter().map(error_kind).collect();
    assert_eq!(
        kinds,
        [
            None,
            Some("not_an_object"),
            Some("missing_text"),
            Some("text_not_string"),
            Some("invalid_json"),
            None,
            None
        ]
    );
    for record in records.iter().filter(|r| r.get("error").is_some()) {
        assert!(!record["error"]["message"].as_str().unwrap().is_empty());
        assert_eq!(
            record.as_object().unwrap().len(),
            2,
            "only id and error: {record}"
        );
    }
    // An empty document is a normal record with empty layers.
    assert_eq!(records[5]["text"], "");
    for layer in ["tokens", "sentences", "entities"] {
        assert_eq!(records[5][layer], serde_json::json!([]), "{layer}");
    }
    let err = stderr(&output);
    assert!(err.contains("7 documents, 4 errors"), "{err}");

    let allowed = run(&["--allow-errors"], input.as_bytes());
    assert_status(&allowed, 0);
    assert_eq!(allowed.stdout, output.stdout);
}

#[test]
fn invalid_utf8_text_file_is_an_error_record_between_good_ones() {
    let dir = TempDir::new("dateline-cli");
    dir.write("a.txt", "Good news from Beijing.");
    dir.write("b.txt", b"Bad \xff\xfe bytes.");
    dir.write("sub/c.txt", "More news.");
    dir.write("sub/ignored.md", "not a .txt file");
    dir.write("d.txt", "");
    let output = run(&[dir.path().to_str().unwrap()], b"");
    assert_status(&output, 1);
    let records = records(&output);
    assert_eq!(ids(&records), ["a.txt", "b.txt", "d.txt", "sub/c.txt"]);
    assert_eq!(error_kind(&records[1]), Some("invalid_utf8"));
    assert_eq!(records[1]["error"]["message"], "invalid UTF-8 at byte 4");
    assert_eq!(records[2]["tokens"], serde_json::json!([]));
    assert_eq!(records[3]["text"], "More news.");
}

#[test]
fn offsets_in_chars_bytes_and_utf16() {
    let text = "Café in Zürich 🙂 met 北京 officials.";
    let input = serde_json::json!({ "id": "m", "text": text }).to_string();
    let spans = |unit: &str| -> Vec<(u64, u64)> {
        let output = run(
            &["--quiet", "--stages", "tokenize", "--offsets", unit],
            input.as_bytes(),
        );
        assert_status(&output, 0);
        let record = &records(&output)[0];
        let tokens = record["tokens"].as_array().unwrap();
        tokens
            .iter()
            .map(|t| (t["start"].as_u64().unwrap(), t["end"].as_u64().unwrap()))
            .collect()
    };
    let bytes = spans("byte");
    assert!(bytes.len() >= 7, "{bytes:?}");
    let convert = |count: &dyn Fn(&str) -> usize| -> Vec<(u64, u64)> {
        let at = |b: u64| count(&text[..b as usize]) as u64;
        bytes.iter().map(|&(s, e)| (at(s), at(e))).collect()
    };
    assert_eq!(spans("char"), convert(&|s| s.chars().count()));
    assert_eq!(spans("utf16"), convert(&|s| s.encode_utf16().count()));
    assert_eq!(spans("char"), run_default_offsets(&input));
}

fn run_default_offsets(input: &str) -> Vec<(u64, u64)> {
    let output = run(&["--quiet", "--stages", "tokenize"], input.as_bytes());
    let record = &records(&output)[0];
    let tokens = record["tokens"].as_array().unwrap();
    tokens
        .iter()
        .map(|t| (t["start"].as_u64().unwrap(), t["end"].as_u64().unwrap()))
        .collect()
}

#[test]
fn json_format_is_one_array() {
    let output = run(&["--quiet", "--format", "json", "fixtures"], b"");
    assert_status(&output, 0);
    let array: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(array.as_array().unwrap().len(), fixture_files().len());
}

#[test]
fn output_file_and_brat_directory() {
    let dir = TempDir::new("dateline-cli");
    let file = dir.path().join("out.jsonl");
    let output = run(&["--quiet", "-o", file.to_str().unwrap(), "fixtures"], b"");
    assert_status(&output, 0);
    assert!(output.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().lines().count(),
        fixture_files().len()
    );

    let brat = dir.path().join("brat");
    let output = run(
        &[
            "--quiet",
            "--format",
            "brat",
            "-o",
            brat.to_str().unwrap(),
            "fixtures",
        ],
        b"",
    );
    assert_status(&output, 0);
    let written: Vec<_> = std::fs::read_dir(&brat)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let with = |ext: &str| {
        written
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .count()
    };
    assert_eq!(with("ann"), fixture_files().len());
    assert_eq!(with("txt"), fixture_files().len());
    // Each file went through a staging name, renamed when whole.
    assert_eq!(with("partial"), 0, "{written:?}");
    assert!(written.iter().any(|p| p.ends_with("annotation.conf")));

    let output = run(&["--quiet", "--format", "html", "fixtures"], b"");
    assert_status(&output, 2);
    assert!(stderr(&output).contains("-o DIR"), "{}", stderr(&output));
}

#[test]
fn start_up_errors_exit_with_status_2() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--stages", "tokenize,frobnicate", "fixtures"],
            "unknown stage \"frobnicate\"",
        ),
        (
            &["--stages", "tokenize,tag", "fixtures"],
            "needs the sentences layer",
        ),
        (
            &["--stages", "segment", "fixtures"],
            "needs the tokens layer",
        ),
        (&["no/such/input.txt"], "no/such/input.txt"),
        (&["--format", "xml", "fixtures"], "unknown format"),
        (&["--threads", "0", "fixtures"], "0"),
    ];
    for (args, message) in cases {
        let output = run(args, b"");
        assert_status(&output, 2);
        assert!(output.stdout.is_empty());
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn summary_line_on_stderr_unless_quiet() {
    let output = run(&["fixtures"], b"");
    let err = stderr(&output);
    let n = fixture_files().len();
    assert!(
        err.contains(&format!("{n} documents, 0 errors")) && err.contains("MB/s"),
        "{err}"
    );
    let quiet = run(&["--quiet", "fixtures"], b"");
    assert!(quiet.stderr.is_empty(), "{}", stderr(&quiet));
}

#[test]
fn closed_stdout_is_not_an_error() {
    let corpus = varied_corpus(3000);
    let mut child = dateline()
        .args(["run", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(corpus.as_bytes());
    });
    // Read one record, then hang up, as `| head -1` does.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with(r#"{"id":"doc-0""#));
    drop(stdout);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    feeder.join().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn write_error_is_reported_with_a_non_zero_status() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let output = run(&["--quiet", "-o", "/dev/full", "fixtures"], b"");
    assert_status(&output, 1);
    assert!(stderr(&output).contains("/dev/full"), "{}", stderr(&output));
}

#[test]
fn stages_command_lists_the_registry() {
    let output = dateline().arg("stages").output().unwrap();
    assert!(output.status.success());
    let listing = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = listing
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    // Stages added with `cargo xtask new-stage` follow the standard three.
    assert_eq!(names[..3], ["tokenize", "segment", "tag"]);
}

#[test]
fn conll_input_keeps_its_tokens_and_writes_the_columns_back() {
    let dir = TempDir::new("dateline-cli");
    let conll = "-DOCSTART- -X- O\n\nCai NNP B-PER\nQi NNP I-PER\nvisited VBD O\nBeijing NNP B-LOC\n. . O\n\nHe PRP O\nleft VBD O\n. . O\n\n-DOCSTART- -X- O\n\nMongolia NNP B-LOC\nagreed VBD O\n. . O\n";
    let path = dir.write("news.conll", conll);
    let path = path.to_str().unwrap();

    let output = run(&["--quiet", path], b"");
    assert_status(&output, 0);
    let records = records(&output);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["text"], "Cai Qi visited Beijing .\nHe left .");
    assert_eq!(records[0]["tokens"].as_array().unwrap().len(), 8);
    assert_eq!(records[0]["sentences"].as_array().unwrap().len(), 2);
    assert!(records[0]["entities"].is_array());

    let output = run(
        &[
            "--quiet",
            "--input-format",
            "conll",
            "--format",
            "conll",
            path,
        ],
        b"",
    );
    assert_status(&output, 0);
    let text = String::from_utf8(output.stdout).unwrap();
    let token_lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("-DOCSTART-"))
        .collect();
    assert_eq!(token_lines.len(), 11);
    for (line, input) in token_lines.iter().zip(
        conll
            .lines()
            .filter(|l| l.contains(' ') && !l.starts_with('-')),
    ) {
        assert!(
            line.starts_with(input),
            "{line:?} does not extend {input:?}"
        );
        let tag = line.rsplit(' ').next().unwrap();
        assert!(
            tag == "O" || tag.starts_with("B-") || tag.starts_with("I-"),
            "{line}"
        );
    }

    let mixed = run(&[path, "fixtures/seed-article.txt"], b"");
    assert_status(&mixed, 2);
    assert!(stderr(&mixed).contains("mix raw text and pre-tokenised CoNLL"));
}

#[test]
fn gazetteers_add_user_labels_and_bad_ones_stop_the_start() {
    let dir = TempDir::new("dateline-cli");
    let parties = dir.write(
        "parties.tsv",
        "# parties\nMongolian People's Party\tPARTY\n",
    );
    let people = dir.write("people.tsv", "Rao Aimin\tPHOTOGRAPHER\r\n");
    let output = run(
        &[
            "--quiet",
            "--gazetteer",
            parties.to_str().unwrap(),
            "--gazetteer",
            people.to_str().unwrap(),
            "fixtures/seed-article.txt",
        ],
        b"",
    );
    assert_status(&output, 0);
    let record = &records(&output)[0];
    let found: Vec<(&str, &str)> = record["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "gazetteer")
        .map(|e| (e["text"].as_str().unwrap(), e["label"].as_str().unwrap()))
        .collect();
    assert!(
        found.contains(&("Mongolian People's Party", "PARTY")),
        "{found:?}"
    );
    assert!(found.contains(&("Rao Aimin", "PHOTOGRAPHER")), "{found:?}");

    let bad = dir.write("bad.tsv", "no tab here\n");
    let output = run(&["--gazetteer", bad.to_str().unwrap(), "fixtures"], b"");
    assert_status(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("bad.tsv") && err.contains("line 1"), "{err}");
}

#[test]
fn an_input_is_never_the_output() {
    let dir = TempDir::new("dateline-cli");
    let path = dir.write("news.jsonl", "{\"text\":\"Precious.\"}\n");
    let output = run(&["-o", path.to_str().unwrap(), path.to_str().unwrap()], b"");
    assert_status(&output, 2);
    assert!(
        stderr(&output).contains("is also an input"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"text\":\"Precious.\"}\n"
    );
}
