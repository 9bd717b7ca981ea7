//! Viterbi decoding over BILOU tags, and max-marginal confidence.

use crate::labels::{allowed, allowed_end, N_TAGS};

const NEG: f32 = -1.0e30;

/// For each tag, the tags allowed before it (BILOU leaves 97 of the 289
/// pairs): decoding loops over these only, three times fewer steps.
struct Pairs {
    preds: [([u8; N_TAGS], usize); N_TAGS],
    succs: [([u8; N_TAGS], usize); N_TAGS],
}

static PAIRS: std::sync::LazyLock<Pairs> = std::sync::LazyLock::new(|| {
    let mut pairs = Pairs {
        preds: [([0; N_TAGS], 0); N_TAGS],
        succs: [([0; N_TAGS], 0); N_TAGS],
    };
    for p in 0..N_TAGS {
        for t in 0..N_TAGS {
            if allowed(p, t) {
                let (list, n) = &mut pairs.preds[t];
                list[*n] = p as u8;
                *n += 1;
                let (list, n) = &mut pairs.succs[p];
                list[*n] = t as u8;
                *n += 1;
            }
        }
    }
    pairs
});

/// Reusable buffers for decoding one sentence at a time.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    delta: Vec<[f32; N_TAGS]>,
    back: Vec<[u8; N_TAGS]>,
    beta: Vec<[f32; N_TAGS]>,
}

impl Decoder {
    /// Writes the best tag sequence for `emissions` into `tags`.
    pub(crate) fn viterbi(
        &mut self,
        emissions: &[[f32; N_TAGS]],
        trans: &[[f32; N_TAGS]; N_TAGS],
        start: &[f32; N_TAGS],
        tags: &mut Vec<u8>,
    ) {
        let n = emissions.len();
        tags.clear();
        if n == 0 {
            return;
        }
        self.delta.clear();
        self.back.clear();
        let mut first = [0f32; N_TAGS];
        for t in 0..N_TAGS {
            first[t] = start[t] + emissions[0][t];
        }
        self.delta.push(first);
        self.back.push([0; N_TAGS]);
        let pairs = &*PAIRS;
        for e in &emissions[1..] {
            let prev = *self.delta.last().expect("non-empty");
            let mut cur = [NEG; N_TAGS];
            let mut bp = [0u8; N_TAGS];
            for t in 0..N_TAGS {
                let mut best = NEG;
                let mut arg = 0u8;
                let (preds, n) = &pairs.preds[t];
                for &p in &preds[..*n] {
                    let p = p as usize;
                    let s = prev[p] + trans[p][t];
                    if s > best {
                        best = s;
                        arg = p as u8;
                    }
                }
                cur[t] = best + e[t];
                bp[t] = arg;
            }
            self.delta.push(cur);
            self.back.push(bp);
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
            tags[i - 1] = self.back[i][tags[i] as usize];
        }
    }

    /// After [`viterbi`](Decoder::viterbi) on the same emissions: for each
    /// token, the score gap between the best sequence and the best sequence
    /// that gives that token another tag (its max-marginal margin).
    pub(crate) fn margins(
        &mut self,
        emissions: &[[f32; N_TAGS]],
        trans: &[[f32; N_TAGS]; N_TAGS],
        tags: &[u8],
        out: &mut Vec<f32>,
    ) {
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
        let pairs = &*PAIRS;
        for i in (0..n - 1).rev() {
            let next = self.beta[i + 1];
            let e = &emissions[i + 1];
            let mut cur = [NEG; N_TAGS];
            for (t, c) in cur.iter_mut().enumerate() {
                let mut best = NEG;
                let (succs, m) = &pairs.succs[t];
                for &nt in &succs[..*m] {
                    let nt = nt as usize;
                    let s = trans[t][nt] + e[nt] + next[nt];
                    if s > best {
                        best = s;
                    }
                }
                *c = best;
            }
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
        d.viterbi(&e, &trans, &start, &mut tags);
        assert_eq!(tags, [tag(0, B) as u8, tag(0, L) as u8]);
        let mut m = Vec::new();
        d.margins(&e, &trans, &tags, &mut m);
        assert!((m[0] - 1.5).abs() < 1e-6, "{m:?}");
        assert!((m[1] - 1.5).abs() < 1e-6, "{m:?}");
    }
}
