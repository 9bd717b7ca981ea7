//! brat standoff: per document `<stem>.txt` (the text, unchanged) and
//! `<stem>.ann` with one text-bound annotation per entity,
//! `T1<TAB>PER 0 6<TAB>Cai Qi`, in character offsets (what brat counts), and
//! an `AnnotatorNotes` line giving its source and confidence. The footer
//! writes `annotation.conf` listing every label and `visual.conf` with the
//! HTML viewer's colours.
//!
//! An annotation line cannot hold a line break, so an entity whose text
//! crosses one (a name broken over two lines) is written as a discontinuous
//! annotation: one fragment per line, `T2<TAB>ORG 10 16;17 25<TAB>Mongolian
//! People's`, the text being the fragments joined by a space, as brat
//! expects.

use dateline_core::{Doc, Label, OffsetIndex, OffsetUnit};

use crate::write::{is_line_break, push_u32};
use crate::{html, DocSummary, Renderer};

pub(crate) fn render(doc: &Doc, index: u64, files: &mut Vec<(String, Vec<u8>)>) {
    let stem = Renderer::file_stem(doc.id(), index);
    let text = doc.text();
    let chars = OffsetIndex::new(text, OffsetUnit::Char);
    let mut ann = Vec::with_capacity(doc.entities().len() * 48);
    for (n, entity) in doc.entities().iter().enumerate() {
        let n = n as u32 + 1;
        let fragments = fragments(text, entity.span.start as usize, entity.span.end as usize);
        ann.push(b'T');
        push_u32(&mut ann, n);
        ann.push(b'\t');
        ann.extend_from_slice(label_name(&entity.label).as_bytes());
        for (i, &(start, end)) in fragments.iter().enumerate() {
            ann.push(if i == 0 { b' ' } else { b';' });
            push_u32(&mut ann, chars.from_byte(text, start as u32));
            ann.push(b' ');
            push_u32(&mut ann, chars.from_byte(text, end as u32));
        }
        ann.push(b'\t');
        for (i, &(start, end)) in fragments.iter().enumerate() {
            if i > 0 {
                ann.push(b' ');
            }
            ann.extend_from_slice(&text.as_bytes()[start..end]);
        }
        ann.extend_from_slice(b"\n#");
        push_u32(&mut ann, n);
        ann.extend_from_slice(b"\tAnnotatorNotes T");
        push_u32(&mut ann, n);
        ann.extend_from_slice(b"\tsource=");
        ann.extend_from_slice(entity.source.as_bytes());
        if let Some(confidence) = entity.confidence.filter(|c| c.is_finite()) {
            ann.extend_from_slice(format!(" confidence={confidence}").as_bytes());
        }
        ann.push(b'\n');
    }
    files.push((format!("{stem}.txt"), text.as_bytes().to_vec()));
    files.push((format!("{stem}.ann"), ann));
}

/// brat entity types are single tokens: whitespace in a user label becomes
/// `_`.
fn label_name(label: &Label) -> std::borrow::Cow<'_, str> {
    let name = label.as_str();
    if name.contains(char::is_whitespace) {
        name.replace(char::is_whitespace, "_").into()
    } else {
        name.into()
    }
}

/// Byte ranges of the parts of `text[start..end]` separated by whitespace
/// that holds a line break.
pub(crate) fn fragments(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut fragments = Vec::with_capacity(1);
    let mut fragment_start = start;
    // The whitespace run being scanned: its start and whether it breaks.
    let mut run: Option<(usize, bool)> = None;
    for (i, c) in text[start..end].char_indices() {
        let i = start + i;
        if c.is_whitespace() {
            let (run_start, breaks) = run.unwrap_or((i, false));
            run = Some((run_start, breaks || is_line_break(c)));
        } else {
            if let Some((run_start, true)) = run {
                fragments.push((fragment_start, run_start));
                fragment_start = i;
            }
            run = None;
        }
    }
    fragments.push((fragment_start, end));
    fragments
}

pub(crate) fn render_error(
    id: &str,
    kind: &str,
    message: &str,
    index: u64,
    files: &mut Vec<(String, Vec<u8>)>,
) {
    files.push((
        format!("{}.error", Renderer::file_stem(id, index)),
        format!("{id}\n{kind}: {message}\n").into_bytes(),
    ));
}

