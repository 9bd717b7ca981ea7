//! A streaming reader of CoNLL-U: `# newdoc` starts a document, blank lines
//! end sentences, and the text is rebuilt from the tokens and their
//! spacing in MISC (`SpaceAfter=No`, UDPipe's `SpacesAfter=` and
//! `SpacesBefore=`, unescaped as the renderer escapes them), so a document
//! the CoNLL-U renderer wrote comes back with its exact text.
//!
//! A multiword token (`3-4 don't`) is one token, its surface form; its
//! words and empty nodes (`3.1`) are skipped. `NER=B-X`/`NER=I-X` in MISC
//! become entities with source `"gold"` (the layer is always present, empty
//! when no token has one). A document's id is its `newdoc id`, or
//! `NAME:LINE` where it has none. A document written for a failure (an
//! `# error = ` comment) is read as an error.

use std::io::BufRead;

use dateline_core::{Doc, Entity, Sentence, Span, Token};

use super::{kind_of, IobDecoder, ReadError, Tag};

/// Reads documents from CoNLL-U; an iterator of documents.
#[derive(Debug)]
pub struct ConlluReader<R> {
    input: R,
    name: String,
    line_no: u64,
    line: String,
    /// A `# newdoc` line already consumed: the next document's id and line.
    pending: Option<(String, u64)>,
    /// Whether `read_document` stopped before the document's end.
    in_document: bool,
    done: bool,
}

/// One document being read.
#[derive(Debug, Default)]
struct Partial {
    text: String,
    tokens: Vec<Token>,
    sentences: Vec<Sentence>,
    entities: Vec<Entity>,
    iob: IobDecoder,
    sentence_start: usize,
    /// Whitespace owed after the last token, and whether MISC said so
    /// (an implicit single space is dropped at the end of the document).
    after: String,
    after_explicit: bool,
    /// Last word id covered by the multiword token being read.
    multiword_end: u32,
    error: Option<String>,
}

impl<R: BufRead> ConlluReader<R> {
    /// A reader of `input`; `name` (usually the file name) prefixes default
    /// ids and error messages.
    pub fn new(input: R, name: impl Into<String>) -> ConlluReader<R> {
        ConlluReader {
            input,
            name: name.into(),
            line_no: 0,
            line: String::new(),
            pending: None,
            in_document: false,
            done: false,
        }
    }

    fn syntax(&self, line: u64, message: String) -> ReadError {
        ReadError::Syntax {
            source_name: self.name.clone(),
            line,
            message,
        }
    }

    fn read_line(&mut self) -> Result<bool, ReadError> {
        self.line.clear();
        let n = self
            .input
            .read_line(&mut self.line)
            .map_err(|source| ReadError::Io {
                source_name: self.name.clone(),
                source,
            })?;
        if n == 0 {
            self.done = true;
            return Ok(false);
        }
        self.line_no += 1;
        Ok(true)
    }

    fn newdoc_id(&self) -> Option<String> {
        let rest = self
            .line
            .trim_end_matches(['\n', '\r'])
            .strip_prefix('#')?
            .trim_start();
        let rest = rest.strip_prefix("newdoc")?;
        let id = rest
            .trim_start()
            .strip_prefix("id")
            .and_then(|r| r.trim_start().strip_prefix('='));
        // Only the one space after `=` is syntax: an id may end in spaces.
        Some(match id {
            Some(id) => id.strip_prefix(' ').unwrap_or(id).to_owned(),
            None => format!("{}:{}", self.name, self.line_no),
        })
    }

