//! The rule layer: `DATE`, `TIME`, `MONEY` and `PERCENT` in news style,
//! and the organisation-name rule that joins `X of the Y` names.
//!
//! Rules match token sequences of one sentence, left to right, taking the
//! longest match at each position; each token is compared as a string
//! with a few table lookups, so the layer is linear in the sentence length
//! and allocates nothing per token.

use std::cell::Cell;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::ops::Range;

use crate::features::PassThrough;

use dateline_core::Label;

/// A rule entity over tokens `first..end` of the document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RuleSpan {
    pub(crate) first: usize,
    pub(crate) end: usize,
    pub(crate) label: Label,
}

static MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan.",
    "feb.",
    "mar.",
    "apr.",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "sept.",
    "oct.",
    "nov.",
    "dec.",
];
/// Month names that are also common words: dates only next to a number or
/// after a date preposition.
static AMBIGUOUS_MONTHS: &[&str] = &["may", "march"];
static WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
static RELATIVE_DAYS: &[&str] = &["yesterday", "today", "tomorrow"];
static DEICTIC: &[&str] = &["last", "next", "this", "past", "coming", "previous", "same"];
static PERIODS: &[&str] = &[
    "week",
    "month",
    "year",
    "weekend",
    "quarter",
    "decade",
    "century",
    "season",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "weeks",
    "months",
    "years",
    "decades",
    "days",
    "quarters",
    "centuries",
];
static UNITS_AGO: &[&str] = &[
    "day", "days", "week", "weeks", "month", "months", "year", "years", "decade", "decades",
];
static DAY_PARTS: &[&str] = &["morning", "afternoon", "evening", "night"];
static DATE_PREPS: &[&str] = &[
    "in", "since", "until", "till", "by", "from", "of", "during", "before", "after", "through",
    "to", "and", "or", "between", "early", "late", "mid", "fiscal", "end",
];
static QUARTER_ORDINALS: &[&str] = &["first", "second", "third", "fourth", "final", "last"];
static TIME_SUFFIXES: &[&str] = &["a.m.", "p.m.", "am", "pm", "a.m", "p.m", "a.m.,"];
static TIME_ZONES: &[&str] = &[
    "gmt", "utc", "est", "edt", "cst", "cdt", "pst", "pdt", "bst", "cet", "cest", "jst", "ist",
];
static NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "several",
    "a",
    "half",
    "dozens",
    "hundreds",
    "thousands",
    "millions",
    "billions",
];
static SCALES: &[&str] = &[
    "hundred", "thousand", "million", "billion", "trillion", "mln", "bln", "bn", "tn", "m", "k",
];
static CURRENCY_SIGNS: &[&str] = &[
    "$", "€", "£", "¥", "₹", "₩", "₽", "us$", "hk$", "a$", "c$", "s$", "nz$", "r$", "nt$",
];
static CURRENCY_CODES: &[&str] = &[
    "usd", "eur", "gbp", "jpy", "cny", "rmb", "hkd", "chf", "inr", "aud", "cad", "sgd", "krw",
    "rub", "brl", "zar", "mxn", "sek", "nok", "dkk", "nzd", "twd", "try",
];
static CURRENCY_WORDS: &[&str] = &[
    "dollar",
    "dollars",
    "yuan",
    "renminbi",
    "euro",
    "euros",
    "pound",
    "pounds",
    "sterling",
    "yen",
    "rupee",
    "rupees",
    "franc",
    "francs",
    "mark",
    "marks",
    "peso",
    "pesos",
    "rouble",
    "roubles",
    "ruble",
    "rubles",
    "won",
    "ringgit",
    "baht",
    "rand",
    "lira",
    "lire",
    "shekel",
    "shekels",
    "dinar",
    "dinars",
    "riyal",
    "riyals",
    "dirham",
    "dirhams",
    "cent",
    "cents",
    "pence",
    "krona",
    "kronor",
    "krone",
    "kroner",
    "zloty",
    "zlotys",
    "naira",
    "shilling",
    "shillings",
    "rupiah",
    "dong",
    "real",
    "reais",
    "forint",
    "koruna",
    "crowns",
    "guilders",
    "escudos",
    "pesetas",
    "drachmas",
    "punts",
];
static PERCENT_WORDS: &[&str] = &["percent", "pct", "pct.", "%", "per-cent"];

