//! One cell to one phone number, or the reason it is not one.

use std::borrow::Cow;

/// Reduces a cell to an optional `+` and digits, refusing formulas, text and
/// numbers that Excel has already damaged.
pub fn parse_number(cell: &str) -> Result<String, String> {
    let cell = normalize(cell);
    let mut text = cell.trim();
    // Excel's ways of keeping a number as text: a leading apostrophe, or ="...".
    text = text.strip_prefix('\'').unwrap_or(text);
    if let Some(inner) = text.strip_prefix("=\"").and_then(|t| t.strip_suffix('"')) {
        text = inner;
    } else if text.starts_with('=') {
        return Err(format!("a formula, not a number: {}", short(text)));
    }
    text = text.strip_prefix("tel:").unwrap_or(text);
    if text.is_empty() {
        return Err("empty number cell".into());
    }
    if looks_scientific(text) {
        return Err(format!(
            "scientific notation ({text}) has lost digits: format the column as text in Excel"
        ));
    }
    // `+44 (0)20 ...`: the trunk zero in brackets is not dialled internationally.
    let without_trunk;
    if text.starts_with('+') && text.contains("(0)") {
        without_trunk = text.replacen("(0)", "", 1);
        text = &without_trunk;
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push('+'),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err(format!("text, not a number: {}", short(text))),
        }
    }
    let digits = out.len() - usize::from(out.starts_with('+'));
    match digits {
        0 => Err(format!("text, not a number: {}", short(text))),
        1..=5 => Err(format!("too short to be a phone number ({digits} digits)")),
        6..=15 => Ok(out),
        _ => Err(format!(
            "too long for a phone number ({digits} digits; E.164 allows 15)"
        )),
    }
}

/// The cell as a number copied from anywhere should read: invisible format
/// characters dropped (direction marks from Arabic or Hebrew interfaces,
/// zero-width spaces and joiners, byte order marks), every kind of space as a
/// space, dashes as `-`, and Arabic-Indic, Persian and full-width digits
/// (with the full-width `+` and brackets) as ASCII.
fn normalize(cell: &str) -> Cow<'_, str> {
    if cell.is_ascii() {
        return Cow::Borrowed(cell);
    }
    Cow::Owned(
        cell.chars()
            .filter_map(|c| match c as u32 {
                0x00AD
                | 0x061C
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x2069
                | 0xFEFF => None,
                0x00A0 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => Some(' '),
                0x2010..=0x2015 | 0x2212 | 0xFE63 | 0xFF0D => Some('-'),
                0x0660..=0x0669 => char::from_digit(c as u32 - 0x0660, 10),
                0x06F0..=0x06F9 => char::from_digit(c as u32 - 0x06F0, 10),
                0xFF10..=0xFF19 => char::from_digit(c as u32 - 0xFF10, 10),
                0xFF08 | 0xFF09 | 0xFF0B | 0xFF0E | 0xFF0F => char::from_u32(c as u32 - 0xFEE0),
                _ => Some(c),
            })
            .collect(),
    )
}

/// A key that is equal for `+4915…`, `4915…`; distinct for `0123` and `123`.
pub fn dedup_key(number: &str) -> u64 {
    let digits = number.trim_start_matches('+');
    let value = digits
        .bytes()
        .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
    (value << 4) | digits.len() as u64
}

fn looks_scientific(text: &str) -> bool {
    match text.split_once(['E', 'e']) {
        Some((mantissa, exponent)) => {
            !mantissa.is_empty()
                && mantissa
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
                && exponent
                    .trim_start_matches('+')
                    .chars()
                    .all(|c| c.is_ascii_digit())
                && !exponent.trim_start_matches('+').is_empty()
        }
        None => false,
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn direction_marks_and_zero_width_characters_are_dropped() {
        for cell in [
            "\u{200e}+971501234567\u{200f}",
            "\u{202b}+971 50 123 4567\u{202c}",
            "+971\u{200b}50\u{200c}123\u{200d}4567",
            "\u{2060}971501234567\u{feff}",
            "\u{2066}+971501234567\u{2069}",
        ] {
            let expected = if cell.contains('+') {
                "+971501234567"
            } else {
                "971501234567"
            };
            assert_eq!(parse_number(cell).as_deref(), Ok(expected), "{cell:?}");
        }
    }

    #[test]
    fn no_break_and_other_spaces_separate_digit_groups() {
        for cell in [
            "+33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            "+33\u{202f}6\u{202f}12\u{202f}34\u{202f}56\u{202f}78",
            "\u{2007}+33 6 12 34 56 78\u{2007}",
            "+33\u{3000}612345678",
            "+33\u{2013}612\u{2011}345678",
        ] {
            assert_eq!(
                parse_number(cell).as_deref(),
                Ok("+33612345678"),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn arabic_indic_persian_and_full_width_digits_read_as_ascii() {
        assert_eq!(
            parse_number("+٩٧١٥٠١٢٣٤٥٦٧").as_deref(),
            Ok("+971501234567")
        );
        assert_eq!(parse_number("۰۹۱۲ ۳۴۵ ۶۷۸۹").as_deref(), Ok("09123456789"));
        assert_eq!(
            parse_number("＋８１（９０）１２３４－５６７８").as_deref(),
            Ok("+819012345678")
        );
        // A direction mark around Arabic-Indic digits, as copied from a form.
        assert_eq!(
            parse_number("\u{200f}٠٥٠١٢٣٤٥٦٧\u{200f}").as_deref(),
            Ok("0501234567")
        );
    }

    #[test]
    fn other_scripts_are_still_text() {
        let err = parse_number("+971 50 ١٢٣ abc").unwrap_err();
        assert!(err.starts_with("text, not a number"), "{err}");
        assert!(parse_number("\u{200e}\u{200f}").is_err());
    }
}
