//! Sharding and resuming through the binary: the shards of a corpus are
//! the corpus, and a run stopped by SIGINT or SIGKILL and then resumed
//! writes the same bytes as one uninterrupted run.
//!
//! `-o OUT` is written to `OUT.partial` and renamed to `OUT` when the run
//! ends or is stopped by a signal; a killed run leaves only the staging
//! file, which `--resume` continues.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use dateline_tests::{workspace_root, TempDir};

fn dateline(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dateline"));
    command.current_dir(workspace_root()).arg("run").args(args);
    command
}

fn run(args: &[&str]) -> Output {
    dateline(args).output().expect("running dateline")
}

#[track_caller]
fn assert_status(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A corpus of `docs` news-like JSONL documents, with a few lines that
/// become error records and a few blank lines that hold no document.
fn corpus(dir: &TempDir, docs: usize) -> PathBuf {
    const WORDS: &[&str] = &[
        "Beijing",
        "officials",
        "said",
        "on",
        "Wednesday",
        "that",
        "the",
        "talks",
        "with",
        "Mongolia",
        "would",
        "resume",
        "in",
        "May",
        "Reuters",
        "reported",
        "prices",
        "rose",
        "3.5",
        "percent",
        "to",
        "$",
        "12",
        "million",
        "Cai",
        "Qi",
        "met",
        "delegates",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut text = String::new();
    for i in 0..docs {
        match i % 97 {
            13 => text.push_str("{not json\n"),
            41 => text.push_str(&format!("{{\"id\":\"d{i}\",\"body\":\"no text\"}}\n")),
            _ => {
                let mut body = String::new();
                for s in 0..1 + next() % 4 {
                    if s > 0 {
                        body.push(' ');
                    }
                    for w in 0..4 + next() % 12 {
                        if w > 0 {
                            body.push(' ');
                        }
                        body.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
                    }
                    body.push('.');
                }
                let line = serde_json::json!({ "id": format!("d{i}"), "text": body, "n": i });
                text.push_str(&line.to_string());
                text.push('\n');
            }
        }
        if i % 500 == 7 {
            text.push('\n');
        }
    }
    dir.write("corpus.jsonl", text)
}

/// The staging file beside an output.
fn staging(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap().to_owned();
    name.push(".partial");
    out.with_file_name(name)
}

fn lines(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn three_shards_are_the_whole_output_each_record_once() {
    let dir = TempDir::new("dateline-shards");
    let input = corpus(&dir, 400);
    let input = input.to_str().unwrap();
    let all = dir.path().join("all.jsonl");
    let output = run(&["-q", "--allow-errors", input, "-o", all.to_str().unwrap()]);
    assert_status(&output, 0);
    let all = lines(&all);
    assert_eq!(all.len(), 400);

    let mut shards = Vec::new();
    for k in 1..=3 {
        let path = dir.path().join(format!("shard-{k}.jsonl"));
        let shard = format!("{k}/3");
        // Small batches, so shards cross many batch boundaries.
        let output = run(&[
            "-q",
            "--allow-errors",
            "--shard",
            &shard,
            "--batch-docs",
            "7",
            input,
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_status(&output, 0);
        shards.push(lines(&path));
    }
    // Shard K holds documents K-1, K-1+N, ... in input order, error
    // records included, each exactly as the unsharded run wrote it.
    for (k, shard) in shards.iter().enumerate() {
        let expected: Vec<&String> = all.iter().skip(k).step_by(3).collect();
        assert_eq!(
            shard.iter().collect::<Vec<_>>(),
            expected,
            "shard {}",
            k + 1
        );
        assert!(shard.iter().any(|line| line.contains("\"error\"")));
    }
    let mut union: Vec<&String> = shards.iter().flatten().collect();
    union.sort();
    let mut whole: Vec<&String> = all.iter().collect();
    whole.sort();
    assert_eq!(union, whole);
}

#[test]
fn shards_of_a_directory_skip_other_files() {
    let dir = TempDir::new("dateline-shard-dir");
    for i in 0..10 {
        dir.write(
            &format!("in/{i:02}.txt"),
            format!("Story {i} ran in Beijing."),
        );
    }
    let input = dir.path().join("in");
    let output = run(&[
        "-q",
        "--stages",
        "tokenize",
        "--shard",
        "2/4",
        input.to_str().unwrap(),
    ]);
    assert_status(&output, 0);
    let ids: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, ["\"01.txt\"", "\"05.txt\"", "\"09.txt\""]);
}

#[test]
fn resume_refuses_what_it_cannot_continue() {
    let output = run(&["--resume", "fixtures"]);
    assert_status(&output, 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("--resume needs the output file"));
    let dir = TempDir::new("dateline-resume-format");
    let out = dir.path().join("out.conll");
    let output = run(&[
        "--resume",
        "--format",
        "conll",
        "fixtures",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_status(&output, 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("JSONL output only, not conll"));
}

#[test]
fn resume_drops_a_partial_last_line_and_continues() {
    let dir = TempDir::new("dateline-resume-cut");
    let input = corpus(&dir, 300);
    let input = input.to_str().unwrap();
    let full = dir.path().join("full.jsonl");
    let args = ["-q", "--allow-errors", "--shard", "2/2", input, "-o"];
    assert_status(&run(&[&args[..], &[full.to_str().unwrap()]].concat()), 0);
    let expected = std::fs::read(&full).unwrap();

    // Cut in the middle of a record, as a killed write would.
    let cut = dir.path().join("cut.jsonl");
    let at = expected.len() / 3;
    assert_ne!(expected[at - 1], b'\n');
    std::fs::write(&cut, &expected[..at]).unwrap();
    let resume = [&args[..], &[cut.to_str().unwrap(), "--resume"]].concat();
    assert_status(&run(&resume), 0);
    assert!(std::fs::read(&cut).unwrap() == expected);

    assert!(!staging(&cut).exists());

    // Resuming a finished output appends nothing; a missing one starts afresh.
    assert_status(&run(&resume), 0);
    assert!(std::fs::read(&cut).unwrap() == expected);
    let fresh = dir.path().join("fresh.jsonl");
    assert_status(
        &run(&[&args[..], &[fresh.to_str().unwrap(), "--resume"]].concat()),
        0,
    );
    assert!(std::fs::read(&fresh).unwrap() == expected);

    // A staging file left by a killed run is newer than the output beside
    // it (an earlier run's): it is continued and then replaces the output.
    let stale = dir.path().join("stale.jsonl");
    std::fs::write(&stale, "{\"id\":\"from an earlier run\"}\n").unwrap();
    std::fs::write(staging(&stale), &expected[..at]).unwrap();
    assert_status(
        &run(&[&args[..], &[stale.to_str().unwrap(), "--resume"]].concat()),
        0,
    );
    assert!(std::fs::read(&stale).unwrap() == expected);
    assert!(!staging(&stale).exists());
}

/// Waits until the run has written some records to the staging file, so
/// it is interrupted in the middle (and after its signal handlers are
/// installed).
fn wait_for_output(child: &mut Child, out: &Path) {
    let started = Instant::now();
    while std::fs::metadata(staging(out)).map_or(0, |m| m.len()) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before writing"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no output");
        std::thread::sleep(Duration::from_millis(5));
    }
}

enum Stop {
    Interrupt,
    Kill,
}

fn interrupt_and_resume(stop: Stop) {
    let dir = TempDir::new("dateline-resume");
    let input = corpus(&dir, 3000);
    let input = input.to_str().unwrap();
    // Small batches make the first records appear early and give the
    // signal many places to land.
    let args = ["-q", "--allow-errors", "--batch-docs", "16", input, "-o"];
    let full = dir.path().join("full.jsonl");
    assert_status(&run(&[&args[..], &[full.to_str().unwrap()]].concat()), 0);
    let expected = std::fs::read(&full).unwrap();

    let out = dir.path().join("out.jsonl");
    let out_arg = out.to_str().unwrap();
    let mut child = dateline(&[&args[..], &[out_arg]].concat())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_output(&mut child, &out);
    match stop {
        Stop::Interrupt => {
            let status = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            let output = child.wait_with_output().unwrap();
            assert_status(&output, 130);
            // A graceful stop leaves only complete records, under the
            // output's own name.
            assert!(!staging(&out).exists());
            let interrupted = std::fs::read(&out).unwrap();
            assert!(interrupted.ends_with(b"\n"));
            assert!(expected.starts_with(&interrupted));
            assert!(
                interrupted.len() < expected.len(),
                "the run finished before the signal"
            );
        }
        Stop::Kill => {
            child.kill().unwrap();
            child.wait().unwrap();
            // Only the staging file, which may end inside a record.
            assert!(!out.exists());
            let killed = std::fs::read(staging(&out)).unwrap();
            assert!(expected.starts_with(&killed));
            assert!(
                killed.len() < expected.len(),
                "the run finished before the kill"
            );
        }
    }
    let output = run(&[&args[..], &[out_arg, "--resume"]].concat());
    assert_status(&output, 0);
    assert!(!staging(&out).exists());
    let resumed = std::fs::read(&out).unwrap();
    assert!(
        resumed == expected,
        "resumed output differs ({} bytes, expected {})",
        resumed.len(),
        expected.len()
    );
}

#[test]
#[cfg(unix)]
fn interrupted_by_sigint_then_resumed_equals_an_uninterrupted_run() {
    interrupt_and_resume(Stop::Interrupt);
}

#[test]
fn killed_then_resumed_equals_an_uninterrupted_run() {
    interrupt_and_resume(Stop::Kill);
}

/// A run holds a lock on its staging file while it lasts, so a second run
/// on the same output, fresh or resumed, stops at start-up and leaves the
/// first one's records alone. The lock is the test's own here, as a run
/// still going would hold it.
#[test]
fn a_second_run_on_the_same_output_is_refused() {
    let dir = TempDir::new("dateline-busy");
    let out = dir.path().join("out.jsonl");
    let records = "{\"id\":\"being written\",\"text\":\"by the first run";
    std::fs::write(staging(&out), records).unwrap();
    let first = std::fs::File::open(staging(&out)).unwrap();
    first.try_lock().unwrap();
    for resume in [false, true] {
        let mut args = vec!["-q", "fixtures", "-o", out.to_str().unwrap()];
        if resume {
            args.push("--resume");
        }
        let output = run(&args);
        assert_status(&output, 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is being written by another run"),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(staging(&out)).unwrap(), records);
        assert!(!out.exists());
    }

    // Once the first run has ended, the output is free again.
    drop(first);
    assert_status(&run(&["-q", "fixtures", "-o", out.to_str().unwrap()]), 0);
    assert_eq!(lines(&out).len(), 6);
    assert!(!staging(&out).exists());
}
