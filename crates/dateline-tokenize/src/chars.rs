//! Character classes for the scanner's non-ASCII path.
//!
//! The ASCII path never comes here; these lookups run only for the rare
//! non-ASCII character, so a binary search in the Unicode tables is cheap.

use unicode_properties::{GeneralCategoryGroup, UnicodeEmoji, UnicodeGeneralCategory};

/// Characters that attach to the character before them: combining marks,
/// joiners, variation selectors, emoji skin-tone modifiers and tag
/// characters, and the invisible soft hyphen and word joiner, which sit
/// inside words. A token never starts with one unless nothing precedes it.
#[inline]
pub(crate) fn is_extender(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{2060}' | '\u{200C}' | '\u{200D}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
        || c.general_category_group() == GeneralCategoryGroup::Mark
}

/// Ideographs and kana: written without spaces, so each is its own token,
/// which is what UD-style evaluation of CJK text expects.
#[inline]
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'      // Hiragana, Katakana
        | '\u{31F0}'..='\u{31FF}'    // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'    // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'    // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'    // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'    // half-width Katakana
        | '\u{20000}'..='\u{3FFFF}') // CJK extensions B and later
}

/// Letters and digits of any script, other than CJK, continue a word.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    (c.is_alphanumeric() && !is_cjk(c)) || is_extender(c)
}

/// Whether a non-word, non-space character is punctuation (else a symbol).
#[inline]
pub(crate) fn is_punctuation(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Punctuation
}

/// Regional indicators pair up into flags.
#[inline]
pub(crate) fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Pictographs that a zero-width joiner glues into one emoji.
#[inline]
pub(crate) fn is_emoji(c: char) -> bool {
    !c.is_ascii() && c.is_emoji_char()
}

/// The first character of `s`, which must not be empty.
#[inline]
pub(crate) fn first_char(s: &str) -> char {
    s.chars().next().unwrap_or('\0')
}
