//! Numbering plans compiled for speed from libphonenumber's metadata.
//!
//! The `phonenumber` crate looks every pattern up by its text in a shared
//! 100-entry regex cache (a lock and a hash of the pattern per use), which
//! makes validation and formatting several times slower than the matching
//! itself. Here each calling code's patterns are compiled on first use into
//! plain `Regex` values, and the rules are libphonenumber's, read from its
//! Java and Python sources: the possible lengths of a region are the union
//! of its number types' (as its metadata build computes them), a national
//! prefix for parsing defaults to the national prefix, number patterns
//! match the whole number.
//!
//! Each calling code's plan is compiled once and kept: at most one per
//! calling code (254), about 32 MiB with all of them compiled and used.
//! Regexes are built with ASCII classes and a capped lazy DFA: with
//! Unicode classes and the default 2 MiB of DFA state a regex, the plans of
//! a varied stream grew past the plugin's 256 MiB.

use std::{cell::RefCell, rc::Rc, sync::OnceLock};

use phonenumber::metadata::{Descriptor, Format, Metadata, DATABASE};
use regex::{Regex, RegexBuilder};

/// Lazy-DFA state one regex may keep. The patterns are small and matched
/// against at most 17 digits: the default (2 MiB a regex) was never needed
/// and let thousands of regexes hold hundreds of MiB together.
const DFA_BYTES: usize = 64 * 1024;

/// A number that passed validation: where it belongs and how it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    /// ISO 3166 alpha-2, or the non-geographic `001`.
    pub region: String,
    /// International display form: `+CC` and the grouped national number.
    pub international: String,
}

/// libphonenumber's `ValidationResult` for a number's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// A length the region's numbers have.
    Possible,
    /// A length only dialled locally (without an area code).
    LocalOnly,
    /// Shorter than any number of the region.
    TooShort,
    /// Between possible lengths, none of them.
    Invalid,
    /// Longer than any number of the region.
    TooLong,
}

/// Every calling code, compiled on first use and kept (one plan a code).
pub struct Plans {
    /// By calling code: not yet compiled, or the plan (`None` if it failed to compile).
    compiled: RefCell<Vec<Option<Option<Rc<Plan>>>>>,
}

impl Default for Plans {
    fn default() -> Self {
        Plans {
            compiled: RefCell::new(vec![None; 1000]),
        }
    }
}

impl Plans {
    /// Whether `code` is a country calling code.
    pub fn has_code(code: u16) -> bool {
        static CODES: OnceLock<Vec<bool>> = OnceLock::new();
        // By code, not by region: the by-region map keeps one of the
        // non-geographic entities (all region `001`).
        let codes =
            CODES.get_or_init(|| (0..1000).map(|c| DATABASE.by_code(&c).is_some()).collect());
        codes.get(usize::from(code)).copied().unwrap_or(false)
    }

    /// The calling code of a region (`GB` → 44), if libphonenumber knows it.
    pub fn code_of(region: &str) -> Option<u16> {
        DATABASE
            .by_id(region)
            .filter(|m| m.id() != "001")
            .map(Metadata::country_code)
    }

    /// The compiled plan of a calling code.
    pub fn get(&self, code: u16) -> Option<Rc<Plan>> {
        if !Plans::has_code(code) {
            return None;
        }
        self.compiled.borrow_mut()[usize::from(code)]
            .get_or_insert_with(|| Plan::compile(code).map(Rc::new))
            .clone()
    }

    /// Validates a national significant number for a calling code and formats it.
    pub fn check(&self, code: u16, national: &str) -> Option<Valid> {
        self.get(code)?.check(national)
    }
}

/// One calling code: its regions (main first, as in the metadata) and formats.
pub struct Plan {
    code: u16,
    regions: Vec<Region>,
    formats: Vec<NumberFormat>,
}

