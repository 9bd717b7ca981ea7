//! The model pass: features, emissions, decoding, confidence.
//!
//! Most of a token's features read only its own text or a neighbour's
//! (word, lower-case form, affixes, shape). Their weight rows are summed
//! once per word and model and kept in a per-thread cache of [`WordSums`],
//! so that a frequent word costs a few vector additions instead of some
//! twenty hashed row lookups. Of the features that read context, three
//! groups read a few small values (the shapes around a token, frequency
//! classes, a capitalised word's document context) and are summed once
//! per distinct key in per-thread caches; only the rest (word pairs,
//! gazetteer phrases, runs) are looked up token by token. Integer sums do
//! not depend on order: the emissions are exactly those of summing every
//! feature's row.

use std::cell::RefCell;
use std::ops::Range;

use crate::decode::Decoder;
use crate::features::{
    after_end, before_start, document_features, freq_features, plain_context, shape_features,
    DocContext, TokenInfo, FREQ_KEYS, NO_LISTS_AFTER, NO_LISTS_BEFORE, NO_RUN,
};
use crate::hash::fmix;
use crate::labels::{spans, N_TAGS};
use crate::model::{Model, ROW};
use crate::rules::{is_role, join_org_of, RuleSpan};

/// A model entity over tokens `first..end` of the document.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ModelSpan {
    pub(crate) first: usize,
    pub(crate) end: usize,
    pub(crate) ty: usize,
    /// The smallest max-marginal margin over the entity's tokens, in
    /// unscaled score units.
    pub(crate) margin: f32,
    /// Made by a rule over the decoded spans rather than decoded: the
    /// `X of the Y` organisation rule (which joins several spans) or
    /// document consistency (see [`tag_document`]). Such a span has no
    /// calibrated confidence; `margin` is the joined tokens' smallest, and
    /// 0 for consistency spans.
    pub(crate) joined: bool,
}

/// Scratch space for one document; reused across its sentences.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    sums: Vec<[i32; ROW]>,
    emissions: Vec<[f32; N_TAGS]>,
    tags: Vec<u8>,
    spans: Vec<(usize, usize, usize)>,
    joins: crate::rules::JoinScratch,
    consistency: Consistency,
    decoder: Decoder,
}

/// Tags a document's tokens with the model, sentence by sentence in order
/// (the prediction history feeds forward), appending entities to `out`.
/// What training sees; the tagger adds [`tag_document`]'s consistency.
#[cfg(feature = "train")]
pub(crate) fn tag_model(
    model: &Model,
    words: &[&str],
    sentences: &[Range<usize>],
    scratch: &mut Scratch,
    out: &mut Vec<ModelSpan>,
) {
    tag_sentences(model, words, sentences, scratch, out);
}

/// [`tag_model`], then document consistency: a word that the model tags
/// as a one-token name with confidence [`CONSISTENT`] or more, always with
/// the same type, and that never occurs lower-cased in the document, gets
/// that type wherever else it stands untagged between untagged
/// neighbours (rule entities, `rules`, count as tagged: `Wednesday` stays
/// a date). The model decides each sentence with a little document
/// context, but a lone capitalised word in a headline or a caption often
/// has too little around it (`Senior CPC official meets ...`), while the
/// article names it plainly elsewhere (`the Communist Party of China
/// (CPC)`).
pub(crate) fn tag_document(
    model: &Model,
    words: &[&str],
    sentences: &[Range<usize>],
    rules: &[RuleSpan],
    scratch: &mut Scratch,
    out: &mut Vec<ModelSpan>,
) {
    let start = out.len();
    let ctx = tag_sentences(model, words, sentences, scratch, out);
    // A person's name is never made of byline and title words alone
    // (`By Jane Doe, Staff Reporter`).
    let mut i = start;
    while i < out.len() {
        let m = &out[i];
        if m.ty == PER && !m.joined && is_role(&words[m.first..m.end]) {
            out.remove(i);
        } else {
            i += 1;
        }
    }
    let buf = &mut scratch.consistency;
    consistency(model, &ctx, words, sentences, rules, &out[start..], buf);
    if !buf.added.is_empty() {
        out.append(&mut buf.added);
        out[start..].sort_unstable_by_key(|m| m.first);
    }
}

