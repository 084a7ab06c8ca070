//! The default formatter: every country, with libphonenumber's metadata (the
//! `phonenumber` crate). It claims all countries and is the host's fallback
//! when no country-specific plugin claims a number.

use numbot_plugin_sdk::{export_formatter, log, Countries, Formatted, Formatter, Level, Settings};
use phonenumber::{country, Mode, PhoneNumber};

/// Formats any country's numbers with libphonenumber rules.
#[derive(Default)]
pub struct Libphonenumber {
    /// Used when neither the call nor the number names a country.
    default_country: Option<country::Id>,
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
        numbers.iter().map(|raw| format_one(raw, default)).collect()
    }
}

fn parse_country(code: &str) -> Result<country::Id, String> {
    code.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("unknown country code `{code}`"))
}

/// Formats one number: as written when it carries `+`/`00`, else in the
/// default country, else as an international number without its `+`.
fn format_one(raw: &str, default: Option<country::Id>) -> Result<Formatted, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("empty".into());
    }
    let international = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_string(),
    };
    let number = parse_valid(&international, default).or_else(|first| {
        if international.starts_with('+') {
            Err(first)
        } else {
            // Without a country, a number written without `+` is read as international.
            parse_valid(&format!("+{international}"), None).map_err(|second| {
                if default.is_none() && !second.starts_with("unknown country") {
                    second
                } else {
                    first
                }
            })
        }
    })?;
    let country = number
        .country()
        .id()
        .map(|id| id.as_ref().to_string())
        .ok_or_else(|| {
            format!(
                "+{} is not a single country's number",
                number.code().value()
            )
        })?;
    Ok(Formatted {
        e164: number.format().mode(Mode::E164).to_string(),
        display: number.format().mode(Mode::International).to_string(),
        country,
    })
}

fn parse_valid(text: &str, default: Option<country::Id>) -> Result<PhoneNumber, String> {
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
    if phonenumber::is_valid(&number) {
        Ok(number)
    } else {
        let region = number
            .country()
            .id()
            .map(|id| id.as_ref().to_string())
            .unwrap_or_else(|| format!("+{}", number.code().value()));
        Err(format!("not a valid number for {region}"))
    }
}

export_formatter!(Libphonenumber);
