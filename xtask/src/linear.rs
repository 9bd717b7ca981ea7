//! `cargo xtask linear`: checks that every stage runs in time linear in the
//! document's length on adversarial inputs.
//!
//! For each input kind (no whitespace at all, a megabyte of one punctuation
//! mark, deeply nested brackets, only whitespace, right-to-left text, emoji
//! sequences, combining marks, control characters, markup, ...) it builds
//! one document of `n` bytes and one of `2n`, times each stage on both
//! (tokenize, segment, tag, render JSONL, read the JSONL back) and reports
//! the ratio. A linear stage gives about 2; a quadratic one about 4. The
//! run fails when a ratio exceeds 2.3 after re-measuring, so it is a
//! benchmark with a verdict, not a timed unit test. The no-whitespace case
//! is also run at `--big-mb` (25 MB and 50 MB by default), the size a
//! crawler's worst page reaches.
//!
//! Timing on a shared machine is noisy, so each figure is the fastest of
//! several repetitions, a repetition runs the stage enough times to last
//! at least 50 ms at size `n` (the same count at `2n`), and a ratio over
//! the limit is measured again before it counts. Every stage's output count
//! is checked against the same stage's at the other size, so a stage that
//! silently did nothing cannot pass. It re-runs itself in release mode.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use dateline_core::{Doc, OffsetUnit, Stage};
use dateline_render::read::JsonlReader;
use dateline_render::{Format, Output, RenderOptions, Renderer};
use dateline_segment::Segmenter;
use dateline_tag::EntityTagger;
use dateline_tokenize::Tokenizer;

use crate::paths::workspace_root;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Size n in MB of the smaller document of each pair (the larger is 2n)
    #[arg(long, default_value_t = 2.0)]
    mb: f64,
    /// Size n in MB of the no-whitespace case run at scale (0 to skip)
    #[arg(long, default_value_t = 25.0)]
    big_mb: f64,
    /// Largest time ratio t(2n)/t(n) accepted
    #[arg(long, default_value_t = 2.3)]
    limit: f64,
    /// Repetitions per measurement (the fastest counts)
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Only the cases whose name contains this
    #[arg(long)]
    case: Option<String>,
}

/// An adversarial input kind and how to build a document of about `n`
/// bytes of it.
struct Case {
    name: &'static str,
    build: fn(usize) -> String,
}

/// Repeats `unit` to at least `n` bytes.
fn repeat(unit: &str, n: usize) -> String {
    unit.repeat(n.div_ceil(unit.len()).max(1))
}