/// The model's type index of persons.
const PER: usize = 0;

/// The confidence a one-token name needs to be carried to the word's other
/// occurrences: more likely right than not. On CoNLL-2003 the pass adds
/// a few right names at any threshold up to 0.7, and costs test F1 above.
pub(crate) const CONSISTENT: f32 = 0.5;

fn tag_sentences(
    model: &Model,
    words: &[&str],
    sentences: &[Range<usize>],
    scratch: &mut Scratch,
    out: &mut Vec<ModelSpan>,
) -> DocContext {
    let mut ctx = DocContext::new(&model.lexicon, words.iter().copied(), sentences);
    let edges = Edges::new(model);
    CACHES.with_borrow_mut(|caches| {
        for (s, range) in sentences.iter().enumerate() {
            emissions(model, &ctx, caches, &edges, s, range.clone(), scratch);
            decode(model, words, range.clone(), scratch, out);
            ctx.record(range.clone(), &scratch.tags);
        }
    });
    ctx
}

/// Buffers of [`consistency`], reused across documents.
#[derive(Debug, Default)]
struct Consistency {
    /// Confident one-token names: word hash, a token with the word, and
    /// its type (`None` once two occurrences disagree).
    names: Vec<(u64, usize, Option<usize>)>,
    /// Tokens in an entity, by document token.
    tagged: Vec<bool>,
    /// The spans the pass adds, in order.
    added: Vec<ModelSpan>,
}

/// Fills `buf.added` with the consistency spans of [`tag_document`],
/// given a document's `decoded` spans.
fn consistency(
    model: &Model,
    ctx: &DocContext,
    words: &[&str],
    sentences: &[Range<usize>],
    rules: &[RuleSpan],
    decoded: &[ModelSpan],
    buf: &mut Consistency,
) {
    let Consistency {
        names,
        tagged,
        added,
    } = buf;
    names.clear();
    added.clear();
    for m in decoded {
        // A one-letter name (`X`, `A`) is too often a mere letter.
        if m.end - m.first == 1
            && words[m.first].chars().nth(1).is_some()
            && !m.joined
            && model.confidence(m.margin) >= CONSISTENT
        {
            names.push((ctx.toks[m.first].word, m.first, Some(m.ty)));
        }
    }
    if names.is_empty() {
        return;
    }
    names.sort_unstable_by(|a, b| (a.0, words[a.1]).cmp(&(b.0, words[b.1])));
    names.dedup_by(|later, kept| {
        let same = (later.0, words[later.1]) == (kept.0, words[kept.1]);
        if same && later.2 != kept.2 {
            kept.2 = None;
        }
        same
    });
    tagged.clear();
    tagged.resize(words.len(), false);
    for (first, end) in decoded.iter().map(|m| (m.first, m.end)) {
        tagged[first..end].fill(true);
    }
    for (first, end) in rules.iter().map(|r| (r.first, r.end)) {
        tagged[first..end].fill(true);
    }
    for range in sentences {
        for i in range.clone() {
            let t = &ctx.toks[i];
            if !t.has_upper()
                || t.lower_elsewhere()
                || tagged[i]
                || i > range.start && tagged[i - 1]
                || i + 1 < range.end && tagged[i + 1]
            {
                continue;
            }
            let found = names.binary_search_by(|n| (n.0, words[n.1]).cmp(&(t.word, words[i])));
            if let Some(ty) = found.ok().and_then(|k| names[k].2) {
                added.push(ModelSpan {
                    first: i,
                    end: i + 1,
                    ty,
                    margin: 0.0,
                    joined: true,
                });
            }
        }
    }
}

