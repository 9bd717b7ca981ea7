//! Small byte writers shared by the formats: integers, JSON strings, HTML
//! text. They append to a `Vec<u8>` and never allocate per call.

/// Appends the decimal form of `n`.
#[inline]
pub(crate) fn push_u32(out: &mut Vec<u8>, n: u32) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(n).as_bytes());
}

/// Appends `s` as a JSON string literal, quotes included.
///
/// Copies runs of plain bytes at once; only `"`, `\` and control
/// characters are escaped (UTF-8 passes through, as JSON allows).
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends `s` escaped for HTML text and attribute values.
pub(crate) fn push_html(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `s` with every line-break character replaced by a space — for formats
/// whose records are single lines (CoNLL-U `# text`, inline text). Other
/// whitespace is kept as is, and the length in characters is unchanged.
pub(crate) fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains([
        '\n', '\r', '\u{2028}', '\u{2029}', '\u{0b}', '\u{0c}', '\u{85}',
    ]) {
        return s.into();
    }
    let mut line = String::with_capacity(s.len());
    for c in s.chars() {
        line.push(if is_line_break(c) { ' ' } else { c });
    }
    line.into()
}

/// Characters that end a line for some reader: Python's `str.splitlines`
/// breaks on all of these.
pub(crate) fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0b}'
            | '\u{0c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_match_serde_json() {
        for s in [
            "",
            "plain",
            "q\"b\\s",
            "nl\n\r\t",
            "\u{1}\u{1f}\u{7f}",
            "北京 🙂",
            "</script>",
        ] {
            let mut out = Vec::new();
            push_json_str(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn html_is_escaped() {
        let mut out = Vec::new();
        push_html(&mut out, "<script>alert('x & \"y\"')</script>");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn one_line_replaces_breaks_only() {
        assert_eq!(one_line("a\nb\r\nc  d\te"), "a b  c  d\te");
        assert_eq!(one_line("a\u{2028}b"), "a b");
    }
}