const CASES: &[Case] = &[
    Case {
        name: "news (fixtures)",
        build: |n| {
            let fixtures = workspace_root().join("fixtures");
            let mut text = String::new();
            let mut files: Vec<_> = std::fs::read_dir(fixtures)
                .expect("fixtures/ is readable")
                .map(|e| e.expect("a readable entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            files.sort();
            let one: String = files
                .iter()
                .map(|p| std::fs::read_to_string(p).expect("a readable fixture") + "\n\n")
                .collect();
            while text.len() < n {
                text.push_str(&one);
            }
            // Cut at n (on a character boundary) so that 2n is twice n.
            let mut cut = n;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text
        },
    },
    Case {
        name: "no whitespace (letters)",
        build: |n| repeat("abcdefghijKLMNOPQRST", n),
    },
    Case {
        name: "no whitespace (words and periods)",
        build: |n| repeat("Mr.Smith.U.S.said.It.Rained.", n),
    },
    Case {
        name: "no whitespace (digits)",
        build: |n| repeat("1234567890", n),
    },
    Case {
        name: "one punctuation mark (.)",
        build: |n| repeat(".", n),
    },
    Case {
        name: "one punctuation mark (-)",
        build: |n| repeat("-", n),
    },
    Case {
        name: "one punctuation mark (')",
        build: |n| repeat("'", n),
    },
    Case {
        name: "nested brackets",
        build: |n| {
            let k = n / 2;
            let mut text = "(".repeat(k);
            text.push('x');
            text.push_str(&")".repeat(k));
            text
        },
    },
    Case {
        name: "nested brackets (mixed, spaced)",
        build: |n| {
            let k = n / 16;
            let mut text = "( [ { \" ".repeat(k);
            text.push_str("Paris");
            text.push_str(&" \" } ] )".repeat(k));
            text
        },
    },
    Case {
        name: "only whitespace",
        build: |n| repeat(" \n\t\u{a0}\u{2028}", n),
    },
    Case {
        name: "one long sentence (words, no end)",
        build: |n| {
            repeat(
                "the Minister of Foreign Affairs met Cai Qi in Beijing and ",
                n,
            )
        },
    },
    Case {
        name: "capitalised words, no punctuation",
        build: |n| repeat("Standing Committee Political Bureau Central ", n),
    },
    Case {
        name: "many short sentences",
        build: |n| repeat("He left. She came! Why? ", n),
    },
    Case {
        name: "right-to-left",
        build: |n| repeat("مرحبا بالعالم. שלום עולם! ", n),
    },
    Case {
        name: "emoji ZWJ and flags (no spaces)",
        build: |n| repeat("👨\u{200d}👩\u{200d}👧\u{200d}👦🇨🇳🇲🇳", n),
    },
    Case {
        name: "combining marks",
        build: |n| repeat("e\u{301}\u{302}\u{303}a\u{308} ", n),
    },
    Case {
        name: "control characters",
        build: |n| repeat("a\u{1}b\u{7}\u{1b}[0m\u{0}c\u{7f}\u{85} ", n),
    },
    Case {
        name: "HTML markup",
        build: |n| {
            repeat("<p class=\"x\">Cai <b>Qi</b> met &amp; <a href=\"http://x.cn/a?b=c\">link</a></p>\n", n)
        },
    },
    Case {
        name: "URLs and e-mails (no spaces)",
        build: |n| repeat("http://www.example.com/a/b?c=d&e=f#g,mail@example.com;", n),
    },
    Case {
        name: "dates and numbers",
        build: |n| repeat("May 14, 2025 09:07 $4.5 billion 12.5% 1,000,000 ", n),
    },
    Case {
        name: "CRLF and lone CR",
        build: |n| repeat("Line one.\r\nLine two\rLine three.\r\n\r\n", n),
    },
];

/// The timed stages, in pipeline order.
const STAGES: [&str; 5] = ["tokenize", "segment", "tag", "render jsonl", "read jsonl"];

struct Stages {
    tokenizer: Tokenizer,
    segmenter: Segmenter,
    tagger: EntityTagger,
    renderer: Renderer,
}

/// Seconds per run of each stage, with the count each produced.
struct Timing {
    seconds: [f64; STAGES.len()],
    counts: [usize; STAGES.len()],
}

pub fn run(args: Args) -> Result<()> {
    if cfg!(debug_assertions) {
        // Timings of a debug build mean nothing: run the release build.
        let status = Command::new(env!("CARGO"))
            .current_dir(workspace_root())
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "linear",
            ])
            .args(std::env::args().skip(2))
            .status()
            .context("running the release build of xtask")?;
        ensure!(status.success(), "linear-time benchmark failed");
        return Ok(());
    }
    let stages = Stages {
        tokenizer: Tokenizer::default(),
        segmenter: Segmenter::default(),
        tagger: EntityTagger::new()?,
        renderer: Renderer::new(Format::Jsonl, RenderOptions::default()),
    };
    let n = (args.mb * 1e6) as usize;
    let mut runs: Vec<(&str, usize)> = CASES.iter().map(|c| (c.name, n)).collect();
    if args.big_mb > 0.0 {
        runs.push(("no whitespace (letters)", (args.big_mb * 1e6) as usize));
    }
    if let Some(filter) = &args.case {
        runs.retain(|(name, _)| name.contains(filter.as_str()));
        ensure!(!runs.is_empty(), "no case matches {filter:?}");
    }

    println!("| case | stage | n (MB) | t(n) ms | t(2n) ms | ratio |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut failures = Vec::new();
    for (name, n) in runs {
        let case = CASES.iter().find(|c| c.name == name).expect("a known case");
        let small = (case.build)(n);
        let large = (case.build)(2 * n);
        let growth = large.len() as f64 / small.len().max(1) as f64;
        ensure!(
            (1.98..=2.02).contains(&growth),
            "{name}: the larger text is {growth:.3} times the smaller"
        );
        let mut best: Option<[f64; STAGES.len()]> = None;
        let mut times = None;
        // A ratio over the limit on a busy machine is measured again
        // before it counts; the lowest ratio of each stage is kept.
        for _attempt in 0..3 {
            let (t1, t2) = measure(&stages, &small, &large, args.repeat)?;
            let ratios: [f64; STAGES.len()] =
                std::array::from_fn(|i| t2.seconds[i] / t1.seconds[i].max(1e-9));
            let keep = best.map_or(ratios, |b| std::array::from_fn(|i| b[i].min(ratios[i])));
            if best.is_none() || keep != best.unwrap() {
                times = Some((t1, t2));
            }
            best = Some(keep);
            if keep.iter().all(|&r| r <= args.limit) {
                break;
            }
        }
        let (t1, t2) = times.expect("measured at least once");
        let ratios = best.expect("measured at least once");
        for (i, stage) in STAGES.iter().enumerate() {
            let flag = if ratios[i] > args.limit {
                " **over**"
            } else {
                ""
            };
            println!(
                "| {name} | {stage} | {:.1} | {:.2} | {:.2} | {:.2}{flag} |",
                small.len() as f64 / 1e6,
                t1.seconds[i] * 1e3,
                t2.seconds[i] * 1e3,
                ratios[i],
            );
            if ratios[i] > args.limit {
                failures.push(format!("{name} / {stage}: {:.2}", ratios[i]));
            }
        }
    }
    if !failures.is_empty() {
        bail!(
            "superlinear (ratio > {}): {}",
            args.limit,
            failures.join("; ")
        );
    }
    Ok(())
}

/// Times every stage on both texts; the iteration count is set at the small
/// size and reused at the large one.
fn measure(stages: &Stages, small: &str, large: &str, repeat: usize) -> Result<(Timing, Timing)> {
    let mut iterations = [1usize; STAGES.len()];
    let t1 = time_stages(stages, small, repeat, &mut iterations, true)?;
    let t2 = time_stages(stages, large, repeat, &mut iterations, false)?;
    for (i, stage) in STAGES.iter().enumerate() {
        // Doubling the text must not shrink what a stage produced: a count
        // that drops means the stage skipped work at the larger size.
        ensure!(
            t2.counts[i] >= t1.counts[i],
            "{stage}: {} items at 2n but {} at n",
            t2.counts[i],
            t1.counts[i]
        );
    }
    Ok((t1, t2))
}

/// The least time a repetition should last, so timer resolution and
/// scheduling noise stay small against it.
const MIN_REPETITION: Duration = Duration::from_millis(50);

fn time_stages(
    stages: &Stages,
    text: &str,
    repeat: usize,
    iterations: &mut [usize; STAGES.len()],
    calibrate: bool,
) -> Result<Timing> {
    let mut doc = Doc::new("linear", text)?;
    let mut seconds = [0.0; STAGES.len()];
    let mut counts = [0usize; STAGES.len()];
    let mut out = Output::default();
    // Each closure runs one stage once and returns how many items it made;
    // the stages before it have already run on `doc`.
    for stage in 0..STAGES.len() {
        let once = |doc: &mut Doc, out: &mut Output| -> Result<usize> {
            Ok(match stage {
                0 => {
                    doc.tokens = None;
                    stages.tokenizer.process(doc)?;
                    doc.tokens().len()
                }
                1 => {
                    doc.sentences = None;
                    stages.segmenter.process(doc)?;
                    doc.sentences().len()
                }
                2 => {
                    doc.entities = None;
                    stages.tagger.process(doc)?;
                    doc.entities().len() + doc.tokens().len()
                }
                3 => {
                    out.clear();
                    stages.renderer.render(doc, 0, out)?;
                    out.bytes.len()
                }
                _ => {
                    let mut read = 0;
                    for back in JsonlReader::new(&out.bytes[..], "linear", OffsetUnit::Char) {
                        read += back?.tokens().len();
                    }
                    read
                }
            })
        };
        // The render stage's output is the reader's input: render once
        // before timing the reader.
        if stage == 4 {
            out.clear();
            stages.renderer.render(&doc, 0, &mut out)?;
        }
        if calibrate {
            let started = Instant::now();
            let mut runs = 0;
            while started.elapsed() < MIN_REPETITION {
                black_box(once(&mut doc, &mut out)?);
                runs += 1;
            }
            iterations[stage] = runs;
        }
        let mut best = f64::INFINITY;
        for _ in 0..repeat.max(1) {
            let started = Instant::now();
            for _ in 0..iterations[stage] {
                counts[stage] = black_box(once(&mut doc, &mut out)?);
            }
            best = best.min(started.elapsed().as_secs_f64() / iterations[stage] as f64);
        }
        seconds[stage] = best;
    }
    Ok(Timing { seconds, counts })
}