/// One region's rules for parsing and validating.
pub struct Region {
    id: String,
    leading_digits: Option<Regex>,
    general: Pattern,
    /// Lengths dialled only locally.
    local_only: Vec<u16>,
    /// Premium, toll-free, shared-cost, VoIP, personal, pager, UAN, voicemail: in libphonenumber's order.
    special: Vec<Pattern>,
    fixed_line: Option<Pattern>,
    mobile: Option<Pattern>,
    international_prefix: Option<Regex>,
    national_prefix_for_parsing: Option<Prefix>,
    national_prefix_transform_rule: Option<String>,
}

/// A national prefix for parsing: most are plain digits (`0`, `8`), tested
/// without a regex search.
enum Prefix {
    Digits(String),
    Pattern(Regex),
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
    // The metadata's patterns only ever see ASCII digits: ASCII classes keep
    // the automata small.
    let build = |unicode| {
        RegexBuilder::new(source)
            .ignore_whitespace(true)
            .unicode(unicode)
            .dfa_size_limit(DFA_BYTES)
            .build()
    };
    build(false).or_else(|_| build(true))
}

/// Matches at the start: leading digits, prefixes.
fn anchored(source: &str) -> Result<Regex, regex::Error> {
    compile(&format!("^(?:{source})"))
}

/// Matches the whole text: number patterns.
fn entire(source: &str) -> Result<Regex, regex::Error> {
    compile(&format!("^(?:{source})$"))
}

impl Pattern {
    fn new(desc: &Descriptor, general_lengths: &[u16]) -> Result<Pattern, regex::Error> {
        let lengths = if desc.possible_length().is_empty() {
            general_lengths.to_vec()
        } else {
            desc.possible_length().to_vec()
        };
        Ok(Pattern {
            lengths,
            regex: entire(desc.national_number().as_str())?,
        })
    }

    /// libphonenumber's `isNumberMatchingDesc`: a possible length and the whole pattern.
    fn matches(&self, national: &str) -> bool {
        self.lengths.contains(&(national.len() as u16)) && self.regex.is_match(national)
    }
}

/// The descriptors of a region's number types, in libphonenumber's order of
/// testing: premium rate to voicemail, then fixed line and mobile.
fn number_types(meta: &Metadata) -> [Option<&Descriptor>; 10] {
    let d = meta.descriptors();
    [
        d.premium_rate(),
        d.toll_free(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
        d.fixed_line(),
        d.mobile(),
    ]
}

/// `$1` → `${1}`: Rust's replacement syntax reads `$1x` as a group named `1x`.
fn replacement(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len() + 4);
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push_str("${");
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                out.push(d);
            }
            out.push('}');
        } else {
            out.push(c);
        }
    }
    out
}

impl Region {
    fn new(meta: &Metadata) -> Result<Region, regex::Error> {
        let types = number_types(meta);
        // The metadata build gives the general description every type's
        // lengths; local-only lengths are those no type has nationally.
        let mut lengths: Vec<u16> = types
            .iter()
            .flatten()
            .flat_map(|d| d.possible_length().iter().copied())
            .collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut local_only: Vec<u16> = types
            .iter()
            .flatten()
            .flat_map(|d| d.possible_local_length().iter().copied())
            .filter(|l| !lengths.contains(l))
            .collect();
        local_only.sort_unstable();
        local_only.dedup();
        let [premium, toll_free, shared, voip, personal, pager, uan, voicemail, fixed, mobile] =
            types;
        let special = [
            premium, toll_free, shared, voip, personal, pager, uan, voicemail,
        ]
        .into_iter()
        .flatten()
        .map(|d| Pattern::new(d, &lengths))
        .collect::<Result<Vec<_>, _>>()?;
        let fixed_is_mobile = match (fixed, mobile) {
            (Some(f), Some(m)) => f.national_number().as_str() == m.national_number().as_str(),
            (None, None) => true,
            _ => false,
        };
        let prefix_for_parsing = meta
            .national_prefix_for_parsing()
            .map(|r| r.as_str().to_string())
            .or_else(|| meta.national_prefix().map(regex::escape))
            .filter(|p| !p.is_empty());
        let fixed_line = fixed.map(|d| Pattern::new(d, &lengths)).transpose()?;
        // When fixed-line and mobile share a pattern, libphonenumber tests only fixed line.
        let mobile = match mobile {
            Some(m) if !fixed_is_mobile => Some(Pattern::new(m, &lengths)?),
            _ => None,
        };
        Ok(Region {
            id: meta.id().to_string(),
            leading_digits: meta
                .leading_digits()
                .map(|r| anchored(r.as_str()))
                .transpose()?,
            general: Pattern {
                regex: entire(meta.descriptors().general().national_number().as_str())?,
                lengths,
            },
            local_only,
            special,
            fixed_line,
            mobile,
            international_prefix: meta
                .international_prefix()
                .map(|r| anchored(r.as_str()))
                .transpose()?,
            national_prefix_for_parsing: prefix_for_parsing
                .map(|p| match p.trim() {
                    digits if digits.bytes().all(|b| b.is_ascii_digit()) => {
                        Ok(Prefix::Digits(digits.to_string()))
                    }
                    _ => anchored(&p).map(Prefix::Pattern),
                })
                .transpose()?,
            national_prefix_transform_rule: meta
                .national_prefix_transform_rule()
                .filter(|r| !r.is_empty())
                .map(replacement),
        })
    }