    fn read_document(&mut self) -> Result<Option<Doc>, ReadError> {
        let mut start = self.pending.take();
        let mut doc = Partial::default();
        while self.read_line()? {
            if let Some(id) = self.newdoc_id() {
                if start.is_some() {
                    self.pending = Some((id, self.line_no));
                    break;
                }
                start = Some((id, self.line_no));
                continue;
            }
            let line = self.line.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                doc.end_sentence();
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(error) = comment.trim_start().strip_prefix("error = ") {
                    doc.error = Some(error.to_owned());
                }
                continue;
            }
            if start.is_none() {
                start = Some((format!("{}:{}", self.name, self.line_no), self.line_no));
            }
            let line_no = self.line_no;
            let line = line.to_owned();
            doc.token_line(&line)
                .map_err(|message| self.syntax(line_no, message))?;
        }
        self.in_document = false;
        let Some((id, line)) = start else {
            return Ok(None);
        };
        if let Some(error) = doc.error {
            return Err(self.syntax(
                line,
                format!("document {id} failed when it was annotated: {error}"),
            ));
        }
        doc.end_sentence();
        if doc.after_explicit {
            doc.text.push_str(&doc.after);
        }
        let mut out = Doc::new(id, doc.text).map_err(|e| self.syntax(line, e.to_string()))?;
        out.tokens = Some(doc.tokens);
        out.sentences = Some(doc.sentences);
        out.entities = Some(doc.entities);
        dateline_core::validate(&out).map_err(|source| ReadError::Invalid {
            source_name: self.name.clone(),
            line,
            id: out.id().to_owned(),
            source,
        })?;
        Ok(Some(out))
    }

    /// Skips to the next `# newdoc` after an error.
    fn skip_document(&mut self) -> Result<(), ReadError> {
        while self.read_line()? {
            if let Some(id) = self.newdoc_id() {
                self.pending = Some((id, self.line_no));
                break;
            }
        }
        Ok(())
    }
}

impl Partial {
    fn token_line(&mut self, line: &str) -> Result<(), String> {
        let columns: Vec<&str> = line.split('\t').collect();
        if columns.len() != 10 {
            return Err(format!(
                "expected 10 tab-separated columns, found {}",
                columns.len()
            ));
        }
        let (id, form, misc) = (columns[0], columns[1], columns[9]);
        if id.contains('.') {
            return Ok(());
        }
        if let Some((_, last)) = id.split_once('-') {
            self.multiword_end = last
                .parse()
                .map_err(|_| format!("bad multiword token id {id:?}"))?;
            return self.token(form, misc);
        }
        let word: u32 = id.parse().map_err(|_| format!("bad token id {id:?}"))?;
        if word <= self.multiword_end {
            return Ok(());
        }
        self.multiword_end = 0;
        self.token(form, misc)
    }

    fn token(&mut self, form: &str, misc: &str) -> Result<(), String> {
        let mut ner = None;
        let mut before = None;
        let mut after = None;
        for item in misc.split('|').filter(|&m| m != "_") {
            match item.split_once('=') {
                Some(("NER", tag)) => {
                    ner = Some(
                        Tag::parse(tag)
                            .ok_or_else(|| format!("NER value {tag:?} is not an IOB tag"))?,
                    )
                }
                Some(("SpaceAfter", "No")) => after = Some(String::new()),
                Some(("SpacesAfter", spaces)) => after = Some(unescape(spaces)?),
                Some(("SpacesBefore", spaces)) => before = Some(unescape(spaces)?),
                _ => {}
            }
        }
        if !self.tokens.is_empty() {
            let owed = std::mem::take(&mut self.after);
            self.text.push_str(&owed);
        }
        if let Some(before) = before {
            self.text.push_str(&before);
        }
        let start = self.text.len();
        self.text.push_str(form);
        let span = Span::from_usize(start, self.text.len());
        self.tokens.push(Token::new(span, kind_of(form)));
        let index = self.tokens.len() as u32 - 1;
        self.iob
            .push(&mut self.entities, ner.unwrap_or(Tag::Outside), index, span);
        self.after_explicit = after.is_some();
        self.after = after.unwrap_or_else(|| " ".to_owned());
        Ok(())
    }

    fn end_sentence(&mut self) {
        self.iob.end_sentence();
        if self.tokens.len() > self.sentence_start {
            let span = self.tokens[self.sentence_start]
                .span
                .cover(self.tokens[self.tokens.len() - 1].span);
            self.sentences.push(Sentence {
                span,
                first_token: self.sentence_start as u32,
                end_token: self.tokens.len() as u32,
            });
            self.sentence_start = self.tokens.len();
        }
    }
}

