//! A streaming reader of CoNLL column files (CoNLL-2003 and its kin).
//!
//! `-DOCSTART-` lines start documents, blank lines end sentences, and every
//! other line is one token: whitespace- or tab-separated columns, the token
//! first, two or more columns. A document is read and yielded as soon as
//! the next `-DOCSTART-` (or the end) is reached, so memory holds one
//! document at a time however large the file.
//!
//! The text of a document is rebuilt from its tokens: tokens joined by single
//! spaces within a sentence, sentences joined by `"\n"`. Tokens and
//! sentences are taken as given ([`Doc::tokens`], [`Doc::sentences`]), and
//! each token's input line is kept in [`Doc::token_lines`] so the CoNLL
//! renderer can write the columns back with a prediction appended. With
//! [`ConllReader::gold_entities`] the last column is read as an IOB tag
//! (IOB2, or IOB1 as `conlleval` reads it: an `I-` tag that does not
//! continue an entity of its label starts one) into [`Doc::entities`] with
//! source `"gold"`.
//!
//! A document's id is `NAME:LINE`: the source name given to the reader and
//! the line of its `-DOCSTART-` (or of its first token when the file does not
//! start with one).
//!
//! With [`ConllReader::max_doc_bytes`], a document whose lines take more
//! bytes than the limit is read past, never held whole, and yields
//! [`ReadError::TooLarge`]; so does a line longer than the limit, which is
//! never held either.

use std::io::{self, BufRead, Read};

use dateline_core::{Doc, Entity, Sentence, Span, Token};

use super::{kind_of, IobDecoder, ReadError, Tag};

/// Room for a `-DOCSTART-` line, which is read whole even when the
/// document before it has used up its bytes.
const DOCSTART_LINE: usize = 256;

/// Reads documents from CoNLL column text; an iterator of documents.
#[derive(Debug)]
pub struct ConllReader<R> {
    input: R,
    name: String,
    gold: bool,
    max_doc_bytes: usize,
    line_no: u64,
    line: String,
    /// Whether the line in `line` was longer than the limit it was read
    /// with, and only its start is there.
    cut: bool,
    /// Line of a `-DOCSTART-` already consumed: the next document's start.
    pending_start: Option<u64>,
    /// Whether `read_document` stopped before the document's end.
    in_document: bool,
    done: bool,
}

impl<R: BufRead> ConllReader<R> {
    /// A reader of `input`; `name` (usually the file name) prefixes ids and
    /// error messages.
    pub fn new(input: R, name: impl Into<String>) -> ConllReader<R> {
        ConllReader {
            input,
            name: name.into(),
            gold: false,
            max_doc_bytes: usize::MAX,
            line_no: 0,
            line: String::new(),
            cut: false,
            pending_start: None,
            in_document: false,
            done: false,
        }
    }

    /// Reads the last column as gold IOB tags into the entities layer.
    pub fn gold_entities(mut self, yes: bool) -> ConllReader<R> {
        self.gold = yes;
        self
    }

    /// Caps the input bytes a document may take (its lines, with their
    /// line ends); a longer one is read past and yields
    /// [`ReadError::TooLarge`]. No cap by default.
    pub fn max_doc_bytes(mut self, limit: usize) -> ConllReader<R> {
        self.max_doc_bytes = limit;
        self
    }

    fn syntax(&self, line: u64, message: String) -> ReadError {
        ReadError::Syntax {
            source_name: self.name.clone(),
            line,
            message,
        }
    }

