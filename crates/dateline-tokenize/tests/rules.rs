//! Table-driven tests of the tokenisation conventions, one `check` per case:
//! the input and the exact token texts expected.

use dateline_core::{validate, Doc, Stage, TokenKind};
use dateline_tokenize::Tokenizer;

/// Tokenizes `input`, checks the document invariants, and compares the
/// token texts with `expected`.
#[track_caller]
fn check(input: &str, expected: &[&str]) {
    let tokens = tokens(input, &Tokenizer::default());
    assert_eq!(tokens, expected, "tokens of {input:?}");
}

/// Like [`check`], with the kind of each token too.
#[track_caller]
fn check_kinds(input: &str, expected: &[(&str, TokenKind)]) {
    let mut doc = Doc::new("test", input).unwrap();
    Tokenizer::default().process(&mut doc).unwrap();
    validate(&doc).unwrap();
    let got: Vec<(&str, TokenKind)> = doc
        .tokens()
        .iter()
        .map(|t| (doc.slice(t.span), t.kind))
        .collect();
    assert_eq!(got, expected, "tokens of {input:?}");
}

fn tokens<'t>(input: &'t str, tokenizer: &Tokenizer) -> Vec<&'t str> {
    let mut doc = Doc::new("test", input).unwrap();
    tokenizer.process(&mut doc).unwrap();
    validate(&doc).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    doc.tokens()
        .iter()
        .map(|t| &input[t.span.range()])
        .collect()
}

#[test]
fn punctuation_and_brackets() {
    check("Hello, world!", &["Hello", ",", "world", "!"]);
    check("(Reuters) -", &["(", "Reuters", ")", "-"]);
    check(
        "[sic]; {x}: y",
        &["[", "sic", "]", ";", "{", "x", "}", ":", "y"],
    );
    check("((nested))", &["(", "(", "nested", ")", ")"]);
    check("Really?! No...", &["Really", "?!", "No", "..."]);
    check("end.The", &["end", ".", "The"]);
    check("a/b", &["a", "/", "b"]);
}

#[test]
fn quotes() {
    check(
        "\"Stop!\" he said.",
        &["\"", "Stop", "!", "\"", "he", "said", "."],
    );
    check("“quoted” ‘here’", &["“", "quoted", "”", "‘", "here", "’"]);
    check("«Oui»", &["«", "Oui", "»"]);
    check("''Hi'' ``there''", &["''", "Hi", "''", "``", "there", "''"]);
    check("’’ ‘’", &["’’", "‘’"]);
    check("'Hello'", &["'", "Hello", "'"]);
}

#[test]
fn contractions_and_possessives() {
    check("don't", &["do", "n't"]);
    check("can't won't", &["ca", "n't", "wo", "n't"]);
    check(
        "I'm we'll they've she'd you're",
        &[
            "I", "'m", "we", "'ll", "they", "'ve", "she", "'d", "you", "'re",
        ],
    );
    check("Party's", &["Party", "'s"]);
    check(
        "don’t it’s Party’s",
        &["do", "n’t", "it", "’s", "Party", "’s"],
    );
    check("DON'T", &["DO", "N'T"]);
    check("parents' bees’", &["parents", "'", "bees", "’"]);
    check("O'Connell Shi'ite", &["O'Connell", "Shi'ite"]);
    check(
        "the 1990's and '60s in '72",
        &["the", "1990's", "and", "'60s", "in", "'72"],
    );
    check(
        "cannot gonna Wanna",
        &["can", "not", "gon", "na", "Wan", "na"],
    );
    check("mama`s", &["mama", "`s"]);
}

