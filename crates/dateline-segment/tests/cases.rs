//! Table-driven sentence boundary cases: Golden-Rules style English cases
//! and the news patterns the segmenter knows about, all through `check`.

use dateline_core::{validate, Doc, Stage};
use dateline_segment::Segmenter;
use dateline_tokenize::Tokenizer;

/// Tokenizes and segments `text`, validates the document and compares the
/// sentences' text with `expected`.
#[track_caller]
fn check(text: &str, expected: &[&str]) {
    let mut doc = Doc::new("case", text).expect("small text");
    Tokenizer::default().process(&mut doc).expect("tokenize");
    Segmenter::default().process(&mut doc).expect("segment");
    validate(&doc).expect("valid document");
    let got: Vec<&str> = doc.sentences().iter().map(|s| doc.slice(s.span)).collect();
    assert_eq!(got, expected, "in {text:?}");
}

#[test]
fn plain_stops() {
    check(
        "Hello World. My name is Jonas.",
        &["Hello World.", "My name is Jonas."],
    );
    check(
        "What is your name? My name is Jonas.",
        &["What is your name?", "My name is Jonas."],
    );
    check("There it is! I found it.", &["There it is!", "I found it."]);
    check(
        "Hello!! Long time no see.",
        &["Hello!!", "Long time no see."],
    );
    check("Hello?! Is that you?", &["Hello?!", "Is that you?"]);
    check(
        "She has $100.00. It is in her bag.",
        &["She has $100.00.", "It is in her bag."],
    );
    check(
        "She has $100.00 in her bag.",
        &["She has $100.00 in her bag."],
    );
}

#[test]
fn abbreviations_and_titles() {
    check(
        "Dr. Smith met Sen. Warren today.",
        &["Dr. Smith met Sen. Warren today."],
    );
    check(
        "They closed the deal with Pitt, Briggs & Co. It closed yesterday.",
        &[
            "They closed the deal with Pitt, Briggs & Co.",
            "It closed yesterday.",
        ],
    );
    check(
        "They closed the deal with Pitt, Briggs & Co. at noon.",
        &["They closed the deal with Pitt, Briggs & Co. at noon."],
    );
    check(
        "Let's ask Jane and co. They should know.",
        &["Let's ask Jane and co.", "They should know."],
    );
    check(
        "I can see Mt. Fuji from here.",
        &["I can see Mt. Fuji from here."],
    );
    check("Please turn to p. 55.", &["Please turn to p. 55."]);
    check(
        "Shares of Acme Corp. rose. The deal was signed by Acme Corp. The shares rose.",
        &[
            "Shares of Acme Corp. rose.",
            "The deal was signed by Acme Corp.",
            "The shares rose.",
        ],
    );
    check(
        "The meeting is on Jan. 7 in Paris. It was set in Jan. The date holds.",
        &[
            "The meeting is on Jan. 7 in Paris.",
            "It was set in Jan.",
            "The date holds.",
        ],
    );
    check(
        "At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith then went to the store.",
        &[
            "At 5 a.m. Mr. Smith went to the bank.",
            "He left the bank at 6 P.M.",
            "Mr. Smith then went to the store.",
        ],
    );
}

#[test]
fn acronyms_at_the_end_and_inside() {
    check(
        "I live in the U.S. How about you?",
        &["I live in the U.S.", "How about you?"],
    );
    check(
        "I live in the E.U. How about you?",
        &["I live in the E.U.", "How about you?"],
    );
    check(
        "I work for the U.S. Government in Virginia.",
        &["I work for the U.S. Government in Virginia."],
    );
    check(
        "I have lived in the U.S. for 20 years.",
        &["I have lived in the U.S. for 20 years."],
    );
    check(
        "I visited the U.S.A. last year.",
        &["I visited the U.S.A. last year."],
    );
}

#[test]
fn initials() {
    check(
        "My name is Jonas E. Smith.",
        &["My name is Jonas E. Smith."],
    );
    check(
        "The author is J.K. Rowling of Britain.",
        &["The author is J.K. Rowling of Britain."],
    );
    check(
        "We make a good team, you and I. Did you see Albert I. Jones yesterday?",
        &[
            "We make a good team, you and I.",
            "Did you see Albert I. Jones yesterday?",
        ],
    );
}

