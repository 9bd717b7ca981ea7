//! User gazetteers: parsing, token-boundary matching, longest match first,
//! and precedence against the model and the rules.

use dateline_core::{validate, Doc, Label, Stage};
use dateline_segment::Segmenter;
use dateline_tag::{EntityTagger, Gazetteer, TagError};
use dateline_tokenize::Tokenizer;

fn tag(tagger: &EntityTagger, text: &str) -> Vec<String> {
    let mut doc = Doc::new("t", text).unwrap();
    Tokenizer::default().process(&mut doc).unwrap();
    Segmenter::default().process(&mut doc).unwrap();
    tagger.process(&mut doc).unwrap();
    validate(&doc).unwrap();
    doc.entities()
        .iter()
        .map(|e| format!("{} {} {}", e.label, e.source, doc.slice(e.span)))
        .collect()
}

fn with(lines: &str) -> EntityTagger {
    let g = Gazetteer::from_tsv(lines).unwrap();
    EntityTagger::builder().gazetteer(g).build().unwrap()
}

#[test]
fn parses_lines_and_reports_bad_ones() {
    let g = Gazetteer::from_tsv("# comment\n\nNew  York\tLOC\nAcme\tCOMPANY\r\n").unwrap();
    assert_eq!(g.len(), 2);
    for (text, line) in [
        ("Acme\n", 1),
        ("ok\tORG\n\tORG\n", 2),
        ("x\ttwo words\n", 1),
    ] {
        match Gazetteer::from_tsv(text) {
            Err(TagError::GazetteerLine { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn matches_on_token_boundaries_longest_first() {
    let tagger = with("blue\tCOLOUR\nblue chip\tTERM\nchip stocks\tTERM\n");
    assert_eq!(
        tag(&tagger, "They sold blue chip stocks and blues records."),
        ["TERM gazetteer blue chip"]
    );
    // Whitespace runs in the text match one space; a match never crosses
    // a sentence boundary.
    let tagger = with("blue  sky\tIDEA\nend. Then\tIDEA\n");
    assert_eq!(
        tag(
            &tagger,
            "A blue\n  sky came. Then it was the end. Then more."
        ),
        ["IDEA gazetteer blue\n  sky"]
    );
}

#[test]
fn precedence_against_model_and_rules() {
    // A longer model name keeps its span; a gazetteer phrase replaces the
    // model's or the rules' entity it covers.
    let plain = EntityTagger::new().unwrap();
    let text = "President Bill Clinton met Cai Qi in Beijing on Wednesday.";
    assert_eq!(
        tag(&plain, text),
        [
            "PER model Bill Clinton",
            "PER model Cai Qi",
            "LOC model Beijing",
            "DATE rules Wednesday"
        ]
    );
    let tagger = with("Clinton\tFAMILY\nWednesday\tHOLIDAY\nCai Qi\tOFFICIAL\nBeijing\tCITY\n");
    assert_eq!(
        tag(&tagger, text),
        [
            "PER model Bill Clinton",
            "OFFICIAL gazetteer Cai Qi",
            "CITY gazetteer Beijing",
            "HOLIDAY gazetteer Wednesday"
        ]
    );
    assert_eq!(Label::parse("CITY").as_str(), "CITY");
}
