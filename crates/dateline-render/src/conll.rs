//! CoNLL-2003 columns: a `-DOCSTART-` line and a blank line before each
//! document, one token per line followed by its IOB2 tag, a blank line after
//! each sentence.
//!
//! For pre-tokenised input ([`Doc::token_lines`] set, as the CoNLL reader
//! does) each token's input line is written back unchanged with the
//! predicted tag appended as the last column, separated the way the line
//! separates its columns (a tab if it has one, else a space): the layout
//! `conlleval` scores. The `-DOCSTART-` line then has as many columns as
//! the token lines (`-DOCSTART- -X- -X- O O` after four input columns), since
//! `conlleval` rejects lines whose column count differs.

use dateline_core::Doc;

use crate::{Format, RenderError};

pub(crate) fn render(doc: &Doc, out: &mut Vec<u8>) -> Result<(), RenderError> {
    let Some(tokens) = &doc.tokens else {
        return Err(RenderError::MissingLayer {
            id: doc.id().to_owned(),
            format: Format::Conll,
            layer: "tokens",
        });
    };
    let lines = doc
        .token_lines
        .as_deref()
        .filter(|l| l.len() == tokens.len());
    let sep = match lines {
        Some(lines) if lines.first().is_some_and(|l| l.contains('\t')) => b'\t',
        _ => b' ',
    };
    out.extend_from_slice(b"-DOCSTART-");
    if let Some(first) = lines.and_then(|l| l.first()) {
        let columns = first.split_whitespace().count();
        for _ in 2..columns {
            out.push(sep);
            out.extend_from_slice(b"-X-");
        }
        if columns >= 2 {
            out.push(sep);
            out.push(b'O');
        }
    }
    out.push(sep);
    out.extend_from_slice(b"O\n\n");

    let sentence_ends = sentence_ends(doc);
    let mut ends = sentence_ends.iter().peekable();
    let mut entities = doc.entities().iter().peekable();
    for (i, token) in tokens.iter().enumerate() {
        let i = i as u32;
        match lines {
            Some(lines) => out.extend_from_slice(lines[i as usize].as_bytes()),
            None => out.extend_from_slice(doc.slice(token.span).as_bytes()),
        }
        out.push(sep);
        while entities.next_if(|e| e.end_token <= i).is_some() {}
        match entities.peek() {
            Some(e) if e.first_token <= i => {
                out.extend_from_slice(if e.first_token == i { b"B-" } else { b"I-" });
                out.extend_from_slice(e.label.as_str().as_bytes());
            }
            _ => out.push(b'O'),
        }
        out.push(b'\n');
        if ends.next_if(|&&end| end == i + 1).is_some() {
            out.push(b'\n');
        }
    }
    Ok(())
}

/// Token index after each sentence; one sentence when there is no sentence
/// layer.
fn sentence_ends(doc: &Doc) -> Vec<u32> {
    match &doc.sentences {
        Some(sentences) => sentences.iter().map(|s| s.end_token).collect(),
        None => vec![doc.tokens().len() as u32],
    }
}

#[cfg(test)]
mod tests {
    use dateline_core::{Entity, Label, Sentence, Span, Token, TokenKind};

    use super::*;

    fn doc(lines: Option<Vec<&str>>) -> Doc {
        let mut doc = Doc::new("d", "EU rejects German call\nPeter Blackburn").unwrap();
        let spans = [(0, 2), (3, 10), (11, 17), (18, 22), (23, 28), (29, 38)];
        doc.tokens = Some(
            spans
                .iter()
                .map(|&(s, e)| Token::new(Span::new(s, e), TokenKind::Word))
                .collect(),
        );
        doc.sentences = Some(vec![
            Sentence {
                span: Span::new(0, 22),
                first_token: 0,
                end_token: 4,
            },
            Sentence {
                span: Span::new(23, 38),
                first_token: 4,
                end_token: 6,
            },
        ]);
        let entity = |s, e, first, end, label| Entity {
            span: Span::new(s, e),
            first_token: first,
            end_token: end,
            label,
            source: "model",
            confidence: Some(0.5),
        };
        doc.entities = Some(vec![
            entity(0, 2, 0, 1, Label::Org),
            entity(11, 17, 2, 3, Label::Misc),
            entity(23, 38, 4, 6, Label::Per),
        ]);
        doc.token_lines = lines.map(|l| l.into_iter().map(Box::from).collect());
        dateline_core::validate(&doc).unwrap();
        doc
    }

    fn check(doc: &Doc, expect: &str) {
        let mut out = Vec::new();
        render(doc, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expect);
    }

    #[test]
    fn token_and_iob2_tag() {
        check(
            &doc(None),
            "-DOCSTART- O\n\nEU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\nPeter B-PER\nBlackburn I-PER\n\n",
        );
    }

    #[test]
    fn input_columns_kept_and_prediction_appended() {
        let lines = vec![
            "EU NNP B-NP B-ORG",
            "rejects VBZ B-VP O",
            "German JJ B-NP B-MISC",
            "call NN I-NP O",
            "Peter NNP B-NP B-PER",
            "Blackburn NNP I-NP I-PER",
        ];
        check(
            &doc(Some(lines)),
            "-DOCSTART- -X- -X- O O\n\nEU NNP B-NP B-ORG B-ORG\nrejects VBZ B-VP O O\n\
             German JJ B-NP B-MISC B-MISC\ncall NN I-NP O O\n\n\
             Peter NNP B-NP B-PER B-PER\nBlackburn NNP I-NP I-PER I-PER\n\n",
        );
        let tabbed = vec![
            "EU\tB-ORG",
            "rejects\tO",
            "German\tB-MISC",
            "call\tO",
            "Peter\tB-PER",
            "Blackburn\tI-PER",
        ];
        let mut out = Vec::new();
        render(&doc(Some(tabbed)), &mut out).unwrap();
        assert!(out.starts_with(b"-DOCSTART-\tO\tO\n\nEU\tB-ORG\tB-ORG\n"));
    }

    #[test]
    fn needs_tokens() {
        let err = render(&Doc::new("x", "a").unwrap(), &mut Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "document x: the conll format needs the tokens layer, which this run did not compute"
        );
    }
}
