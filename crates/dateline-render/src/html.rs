//! One self-contained HTML page per document in the spirit of displaCy's
//! entity view — the original text with each entity highlighted in a colour
//! per label and the label shown beside it, a legend, optionally the
//! sentence boundaries — and an `index.html` linking the pages.
//!
//! A page needs nothing from outside: CSS is inline, there are no scripts
//! and no fonts to fetch. Every piece of document text (the text, the id, an
//! error message) is HTML-escaped, so an input holding `<script>` shows as
//! text. The text keeps its own line breaks and spacing (`white-space:
//! pre-wrap`).

use dateline_core::{Doc, Label, Span};

use crate::write::push_html;
use crate::{DocSummary, Renderer};

const STYLE: &str = "\
body{margin:0;padding:2rem 3rem;background:#fafafa;color:#222;\
font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif}\
h1{font-size:1.3rem;margin:0 0 .3rem;word-break:break-all}\
.stats{color:#666;margin:0 0 1rem}\
.legend{list-style:none;padding:0;margin:0 0 1.5rem;display:flex;flex-wrap:wrap;gap:.5rem}\
.legend li{padding:.25em .6em;border-radius:.35em;font-size:.85em;font-weight:bold}\
.legend .count{font-weight:normal;margin-left:.4em}\
.text{white-space:pre-wrap;line-height:2.5;font-size:1.05rem;max-width:60rem}\
mark.entity{padding:.25em .45em;margin:0 .1em;line-height:1;border-radius:.35em;\
box-decoration-break:clone;-webkit-box-decoration-break:clone;color:inherit}\
mark.entity .label{font-size:.65em;font-weight:bold;line-height:1;vertical-align:middle;\
margin-left:.4rem;text-transform:uppercase}\
.sentence{border-bottom:2px solid #9bb4d0;box-decoration-break:clone;-webkit-box-decoration-break:clone}\
.sentence:nth-of-type(2n){border-bottom-color:#d0a99b}\
.sentence::before{content:attr(data-n);font-size:.6em;vertical-align:super;color:#888;margin-right:.15em}\
.error{background:#fde8e8;border-left:4px solid #c33;padding:1rem;white-space:pre-wrap}\
table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}\
td.n{text-align:right}a{color:#1a56a0}";

/// The highlight colour of a label: displaCy's colours for the built-in
/// labels, a fixed palette chosen by a hash of the name for others, so a
/// label keeps its colour on every page.
pub(crate) fn colour(label: &str) -> &'static str {
    match label {
        "PER" => "#aa9cfc",
        "ORG" => "#7aecec",
        "LOC" => "#ff9561",
        "MISC" => "#c887fb",
        "DATE" => "#bfe1d9",
        "TIME" => "#a8d8ea",
        "MONEY" => "#e4e7d2",
        "PERCENT" => "#f0d0ff",
        other => {
            const PALETTE: [&str; 8] = [
                "#feca74", "#ffeb80", "#ff8197", "#9cc9cc", "#bfeeb7", "#f5c6a5", "#d9c3a5",
                "#c4d7f2",
            ];
            // FNV-1a: stable across runs and platforms.
            let hash = other.bytes().fold(0x811c_9dc5u32, |h, b| {
                (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
            });
            PALETTE[hash as usize % PALETTE.len()]
        }
    }
}

fn page_start(out: &mut Vec<u8>, title: &str) {
    out.extend_from_slice(
        b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
    );
    push_html(out, title);
    out.extend_from_slice(b" \xe2\x80\x94 dateline</title>\n<style>");
    out.extend_from_slice(STYLE.as_bytes());
    out.extend_from_slice(b"</style>\n</head>\n<body>\n");
}

fn page_end(out: &mut Vec<u8>) {
    out.extend_from_slice(b"</body>\n</html>\n");
}

