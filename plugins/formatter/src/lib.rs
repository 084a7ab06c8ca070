//! The default formatter: every country, with libphonenumber's metadata (the
//! `phonenumber` crate). It claims all countries and is the host's fallback
//! when no country-specific plugin claims a number.

use numbot_plugin_sdk::{export_formatter, log, Countries, Formatted, Formatter, Level, Settings};
use phonenumber::country;

pub mod plans;

/// Formats any country's numbers with libphonenumber rules.
#[derive(Default)]
pub struct Libphonenumber {
    /// Used when neither the call nor the number names a country.
    default_country: Option<country::Id>,
    /// Calling codes' patterns, compiled on first use.
    plans: plans::Plans,
}

impl Formatter for Libphonenumber {
    fn configure(&mut self, settings: &Settings) -> Result<(), String> {
        // Load libphonenumber's metadata now, at instantiation, not on a user's first request.
        let _ = phonenumber::parse(None, "+12015550123");
        for (key, value) in settings {
            match key.as_str() {
                "default_country" => self.default_country = Some(parse_country(value)?),
                other => log(Level::Warn, &format!("unknown setting `{other}` ignored")),
            }
        }
        Ok(())
    }

    fn countries(&self) -> Countries {
        Countries::All
    }

    fn format(
        &mut self,
        numbers: Vec<String>,
        default_country: Option<String>,
    ) -> Vec<Result<Formatted, String>> {
        let default = match default_country.as_deref().map(parse_country).transpose() {
            Ok(id) => id.or(self.default_country),
            Err(e) => return numbers.iter().map(|_| Err(e.clone())).collect(),
        };
        numbers
            .iter()
            .map(|raw| self.format_one(raw, default))
            .collect()
    }
}

fn parse_country(code: &str) -> Result<country::Id, String> {
    code.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("unknown country code `{code}`"))
}

impl Libphonenumber {
    /// Formats one number: as written when it carries `+`/`00`, else in the
    /// default country, else as an international number without its `+`.
    fn format_one(&self, raw: &str, default: Option<country::Id>) -> Result<Formatted, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("empty".into());
        }
        let international = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_string(),
        };
        // Fast path: `+` (or no country to read it in) and digits that are
        // valid as written, which is what uploaded files mostly hold.
        if international.starts_with('+') || default.is_none() {
            let digits: String = international
                .chars()
                .filter(|c| !matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
                .collect();
            if digits.bytes().all(|b| b.is_ascii_digit()) {
                if let Some(formatted) = self.plans.split(&digits).and_then(|(code, national)| {
                    self.plans
                        .check(code, national)
                        .map(|v| (code, national, v))
                }) {
                    return finish(formatted);
                }
            }
        }
        // Slow path: national prefixes, default countries, unusual writing.
        self.parse_valid(&international, default).or_else(|first| {
            // With a default country, a number that is not valid there is
            // refused, not guessed to be another country's.
            if international.starts_with('+') || default.is_some() {
                Err(first)
            } else {
                // Without a country, a number written without `+` is read as international.
                self.parse_valid(&format!("+{international}"), None)
                    .map_err(|second| {
                        if second.starts_with("unknown country") {
                            first
                        } else {
                            second
                        }
                    })
            }
        })
    }

    fn parse_valid(&self, text: &str, default: Option<country::Id>) -> Result<Formatted, String> {
        let number = phonenumber::parse(default, text).map_err(|e| match e {
            phonenumber::ParseError::InvalidCountryCode if text.starts_with('+') => {
                format!("unknown country calling code in `{text}`")
            }
            phonenumber::ParseError::InvalidCountryCode if default.is_none() => {
                "no country: write it with + and the country code, or give a default country"
                    .to_string()
            }
            e => format!("not a phone number: {e}"),
        })?;
        let code = number.code().value();
        let national = number.national().to_string();
        match self.plans.check(code, &national) {
            Some(valid) => finish((code, &national, valid)),
            None => {
                let region = phonenumber::metadata::DATABASE
                    .region(&code)
                    .and_then(|regions| regions.first().map(|r| r.to_string()))
                    .filter(|r| r != "001")
                    .unwrap_or_else(|| format!("+{code}"));
                Err(format!("not a valid number for {region}"))
            }
        }
    }
}

fn finish((code, national, valid): (u16, &str, plans::Valid)) -> Result<Formatted, String> {
    if valid.region == "001" {
        return Err(format!("+{code} is not a single country's number"));
    }
    Ok(Formatted {
        e164: format!("+{code}{national}"),
        display: valid.international,
        country: valid.region,
    })
}

export_formatter!(Libphonenumber);
