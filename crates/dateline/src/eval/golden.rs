//! The pySBD English "Golden Rules": 48 sentence-boundary cases, each a
//! text and the exact list of sentences expected from it.

use serde::{Deserialize, Serialize};

/// One case of `golden-rules/en.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    pub id: u32,
    pub text: String,
    pub sentences: Vec<String>,
    pub rule: String,
}

/// The outcome of one case.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub id: u32,
    pub rule: String,
    pub passed: bool,
    pub expected: Vec<String>,
    pub got: Vec<String>,
}

/// Parses the JSON list of cases.
pub fn parse_cases(json: &str) -> serde_json::Result<Vec<Case>> {
    serde_json::from_str(json)
}

/// Runs every case: `segment` returns the sentences' byte spans in the
/// text; a case passes when the sentences, trimmed, equal the expected list.
pub fn run<F>(cases: &[Case], mut segment: F) -> Vec<Outcome>
where
    F: FnMut(&str) -> Vec<(u32, u32)>,
{
    cases
        .iter()
        .map(|case| {
            let got: Vec<String> = segment(&case.text)
                .into_iter()
                .map(|(s, e)| case.text[s as usize..e as usize].trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let expected: Vec<String> = case
                .sentences
                .iter()
                .map(|s| s.trim().to_string())
                .collect();
            Outcome {
                id: case.id,
                rule: case.rule.clone(),
                passed: got == expected,
                expected,
                got,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_passes_only_on_the_exact_list() {
        let cases = parse_cases(
            r#"[{"id": 1, "text": "Hi there. Bye.", "sentences": ["Hi there.", "Bye."], "rule": "r", "rule_number": 1}]"#,
        )
        .unwrap();
        let right = run(&cases, |_| vec![(0, 9), (10, 14)]);
        assert!(right[0].passed);
        let wrong = run(&cases, |_| vec![(0, 14)]);
        assert!(!wrong[0].passed);
        assert_eq!(wrong[0].got, ["Hi there. Bye."]);
    }
}
