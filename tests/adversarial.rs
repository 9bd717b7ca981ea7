//! The adversarial input suite: what a crawler feeds an annotator, through
//! the real `dateline` binary, with the expected behaviour of each case.
//!
//! Every case must leave the run going, give exactly one output record per
//! input document, in input order, and either process the document
//! correctly (the record reads back with `JsonlReader` and passes
//! `validate`) or give one clear error record `{"id","error":{"kind",
//! "message"}}`. The exit status is 1 when any document failed, 0 with
//! `--allow-errors`.
//!
//! | Case | Input | Expected |
//! |---|---|---|
//! | invalid UTF-8, `.txt` | `\xff\xfe` inside a text file | error `invalid_utf8`, message names the byte offset |
//! | invalid UTF-8, JSONL | `\xff` inside a line's `text` string | error `invalid_utf8`, id `FILE:LINE` |
//! | NUL bytes | `Cai\0Qi met ...` | processed; NUL is not whitespace, so each is a token of its own; text kept byte for byte |
//! | byte-order mark, `.txt` | `EF BB BF` then news | processed; the mark is an encoding marker and is dropped, offsets count from after it |
//! | byte-order mark, JSONL | `EF BB BF` before the first line's `{` | processed; the mark is skipped (RFC 8259 allows it) |
//! | byte-order mark, mid-text | `U+FEFF` between words | processed; U+FEFF is not whitespace, so it lies inside a token |
//! | CRLF | `\r\n` line ends | processed; `\r` is whitespace, no token contains it |
//! | lone CR | old Mac line ends | processed; as CRLF |
//! | no whitespace, 5 MB | letters only; and 100 kB of words glued by periods | processed; tokens cover every byte (the 50 MB case is in `cargo xtask linear`) |
//! | one punctuation mark, 1 MB | `.` repeated | processed; tokens cover every byte |
//! | 10,000 nested brackets | `(((...x...)))` | processed; no stack overflow |
//! | only whitespace | spaces, tabs, newlines, NBSP, U+2028 | processed; no tokens, no sentences, no entities (the layers present and empty) |
//! | right-to-left | Arabic and Hebrew | processed; text kept in logical order |
//! | emoji ZWJ sequences and flags | family emoji, flag pairs | processed; no token boundary inside a ZWJ sequence or a flag pair |
//! | combining marks | `e` + U+0301 ... | processed; no token starts with a combining mark |
//! | control characters | `\x01 \x07 \x1b[0m \x7f` | processed |
//! | HTML/markup | tags, entities, attributes | processed as text |
//! | JSONL `text` a number / null | `{"text": 42}`, `{"text": null}` | error `text_not_string`, id from `id` |
//! | JSONL without `text` | `{"id": "x"}` | error `missing_text` |
//! | JSONL line not an object | `[1, 2]` | error `not_an_object` |
//! | truncated JSONL | last line cut inside a 1 MB string, no newline | error `invalid_json` (EOF while parsing), earlier lines processed |
//! | a 10 GB length claim | a sparse `.txt` whose size says 10 GB | error `too_large` before any byte is read |
//! | over `--max-doc-bytes` | a `.txt` file, a JSONL line (one ends the file without its newline) | error `too_large` each, read past without being held, id from a leading `"id"` else `FILE:LINE`; a line of only whitespace is blank, no document |
//! | unreadable file (dangling link) | `NAME.txt -> missing` | error `io` (no such file) |
//! | unreadable file (as root too) | `NAME.txt -> /proc/self/mem` | error `io`: opening works, reading offset 0 fails with EIO even for root (chmod 000 does not stop root) |
//!
//! The 10 GB claim is interpreted twice: JSON has no length prefix, so for
//! JSONL it is a line that opens a huge string and is cut off; for text it
//! is a file whose size claims more than a document may hold.

#[path = "adversarial/support.rs"]
mod support;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Output;

