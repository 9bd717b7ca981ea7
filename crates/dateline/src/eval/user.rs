//! Scoring against a gold file a user brings, behind `dateline eval`, and
//! the per-format scorers `cargo xtask eval` calls for its standard suites,
//! so both report the same figures for the same data.
//!
//! Three gold formats, chosen by extension or by name ([`GoldFormat`]):
//!
//! - **CoNLL** columns (CoNLL-2003 and its kin): tokens and sentences are
//!   taken as given, the pipeline's later stages (normally `tag`) run on
//!   them, and entities are scored as `conlleval` scores IOB2 tags
//!   ([`score_conll`]). Predictions are restricted to the gold file's label
//!   scheme ([`conll_scheme`]): a CoNLL-2003 file annotates only `PER`,
//!   `ORG`, `LOC` and `MISC`, so a `DATE` from the rule layer is neither
//!   right nor wrong there.
//! - **CoNLL-U**: the raw text is rebuilt from the treebank (see
//!   [`ud`](super::ud)), the pipeline runs on it, and tokens and sentences
//!   are scored by exact character span ([`score_conllu`]).
//! - **JSONL**: one `{"id", "text", ...}` record a line with any of
//!   `tokens`, `sentences`, `entities` as gold, each a list of
//!   `{"start","end"}` objects (entities with `"label"`) or
//!   `[start, end]` / `[start, end, label]` arrays, in a chosen offset unit.
//!   The pipeline runs on `text` and each layer is scored by exact span,
//!   entities also per label ([`score_jsonl`]).

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::str::FromStr;

use dateline_core::{Doc, Label, OffsetIndex, OffsetUnit, StageError};
use dateline_render::read::{ConllReader, ReadError};
use serde::Serialize;
use serde_json::Value;

use super::conlleval::EntityScores;
use super::{entities, match_sorted, ud, Counts};
use crate::Pipeline;

/// The labels CoNLL-2003 annotates.
pub const CONLL_2003: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

/// Scoring a gold file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    #[error("{name}: {source}")]
    Io {
        name: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Conllu(#[from] ud::ParseError),
    #[error("{name} line {line}: {message}")]
    Gold {
        name: String,
        line: u64,
        message: String,
    },
    #[error("document {id}: {source}")]
    Stage { id: String, source: StageError },
}

/// The format of a gold file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GoldFormat {
    /// CoNLL columns, IOB tags in the last column.
    Conll,
    /// CoNLL-U (Universal Dependencies).
    Conllu,
    /// JSONL records with gold layers.
    Jsonl,
}

impl GoldFormat {
    /// The format a file's extension names: `.conllu`; `.jsonl` or
    /// `.ndjson`; `.conll`, `.iob`, `.bio` or `.txt` (CoNLL-2003 ships as
    /// `.txt`).
    pub fn from_path(path: &Path) -> Option<GoldFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "conllu" => Some(GoldFormat::Conllu),
            "jsonl" | "ndjson" => Some(GoldFormat::Jsonl),
            "conll" | "iob" | "bio" | "txt" => Some(GoldFormat::Conll),
            _ => None,
        }
    }

    /// The stages run when the user names none: what the format's gold
    /// layers need. CoNLL input carries tokens and sentences, so of these
    /// only `tag` runs.
    pub fn default_stages(self) -> &'static [&'static str] {
        match self {
            GoldFormat::Conllu => &["tokenize", "segment"],
            GoldFormat::Conll | GoldFormat::Jsonl => &["tokenize", "segment", "tag"],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GoldFormat::Conll => "conll",
            GoldFormat::Conllu => "conllu",
            GoldFormat::Jsonl => "jsonl",
        }
    }
}

impl fmt::Display for GoldFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GoldFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<GoldFormat, String> {
        match s {
            "conll" => Ok(GoldFormat::Conll),
            "conllu" => Ok(GoldFormat::Conllu),
            "jsonl" => Ok(GoldFormat::Jsonl),
            other => Err(format!(
                "unknown gold format {other:?} (expected conll, conllu or jsonl)"
            )),
        }
    }
}

