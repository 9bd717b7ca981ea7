//! The model's tag set: BILOU over the four CoNLL types, and its rules.
//!
//! Tag 0 is `O`; tag `1 + 4 * type + position` is one of `B`, `I`, `L`,
//! `U` of `PER`, `ORG`, `LOC`, `MISC`. BILOU rather than IOB2 because the
//! last and unit positions give the linear model separate weights for the
//! end of a name and for one-token names (Ratinov and Roth 2009).

use dateline_core::Label;

pub(crate) const N_TAGS: usize = 17;
#[cfg(feature = "train")]
pub(crate) const N_TYPES: usize = 4;
#[cfg(feature = "train")]
pub(crate) const TYPE_NAMES: [&str; N_TYPES] = ["PER", "ORG", "LOC", "MISC"];

pub(crate) const B: usize = 0;
pub(crate) const I: usize = 1;
pub(crate) const L: usize = 2;
pub(crate) const U: usize = 3;

#[cfg(any(test, feature = "train"))]
#[inline]
pub(crate) fn tag(ty: usize, pos: usize) -> usize {
    1 + ty * 4 + pos
}

/// The entity type of a tag, `None` for `O`.
#[inline]
pub(crate) fn type_of(tag: usize) -> Option<usize> {
    (tag > 0).then(|| (tag - 1) / 4)
}

#[inline]
pub(crate) fn pos_of(tag: usize) -> usize {
    (tag - 1) % 4
}

pub(crate) fn label(ty: usize) -> Label {
    match ty {
        0 => Label::Per,
        1 => Label::Org,
        2 => Label::Loc,
        _ => Label::Misc,
    }
}

#[cfg(feature = "train")]
pub(crate) fn type_index(name: &str) -> Option<usize> {
    TYPE_NAMES.iter().position(|t| *t == name)
}

/// Whether tag `cur` may follow tag `prev` in a well-formed BILOU sequence.
pub(crate) fn allowed(prev: usize, cur: usize) -> bool {
    let open = type_of(prev).filter(|_| matches!(pos_of(prev), B | I));
    match (open, type_of(cur)) {
        (Some(t), Some(c)) => t == c && matches!(pos_of(cur), I | L),
        (Some(_), None) => false,
        (None, Some(_)) => matches!(pos_of(cur), B | U),
        (None, None) => true,
    }
}

/// Whether a sentence may start with this tag.
pub(crate) fn allowed_start(tag: usize) -> bool {
    tag == 0 || matches!(pos_of(tag), B | U)
}

/// Whether a sentence may end with this tag.
pub(crate) fn allowed_end(tag: usize) -> bool {
    tag == 0 || matches!(pos_of(tag), L | U)
}

/// Entity spans `(first, end, type)` of a well-formed BILOU sequence.
pub(crate) fn spans(tags: &[u8], mut f: impl FnMut(usize, usize, usize)) {
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        let t = t as usize;
        match type_of(t) {
            None => open = None,
            Some(ty) => match pos_of(t) {
                B => open = Some((i, ty)),
                I => {}
                L => {
                    if let Some((start, oty)) = open.take() {
                        if oty == ty {
                            f(start, i + 1, ty);
                        }
                    }
                }
                _ => {
                    open = None;
                    f(i, i + 1, ty);
                }
            },
        }
    }
}

/// BILOU tags for entity spans `(first, end, type)` over `n` tokens.
#[cfg(feature = "train")]
pub(crate) fn from_spans(n: usize, spans: &[(usize, usize, usize)]) -> Vec<u8> {
    let mut tags = vec![0u8; n];
    for &(first, end, ty) in spans {
        if end - first == 1 {
            tags[first] = tag(ty, U) as u8;
        } else {
            tags[first] = tag(ty, B) as u8;
            for t in &mut tags[first + 1..end - 1] {
                *t = tag(ty, I) as u8;
            }
            tags[end - 1] = tag(ty, L) as u8;
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_bilou() {
        let b_per = tag(0, B);
        assert!(allowed(0, b_per));
        assert!(allowed(b_per, tag(0, L)));
        assert!(!allowed(b_per, tag(1, L)));
        assert!(!allowed(b_per, 0));
        assert!(!allowed(0, tag(2, I)));
        assert!(allowed(tag(2, U), tag(3, B)));
        assert!(!allowed_start(tag(0, L)));
        assert!(!allowed_end(b_per));
    }

    #[test]
    fn spans_read_back() {
        let tags = [0, tag(0, B), tag(0, L), tag(2, U), 0].map(|t| t as u8);
        let mut got = Vec::new();
        spans(&tags, |a, b, t| got.push((a, b, t)));
        assert_eq!(got, [(1, 3, 0), (3, 4, 2)]);
    }
}