/// Words that head an organisational unit: `Standing Committee`,
/// `Ministry`, `Bank`. An ORG or capitalised run ending in one, followed by
/// `of (the)` and a name, is one organisation name.
static ORG_HEADS: &[&str] = &[
    "committee",
    "secretariat",
    "bureau",
    "ministry",
    "department",
    "council",
    "commission",
    "office",
    "assembly",
    "congress",
    "party",
    "academy",
    "university",
    "institute",
    "bank",
    "federation",
    "association",
    "union",
    "court",
    "board",
    "agency",
    "authority",
    "corporation",
    "league",
    "society",
    "foundation",
    "museum",
    "school",
    "college",
    "parliament",
    "senate",
    "army",
    "navy",
    "police",
    "chamber",
    "presidium",
    "politburo",
    "cabinet",
    "administration",
    "directorate",
    "division",
    "command",
    "conference",
    "organisation",
    "organization",
    "fund",
    "tribunal",
    "group",
    "centre",
    "center",
    "service",
    "guard",
    "forces",
    "force",
    "corps",
    "church",
    "diocese",
    "library",
    "hospital",
];

/// Words of news bylines and job titles: a name made of these alone is a
/// role (`Staff Reporter`, `Chief Correspondent`), not a person.
static ROLE_WORDS: &[&str] = &[
    "staff",
    "reporter",
    "reporters",
    "correspondent",
    "correspondents",
    "writer",
    "writers",
    "editor",
    "editors",
    "columnist",
    "photographer",
    "contributor",
    "analyst",
    "chief",
    "senior",
    "special",
    "foreign",
    "political",
    "diplomatic",
    "business",
    "economics",
    "sports",
    "science",
    "health",
    "news",
    "desk",
    "bureau",
    "wire",
    "our",
    "own",
];

/// Whether every word is a byline or job-title word (see [`ROLE_WORDS`]).
pub(crate) fn is_role(words: &[&str]) -> bool {
    !words.is_empty() && words.iter().all(|w| is(w, ROLE_WORDS))
}

/// The long word tables as hash sets of their lower-cased words, keyed by
/// the table's address: `is` on them is one hash and one probe.
type WordSet = HashSet<u64, BuildHasherDefault<PassThrough>>;

/// A long table: its address, which first bytes (lower-cased) its words
/// have, and the hashes of its words.
type Table = (usize, [u64; 4], WordSet);

static SETS: std::sync::LazyLock<Vec<Table>> = std::sync::LazyLock::new(|| {
    [
        MONTHS,
        WEEKDAYS,
        DEICTIC,
        PERIODS,
        UNITS_AGO,
        DATE_PREPS,
        QUARTER_ORDINALS,
        TIME_SUFFIXES,
        TIME_ZONES,
        NUMBER_WORDS,
        SCALES,
        CURRENCY_SIGNS,
        CURRENCY_CODES,
        CURRENCY_WORDS,
        ORG_HEADS,
        ROLE_WORDS,
    ]
    .iter()
    .map(|t| {
        let set = t.iter().filter_map(|w| lower_hash(w)).collect();
        let mut first = [0u64; 4];
        for w in t.iter() {
            let b = w.as_bytes()[0].to_ascii_lowercase();
            first[b as usize / 64] |= 1 << (b % 64);
        }
        (t.as_ptr() as usize, first, set)
    })
    .collect()
});

/// Slots of [`TABLE_INDEX`]: a power of two well above the table count.
const INDEX_SLOTS: usize = 64;

/// [`SETS`] by table address, open addressing: `is` finds a table's set
/// in one or two probes rather than by scanning the list. A slot holds
/// the address and the position in `SETS` plus one (0: empty).
static TABLE_INDEX: std::sync::LazyLock<[(usize, u8); INDEX_SLOTS]> =
    std::sync::LazyLock::new(|| {
        let mut index = [(0usize, 0u8); INDEX_SLOTS];
        for (k, t) in SETS.iter().enumerate() {
            let mut slot = index_slot(t.0);
            while index[slot].1 != 0 {
                slot = (slot + 1) % INDEX_SLOTS;
            }
            index[slot] = (t.0, k as u8 + 1);
        }
        index
    });