    /// Reads the next line into `self.line`, holding at most `limit` bytes
    /// of it: a longer line is read past, and only its (lossily decoded)
    /// start is kept, with `self.cut` set. `false` (and done) at the end.
    fn next_line(&mut self, limit: usize) -> Result<bool, ReadError> {
        let io_error = |name: &str, source| ReadError::Io {
            source_name: name.to_owned(),
            source,
        };
        // The line's buffer is reused: its bytes move into the String and
        // back without a copy.
        let mut raw = std::mem::take(&mut self.line).into_bytes();
        raw.clear();
        let held = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        let n = (&mut self.input)
            .take(held)
            .read_until(b'\n', &mut raw)
            .map_err(|e| io_error(&self.name, e))?;
        if n == 0 {
            self.done = true;
            return Ok(false);
        }
        self.line_no += 1;
        self.cut = raw.len() > limit && !raw.ends_with(b"\n");
        if self.cut {
            self.input
                .skip_until(b'\n')
                .map_err(|e| io_error(&self.name, e))?;
            raw.truncate(limit);
            self.line = String::from_utf8_lossy(&raw).into_owned();
            return Ok(true);
        }
        match String::from_utf8(raw) {
            Ok(line) => {
                self.line = line;
                Ok(true)
            }
            Err(_) => Err(io_error(
                &self.name,
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                ),
            )),
        }
    }

    /// Skips to the next `-DOCSTART-` after an error, so the next document
    /// reads cleanly. Lines are only looked at, so none is held whole.
    fn skip_document(&mut self) -> Result<(), ReadError> {
        const LOOK: usize = 256;
        loop {
            match self.next_line(LOOK) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                // Text the document would have held, were it read.
                Err(ReadError::Io { source, .. })
                    if source.kind() == io::ErrorKind::InvalidData => {}
                Err(e) => return Err(e),
            }
            if self.line.split_whitespace().next() == Some("-DOCSTART-") {
                self.pending_start = Some(self.line_no);
                return Ok(());
            }
        }
    }

    fn read_document(&mut self) -> Result<Option<Doc>, ReadError> {
        let mut builder = Builder::new(self.gold);
        let mut start = self.pending_start.take();
        let mut taken = 0usize;
        loop {
            // A line may take what the document has left, and a line that
            // starts the next document may always be read whole.
            let left = self.max_doc_bytes.saturating_sub(taken);
            if !self.next_line(left.max(DOCSTART_LINE))? {
                break;
            }
            let starts_next =
                start.is_some() && self.line.split_whitespace().next() == Some("-DOCSTART-");
            taken = taken.saturating_add(self.line.len());
            if (self.cut || taken > self.max_doc_bytes) && !starts_next {
                let line = start.unwrap_or(self.line_no);
                // The rest of this line was read past; skip the rest of
                // the document from the next one.
                return Err(ReadError::TooLarge {
                    source_name: self.name.clone(),
                    line,
                    limit: self.max_doc_bytes,
                });
            }
            let line = self.line.trim();
            if line.is_empty() {
                builder.end_sentence();
                continue;
            }
            let mut columns = line.split_whitespace();
            let token = columns.next().expect("a non-blank line has a column");
            if token == "-DOCSTART-" {
                if start.is_some() {
                    self.pending_start = Some(self.line_no);
                    break;
                }
                start = Some(self.line_no);
                continue;
            }
            start.get_or_insert(self.line_no);
            let last = columns.next_back();
            let Some(last) = last else {
                return Err(self.syntax(
                    self.line_no,
                    format!("expected two or more columns, found only {token:?}"),
                ));
            };
            let tag = if self.gold {
                match Tag::parse(last) {
                    Some(tag) => Some(tag),
                    None => {
                        return Err(self.syntax(
                            self.line_no,
                            format!("last column {last:?} is not an IOB tag"),
                        ))
                    }
                }
            } else {
                None
            };
            let line: Box<str> = line.into();
            builder.push(token, line, tag);
        }
        self.in_document = false;
        let Some(start) = start else {
            return Ok(None);
        };
        let id = format!("{}:{start}", self.name);
        let doc = builder
            .finish(id)
            .map_err(|message| self.syntax(start, message))?;
        dateline_core::validate(&doc).map_err(|source| ReadError::Invalid {
            source_name: self.name.clone(),
            line: start,
            id: doc.id().to_owned(),
            source,
        })?;
        Ok(Some(doc))
    }
}

impl<R: BufRead> Iterator for ConllReader<R> {
    type Item = Result<Doc, ReadError>;

    fn next(&mut self) -> Option<Result<Doc, ReadError>> {
        if self.done {
            return None;
        }
        self.in_document = true;
        let result = self.read_document();
        let in_document = std::mem::replace(&mut self.in_document, false);
        match result {
            Ok(doc) => doc.map(Ok),
            Err(err @ ReadError::Io { .. }) => {
                self.done = true;
                Some(Err(err))
            }
            Err(err) => {
                // A bad line stopped reading mid-document: go on at the next.
                if in_document {
                    if let Err(io) = self.skip_document() {
                        self.done = true;
                        return Some(Err(io));
                    }
                }
                Some(Err(err))
            }
        }
    }
}

/// Builds a document from tokens, sentence breaks and tags as they come.
#[derive(Debug)]
pub(crate) struct Builder {
    text: String,
    tokens: Vec<Token>,
    sentences: Vec<Sentence>,
    lines: Vec<Box<str>>,
    entities: Option<Vec<Entity>>,
    iob: IobDecoder,
    sentence_start: usize,
}