/// Undoes the renderer's `SpacesAfter` escapes.
fn unescape(spaces: &str) -> Result<String, String> {
    let mut out = String::with_capacity(spaces.len());
    let mut chars = spaces.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('p') => out.push('|'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(c.ok_or_else(|| format!("bad escape \\u{hex} in {spaces:?}"))?);
            }
            other => return Err(format!("bad escape {other:?} in {spaces:?}")),
        }
    }
    Ok(out)
}

impl<R: BufRead> Iterator for ConlluReader<R> {
    type Item = Result<Doc, ReadError>;

    fn next(&mut self) -> Option<Result<Doc, ReadError>> {
        if self.done && self.pending.is_none() {
            return None;
        }
        self.in_document = true;
        let result = self.read_document();
        let in_document = std::mem::replace(&mut self.in_document, false);
        match result {
            Ok(doc) => doc.map(Ok),
            Err(err @ ReadError::Io { .. }) => {
                self.done = true;
                self.pending = None;
                Some(Err(err))
            }
            Err(err) => {
                // A bad line stopped reading mid-document: go on at the next.
                if in_document {
                    if let Err(io) = self.skip_document() {
                        return Some(Err(io));
                    }
                }
                Some(Err(err))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Vec<Result<Doc, ReadError>> {
        ConlluReader::new(input.as_bytes(), "in.conllu").collect()
    }

    #[test]
    fn rebuilds_text_with_multiword_tokens() {
        let input = "# newdoc id = d1\n# sent_id = 1\n# text = I don't know.\n\
            1\tI\tI\tPRON\t_\t_\t_\t_\t_\t_\n2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n\
            2\tdo\t_\t_\t_\t_\t_\t_\t_\t_\n3\tn't\t_\t_\t_\t_\t_\t_\t_\t_\n\
            4\tknow\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n\
            # sent_id = 2\n1\tParis\t_\t_\t_\t_\t_\t_\t_\tNER=B-LOC|SpaceAfter=No\n\
            1.1\tx\t_\t_\t_\t_\t_\t_\t_\t_\n\n# newdoc id = d2\n1\tx\t_\t_\t_\t_\t_\t_\t_\tSpacesBefore=\\n|SpacesAfter=\\s\\u2028\n\n";
        let docs: Vec<Doc> = read(input).into_iter().map(Result::unwrap).collect();
        assert_eq!(docs[0].id(), "d1");
        assert_eq!(docs[0].text(), "I don't know. Paris");
        assert_eq!(docs[0].sentences().len(), 2);
        assert_eq!(docs[0].slice(docs[0].entities()[0].span), "Paris");
        assert_eq!(docs[1].text(), "\nx \u{2028}");
    }

    #[test]
    fn errors_name_the_line_and_reading_goes_on() {
        let input = "# newdoc id = a\n1\tx\n\n# newdoc id = b\n# error = utf8: bad\n\n# newdoc id = c\n1\tok\t_\t_\t_\t_\t_\t_\t_\t_\n";
        let docs = read(input);
        assert_eq!(docs.len(), 3, "{docs:?}");
        assert_eq!(
            docs[0].as_ref().unwrap_err().to_string(),
            "in.conllu:2: expected 10 tab-separated columns, found 2"
        );
        assert_eq!(
            docs[1].as_ref().unwrap_err().to_string(),
            "in.conllu:4: document b failed when it was annotated: utf8: bad"
        );
        assert_eq!(docs[2].as_ref().unwrap().text(), "ok");
    }

    #[test]
    fn reads_ud_english_ewt_when_present() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu");
        let Ok(file) = std::fs::File::open(&path) else {
            return;
        };
        let mut tokens = 0;
        for doc in ConlluReader::new(std::io::BufReader::new(file), "dev") {
            tokens += doc.unwrap().tokens().len();
        }
        assert!(tokens > 20_000, "{tokens} tokens");
    }
}
