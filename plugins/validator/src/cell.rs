//! One cell to one phone number, or the reason it is not one.

/// Reduces a cell to an optional `+` and digits, refusing formulas, text and
/// numbers that Excel has already damaged.
pub fn parse_number(cell: &str) -> Result<String, String> {
    let mut text = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
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
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
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
