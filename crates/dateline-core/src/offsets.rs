//! Byte offsets to character or UTF-16 offsets (and back) for a whole
//! document, built in one pass over the text.

use std::fmt;
use std::str::FromStr;

/// The unit offsets are rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OffsetUnit {
    /// Unicode code points: what Python, spaCy and brat count.
    #[default]
    Char,
    /// UTF-8 bytes: dateline's own unit.
    Byte,
    /// UTF-16 code units: what JavaScript and Java count.
    Utf16,
}

impl FromStr for OffsetUnit {
    type Err = String;

    fn from_str(s: &str) -> Result<OffsetUnit, String> {
        match s {
            "char" => Ok(OffsetUnit::Char),
            "byte" => Ok(OffsetUnit::Byte),
            "utf16" => Ok(OffsetUnit::Utf16),
            other => Err(format!(
                "unknown offset unit {other:?} (expected char, byte or utf16)"
            )),
        }
    }
}

impl fmt::Display for OffsetUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OffsetUnit::Char => "char",
            OffsetUnit::Byte => "byte",
            OffsetUnit::Utf16 => "utf16",
        })
    }
}

/// Bytes per checkpoint: a lookup scans at most this many bytes.
const BLOCK: usize = 64;

/// Converts byte offsets of one text to another unit in O(1) per lookup,
/// in any order.
///
/// Built in one pass: it records the unit count at every 64-byte
/// checkpoint, so a lookup counts at most 63 bytes. Pure-ASCII text (most
/// news) needs no table at all, since every unit then equals a byte.
///
/// ```
/// use dateline_core::{OffsetIndex, OffsetUnit};
///
/// let text = "Zürich 🙂 ok";
/// let chars = OffsetIndex::new(text, OffsetUnit::Char);
/// let utf16 = OffsetIndex::new(text, OffsetUnit::Utf16);
/// let ok = text.find("ok").unwrap() as u32;
/// assert_eq!(chars.from_byte(text, ok), 9);
/// assert_eq!(utf16.from_byte(text, ok), 10);
/// assert_eq!(chars.to_byte(text, 9), Some(ok));
/// ```
#[derive(Clone, Debug)]
pub struct OffsetIndex {
    unit: OffsetUnit,
    /// `checkpoints[i]` = units in `text[..i * BLOCK]`; empty when the
    /// conversion is the identity.
    checkpoints: Vec<u32>,
}

impl OffsetIndex {
    pub fn new(text: &str, unit: OffsetUnit) -> OffsetIndex {
        let identity = unit == OffsetUnit::Byte || text.is_ascii();
        let mut checkpoints = Vec::new();
        if !identity {
            checkpoints.reserve(text.len() / BLOCK + 1);
            let mut units = 0u32;
            for block in text.as_bytes().chunks(BLOCK) {
                checkpoints.push(units);
                units += count_units(block, unit);
            }
            checkpoints.push(units);
        }
        OffsetIndex { unit, checkpoints }
    }

    pub fn unit(&self) -> OffsetUnit {
        self.unit
    }

    /// The offset, in this index's unit, of byte offset `byte` of `text`
    /// (which must be the text the index was built from, and `byte` a
    /// character boundary).
    #[inline]
    pub fn from_byte(&self, text: &str, byte: u32) -> u32 {
        if self.checkpoints.is_empty() {
            return byte;
        }
        let b = byte as usize;
        let block = b / BLOCK;
        let start = block * BLOCK;
        self.checkpoints[block] + count_units(&text.as_bytes()[start..b], self.unit)
    }

    /// The byte offset of `offset` in this index's unit, or `None` when it
    /// lies past the end of `text` or inside a character (an offset between
    /// the two halves of a UTF-16 surrogate pair).
    pub fn to_byte(&self, text: &str, offset: u32) -> Option<u32> {
        if self.checkpoints.is_empty() {
            let b = offset as usize;
            return (b <= text.len() && text.is_char_boundary(b)).then_some(offset);
        }
        // Last block start at or before the offset, then walk characters.
        // The final checkpoint is the total, not a block start.
        let starts = &self.checkpoints[..self.checkpoints.len() - 1];
        if starts.is_empty() {
            return (offset == 0).then_some(0);
        }
        let block = starts.partition_point(|&c| c <= offset).max(1) - 1;
        let mut units = self.checkpoints[block];
        let mut b = block * BLOCK;
        // The checkpoint may fall inside a character: move to its start.
        while b > 0 && !text.is_char_boundary(b) {
            b -= 1;
        }
        if b < block * BLOCK {
            // That character was counted before the checkpoint: un-count it.
            let c = text[b..].chars().next().expect("inside a character");
            units -= unit_len(c, self.unit);
        }
        for c in text[b..].chars() {
            if units == offset {
                return Some(b as u32);
            }
            let next = units + unit_len(c, self.unit);
            if next > offset {
                return None;
            }
            units = next;
            b += c.len_utf8();
        }
        (units == offset).then_some(b as u32)
    }
}

#[inline]
fn unit_len(c: char, unit: OffsetUnit) -> u32 {
    match unit {
        OffsetUnit::Byte => c.len_utf8() as u32,
        OffsetUnit::Char => 1,
        OffsetUnit::Utf16 => c.len_utf16() as u32,
    }
}

/// Units in a byte run that starts and ends anywhere: a character is counted
/// at its lead byte, so a split character counts in exactly one run.
#[inline]
fn count_units(bytes: &[u8], unit: OffsetUnit) -> u32 {
    match unit {
        OffsetUnit::Byte => bytes.len() as u32,
        OffsetUnit::Char => bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u32,
        OffsetUnit::Utf16 => bytes
            .iter()
            .map(|&b| u32::from((b & 0xC0) != 0x80) + u32::from(b >= 0xF0))
            .sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(text: &str, byte: usize, unit: OffsetUnit) -> u32 {
        let prefix = &text[..byte];
        match unit {
            OffsetUnit::Byte => byte as u32,
            OffsetUnit::Char => prefix.chars().count() as u32,
            OffsetUnit::Utf16 => prefix.encode_utf16().count() as u32,
        }
    }

    fn check_all(text: &str) {
        for unit in [OffsetUnit::Byte, OffsetUnit::Char, OffsetUnit::Utf16] {
            let index = OffsetIndex::new(text, unit);
            for (b, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let converted = index.from_byte(text, b as u32);
                assert_eq!(
                    converted,
                    reference(text, b, unit),
                    "{unit} at byte {b} of {text:?}"
                );
                assert_eq!(
                    index.to_byte(text, converted),
                    Some(b as u32),
                    "{unit} back from {converted}"
                );
            }
        }
    }

    #[test]
    fn converts_mixed_scripts_across_checkpoints() {
        let text = "北京 🙂 Zürich ".repeat(20) + "e\u{301}nd 👩‍👩‍👧";
        check_all(&text);
    }

    #[test]
    fn utf16_offset_inside_a_surrogate_pair_is_rejected() {
        let text = "a🙂b";
        let index = OffsetIndex::new(text, OffsetUnit::Utf16);
        assert_eq!(index.to_byte(text, 2), None);
        assert_eq!(index.to_byte(text, 3), Some(5));
        assert_eq!(index.to_byte(text, 5), None);
    }

    proptest! {
        #[test]
        fn round_trips_on_any_text(text in any::<String>()) {
            check_all(&text);
        }

        #[test]
        fn round_trips_on_multibyte_text(text in "[a-zé北🙂\u{301} ]{0,300}") {
            check_all(&text);
        }
    }
}