#[inline]
fn index_slot(address: usize) -> usize {
    ((address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % INDEX_SLOTS
}

/// The long table at this address, if it is one.
#[inline]
fn long_table(address: usize) -> Option<&'static Table> {
    let index = &*TABLE_INDEX;
    let mut slot = index_slot(address);
    loop {
        let (at, k) = index[slot];
        if k == 0 {
            return None;
        }
        if at == address {
            return SETS.get(k as usize - 1);
        }
        slot = (slot + 1) % INDEX_SLOTS;
    }
}

/// The hash of a short word's ASCII-lower-cased bytes.
fn lower_hash(word: &str) -> Option<u64> {
    let mut buf = [0u8; 24];
    let bytes = buf.get_mut(..word.len())?;
    for (b, c) in bytes.iter_mut().zip(word.bytes()) {
        *b = c.to_ascii_lowercase();
    }
    Some(crate::hash::hash_bytes(7, bytes))
}

fn is(word: &str, table: &[&str]) -> bool {
    if table.len() > 4 {
        if let Some((_, first, set)) = long_table(table.as_ptr() as usize) {
            // Most words fail on their first byte, before any hashing.
            let b = word.as_bytes().first().map_or(0, u8::to_ascii_lowercase);
            return first[b as usize / 64] & (1 << (b % 64)) != 0
                && lower_hash(word).is_some_and(|h| set.contains(&h));
        }
    }
    table.iter().any(|t| t.eq_ignore_ascii_case(word))
}

fn is_digits(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
}

/// `4`, `4.5`, `1,200`, `.5`: digits with decimal or thousands separators.
fn is_numeral(w: &str) -> bool {
    let b = w.as_bytes();
    !b.is_empty()
        && b.iter().any(u8::is_ascii_digit)
        && b.iter()
            .all(|c| c.is_ascii_digit() || *c == b'.' || *c == b',')
        && b[b.len() - 1].is_ascii_digit()
}

fn number_value(w: &str) -> Option<u32> {
    if is_digits(w) && w.len() <= 4 {
        w.parse().ok()
    } else {
        None
    }
}

fn is_year(w: &str) -> bool {
    w.len() == 4 && number_value(w).is_some_and(|y| (1800..=2100).contains(&y))
}

/// `14`, `14th`, `1st`, `22nd`, `3rd` with a value of 1-31.
fn is_day(w: &str) -> bool {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    (suffix.is_empty() || is(suffix, &["st", "nd", "rd", "th"]))
        && number_value(digits).is_some_and(|d| (1..=31).contains(&d))
}

/// `1990s`, `'90s`, `1990's`.
fn is_decade(w: &str) -> bool {
    let w = w.strip_suffix("'s").or_else(|| w.strip_suffix('s'));
    match w {
        Some(d) if d.len() == 4 => is_year(d) && d.ends_with('0'),
        Some(d) => d
            .strip_prefix(['\'', '’'])
            .is_some_and(|y| y.len() == 2 && y.ends_with('0') && is_digits(y)),
        None => false,
    }
}

/// `09:07`, `9:07`, `21:30:15` with valid hours and minutes.
fn is_clock(w: &str) -> bool {
    if !w.as_bytes().get(1..3).is_some_and(|b| b.contains(&b':')) {
        return false;
    }
    let mut parts = w.split(':');
    let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
        return false;
    };
    let s = parts.next();
    parts.next().is_none()
        && (1..=2).contains(&h.len())
        && m.len() == 2
        && number_value(h).is_some_and(|h| h <= 24)
        && number_value(m).is_some_and(|m| m < 60)
        && s.is_none_or(|s| s.len() == 2 && number_value(s).is_some_and(|s| s < 60))
}

/// `2025-05-14`, `14/05/2025`, `5/14/2025`: three digit groups.
fn is_numeric_date(w: &str) -> bool {
    if !w.bytes().any(|b| b == b'-' || b == b'/') {
        return false;
    }
    for sep in ['-', '/'] {
        let parts: [Option<&str>; 4] = {
            let mut it = w.split(sep);
            [it.next(), it.next(), it.next(), it.next()]
        };
        if let [Some(a), Some(b), Some(c), None] = parts {
            if [a, b, c].iter().all(|p| is_digits(p)) {
                let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, a, b) };
                let ok = (y.len() == 4 || y.len() == 2)
                    && m.len() <= 2
                    && d.len() <= 2
                    && number_value(m).is_some_and(|m| (1..=31).contains(&m))
                    && number_value(d).is_some_and(|d| (1..=31).contains(&d));
                if ok {
                    return true;
                }
            }
        }
    }
    false
}

/// The rule matcher over one sentence's words.
struct Matcher<'w> {
    words: &'w [&'w str],
    end: usize,
    /// The last [`quantity`](Matcher::quantity) asked for, and its answer:
    /// money, percentages and dates all ask at the same position.
    quantity: Cell<Option<(usize, Option<usize>)>>,
}

