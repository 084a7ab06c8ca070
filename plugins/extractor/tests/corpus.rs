//! The extractor against two corpora: the repository's own
//! (`corpus/otp-messages.jsonl`) and a peer corpus gathered from other
//! projects' test suites (`../shared/corpora/otp/peer-cases.jsonl`, read in
//! place). Every case must pass; a failure lists all failing cases.

use std::collections::BTreeMap;

use numbot_extractor::extract::extract;
use serde_json::Value;

/// The repository's own corpus.
const OWN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/otp-messages.jsonl");
/// The peer corpus, beside the workspace.
const PEER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpora/otp/peer-cases.jsonl"
);

/// One message and the code expected from it.
struct Case {
    line: usize,
    text: String,
    code: Option<String>,
    lang: Option<String>,
}

fn load(path: &str) -> Vec<Case> {
    let data = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    data.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 1));
            let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            Case {
                line: i + 1,
                text: field("text").unwrap_or_else(|| panic!("{path}:{}: no text", i + 1)),
                code: field("code"),
                lang: field("lang"),
            }
        })
        .collect()
}

/// Runs every case; prints all failures, then panics if there were any.
fn check(path: &str, cases: &[Case]) {
    let mut failures = 0;
    for c in cases {
        let got = extract(&c.text);
        if got != c.code {
            failures += 1;
            eprintln!(
                "FAIL {path}:{}\n  text:     {:?}\n  expected: {:?}\n  got:      {:?}",
                c.line, c.text, c.code, got
            );
        }
    }
    let passed = cases.len() - failures;
    eprintln!("{path}: {passed} of {} cases pass", cases.len());
    assert_eq!(
        failures,
        0,
        "{failures} of {} cases fail in {path}",
        cases.len()
    );
}

#[test]
fn own_corpus_passes() {
    check(OWN, &load(OWN));
}

#[test]
fn peer_corpus_passes() {
    let cases = load(PEER);
    assert_eq!(cases.len(), 230, "the peer corpus changed");
    check(PEER, &cases);
}

#[test]
fn own_corpus_is_broad() {
    let cases = load(OWN);
    assert!(cases.len() >= 150, "{} entries", cases.len());
    let without = cases.iter().filter(|c| c.code.is_none()).count();
    assert!(without >= 30, "{without} entries without a code");
    let mut langs = BTreeMap::<&str, usize>::new();
    for c in &cases {
        let lang = c
            .lang
            .as_deref()
            .unwrap_or_else(|| panic!("line {}: no lang", c.line));
        *langs.entry(lang).or_default() += 1;
    }
    assert!(langs.len() >= 8, "languages: {langs:?}");
    for lang in ["es", "pt", "fr", "de", "ru", "ar", "zh"] {
        let n = langs.get(lang).copied().unwrap_or(0);
        assert!(n >= 8, "{n} entries in {lang}");
    }
}
