//! The model on pre-tokenised CoNLL input: our own small, hand-annotated
//! news sample (CoNLL-2003 text itself may not be redistributed). Each
//! snapshot line is a predicted entity, marked `ok` when it matches the
//! gold span and type, and missed gold entities are listed after.

use dateline_core::validate;
use dateline_tag::{doc_from_sentences, iob2_tags, EntityTagger};

/// Splits a CoNLL file into documents of sentences of `(word, tag)`.
fn read(text: &str) -> Vec<Vec<Vec<(String, String)>>> {
    let mut docs: Vec<Vec<Vec<(String, String)>>> = Vec::new();
    let mut sentence = Vec::new();
    for line in text.lines().chain([""]) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.first() == Some(&"-DOCSTART-") {
            docs.push(Vec::new());
        } else if cols.is_empty() {
            if !sentence.is_empty() {
                docs.last_mut().unwrap().push(std::mem::take(&mut sentence));
            }
        } else {
            sentence.push((cols[0].to_string(), cols[cols.len() - 1].to_string()));
        }
    }
    docs
}

/// `(first, end, type)` of IOB2 tags.
fn spans(tags: &[String]) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        match tag.split_once('-') {
            Some(("I", ty)) if out.last().is_some_and(|s| s.1 == i && s.2 == ty) => {
                out.last_mut().unwrap().1 = i + 1;
            }
            Some((_, ty)) => out.push((i, i + 1, ty.to_string())),
            None => {}
        }
    }
    out
}

#[test]
fn conll_documents() {
    let tagger = EntityTagger::builder().rules(false).build().unwrap();
    insta::glob!("inputs/*.conll", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let mut view = String::new();
        for (d, doc) in read(&text).iter().enumerate() {
            let sentences: Vec<Vec<&str>> = doc
                .iter()
                .map(|s| s.iter().map(|(w, _)| w.as_str()).collect())
                .collect();
            let gold_tags: Vec<String> = doc.iter().flatten().map(|(_, t)| t.clone()).collect();
            let words: Vec<&str> = sentences.iter().flatten().copied().collect();
            let mut parsed = doc_from_sentences(&format!("doc{d}"), &sentences).unwrap();
            dateline_core::Stage::process(&tagger, &mut parsed).unwrap();
            validate(&parsed).unwrap();
            let predicted = spans(&iob2_tags(&parsed));
            let gold = spans(&gold_tags);
            view.push_str(&format!("document {d}\n"));
            for p in &predicted {
                let mark = if gold.contains(p) { "ok" } else { "WRONG" };
                view.push_str(&format!(
                    "  {mark:5} {} {}\n",
                    p.2,
                    words[p.0..p.1].join(" ")
                ));
            }
            for g in gold.iter().filter(|g| !predicted.contains(g)) {
                view.push_str(&format!("  MISSED {} {}\n", g.2, words[g.0..g.1].join(" ")));
            }
        }
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(view);
        });
    });
}
