//! Any text can be tagged: no panic, and the entities keep every invariant
//! of the document model, whatever the gazetteer.

use dateline_core::{validate, Doc, Stage};
use dateline_segment::Segmenter;
use dateline_tag::{EntityTagger, Gazetteer};
use dateline_tokenize::Tokenizer;
use proptest::prelude::*;

fn tag(tagger: &EntityTagger, text: &str) {
    let mut doc = Doc::new("p", text).unwrap();
    Tokenizer::default().process(&mut doc).unwrap();
    Segmenter::default().process(&mut doc).unwrap();
    tagger.process(&mut doc).unwrap();
    validate(&doc).unwrap();
}

fn tagger() -> EntityTagger {
    let gazetteer =
        Gazetteer::from_tsv("May\tMONTH\nthe\tWORD\n$ 5\tCASH\nCai Qi\tPERSON\n").unwrap();
    EntityTagger::builder()
        .gazetteer(gazetteer)
        .build()
        .unwrap()
}

#[test]
fn edge_cases() {
    let tagger = tagger();
    for text in [
        "",
        " \n\t ",
        "$",
        "the",
        "May",
        "May 14 ,",
        "$ 5 billion . 5 % 09:07 p.m. the 1990s the",
        "Standing Committee of the",
        "of the Bank of",
        "Ünïcödé Çàï Qì 北京 🙂 — « Zürich » 3:4:5 12/13/14/15",
    ] {
        tag(&tagger, text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_text(text in "\\PC{0,200}") {
        tag(&tagger(), &text);
    }

    #[test]
    fn news_like_text(words in prop::collection::vec(
        prop::sample::select(vec![
            "Cai", "Qi", "May", "14", ",", "2025", "$", "4.5", "billion", "the", "of",
            "Committee", "Bank", "China", "percent", "%", "09:07", "p.m.", ".", "(", ")",
            "Wednesday", "last", "year", "1990s", "said", "Secretariat", "CPC", "\n\n",
        ]),
        0..60,
    )) {
        tag(&tagger(), &words.join(" "));
    }
}
