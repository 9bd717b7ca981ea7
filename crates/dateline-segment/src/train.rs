//! Fitting the boundary model (feature `train`): an averaged perceptron
//! over the gaps the rules leave open, with gold sentence starts as labels.
//!
//! The routine runs the same sweep as the segmenter, so it sees exactly
//! the gaps, and the features, that the model will be asked about. It is
//! deterministic: the example order is shuffled by a fixed-seed generator.

use std::collections::HashMap;

use dateline_core::{Sentence, Token};

use crate::knowledge::{Knowledge, KNOWLEDGE};
use crate::model::{features, hash_name, GapView, Model, THRESHOLD};
use crate::sweep::{Decider, Sweep};

/// One training document: its text, its tokens (from the tokenizer the
/// model will run behind) and the byte offsets where gold sentences start.
#[derive(Clone, Copy, Debug)]
pub struct Example<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    /// Sorted byte offsets of the gold sentence starts.
    pub sentence_starts: &'a [u32],
}

/// Training options.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub epochs: u32,
    /// Features seen fewer times than this are left out of the model.
    pub min_count: u32,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            epochs: 10,
            min_count: 2,
            seed: 0x5eed_da7e,
        }
    }
}

/// A fitted model: weights by feature name, usable before it is written.
#[derive(Debug)]
pub struct TrainedModel {
    /// `(feature, weight)`, sorted by feature.
    pub weights: Vec<(String, f32)>,
    /// Candidate gaps seen, and how many were gold boundaries.
    pub examples: usize,
    pub positives: usize,
}

impl TrainedModel {
    /// The model file: a header comment, the threshold, the weights.
    pub fn to_tsv(&self, threshold: f32, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!("{THRESHOLD}\t{threshold}\n"));
        for (name, w) in &self.weights {
            out.push_str(&format!("{name}\t{w}\n"));
        }
        out
    }

    /// Segments with this model and `threshold` instead of the compiled-in
    /// one, to score a candidate model before writing it.
    pub fn segment_into(
        &self,
        threshold: f32,
        text: &str,
        tokens: &[Token],
        out: &mut Vec<Sentence>,
    ) {
        let model = Model::from_weights(
            self.weights.iter().map(|(n, w)| (hash_name(n), *w)),
            threshold,
        );
        let decider = Scorer {
            model: &model,
            knowledge: &KNOWLEDGE,
        };
        Sweep::new(&KNOWLEDGE, text, tokens, decider).run(out);
    }
}

struct Scorer<'m> {
    model: &'m Model,
    knowledge: &'m Knowledge,
}

impl Decider for Scorer<'_> {
    fn decide(&mut self, gap: &GapView<'_>, _: usize) -> bool {
        self.model.is_boundary(gap, self.knowledge)
    }
}

/// Records the features of every open gap and answers with the gold label,
/// so the sweep's state follows the gold segmentation.
struct Collector<'a> {
    tokens: &'a [Token],
    starts: &'a [u32],
    ids: &'a mut HashMap<String, u32>,
    counts: &'a mut Vec<u32>,
    examples: &'a mut Vec<(Vec<u32>, bool)>,
    name: String,
}

impl Decider for Collector<'_> {
    fn decide(&mut self, gap: &GapView<'_>, right_token: usize) -> bool {
        let gold = self
            .starts
            .binary_search(&self.tokens[right_token].span.start)
            .is_ok();
        let mut feats = Vec::new();
        features(gap, &KNOWLEDGE, |_, pieces, _| {
            self.name.clear();
            for (i, p) in pieces.iter().enumerate() {
                if i > 0 {
                    self.name.push('|');
                }
                self.name.push_str(&p.to_ascii_lowercase());
            }
            let next = self.ids.len() as u32;
            let id = *self.ids.entry(self.name.clone()).or_insert(next);
            if id as usize == self.counts.len() {
                self.counts.push(0);
            }
            self.counts[id as usize] += 1;
            feats.push(id);
        });
        self.examples.push((feats, gold));
        gold
    }
}

/// Fits the boundary model on the open gaps of `docs`.
pub fn train(docs: &[Example<'_>], options: &Options) -> TrainedModel {
    let mut ids = HashMap::new();
    let mut counts = Vec::new();
    let mut examples = Vec::new();
    for doc in docs {
        let collector = Collector {
            tokens: doc.tokens,
            starts: doc.sentence_starts,
            ids: &mut ids,
            counts: &mut counts,
            examples: &mut examples,
            name: String::new(),
        };
        let mut sink = Vec::new();
        Sweep::new(&KNOWLEDGE, doc.text, doc.tokens, collector).run(&mut sink);
    }

    // Averaged perceptron: `avg = w - u / c`, the lazy form of averaging
    // the weights over every step.
    let n = ids.len();
    let mut w = vec![0f32; n];
    let mut u = vec![0f32; n];
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = options.seed | 1;
    for _ in 0..options.epochs {
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &e in &order {
            let (feats, gold) = &examples[e];
            let score: f32 = feats.iter().map(|&f| w[f as usize]).sum();
            let y = if *gold { 1.0 } else { -1.0 };
            if y * score <= 0.0 {
                for &f in feats {
                    w[f as usize] += y;
                    u[f as usize] += y * c;
                }
            }
            c += 1.0;
        }
    }
    let mut weights: Vec<(String, f32)> = ids
        .into_iter()
        .filter(|&(_, id)| counts[id as usize] >= options.min_count)
        .map(|(name, id)| {
            let avg = w[id as usize] - u[id as usize] / c;
            (name, (avg * 1000.0).round() / 1000.0)
        })
        .filter(|&(_, avg)| avg != 0.0)
        .collect();
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    TrainedModel {
        weights,
        positives: examples.iter().filter(|e| e.1).count(),
        examples: examples.len(),
    }
}