/// Decodes one sentence from its emissions in `scratch` and appends its
/// entities to `out`.
fn decode(
    model: &Model,
    words: &[&str],
    range: Range<usize>,
    scratch: &mut Scratch,
    out: &mut Vec<ModelSpan>,
) {
    scratch.decoder.viterbi(
        &scratch.emissions,
        &model.transitions,
        &model.start,
        &mut scratch.tags,
    );
    scratch.spans.clear();
    spans(&scratch.tags, |first, end, ty| {
        scratch
            .spans
            .push((range.start + first, range.start + end, ty));
    });
    join_org_of(words, range.clone(), &mut scratch.spans, &mut scratch.joins);
    // Confidence needs a backward pass, from the first entity on; most
    // sentences have no entity, and most tokens are in none.
    let Some(&(from, _, _)) = scratch.spans.first() else {
        return;
    };
    let decoder = &mut scratch.decoder;
    decoder.backward(&scratch.emissions, &model.transitions, from - range.start);
    for (&(first, end, ty), &joined) in scratch.spans.iter().zip(&scratch.joins.joined) {
        let margin = (first - range.start..end - range.start)
            .map(|i| decoder.margin(i, scratch.tags[i] as usize))
            .fold(f32::INFINITY, f32::min);
        out.push(ModelSpan {
            first,
            end,
            ty,
            margin: margin / model.scale,
            joined,
        });
    }
}

/// The summed weights of one word's per-word feature parts, by part.
#[derive(Clone, Copy)]
struct WordSums {
    /// The model the sums are of (0: an empty slot) and the word's hashes.
    model: u64,
    word: u64,
    lower: u64,
    sums: [[i32; ROW]; PARTS],
}

const PARTS: usize = 7;
/// What a token in the usual context adds for itself: its own features,
/// the plain ones, the run features outside runs and the fixed features
/// of no lists on either side. Tokens in another context subtract the
/// parts that do not apply (integer sums: exact in any order), so the
/// usual token costs one addition for all of them.
const USUAL: usize = 0;
/// Own features that read sentence start and all-capitals, for neither.
const PLAIN: usize = 1;
/// What the next token reads of this one, and the one after that.
const AS_PREV: usize = 2;
const AS_PREV2: usize = 3;
/// What the previous token reads of this one, and the one before that.
const AS_NEXT: usize = 4;
const AS_NEXT2: usize = 5;
/// The run features outside runs of capitalised words.
const RUNLESS: usize = 6;

impl WordSums {
    /// Sums the parts of `t`'s word under `model`, in place (the slot is
    /// too large to build and copy).
    fn fill(&mut self, model: &Model, fixed: &Edges, t: &TokenInfo) {
        let sums = &mut self.sums;
        *sums = [[0i32; ROW]; PARTS];
        t.own_features(|h| add_row(&mut sums[USUAL], model, h));
        t.plain_features(|h| add_row(&mut sums[PLAIN], model, h));
        t.as_previous(|h| add_row(&mut sums[AS_PREV], model, h));
        t.as_second_previous(|h| add_row(&mut sums[AS_PREV2], model, h));
        t.as_next(|h| add_row(&mut sums[AS_NEXT], model, h));
        t.as_second_next(|h| add_row(&mut sums[AS_NEXT2], model, h));
        t.runless_features(|h| add_row(&mut sums[RUNLESS], model, h));
        add(&mut sums[RUNLESS], &fixed.plain[2]);
        let (usual, rest) = sums.split_at_mut(1);
        add(&mut usual[0], &rest[PLAIN - 1]);
        add(&mut usual[0], &rest[RUNLESS - 1]);
        add(&mut usual[0], &fixed.plain[0]);
        add(&mut usual[0], &fixed.plain[1]);
        self.model = model.id;
        self.word = t.word;
        self.lower = t.lower;
    }
}

/// Slots of the per-thread word cache (direct-mapped by word hash): about
/// 3 MB, enough for the frequent words of news text.
const CACHE_SLOTS: usize = 1 << 13;

/// Per-thread word sums, for whichever models the thread tags with.
#[derive(Default)]
struct WordCache {
    slots: Vec<WordSums>,
}

impl WordCache {
    /// The sums of a token's word under `model`, computed on a miss.
    #[inline]
    fn get(&mut self, model: &Model, fixed: &Edges, t: &TokenInfo) -> &WordSums {
        if self.slots.is_empty() {
            let empty = WordSums {
                model: 0,
                word: 0,
                lower: 0,
                sums: [[0; ROW]; PARTS],
            };
            self.slots = vec![empty; CACHE_SLOTS];
        }
        let slot = &mut self.slots[t.word as usize & (CACHE_SLOTS - 1)];
        if slot.model != model.id || slot.word != t.word || slot.lower != t.lower {
            slot.fill(model, fixed, t);
        }
        slot
    }
}