#[test]
fn abbreviations_and_initials() {
    check(
        "Mr. Smith met Dr. Jones",
        &["Mr.", "Smith", "met", "Dr.", "Jones"],
    );
    check("U.S. stocks", &["U.S.", "stocks"]);
    check("Acme Inc. said", &["Acme", "Inc.", "said"]);
    check("on Jan. 7", &["on", "Jan.", "7"]);
    check(
        "J.K. Rowling and J. K. Rowling",
        &["J.K.", "Rowling", "and", "J.", "K.", "Rowling"],
    );
    check("at 3 p.m. today", &["at", "3", "p.m.", "today"]);
    check(
        "i.e. e.g. a.k.a. Ph.D. x",
        &["i.e.", "e.g.", "a.k.a.", "Ph.D.", "x"],
    );
    check(
        "No. 5 and said no.",
        &["No.", "5", "and", "said", "no", "."],
    );
    check("Dr.Michael", &["Dr.", "Michael"]);
    // A sentence-final abbreviation gives its period to the sentence.
    check(
        "apples, pears, etc. The end",
        &["apples", ",", "pears", ",", "etc", ".", "The", "end"],
    );
    check(
        "pears, etc. and more",
        &["pears", ",", "etc.", "and", "more"],
    );
    check("in the U.S.\nNext", &["in", "the", "U.S", ".", "Next"]);
    check("a Ph.D.", &["a", "Ph.D", "."]);
    check("at 5 p.m. The", &["at", "5", "p.m", ".", "The"]);
    check("Acme Inc..", &["Acme", "Inc.", "."]);
    check("so am I.", &["so", "am", "I", "."]);
}

#[test]
fn numbers() {
    check("1,200.50 and 3.2", &["1,200.50", "and", "3.2"]);
    check(
        "at 09:07 on 2025-05-14",
        &["at", "09:07", "on", "2025-05-14"],
    );
    check("won 3-1", &["won", "3", "-", "1"]);
    check("1969-1970", &["1969", "-", "1970"]);
    check(
        "call 713-853-3989 or 555-1234",
        &["call", "713-853-3989", "or", "555-1234"],
    );
    check("9/11 and 192.168.0.1", &["9/11", "and", "192.168.0.1"]);
    check("3,40 Euros", &["3,40", "Euros"]);
    check("$.04", &["$", ".04"]);
    check(
        "+44 171 (+3.5) -5 a+1",
        &["+44", "171", "(", "+3.5", ")", "-", "5", "a", "+", "1"],
    );
    check("15th 1990s 3D", &["15th", "1990s", "3D"]);
    check(
        "3pm 35mm 2.5bn $170m",
        &["3", "pm", "35", "mm", "2.5", "bn", "$", "170", "m"],
    );
    check("3p.m. on", &["3", "p.m.", "on"]);
    check("1.", &["1", "."]);
}

#[test]
fn currency_and_percent() {
    check("$4.5 billion", &["$", "4.5", "billion"]);
    check("5% and 20°C", &["5", "%", "and", "20", "°", "C"]);
    check(
        "€12.50, £3, ¥100",
        &["€", "12.50", ",", "£", "3", ",", "¥", "100"],
    );
    check("all about the $$$.", &["all", "about", "the", "$$$", "."]);
    check(
        "US$5 and HK$1.2bn",
        &["US$", "5", "and", "HK$", "1.2", "bn"],
    );
}

#[test]
fn urls_emails_handles_hashtags() {
    check_kinds(
        "See https://www.example.com/news/2025/05/14/story.html?ref=home.",
        &[
            ("See", TokenKind::Word),
            (
                "https://www.example.com/news/2025/05/14/story.html?ref=home",
                TokenKind::Url,
            ),
            (".", TokenKind::Punct),
        ],
    );
    check("(http://x.org/a_(b))", &["(", "http://x.org/a_(b)", ")"]);
    check(
        "www.example.org, example.com/path",
        &["www.example.org", ",", "example.com/path"],
    );
    check_kinds(
        "write to press@example.org.",
        &[
            ("write", TokenKind::Word),
            ("to", TokenKind::Word),
            ("press@example.org", TokenKind::Email),
            (".", TokenKind::Punct),
        ],
    );
    check("mailto:a.b@c.com", &["mailto:a.b@c.com"]);
    check_kinds(
        "@dateline_news #BreakingNews #1",
        &[
            ("@dateline_news", TokenKind::Mention),
            ("#BreakingNews", TokenKind::Hashtag),
            ("#", TokenKind::Symbol),
            ("1", TokenKind::Number),
        ],
    );
    check(
        "report.pdf (draft).doc",
        &["report.pdf", "(", "draft", ")", ".doc"],
    );
    check("comp.sources.unix", &["comp.sources.unix"]);
}