impl Matcher<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        (i < self.end).then(|| self.words[i])
    }

    fn at(&self, i: usize, table: &[&str]) -> bool {
        self.word(i).is_some_and(|w| is(w, table))
    }

    /// A quantity: a numeral or number word, an optional range to a second
    /// one, then scale words: `4.5`, `2 million`, `3-4`, `two billion`.
    fn quantity(&self, i: usize) -> Option<usize> {
        if let Some((at, end)) = self.quantity.get() {
            if at == i {
                return end;
            }
        }
        let end = self.find_quantity(i);
        self.quantity.set(Some((i, end)));
        end
    }

    fn find_quantity(&self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        let numeral = is_numeral(w);
        if !numeral && !is(w, NUMBER_WORDS) {
            return None;
        }
        let mut j = i + 1;
        if numeral
            && self.word(j).is_some_and(|w| w == "-" || w == "to")
            && self.word(j + 1).is_some_and(is_numeral)
        {
            j += 2;
        }
        while self.at(j, SCALES) {
            j += 1;
        }
        // A lone "a" or "half" is no quantity ("a percent" is not news style).
        if !numeral && j == i + 1 && is(w, &["a", "half", "several"]) {
            return None;
        }
        Some(j)
    }

    fn money(&self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        if is(w, CURRENCY_SIGNS) || is(w, CURRENCY_CODES) {
            return self.quantity(i + 1);
        }
        // A sign glued to its number: `$4.5`, `US$20`.
        if let Some(pos) = w.find(|c: char| c.is_ascii_digit()) {
            if pos > 0 && is(&w[..pos], CURRENCY_SIGNS) && is_numeral(&w[pos..]) {
                let mut j = i + 1;
                while self.at(j, SCALES) {
                    j += 1;
                }
                return Some(j);
            }
        }
        let q = self.quantity(i)?;
        let mut j = q;
        if self.word(j).is_some_and(|w| w == "U.S." || w == "US")
            && self.at(j + 1, &["dollars", "dollar"])
        {
            j += 1;
        }
        if self.at(j, CURRENCY_WORDS) || self.at(j, CURRENCY_CODES) {
            // "won" and "real" are also verbs and adjectives: a currency
            // only after a scale or numeral, never after a number word.
            if is(self.words[j], &["won", "real", "mark", "marks"]) && !is_numeral(w) {
                return None;
            }
            return Some(j + 1);
        }
        None
    }

    fn percent(&self, i: usize) -> Option<usize> {
        if self.words[i].strip_suffix('%').is_some_and(is_numeral) {
            return Some(i + 1);
        }
        let q = self.quantity(i)?;
        if self.at(q, PERCENT_WORDS) {
            return Some(q + 1);
        }
        if self.at(q, &["per"]) && self.at(q + 1, &["cent"]) {
            return Some(q + 2);
        }
        if self.at(q, &["percentage"]) && self.at(q + 1, &["point", "points"]) {
            return Some(q + 2);
        }
        None
    }

    fn time(&self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        // A clock time, or an hour that a.m./p.m. follows.
        let hour = number_value(w).is_some_and(|h| (1..=12).contains(&h));
        let mut j = if is_clock(w) || hour && self.at(i + 1, TIME_SUFFIXES) {
            i + 1
        } else if is(w, &["noon", "midnight", "tonight"]) {
            return Some(i + 1);
        } else if is(w, &["this", "last", "tomorrow", "yesterday"]) && self.at(i + 1, DAY_PARTS) {
            return Some(i + 2);
        } else {
            return None;
        };
        if self.at(j, TIME_SUFFIXES) {
            j += 1;
        }
        if self.at(j, TIME_ZONES) {
            j += 1;
        }
        Some(j)
    }

    /// `May 14`, `May 14, 2025`, `May 2025`, `14 May 2025`, `Wednesday`,
    /// `Wednesday, May 14`, `last year`, `the 1990s`, `2025-05-14`, `in 2025`.
    fn date(&self, i: usize, prev: Option<&str>) -> Option<usize> {
        let w = self.word(i)?;
        if is(w, &["the"]) {
            return self.the_date(i);
        }
        if is(w, &["a", "an"]) {
            // "a year ago": nothing else below starts with an article.
            let q = i + 1;
            return (self.at(q, UNITS_AGO) && self.at(q + 1, &["ago"])).then_some(q + 2);
        }
        if is(w, WEEKDAYS) {
            if self.at(i + 1, &[","]) {
                if let Some(end) = self.month_date(i + 2, || true) {
                    return Some(end);
                }
            }
            return Some(i + 1);
        }
        if let Some(end) = self.month_date(i, || prev.is_some_and(|p| is(p, DATE_PREPS))) {
            return Some(end);
        }
        if is_day(w) && !w.contains(',') && self.at(i + 1, MONTHS) {
            let mut j = i + 2;
            if self.word(j).is_some_and(is_year) {
                j += 1;
            }
            return Some(j);
        }
        if is(w, RELATIVE_DAYS) {
            return Some(i + 1);
        }
        if is(w, DEICTIC)
            && (self.at(i + 1, PERIODS) || self.at(i + 1, WEEKDAYS) || self.at(i + 1, MONTHS))
        {
            return Some(i + 2);
        }
        if is(w, &["earlier", "later"])
            && self.at(i + 1, &["this", "last", "next"])
            && self.at(i + 2, PERIODS)
        {
            return Some(i + 3);
        }
        if is_decade(w) {
            return Some(i + 1);
        }
        if is_numeric_date(w) {
            return Some(i + 1);
        }
        // "three years ago", "a year ago"
        if let Some(q) = self.quantity(i) {
            if self.at(q, UNITS_AGO) && self.at(q + 1, &["ago"]) {
                return Some(q + 2);
            }
        }
        if is_year(w) && prev.is_some_and(|p| is(p, DATE_PREPS)) {
            return Some(i + 1);
        }
        None
    }

    /// A date led by `the` at `i`: `the 1990s`, `the early 1990s`, `the
    /// past two years`, `the next day`, `the first quarter of 2025`.
    fn the_date(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        if self.at(j, &["early", "mid", "late"]) {
            j += 1;
        }
        if self.word(j).is_some_and(is_decade) {
            return Some(j + 1);
        }
        if self.at(i + 1, &["past", "last", "next", "coming", "previous"]) {
            if let Some(q) = self.quantity(i + 2) {
                if self.at(q, PERIODS) {
                    return Some(q + 1);
                }
            }
        }
        if self.at(i + 1, &["next", "following", "previous", "same"])
            && self.at(
                i + 2,
                &["day", "week", "month", "year", "morning", "evening"],
            )
        {
            return Some(i + 3);
        }
        if self.at(i + 1, QUARTER_ORDINALS) && self.at(i + 2, &["quarter", "half"]) {
            let mut j = i + 3;
            if self.at(j, &["of"]) && self.word(j + 1).is_some_and(is_year) {
                j += 2;
            }
            return Some(j);
        }
        None
    }

    /// A date led by a month name: `May 14`, `May 14, 2025`, `May 2025`,
    /// `Jan. 3`; an ambiguous month alone only when `context` says so.
    fn month_date(&self, i: usize, context: impl FnOnce() -> bool) -> Option<usize> {
        let w = self.word(i)?;
        if !is(w, MONTHS) || !w.starts_with(|c: char| c.is_uppercase()) {
            return None;
        }
        if self.word(i + 1).is_some_and(is_day) {
            let mut j = i + 2;
            if self.at(j, &[","]) && self.word(j + 1).is_some_and(is_year) {
                j += 2;
            } else if self.word(j).is_some_and(is_year) {
                j += 1;
            }
            return Some(j);
        }
        if self.word(i + 1).is_some_and(is_year) {
            return Some(i + 2);
        }
        (!is(w, AMBIGUOUS_MONTHS) || context()).then_some(i + 1)
    }
}