/// Summed weights of one group of context features (see
/// [`GroupKeys`](crate::features::GroupKeys)) by the exact key they read.
#[derive(Clone, Copy)]
struct GroupSum {
    /// The model the sum is of (0: an empty slot).
    model: u64,
    key: [u64; 3],
    sum: [i32; ROW],
}

/// A per-thread direct-mapped cache of [`GroupSum`]s: a few thousand
/// shape triples or document contexts cover most tokens of news text, so
/// a group costs one probe and one addition instead of a row lookup per
/// feature.
struct GroupCache<const SLOTS: usize> {
    slots: Vec<GroupSum>,
}

impl<const SLOTS: usize> Default for GroupCache<SLOTS> {
    fn default() -> Self {
        GroupCache { slots: Vec::new() }
    }
}

impl<const SLOTS: usize> GroupCache<SLOTS> {
    /// Adds the group's sum for `key` under `model` to `acc`; `features`
    /// calls its argument with every feature of the group, on a miss.
    #[inline]
    fn add(
        &mut self,
        acc: &mut [i32; ROW],
        model: &Model,
        key: [u64; 3],
        features: impl FnOnce(&mut dyn FnMut(u64)),
    ) {
        if self.slots.is_empty() {
            let empty = GroupSum {
                model: 0,
                key: [0; 3],
                sum: [0; ROW],
            };
            self.slots = vec![empty; SLOTS];
        }
        let h = fmix(fmix(key[0], key[1]), key[2]);
        let slot = &mut self.slots[(h >> 32) as usize & (SLOTS - 1)];
        if slot.model != model.id || slot.key != key {
            slot.sum = [0; ROW];
            features(&mut |f| add_row(&mut slot.sum, model, f));
            slot.model = model.id;
            slot.key = key;
        }
        add(acc, &slot.sum);
    }
}

/// The per-thread caches of context feature groups.
#[derive(Default)]
struct Groups {
    shapes: GroupCache<4096>,
    document: GroupCache<4096>,
    freqs: FreqSums,
}

/// The weights of the frequency features (see [`freq_features`]) under
/// one model, by key: the keys are few, so the table is indexed by the
/// key itself and filled as keys come up.
#[derive(Default)]
struct FreqSums {
    model: u64,
    filled: Vec<u64>,
    sums: Vec<[i32; ROW]>,
}

impl FreqSums {
    #[inline]
    fn add(&mut self, acc: &mut [i32; ROW], model: &Model, key: usize) {
        if self.model != model.id {
            self.filled = vec![0; FREQ_KEYS / 64];
            self.sums = vec![[0; ROW]; FREQ_KEYS];
            self.model = model.id;
        }
        let (word, bit) = (key / 64, 1u64 << (key % 64));
        let sum = &mut self.sums[key];
        if self.filled[word] & bit == 0 {
            freq_features(key, |f| add_row(sum, model, f));
            self.filled[word] |= bit;
        }
        add(acc, sum);
    }
}

/// The per-thread caches of summed weights.
#[derive(Default)]
struct Caches {
    words: WordCache,
    groups: Groups,
}

thread_local! {
    static CACHES: RefCell<Caches> = RefCell::new(Caches::default());
}

/// What tokens at the edges of a sentence read of the missing neighbours,
/// and the fixed context features by their flag (see [`plain_context`]).
struct Edges {
    plain: [[i32; ROW]; 3],
    before: [i32; ROW],
    before2: [i32; ROW],
    after: [i32; ROW],
    after2: [i32; ROW],
}