use dateline_core::Doc;
use dateline_tests::TempDir;
use support::{dateline, records, Record};

/// What one input document must give.
enum Expect {
    /// Processed; the closure checks case-specific properties.
    Doc(fn(&Doc)),
    /// One error record of this kind.
    Error(&'static str),
}

/// A `.txt` file of the suite's directory: its name fixes its place in the
/// sorted walk.
struct TextCase {
    name: &'static str,
    content: Vec<u8>,
    expect: Expect,
}

fn token_texts(doc: &Doc) -> Vec<&str> {
    (0..doc.tokens().len()).map(|i| doc.token_text(i)).collect()
}

/// Byte offsets where a token starts or ends.
fn boundaries(doc: &Doc) -> Vec<usize> {
    doc.tokens()
        .iter()
        .flat_map(|t| [t.span.start as usize, t.span.end as usize])
        .collect()
}

/// Asserts that no token boundary falls strictly inside `needle`, wherever
/// it occurs.
fn not_split(doc: &Doc, needle: &str) {
    let cuts = boundaries(doc);
    let mut found = false;
    for (at, _) in doc.text().match_indices(needle) {
        found = true;
        let inside = cuts.iter().find(|&&b| at < b && b < at + needle.len());
        assert!(
            inside.is_none(),
            "a token boundary at byte {} splits {needle:?}: {:?}",
            inside.unwrap(),
            token_texts(doc)
        );
    }
    assert!(found, "{needle:?} is in the text");
}

fn covered_entirely(doc: &Doc) {
    let covered: usize = doc.tokens().iter().map(|t| t.span.len()).sum();
    assert_eq!(covered, doc.text().len());
}

fn text_cases() -> Vec<TextCase> {
    let news = "BEIJING, May 14 (Xinhua) -- Cai Qi met Yangug Sodbaatar in Beijing on Wednesday.";
    vec![
        TextCase {
            name: "01-invalid-utf8.txt",
            content: b"Cai Qi met \xff\xfe delegates in Beijing.".to_vec(),
            expect: Expect::Error("invalid_utf8"),
        },
        TextCase {
            name: "02-nul-bytes.txt",
            content: b"Cai\0Qi met\0\0delegates in Beijing.\0".to_vec(),
            expect: Expect::Doc(|doc| {
                assert_eq!(doc.text(), "Cai\0Qi met\0\0delegates in Beijing.\0");
                // Not whitespace, so never dropped: each NUL is a token.
                let nuls = token_texts(doc).iter().filter(|t| **t == "\0").count();
                assert_eq!(nuls, 4, "{:?}", token_texts(doc));
                assert!(token_texts(doc).contains(&"Qi"));
            }),
        },
        TextCase {
            name: "03-bom.txt",
            content: [b"\xEF\xBB\xBF".as_slice(), news.as_bytes()].concat(),
            expect: Expect::Doc(|doc| {
                assert!(doc.text().starts_with("BEIJING"), "{:?}", doc.text());
                assert_eq!(token_texts(doc)[0], "BEIJING");
            }),
        },
        TextCase {
            name: "04-bom-mid-text.txt",
            content: "Cai Qi\u{feff} met delegates.".into(),
            expect: Expect::Doc(|doc| assert!(token_texts(doc).iter().any(|t| t.contains('\u{feff}')))),
        },
        TextCase {
            name: "05-crlf.txt",
            content: "First line here.\r\nSecond line here.\r\n\r\nA new paragraph.\r\n".into(),
            expect: Expect::Doc(|doc| {
                assert!(token_texts(doc).iter().all(|t| !t.contains('\r')));
                assert!(doc.sentences().len() >= 3, "{:?}", doc.sentences());
            }),
        },
        TextCase {
            name: "06-lone-cr.txt",
            content: "First line here.\rSecond line here.\r\rA new paragraph.\r".into(),
            expect: Expect::Doc(|doc| {
                assert!(token_texts(doc).iter().all(|t| !t.contains('\r')));
                assert!(doc.sentences().len() >= 3, "{:?}", doc.sentences());
            }),
        },
        TextCase {
            name: "07-no-whitespace-5mb.txt",
            content: "abcdefghijKLMNOPQRST".repeat(5_000_000 / 20 + 1).into(),
            expect: Expect::Doc(|doc| {
                assert!(doc.text().len() >= 5_000_000);
                covered_entirely(doc);
            }),
        },
        TextCase {
            // Words glued by punctuation give a token every few bytes: kept
            // to 100 kB here, since a debug build tags about 0.2 MB/s of it;
            // `cargo xtask linear` runs it at megabytes.
            name: "07b-no-whitespace-punctuated.txt",
            content: "Mr.Smith.U.S.said.it.rained.in.Beijing,again;".repeat(100_000 / 46 + 1).into(),
            expect: Expect::Doc(covered_entirely),
        },
        TextCase {
            name: "08-one-punctuation-mark-1mb.txt",
            content: ".".repeat(1 << 20).into(),
            expect: Expect::Doc(|doc| {
                covered_entirely(doc);
                assert!(!doc.sentences().is_empty());
            }),
        },
        TextCase {
            name: "09-nested-brackets.txt",
            content: format!("{}Beijing{}", "(".repeat(10_000), ")".repeat(10_000)).into(),
            expect: Expect::Doc(|doc| {
                covered_entirely(doc);
                assert!(token_texts(doc).contains(&"Beijing"));
            }),
        },
        TextCase {
            name: "10-only-whitespace.txt",
            content: " \t\n\n \u{a0}\u{2028}\u{3000}\r\n ".into(),
            expect: Expect::Doc(|doc| {
                assert!(doc.tokens().is_empty());
                assert!(doc.sentences().is_empty());
                assert!(doc.entities().is_empty());
            }),
        },
        TextCase {
            name: "11-right-to-left.txt",
            content: "قال الرئيس إن الاجتماع كان مثمرا. אמר השר כי הפגישה הייתה טובה. Cai Qi agreed."
                .into(),
            expect: Expect::Doc(|doc| {
                assert!(token_texts(doc).contains(&"الرئيس"));
                assert!(token_texts(doc).contains(&"השר"));
            }),
        },
        TextCase {
            name: "12-emoji.txt",
            content: "Family 👨\u{200d}👩\u{200d}👧\u{200d}👦 and flags 🇨🇳🇲🇳 and 🏳\u{fe0f}\u{200d}🌈 joined.".into(),
            expect: Expect::Doc(|doc| {
                not_split(doc, "👨\u{200d}👩\u{200d}👧\u{200d}👦");
                not_split(doc, "🇨🇳");
                not_split(doc, "🇲🇳");
                not_split(doc, "🏳\u{fe0f}\u{200d}🌈");
            }),
        },
        TextCase {
            name: "13-combining-marks.txt",
            content: "Cafe\u{301} owner Zoe\u{308} said Ha\u{323}\u{302} No\u{323}i was calm. \u{301}alone"
                .into(),
            expect: Expect::Doc(|doc| {
                for (i, token) in token_texts(doc).iter().enumerate() {
                    let first = token.chars().next().unwrap();
                    // Only a mark with no base before it may open a token.
                    let after_space = doc.text()[..doc.tokens()[i].span.start as usize]
                        .chars()
                        .next_back()
                        .is_none_or(char::is_whitespace);
                    assert!(
                        !('\u{300}'..='\u{36f}').contains(&first) || after_space,
                        "token {token:?} starts with a combining mark"
                    );
                }
                not_split(doc, "Cafe\u{301}");
                not_split(doc, "Ha\u{323}\u{302}");
            }),
        },
        TextCase {
            name: "14-control-characters.txt",
            content: "Cai Qi\u{1} met\u{7} \u{1b}[0mdelegates\u{7f} in\u{85}Beijing.\u{8}".into(),
            expect: Expect::Doc(|_| {}),
        },
        TextCase {
            name: "15-html.txt",
            content: "<html><body><p class=\"lead\">Cai Qi met <b>Yangug Sodbaatar</b> in \
                      Beijing &amp; Ulaanbaatar.</p><script>var x = \"<p>\";</script>\
                      <a href=\"http://news.cn/a?b=1&c=2\">more</a></body></html>"
                .into(),
            expect: Expect::Doc(|doc| assert!(doc.text().starts_with("<html>"))),
        },
        TextCase {
            name: "16-empty.txt",
            content: Vec::new(),
            expect: Expect::Doc(|doc| assert!(doc.tokens().is_empty())),
        },
    ]
}

/// JSONL lines of `suite.jsonl`, one document each, the last cut off.
fn jsonl_cases() -> Vec<(Vec<u8>, Expect)> {
    let mut truncated = br#"{"id":"truncated","text":""#.to_vec();
    truncated.extend(std::iter::repeat_n(b'a', 1 << 20));
    vec![
        (
            br#"{"id":"good","text":"Cai Qi met delegates in Beijing."}"#.to_vec(),
            Expect::Doc(|doc| assert_eq!(doc.sentences().len(), 1)),
        ),
        (
            b"{\"id\":\"bad-utf8\",\"text\":\"Cai \xff Qi\"}".to_vec(),
            Expect::Error("invalid_utf8"),
        ),
        (
            br#"{"id":"number","text":42}"#.to_vec(),
            Expect::Error("text_not_string"),
        ),
        (
            br#"{"id":"null","text":null}"#.to_vec(),
            Expect::Error("text_not_string"),
        ),
        (
            br#"{"id":"missing"}"#.to_vec(),
            Expect::Error("missing_text"),
        ),
        (b"[1, 2]".to_vec(), Expect::Error("not_an_object")),
        (
            br#"{"id":"nul","text":"Cai\u0000Qi \u0007 met.\r\nOK."}"#.to_vec(),
            Expect::Doc(|doc| assert!(doc.text().contains('\0'))),
        ),
        (truncated, Expect::Error("invalid_json")),
    ]
}

fn run(args: &[&str]) -> Output {
    dateline()
        .arg("run")
        .args(args)
        .output()
        .expect("running dateline")
}

#[test]
fn every_adversarial_input_gives_one_record_and_the_run_goes_on() {
    let dir = TempDir::new("dateline-adversarial");
    let corpus = dir.path().join("corpus");
    let mut expected: Vec<(String, Expect)> = Vec::new();
    for case in text_cases() {
        dir.write(&format!("corpus/{}", case.name), &case.content);
        expected.push((case.name.to_owned(), case.expect));
    }

    // A length claim no document can meet: a sparse file of 10 GB.
    let huge = corpus.join("17-claims-10gb.txt");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(10 << 30))
        .expect("creating a sparse file");
    expected.push(("17-claims-10gb.txt".into(), Expect::Error("too_large")));
    // Unreadable files: a dangling link, and a file that opens but fails
    // on read even for root.
    symlink(
        corpus.join("does-not-exist"),
        corpus.join("18-dangling-link.txt"),
    )
    .unwrap();
    expected.push(("18-dangling-link.txt".into(), Expect::Error("io")));
    symlink("/proc/self/mem", corpus.join("19-unreadable.txt")).unwrap();
    expected.push(("19-unreadable.txt".into(), Expect::Error("io")));
    // A good document after the bad ones.
    dir.write(
        "corpus/20-last.txt",
        "The run went on. Cai Qi left Beijing.",
    );
    expected.push((
        "20-last.txt".into(),
        Expect::Doc(|doc| assert_eq!(doc.sentences().len(), 2)),
    ));