/// The lower-cased words that can start a rule match.
static TRIGGERS: std::sync::LazyLock<WordSet> = std::sync::LazyLock::new(|| {
    [
        MONTHS,
        WEEKDAYS,
        RELATIVE_DAYS,
        DEICTIC,
        NUMBER_WORDS,
        CURRENCY_SIGNS,
        CURRENCY_CODES,
        &[
            "the", "an", "earlier", "later", "noon", "midnight", "tonight",
        ],
    ]
    .iter()
    .flat_map(|t| t.iter().filter_map(|w| lower_hash(w)))
    .collect()
});

/// Whether a rule can start at this word: a listed word, a word with a
/// digit, or a currency sign. Most words fail here after one or two
/// comparisons, punctuation included.
fn may_start(w: &str) -> bool {
    let Some(c) = w.chars().next() else {
        return false;
    };
    if c.is_alphabetic() {
        return lower_hash(w).is_some_and(|h| TRIGGERS.contains(&h));
    }
    // Every other match opens with a numeral (`14`, `.5`, `'90s`, `5%`,
    // `09:07`, `$4.5`), which has an ASCII digit, or with a currency sign
    // before its number; ASCII signs other than `$` start nothing.
    w.bytes().any(|b| b.is_ascii_digit()) || c == '$' || !c.is_ascii() && is(w, CURRENCY_SIGNS)
}

/// Appends the rule entities of one sentence (tokens `range` of `words`).
pub(crate) fn find(words: &[&str], range: Range<usize>, out: &mut Vec<RuleSpan>) {
    let m = Matcher {
        words,
        end: range.end,
        quantity: Cell::new(None),
    };
    let mut i = range.start;
    while i < range.end {
        if !may_start(words[i]) {
            i += 1;
            continue;
        }
        let prev = (i > range.start).then(|| words[i - 1]);
        // Articles only lead dates ("the 1990s", "a year ago"): skip the
        // other matchers for these frequent words.
        let article = is(words[i], &["the", "a", "an"]);
        let found = if article {
            m.date(i, prev).map(|end| (end, Label::Date))
        } else if let Some(end) = m.money(i) {
            Some((end, Label::Money))
        } else if let Some(end) = m.percent(i) {
            Some((end, Label::Percent))
        } else if let Some(end) = m.time(i) {
            Some((end, Label::Time))
        } else {
            m.date(i, prev).map(|end| (end, Label::Date))
        };
        match found {
            Some((end, label)) if end > i => {
                out.push(RuleSpan {
                    first: i,
                    end,
                    label,
                });
                i = end;
            }
            _ => i += 1,
        }
    }
}

