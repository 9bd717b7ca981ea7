//! Viterbi decoding over BILOU tags, and max-marginal confidence.

use crate::labels::{allowed_end, N_TAGS};

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
}

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
        Transitions {
            trans: *trans,
            rows,
            cols,
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
            let mut arg = 0usize;
            let mut top = f32::NEG_INFINITY;
            for p in 0..N_TAGS {
                let s = prev[p] + trans[p][t];
                if s > top {
                    top = s;
                    arg = p;
                }
            }
            tags[i - 1] = arg as u8;
        }
    }

    /// After [`viterbi`](Decoder::viterbi) on the same emissions: for each
    /// token, the score gap between the best sequence and the best sequence
    /// that gives that token another tag (its max-marginal margin).
    pub(crate) fn margins(
        &mut self,
        emissions: &[[f32; N_TAGS]],
        transitions: &Transitions,
        tags: &[u8],
        out: &mut Vec<f32>,
    ) {
        let cols = &transitions.cols;
        let n = emissions.len();
        out.clear();
        if n == 0 {
            return;
        }
        self.beta.clear();
        self.beta.resize(n, [0.0; N_TAGS]);
        for t in 0..N_TAGS {
            self.beta[n - 1][t] = if allowed_end(t) { 0.0 } else { NEG };
        }
        for i in (0..n - 1).rev() {
            let next = self.beta[i + 1];
            let e = &emissions[i + 1];
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
        for i in 0..n {
            let chosen = tags[i] as usize;
            let best = self.delta[i][chosen] + self.beta[i][chosen];
            let mut other = NEG;
            for t in 0..N_TAGS {
                if t != chosen {
                    other = other.max(self.delta[i][t] + self.beta[i][t]);
                }
            }
            out.push((best - other).max(0.0));
        }
    }
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
