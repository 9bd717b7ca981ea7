//! Training (feature `train`): an averaged structured perceptron over the
//! runtime's own features, with model selection and confidence calibration
//! on a development set.
//!
//! Deterministic: documents are visited in an order drawn from a fixed
//! seed, all arithmetic is single-threaded, so the same inputs give the
//! same model bytes.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use crate::decode::Transitions;
use crate::features::{phrase_key, DocContext};
use crate::labels::{self, allowed, allowed_start, N_TAGS, N_TYPES, TYPE_NAMES};
use crate::model::{Lexicon, Model, ROW};
use crate::tagger::{tag_model, ModelSpan, Scratch};
use crate::TagError;

/// One document of a CoNLL file: sentences of words with IOB2 tags.
#[derive(Clone, Debug, Default)]
pub struct ConllDoc {
    pub sentences: Vec<ConllSentence>,
}

#[derive(Clone, Debug, Default)]
pub struct ConllSentence {
    pub words: Vec<String>,
    /// IOB2 tags (`O`, `B-PER`, `I-PER`, ...), one per word.
    pub tags: Vec<String>,
}

impl ConllDoc {
    fn words(&self) -> impl Iterator<Item = &str> {
        self.sentences
            .iter()
            .flat_map(|s| s.words.iter().map(String::as_str))
    }

    fn ranges(&self) -> Vec<Range<usize>> {
        let mut at = 0;
        self.sentences
            .iter()
            .map(|s| {
                let r = at..at + s.words.len();
                at = r.end;
                r
            })
            .collect()
    }

    /// Gold entity spans `(first, end, type)` per sentence, read the way
    /// conlleval reads IOB2 (an `I-` after another type opens a span).
    fn gold(&self) -> Vec<Vec<(usize, usize, usize)>> {
        self.sentences.iter().map(|s| iob_spans(&s.tags)).collect()
    }
}

/// Reads a CoNLL column file: `-DOCSTART-` lines separate documents, blank
/// lines sentences; the first column is the word, the last the IOB2 tag.
pub fn read_conll(text: &str) -> Vec<ConllDoc> {
    let mut docs = vec![ConllDoc::default()];
    let mut sentence = ConllSentence::default();
    let flush = |docs: &mut Vec<ConllDoc>, s: &mut ConllSentence| {
        if !s.words.is_empty() {
            docs.last_mut()
                .expect("one document")
                .sentences
                .push(std::mem::take(s));
        }
    };
    for line in text.lines() {
        let mut cols = line.split_whitespace();
        let Some(word) = cols.next() else {
            flush(&mut docs, &mut sentence);
            continue;
        };
        if word == "-DOCSTART-" {
            flush(&mut docs, &mut sentence);
            if !docs.last().expect("one document").sentences.is_empty() {
                docs.push(ConllDoc::default());
            }
            continue;
        }
        let tag = cols.last().unwrap_or("O");
        sentence.words.push(word.to_string());
        sentence.tags.push(tag.to_string());
    }
    flush(&mut docs, &mut sentence);
    docs.retain(|d| !d.sentences.is_empty());
    docs
}

/// Entity spans of an IOB2 (or IOB1) tag sequence, as conlleval chunks it.
pub fn iob_spans<S: AsRef<str>>(tags: &[S]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (prefix, ty) = match tag.split_once('-') {
            Some((p, t)) => (p, labels::type_index(t)),
            None => ("O", None),
        };
        let continues = matches!((open, ty), (Some((_, o)), Some(t)) if o == t) && prefix == "I";
        if continues {
            continue;
        }
        if let Some((start, t)) = open.take() {
            out.push((start, i, t));
        }
        if let Some(t) = ty {
            open = Some((i, t));
        }
    }
    if let Some((start, t)) = open {
        out.push((start, tags.len(), t));
    }
    out
}

/// Entity counts for precision, recall and F1, overall and per type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scores {
    /// `[type] = (true positives, predicted, gold)`.
    pub counts: [(usize, usize, usize); N_TYPES],
}