/// The figures for one gold file; a layer the gold file does not annotate
/// is `None`.
#[derive(Clone, Debug, Serialize)]
pub struct GoldReport {
    pub format: GoldFormat,
    pub documents: u64,
    pub tokens: Option<Counts>,
    pub sentences: Option<Counts>,
    /// Entity scores, overall and per label; for CoNLL, also token-level
    /// tag accuracy (`tokens_correct` of `tokens`), which span scoring of
    /// JSONL has no use for and leaves at 0.
    pub entities: Option<EntityScores>,
    /// The labels predictions were restricted to.
    pub scheme: Vec<String>,
}

impl GoldReport {
    fn new(format: GoldFormat) -> GoldReport {
        GoldReport {
            format,
            documents: 0,
            tokens: None,
            sentences: None,
            entities: None,
            scheme: Vec::new(),
        }
    }
}

impl fmt::Display for GoldReport {
    /// A table: one line per layer, one indented line per entity label.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(tokens) = &self.tokens {
            writeln!(f, "tokens       {tokens}")?;
        }
        if let Some(sentences) = &self.sentences {
            writeln!(f, "sentences    {sentences}")?;
        }
        if let Some(entities) = &self.entities {
            writeln!(f, "entities     {}", entities.overall)?;
            for (label, counts) in &entities.by_label {
                writeln!(f, "  {label:<10} {counts}")?;
            }
        }
        Ok(())
    }
}

/// The label scheme of a CoNLL gold file: CoNLL-2003's four labels when
/// every label the file uses is one of them (a type that happens not to
/// occur is still part of the scheme), else the labels the file uses.
pub fn conll_scheme<R: BufRead>(mut input: R, name: &str) -> Result<Vec<String>, EvalError> {
    let mut labels: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        let read = input.read_line(&mut line).map_err(|source| EvalError::Io {
            name: name.to_owned(),
            source,
        })?;
        if read == 0 {
            break;
        }
        let Some(tag) = line.split_whitespace().last() else {
            continue;
        };
        if line.starts_with("-DOCSTART-") {
            continue;
        }
        if let Some((_, label)) = tag.split_once('-') {
            if !labels.iter().any(|l| l == label) {
                labels.push(label.to_owned());
            }
        }
    }
    if labels.iter().all(|l| CONLL_2003.contains(&l.as_str())) {
        return Ok(CONLL_2003.iter().map(|l| l.to_string()).collect());
    }
    labels.sort();
    Ok(labels)
}

/// Scores entities on CoNLL documents read with gold entities: `pipeline`
/// runs on each document's given tokens and sentences, and its entities
/// whose label is in `scheme` are scored against the gold ones, sentence by
/// sentence. Returns the scores and the number of documents.
pub fn score_conll<R: BufRead, S: AsRef<str>>(
    reader: ConllReader<R>,
    pipeline: &Pipeline,
    scheme: &[S],
) -> Result<(EntityScores, u64), EvalError> {
    let mut scores = EntityScores::default();
    let mut documents = 0;
    for doc in reader.gold_entities(true) {
        let mut doc = doc?;
        let gold = doc.entities.take().unwrap_or_default();
        pipeline
            .process(&mut doc)
            .map_err(|source| EvalError::Stage {
                id: doc.id().to_owned(),
                source,
            })?;
        let predicted: Vec<_> = doc
            .entities()
            .iter()
            .filter(|e| in_scheme(&e.label, scheme))
            .cloned()
            .collect();
        entities::score_doc(&mut scores, &doc, &gold, &predicted);
        documents += 1;
    }
    Ok((scores, documents))
}

fn in_scheme<S: AsRef<str>>(label: &Label, scheme: &[S]) -> bool {
    scheme.iter().any(|s| s.as_ref() == label.as_str())
}

