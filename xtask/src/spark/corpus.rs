//! A synthetic news corpus for the Spark check, made from templates, names,
//! places, dates and numbers with a fixed seed, so every run (and every
//! machine) writes the same bytes and nothing licensed is redistributed.
//!
//! Besides ordinary articles it holds the records a distributed run gets
//! wrong first: non-ASCII and multi-byte text, characters some readers take
//! for line breaks (U+2028, U+0085, CR), an empty text, records without an
//! id, lines that are not JSON objects, fields that must pass through
//! untouched, blank lines, and a directory of `.txt` files with a
//! byte-order mark, CRLF line ends, invalid UTF-8 and a file to be skipped.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{json, Value};

/// What was written, for the comparison to know which records are which.
#[derive(Debug)]
pub struct Corpus {
    /// Non-blank lines of `corpus.jsonl`: one output record each.
    pub jsonl_records: usize,
    /// Line numbers (from 1) of `corpus.jsonl` records that have no id of
    /// their own, so dateline names them after the file and line.
    pub unnamed_lines: Vec<usize>,
    /// `.txt` files under `txt/`: one output record each.
    pub txt_files: usize,
}

/// SplitMix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SEED: u64 = 0x0da7_e11e_2025_0514;

const FIRST: &[&str] = &[
    "Maria",
    "James",
    "Li",
    "Ahmed",
    "Olga",
    "Kwame",
    "Priya",
    "Thomas",
    "Ana",
    "Yuki",
    "David",
    "Fatima",
    "Jean",
    "Elena",
    "Samuel",
    "Grace",
    "José",
    "Zoë",
    "Søren",
    "Małgorzata",
    "François",
    "Çağla",
    "Dmitri",
    "Nguyễn Văn",
];
const LAST: &[&str] = &[
    "Smith",
    "Chen",
    "Okafor",
    "Petrova",
    "Haddad",
    "Johnson",
    "Mensah",
    "Sato",
    "Rossi",
    "Novak",
    "García",
    "Müller",
    "Kowalczyk",
    "Øster",
    "Lefèvre",
    "Yılmaz",
    "Andersson",
    "Costa",
    "Ivanov",
    "Zhang",
];
const TITLES: &[&str] = &[
    "President",
    "Prime Minister",
    "Finance Minister",
    "chief executive",
    "spokeswoman",
    "spokesman",
    "Governor",
    "analyst",
];
/// City, its country, and the country's adjective.
const PLACES: &[(&str, &str, &str)] = &[
    ("Beijing", "China", "Chinese"),
    ("London", "Britain", "British"),
    ("Nairobi", "Kenya", "Kenyan"),
    ("São Paulo", "Brazil", "Brazilian"),
    ("Zürich", "Switzerland", "Swiss"),
    ("Kraków", "Poland", "Polish"),
    ("Lagos", "Nigeria", "Nigerian"),
    ("Reykjavík", "Iceland", "Icelandic"),
    ("Montréal", "Canada", "Canadian"),
    ("Tokyo", "Japan", "Japanese"),
    ("Frankfurt", "Germany", "German"),
    ("Mumbai", "India", "Indian"),
    ("Ulaanbaatar", "Mongolia", "Mongolian"),
    ("Istanbul", "Turkey", "Turkish"),
    ("Seoul", "South Korea", "South Korean"),
    ("Mexico City", "Mexico", "Mexican"),
];
const ORGS: &[&str] = &[
    "the World Bank",
    "the United Nations",
    "the European Commission",
    "the Federal Reserve",
    "the International Monetary Fund",
    "Siemens AG",
    "Petrobras",
    "Toyota Motor Corp",
    "the African Union",
    "Deutsche Bank",
    "the Bank of England",
    "Samsung Electronics",
    "the World Health Organization",
    "Nestlé",
];
const AGENCIES: &[&str] = &["Reuters", "AP", "AFP", "Xinhua", "dpa", "Kyodo"];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const TOPICS: &[&str] = &[
    "trade",
    "climate finance",
    "interest rates",
    "vaccine supply",
    "port expansion",
    "debt relief",
    "energy prices",
    "rail links",
];
const SENTENCES: &[&str] = &[
    "{TITLE} {PER} said on {WEEKDAY} that {ORG} would invest {MONEY} in {COUNTRY} over the next {SMALL} years.",
    "Shares of {ORG} rose {PCT} to {PRICE} in {CITY} trading, their best day since {MONTH}.",
    "\"We are confident the talks will succeed,\" {PER} told reporters at {TIME} local time.",
    "The meeting in {CITY} on {DATE} was attended by delegations from {SMALL} countries.",
    "{PER} of {ORG} met {PER2} in {CITY}, {COUNTRY}, to discuss {TOPIC}.",
    "Unemployment in {COUNTRY} fell to {PCT} in {MONTH}, the lowest level since {YEAR}, according to {ORG}.",
    "Heavy rain is expected in {CITY} on {WEEKDAY}, with temperatures near {SMALL} degrees Celsius.",
    "Mr. {LAST} declined to comment on the {ADJ} proposal.",
    "The {ADJ} government approved a budget of {MONEY} for {TOPIC} on {DATE}.",
    "About {BIG} people gathered in central {CITY} on {WEEKDAY} evening.",
    "{ORG} cut its growth forecast for {COUNTRY} to {PCT} from {PCT2}.",
    "Officials said the agreement on {TOPIC} could be signed as early as {MONTH} {YEAR}.",
    "Talks resumed at 10:30 a.m. on {WEEKDAY}, {PER} said in a statement posted at {URL}.",
    "Inflation reached {PCT}, while the central bank kept its key rate at {PCT2} (see p. {SMALL}).",
];