impl Scores {
    fn add(&mut self, gold: &[(usize, usize, usize)], pred: &[(usize, usize, usize)]) {
        for g in gold {
            self.counts[g.2].2 += 1;
            if pred.contains(g) {
                self.counts[g.2].0 += 1;
            }
        }
        for p in pred {
            self.counts[p.2].1 += 1;
        }
    }

    /// `(precision, recall, F1)` in percent for one type, or overall.
    pub fn prf(&self, ty: Option<usize>) -> (f64, f64, f64) {
        let (tp, pred, gold) = match ty {
            Some(t) => self.counts[t],
            None => self
                .counts
                .iter()
                .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2)),
        };
        let p = if pred == 0 {
            0.0
        } else {
            100.0 * tp as f64 / pred as f64
        };
        let r = if gold == 0 {
            0.0
        } else {
            100.0 * tp as f64 / gold as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }

    pub fn f1(&self) -> f64 {
        self.prf(None).2
    }
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (p, r, f1) = self.prf(None);
        write!(f, "overall P {p:.2} R {r:.2} F1 {f1:.2}")?;
        for (t, name) in TYPE_NAMES.iter().enumerate() {
            let (p, r, f1) = self.prf(Some(t));
            write!(f, " | {name} P {p:.2} R {r:.2} F1 {f1:.2}")?;
        }
        Ok(())
    }
}

/// Scores a model on CoNLL documents, model entities only.
pub fn evaluate(model: &Model, docs: &[ConllDoc]) -> Scores {
    let mut scores = Scores::default();
    let mut scratch = Scratch::default();
    let mut spans = Vec::new();
    for doc in docs {
        let ranges = doc.ranges();
        spans.clear();
        let words: Vec<&str> = doc.words().collect();
        tag_model(model, &words, &ranges, &mut scratch, &mut spans);
        let gold = doc.gold();
        let mut k = 0;
        for (s, range) in ranges.iter().enumerate() {
            let mut pred = Vec::new();
            while k < spans.len() && spans[k].first < range.end {
                let m = spans[k];
                pred.push((m.first - range.start, m.end - range.start, m.ty));
                k += 1;
            }
            scores.add(&gold[s], &pred);
        }
    }
    scores
}

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// The weight table has `2^bits` rows.
    pub bits: u32,
    pub epochs: usize,
    pub seed: u64,
    /// Training runs with different document orders whose best weights
    /// are averaged into one model.
    pub runs: usize,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig {
            bits: 20,
            epochs: 20,
            seed: 2003,
            runs: 1,
        }
    }
}

/// The outcome of training: the serialised best model and its record.
#[derive(Debug)]
pub struct Trained {
    pub bytes: Vec<u8>,
    pub best_epoch: usize,
    pub dev: Scores,
}

/// The gazetteer lists of `data/gazetteers/`, in the order of the lexicon's
/// list bits. The position is part of the model: append, never reorder.
pub const LEXICON_LISTS: [&str; 8] = [
    "loc-country.txt",
    "loc-city.txt",
    "loc-region.txt",
    "misc-demonym-language.txt",
    "per-first.txt",
    "per-last.txt",
    "org-company.txt",
    "org-legal-suffix.txt",
];

/// The word-frequency list beside them: `word<TAB>zipf class`.
pub const FREQUENCY_LIST: &str = "word-frequency.tsv";