fn capitalised(w: &str) -> bool {
    w.starts_with(|c: char| c.is_uppercase())
}

/// Joins organisation names of the form `X of (the) Y` into one outermost
/// ORG span: X is a model ORG or a run of capitalised words ending in an
/// organisational head word (`Committee`, `Secretariat`, `Ministry`), Y a
/// model ORG or LOC. Chains repeat: `Standing Committee of the Political
/// Bureau of the CPC Central Committee`. `spans` are `(first, end, type)`
/// model spans of one sentence in order, rewritten in place;
/// `scratch.joined` then says which of them the rule made.
pub(crate) fn join_org_of(
    words: &[&str],
    range: Range<usize>,
    spans: &mut Vec<(usize, usize, usize)>,
    scratch: &mut JoinScratch,
) {
    const ORG: usize = 1;
    const LOC: usize = 2;
    // The sentence as segments: model spans, and untagged runs of
    // capitalised words between them.
    let segs = &mut scratch.segs;
    segs.clear();
    let mut k = 0;
    let mut i = range.start;
    while i < range.end {
        if let Some(&(a, b, t)) = spans.get(k).filter(|s| s.0 == i) {
            segs.push((a, b, Some(t)));
            k += 1;
            i = b;
        } else if capitalised(words[i]) {
            let start = i;
            let stop = spans.get(k).map_or(range.end, |s| s.0);
            while i < stop && capitalised(words[i]) {
                i += 1;
            }
            segs.push((start, i, None));
        } else {
            i += 1;
        }
    }
    let out = &mut scratch.out;
    let joined = &mut scratch.joined;
    out.clear();
    joined.clear();
    let mut s = 0;
    while s < segs.len() {
        let (first, b, ty) = segs[s];
        if matches!(ty, None | Some(ORG)) {
            let (mut end, mut t) = (b, s + 1);
            loop {
                // A name ending in a head word takes `of (the)` and the
                // name of what it belongs to.
                let of = is_of(words, end, range.end).filter(|_| is(words[end - 1], ORG_HEADS));
                if let Some(after) = of {
                    if let Some(&(_, e, Some(ty))) = segs.get(t).filter(|g| g.0 == after) {
                        if ty == ORG || ty == LOC {
                            end = e;
                            t += 1;
                            continue;
                        }
                    }
                }
                // An organisation name goes on past its abbreviation in
                // brackets: `the Communist Party of China (CPC) Central
                // Committee`.
                if t > s + 1 || ty == Some(ORG) {
                    if let Some((e, next)) = past_abbreviation(words, segs, end, t, range.end) {
                        end = e;
                        t = next;
                        continue;
                    }
                }
                break;
            }
            if t > s + 1 {
                out.push((first, end, ORG));
                joined.push(true);
                s = t;
                continue;
            }
        }
        if let Some(ty) = ty {
            out.push((first, b, ty));
            joined.push(false);
        }
        s += 1;
    }
    std::mem::swap(spans, out);
}

/// Buffers for [`join_org_of`], reused across sentences; `joined` says
/// which of the returned spans the rule made.
#[derive(Debug, Default)]
pub(crate) struct JoinScratch {
    segs: Vec<(usize, usize, Option<usize>)>,
    out: Vec<(usize, usize, usize)>,
    pub(crate) joined: Vec<bool>,
}

/// If an abbreviation in brackets starts at `i`, followed by a name that
/// ends in an organisational head word (`(CPC) Central Committee`): the
/// end of that name and the segment after it. `t` is the first segment
/// at or after `i`.
fn past_abbreviation(
    words: &[&str],
    segs: &[(usize, usize, Option<usize>)],
    i: usize,
    t: usize,
    end: usize,
) -> Option<(usize, usize)> {
    const ORG: usize = 1;
    let part =
        |g: &(usize, usize, Option<usize>), at: usize| g.0 == at && matches!(g.2, None | Some(ORG));
    if i + 3 >= end || words[i] != "(" || words[i + 2] != ")" {
        return None;
    }
    let abbreviation = segs.get(t).filter(|g| part(g, i + 1) && g.1 == i + 2)?;
    let name = segs.get(t + 1).filter(|g| part(g, i + 3))?;
    (is_abbreviation(words[abbreviation.0]) && is(words[name.1 - 1], ORG_HEADS))
        .then_some((name.1, t + 2))
}

/// `CPC`, `NATO`, `U.N.`, `G7`: capitals, at least two, with digits,
/// dots or `&`.
fn is_abbreviation(w: &str) -> bool {
    (2..=10).contains(&w.len())
        && w.bytes().filter(u8::is_ascii_uppercase).count() >= 2
        && w.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.' || b == b'&')
}