/// Writes `corpus.jsonl`, an empty `empty.jsonl` and the `txt/` directory
/// into `dir`, which must exist and be empty.
pub fn write(dir: &Path, jsonl_docs: usize, txt_docs: usize) -> Result<Corpus> {
    let mut rng = Rng(SEED);
    let mut lines: Vec<String> = Vec::new();
    let mut unnamed_lines = Vec::new();
    let mut jsonl_records = 0;
    let mut push = |lines: &mut Vec<String>, line: String, named: bool| {
        lines.push(line);
        jsonl_records += 1;
        if !named {
            unnamed_lines.push(lines.len());
        }
    };

    for n in 1..=jsonl_docs {
        let id = format!("doc-{n:04}");
        let text = article(&mut rng);
        let mut record = json!({ "id": id, "text": text });
        add_fields(&mut rng, &mut record, n);
        push(&mut lines, record.to_string(), true);
        // Spacers hold no document, in dateline and in the job alike.
        if n % 50 == 0 {
            lines.push(String::new());
        }
        if n % 77 == 0 {
            lines.push(" \t ".to_owned());
        }
    }
    for (record, named) in special_records(&mut rng) {
        push(&mut lines, record, named);
    }
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(dir.join("corpus.jsonl"), text).context("writing corpus.jsonl")?;
    fs::write(dir.join("empty.jsonl"), "").context("writing empty.jsonl")?;

    let txt = dir.join("txt");
    let mut txt_files = 0;
    for n in 1..=txt_docs {
        let sub = ["world", "world/asia", "business", ""][n % 4];
        let folder = txt.join(sub);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join(format!("story-{n:03}.txt")), article(&mut rng))?;
        txt_files += 1;
    }
    let bom = format!("\u{FEFF}{}", article(&mut rng));
    let crlf = article(&mut rng).replace('\n', "\r\n");
    let mut invalid = article(&mut rng).into_bytes();
    invalid.extend_from_slice(b" caf\xE9 \xFF\xFE end.");
    let specials: [(&str, Vec<u8>); 4] = [
        ("bom.txt", bom.into_bytes()),
        ("crlf.txt", crlf.into_bytes()),
        ("latin1.txt", invalid),
        ("empty.txt", Vec::new()),
    ];
    for (name, bytes) in specials {
        fs::write(txt.join("business").join(name), bytes)?;
        txt_files += 1;
    }
    // Not a .txt file: neither dateline nor the job reads it.
    fs::write(txt.join("README.md"), "# not a document\n")?;

    Ok(Corpus {
        jsonl_records,
        unnamed_lines,
        txt_files,
    })
}