/// Splits a gazetteer phrase into tokens the way the tokenizer does for
/// names: on whitespace, with `'s` and outer commas, brackets and quotes
/// split off (a final period stays: `Inc.`, `D.C.`).
pub fn phrase_tokens(phrase: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for word in phrase.split_whitespace() {
        let mut w = word;
        while let Some(c) = w
            .chars()
            .next()
            .filter(|c| "([\"'".contains(*c) && w.len() > 1)
        {
            out.push(&w[..c.len_utf8()]);
            w = &w[c.len_utf8()..];
        }
        let mut tail = Vec::new();
        loop {
            if let Some(c) = w
                .chars()
                .last()
                .filter(|c| ",;:)]\"".contains(*c) && w.len() > 1)
            {
                tail.push(&w[w.len() - c.len_utf8()..]);
                w = &w[..w.len() - c.len_utf8()];
            } else if w.len() > 2 && (w.ends_with("'s") || w.ends_with("’s")) {
                let cut = w.len() - if w.ends_with("'s") { 2 } else { 4 };
                tail.push(&w[cut..]);
                w = &w[..cut];
            } else {
                break;
            }
        }
        out.push(w);
        out.extend(tail.into_iter().rev());
    }
    out
}

/// Lexicon entries before they are laid out in a table: key to value,
/// ordered so that the table comes out the same on every run.
type Entries = std::collections::BTreeMap<u64, u32>;

/// Adds a phrase with `value`, and its proper prefixes with the prefix bit.
fn add_phrase<'a>(entries: &mut Entries, tokens: impl IntoIterator<Item = &'a str>, value: u32) {
    let tokens: Vec<&str> = tokens.into_iter().collect();
    for n in 1..tokens.len() {
        *entries
            .entry(phrase_key(tokens[..n].iter().copied()))
            .or_default() |= Lexicon::PREFIX;
    }
    *entries.entry(phrase_key(tokens)).or_default() |= value;
}

fn table(entries: &Entries) -> Lexicon {
    let mut lexicon = Lexicon::with_capacity(entries.len());
    for (&k, &v) in entries {
        lexicon.insert(k, v);
    }
    lexicon
}

/// Reads the gazetteer lists and the word frequencies of a folder.
fn external_entries(dir: &Path) -> Result<Entries, TagError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|source| TagError::Io { path, source })
    };
    let mut entries = Entries::new();
    for (list, name) in LEXICON_LISTS.iter().enumerate() {
        for phrase in read(name)?.lines().filter(|l| !l.trim().is_empty()) {
            add_phrase(&mut entries, phrase_tokens(phrase), 1 << list);
        }
    }
    for (n, line) in read(FREQUENCY_LIST)?.lines().enumerate() {
        let (word, class) = line
            .split_once('\t')
            .ok_or_else(|| TagError::GazetteerLine {
                line: n + 1,
                message: format!("{FREQUENCY_LIST}: expected word<TAB>class"),
            })?;
        let class: u32 = class.trim().parse().map_err(|_| TagError::GazetteerLine {
            line: n + 1,
            message: format!("{FREQUENCY_LIST}: bad class {class:?}"),
        })?;
        add_phrase(&mut entries, [word], class.min(15) << 8);
    }
    Ok(entries)
}

/// Folds for the training-data entity lists.
const FOLDS: usize = 10;

/// Adds each entity phrase of `docs` with its type's list bit (12-15).
fn add_entity_lists<'a>(entries: &mut Entries, docs: impl Iterator<Item = &'a ConllDoc>) {
    for doc in docs {
        for s in &doc.sentences {
            for (a, b, ty) in iob_spans(&s.tags) {
                add_phrase(
                    entries,
                    s.words[a..b].iter().map(String::as_str),
                    1 << (12 + ty),
                );
            }
        }
    }
}

/// The perceptron's state: current weights and the running sums that give
/// their average (Daumé's trick: `avg = w - u / c`).
struct Perceptron {
    w: Vec<f32>,
    u: Vec<f64>,
    trans: [[f32; N_TAGS]; N_TAGS],
    trans_u: [[f64; N_TAGS]; N_TAGS],
    start: [f32; N_TAGS],
    start_u: [f64; N_TAGS],
    c: f64,
}

impl Perceptron {
    fn bump(&mut self, row: usize, tag: usize, d: f32) {
        if tag > 0 {
            let i = row * ROW + tag - 1;
            self.w[i] += d;
            self.u[i] += self.c * d as f64;
        }
    }

