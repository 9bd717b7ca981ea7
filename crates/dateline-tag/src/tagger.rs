//! The model pass: features, emissions, decoding, confidence.

use std::ops::Range;

use crate::decode::Decoder;
use crate::features::DocContext;
use crate::labels::{spans, N_TAGS};
use crate::model::{Model, ROW};
use crate::rules::join_org_of;

/// A model entity over tokens `first..end` of the document.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ModelSpan {
    pub(crate) first: usize,
    pub(crate) end: usize,
    pub(crate) ty: usize,
    /// The smallest max-marginal margin over the entity's tokens, in
    /// unscaled score units.
    pub(crate) margin: f32,
    /// Made by the `X of the Y` organisation rule from several spans.
    pub(crate) joined: bool,
}

/// Scratch space for one document; reused across its sentences.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    emissions: Vec<[f32; N_TAGS]>,
    tags: Vec<u8>,
    margins: Vec<f32>,
    spans: Vec<(usize, usize, usize)>,
    joins: crate::rules::JoinScratch,
    decoder: Decoder,
}

/// Tags a document's tokens with the model, sentence by sentence in order
/// (the prediction history feeds forward), appending entities to `out`.
pub(crate) fn tag_model(
    model: &Model,
    words: &[&str],
    sentences: &[Range<usize>],
    scratch: &mut Scratch,
    out: &mut Vec<ModelSpan>,
) {
    let mut ctx = DocContext::new(&model.lexicon, words.iter().copied(), sentences);
    for (s, range) in sentences.iter().enumerate() {
        scratch.emissions.clear();
        for i in range.clone() {
            scratch
                .emissions
                .push(emission(model, &ctx, s, range.clone(), i));
        }
        scratch.decoder.viterbi(
            &scratch.emissions,
            &model.trans,
            &model.start,
            &mut scratch.tags,
        );
        // Confidence needs a backward pass; most sentences have no entity.
        if scratch.tags.iter().any(|&t| t != 0) {
            scratch.decoder.margins(
                &scratch.emissions,
                &model.trans,
                &scratch.tags,
                &mut scratch.margins,
            );
        }
        let margins = &scratch.margins;
        scratch.spans.clear();
        spans(&scratch.tags, |first, end, ty| {
            scratch
                .spans
                .push((range.start + first, range.start + end, ty));
        });
        join_org_of(words, range.clone(), &mut scratch.spans, &mut scratch.joins);
        for (&(first, end, ty), &joined) in scratch.spans.iter().zip(&scratch.joins.joined) {
            let margin = margins[first - range.start..end - range.start]
                .iter()
                .copied()
                .fold(f32::INFINITY, f32::min);
            out.push(ModelSpan {
                first,
                end,
                ty,
                margin: margin / model.scale,
                joined,
            });
        }
        ctx.record(range.clone(), &scratch.tags);
    }
}

#[inline]
fn emission(
    model: &Model,
    ctx: &DocContext,
    s: usize,
    range: Range<usize>,
    i: usize,
) -> [f32; N_TAGS] {
    let mut acc = [0i32; ROW];
    ctx.features(s, range, i, |h| {
        if let Some(row) = model.row(h) {
            for k in 0..ROW {
                acc[k] += row[k] as i32;
            }
        }
    });
    let mut e = [0f32; N_TAGS];
    for k in 0..ROW {
        e[k + 1] = acc[k] as f32;
    }
    e
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