/// Fields the job must carry through untouched: strings, numbers beyond
/// what a double holds exactly, floats, booleans, null, arrays, nested
/// objects (one with an `id` of its own).
fn add_fields(rng: &mut Rng, record: &mut Value, n: usize) {
    let object = record.as_object_mut().expect("a record is an object");
    object.insert("source".into(), json!(rng.pick(AGENCIES)));
    object.insert(
        "published".into(),
        json!(format!(
            "2025-{:02}-{:02}T{:02}:{:02}:00Z",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60)
        )),
    );
    if n % 3 == 0 {
        object.insert("tags".into(), json!([rng.pick(TOPICS), rng.pick(TOPICS)]));
    }
    if n % 5 == 0 {
        object.insert(
            "meta".into(),
            json!({ "id": n, "priority": n % 10 == 0, "editor": null, "score": 0.75 }),
        );
    }
    if n % 7 == 0 {
        object.insert("serial".into(), json!(9_007_199_254_740_993_u64));
    }
}

/// Records whose handling differs from an ordinary article's, with whether
/// each names itself (has an id dateline takes).
fn special_records(rng: &mut Rng) -> Vec<(String, bool)> {
    let seoul = "서울, 5월 14일 (연합뉴스) -- 정부는 수요일 새 예산안을 발표했다.";
    let beijing = "北京5月14日电 国家主席在人民大会堂会见了蒙古人民党主席。";
    let mixed = format!(
        "ATHENS, May 14 (Reuters) -- Greek officials in Αθήνα met {} on Wednesday. \
         Costs rose 5 % to €1,200 — a record 🙂.\u{2028}Next line after a line separator, \
         and another\u{0085}after a next-line character.\n\nFinal paragraph with tabs\tand \
         a carriage return\r\nhere.",
        "Zoë Øster"
    );
    let long = (0..25)
        .map(|_| paragraph(rng))
        .collect::<Vec<_>>()
        .join("\n\n");
    vec![
        (
            json!({"id": "empty-text", "text": "", "source": "test"}).to_string(),
            true,
        ),
        (
            json!({"id": "blank-text", "text": " \n\t \n"}).to_string(),
            true,
        ),
        (
            json!({"id": "one-word", "text": "Reuters"}).to_string(),
            true,
        ),
        (
            json!({"id": "korean", "text": seoul, "lang": "ko"}).to_string(),
            true,
        ),
        (
            json!({"id": "chinese", "text": beijing, "lang": "zh"}).to_string(),
            true,
        ),
        (
            json!({"id": "mixed-scripts", "text": mixed}).to_string(),
            true,
        ),
        (json!({"id": "long", "text": long}).to_string(), true),
        // The id is written with a \u escape: what counts is the parsed key.
        (
            r#"{"\u0069d":"escaped-id","text":"Prime Minister Ana Costa visited Kraków."}"#
                .to_owned(),
            true,
        ),
        (
            json!({"id": 100_001, "text": "A numeric id is kept as its JSON text."}).to_string(),
            true,
        ),
        (
            json!({"id": "no-text", "title": "A record without its text field"}).to_string(),
            true,
        ),
        (
            json!({"id": "text-not-string", "text": 42}).to_string(),
            true,
        ),
        // No id: dateline names these after the file and line.
        (
            json!({"text": article(rng), "source": "wire"}).to_string(),
            false,
        ),
        (json!({"id": null, "text": article(rng)}).to_string(), false),
        (
            r#"{"id": "broken", "text": "an unterminated string"#.to_owned(),
            false,
        ),
        (
            r#"["a", "list", "is", "not", "a", "document"]"#.to_owned(),
            false,
        ),
    ]
}

fn article(rng: &mut Rng) -> String {
    let (city, _, _) = PLACES[rng.below(PLACES.len())];
    let headline = format!(
        "{} and {} agree on {}",
        PLACES[rng.below(PLACES.len())].1,
        rng.pick(ORGS),
        rng.pick(TOPICS)
    );
    let dateline = format!(
        "{}, {} {} ({}) -- ",
        city.to_uppercase(),
        rng.pick(MONTHS),
        1 + rng.below(28),
        rng.pick(AGENCIES)
    );
    let paragraphs = 1 + rng.below(5);
    let mut text = String::new();
    if rng.chance(60) {
        text.push_str(&headline);
        text.push_str("\n\n");
    }
    text.push_str(&dateline);
    for i in 0..paragraphs {
        if i > 0 {
            text.push_str(if rng.chance(80) { "\n\n" } else { "\n" });
        }
        text.push_str(&paragraph(rng));
    }
    if rng.chance(30) {
        text.push_str(&format!(
            "\n\n(Reporting by {} {}; Editing by {} {})",
            rng.pick(FIRST),
            rng.pick(LAST),
            rng.pick(FIRST),
            rng.pick(LAST)
        ));
    }
    text
}