pub(crate) fn render(doc: &Doc, index: u64, sentences: bool, files: &mut Vec<(String, Vec<u8>)>) {
    let text = doc.text();
    let mut out = Vec::with_capacity(text.len() * 2 + STYLE.len() + 1024);
    page_start(&mut out, doc.id());
    out.extend_from_slice(b"<header>\n<h1>");
    push_html(&mut out, doc.id());
    out.extend_from_slice(b"</h1>\n<p class=\"stats\">");
    push_count(&mut out, doc.entities().len(), "entity", "entities");
    if let Some(s) = &doc.sentences {
        out.extend_from_slice(" \u{b7} ".as_bytes());
        push_count(&mut out, s.len(), "sentence", "sentences");
    }
    if let Some(t) = &doc.tokens {
        out.extend_from_slice(" \u{b7} ".as_bytes());
        push_count(&mut out, t.len(), "token", "tokens");
    }
    out.extend_from_slice(b"</p>\n");
    legend(doc, &mut out);
    out.extend_from_slice(b"</header>\n<article class=\"text\">");

    let segments: Vec<Span> = match &doc.sentences {
        Some(s) if sentences => s.iter().map(|s| s.span).collect(),
        _ => vec![Span::from_usize(0, text.len())],
    };
    let wrap = sentences && doc.sentences.is_some();
    let mut entities = doc.entities().iter().peekable();
    let mut cursor = 0usize;
    for (n, segment) in segments.iter().enumerate() {
        push_html(&mut out, &text[cursor..segment.start as usize]);
        cursor = segment.start as usize;
        if wrap {
            out.extend_from_slice(b"<span class=\"sentence\" data-n=\"");
            crate::write::push_u32(&mut out, n as u32 + 1);
            out.extend_from_slice(b"\">");
        }
        while let Some(entity) = entities.next_if(|e| e.span.start < segment.end) {
            let span = entity.span.range();
            if span.start < cursor || span.end > segment.end as usize {
                // Out of order or across a sentence: only an invalid
                // document has such an entity; its text still shows.
                continue;
            }
            push_html(&mut out, &text[cursor..span.start]);
            let label = entity.label.as_str();
            out.extend_from_slice(b"<mark class=\"entity\" data-label=\"");
            push_html(&mut out, label);
            out.extend_from_slice(b"\" style=\"background:");
            out.extend_from_slice(colour(label).as_bytes());
            out.extend_from_slice(b"\">");
            push_html(&mut out, &text[span.clone()]);
            out.extend_from_slice(b"<span class=\"label\">");
            push_html(&mut out, label);
            out.extend_from_slice(b"</span></mark>");
            cursor = span.end;
        }
        push_html(&mut out, &text[cursor..segment.end as usize]);
        cursor = segment.end as usize;
        if wrap {
            out.extend_from_slice(b"</span>");
        }
    }
    push_html(&mut out, &text[cursor..]);
    out.extend_from_slice(b"</article>\n");
    page_end(&mut out);
    files.push((
        format!("{}.html", Renderer::file_stem(doc.id(), index)),
        out,
    ));
}

/// The labels of the document with their counts: built-in labels in their
/// usual order (PER, ORG, LOC, MISC, DATE, ...), then others by name.
fn legend(doc: &Doc, out: &mut Vec<u8>) {
    let mut counts: Vec<(&Label, usize)> = Vec::new();
    for entity in doc.entities() {
        match counts.iter_mut().find(|(l, _)| **l == entity.label) {
            Some((_, n)) => *n += 1,
            None => counts.push((&entity.label, 1)),
        }
    }
    // `Label`'s order is the built-in order, then user labels by name.
    counts.sort_by(|a, b| a.0.cmp(b.0));
    let counts = counts.into_iter().map(|(l, n)| (l.as_str(), n));
    let mut counts = counts.peekable();
    if counts.peek().is_none() {
        return;
    }
    out.extend_from_slice(b"<ul class=\"legend\">\n");
    for (label, n) in counts {
        out.extend_from_slice(b"<li style=\"background:");
        out.extend_from_slice(colour(label).as_bytes());
        out.extend_from_slice(b"\">");
        push_html(out, label);
        out.extend_from_slice(b"<span class=\"count\">");
        crate::write::push_u32(out, n as u32);
        out.extend_from_slice(b"</span></li>\n");
    }
    out.extend_from_slice(b"</ul>\n");
}