    let mut jsonl = Vec::new();
    for (i, (line, expect)) in jsonl_cases().into_iter().enumerate() {
        jsonl.extend_from_slice(&line);
        expected.push((format!("suite.jsonl:{}", i + 1), expect));
        jsonl.push(b'\n');
    }
    // The truncated line ends the file without its newline.
    jsonl.pop();
    let jsonl_path = dir.write("suite.jsonl", &jsonl);

    let output = run(&[corpus.to_str().unwrap(), jsonl_path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "some documents failed: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let records = records(&output.stdout);
    assert_eq!(
        records.len(),
        expected.len(),
        "one record per document in: {:?}",
        records.iter().map(Record::id).collect::<Vec<_>>()
    );
    let errors = expected
        .iter()
        .filter(|(_, e)| matches!(e, Expect::Error(_)))
        .count();
    assert!(
        stderr.contains(&format!("{} documents, {errors} errors", expected.len())),
        "summary: {stderr}"
    );
    for (record, (name, expect)) in records.iter().zip(&expected) {
        // Ids: a file's path under the directory; `id` or FILE:LINE in JSONL.
        if !name.starts_with("suite.jsonl") {
            assert_eq!(record.id(), name);
        }
        match (record, expect) {
            (Record::Doc { doc, .. }, Expect::Doc(check)) => check(doc),
            (Record::Error { kind, message, .. }, Expect::Error(want)) => {
                assert_eq!(kind, want, "{name}: {message}");
            }
            (record, _) => panic!("{name}: unexpected {record:?}"),
        }
    }

    // The same run with --allow-errors exits 0.
    let allowed = run(&["--quiet", "--allow-errors", jsonl_path.to_str().unwrap()]);
    assert_eq!(allowed.status.code(), Some(0));
    assert_eq!(records_count(&allowed), jsonl_cases().len());
}

/// Documents over `--max-doc-bytes` (a small cap here; 256 MiB by
/// default): each is one `too_large` error record, read past rather than
/// held, and the documents after it are processed.
#[test]
fn over_long_documents_are_one_error_record_each() {
    let dir = TempDir::new("dateline-adversarial-cap");
    let mib = 1 << 20;
    dir.write("corpus/a.txt", "Cai Qi met delegates in Beijing.");
    dir.write("corpus/b.txt", "word ".repeat(mib * 3 / 10));
    dir.write("corpus/c.txt", "The run went on.");
    let mut jsonl = br#"{"id":"first","text":"Before the long line."}"#.to_vec();
    jsonl.extend_from_slice(b"\n{\"id\":\"long\",\"text\":\"");
    jsonl.extend(std::iter::repeat_n(b'a', 3 * mib));
    jsonl.extend_from_slice(b"\"}\n");
    // Only whitespace, however long, holds no document.
    jsonl.extend(std::iter::repeat_n(b' ', 2 * mib));
    jsonl.extend_from_slice(b"\n{\"id\":\"after\",\"text\":\"After it.\"}\n");
    jsonl.extend_from_slice(b"{\"text\":\"");
    jsonl.extend(std::iter::repeat_n(b'b', 2 * mib));
    jsonl.extend_from_slice(b"\",\"id\":\"cut\"");
    let lines = dir.write("lines.jsonl", &jsonl);
    let corpus = dir.path().join("corpus");

    let output = run(&[
        "--max-doc-bytes",
        "1M",
        corpus.to_str().unwrap(),
        lines.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("7 documents, 3 errors"), "{stderr}");
    let records = records(&output.stdout);
    let got = ids_and_errors(&records);
    let too_large = Some("too_large");
    assert_eq!(
        got,
        [
            ("a.txt", None),
            ("b.txt", too_large),
            ("c.txt", None),
            ("first", None),
            // Not parsed: the id of the line's opening, else file and line.
            ("long", too_large),
            ("after", None),
            (format!("{}:5", lines.display()).as_str(), too_large),
        ]
    );
    let Record::Error { message, .. } = &records[4] else {
        unreachable!()
    };
    assert!(
        message.contains(&format!(
            "line {}:2 of {} bytes",
            lines.display(),
            3 * mib + 24
        )) && message.contains("--max-doc-bytes"),
        "{message}"
    );
}

/// Pre-tokenised CoNLL input is capped the same way: a document whose lines
/// take more than `--max-doc-bytes`, or one endless line, is read past and
/// becomes one `too_large` record; the documents around it are processed.
#[test]
fn over_long_conll_documents_are_one_error_record_each() {
    let dir = TempDir::new("dateline-adversarial-conll-cap");
    let mib = 1 << 20;
    let mut conll = b"-DOCSTART- -X- -X- O\n\nCai NNP B-NP\nQi NNP I-NP\n\n".to_vec();
    conll.extend_from_slice(b"-DOCSTART- -X- -X- O\n\n");
    for _ in 0..(mib / 10) {
        conll.extend_from_slice(b"many NN B-NP\nlines . O\n\n");
    }
    conll.extend_from_slice(b"-DOCSTART- -X- -X- O\n\nBeijing NNP B-NP\n\n");
    conll.extend_from_slice(b"-DOCSTART- -X- -X- O\n\n");
    conll.extend(std::iter::repeat_n(b'x', 2 * mib));
    conll.extend_from_slice(b" NN O\n\n-DOCSTART- -X- -X- O\n\nend NN O\n");
    let input = dir.write("corpus.conll", &conll);

    let output = run(&["--max-doc-bytes", "1M", input.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("5 documents, 2 errors"), "{stderr}");
    let records = records(&output.stdout);
    let name = input.display().to_string();
    let got = ids_and_errors(&records);
    let too_large = Some("too_large");
    // The last line of the long document.
    let big_end = 7 + 3 * (mib / 10);
    let expected = [
        (format!("{name}:1"), None),
        (format!("{name}:6"), too_large),
        (format!("{name}:{}", big_end + 1), None),
        (format!("{name}:{}", big_end + 5), too_large),
        (format!("{name}:{}", big_end + 9), None),
    ];
    let expected: Vec<(&str, Option<&str>)> = expected
        .iter()
        .map(|(id, kind)| (id.as_str(), *kind))
        .collect();
    assert_eq!(got, expected);
    let Record::Error { message, .. } = &records[1] else {
        unreachable!()
    };
    assert!(message.contains("--max-doc-bytes"), "{message}");
}

/// A line far over the cap is read past a buffer at a time: the run's
/// peak memory stays far below the line's length.
#[test]
#[cfg(target_os = "linux")]
fn an_over_long_line_is_not_held_in_memory() {
    use std::io::Write;
    use std::process::Stdio;

    let mut child = dateline()
        .args(["run", "--quiet", "--max-doc-bytes", "1M", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line_mib = 128;
    stdin
        .write_all(b"{\"id\":\"a\",\"text\":\"Before.\"}\n{\"id\":\"huge\",\"text\":\"")
        .unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..line_mib {
        stdin.write_all(&chunk).unwrap();
    }
    // The driver has taken all but a pipe's worth of the line by now.
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status");
    stdin
        .write_all(b"\"}\n{\"id\":\"b\",\"text\":\"After.\"}\n")
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let ids: Vec<String> = records(&output.stdout)
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r.id(),
                if matches!(r, Record::Error { .. }) {
                    "!"
                } else {
                    ""
                }
            )
        })
        .collect();
    assert_eq!(ids, ["a", "huge!", "b"]);
    assert!(
        peak_kib < (line_mib / 2) << 10,
        "peak memory {peak_kib} KiB while reading a {line_mib} MiB line"
    );
}

/// Each record's id, with its error kind when it is an error record.
fn ids_and_errors(records: &[Record]) -> Vec<(&str, Option<&str>)> {
    records
        .iter()
        .map(|record| match record {
            Record::Doc { id, .. } => (id.as_str(), None),
            Record::Error { id, kind, .. } => (id.as_str(), Some(kind.as_str())),
        })
        .collect()
}

fn records_count(output: &Output) -> usize {
    records(&output.stdout).len()
}

#[test]
fn invalid_utf8_message_names_the_byte() {
    let dir = TempDir::new("dateline-adversarial-utf8");
    let path = dir.write("bad.txt", b"abc \xC3\x28 def");
    let output = run(&["--quiet", path.to_str().unwrap()]);
    let records = records(&output.stdout);
    let [Record::Error { kind, message, .. }] = &records[..] else {
        panic!("{records:?}");
    };
    assert_eq!(kind, "invalid_utf8");
    assert!(message.contains("byte 4"), "{message}");
}

#[test]
fn byte_order_mark_on_the_first_jsonl_line() {
    // RFC 8259 lets a JSON parser ignore a leading byte-order mark, and
    // Windows tools write one: the driver skips it.
    let dir = TempDir::new("dateline-adversarial-bom");
    let path = dir.write(
        "bom.jsonl",
        b"\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"Cai Qi met.\"}\n{\"id\":\"b\",\"text\":\"Then left.\"}\n",
    );
    let output = run(&["--quiet", "--allow-errors", path.to_str().unwrap()]);
    let records = records(&output.stdout);
    assert_eq!(records.len(), 2);
    assert!(
        matches!(&records[0], Record::Doc { id, doc } if id == "a" && doc.text() == "Cai Qi met.")
    );
    assert!(matches!(&records[1], Record::Doc { id, .. } if id == "b"));
}

/// Output integrity: where the records go can fail or go away.
mod output {
    use std::io::Write;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    use super::*;

    /// A corpus big enough that a run is still writing when it is cut off.
    fn corpus(dir: &TempDir, docs: usize) -> std::path::PathBuf {
        let mut jsonl = String::new();
        for i in 0..docs {
            jsonl.push_str(&format!(
                "{{\"id\":\"doc-{i}\",\"text\":\"BEIJING, May 14 (Xinhua) -- Cai Qi met delegation number {i} \
                 in Beijing on Wednesday. The talks were frank. \\\"We agree,\\\" he said.\"}}\n"
            ));
        }
        dir.write("corpus.jsonl", jsonl)
    }

    #[test]
    fn disk_full_is_a_clear_error_with_a_non_zero_status() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let dir = TempDir::new("dateline-full");
        let input = corpus(&dir, 200);
        // Through -o, and as a redirected stdout.
        let with_o = run(&["--quiet", "-o", "/dev/full", input.to_str().unwrap()]);
        let redirected = dateline()
            .args(["run", "--quiet", input.to_str().unwrap()])
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        for output in [with_o, redirected] {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains("No space left on device"), "{stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }

    #[test]
    fn head_closing_the_pipe_exits_quietly_with_status_0() {
        let dir = TempDir::new("dateline-head");
        let input = corpus(&dir, 500);
        // A real shell pipe, as a user types it; PIPESTATUS is dateline's.
        let script = format!(
            "'{}' run --quiet '{}' | head -1; echo \"status=${{PIPESTATUS[0]}}\" >&2",
            support::dateline_bin().display(),
            input.display()
        );
        let output = std::process::Command::new("bash")
            .args(["-c", &script])
            .output()
            .expect("running bash");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stdout.lines().count(), 1);
        assert!(stdout.starts_with(r#"{"id":"doc-0""#));
        assert!(stderr.contains("status=0"), "{stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("rror"),
            "{stderr}"
        );
    }

    /// Whole JSONL lines of `bytes`, each parsed; panics on a cut record.
    fn whole_lines(bytes: &[u8], what: &str) -> Vec<serde_json::Value> {
        assert!(
            bytes.is_empty() || bytes.ends_with(b"\n"),
            "{what} ends inside a record"
        );
        bytes
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| {
                serde_json::from_slice(line).unwrap_or_else(|e| {
                    panic!(
                        "{what}: a record is cut off ({e}): ...{}",
                        String::from_utf8_lossy(&line[line.len().saturating_sub(80)..])
                    )
                })
            })
            .collect()
    }

    /// SIGKILL gives the driver no chance to clean up, so what it leaves at
    /// the output path must be whole records at any instant. A write(2) to
    /// a regular file is not atomic against SIGKILL (Linux stops it at a
    /// page boundary on a fatal signal), so the driver writes the records
    /// to `OUT.partial` and renames that to `OUT` when the run ends. Killed
    /// midway, the run leaves `OUT` as an earlier run wrote it, and a
    /// staging file whose last record may be cut; `--resume` continues the
    /// staging file and gives one whole record per document, in order.
    #[test]
    fn a_killed_run_leaves_only_whole_records() {
        let dir = TempDir::new("dateline-kill");
        let out = dir.path().join("out.jsonl");
        let staging = dir.path().join("out.jsonl.partial");
        let earlier = "{\"id\":\"earlier\",\"text\":\"An earlier run wrote this.\"}\n";
        std::fs::write(&out, earlier).unwrap();
        // Small batches: the run reads little ahead of what it writes.
        let args = ["run", "--quiet", "--threads", "2", "--batch-docs", "16"];
        let mut child = dateline()
            .args(args)
            .args(["-o", out.to_str().unwrap(), "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Feed documents until a megabyte of records has reached the
        // staging file, then kill the run mid-stream with SIGKILL.
        let mut stdin = child.stdin.take().unwrap();
        let mut sent = String::new();
        let started = Instant::now();
        let mut i = 0u64;
        let staged = || std::fs::metadata(&staging).map_or(0, |m| m.len());
        while staged() < (1 << 20) && started.elapsed() < Duration::from_secs(60) {
            let mut chunk = String::new();
            for _ in 0..200 {
                chunk.push_str(&format!(
                    "{{\"id\":\"doc-{i}\",\"text\":\"Cai Qi met delegation {i} in Beijing. {}\"}}\n",
                    "The talks went on. ".repeat(20)
                ));
                i += 1;
            }
            stdin.write_all(chunk.as_bytes()).unwrap();
            sent.push_str(&chunk);
        }
        assert!(staged() >= 1 << 20, "no output after a minute");
        child.kill().unwrap();
        child.wait().unwrap();
        drop(stdin);

        // The output is the earlier run's, whole; the staging file holds
        // the killed run's records, the last maybe cut.
        assert_eq!(std::fs::read_to_string(&out).unwrap(), earlier);
        let killed = std::fs::read(&staging).unwrap();
        let whole = &killed[..killed
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1)];
        let kept = whole_lines(whole, "the staging file").len();
        eprintln!(
            "killed after {kept} whole records of {i} sent{}",
            if whole.len() < killed.len() {
                ", the next one cut"
            } else {
                ""
            }
        );

        // Resumed on the documents sent, the run completes the output.
        let input = dir.write("sent.jsonl", &sent);
        let resumed = dateline()
            .args(args)
            .args([
                "--resume",
                "-o",
                out.to_str().unwrap(),
                input.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(
            resumed.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&resumed.stderr)
        );
        assert!(!staging.exists());
        let bytes = std::fs::read(&out).unwrap();
        let ids: Vec<String> = whole_lines(&bytes, "the output")
            .iter()
            .map(|record| record["id"].as_str().unwrap().to_owned())
            .collect();
        let expected: Vec<String> = (0..i).map(|n| format!("doc-{n}")).collect();
        assert_eq!(ids, expected);
        // Every record reads back as a valid document.
        assert_eq!(records(&bytes).len(), i as usize);
    }
}