    fn decode_trans(&self) -> ([[f32; N_TAGS]; N_TAGS], [f32; N_TAGS]) {
        let mut t = self.trans;
        let mut s = self.start;
        for p in 0..N_TAGS {
            for c in 0..N_TAGS {
                if !allowed(p, c) {
                    t[p][c] = -1.0e30;
                }
            }
            if !allowed_start(p) {
                s[p] = -1.0e30;
            }
        }
        (t, s)
    }

    /// The averaged weights.
    fn averaged(&self) -> Weights {
        let avg = |w: f32, u: f64| (w as f64 - u / self.c) as f32;
        let mut out = Weights {
            w: self
                .w
                .iter()
                .zip(&self.u)
                .map(|(&w, &u)| avg(w, u))
                .collect(),
            trans: [[0.0; N_TAGS]; N_TAGS],
            start: [0.0; N_TAGS],
        };
        for p in 0..N_TAGS {
            for c in 0..N_TAGS {
                out.trans[p][c] = avg(self.trans[p][c], self.trans_u[p][c]);
            }
            out.start[p] = avg(self.start[p], self.start_u[p]);
        }
        out
    }
}

/// Float weights of a trained perceptron, before quantisation.
#[derive(Clone)]
struct Weights {
    w: Vec<f32>,
    trans: [[f32; N_TAGS]; N_TAGS],
    start: [f32; N_TAGS],
}

impl Weights {
    /// The mean of several runs' weights (an ensemble in one linear model).
    fn mean(all: &[Weights]) -> Weights {
        let n = all.len() as f32;
        let mut out = all[0].clone();
        for other in &all[1..] {
            for (a, b) in out.w.iter_mut().zip(&other.w) {
                *a += b;
            }
            for p in 0..N_TAGS {
                for c in 0..N_TAGS {
                    out.trans[p][c] += other.trans[p][c];
                }
                out.start[p] += other.start[p];
            }
        }
        out.w.iter_mut().for_each(|a| *a /= n);
        out.trans.iter_mut().flatten().for_each(|a| *a /= n);
        out.start.iter_mut().for_each(|a| *a /= n);
        out
    }

    /// Quantised into a runtime model.
    fn model(&self, bits: u32, lexicon: &Lexicon) -> Model {
        let mut table = vec![[0i16; ROW]; 1 << bits];
        let max = self
            .w
            .iter()
            .map(|w| w.abs())
            .fold(0f32, f32::max)
            .max(1e-6);
        let scale = 32767.0 / max;
        for (r, row) in table.iter_mut().enumerate() {
            for (k, v) in row.iter_mut().enumerate() {
                *v = (self.w[r * ROW + k] * scale).round() as i16;
            }
        }
        let mut model = Model::from_table(bits, &table, lexicon.clone());
        for p in 0..N_TAGS {
            for c in 0..N_TAGS {
                model.trans[p][c] = self.trans[p][c] * scale;
            }
            model.start[p] = self.start[p] * scale;
        }
        model.scale = scale;
        model.constrain();
        model
    }
}

