//! CoNLL-U: `# newdoc id` before each document, then per sentence
//! `# sent_id` and `# text`, one line per token (ID, FORM, `_` for the
//! columns dateline does not predict, MISC), and a blank line.
//!
//! MISC carries the entity as `NER=B-PER`/`NER=I-PER` (nothing for tokens
//! outside entities) and the spacing, so the text rebuilt from the tokens
//! is exactly the original: `SpaceAfter=No` where no whitespace follows a
//! token, nothing where one space follows, and UDPipe's `SpacesAfter=` for
//! any other whitespace (escaped: `\s` space, `\t` tab, `\n` line feed,
//! `\r` carriage return, `\p` `|`, `\\` backslash, `\uXXXX` other line
//! breaks), with `SpacesBefore=` on a document's first token for leading
//! whitespace. After a document's last token even a single space is written
//! as `SpacesAfter=\s`, since readers drop an implicit space at the end.
//!
//! `# text` is the sentence's exact text except that each line-break
//! character in it is replaced by a space: a comment is one line, and
//! CoNLL-U requires the sentence text on it.

use dateline_core::{Doc, Span};

use crate::write::{is_line_break, one_line, push_u32};
use crate::{Format, RenderError};

pub(crate) fn render(doc: &Doc, out: &mut Vec<u8>) -> Result<(), RenderError> {
    let Some(tokens) = &doc.tokens else {
        return Err(RenderError::MissingLayer {
            id: doc.id().to_owned(),
            format: Format::Conllu,
            layer: "tokens",
        });
    };
    let text = doc.text();
    out.extend_from_slice(b"# newdoc id = ");
    out.extend_from_slice(one_line(doc.id()).as_bytes());
    out.push(b'\n');
    let sentence_id = sentence_id_prefix(doc.id());
    // Without a sentence layer the document is one sentence (none if empty).
    let spans: Vec<(Span, u32, u32)> = match (&doc.sentences, tokens.first(), tokens.last()) {
        (Some(s), _, _) => s
            .iter()
            .map(|s| (s.span, s.first_token, s.end_token))
            .collect(),
        (None, Some(first), Some(last)) => {
            vec![(first.span.cover(last.span), 0, tokens.len() as u32)]
        }
        (None, _, _) => Vec::new(),
    };
    let mut entities = doc.entities().iter().peekable();
    for (n, &(span, first, end)) in spans.iter().enumerate() {
        out.extend_from_slice(b"# sent_id = ");
        out.extend_from_slice(sentence_id.as_bytes());
        push_u32(out, n as u32 + 1);
        out.extend_from_slice(b"\n# text = ");
        out.extend_from_slice(one_line(doc.slice(span)).as_bytes());
        out.push(b'\n');
        for i in first..end {
            let token = tokens[i as usize];
            push_u32(out, i - first + 1);
            out.push(b'\t');
            out.extend_from_slice(doc.slice(token.span).as_bytes());
            out.extend_from_slice(b"\t_\t_\t_\t_\t_\t_\t_\t");
            let misc_start = out.len();
            while entities.next_if(|e| e.end_token <= i).is_some() {}
            if let Some(e) = entities.peek().filter(|e| e.first_token <= i) {
                out.extend_from_slice(if e.first_token == i {
                    b"NER=B-"
                } else {
                    b"NER=I-"
                });
                out.extend_from_slice(e.label.as_str().as_bytes());
            }
            let next = tokens
                .get(i as usize + 1)
                .map_or(text.len(), |t| t.span.start as usize);
            let after = &text[token.span.end as usize..next];
            let last = i as usize + 1 == tokens.len();
            if after.is_empty() {
                push_misc(out, misc_start, b"SpaceAfter=No");
            } else if after != " " || last {
                push_misc(out, misc_start, b"SpacesAfter=");
                push_spaces(out, after);
            }
            if i == 0 && token.span.start > 0 {
                push_misc(out, misc_start, b"SpacesBefore=");
                push_spaces(out, &text[..token.span.start as usize]);
            }
            if out.len() == misc_start {
                out.push(b'_');
            }
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    Ok(())
}

/// `sent_id` values are the document id with whitespace replaced (they may
/// not contain spaces) and the sentence number: `doc-1`, `doc-2`, ...
fn sentence_id_prefix(id: &str) -> String {
    let mut prefix: String = id
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    prefix.push('-');
    prefix
}

fn push_misc(out: &mut Vec<u8>, misc_start: usize, item: &[u8]) {
    if out.len() > misc_start {
        out.push(b'|');
    }
    out.extend_from_slice(item);
}

fn push_spaces(out: &mut Vec<u8>, spaces: &str) {
    for c in spaces.chars() {
        match c {
            ' ' => out.extend_from_slice(b"\\s"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '|' => out.extend_from_slice(b"\\p"),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if is_line_break(c) => {
                out.extend_from_slice(format!("\\u{:04X}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

pub(crate) fn render_error(id: &str, kind: &str, message: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(
        format!(
            "# newdoc id = {}\n# error = {}: {}\n\n",
            one_line(id),
            one_line(kind),
            one_line(message)
        )
        .as_bytes(),
    );
}

#[cfg(test)]
mod tests {
    use dateline_core::{Entity, Label, Sentence, Token, TokenKind};

    use super::*;

    fn render_str(doc: &Doc) -> String {
        let mut out = Vec::new();
        render(doc, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_sentences_spacing_and_entities() {
        let text = "\nCai Qi met\n\nYangug Sodbaatar.  Beijing|x\\ ";
        let mut doc = Doc::new("doc 1", text).unwrap();
        let mut spans = vec![];
        for word in [
            "Cai",
            "Qi",
            "met",
            "Yangug",
            "Sodbaatar",
            ".",
            "Beijing",
            "|",
            "x\\",
        ] {
            let from = spans.last().map_or(0, |&(_, e)| e);
            let s = from + text[from..].find(word).unwrap();
            spans.push((s, s + word.len()));
        }
        doc.tokens = Some(
            spans
                .iter()
                .map(|&(s, e)| Token::new(Span::from_usize(s, e), TokenKind::Word))
                .collect(),
        );
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
        let entity = |first: u32, end: u32, label| Entity {
            span: t[first as usize].span.cover(t[end as usize - 1].span),
            first_token: first,
            end_token: end,
            label,
            source: "model",
            confidence: None,
        };
        doc.entities = Some(vec![
            entity(0, 2, Label::Per),
            entity(3, 5, Label::Per),
            entity(6, 7, Label::Loc),
        ]);
        dateline_core::validate(&doc).unwrap();
        assert_eq!(
            render_str(&doc),
            "# newdoc id = doc 1\n# sent_id = doc_1-1\n# text = Cai Qi met  Yangug Sodbaatar.\n\
             1\tCai\t_\t_\t_\t_\t_\t_\t_\tNER=B-PER|SpacesBefore=\\n\n\
             2\tQi\t_\t_\t_\t_\t_\t_\t_\tNER=I-PER\n\
             3\tmet\t_\t_\t_\t_\t_\t_\t_\tSpacesAfter=\\n\\n\n\
             4\tYangug\t_\t_\t_\t_\t_\t_\t_\tNER=B-PER\n\
             5\tSodbaatar\t_\t_\t_\t_\t_\t_\t_\tNER=I-PER|SpaceAfter=No\n\
             6\t.\t_\t_\t_\t_\t_\t_\t_\tSpacesAfter=\\s\\s\n\n\
             # sent_id = doc_1-2\n# text = Beijing|x\\\n\
             1\tBeijing\t_\t_\t_\t_\t_\t_\t_\tNER=B-LOC|SpaceAfter=No\n\
             2\t|\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n\
             3\tx\\\t_\t_\t_\t_\t_\t_\t_\tSpacesAfter=\\s\n\n"
        );
    }

    #[test]
    fn error_is_a_comment_block() {
        let mut out = Vec::new();
        render_error("d", "utf8", "bad\nbyte", &mut out);
        assert_eq!(out, b"# newdoc id = d\n# error = utf8: bad byte\n\n");
    }
}