/// If `of` or `of the` starts at `i`, the index after it.
fn is_of(words: &[&str], i: usize, end: usize) -> Option<usize> {
    if i < end && words[i] == "of" {
        if i + 1 < end && words[i + 1] == "the" {
            Some(i + 2)
        } else {
            Some(i + 1)
        }
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the rules on whitespace-split text: `[label text]` per entity.
    fn check(text: &str, expect: &[&str]) {
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut out = Vec::new();
        find(&words, 0..words.len(), &mut out);
        let got: Vec<String> = out
            .iter()
            .map(|s| format!("{} {}", s.label, words[s.first..s.end].join(" ")))
            .collect();
        assert_eq!(got, expect, "{text}");
    }

    #[test]
    fn dates() {
        let cases: &[(&str, &[&str])] = &[
            ("BEIJING , May 14 ( Xinhua )", &["DATE May 14"]),
            ("on May 14 , 2025 .", &["DATE May 14 , 2025"]),
            (
                "09:07 , May 15 , 2025",
                &["TIME 09:07", "DATE May 15 , 2025"],
            ),
            ("in Beijing on Wednesday .", &["DATE Wednesday"]),
            (
                "on Wednesday , May 14 , 2025",
                &["DATE Wednesday , May 14 , 2025"],
            ),
            ("sales rose last year", &["DATE last year"]),
            (
                "music of the 1990s and the early 1980s",
                &["DATE the 1990s", "DATE the early 1980s"],
            ),
            ("in the 1990s", &["DATE the 1990s"]),
            (
                "on 14 May 2025 and Jan. 3",
                &["DATE 14 May 2025", "DATE Jan. 3"],
            ),
            (
                "in March 2024 , then in March",
                &["DATE March 2024", "DATE March"],
            ),
            ("You may go . March on !", &[]),
            ("filed on 2025-05-14 .", &["DATE 2025-05-14"]),
            ("three years ago", &["DATE three years ago"]),
            ("since 1996 , 300 people", &["DATE 1996"]),
            (
                "in the first quarter of 2025",
                &["DATE the first quarter of 2025"],
            ),
            (
                "yesterday and earlier this year",
                &["DATE yesterday", "DATE earlier this year"],
            ),
            ("He said the past two weeks", &["DATE the past two weeks"]),
            ("from 5 % a year ago", &["PERCENT 5 %", "DATE a year ago"]),
            ("left the next day", &["DATE the next day"]),
        ];
        for (text, expect) in cases {
            check(text, expect);
        }
    }

    #[test]
    fn times() {
        let cases: &[(&str, &[&str])] = &[
            ("at 3 p.m. local time", &["TIME 3 p.m."]),
            ("at 09:07 GMT", &["TIME 09:07 GMT"]),
            ("at 10:30 a.m. EDT", &["TIME 10:30 a.m. EDT"]),
            ("late last night", &["TIME last night"]),
            ("a score of 3:2 in 12:75", &["TIME 3:2"]),
        ];
        // 3:2 has a one-digit minute field, so it is no time.
        for (text, expect) in &cases[..4] {
            check(text, expect);
        }
        check("a score of 3:2 and 25:10", &[]);
    }

    #[test]
    fn money() {
        let cases: &[(&str, &[&str])] = &[
            ("cost $ 4.5 billion .", &["MONEY $ 4.5 billion"]),
            ("cost $4.5 billion .", &["MONEY $4.5 billion"]),
            ("2 million yuan", &["MONEY 2 million yuan"]),
            (
                "US$ 20 and HK$ 3.5 million",
                &["MONEY US$ 20", "MONEY HK$ 3.5 million"],
            ),
            ("EUR 300 million", &["MONEY EUR 300 million"]),
            ("50 cents a share", &["MONEY 50 cents"]),
            ("1,200 U.S. dollars", &["MONEY 1,200 U.S. dollars"]),
            (
                "three million pounds sterling",
                &["MONEY three million pounds"],
            ),
            ("the team won two games", &[]),
        ];
        for (text, expect) in cases {
            check(text, expect);
        }
    }

    #[test]
    fn percentages() {
        let cases: &[(&str, &[&str])] = &[
            ("grew 3.2 percent", &["PERCENT 3.2 percent"]),
            ("up 5 %", &["PERCENT 5 %"]),
            ("up 5%", &["PERCENT 5%"]),
            ("fell 2 per cent", &["PERCENT 2 per cent"]),
            (
                "rose 0.25 percentage points",
                &["PERCENT 0.25 percentage points"],
            ),
            ("between 3 - 4 percent", &["PERCENT 3 - 4 percent"]),
            ("five percent", &["PERCENT five percent"]),
            ("fell 4.5 pct. in early trade", &["PERCENT 4.5 pct."]),
        ];
        for (text, expect) in cases {
            check(text, expect);
        }
    }

    /// The pre-filter lets through every word that opens a match without
    /// a letter: numerals with a leading separator or apostrophe, signs.
    #[test]
    fn matches_that_open_with_a_symbol() {
        let cases: &[(&str, &[&str])] = &[
            ("up .5 percent", &["PERCENT .5 percent"]),
            ("music of the '90s , '80s", &["DATE the '90s", "DATE '80s"]),
            (
                "music of ’70s and the ’60s",
                &["DATE ’70s", "DATE the ’60s"],
            ),
            (
                "€ 5 million and £3 billion",
                &["MONEY € 5 million", "MONEY £3 billion"],
            ),
            ("$ 20 , ( 5 % )", &["MONEY $ 20", "PERCENT 5 %"]),
            ("( , ) -- ; : ' \" % $", &[]),
        ];
        for (text, expect) in cases {
            check(text, expect);
        }
        for w in [",", ".", "(", "--", "%", "'", "”", "·"] {
            assert!(!may_start(w), "{w}");
        }
        for w in ["5", ".5", "'90s", "$", "€", "£3", "May", "the"] {
            assert!(may_start(w), "{w}");
        }
    }

    #[test]
    fn roles_are_not_names() {
        assert!(is_role(&["Staff", "Reporter"]));
        assert!(is_role(&["CHIEF", "CORRESPONDENT"]));
        assert!(!is_role(&["Jane", "Doe"]));
        assert!(!is_role(&["Staff", "Sgt.", "Miller"]));
        assert!(!is_role(&[]));
    }

    fn join(text: &str, spans: &[(usize, usize, usize)]) -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut spans = spans.to_vec();
        let mut scratch = JoinScratch::default();
        join_org_of(&words, 0..words.len(), &mut spans, &mut scratch);
        spans
            .iter()
            .zip(scratch.joined)
            .map(|(s, j)| {
                format!(
                    "{}{} {}",
                    s.2,
                    if j { "*" } else { "" },
                    words[s.0..s.1].join(" ")
                )
            })
            .collect()
    }

    #[test]
    fn org_of_names_join() {
        let text = "a member of the Standing Committee of the Political Bureau of the CPC Central Committee and the Secretariat of the CPC Central Committee";
        assert_eq!(
            join(text, &[(4, 6, 1), (8, 10, 1), (12, 15, 1), (20, 23, 1)]),
            [
                "1* Standing Committee of the Political Bureau of the CPC Central Committee",
                "1* Secretariat of the CPC Central Committee"
            ]
        );
        // A head-less ORG, or a LOC on the left, stays as it is.
        assert_eq!(
            join("Reuters of the Bank of England", &[(0, 1, 1), (3, 6, 1)]),
            ["1 Reuters", "1 Bank of England"]
        );
        assert_eq!(
            join("the Bank of China said", &[(1, 2, 1), (3, 4, 2)]),
            ["1* Bank of China"]
        );
        assert_eq!(
            join("President of the United States", &[(3, 5, 2)]),
            ["2 United States"]
        );
    }

    #[test]
    fn org_names_join_past_an_abbreviation() {
        // The caption of the seed article: the chain goes on past `(CPC)`
        // to the head word of `Central Committee`, whether the model
        // tagged the abbreviation and the continuation or not.
        let text = "a member of the Standing Committee of the Political Bureau of the Communist Party of China ( CPC ) Central Committee and";
        let whole = ["1* Standing Committee of the Political Bureau of the Communist Party of China ( CPC ) Central Committee"];
        let spans = [(4, 6, 1), (8, 10, 1), (12, 16, 1), (17, 18, 1), (19, 21, 1)];
        assert_eq!(join(text, &spans), whole);
        assert_eq!(join(text, &[(4, 6, 1), (8, 10, 1), (12, 16, 1)]), whole);
        // A model ORG alone takes the abbreviation and continuation too.
        assert_eq!(
            join(
                "the Communist Party of China ( CPC ) Central Committee said",
                &[(1, 5, 1), (6, 7, 1)]
            ),
            ["1* Communist Party of China ( CPC ) Central Committee"]
        );
        // No continuation with a head word, a lower-case word in brackets,
        // or a place before the brackets: nothing joins.
        assert_eq!(
            join(
                "the Communist Party of China ( CPC ) Chairman Mao",
                &[(1, 5, 1), (6, 7, 1), (8, 10, 0)]
            ),
            ["1 Communist Party of China", "1 CPC", "0 Chairman Mao"]
        );
        assert_eq!(
            join("the Bank of England ( pictured ) Court said", &[(1, 4, 1)]),
            ["1 Bank of England"]
        );
        assert_eq!(
            join(
                "in China ( PRC ) State Council",
                &[(1, 2, 2), (3, 4, 2), (5, 7, 1)]
            ),
            ["2 China", "2 PRC", "1 State Council"]
        );
    }
}