/// Trains on `train`, selects the epoch with the best F1 on `dev`,
/// calibrates confidence on `dev`, and returns the serialised model.
/// `progress` hears each epoch's dev scores.
pub fn train(
    config: &TrainConfig,
    gazetteers: &Path,
    train: &[ConllDoc],
    dev: &[ConllDoc],
    mut progress: impl FnMut(usize, &Scores),
) -> Result<Trained, TagError> {
    let external = external_entries(gazetteers)?;
    // Entity phrases of the training data as four more lists. Each training
    // document sees the lists of the other folds only (jackknifing), so the
    // model learns how far to trust a list entry it has not memorised.
    let mut all = external.clone();
    add_entity_lists(&mut all, train.iter());
    let lexicon = table(&all);
    let folded: Vec<Lexicon> = (0..FOLDS)
        .map(|k| {
            let mut lex = external.clone();
            add_entity_lists(
                &mut lex,
                train
                    .iter()
                    .enumerate()
                    .filter(|(d, _)| d % FOLDS != k)
                    .map(|(_, d)| d),
            );
            table(&lex)
        })
        .collect();
    let rows = 1usize << config.bits;
    let shift = 64 - config.bits;
    let golds: Vec<Vec<Vec<u8>>> = train
        .iter()
        .map(|d| {
            d.sentences
                .iter()
                .zip(d.gold())
                .map(|(s, g)| labels::from_spans(s.words.len(), &g))
                .collect()
        })
        .collect();
    let mut runs: Vec<(Weights, usize, Scores)> = Vec::new();
    for run in 0..config.runs.max(1) {
        let mut p = Perceptron {
            w: vec![0.0; rows * ROW],
            u: vec![0.0; rows * ROW],
            trans: [[0.0; N_TAGS]; N_TAGS],
            trans_u: [[0.0; N_TAGS]; N_TAGS],
            start: [0.0; N_TAGS],
            start_u: [0.0; N_TAGS],
            c: 1.0,
        };
        let mut order: Vec<usize> = (0..train.len()).collect();
        let mut rng = config.seed.wrapping_add(run as u64 * 0x9E37_79B9).max(1);
        let mut best: Option<(f64, usize, Weights, Scores)> = None;
        let mut decoder = crate::decode::Decoder::default();
        let mut feats: Vec<u32> = Vec::new();
        let mut offsets: Vec<usize> = Vec::new();
        let mut emissions: Vec<[f32; N_TAGS]> = Vec::new();
        let mut pred: Vec<u8> = Vec::new();
        for epoch in 1..=config.epochs {
            // Fisher-Yates with xorshift64: the same seed gives the same order.
            for i in (1..order.len()).rev() {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                order.swap(i, (rng % (i as u64 + 1)) as usize);
            }
            for &d in &order {
                let doc = &train[d];
                let ranges = doc.ranges();
                let mut ctx = DocContext::new(&folded[d % FOLDS], doc.words(), &ranges);
                let (trans, start) = p.decode_trans();
                let trans = Transitions::new(&trans);
                for (s, range) in ranges.iter().enumerate() {
                    feats.clear();
                    offsets.clear();
                    emissions.clear();
                    for i in range.clone() {
                        offsets.push(feats.len());
                        ctx.features(s, range.clone(), i, |h| feats.push((h >> shift) as u32));
                        let mut e = [0f32; N_TAGS];
                        for &f in &feats[*offsets.last().expect("pushed")..] {
                            let row = &p.w[f as usize * ROW..f as usize * ROW + ROW];
                            for k in 0..ROW {
                                e[k + 1] += row[k];
                            }
                        }
                        emissions.push(e);
                    }
                    offsets.push(feats.len());
                    decoder.viterbi(&emissions, &trans, &start, &mut pred);
                    let gold = &golds[d][s];
                    if pred != *gold {
                        for i in 0..gold.len() {
                            let (g, q) = (gold[i] as usize, pred[i] as usize);
                            if g != q {
                                for &f in &feats[offsets[i]..offsets[i + 1]] {
                                    p.bump(f as usize, g, 1.0);
                                    p.bump(f as usize, q, -1.0);
                                }
                            }
                            let (gp, qp) = if i == 0 {
                                (None, None)
                            } else {
                                (Some(gold[i - 1] as usize), Some(pred[i - 1] as usize))
                            };
                            if (gp, g) != (qp, q) {
                                let c = p.c;
                                match (gp, qp) {
                                    (Some(gp), Some(qp)) => {
                                        p.trans[gp][g] += 1.0;
                                        p.trans_u[gp][g] += c;
                                        p.trans[qp][q] -= 1.0;
                                        p.trans_u[qp][q] -= c;
                                    }
                                    _ => {
                                        p.start[g] += 1.0;
                                        p.start_u[g] += c;
                                        p.start[q] -= 1.0;
                                        p.start_u[q] -= c;
                                    }
                                }
                            }
                        }
                    }
                    p.c += 1.0;
                    ctx.record(range.clone(), &pred);
                }
            }
            let weights = p.averaged();
            let scores = evaluate(&weights.model(config.bits, &lexicon), dev);
            progress(epoch, &scores);
            if best.as_ref().is_none_or(|b| scores.f1() > b.0) {
                best = Some((scores.f1(), epoch, weights, scores));
            }
        }
        let (_, best_epoch, weights, scores) =
            best.ok_or_else(|| TagError::Malformed("no training epochs".into()))?;
        runs.push((weights, best_epoch, scores));
    }
    let (mut model, best_epoch, dev_scores) = if runs.len() == 1 {
        let (weights, epoch, scores) = runs.pop().expect("one run");
        (weights.model(config.bits, &lexicon), epoch, scores)
    } else {
        let all: Vec<Weights> = runs.iter().map(|r| r.0.clone()).collect();
        let model = Weights::mean(&all).model(config.bits, &lexicon);
        let scores = evaluate(&model, dev);
        progress(0, &scores);
        (model, runs[0].1, scores)
    };
    model.conf = calibrate(&model, dev);
    Ok(Trained {
        bytes: model.to_bytes(),
        best_epoch,
        dev: dev_scores,
    })
}

