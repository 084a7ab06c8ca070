//! What a relayed message does to its use: when a use ends
//! ([`CompleteOn`]), and which senders a category expects, so that a forged
//! message ("Your code is 1234" texted by anyone who knows the number) is
//! shown as such and never ends a use.

use std::collections::BTreeMap;

use serde::Deserialize;

/// When a relayed code ends the holder's use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompleteOn {
    /// Never: the holder gets every message until they press Done (or
    /// Cancel) or the lease ends.
    #[default]
    Done,
    /// The first code from an expected sender completes the use.
    FirstCode,
}

/// The relay rules of `[sms]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelayRules {
    /// When a code ends a use.
    pub complete_on: CompleteOn,
    /// Category → the senders its messages are expected from; `"*"` is
    /// every category without its own list. No list: any sender.
    pub senders: BTreeMap<String, Vec<String>>,
    /// Whether the history keeps code texts.
    pub keep_codes: bool,
}

impl RelayRules {
    /// Whether a message from `sender` to a number of `category` comes from
    /// someone the category does not expect. A message without a sender is
    /// unexpected wherever a list applies: it cannot be checked.
    pub fn unexpected(&self, category: &str, sender: Option<&str>) -> bool {
        let Some(expected) = self.senders.get(category).or_else(|| self.senders.get("*")) else {
            return false;
        };
        let Some(sender) = sender else {
            return true;
        };
        !expected.iter().any(|pattern| matches(pattern, sender))
    }

    /// Whether a code in a message from an expected sender ends the use.
    pub fn completes(&self, has_code: bool, unexpected: bool) -> bool {
        has_code && !unexpected && self.complete_on == CompleteOn::FirstCode
    }
}

/// `pattern` against `sender`, case-insensitive, `*` for any run of
/// characters, spaces around both ignored.
fn matches(pattern: &str, sender: &str) -> bool {
    let pattern: Vec<char> = pattern.trim().to_lowercase().chars().collect();
    let sender: Vec<char> = sender.trim().to_lowercase().chars().collect();
    // Glob matching with one backtrack point: linear in practice.
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < sender.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, s));
            p += 1;
        } else if p < pattern.len() && pattern[p] == sender[s] {
            p += 1;
            s += 1;
        } else if let Some((sp, ss)) = star {
            p = sp + 1;
            s = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_match_names_and_patterns() {
        assert!(matches("Google", " google "));
        assert!(matches("Acme*", "ACME Bank"));
        assert!(matches("+1555*", "+15550100"));
        assert!(matches("*verify*", "MyVerifyService"));
        assert!(!matches("Google", "Googl"));
        assert!(!matches("Acme*", "NotAcme"));
        assert!(matches("*", "anyone"));
    }

    #[test]
    fn a_list_applies_to_its_category_or_to_all() {
        let mut rules = RelayRules::default();
        assert!(!rules.unexpected("UAE", Some("x")), "no list: anyone");
        rules
            .senders
            .insert("UAE".into(), vec!["Google".into(), "Acme*".into()]);
        assert!(!rules.unexpected("UAE", Some("Acme Pay")));
        assert!(rules.unexpected("UAE", Some("+971500000000")));
        assert!(rules.unexpected("UAE", None), "no sender cannot be checked");
        assert!(!rules.unexpected("Other", Some("x")), "another category");
        rules.senders.insert("*".into(), vec!["Bank".into()]);
        assert!(rules.unexpected("Other", Some("x")));
        assert!(!rules.unexpected("Other", Some("bank")));
    }

    #[test]
    fn only_an_expected_code_completes_and_only_under_first_code() {
        let mut rules = RelayRules::default();
        assert!(!rules.completes(true, false), "done: the holder ends it");
        rules.complete_on = CompleteOn::FirstCode;
        assert!(rules.completes(true, false));
        assert!(!rules.completes(true, true), "a forged code ends nothing");
        assert!(!rules.completes(false, false));
    }
}
