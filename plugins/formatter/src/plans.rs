//! Numbering plans compiled for speed from libphonenumber's metadata.
//!
//! The `phonenumber` crate looks every pattern up by its text in a shared
//! 100-entry regex cache (a lock and a hash of the pattern per use), which
//! makes validation and formatting several times slower than the matching
//! itself. Here each calling code's patterns are compiled once, on first use,
//! into plain `Regex` values; the rules are libphonenumber's (region
//! selection, number types, international formats), checked against the
//! crate by a differential test.

use std::{collections::HashMap, sync::OnceLock};

use phonenumber::metadata::{Descriptor, Format, Metadata, DATABASE};
use regex::{Regex, RegexBuilder};

/// A number that passed validation: where it belongs and how it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    /// ISO 3166 alpha-2, or the non-geographic `001`.
    pub region: String,
    /// International display form: `+CC` and the grouped national number.
    pub international: String,
}

/// Every calling code, compiled lazily.
pub struct Plans {
    by_code: HashMap<u16, OnceLock<Option<Plan>>>,
}

impl Default for Plans {
    fn default() -> Self {
        let by_code = DATABASE
            .iter()
            .map(|m| (m.country_code(), OnceLock::new()))
            .collect();
        Plans { by_code }
    }
}

impl Plans {
    /// Whether `code` is a country calling code.
    fn has_code(&self, code: u16) -> bool {
        self.by_code.contains_key(&code)
    }

    /// Splits `+`-less international digits into calling code and national number.
    pub fn split<'a>(&self, digits: &'a str) -> Option<(u16, &'a str)> {
        (1..=3.min(digits.len().saturating_sub(1))).find_map(|len| {
            let code: u16 = digits[..len].parse().ok()?;
            (digits.as_bytes()[0] != b'0' && self.has_code(code)).then(|| (code, &digits[len..]))
        })
    }

    /// Validates a national significant number for a calling code and formats it.
    pub fn check(&self, code: u16, national: &str) -> Option<Valid> {
        let plan = self
            .by_code
            .get(&code)?
            .get_or_init(|| Plan::compile(code))
            .as_ref()?;
        let region = plan.region_for(national)?;
        let formatted = plan.format(national);
        Some(Valid {
            region: region.id.clone(),
            international: format!("+{code} {formatted}"),
        })
    }
}

/// One calling code: its regions (main first, as in the metadata) and formats.
struct Plan {
    regions: Vec<Region>,
    formats: Vec<NumberFormat>,
}

struct Region {
    id: String,
    leading_digits: Option<Regex>,
    general: Pattern,
    /// Premium, toll-free, shared-cost, VoIP, personal, pager, UAN, voicemail: in libphonenumber's order.
    special: Vec<Pattern>,
    fixed_line: Option<Pattern>,
    mobile: Option<Pattern>,
}

struct Pattern {
    lengths: Vec<u16>,
    /// The metadata pattern, matching the whole national number (libphonenumber's
    /// `matchesEntirely`; the `phonenumber` crate only anchors the start).
    regex: Regex,
}

struct NumberFormat {
    leading_digits: Option<Regex>,
    pattern: Regex,
    format: String,
}

fn compile(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(source).ignore_whitespace(true).build()
}

/// Matches at the start: leading-digit patterns.
fn anchored(source: &str) -> Result<Regex, regex::Error> {
    compile(&format!("^(?:{source})"))
}

/// Matches the whole text: number patterns.
fn entire(source: &str) -> Result<Regex, regex::Error> {
    compile(&format!("^(?:{source})$"))
}

impl Pattern {
    fn new(desc: &Descriptor) -> Result<Pattern, regex::Error> {
        Ok(Pattern {
            lengths: desc.possible_length().to_vec(),
            regex: entire(desc.national_number().as_str())?,
        })
    }

    fn matches(&self, national: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(national.len() as u16)))
            && self.regex.is_match(national)
    }
}

impl Region {
    fn new(meta: &Metadata) -> Result<Region, regex::Error> {
        let d = meta.descriptors();
        let special = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .map(Pattern::new)
        .collect::<Result<Vec<_>, _>>()?;
        let fixed_line = d.fixed_line().map(Pattern::new).transpose()?;
        let mobile = d.mobile().map(Pattern::new).transpose()?;
        let fixed_is_mobile = match (d.fixed_line(), d.mobile()) {
            (Some(f), Some(m)) => f.national_number().as_str() == m.national_number().as_str(),
            (None, None) => true,
            _ => false,
        };
        Ok(Region {
            id: meta.id().to_string(),
            leading_digits: meta
                .leading_digits()
                .map(|r| anchored(r.as_str()))
                .transpose()?,
            general: Pattern::new(d.general())?,
            special,
            // When fixed-line and mobile share a pattern, one check answers both.
            mobile: if fixed_is_mobile { None } else { mobile },
            fixed_line,
        })
    }

    /// libphonenumber's number type, reduced to "is it any known type".
    fn is_known_type(&self, national: &str) -> bool {
        self.general.matches(national)
            && (self.special.iter().any(|p| p.matches(national))
                || self
                    .fixed_line
                    .as_ref()
                    .is_some_and(|p| p.matches(national))
                || self.mobile.as_ref().is_some_and(|p| p.matches(national)))
    }
}

impl Plan {
    fn compile(code: u16) -> Option<Plan> {
        let metas = DATABASE.by_code(&code)?;
        let regions = metas
            .iter()
            .map(|m| Region::new(m))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        let main = metas.first()?;
        let formats = if main.international_formats().is_empty() {
            main.formats()
        } else {
            main.international_formats()
        };
        let formats = formats
            .iter()
            .map(NumberFormat::new)
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        Some(Plan { regions, formats })
    }

    /// The region a valid number belongs to: libphonenumber's rule for
    /// codes shared by several regions (leading digits first, else the first
    /// region whose patterns know the number).
    fn region_for(&self, national: &str) -> Option<&Region> {
        if let [only] = self.regions.as_slice() {
            return only.is_known_type(national).then_some(only);
        }
        let region = self.regions.iter().find(|r| match &r.leading_digits {
            Some(leading) => leading.is_match(national),
            None => r.is_known_type(national),
        })?;
        region.is_known_type(national).then_some(region)
    }

    fn format(&self, national: &str) -> String {
        self.formats
            .iter()
            .find(|f| {
                f.leading_digits
                    .as_ref()
                    .is_none_or(|l| l.is_match(national))
                    && f.pattern
                        .find(national)
                        .is_some_and(|m| m.start() == 0 && m.end() == national.len())
            })
            .map(|f| f.pattern.replace(national, f.format.as_str()).into_owned())
            .unwrap_or_else(|| national.to_string())
    }
}

impl NumberFormat {
    fn new(format: &Format) -> Result<NumberFormat, regex::Error> {
        Ok(NumberFormat {
            leading_digits: format
                .leading_digits()
                .last()
                .map(|r| anchored(r.as_str()))
                .transpose()?,
            pattern: compile(format.pattern().as_str())?,
            format: format.format().to_string(),
        })
    }
}
