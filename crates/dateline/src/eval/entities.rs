//! Entity scoring of annotated documents: gold entities against predicted
//! ones, sentence by sentence, as `conlleval` scores the IOB2 tags they
//! stand for.

use std::borrow::Cow;

use dateline_core::{Doc, Entity};

use super::conlleval::EntityScores;

/// The IOB2 tag of every token of `doc` for `entities` (which must be
/// ordered and non-overlapping, as `validate` guarantees).
pub fn iob2_tags<'a>(doc: &Doc, entities: &'a [Entity]) -> Vec<Cow<'a, str>> {
    let mut tags = vec![Cow::Borrowed("O"); doc.tokens().len()];
    for entity in entities {
        for (i, tag) in tags[entity.token_range()].iter_mut().enumerate() {
            let prefix = if i == 0 { "B-" } else { "I-" };
            *tag = Cow::Owned(format!("{prefix}{}", entity.label));
        }
    }
    tags
}

/// Adds one document to `scores`: each sentence's gold tags against its
/// predicted tags (a document without sentences is one sequence).
pub fn score_doc(scores: &mut EntityScores, doc: &Doc, gold: &[Entity], predicted: &[Entity]) {
    let gold_tags = iob2_tags(doc, gold);
    let predicted_tags = iob2_tags(doc, predicted);
    if doc.sentences().is_empty() {
        scores.add_sequence(&gold_tags, &predicted_tags);
        return;
    }
    for sentence in doc.sentences() {
        let range = sentence.token_range();
        scores.add_sequence(&gold_tags[range.clone()], &predicted_tags[range]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dateline_core::{Label, Sentence, Span, Token, TokenKind};

    fn entity(first: u32, end: u32, label: Label, doc: &Doc) -> Entity {
        let tokens = doc.tokens();
        Entity {
            span: tokens[first as usize]
                .span
                .cover(tokens[end as usize - 1].span),
            first_token: first,
            end_token: end,
            label,
            source: "gold",
            confidence: None,
        }
    }

    #[test]
    fn scores_per_sentence_with_exact_spans() {
        let mut doc = Doc::new("d", "Cai Qi met\nSodbaatar").unwrap();
        doc.tokens = Some(
            [(0, 3), (4, 6), (7, 10), (11, 20)]
                .iter()
                .map(|&(s, e)| Token::new(Span::new(s, e), TokenKind::Word))
                .collect(),
        );
        doc.sentences = Some(vec![
            Sentence {
                span: Span::new(0, 10),
                first_token: 0,
                end_token: 3,
            },
            Sentence {
                span: Span::new(11, 20),
                first_token: 3,
                end_token: 4,
            },
        ]);
        let gold = vec![
            entity(0, 2, Label::Per, &doc),
            entity(3, 4, Label::Per, &doc),
        ];
        let predicted = vec![
            entity(1, 2, Label::Per, &doc),
            entity(3, 4, Label::Per, &doc),
        ];
        assert_eq!(iob2_tags(&doc, &gold), ["B-PER", "I-PER", "O", "B-PER"]);
        let mut scores = EntityScores::default();
        score_doc(&mut scores, &doc, &gold, &predicted);
        assert_eq!(scores.overall.correct, 1);
        assert_eq!(scores.overall.gold, 2);
        assert_eq!(scores.overall.predicted, 2);
        // B-PER I-PER O B-PER against O B-PER O B-PER: the last two agree.
        assert_eq!(scores.tokens_correct, 2);
    }
}