fn push_count(out: &mut Vec<u8>, n: usize, one: &str, many: &str) {
    out.extend_from_slice(n.to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(if n == 1 { one } else { many }.as_bytes());
}

pub(crate) fn render_error(
    id: &str,
    kind: &str,
    message: &str,
    index: u64,
    files: &mut Vec<(String, Vec<u8>)>,
) {
    let mut out = Vec::new();
    page_start(&mut out, id);
    out.extend_from_slice(b"<header>\n<h1>");
    push_html(&mut out, id);
    out.extend_from_slice(
        b"</h1>\n</header>\n<p class=\"error\">could not process this document: ",
    );
    push_html(&mut out, kind);
    out.extend_from_slice(b": ");
    push_html(&mut out, message);
    out.extend_from_slice(b"</p>\n");
    page_end(&mut out);
    files.push((format!("{}.html", Renderer::file_stem(id, index)), out));
}

/// `index.html`: every document with a link to its page, its entity count
/// and labels, and whether it failed.
pub(crate) fn index(docs: &[DocSummary]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024 + docs.len() * 160);
    page_start(&mut out, "documents");
    let entities: usize = docs.iter().map(|d| d.entities).sum();
    let failed = docs.iter().filter(|d| d.error).count();
    out.extend_from_slice(b"<header>\n<h1>Documents</h1>\n<p class=\"stats\">");
    push_count(&mut out, docs.len(), "document", "documents");
    out.extend_from_slice(" \u{b7} ".as_bytes());
    push_count(&mut out, entities, "entity", "entities");
    if failed > 0 {
        out.extend_from_slice(" \u{b7} ".as_bytes());
        push_count(&mut out, failed, "failed", "failed");
    }
    out.extend_from_slice(b"</p>\n</header>\n<table>\n<thead><tr><th>#</th><th>document</th><th>entities</th><th>labels</th></tr></thead>\n<tbody>\n");
    for (n, doc) in docs.iter().enumerate() {
        out.extend_from_slice(b"<tr><td class=\"n\">");
        out.extend_from_slice((n + 1).to_string().as_bytes());
        out.extend_from_slice(b"</td><td><a href=\"");
        // Stems are [A-Za-z0-9._-] only: safe in a URL as they are.
        out.extend_from_slice(doc.file_stem.as_bytes());
        out.extend_from_slice(b".html\">");
        push_html(&mut out, &doc.id);
        out.extend_from_slice(b"</a></td>");
        if doc.error {
            out.extend_from_slice(
                b"<td class=\"n\">\xe2\x80\x94</td><td class=\"error\">failed</td></tr>\n",
            );
            continue;
        }
        out.extend_from_slice(b"<td class=\"n\">");
        out.extend_from_slice(doc.entities.to_string().as_bytes());
        out.extend_from_slice(b"</td><td>");
        push_html(&mut out, &doc.labels.join(", "));
        out.extend_from_slice(b"</td></tr>\n");
    }
    out.extend_from_slice(b"</tbody>\n</table>\n");
    page_end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use dateline_core::{Entity, Label, Sentence, Token, TokenKind};

    use super::*;

    fn doc(text: &str) -> Doc {
        let mut doc = Doc::new("<b>id</b>", text).unwrap();
        let mut tokens = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    tokens.push(Token::new(Span::from_usize(s, i), TokenKind::Word));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        doc.tokens = Some(tokens);
        doc
    }

    fn page(doc: &Doc, sentences: bool) -> String {
        let mut files = Vec::new();
        render(doc, 3, sentences, &mut files);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "000003-_b_id_b_.html");
        String::from_utf8(files.pop().unwrap().1).unwrap()
    }

    #[test]
    fn escapes_everything_and_marks_entities() {
        let mut doc = doc("<script>alert(1)</script> & Cai Qi");
        let t = doc.tokens().to_vec();
        doc.entities = Some(vec![Entity {
            span: t[2].span.cover(t[3].span),
            first_token: 2,
            end_token: 4,
            label: Label::Other("<X>".into()),
            source: "gazetteer",
            confidence: None,
        }]);
        dateline_core::validate(&doc).unwrap();
        let html = page(&doc, false);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("<title>&lt;b&gt;id&lt;/b&gt; \u{2014} dateline</title>"));
        assert!(html.contains(
            "<article class=\"text\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark class=\"entity\" \
             data-label=\"&lt;X&gt;\" style=\"background:"
        ));
        assert!(html.contains(">Cai Qi<span class=\"label\">&lt;X&gt;</span></mark></article>"));
        assert!(!html.contains("http"), "a page fetches nothing");
    }

    #[test]
    fn sentences_wrap_their_text() {
        let mut doc = doc("A b.\n\nC d.");
        let t = doc.tokens().to_vec();
        doc.sentences = Some(vec![
            Sentence {
                span: t[0].span.cover(t[1].span),
                first_token: 0,
                end_token: 2,
            },
            Sentence {
                span: t[2].span.cover(t[3].span),
                first_token: 2,
                end_token: 4,
            },
        ]);
        doc.entities = Some(vec![Entity {
            span: t[2].span,
            first_token: 2,
            end_token: 3,
            label: Label::Per,
            source: "model",
            confidence: Some(0.9),
        }]);
        dateline_core::validate(&doc).unwrap();
        let html = page(&doc, true);
        assert!(html.contains(
            "<article class=\"text\"><span class=\"sentence\" data-n=\"1\">A b.</span>\n\n\
             <span class=\"sentence\" data-n=\"2\"><mark class=\"entity\" data-label=\"PER\" \
             style=\"background:#aa9cfc\">C<span class=\"label\">PER</span></mark> d.</span></article>"
        ), "{html}");
        assert!(html
            .contains("<li style=\"background:#aa9cfc\">PER<span class=\"count\">1</span></li>"));
        let plain = page(&doc, false);
        assert!(plain.contains("<article class=\"text\">A b.\n\n<mark"));
    }

    #[test]
    fn index_links_documents() {
        let mut ok = DocSummary::failed("a&b", 0);
        ok.error = false;
        ok.entities = 2;
        ok.labels = vec!["PER".into(), "LOC".into()];
        let html = String::from_utf8(index(&[ok, DocSummary::failed("c", 1)])).unwrap();
        assert!(html.contains(
            "<a href=\"000000-a_b.html\">a&amp;b</a></td><td class=\"n\">2</td><td>PER, LOC</td>"
        ));
        assert!(html.contains("<a href=\"000001-c.html\">c</a></td><td class=\"n\">\u{2014}</td><td class=\"error\">failed</td>"));
        assert!(html.contains("2 documents \u{b7} 2 entities \u{b7} 1 failed"));
    }

    #[test]
    fn labels_keep_their_colour() {
        assert_eq!(colour("PER"), "#aa9cfc");
        assert_eq!(colour("PRODUCT"), colour("PRODUCT"));
    }
}
