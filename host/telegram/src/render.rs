//! How numbot writes for Telegram: HTML escaping, counts, waits, and the
//! short keys that stand for long names in callback data.

use std::time::Duration;

use crate::i18n::Lang;

/// Escapes text for Telegram's HTML parse mode.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `1234567` -> `1,234,567` in English, `1.234.567` in Spanish.
pub fn count(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(lang.digit_group_separator());
        }
        out.push(c);
    }
    out
}

/// A wait for people, in `lang`: `45 s`, `3 min 20 s`, `2 h 5 min`.
pub fn wait(lang: Lang, d: Duration) -> String {
    let s = d.as_secs().max(1);
    match s {
        0..60 => tr!(lang, "wait-seconds", s = s),
        60..3600 if s.is_multiple_of(60) => tr!(lang, "wait-minutes", min = s / 60),
        60..3600 => tr!(lang, "wait-minutes-seconds", min = s / 60, s = s % 60),
        _ => tr!(
            lang,
            "wait-hours-minutes",
            h = s / 3600,
            min = (s % 3600) / 60
        ),
    }
}

/// A short stable key for a name in 64-byte callback data (categories and
/// file names can be longer than a button's data allows).
pub fn key(name: &str) -> String {
    numbot_core::text::sha256_hex(name.as_bytes(), 6)
}

/// The longest message Telegram takes, in UTF-16 code units (how it
/// counts: an emoji is two).
pub const MESSAGE_UNITS: usize = 4096;

/// `text` in messages Telegram takes: split at line ends into parts of at
/// most [`MESSAGE_UNITS`] UTF-16 units; a line longer than that alone is
/// cut, marked with `…` (lines of HTML keep their tags within the line, so
/// a split never opens a tag it does not close).
pub fn pages(text: &str) -> Vec<String> {
    let units = |s: &str| s.encode_utf16().count();
    let mut out: Vec<String> = Vec::new();
    let mut page = String::new();
    for line in text.split_inclusive('\n') {
        let line = if units(line) > MESSAGE_UNITS {
            let mut cut = String::new();
            for c in line.chars() {
                if units(&cut) + c.len_utf16() + 1 > MESSAGE_UNITS {
                    break;
                }
                cut.push(c);
            }
            cut.push('…');
            std::borrow::Cow::Owned(cut)
        } else {
            std::borrow::Cow::Borrowed(line)
        };
        if units(&page) + units(&line) > MESSAGE_UNITS && !page.is_empty() {
            out.push(std::mem::take(&mut page));
        }
        page.push_str(&line);
    }
    if !page.trim().is_empty() || out.is_empty() {
        out.push(page);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_become_messages_telegram_takes() {
        let units = |s: &str| s.encode_utf16().count();
        assert_eq!(pages("short"), ["short"]);
        // 3,000 emoji are 6,000 units: two messages, split at a line end.
        let line = format!("{}\n", "😀".repeat(1_000));
        let text = line.repeat(3);
        let parts = pages(&text);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| units(p) <= MESSAGE_UNITS));
        assert_eq!(parts.concat(), text, "nothing lost");
        // One line past the limit is cut.
        let long = "x".repeat(10_000);
        let parts = pages(&long);
        assert_eq!(parts.len(), 1);
        assert_eq!(units(&parts[0]), MESSAGE_UNITS);
        assert!(parts[0].ends_with('…'));
    }

    #[test]
    fn formats_counts_waits_and_html() {
        let es = Lang::from_tag("es").unwrap();
        assert_eq!(count(Lang::EN, 0), "0");
        assert_eq!(count(Lang::EN, 2500), "2,500");
        assert_eq!(count(Lang::EN, 1_234_567), "1,234,567");
        assert_eq!(count(es, 1_234_567), "1.234.567");
        let en = Lang::EN;
        assert_eq!(wait(en, Duration::from_secs(45)), "45 s");
        assert_eq!(wait(en, Duration::from_secs(200)), "3 min 20 s");
        assert_eq!(wait(en, Duration::from_secs(600)), "10 min");
        assert_eq!(wait(en, Duration::from_secs(7500)), "2 h 5 min");
        let ru = Lang::from_tag("ru").unwrap();
        assert_eq!(wait(ru, Duration::from_secs(200)), "3 мин 20 с");
        assert_eq!(html("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
        assert_eq!(key("UAE Mobile").len(), 12);
        assert_ne!(key("UAE Mobile"), key("UAE Mobile "));
    }
}