#[test]
fn quotes_and_brackets_close_after_the_stop() {
    check(
        "She turned to him, \"This is great.\" She held the book out to show him.",
        &[
            "She turned to him, \"This is great.\"",
            "She held the book out to show him.",
        ],
    );
    check(
        "She turned to him, 'This is great.' she said.",
        &["She turned to him, 'This is great.' she said."],
    );
    check(
        "\"Stop!\" he shouted. \"The bridge is out.\" She asked, \"Are you sure?\" and turned back.",
        &["\"Stop!\" he shouted.", "\"The bridge is out.\"", "She asked, \"Are you sure?\" and turned back."],
    );
    check(
        "The minister (who spoke on condition of anonymity.) left early. He said the plan was \"final.\" Then he left.",
        &[
            "The minister (who spoke on condition of anonymity.) left early.",
            "He said the plan was \"final.\"",
            "Then he left.",
        ],
    );
    check(
        "He teaches science (He previously worked for 5 years as an engineer.) at the local University.",
        &["He teaches science (He previously worked for 5 years as an engineer.) at the local University."],
    );
    check(
        "The company, Acme Corp. (NYSE: ACME), reported a loss.",
        &["The company, Acme Corp. (NYSE: ACME), reported a loss."],
    );
}

#[test]
fn ellipses() {
    check(
        "I never meant that.... She left the store.",
        &["I never meant that....", "She left the store."],
    );
    check(
        "I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing is . . . I didn’t mean it.",
        &["I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing is . . . I didn’t mean it."],
    );
    check(
        "One habit was weakened . . . was that of combining words. . . . The practice was not abandoned. . . .",
        &[
            "One habit was weakened . . . was that of combining words.",
            ". . . The practice was not abandoned. . . .",
        ],
    );
    check(
        "indicate the end with a period . . . . Next sentence.",
        &["indicate the end with a period . . . .", "Next sentence."],
    );
}

#[test]
fn numbered_and_bulleted_lists() {
    check(
        "1.) The first item 2.) The second item",
        &["1.) The first item", "2.) The second item"],
    );
    check(
        "1) The first item. 2) The second item.",
        &["1) The first item.", "2) The second item."],
    );
    check(
        "1. The first item 2. The second item",
        &["1. The first item", "2. The second item"],
    );
    check(
        "• 9. The first item • 10. The second item",
        &["• 9. The first item", "• 10. The second item"],
    );
    check(
        "a. The first item b. The second item c. The third list item",
        &[
            "a. The first item",
            "b. The second item",
            "c. The third list item",
        ],
    );
    check(
        "The bank cited three reasons:\n1. Inflation remains above target.\n2. Wage growth is strong.",
        &["The bank cited three reasons:", "1. Inflation remains above target.", "2. Wage growth is strong."],
    );
}

#[test]
fn datelines_open_the_first_sentence() {
    check(
        "BEIJING, May 14 (Xinhua) -- Cai Qi met a delegation. The talks went well.",
        &[
            "BEIJING, May 14 (Xinhua) -- Cai Qi met a delegation.",
            "The talks went well.",
        ],
    );
    check(
        "WASHINGTON, Jan. 7 (Reuters) - U.S. stocks rose 1.2% on Tuesday.",
        &["WASHINGTON, Jan. 7 (Reuters) - U.S. stocks rose 1.2% on Tuesday."],
    );
    check(
        "Headline here\n\nLONDON (AP) — The Bank of England kept its rate.",
        &[
            "Headline here",
            "LONDON (AP) — The Bank of England kept its rate.",
        ],
    );
    check(
        "SAN FRANCISCO, Calif., March 3 (Reuters) - Shares fell.",
        &["SAN FRANCISCO, Calif., March 3 (Reuters) - Shares fell."],
    );
}

#[test]
fn headlines_captions_and_credits() {
    check(
        "Senior CPC official meets Mongolian delegation\n\nXinhua) 09:07, May 15, 2025\n\nCai Qi met them.",
        &["Senior CPC official meets Mongolian delegation", "Xinhua) 09:07, May 15, 2025", "Cai Qi met them."],
    );
    check(
        "Markets rally as bank holds rates\nBy Jane Doe, Staff Reporter\nLONDON, March 3 (AP) -- Rates held.",
        &["Markets rally as bank holds rates", "By Jane Doe, Staff Reporter", "LONDON, March 3 (AP) -- Rates held."],
    );
    check(
        "Cai Qi meets a delegation in Beijing, May 14, 2025. (Xinhua/Rao Aimin)\n\n(Web editor: Zhang Kaiwei, Zhong Wenxing)",
        &[
            "Cai Qi meets a delegation in Beijing, May 14, 2025. (Xinhua/Rao Aimin)",
            "(Web editor: Zhang Kaiwei, Zhong Wenxing)",
        ],
    );
    check(
        "Photo: Traders work in New York City, U.S., March 2, 2024. REUTERS/Brendan McDermid\n\n(Reporting by John Smith; Editing by Mary Jones)",
        &[
            "Photo: Traders work in New York City, U.S., March 2, 2024. REUTERS/Brendan McDermid",
            "(Reporting by John Smith; Editing by Mary Jones)",
        ],
    );
    // A wrapped line is not a headline.
    check(
        "The delegation was led by the general secretary of the\nMongolian People's Party.",
        &["The delegation was led by the general secretary of the\nMongolian People's Party."],
    );
}