fn paragraph(rng: &mut Rng) -> String {
    let sentences = 1 + rng.below(4);
    (0..sentences)
        .map(|_| {
            let template = SENTENCES[rng.below(SENTENCES.len())];
            fill(rng, template)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Replaces each `{SLOT}` of a template with a fresh value; the place slots
/// of one sentence name one city, its country and its adjective.
fn fill(rng: &mut Rng, template: &str) -> String {
    let place = PLACES[rng.below(PLACES.len())];
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("slots are closed");
        out.push_str(&slot(rng, place, &rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    capitalise(&out)
}

fn slot(rng: &mut Rng, place: (&str, &str, &str), name: &str) -> String {
    match name {
        "PER" | "PER2" => format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
        "LAST" => rng.pick(LAST).to_owned(),
        "TITLE" => rng.pick(TITLES).to_owned(),
        "ORG" => rng.pick(ORGS).to_owned(),
        "CITY" => place.0.to_owned(),
        "COUNTRY" => place.1.to_owned(),
        "ADJ" => place.2.to_owned(),
        "TOPIC" => rng.pick(TOPICS).to_owned(),
        "WEEKDAY" => rng.pick(WEEKDAYS).to_owned(),
        "MONTH" => rng.pick(MONTHS).to_owned(),
        "YEAR" => (1990 + rng.below(36)).to_string(),
        "DATE" => format!(
            "{} {}, {}",
            rng.pick(MONTHS),
            1 + rng.below(28),
            2020 + rng.below(6)
        ),
        "TIME" => format!("{:02}:{:02}", rng.below(24), rng.below(60)),
        "SMALL" => (2 + rng.below(40)).to_string(),
        "BIG" => format!("{},{:03}", 1 + rng.below(90), rng.below(1000)),
        "PCT" | "PCT2" => format!("{}.{} percent", rng.below(12), rng.below(10)),
        "PRICE" => format!("{}.{:02} euros", 10 + rng.below(300), rng.below(100)),
        "MONEY" => match rng.below(3) {
            0 => format!("${}.{} billion", 1 + rng.below(50), rng.below(10)),
            1 => format!("{} million euros", 5 + rng.below(900)),
            _ => format!("£{} million", 1 + rng.below(400)),
        },
        "URL" => format!("https://news.example.org/{}", 1000 + rng.below(9000)),
        other => panic!("unknown template slot {other}"),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_writes_the_same_corpus() {
        let base =
            std::env::temp_dir().join(format!("dateline-spark-corpus-{}", std::process::id()));
        let (a, b) = (base.join("a"), base.join("b"));
        for dir in [&a, &b] {
            fs::create_dir_all(dir).unwrap();
        }
        let first = write(&a, 30, 5).unwrap();
        let second = write(&b, 30, 5).unwrap();
        let read = |dir: &Path| fs::read(dir.join("corpus.jsonl")).unwrap();
        assert_eq!(read(&a), read(&b));
        assert_eq!(first.jsonl_records, 30 + 15);
        assert_eq!(first.unnamed_lines, second.unnamed_lines);
        assert_eq!(first.txt_files, 5 + 4);
        // Every line is what the generator says it is: blank, or a record.
        let text = String::from_utf8(read(&a)).unwrap();
        let records = text.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(records, first.jsonl_records);
        for line in &first.unnamed_lines {
            let record = text.lines().nth(line - 1).unwrap();
            let named = serde_json::from_str::<Value>(record)
                .ok()
                .and_then(|v| v.get("id").filter(|id| !id.is_null()).cloned());
            assert!(named.is_none(), "line {line} has an id: {record}");
        }
        fs::remove_dir_all(&base).unwrap();
    }
}
