//! Viterbi decoding over BILOU tags, and max-marginal confidence.

use crate::labels::{allowed, allowed_end, pos_of, I, L, N_TAGS};

const NEG: f32 = -1.0e30;

/// The larger of two scores. Unlike `f32::max` it ignores NaN handling
/// (scores are never NaN), so loops over it compile to vector max.
#[inline(always)]
fn max(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

/// Tags padded to a multiple of eight lanes, so that the inner loops
/// over tags compile to a few vector instructions.
const LANES: usize = 24;

/// Tag transition scores, `trans[from][to]`, with copies padded to
/// [`LANES`] (padding at `-1e30`) in both orientations for the vectorised
/// loops; built once per model (or per training document), not per
/// sentence.
#[derive(Clone, Debug)]
pub(crate) struct Transitions {
    trans: [[f32; N_TAGS]; N_TAGS],
    rows: [[f32; LANES]; N_TAGS],
    cols: [[f32; LANES]; N_TAGS],
    /// Every transition BILOU forbids is at `-1e30` or below, so the
    /// decoder may skip them (see [`ENDS`]).
    constrained: bool,
    /// `trans[ENDS[k]][STARTS[j]]` as `[k][j]` and as `[j][k]`, padded.
    ends_starts: [[f32; SHORT]; ENDS.len()],
    starts_ends: [[f32; SHORT]; STARTS.len()],
}

/// The tags after which a new name or `O` may follow (`O`, `L-*`, `U-*`)
/// and the tags that may follow them (`O`, `B-*`, `U-*`). Under BILOU
/// these are the only transitions besides `B-x`/`I-x` to `I-x`/`L-x`: a
/// constrained decoder takes the best over them alone. Skipped
/// transitions score `-1e30` plus a finite score, which never beats the
/// allowed ones (`O` and `B-x` are reachable at every position, and `O`
/// and `L-x` can end every suffix), so the maxima, and the decoded tags,
/// are exactly those of the full loops.
const ENDS: [usize; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];
/// The tags that may precede `I-x` and `L-x`: `B-x` and `I-x`, by type.
const INSIDE: [[usize; 2]; 4] = [[1, 2], [5, 6], [9, 10], [13, 14]];
const ALL: [usize; N_TAGS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const STARTS: [usize; 9] = [0, 1, 4, 5, 8, 9, 12, 13, 16];
/// [`ENDS`] and [`STARTS`] padded to a multiple of four lanes.
const SHORT: usize = 12;

impl Transitions {
    pub(crate) fn new(trans: &[[f32; N_TAGS]; N_TAGS]) -> Transitions {
        let mut rows = [[NEG; LANES]; N_TAGS];
        let mut cols = [[NEG; LANES]; N_TAGS];
        for p in 0..N_TAGS {
            for t in 0..N_TAGS {
                rows[p][t] = trans[p][t];
                cols[t][p] = trans[p][t];
            }
        }
        let mut ends_starts = [[NEG; SHORT]; ENDS.len()];
        let mut starts_ends = [[NEG; SHORT]; STARTS.len()];
        for (k, &p) in ENDS.iter().enumerate() {
            for (j, &t) in STARTS.iter().enumerate() {
                ends_starts[k][j] = trans[p][t];
                starts_ends[j][k] = trans[p][t];
            }
        }
        let constrained =
            (0..N_TAGS).all(|p| (0..N_TAGS).all(|t| allowed(p, t) || trans[p][t] <= NEG));
        Transitions {
            trans: *trans,
            rows,
            cols,
            constrained,
            ends_starts,
            starts_ends,
        }
    }
}

/// Reusable buffers for decoding one sentence at a time.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    delta: Vec<[f32; N_TAGS]>,
    beta: Vec<[f32; N_TAGS]>,
}

impl Decoder {
    /// Writes the best tag sequence for `emissions` into `tags`.
    pub(crate) fn viterbi(
        &mut self,
        emissions: &[[f32; N_TAGS]],
        transitions: &Transitions,
        start: &[f32; N_TAGS],
        tags: &mut Vec<u8>,
    ) {
        let (trans, rows) = (&transitions.trans, &transitions.rows);
        let n = emissions.len();
        tags.clear();
        if n == 0 {
            return;
        }
        self.delta.clear();
        let mut first = [0f32; N_TAGS];
        for t in 0..N_TAGS {
            first[t] = start[t] + emissions[0][t];
        }
        self.delta.push(first);
        for e in &emissions[1..] {
            let prev = *self.delta.last().expect("non-empty");
            if transitions.constrained {
                let cur = forward_bilou(transitions, &prev, e);
                self.delta.push(cur);
                continue;
            }
            // Previous-tag-major with a plain max, so the loop over current
            // tags vectorises; backpointers are recovered for the one best
            // path only, while backtracking.
            let mut best = [NEG; LANES];
            for p in 0..N_TAGS {
                let d = prev[p];
                let row = &rows[p];
                for t in 0..LANES {
                    best[t] = max(best[t], d + row[t]);
                }
            }
            let mut cur = [NEG; N_TAGS];
            for t in 0..N_TAGS {
                cur[t] = best[t] + e[t];
            }
            self.delta.push(cur);
        }
        let last = self.delta[n - 1];
        let mut best = 0usize;
        let mut best_score = f32::NEG_INFINITY;
        for (t, &s) in last.iter().enumerate() {
            if allowed_end(t) && s > best_score {
                best_score = s;
                best = t;
            }
        }
        tags.resize(n, 0);
        tags[n - 1] = best as u8;
        for i in (1..n).rev() {
            let t = tags[i] as usize;
            let prev = &self.delta[i - 1];
            // Under BILOU only `B-x` and `I-x` precede `I-x` and `L-x`, and
            // only ENDS precede the others; the rest score about -1e30
            // against the finite score of the best path's predecessor, so
            // the first best in tag order is the same as the full loop's.
            let arg = if !transitions.constrained {
                first_best(prev, trans, t, &ALL)
            } else if t != 0 && matches!(pos_of(t), I | L) {
                first_best(prev, trans, t, &INSIDE[(t - 1) / 4])
            } else {
                first_best(prev, trans, t, &ENDS)
            };
            tags[i - 1] = arg;
        }
    }

    /// After [`viterbi`](Decoder::viterbi) on the same emissions: for each
    /// token, the score gap between the best sequence and the best sequence
    /// that gives that token another tag (its max-marginal margin).
    #[cfg(test)]
    pub(crate) fn margins(
        &mut self,
        emissions: &[[f32; N_TAGS]],
        transitions: &Transitions,
        tags: &[u8],
        out: &mut Vec<f32>,
    ) {
        out.clear();
        self.backward(emissions, transitions, 0);
        out.extend((0..emissions.len()).map(|i| self.margin(i, tags[i] as usize)));
    }

    /// After [`viterbi`](Decoder::viterbi) on the same emissions: the best
    /// score of the rest of the sentence after each tag, at tokens `from`
    /// on (what [`margin`](Decoder::margin) needs there).
    pub(crate) fn backward(
        &mut self,
        emissions: &[[f32; N_TAGS]],
        transitions: &Transitions,
        from: usize,
    ) {
        let cols = &transitions.cols;
        let n = emissions.len();
        if from >= n {
            return;
        }
        self.beta.clear();
        self.beta.resize(n, [0.0; N_TAGS]);
        for t in 0..N_TAGS {
            self.beta[n - 1][t] = if allowed_end(t) { 0.0 } else { NEG };
        }
        for i in (from..n - 1).rev() {
            let next = self.beta[i + 1];
            let e = &emissions[i + 1];
            if transitions.constrained {
                self.beta[i] = backward_bilou(transitions, &next, e);
                continue;
            }
            // Next-tag-major, so the loop over current tags vectorises.
            let mut best = [NEG; LANES];
            for nt in 0..N_TAGS {
                let v = e[nt] + next[nt];
                let col = &cols[nt];
                for t in 0..LANES {
                    best[t] = max(best[t], col[t] + v);
                }
            }
            let mut cur = [NEG; N_TAGS];
            cur.copy_from_slice(&best[..N_TAGS]);
            self.beta[i] = cur;
        }
    }

    /// The margin of token `i` with tag `chosen` on the best sequence:
    /// the score gap to the best sequence that tags it otherwise. Needs
    /// [`backward`](Decoder::backward) from `i` or before.
    pub(crate) fn margin(&self, i: usize, chosen: usize) -> f32 {
        let mut sum = [NEG; N_TAGS];
        for t in 0..N_TAGS {
            sum[t] = self.delta[i][t] + self.beta[i][t];
        }
        let best = sum[chosen];
        sum[chosen] = NEG;
        let other = sum.iter().fold(NEG, |m, &s| max(m, s));
        max(best - other, 0.0)
    }
}

/// The first of `candidates` (in order) with the best score before tag
/// `t`; a fixed-length array, so the loop unrolls.
#[inline(always)]
fn first_best<const N: usize>(
    prev: &[f32; N_TAGS],
    trans: &[[f32; N_TAGS]; N_TAGS],
    t: usize,
    candidates: &[usize; N],
) -> u8 {
    let mut arg = 0usize;
    let mut top = f32::NEG_INFINITY;
    for &p in candidates {
        let s = prev[p] + trans[p][t];
        if s > top {
            top = s;
            arg = p;
        }
    }
    arg as u8
}

/// One forward step over the BILOU transitions only: the best score of
/// each tag at a token, given the previous token's and its emissions.
#[inline]
fn forward_bilou(tr: &Transitions, prev: &[f32; N_TAGS], e: &[f32; N_TAGS]) -> [f32; N_TAGS] {
    let mut best = [NEG; SHORT];
    for (k, &p) in ENDS.iter().enumerate() {
        let d = prev[p];
        let row = &tr.ends_starts[k];
        for j in 0..SHORT {
            best[j] = max(best[j], d + row[j]);
        }
    }
    let mut cur = [NEG; N_TAGS];
    for (j, &t) in STARTS.iter().enumerate() {
        cur[t] = best[j] + e[t];
    }
    let trans = &tr.trans;
    for b in (1..N_TAGS).step_by(4) {
        let (i, l) = (b + 1, b + 2);
        // The same initial value and comparisons as the full loop.
        let inside = max(max(NEG, prev[b] + trans[b][i]), prev[i] + trans[i][i]);
        let last = max(max(NEG, prev[b] + trans[b][l]), prev[i] + trans[i][l]);
        cur[i] = inside + e[i];
        cur[l] = last + e[l];
    }
    cur
}

/// One backward step over the BILOU transitions only: the best score of
/// the rest of the sentence after each tag at a token, given the next
/// token's scores and emissions.
#[inline]
fn backward_bilou(tr: &Transitions, next: &[f32; N_TAGS], e: &[f32; N_TAGS]) -> [f32; N_TAGS] {
    let mut best = [NEG; SHORT];
    for (j, &nt) in STARTS.iter().enumerate() {
        let v = e[nt] + next[nt];
        let col = &tr.starts_ends[j];
        for k in 0..SHORT {
            best[k] = max(best[k], col[k] + v);
        }
    }
    let mut cur = [NEG; N_TAGS];
    for (k, &t) in ENDS.iter().enumerate() {
        cur[t] = best[k];
    }
    let trans = &tr.trans;
    for b in (1..N_TAGS).step_by(4) {
        let (i, l) = (b + 1, b + 2);
        let (vi, vl) = (e[i] + next[i], e[l] + next[l]);
        cur[b] = max(max(NEG, trans[b][i] + vi), trans[b][l] + vl);
        cur[i] = max(max(NEG, trans[i][i] + vi), trans[i][l] + vl);
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{allowed, allowed_start, tag, B, L, U};

    fn constrained() -> ([[f32; N_TAGS]; N_TAGS], [f32; N_TAGS]) {
        let mut trans = [[0f32; N_TAGS]; N_TAGS];
        let mut start = [0f32; N_TAGS];
        for p in 0..N_TAGS {
            for t in 0..N_TAGS {
                if !allowed(p, t) {
                    trans[p][t] = NEG;
                }
            }
            if !allowed_start(p) {
                start[p] = NEG;
            }
        }
        (trans, start)
    }

    /// The BILOU-only loops give the full loops' scores, tags and margins
    /// to the bit.
    #[test]
    fn bilou_loops_match_the_full_loops() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |scale: f32| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ((seed >> 40) as i32 - (1 << 23)) as f32 / (1 << 23) as f32 * scale
        };
        for round in 0..200 {
            let (mut trans, mut start) = constrained();
            for p in 0..N_TAGS {
                for t in 0..N_TAGS {
                    if allowed(p, t) {
                        trans[p][t] = next(5000.0).round();
                    }
                }
                if allowed_start(p) {
                    start[p] = next(5000.0).round();
                }
            }
            let n = 1 + round % 23;
            // Integer-valued, as the tagger's are; some exact zeros and ties.
            let e: Vec<[f32; N_TAGS]> = (0..n)
                .map(|_| {
                    let mut row = [0f32; N_TAGS];
                    for v in &mut row[1..] {
                        *v = (next(40000.0) / 1000.0).round() * 1000.0;
                    }
                    row
                })
                .collect();
            let fast = Transitions::new(&trans);
            assert!(fast.constrained);
            let mut full = fast.clone();
            full.constrained = false;
            let (mut d1, mut d2) = (Decoder::default(), Decoder::default());
            let (mut t1, mut t2) = (Vec::new(), Vec::new());
            d1.viterbi(&e, &fast, &start, &mut t1);
            d2.viterbi(&e, &full, &start, &mut t2);
            assert_eq!(t1, t2);
            let bits = |d: &[[f32; N_TAGS]]| -> Vec<u32> {
                d.iter().flatten().map(|v| v.to_bits()).collect()
            };
            assert_eq!(bits(&d1.delta), bits(&d2.delta));
            let (mut m1, mut m2) = (Vec::new(), Vec::new());
            d1.margins(&e, &fast, &t1, &mut m1);
            d2.margins(&e, &full, &t2, &mut m2);
            assert_eq!(bits(&d1.beta), bits(&d2.beta));
            let mb = |m: &[f32]| -> Vec<u32> { m.iter().map(|v| v.to_bits()).collect() };
            assert_eq!(mb(&m1), mb(&m2));
        }
    }

    #[test]
    fn decodes_a_valid_sequence_even_against_emissions() {
        let (trans, start) = constrained();
        // Token 0 prefers B-PER, token 1 prefers O: B-PER cannot end a
        // name, so the decoder must pick U-PER or B-PER L-PER.
        let mut e = [[0f32; N_TAGS]; 2];
        e[0][tag(0, B)] = 5.0;
        e[0][tag(0, U)] = 3.0;
        e[1][0] = 1.0;
        e[1][tag(0, L)] = 0.5;
        let mut d = Decoder::default();
        let mut tags = Vec::new();
        let trans = Transitions::new(&trans);
        d.viterbi(&e, &trans, &start, &mut tags);
        assert_eq!(tags, [tag(0, B) as u8, tag(0, L) as u8]);
        let mut m = Vec::new();
        d.margins(&e, &trans, &tags, &mut m);
        assert!((m[0] - 1.5).abs() < 1e-6, "{m:?}");
        assert!((m[1] - 1.5).abs() < 1e-6, "{m:?}");
    }
}
