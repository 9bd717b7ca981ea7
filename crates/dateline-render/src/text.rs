//! Inline text for reading in a terminal: one sentence per line, each
//! entity as `[covered text](LABEL)`, a blank line after each document.

use dateline_core::{Doc, Span};

use crate::write::one_line;

/// The sentence spans to print: the sentence layer, or the token range as
/// one sentence, or the trimmed text when there are no tokens.
pub(crate) fn line_spans(doc: &Doc) -> Vec<Span> {
    if let Some(sentences) = &doc.sentences {
        return sentences.iter().map(|s| s.span).collect();
    }
    if let (Some(first), Some(last)) = (doc.tokens().first(), doc.tokens().last()) {
        return vec![first.span.cover(last.span)];
    }
    let text = doc.text();
    let trimmed = text.trim_start();
    let start = text.len() - trimmed.len();
    let trimmed = trimmed.trim_end();
    if trimmed.is_empty() {
        Vec::new()
    } else {
        vec![Span::from_usize(start, start + trimmed.len())]
    }
}

pub(crate) fn render(doc: &Doc, out: &mut Vec<u8>) {
    let text = doc.text();
    let mut entities = doc.entities().iter().peekable();
    for line in line_spans(doc) {
        let mut cursor = line.start as usize;
        while let Some(entity) = entities.next_if(|e| e.span.start < line.end) {
            let span = entity.span.range();
            if span.start < cursor {
                // Only an invalid document has entities out of order or
                // outside its sentences; print it without that entity.
                continue;
            }
            out.extend_from_slice(one_line(&text[cursor..span.start]).as_bytes());
            out.push(b'[');
            out.extend_from_slice(one_line(&text[span.clone()]).as_bytes());
            out.extend_from_slice(b"](");
            out.extend_from_slice(entity.label.as_str().as_bytes());
            out.push(b')');
            cursor = span.end.min(line.end as usize).max(cursor);
        }
        if cursor < line.end as usize {
            out.extend_from_slice(one_line(&text[cursor..line.end as usize]).as_bytes());
        }
        out.push(b'\n');
    }
    out.push(b'\n');
}

pub(crate) fn render_error(id: &str, kind: &str, message: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(
        format!(
            "# error in {}: {kind}: {}\n\n",
            one_line(id),
            one_line(message)
        )
        .as_bytes(),
    );
}

#[cfg(test)]
mod tests {
    use dateline_core::{Entity, Label, Sentence, Token, TokenKind};

    use super::*;

    fn check(doc: &Doc, expect: &str) {
        let mut out = Vec::new();
        render(doc, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), expect);
    }

    fn tokenized(text: &str) -> Doc {
        let mut doc = Doc::new("t", text).unwrap();
        let mut tokens = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_whitespace() || c == '.', start) {
                (true, Some(s)) => {
                    tokens.push(Token::new(Span::from_usize(s, i), TokenKind::Word));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
            if c == '.' {
                tokens.push(Token::new(Span::from_usize(i, i + 1), TokenKind::Punct));
            }
        }
        doc.tokens = Some(tokens);
        doc
    }

    fn entity(doc: &Doc, first: u32, end: u32, label: Label) -> Entity {
        let t = doc.tokens();
        Entity {
            span: t[first as usize].span.cover(t[end as usize - 1].span),
            first_token: first,
            end_token: end,
            label,
            source: "gold",
            confidence: None,
        }
    }

    #[test]
    fn marks_entities_one_sentence_per_line() {
        let mut doc = tokenized("Cai Qi met\nYangug Sodbaatar.  In Beijing.");
        let t = doc.tokens().to_vec();
        doc.sentences = Some(vec![
            Sentence {
                span: t[0].span.cover(t[5].span),
                first_token: 0,
                end_token: 6,
            },
            Sentence {
                span: t[6].span.cover(t[8].span),
                first_token: 6,
                end_token: 9,
            },
        ]);
        doc.entities = Some(vec![
            entity(&doc, 0, 2, Label::Per),
            entity(&doc, 3, 5, Label::Per),
            entity(&doc, 7, 8, Label::Loc),
        ]);
        dateline_core::validate(&doc).unwrap();
        check(
            &doc,
            "[Cai Qi](PER) met [Yangug Sodbaatar](PER).\nIn [Beijing](LOC).\n\n",
        );
    }

    #[test]
    fn without_sentences_or_tokens() {
        let doc = tokenized("A\nB.");
        check(&doc, "A B.\n\n");
        let doc = Doc::new("t", "  raw\ttext \n").unwrap();
        check(&doc, "raw\ttext\n\n");
        check(&Doc::new("t", " \n").unwrap(), "\n");
    }

    #[test]
    fn error_is_a_comment_line() {
        let mut out = Vec::new();
        render_error("a\nb", "utf8", "bad byte", &mut out);
        assert_eq!(out, b"# error in a b: utf8: bad byte\n\n");
    }
}