#[test]
fn news_prose_stays_whole() {
    check(
        "\"We don't expect the Party's position to change,\" said Sen. Elizabeth Warren, D-Mass., adding: \"It's a long-term, well-known problem.\"",
        &["\"We don't expect the Party's position to change,\" said Sen. Elizabeth Warren, D-Mass., adding: \"It's a long-term, well-known problem.\""],
    );
    check(
        "Cai Qi, a member of the Standing Committee of the Political Bureau of the Communist Party of China (CPC) Central Committee, met Yangug Sodbaatar in Beijing on Wednesday.",
        &["Cai Qi, a member of the Standing Committee of the Political Bureau of the Communist Party of China (CPC) Central Committee, met Yangug Sodbaatar in Beijing on Wednesday."],
    );
}

#[test]
fn web_text() {
    check(
        "Her email is Jane.Doe@example.com. I sent her an email.",
        &["Her email is Jane.Doe@example.com.", "I sent her an email."],
    );
    check(
        "The site is: https://www.example.50.com/new-site/awesome_content.html. Please check it out.",
        &["The site is: https://www.example.50.com/new-site/awesome_content.html.", "Please check it out."],
    );
    check(
        "She works at Yahoo! in the accounting department.",
        &["She works at Yahoo! in the accounting department."],
    );
}

#[test]
fn cjk_stops_need_no_space() {
    check(
        "北京会见了代表团。双方进行了会谈。",
        &["北京会见了代表团。", "双方进行了会谈。"],
    );
}

#[test]
fn degenerate_input() {
    check("", &[]);
    check("   \n\n  ", &[]);
    check("word", &["word"]);
    check(". . . .", &[". . . ."]);
    check("\n\n\n...\n\n\n", &["..."]);
}

#[test]
fn web_text_endings() {
    check(
        "Please join our growing family !!!! :-) See you there.",
        &["Please join our growing family !!!! :-)", "See you there."],
    );
    // An emoticon ends a sentence as a full stop does, wherever the fast
    // paths or the rules settle the gap.
    check(
        "That was great :P Next time we go.",
        &["That was great :P", "Next time we go."],
    );
    check(
        "That was great :D (Next time) we go.",
        &["That was great :D", "(Next time) we go."],
    );
    check(
        "Scored 3 :P Next time we go.",
        &["Scored 3 :P", "Next time we go."],
    );
    check(
        "(We check in early and fly next day. ) Hop onto a bus.",
        &["(We check in early and fly next day. )", "Hop onto a bus."],
    );
    // Mail headers, split as UD English EWT splits them.
    check(
        "Kay Mann 04/26/2001 07:17 AM Will you be providing a version?",
        &[
            "Kay Mann",
            "04/26/2001 07:17 AM",
            "Will you be providing a version?",
        ],
    );
}

#[test]
fn web_text_rules() {
    check(
        "the peace endeavors in the region . . . This operation would help.",
        &[
            "the peace endeavors in the region . . .",
            "This operation would help.",
        ],
    );
    check(
        "the counterparty should be CCGM, L.P.. Further, she said no.",
        &[
            "the counterparty should be CCGM, L.P..",
            "Further, she said no.",
        ],
    );
    check(
        "See the attached file. Kindest regards, Debra Perlingiere",
        &[
            "See the attached file.",
            "Kindest regards,",
            "Debra Perlingiere",
        ],
    );
    check(
        "replacing Steffen W. Graae. *** Bush also nominated A. Noel Anketell.",
        &[
            "replacing Steffen W. Graae. ***",
            "Bush also nominated A. Noel Anketell.",
        ],
    );
}

#[test]
fn lines_of_tables_and_labels() {
    check(
        "Scorers:\nGloria Bistrita - Ilie Lazar (32nd), Eugen Voica (84th)",
        &[
            "Scorers:",
            "Gloria Bistrita - Ilie Lazar (32nd), Eugen Voica (84th)",
        ],
    );
    check(
        "NEW YORK 72 53 .576 -\nBALTIMORE 67 58 .536 5",
        &["NEW YORK 72 53 .576 -", "BALTIMORE 67 58 .536 5"],
    );
    // Wrapped lines carry on after a comma or before a lower-case word.
    check(
        "Wasim Akram 25-8-61-1, Waqar Younis 20-6-70-2,\nAamir Sohail 6-1-17-0",
        &["Wasim Akram 25-8-61-1, Waqar Younis 20-6-70-2,\nAamir Sohail 6-1-17-0"],
    );
    check(
        "Results from the Canadian Open\ntennis tournament on Wednesday.",
        &["Results from the Canadian Open\ntennis tournament on Wednesday."],
    );
    check(
        "BRUSSELS 1996-08-22\n\nThe European Commission said on Thursday it disagreed.",
        &[
            "BRUSSELS 1996-08-22",
            "The European Commission said on Thursday it disagreed.",
        ],
    );
}