/// The labels of every document: the built-in ones first, then others in
/// first-seen order.
fn labels(docs: &[DocSummary]) -> Vec<String> {
    let mut labels: Vec<String> = Label::BUILT_IN
        .iter()
        .map(|l| l.as_str().to_owned())
        .collect();
    for label in docs.iter().flat_map(|d| &d.labels) {
        let name = label_name(&Label::parse(label)).into_owned();
        if !labels.contains(&name) {
            labels.push(name);
        }
    }
    labels
}

pub(crate) fn annotation_conf(docs: &[DocSummary]) -> Vec<u8> {
    let mut conf = String::from("[entities]\n");
    for label in labels(docs) {
        conf.push_str(&label);
        conf.push('\n');
    }
    conf.push_str("\n[relations]\n\n[events]\n\n[attributes]\n");
    conf.into_bytes()
}

pub(crate) fn visual_conf(docs: &[DocSummary]) -> Vec<u8> {
    let labels = labels(docs);
    let mut conf = String::from("[labels]\n");
    for label in &labels {
        conf.push_str(&format!("{label} | {label}\n"));
    }
    conf.push_str("\n[drawing]\n");
    for label in &labels {
        conf.push_str(&format!("{label}\tbgColor:{}\n", html::colour(label)));
    }
    conf.into_bytes()
}

#[cfg(test)]
mod tests {
    use dateline_core::{Entity, Span, Token, TokenKind};

    use super::*;

    #[test]
    fn char_offsets_and_discontinuous_fragments() {
        let text = "Zürich's Mongolian\nPeople's  Party met.";
        let mut doc = Doc::new("a/b.txt", text).unwrap();
        let mut tokens = Vec::new();
        for word in ["Zürich's", "Mongolian", "People's", "Party", "met", "."] {
            let from = tokens.last().map_or(0, |t: &Token| t.span.end as usize);
            let s = from + text[from..].find(word).unwrap();
            tokens.push(Token::new(
                Span::from_usize(s, s + word.len()),
                TokenKind::Word,
            ));
        }
        doc.tokens = Some(tokens.clone());
        doc.entities = Some(vec![
            Entity {
                span: tokens[0].span,
                first_token: 0,
                end_token: 1,
                label: Label::Loc,
                source: "model",
                confidence: Some(0.5),
            },
            Entity {
                span: tokens[1].span.cover(tokens[3].span),
                first_token: 1,
                end_token: 4,
                label: Label::Other("POLITICAL PARTY".into()),
                source: "gazetteer",
                confidence: None,
            },
        ]);
        dateline_core::validate(&doc).unwrap();
        let mut files = Vec::new();
        render(&doc, 7, &mut files);
        assert_eq!(
            files[0],
            ("000007-a_b.txt".to_owned(), text.as_bytes().to_vec())
        );
        assert_eq!(files[1].0, "000007-a_b.ann");
        assert_eq!(
            String::from_utf8(files[1].1.clone()).unwrap(),
            "T1\tLOC 0 8\tZürich's\n#1\tAnnotatorNotes T1\tsource=model confidence=0.5\n\
             T2\tPOLITICAL_PARTY 9 18;19 34\tMongolian People's  Party\n\
             #2\tAnnotatorNotes T2\tsource=gazetteer\n"
        );
    }

    #[test]
    fn conf_lists_every_label() {
        let mut summary = DocSummary::failed("x", 0);
        summary.labels = vec!["PER".into(), "POLITICAL PARTY".into()];
        let conf = String::from_utf8(annotation_conf(&[summary.clone()])).unwrap();
        assert_eq!(
            conf,
            "[entities]\nPER\nORG\nLOC\nMISC\nDATE\nTIME\nMONEY\nPERCENT\nPOLITICAL_PARTY\n\n[relations]\n\n[events]\n\n[attributes]\n"
        );
        let visual = String::from_utf8(visual_conf(&[summary])).unwrap();
        assert!(visual.contains("PER\tbgColor:#aa9cfc\n"));
    }
}