impl Builder {
    pub(crate) fn new(gold: bool) -> Builder {
        Builder {
            text: String::new(),
            tokens: Vec::new(),
            sentences: Vec::new(),
            lines: Vec::new(),
            entities: gold.then(Vec::new),
            iob: IobDecoder::default(),
            sentence_start: 0,
        }
    }

    pub(crate) fn push(&mut self, token: &str, line: Box<str>, tag: Option<Tag<'_>>) {
        if self.tokens.len() > self.sentence_start {
            self.text.push(' ');
        } else if !self.tokens.is_empty() {
            self.text.push('\n');
        }
        let start = self.text.len();
        self.text.push_str(token);
        let span = Span::from_usize(start, self.text.len());
        self.tokens.push(Token::new(span, kind_of(token)));
        self.lines.push(line);
        let index = self.tokens.len() as u32 - 1;
        if let (Some(entities), Some(tag)) = (&mut self.entities, tag) {
            self.iob.push(entities, tag, index, span);
        }
    }

    pub(crate) fn end_sentence(&mut self) {
        self.iob.end_sentence();
        if self.tokens.len() > self.sentence_start {
            let first = &self.tokens[self.sentence_start];
            let last = self.tokens.last().expect("the sentence has tokens");
            self.sentences.push(Sentence {
                span: first.span.cover(last.span),
                first_token: self.sentence_start as u32,
                end_token: self.tokens.len() as u32,
            });
            self.sentence_start = self.tokens.len();
        }
    }

    pub(crate) fn finish(mut self, id: String) -> Result<Doc, String> {
        self.end_sentence();
        let mut doc = Doc::new(id, self.text).map_err(|e| e.to_string())?;
        doc.tokens = Some(self.tokens);
        doc.sentences = Some(self.sentences);
        doc.entities = self.entities;
        doc.token_lines = Some(self.lines);
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str, gold: bool) -> Vec<Result<Doc, ReadError>> {
        ConllReader::new(input.as_bytes(), "in.conll")
            .gold_entities(gold)
            .collect()
    }

    /// A readable view: id, text, sentences and entities with their text.
    fn view(doc: &Doc) -> String {
        let mut s = format!("{} {:?}\n", doc.id(), doc.text());
        for sentence in doc.sentences() {
            s += &format!("  sentence {:?}\n", doc.slice(sentence.span));
        }
        for e in doc.entities() {
            s += &format!("  {:?} {}\n", doc.slice(e.span), e.label);
        }
        s
    }

    const CONLL: &str = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\
        German JJ B-NP B-MISC\ncall NN I-NP O\n. . O O\n\nPeter NNP B-NP B-PER\n\
        Blackburn NNP I-NP I-PER\n\n-DOCSTART- -X- -X- O\n\nS1\tx\tI-LOC\nS2\tx\tI-LOC\nS3\tx\tI-ORG\r\n\n";

    #[test]
    fn reads_documents_sentences_and_gold() {
        let docs: Vec<Doc> = read(CONLL, true).into_iter().map(Result::unwrap).collect();
        assert_eq!(docs.len(), 2);
        for doc in &docs {
            dateline_core::validate(doc).unwrap();
        }
        let views: Vec<String> = docs.iter().map(view).collect();
        assert_eq!(
            views.concat(),
            "in.conll:1 \"EU rejects German call .\\nPeter Blackburn\"\n\
             \x20 sentence \"EU rejects German call .\"\n  sentence \"Peter Blackburn\"\n\
             \x20 \"EU\" ORG\n  \"German\" MISC\n  \"Peter Blackburn\" PER\n\
             in.conll:12 \"S1 S2 S3\"\n  sentence \"S1 S2 S3\"\n  \"S1 S2\" LOC\n  \"S3\" ORG\n"
        );
        let lines = docs[1].token_lines.as_deref().unwrap();
        assert_eq!(&*lines[2], "S3\tx\tI-ORG");
        assert_eq!(docs[0].tokens()[4].kind, dateline_core::TokenKind::Punct);
    }

    #[test]
    fn without_gold_there_is_no_entity_layer() {
        let docs: Vec<Doc> = read(CONLL, false).into_iter().map(Result::unwrap).collect();
        assert!(docs.iter().all(|d| d.entities.is_none()));
    }

