//! Reads text on stdin and prints one token per line: byte start, byte end,
//! kind and text, tab-separated.
//!
//! ```text
//! echo "Mr. Smith didn't go." | cargo run -p dateline-tokenize --example tokenize
//! ```

use std::io::{self, BufWriter, Read, Write};

use dateline_tokenize::Tokenizer;

fn main() -> io::Result<()> {
    let mut text = String::new();
    io::stdin().read_to_string(&mut text)?;
    let tokens = Tokenizer::default().tokenize(&text);
    let mut out = BufWriter::new(io::stdout().lock());
    for token in &tokens {
        let (start, end) = (token.span.start, token.span.end);
        let written = writeln!(
            out,
            "{start}\t{end}\t{}\t{}",
            token.kind.as_str(),
            &text[token.span.range()]
        );
        match written {
            // A closed pipe (`| head`) is a normal way to stop reading.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            other => other?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