#[test]
fn hyphens() {
    check(
        "well-known search-engine",
        &["well", "-", "known", "search", "-", "engine"],
    );
    check(
        "e-mail non-profit re-elect",
        &["e-mail", "non-profit", "re-elect"],
    );
    check("anti-war -- who", &["anti-war", "--", "who"]);
    let keep = Tokenizer::builder().split_hyphens(false).build();
    assert_eq!(
        tokens("well-known long-term 3-1", &keep),
        ["well-known", "long-term", "3", "-", "1"]
    );
    check("AT&T R&D b/c w/o", &["AT&T", "R&D", "b/c", "w/o"]);
}

#[test]
fn ellipses_and_dashes() {
    check("Wait... what…", &["Wait", "...", "what", "…"]);
    check(
        "yes — no – maybe -- so ——",
        &["yes", "—", "no", "–", "maybe", "--", "so", "——"],
    );
    check("***  ===", &["***", "==="]);
}

#[test]
fn emoji_and_symbols() {
    // Skin tone, ZWJ family, flag, keycap: each one token.
    check("👍🏽 👨‍👩‍👧 🇲🇳🇨🇳 1️⃣ 🙂", &["👍🏽", "👨‍👩‍👧", "🇲🇳", "🇨🇳", "1️⃣", "🙂"]);
    check("ok👍", &["ok", "👍"]);
    check("a © b ™ c", &["a", "©", "b", "™", "c"]);
    check(":) :-( <3", &[":)", ":-(", "<3"]);
}

#[test]
fn cjk_and_other_scripts() {
    check("北京 (新华社)", &["北", "京", "(", "新", "华", "社", ")"]);
    check(
        "Café Zürich naïve Улаанбаатар",
        &["Café", "Zürich", "naïve", "Улаанбаатар"],
    );
    // Decomposed: `e` followed by U+0301 stays one word.
    check(
        "Cafe\u{301} re\u{301}sume\u{301}",
        &["Cafe\u{301}", "re\u{301}sume\u{301}"],
    );
    // A soft hyphen stays inside its word.
    check("co\u{ad}operation", &["co\u{ad}operation"]);
}

#[test]
fn whitespace_and_control_characters() {
    check("a\u{a0}b\u{2003}c\u{3000}d", &["a", "b", "c", "d"]);
    check("a\0b\u{7}c", &["a", "\0", "b", "\u{7}", "c"]);
    check(" \u{301}x", &["\u{301}", "x"]);
    check("\u{200b}", &["\u{200b}"]);
    check("", &[]);
    check(" \n\t ", &[]);
}

#[test]
fn stage_interface() {
    let tokenizer = Tokenizer::default();
    assert_eq!(tokenizer.name(), "tokenize");
    assert_eq!(tokenizer.provides(), [dateline_core::Layer::Tokens]);
    let mut out = vec![];
    tokenizer.tokenize_into("a b", &mut out);
    tokenizer.tokenize_into("c", &mut out);
    assert_eq!(out.len(), 3, "tokenize_into appends");
}

#[test]
fn adversarial_inputs_are_linear() {
    let tokenizer = Tokenizer::default();
    let start = std::time::Instant::now();
    // A megabyte of one punctuation character is one token.
    for c in ['.', '-', '!', '*', '('] {
        let text = c.to_string().repeat(1 << 20);
        let n = tokenizer.tokenize(&text).len();
        assert!(n == 1 || n == 1 << 20, "{c}: {n} tokens");
    }
    // Long runs without whitespace of the shapes the rules look ahead on.
    for unit in [
        "a.", "a-", "1-", "1.", "a@", "a.b", "x'", "U.S.", "1,", "@a.", "ab.cd.",
    ] {
        let text = unit.repeat(1 << 18);
        let tokens = tokenizer.tokenize(&text);
        assert!(!tokens.is_empty());
    }
    // Deeply nested brackets.
    let text = format!("{}x{}", "(".repeat(1 << 19), ")".repeat(1 << 19));
    assert_eq!(tokenizer.tokenize(&text).len(), (1 << 20) + 1);
    // Generous: a quadratic scan would take minutes.
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}
