//! A numbot country formatter: the numbers of one country in a display
//! style of its own. The host sends it every number of the countries
//! `countries()` claims, and the rest to the default formatter.

use numbot_plugin_sdk::{export_formatter, Countries, Formatted, Formatter};

/// The country answered for (ISO 3166 alpha-2) and its calling code.
const COUNTRY: &str = "AE";
const CALLING_CODE: &str = "971";
/// Digits of a national number, without the trunk `0`.
const NATIONAL_DIGITS: usize = 9;

/// Numbers of `COUNTRY`, shown as `050 123 4567`.
#[derive(Default)]
pub struct __TYPE__;

impl Formatter for __TYPE__ {
    fn countries(&self) -> Countries {
        Countries::Only(vec![COUNTRY.into()])
    }

    fn format(
        &mut self,
        numbers: Vec<String>,
        _default_country: Option<String>,
    ) -> Vec<Result<Formatted, String>> {
        numbers.iter().map(|n| format_one(n)).collect()
    }
}

/// `+971 50 123 4567`, `00971501234567` and `050 123 4567` are one number.
fn format_one(raw: &str) -> Result<Formatted, String> {
    let not_ours = || format!("not a {COUNTRY} number: {raw}");
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = if raw.trim_start().starts_with('+') {
        digits.strip_prefix(CALLING_CODE).ok_or_else(not_ours)?
    } else if let Some(international) = digits.strip_prefix("00") {
        international
            .strip_prefix(CALLING_CODE)
            .ok_or_else(not_ours)?
    } else {
        digits.strip_prefix('0').unwrap_or(&digits)
    };
    if national.len() != NATIONAL_DIGITS {
        return Err(not_ours());
    }
    Ok(Formatted {
        e164: format!("+{CALLING_CODE}{national}"),
        // The grouping of this country's numbers: edit for yours.
        display: format!("0{} {} {}", &national[..2], &national[2..5], &national[5..]),
        country: COUNTRY.into(),
    })
}

export_formatter!(__TYPE__);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_writing_a_number_gives_one_answer() {
        let out = __TYPE__.format(
            vec![
                "+971 50 123 4567".into(),
                "00971501234567".into(),
                "050-123-4567".into(),
            ],
            None,
        );
        for result in out {
            let f = result.unwrap();
            assert_eq!(f.e164, "+971501234567");
            assert_eq!(f.display, "050 123 4567");
            assert_eq!(f.country, "AE");
        }
    }

    #[test]
    fn numbers_of_other_countries_are_refused() {
        let out = __TYPE__.format(vec!["+44 7400 123456".into(), "12345".into()], None);
        assert!(out.iter().all(Result::is_err), "{out:?}");
    }
}
