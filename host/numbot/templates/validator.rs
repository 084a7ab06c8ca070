//! A numbot validator: reads an uploaded file of one phone number a line
//! (an optional `+` and 7 to 15 digits; spaces, dashes, dots and brackets
//! are dropped) and says why it refuses each other line.

use std::collections::HashMap;

use numbot_plugin_sdk::{
    export_validator, DuplicateRow, NumberRow, RejectedRow, Validation, Validator,
};

/// One number a line, UTF-8 text.
#[derive(Default)]
pub struct __TYPE__;

impl Validator for __TYPE__ {
    fn validate(&mut self, file_name: &str, data: &[u8]) -> Result<Validation, String> {
        let text =
            std::str::from_utf8(data).map_err(|e| format!("{file_name} is not UTF-8 text: {e}"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut validation = Validation::default();
        let mut first_seen: HashMap<String, u32> = HashMap::new();
        for (line, cell) in (1u32..).zip(text.lines()) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match number(cell) {
                Ok(number) => match first_seen.get(&number) {
                    Some(&first_line) => validation.duplicates.push(DuplicateRow {
                        line,
                        number,
                        first_line,
                    }),
                    None => {
                        first_seen.insert(number.clone(), line);
                        validation.numbers.push(NumberRow {
                            line,
                            number,
                            category: None,
                        });
                    }
                },
                Err(reason) => validation.rejected.push(RejectedRow {
                    line,
                    content: cell.to_string(),
                    reason,
                }),
            }
        }
        Ok(validation)
    }
}

/// The number `cell` holds, as an optional `+` and digits.
fn number(cell: &str) -> Result<String, String> {
    let kept: String = cell
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = kept.strip_prefix('+').unwrap_or(&kept);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a phone number".into());
    }
    if !(7..=15).contains(&digits.len()) {
        return Err(format!(
            "{} digits: a phone number has 7 to 15",
            digits.len()
        ));
    }
    Ok(kept)
}

export_validator!(__TYPE__);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_rejections_and_duplicates_by_line() {
        let file = "+971 50 123 4567\n\ncall me\n971501234567\n+971-50-123-4567\n12\n";
        let v = __TYPE__
            .validate("numbers.txt", file.as_bytes())
            .unwrap();
        let numbers: Vec<(u32, &str)> = v
            .numbers
            .iter()
            .map(|n| (n.line, n.number.as_str()))
            .collect();
        assert_eq!(numbers, [(1, "+971501234567"), (4, "971501234567")]);
        let rejected: Vec<u32> = v.rejected.iter().map(|r| r.line).collect();
        assert_eq!(rejected, [3, 6]);
        assert_eq!(v.duplicates.len(), 1);
        assert_eq!((v.duplicates[0].line, v.duplicates[0].first_line), (5, 1));
    }

    #[test]
    fn a_file_that_is_not_text_is_refused() {
        assert!(__TYPE__
            .validate("numbers.xlsx", b"PK\x03\x04\xff")
            .is_err());
    }
}