    /// The region's ISO code, or `001`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// libphonenumber's `matchNationalNumber` against the general description:
    /// the pattern alone, whatever the length.
    pub fn matches_general(&self, national: &str) -> bool {
        self.general.regex.is_match(national)
    }

    /// libphonenumber's `testNumberLength` for any type.
    pub fn test_length(&self, national: &str) -> Length {
        let length = national.len() as u16;
        if self.local_only.contains(&length) {
            return Length::LocalOnly;
        }
        let (Some(&min), Some(&max)) = (self.general.lengths.first(), self.general.lengths.last())
        else {
            return Length::Invalid;
        };
        if length < min {
            Length::TooShort
        } else if length > max {
            Length::TooLong
        } else if self.general.lengths.contains(&length) {
            Length::Possible
        } else {
            Length::Invalid
        }
    }

    /// The digits after this region's international prefix (`00`, `011`,
    /// `810`...), unless a `0` follows it (no calling code starts with 0).
    pub fn strip_international_prefix<'a>(&self, digits: &'a str) -> Option<&'a str> {
        let end = self.international_prefix.as_ref()?.find(digits)?.end();
        let rest = &digits[end..];
        (!rest.starts_with('0')).then_some(rest)
    }

    /// libphonenumber's `maybeStripNationalPrefixAndCarrierCode`: the number
    /// without its national prefix and carrier code (or as the transform rule
    /// rewrites it), unless that would turn a number matching the general
    /// pattern into one that does not.
    pub fn strip_national_prefix(&self, digits: &str) -> Option<String> {
        let transformed = match self.national_prefix_for_parsing.as_ref()? {
            // No groups: a plain strip, whatever the transform rule.
            Prefix::Digits(prefix) => digits.strip_prefix(prefix.as_str())?.to_string(),
            Prefix::Pattern(prefix) => {
                let end = prefix.find(digits)?.end();
                match &self.national_prefix_transform_rule {
                    Some(rule) => {
                        // The rule applies when the prefix's last group took part.
                        let captures = prefix.captures(digits)?;
                        let last = captures.len() - 1;
                        if last > 0 && captures.get(last).is_some() {
                            let mut out = String::new();
                            captures.expand(rule, &mut out);
                            out.push_str(&digits[end..]);
                            out
                        } else {
                            digits[end..].to_string()
                        }
                    }
                    None => digits[end..].to_string(),
                }
            }
        };
        (!self.matches_general(digits) || self.matches_general(&transformed)).then_some(transformed)
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
        Some(Plan {
            code,
            regions,
            formats,
        })
    }

    /// The calling code.
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The main region of the code (the one libphonenumber parses with).
    pub fn main(&self) -> &Region {
        &self.regions[0]
    }

    /// A region of this code by its ISO code.
    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// Validates a national significant number and formats it.
    pub fn check(&self, national: &str) -> Option<Valid> {
        let region = self.region_for(national)?;
        Some(Valid {
            region: region.id.clone(),
            international: format!("+{} {}", self.code, self.format(national)),
        })
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