    #[test]
    fn file_without_docstart_and_empty_documents() {
        let docs = read("a O\nb O\n", false);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].as_ref().unwrap().id(), "in.conll:1");
        let docs = read("-DOCSTART- O\n\n-DOCSTART- O\nx O\n", false);
        let texts: Vec<&str> = docs.iter().map(|d| d.as_ref().unwrap().text()).collect();
        assert_eq!(texts, ["", "x"]);
        assert!(read("\n\n", false).is_empty());
    }

    #[test]
    fn a_bad_document_is_an_error_and_reading_goes_on() {
        let docs = read(
            "-DOCSTART- O\nlonely\n-DOCSTART- O\nx B-PER\n-DOCSTART- O\ny Q-PER\n",
            true,
        );
        assert_eq!(docs.len(), 3);
        assert_eq!(
            docs[0].as_ref().unwrap_err().to_string(),
            "in.conll:2: expected two or more columns, found only \"lonely\""
        );
        assert_eq!(docs[1].as_ref().unwrap().entities().len(), 1);
        assert_eq!(
            docs[2].as_ref().unwrap_err().to_string(),
            "in.conll:6: last column \"Q-PER\" is not an IOB tag"
        );
    }

    #[test]
    fn reads_the_conll2003_dev_file_when_present() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/conll2003/dev.txt");
        let Ok(file) = std::fs::File::open(&path) else {
            return;
        };
        let mut docs = 0;
        let mut tokens = 0;
        for doc in ConllReader::new(std::io::BufReader::new(file), "dev.txt").gold_entities(true) {
            let doc = doc.unwrap();
            dateline_core::validate(&doc).unwrap();
            docs += 1;
            tokens += doc.tokens().len();
        }
        assert!(
            docs > 200 && tokens > 50_000,
            "{docs} documents, {tokens} tokens"
        );
    }

    /// Ids of the documents read, or the error kind and line.
    fn outcomes(input: &[u8], limit: usize) -> Vec<String> {
        ConllReader::new(input, "in.conll")
            .max_doc_bytes(limit)
            .map(|item| match item {
                Ok(doc) => doc.id().to_owned(),
                Err(ReadError::TooLarge { line, limit, .. }) => {
                    format!("too large at {line} ({limit})")
                }
                Err(e) => format!("error: {e}"),
            })
            .collect()
    }

    #[test]
    fn a_document_over_the_limit_is_read_past_and_the_next_one_read() {
        let big = format!("-DOCSTART- O\n\n{}\n", "w x O\n".repeat(100));
        let input = format!("-DOCSTART- O\n\nA x O\n\n{big}-DOCSTART- O\n\nB x O\n");
        assert_eq!(
            outcomes(input.as_bytes(), 300),
            ["in.conll:1", "too large at 5 (300)", "in.conll:108"]
        );
        // Without a cap, or with room for it, the big one is a document.
        assert_eq!(outcomes(input.as_bytes(), usize::MAX).len(), 3);
        assert_eq!(outcomes(input.as_bytes(), 700)[1], "in.conll:5");
    }

    #[test]
    fn a_document_exactly_at_the_limit_is_read() {
        // 13 + 1 + 6 bytes of lines, then the next document's start.
        let input = b"-DOCSTART- O\n\nA x O\n-DOCSTART- O\nB x O\n";
        assert_eq!(outcomes(input, 20), ["in.conll:1", "in.conll:4"]);
        assert_eq!(outcomes(input, 19)[0], "too large at 1 (19)");
    }

    #[test]
    fn a_line_over_the_limit_is_never_held() {
        let mut input = b"-DOCSTART- O\n\n".to_vec();
        input.extend(std::iter::repeat_n(b'a', 1 << 20));
        input.extend(b" O\n\n-DOCSTART- O\n\nB x O\n");
        let mut reader = ConllReader::new(&input[..], "in.conll").max_doc_bytes(1000);
        assert!(matches!(
            reader.next(),
            Some(Err(ReadError::TooLarge { line: 1, .. }))
        ));
        assert!(
            reader.line.capacity() < 10_000,
            "{}",
            reader.line.capacity()
        );
        assert_eq!(reader.next().unwrap().unwrap().id(), "in.conll:5");
        assert!(reader.next().is_none());
        // Invalid UTF-8 inside a skipped document does not stop the input.
        let mut input = b"-DOCSTART- O\n\n".to_vec();
        input.extend(std::iter::repeat_n(b'a', 2000));
        input.extend(b"\n\xff\xfe x O\n-DOCSTART- O\nB x O\n");
        assert_eq!(
            outcomes(&input, 1000),
            ["too large at 1 (1000)", "in.conll:5"]
        );
    }
}
