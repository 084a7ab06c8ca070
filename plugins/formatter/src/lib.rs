//! The default formatter: every country, with libphonenumber's metadata (the
//! `phonenumber` crate) and libphonenumber's parsing and validity rules. It
//! claims all countries and is the host's fallback when no country-specific
//! plugin claims a number.
//!
//! It reads a number as libphonenumber's `parse` and `isValidNumber` do,
//! with two readings numbot chose on purpose:
//! - digits without `+` and without a default country are international
//!   (`971501234567` is `+971 50 123 4567`), where libphonenumber refuses;
//! - `00` and a calling code are international whatever the default
//!   country, where libphonenumber reads `00` as international only in
//!   regions that dial abroad with it (not the US, `011`, nor Russia, `810`).
//!
//! Numbers of non-geographic calling codes (+800, +808, +870, +878, +881,
//! +882, +883, +888, +979) are valid with country `001`, libphonenumber's
//! region for them: the `country` field holds an ISO 3166 code or `001`.

use numbot_plugin_sdk::{export_formatter, log, Countries, Formatted, Formatter, Level, Settings};

pub mod parse;
pub mod plans;

use parse::Error;
use plans::Plans;

/// Formats any country's numbers with libphonenumber rules.
#[derive(Default)]
pub struct Libphonenumber {
    /// Used when neither the call nor the number names a country.
    default_country: Option<String>,
    /// Calling codes' patterns, compiled on first use, a bounded number kept.
    plans: Plans,
}

impl Formatter for Libphonenumber {
    fn configure(&mut self, settings: &Settings) -> Result<(), String> {
        // Load libphonenumber's metadata now, at instantiation, not on a user's first request.
        let _ = Plans::has_code(1);
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
            Ok(id) => id.or_else(|| self.default_country.clone()),
            Err(e) => return numbers.iter().map(|_| Err(e.clone())).collect(),
        };
        numbers
            .iter()
            .map(|raw| self.format_one(raw, default.as_deref()))
            .collect()
    }
}

/// A region libphonenumber has metadata for, upper-cased.
fn parse_country(code: &str) -> Result<String, String> {
    let id = code.trim().to_ascii_uppercase();
    match Plans::code_of(&id) {
        Some(_) => Ok(id),
        None => Err(format!("unknown country code `{code}`")),
    }
}

impl Libphonenumber {
    /// Formats one number: libphonenumber's reading, with numbot's two.
    fn format_one(&self, raw: &str, default: Option<&str>) -> Result<Formatted, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("empty".into());
        }
        let error = |e: Error| match e {
            Error::UnknownCallingCode => format!("unknown country calling code in `{trimmed}`"),
            Error::NotANumber | Error::NoRegion => e.to_string(),
            e => format!("not a phone number: {e}"),
        };
        let mut number = parse::prepare(trimmed).map_err(error)?;
        let mut international_by_default = false;
        if let Some(rest) = number.strip_prefix("00") {
            number = format!("+{rest}").into();
        } else if default.is_none() && !parse::has_plus(&number) {
            number = format!("+{number}").into();
            international_by_default = true;
        }
        let (plan, national) = parse::parse(&self.plans, &number, default).map_err(|e| {
            // Digits that are no calling code and were given no country.
            if international_by_default && e == Error::UnknownCallingCode {
                error(Error::NoRegion)
            } else {
                error(e)
            }
        })?;
        let code = plan.code();
        match plan.check(&national) {
            Some(valid) => Ok(Formatted {
                e164: format!("+{code}{national}"),
                display: valid.international,
                country: valid.region,
            }),
            None => Err(format!("not a valid number for {}", region_name(code))),
        }
    }
}

/// The main region of a calling code, or `+800` for non-geographic ones.
fn region_name(code: u16) -> String {
    phonenumber::metadata::DATABASE
        .region(&code)
        .and_then(|regions| regions.first().map(|r| r.to_string()))
        .filter(|r| r != "001")
        .unwrap_or_else(|| format!("+{code}"))
}

export_formatter!(Libphonenumber);