impl Edges {
    fn new(model: &Model) -> Edges {
        let mut e = Edges {
            plain: [[0; ROW]; 3],
            before: [0; ROW],
            before2: [0; ROW],
            after: [0; ROW],
            after2: [0; ROW],
        };
        before_start(
            |h| add_row(&mut e.before, model, h),
            |h| add_row(&mut e.before2, model, h),
        );
        after_end(
            |h| add_row(&mut e.after, model, h),
            |h| add_row(&mut e.after2, model, h),
        );
        plain_context(|flag, h| add_row(&mut e.plain[flag.trailing_zeros() as usize], model, h));
        e
    }
}

#[inline(always)]
fn add_row(acc: &mut [i32; ROW], model: &Model, feature: u64) {
    if let Some(row) = model.row(feature) {
        for k in 0..ROW {
            acc[k] += row[k] as i32;
        }
    }
}

#[inline(always)]
fn sub(acc: &mut [i32; ROW], v: &[i32; ROW]) {
    for k in 0..ROW {
        acc[k] -= v[k];
    }
}

#[inline(always)]
fn add(acc: &mut [i32; ROW], v: &[i32; ROW]) {
    for k in 0..ROW {
        acc[k] += v[k];
    }
}

/// Fills `scratch.emissions` for sentence number `s` (tokens `range`):
/// each token's own sums and its neighbours' (or the sentence edges'),
/// then its context features.
fn emissions(
    model: &Model,
    ctx: &DocContext,
    caches: &mut Caches,
    edges: &Edges,
    s: usize,
    range: Range<usize>,
    scratch: &mut Scratch,
) {
    let n = range.len();
    let acc = &mut scratch.sums;
    acc.clear();
    acc.resize(n, [0; ROW]);
    let caps = ctx.all_caps(s);
    let Caches {
        words: cache,
        groups,
    } = caches;
    for (k, t) in ctx.toks[range.clone()].iter().enumerate() {
        let w = &cache.get(model, edges, t).sums;
        add(&mut acc[k], &w[USUAL]);
        if t.run != 0 {
            sub(&mut acc[k], &w[RUNLESS]);
        }
        if k == 0 || caps {
            sub(&mut acc[k], &w[PLAIN]);
        }
        if k + 1 < n {
            add(&mut acc[k + 1], &w[AS_PREV]);
        }
        if k + 2 < n {
            add(&mut acc[k + 2], &w[AS_PREV2]);
        }
        if k >= 1 {
            add(&mut acc[k - 1], &w[AS_NEXT]);
        }
        if k >= 2 {
            add(&mut acc[k - 2], &w[AS_NEXT2]);
        }
    }
    if n > 0 {
        add(&mut acc[0], &edges.before);
        add(&mut acc[0], &edges.before2);
        add(&mut acc[n - 1], &edges.after);
        add(&mut acc[n - 1], &edges.after2);
    }
    if n > 1 {
        add(&mut acc[1], &edges.before2);
        add(&mut acc[n - 2], &edges.after2);
    }
    scratch.emissions.clear();
    for (a, i) in acc.iter_mut().zip(range.clone()) {
        let (skipped, keys) = ctx.context_features(s, range.clone(), i, |h| add_row(a, model, h));
        groups
            .shapes
            .add(a, model, keys.shapes, |f| shape_features(keys.shapes, f));
        groups.freqs.add(a, model, keys.freqs);
        if let Some(key) = keys.document {
            groups
                .document
                .add(a, model, key, |f| document_features(key, f));
        }
        // The usual sums assumed all three left out; NO_RUN's part was
        // settled with the word's sums.
        debug_assert_eq!(skipped & NO_RUN != 0, ctx.toks[i].run == 0);
        if skipped & NO_LISTS_BEFORE == 0 {
            sub(a, &edges.plain[0]);
        }
        if skipped & NO_LISTS_AFTER == 0 {
            sub(a, &edges.plain[1]);
        }
        let mut e = [0f32; N_TAGS];
        for k in 0..ROW {
            e[k + 1] = a[k] as f32;
        }
        scratch.emissions.push(e);
    }
}