/// Scores tokens and sentences on the raw text of a CoNLL-U treebank.
pub fn score_conllu(input: &str, pipeline: &Pipeline) -> Result<ud::UdScores, EvalError> {
    let docs = ud::parse_conllu(input)?;
    let mut failure = None;
    let scores = ud::score(&docs, |gold| {
        let doc = Doc::new(gold.id.as_str(), gold.text.as_str())
            .map_err(|e| StageError::Failed {
                stage: "eval",
                message: e.to_string(),
            })
            .and_then(|mut doc| pipeline.process(&mut doc).map(|()| doc));
        match doc {
            Ok(doc) => prediction(&doc),
            Err(source) => {
                failure.get_or_insert(EvalError::Stage {
                    id: gold.id.clone(),
                    source,
                });
                ud::Prediction::default()
            }
        }
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(scores),
    }
}

/// A document's token and sentence spans, as [`ud::score`] takes them.
pub fn prediction(doc: &Doc) -> ud::Prediction {
    ud::Prediction {
        tokens: doc
            .tokens()
            .iter()
            .map(|t| (t.span.start, t.span.end))
            .collect(),
        sentences: doc
            .sentences()
            .iter()
            .map(|s| (s.span.start, s.span.end))
            .collect(),
    }
}

/// Gold spans of one JSONL record, in bytes, sorted.
#[derive(Default)]
struct GoldRecord {
    tokens: Option<Vec<(u32, u32)>>,
    sentences: Option<Vec<(u32, u32)>>,
    entities: Option<Vec<(u32, u32, String)>>,
}

/// Scores the layers a JSONL gold file annotates; offsets are read in
/// `unit`. Entity predictions are restricted to the gold file's scheme, as
/// for CoNLL: CoNLL-2003's four labels when the gold uses no others, else
/// the labels the gold uses.
pub fn score_jsonl<R: BufRead>(
    input: R,
    name: &str,
    unit: OffsetUnit,
    pipeline: &Pipeline,
) -> Result<GoldReport, EvalError> {
    let mut report = GoldReport::new(GoldFormat::Jsonl);
    let mut tokens: Option<Counts> = None;
    let mut sentences: Option<Counts> = None;
    // Every predicted label is counted; the scheme is known at the end,
    // and since span matches of one label do not depend on another's,
    // dropping the labels outside it then is the same as never predicting
    // them.
    let mut by_label: BTreeMap<String, Counts> = BTreeMap::new();
    let mut gold_labels: Vec<String> = Vec::new();
    let mut any_entities = false;
    for (i, line) in input.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|source| EvalError::Io {
            name: name.to_owned(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let gold_error = |message: String| EvalError::Gold {
            name: name.to_owned(),
            line: line_no,
            message,
        };
        let record: serde_json::Map<String, Value> = serde_json::from_str(&line)
            .map_err(|e| gold_error(format!("not a JSON object: {e}")))?;
        let id = match record.get("id") {
            Some(Value::String(id)) => id.clone(),
            Some(other) => other.to_string(),
            None => format!("{name}:{line_no}"),
        };
        let Some(Value::String(text)) = record.get("text") else {
            return Err(gold_error(format!(
                "document {id}: no string field \"text\""
            )));
        };
        let mut doc =
            Doc::new(id.as_str(), text.as_str()).map_err(|e| gold_error(e.to_string()))?;
        let gold = read_gold(&record, &doc, unit)
            .map_err(|m| gold_error(format!("document {id}: {m}")))?;
        pipeline
            .process(&mut doc)
            .map_err(|source| EvalError::Stage { id, source })?;
        report.documents += 1;

        if let Some(gold) = &gold.tokens {
            let predicted = prediction(&doc).tokens;
            tokens
                .get_or_insert_with(Counts::default)
                .add(match_sorted(gold, &sorted(predicted)));
        }
        if let Some(gold) = &gold.sentences {
            let predicted = prediction(&doc).sentences;
            sentences
                .get_or_insert_with(Counts::default)
                .add(match_sorted(gold, &sorted(predicted)));
        }
        if let Some(gold) = &gold.entities {
            any_entities = true;
            let predicted = sorted(
                doc.entities()
                    .iter()
                    .map(|e| (e.span.start, e.span.end, e.label.to_string()))
                    .collect(),
            );
            for (_, _, label) in gold {
                if !gold_labels.contains(label) {
                    gold_labels.push(label.clone());
                }
                by_label.entry(label.clone()).or_default().gold += 1;
            }
            for (_, _, label) in &predicted {
                by_label.entry(label.clone()).or_default().predicted += 1;
            }
            for entity in predicted.iter().filter(|e| gold.binary_search(e).is_ok()) {
                by_label.entry(entity.2.clone()).or_default().correct += 1;
            }
        }
    }
    report.tokens = tokens;
    report.sentences = sentences;
    if any_entities {
        report.scheme = if gold_labels.iter().all(|l| CONLL_2003.contains(&l.as_str())) {
            CONLL_2003.iter().map(|l| l.to_string()).collect()
        } else {
            gold_labels.sort();
            gold_labels
        };
        let mut scores = EntityScores::default();
        for (label, counts) in by_label {
            if report.scheme.contains(&label) {
                scores.overall.add(counts);
                scores.by_label.insert(label, counts);
            }
        }
        report.entities = Some(scores);
    }
    Ok(report)
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items.dedup();
    items
}

/// The gold layers of a record, converted to sorted byte spans.
fn read_gold(
    record: &serde_json::Map<String, Value>,
    doc: &Doc,
    unit: OffsetUnit,
) -> Result<GoldRecord, String> {
    let index = OffsetIndex::new(doc.text(), unit);
    let mut gold = GoldRecord::default();
    for key in ["tokens", "sentences", "entities"] {
        let Some(value) = record.get(key) else {
            continue;
        };
        let Value::Array(items) = value else {
            return Err(format!("\"{key}\" is not an array"));
        };
        let mut spans = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let (start, end, label) = match item {
                Value::Object(o) => (o.get("start"), o.get("end"), o.get("label")),
                Value::Array(a) => (a.first(), a.get(1), a.get(2)),
                _ => (None, None, None),
            };
            let offset = |v: Option<&Value>| {
                v.and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .and_then(|n| index.to_byte(doc.text(), n))
            };
            let (Some(start), Some(end)) = (offset(start), offset(end)) else {
                return Err(format!(
                    "{key}[{i}] is not {{\"start\",\"end\"}} or [start, end] with {unit} offsets inside the text"
                ));
            };
            if start > end {
                return Err(format!("{key}[{i}] ends before it starts"));
            }
            let label = label.and_then(Value::as_str);
            spans.push((start, end, label.map(str::to_owned)));
            if key == "entities" && label.is_none() {
                return Err(format!("{key}[{i}] has no label"));
            }
        }
        match key {
            "tokens" => {
                gold.tokens = Some(sorted(spans.into_iter().map(|(s, e, _)| (s, e)).collect()))
            }
            "sentences" => {
                gold.sentences = Some(sorted(spans.into_iter().map(|(s, e, _)| (s, e)).collect()))
            }
            _ => {
                gold.entities = Some(sorted(
                    spans
                        .into_iter()
                        .map(|(s, e, l)| (s, e, l.unwrap_or_default()))
                        .collect(),
                ))
            }
        }
    }
    Ok(gold)
}

/// Scores a gold file in `format`, running `pipeline` as each format needs
/// (for CoNLL, the pipeline is given the file's tokens and sentences).
pub fn score_file(
    path: &Path,
    format: GoldFormat,
    unit: OffsetUnit,
    pipeline: &Pipeline,
) -> Result<GoldReport, EvalError> {
    let name = path.display().to_string();
    let open = || {
        std::fs::File::open(path)
            .map(std::io::BufReader::new)
            .map_err(|source| EvalError::Io {
                name: name.clone(),
                source,
            })
    };
    let mut report = GoldReport::new(format);
    match format {
        GoldFormat::Conll => {
            report.scheme = conll_scheme(open()?, &name)?;
            let reader = ConllReader::new(open()?, file_name(path));
            let (scores, documents) = score_conll(reader, pipeline, &report.scheme)?;
            report.documents = documents;
            report.entities = Some(scores);
        }
        GoldFormat::Conllu => {
            let input = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
                name: name.clone(),
                source,
            })?;
            let scores = score_conllu(&input, pipeline)?;
            report.documents = scores.documents;
            report.tokens = Some(scores.tokens);
            report.sentences = Some(scores.sentences);
        }
        GoldFormat::Jsonl => report = score_jsonl(open()?, &name, unit, pipeline)?,
    }
    Ok(report)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use dateline_core::{Entity, Layer, Stage, Token, TokenKind};

    use super::*;

    /// Tokens at spaces, one sentence per line, and `PER` for every word
    /// that starts with an upper-case letter: predictions a test can reason
    /// about without a model.
    struct Toy;

    impl Stage for Toy {
        fn name(&self) -> &'static str {
            "toy"
        }
        fn provides(&self) -> &[Layer] {
            &[Layer::Tokens, Layer::Sentences, Layer::Entities]
        }
        fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
            let text = doc.text().to_owned();
            let mut tokens = Vec::new();
            let mut sentences = Vec::new();
            let mut entities = Vec::new();
            let mut offset = 0;
            for line in text.split('\n') {
                let first = tokens.len() as u32;
                let mut start = offset;
                for word in line.split(' ') {
                    if !word.is_empty() {
                        let span = dateline_core::Span::from_usize(start, start + word.len());
                        if word.starts_with(|c: char| c.is_uppercase()) {
                            entities.push(Entity {
                                span,
                                first_token: tokens.len() as u32,
                                end_token: tokens.len() as u32 + 1,
                                label: Label::Per,
                                source: "toy",
                                confidence: None,
                            });
                        }
                        tokens.push(Token::new(span, TokenKind::Word));
                    }
                    start += word.len() + 1;
                }
                if tokens.len() as u32 > first {
                    let (s, e) = (tokens[first as usize].span, tokens[tokens.len() - 1].span);
                    sentences.push(dateline_core::Sentence {
                        span: s.cover(e),
                        first_token: first,
                        end_token: tokens.len() as u32,
                    });
                }
                offset += line.len() + 1;
            }
            doc.tokens = Some(tokens);
            doc.sentences = Some(sentences);
            doc.entities = Some(entities);
            Ok(())
        }
    }

    #[test]
    fn formats_by_extension_and_name() {
        assert_eq!(
            GoldFormat::from_path(Path::new("test.txt")),
            Some(GoldFormat::Conll)
        );
        assert_eq!(
            GoldFormat::from_path(Path::new("a.conllu")),
            Some(GoldFormat::Conllu)
        );
        assert_eq!(
            GoldFormat::from_path(Path::new("a.JSONL")),
            Some(GoldFormat::Jsonl)
        );
        assert_eq!(GoldFormat::from_path(Path::new("a.csv")), None);
        assert_eq!("conll".parse::<GoldFormat>(), Ok(GoldFormat::Conll));
        assert!("brat".parse::<GoldFormat>().is_err());
    }

    #[test]
    fn conll_scheme_is_conll_2003_or_the_labels_used() {
        let scheme = |text: &str| conll_scheme(text.as_bytes(), "t").unwrap();
        let conll = "-DOCSTART- -X- -X- O\n\nCai NNP B-NP B-PER\nQi NNP I-NP I-PER\n";
        assert_eq!(scheme(conll), CONLL_2003);
        let own = "May B-DATE\n14 I-DATE\nin O\nBeijing B-LOC\n";
        assert_eq!(scheme(own), ["DATE", "LOC"]);
    }

    #[test]
    fn jsonl_layers_are_scored_by_exact_span_and_label() {
        let pipeline = Pipeline::new().with_stage(Toy);
        // Gold: "Mr." is no entity, "Cai Qi" is one; the toy tagger tags
        // "Mr.", "Cai" and "Qi" separately. Offsets in characters: "é" is
        // one character, two bytes.
        let input = concat!(
            r#"{"id":"a","text":"Mr. Cai Qi\nmet José","#,
            r#""tokens":[[0,3],[4,7],[8,10],[11,14],[15,19]],"#,
            r#""sentences":[{"start":0,"end":10},{"start":11,"end":19}],"#,
            r#""entities":[{"start":4,"end":10,"label":"PER"},[15,19,"PER"]]}"#,
            "\n\n"
        );
        let report =
            score_jsonl(input.as_bytes(), "gold.jsonl", OffsetUnit::Char, &pipeline).unwrap();
        assert_eq!(report.documents, 1);
        let all = |n| Counts {
            correct: n,
            gold: n,
            predicted: n,
        };
        assert_eq!(report.tokens, Some(all(5)));
        assert_eq!(report.sentences, Some(all(2)));
        let entities = report.entities.unwrap();
        assert_eq!(
            entities.overall,
            Counts {
                correct: 1,
                gold: 2,
                predicted: 4
            }
        );
        assert_eq!(report.scheme, CONLL_2003);
    }

    #[test]
    fn jsonl_predictions_outside_the_scheme_are_dropped() {
        let pipeline = Pipeline::new().with_stage(Toy);
        let input = r#"{"text":"Cai met Rao","entities":[[0,3,"NAME"]]}"#;
        let report = score_jsonl(input.as_bytes(), "g", OffsetUnit::Byte, &pipeline).unwrap();
        // The toy tagger's PER is not in the scheme {NAME}.
        assert_eq!(report.scheme, ["NAME"]);
        let entities = report.entities.unwrap();
        assert_eq!(
            entities.overall,
            Counts {
                correct: 0,
                gold: 1,
                predicted: 0
            }
        );
        assert!(report.tokens.is_none() && report.sentences.is_none());
    }

    #[test]
    fn jsonl_errors_name_the_file_and_line() {
        let pipeline = Pipeline::new().with_stage(Toy);
        let check = |input: &str, expected: &str| {
            let error = score_jsonl(input.as_bytes(), "g.jsonl", OffsetUnit::Char, &pipeline)
                .unwrap_err()
                .to_string();
            assert_eq!(error, expected);
        };
        check("\n[1]", "g.jsonl line 2: not a JSON object: invalid type: sequence, expected a map at line 1 column 0");
        check(
            r#"{"id":"x"}"#,
            "g.jsonl line 1: document x: no string field \"text\"",
        );
        check(
            r#"{"id":"x","text":"ab","tokens":[[0,3]]}"#,
            "g.jsonl line 1: document x: tokens[0] is not {\"start\",\"end\"} or [start, end] with char offsets inside the text",
        );
        check(
            r#"{"id":"x","text":"ab","entities":[[0,2]]}"#,
            "g.jsonl line 1: document x: entities[0] has no label",
        );
    }

    #[test]
    fn conll_entities_are_scored_in_the_scheme() {
        let gold =
            "-DOCSTART- O\n\nCai B-PER\nQi I-PER\nmet O\nRao B-PER\n\nXinhua B-ORG\nsaid O\n";
        let pipeline = Pipeline::new();
        let reader = ConllReader::new(gold.as_bytes(), "g");
        let (scores, documents) = score_conll(reader, &pipeline, &CONLL_2003).unwrap();
        assert_eq!(documents, 1);
        // No stage predicts anything: recall 0, nothing predicted.
        assert_eq!(
            scores.overall,
            Counts {
                correct: 0,
                gold: 3,
                predicted: 0
            }
        );
        assert_eq!(scores.by_label["PER"].gold, 2);
        assert_eq!(scores.tokens, 6);
    }
}