/// Fits `P(entity exactly right) = sigmoid(a * margin + b)` on `docs` by
/// Newton's method on the log-loss, with a little L2 regularisation so that
/// nearly separable data cannot drive the slope to infinity.
fn calibrate(model: &Model, docs: &[ConllDoc]) -> (f32, f32) {
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut scratch = Scratch::default();
    let mut spans: Vec<ModelSpan> = Vec::new();
    for doc in docs {
        let ranges = doc.ranges();
        spans.clear();
        let words: Vec<&str> = doc.words().collect();
        tag_model(model, &words, &ranges, &mut scratch, &mut spans);
        let gold: Vec<(usize, usize, usize)> = doc
            .gold()
            .iter()
            .zip(&ranges)
            .flat_map(|(g, r)| {
                g.iter()
                    .map(move |&(a, b, t)| (a + r.start, b + r.start, t))
            })
            .collect();
        for m in &spans {
            let right = gold.contains(&(m.first, m.end, m.ty));
            points.push((m.margin as f64, if right { 1.0 } else { 0.0 }));
        }
    }
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..200 {
        const LAMBDA: f64 = 1.0;
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) =
            (LAMBDA * a, LAMBDA * b, LAMBDA, 0.0, LAMBDA);
        for &(x, y) in &points {
            let p = 1.0 / (1.0 + (-(a * x + b)).exp());
            let w = p * (1.0 - p);
            ga += (p - y) * x;
            gb += p - y;
            haa += w * x * x;
            hab += w * x;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = ((hbb * ga - hab * gb) / det).clamp(-1.0, 1.0);
        let db = ((haa * gb - hab * ga) / det).clamp(-1.0, 1.0);
        a -= da;
        b -= db;
        if da.abs() + db.abs() < 1e-9 {
            break;
        }
    }
    (a as f32, b as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conll_reader_splits_documents_and_sentences() {
        let text = "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nHi X X O\n";
        let docs = read_conll(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].gold(), [vec![(0, 1, 1)], vec![(0, 2, 0)]]);
    }

    #[test]
    fn iob_spans_follow_conlleval() {
        assert_eq!(
            iob_spans(&["I-PER", "I-PER", "B-PER", "I-LOC", "O"]),
            [(0, 2, 0), (2, 3, 0), (3, 4, 2)]
        );
    }

    #[test]
    fn phrases_split_like_the_tokenizer() {
        assert_eq!(
            phrase_tokens("Mongolian People's Party"),
            ["Mongolian", "People", "'s", "Party"]
        );
        assert_eq!(
            phrase_tokens("Washington, D.C."),
            ["Washington", ",", "D.C."]
        );
    }
}