impl Model {
    /// The calibrated probability that a model entity with this margin is
    /// exactly right.
    pub(crate) fn confidence(&self, margin: f32) -> f32 {
        let (a, b) = self.conf;
        let p = 1.0 / (1.0 + (-(a * margin + b)).exp());
        if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.5
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lexicon;

    /// Runs [`consistency`] on whitespace-split sentences with the given
    /// decoded spans `(first, end, type, confident)`: what it adds.
    fn added(sentences: &[&str], decoded: &[(usize, usize, usize, bool)]) -> Vec<String> {
        added_next_to_rules(sentences, decoded, &[])
    }

    /// [`added`] with rule entities over tokens `(first, end)`.
    fn added_next_to_rules(
        sentences: &[&str],
        decoded: &[(usize, usize, usize, bool)],
        rules: &[(usize, usize)],
    ) -> Vec<String> {
        let model = Model::embedded().unwrap();
        let words: Vec<&str> = sentences.iter().flat_map(|s| s.split(' ')).collect();
        let mut ranges = Vec::new();
        for s in sentences {
            let start = ranges.last().map_or(0, |r: &Range<usize>| r.end);
            ranges.push(start..start + s.split(' ').count());
        }
        let ctx = DocContext::new(&Lexicon::with_capacity(1), words.iter().copied(), &ranges);
        let mut out: Vec<ModelSpan> = decoded
            .iter()
            .map(|&(first, end, ty, sure)| ModelSpan {
                first,
                end,
                ty,
                margin: if sure { 1e6 } else { -1e6 },
                joined: false,
            })
            .collect();
        let rules: Vec<RuleSpan> = rules
            .iter()
            .map(|&(first, end)| RuleSpan {
                first,
                end,
                label: dateline_core::Label::Date,
            })
            .collect();
        let mut buf = Consistency::default();
        consistency(&model, &ctx, &words, &ranges, &rules, &out, &mut buf);
        out.append(&mut buf.added);
        out.sort_unstable_by_key(|m| m.first);
        assert!(out.windows(2).all(|w| w[0].end <= w[1].first));
        out.iter()
            .filter(|m| m.joined)
            .map(|m| format!("{} {}", m.ty, words[m.first..m.end].join(" ")))
            .collect()
    }

    #[test]
    fn confident_one_token_names_carry_to_lone_occurrences() {
        let text = [
            "Senior CPC official meets delegation",
            "the Communist Party of China ( CPC ) said",
        ];
        // CPC (token 11) is a confident ORG: the headline's CPC gets it.
        let decoded = [(6, 10, 1, true), (11, 12, 1, true)];
        assert_eq!(added(&text, &decoded), ["1 CPC"]);
        // Not when the one-token name was unsure.
        let unsure = [(6, 10, 1, true), (11, 12, 1, false)];
        assert!(added(&text, &unsure).is_empty());
    }

    #[test]
    fn no_carrying_over_disagreement_lower_case_or_next_to_a_name() {
        // Two confident occurrences with different types.
        let text = ["Jordan said", "in Jordan today", "Jordan left"];
        assert!(added(&text, &[(0, 1, 0, true), (3, 4, 2, true)]).is_empty());
        assert_eq!(added(&text, &[(0, 1, 0, true)]), ["0 Jordan", "0 Jordan"]);
        // The word also occurs lower-cased: a common word, not a name.
        let text = ["Apple said", "an apple a day", "Apple fell"];
        assert!(added(&text, &[(0, 1, 1, true)]).is_empty());
        // Next to a tagged token, it may be part of a longer name.
        let text = ["CPC said", "the CPC Central Committee met"];
        assert!(added(&text, &[(0, 1, 1, true), (4, 6, 1, true)]).is_empty());
        // In or next to a rule entity: `Wednesday` stays a date, and
        // `Year` is part of one.
        let text = ["Wednesday said", "on Wednesday", "Last Year"];
        let decoded = [(0, 1, 1, true)];
        assert_eq!(added(&text, &decoded), ["1 Wednesday"]);
        assert!(added_next_to_rules(&text, &decoded, &[(3, 4)]).is_empty());
        let text = ["Year said", "Last Year"];
        assert!(added_next_to_rules(&text, &[(0, 1, 0, true)], &[(2, 4)]).is_empty());
        // One letter is not enough to go on.
        let text = ["X said", "X left"];
        assert!(added(&text, &[(0, 1, 1, true)]).is_empty());
    }
}
