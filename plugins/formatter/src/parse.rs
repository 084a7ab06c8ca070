//! libphonenumber's `parse`, on the compiled plans: the text a person wrote
//! to a calling code and a national significant number.
//!
//! The steps and their order are libphonenumber's (`PhoneNumberUtil.parse`):
//! find the number in the text, check it could be one, strip an extension,
//! take the calling code after `+` or the default region's international
//! prefix, or keep or strip the default region's own calling code written
//! without `+` (`maybeExtractCountryCode`), then strip a national prefix and
//! carrier code when what remains still has a possible length
//! (`maybeStripNationalPrefixAndCarrierCode`). Whether the result is a valid
//! number is the plans' question.

use std::{borrow::Cow, rc::Rc, sync::OnceLock};

use regex::{Regex, RegexBuilder};

use crate::plans::{Length, Plan, Plans, Region};

/// Why a text is not a number libphonenumber could read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No phone number in the text.
    NotANumber,
    /// No `+` and no default region to read the number in.
    NoRegion,
    /// The digits after `+` or an international prefix start no calling code.
    UnknownCallingCode,
    /// Too few digits after an international prefix.
    TooShortAfterPrefix,
    /// Fewer than two digits of national number.
    TooShort,
    /// More digits than any number has.
    TooLong,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Error::NotANumber => "not a phone number",
            Error::NoRegion => {
                "no country: write it with + and the country code, or give a default country"
            }
            Error::UnknownCallingCode => "unknown country calling code",
            Error::TooShortAfterPrefix => "too short after the international prefix",
            Error::TooShort => "too short to be a phone number",
            Error::TooLong => "too long to be a phone number",
        })
    }
}

const MAX_INPUT: usize = 250;
const MIN_NATIONAL: usize = 2;
const MAX_NATIONAL: usize = 17;

/// libphonenumber's punctuation allowed in numbers (`VALID_PUNCTUATION`).
const PUNCTUATION: &str = "-x\u{2010}-\u{2015}\u{2212}\u{30FC}\u{FF0D}-\u{FF0F} \u{00A0}\u{00AD}\u{200B}\u{2060}\u{3000}()\u{FF08}\u{FF09}\u{FF3B}\u{FF3D}.\\[\\]/~\u{2053}\u{223C}\u{FF5E}";
const PLUS: &str = "+\u{FF0B}";
const ALPHA: &str = "A-Za-z";

fn is_plus(c: char) -> bool {
    c == '+' || c == '\u{FF0B}'
}

/// The value of a decimal digit of any script (Unicode `Nd`, Basic Multilingual Plane).
fn digit(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    const ZEROS: [u32; 36] = [
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0, 0xFF10,
    ];
    let c = c as u32;
    ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&c))
        .map(|zero| c - zero)
}

/// Plain ASCII writing: digits, `+` and the usual separators. Such text
/// has no extension, letters or other scripts, and takes the quick checks.
fn is_plain(text: &str) -> bool {
    text.bytes().all(|b| {
        b.is_ascii_digit()
            || matches!(
                b,
                b'+' | b'-' | b'.' | b'(' | b')' | b'[' | b']' | b'/' | b' '
            )
    })
}

fn regex(source: &str) -> Regex {
    RegexBuilder::new(source)
        .case_insensitive(true)
        .build()
        .expect("libphonenumber's patterns compile")
}

/// libphonenumber's extension patterns for parsing (`EXTN_PATTERNS_FOR_PARSING`).
fn extension_patterns() -> String {
    let digits = |max: usize| format!("(\\d{{1,{max}}})");
    let separators = "[ \u{00A0}\\t,]*";
    let after_label = "[:\\.\u{FF0E}]?[ \u{00A0}\\t,-]*";
    let explicit_labels = "(?:e?xt(?:ensi(?:o\u{0301}?|\u{00F3}))?n?|\u{FF45}?\u{FF58}\u{FF54}\u{FF4E}?|\u{0434}\u{043E}\u{0431}|anexo)";
    let ambiguous_labels = "(?:[x\u{FF58}#\u{FF03}~\u{FF5E}]|int|\u{FF49}\u{FF4E}\u{FF54})";
    let no_comma = "[ \u{00A0}\\t]*";
    [
        format!(";ext={}", digits(20)),
        format!("{separators}{explicit_labels}{after_label}{}#?", digits(20)),
        format!("{separators}{ambiguous_labels}{after_label}{}#?", digits(9)),
        format!("[- ]+{}#", digits(6)),
        format!("{no_comma}(?:,{{2}}|;){after_label}{}#?", digits(15)),
        format!("{no_comma}(?:,)+{after_label}{}#?", digits(9)),
    ]
    .join("|")
}

/// `VALID_PHONE_NUMBER_PATTERN`: what could be a number, extension included.
fn viable_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        regex(&format!(
            "^(?:\\d{{{MIN_NATIONAL}}}|[{PLUS}]*(?:[{PUNCTUATION}*]*\\d){{3,}}[{PUNCTUATION}*{ALPHA}\\d]*)(?:{})?$",
            extension_patterns()
        ))
    })
}

/// `EXTN_PATTERN`: an extension at the end of the text.
fn extension_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| regex(&format!("(?:{})$", extension_patterns())))
}

/// libphonenumber's `isViablePhoneNumber`.
fn is_viable(text: &str) -> bool {
    if text.len() < MIN_NATIONAL {
        return false;
    }
    if !is_plain(text) {
        return viable_pattern().is_match(text);
    }
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let rest = text.trim_start_matches('+');
    (digits == MIN_NATIONAL && text.len() == MIN_NATIONAL) || (digits >= 3 && !rest.contains('+'))
}

/// libphonenumber's `extractPossibleNumber`: from the first `+` or digit,
/// without trailing punctuation or a second number (`x302/x2303`).
fn extract_possible_number(text: &str) -> &str {
    let Some(start) = text.find(|c: char| is_plus(c) || digit(c).is_some()) else {
        return "";
    };
    let number = &text[start..];
    let number = number.trim_end_matches(|c: char| c == '_' || !(c == '#' || c.is_alphanumeric()));
    let second = number.char_indices().find(|&(i, c)| {
        (c == '\\' || c == '/') && number[i + 1..].trim_start_matches(' ').starts_with('x')
    });
    match second {
        Some((i, _)) => &number[..i],
        None => number,
    }
}

/// libphonenumber's `buildNationalNumberForParsing`: RFC 3966 `tel:` URIs
/// with a `phone-context`, else the possible number in the text.
fn national_number_for_parsing(text: &str) -> Result<String, Error> {
    const CONTEXT: &str = ";phone-context=";
    let mut number = match text.find(CONTEXT) {
        Some(at) => {
            let start = at + CONTEXT.len();
            let context = text[start..].split(';').next().unwrap_or("");
            if !is_valid_phone_context(context) {
                return Err(Error::NotANumber);
            }
            let mut number = if context.starts_with('+') {
                context.to_string()
            } else {
                String::new()
            };
            let from = text.find("tel:").map_or(0, |i| i + "tel:".len());
            number.push_str(text.get(from..at).unwrap_or(""));
            number
        }
        None => extract_possible_number(text).to_string(),
    };
    if let Some(at) = number.find(";isub=").filter(|&at| at > 0) {
        number.truncate(at);
    }
    Ok(number)
}

/// RFC 3966's `global-number-digits` or `domainname`.
fn is_valid_phone_context(context: &str) -> bool {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        let alphanum = format!("{ALPHA}\\d");
        regex(&format!(
            "^(?:\\+[-.()]?(?:\\d[-.()]?)*\\d(?:\\d|[-.()])*|(?:[{alphanum}]+(?:-*[{alphanum}])*\\.)*[{ALPHA}]+(?:-*[{alphanum}])*\\.?)$"
        ))
    });
    !context.is_empty() && pattern.is_match(context)
}

/// libphonenumber's `normalize`: keypad digits for vanity numbers (three
/// letters or more), else the decimal digits of any script.
fn normalize(text: &str) -> String {
    if is_plain(text) {
        return text
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(char::from)
            .collect();
    }
    if text.chars().filter(char::is_ascii_alphabetic).count() >= 3 {
        text.chars()
            .filter_map(|c| match c.to_ascii_uppercase() {
                d @ '0'..='9' => Some(d),
                'A'..='C' => Some('2'),
                'D'..='F' => Some('3'),
                'G'..='I' => Some('4'),
                'J'..='L' => Some('5'),
                'M'..='O' => Some('6'),
                'P'..='S' => Some('7'),
                'T'..='V' => Some('8'),
                'W'..='Z' => Some('9'),
                _ => None,
            })
            .collect()
    } else {
        text.chars()
            .filter_map(digit)
            .filter_map(|d| char::from_digit(d, 10))
            .collect()
    }
}

/// How the calling code was found (libphonenumber's `CountryCodeSource`).
enum Source {
    Plus,
    InternationalPrefix,
    Default,
}

/// The text's number, without an extension, ready for `parse`.
pub fn prepare(text: &str) -> Result<Cow<'_, str>, Error> {
    if text.len() > MAX_INPUT && text.chars().count() > MAX_INPUT {
        return Err(Error::TooLong);
    }
    if is_plain(text) {
        let number = extract_possible_number(text);
        return if is_viable(number) {
            Ok(Cow::Borrowed(number))
        } else {
            Err(Error::NotANumber)
        };
    }
    let mut number = national_number_for_parsing(text)?;
    if !is_viable(&number) {
        return Err(Error::NotANumber);
    }
    if let Some(m) = extension_pattern().find(&number) {
        if is_viable(&number[..m.start()]) {
            number.truncate(m.start());
        }
    }
    Ok(Cow::Owned(number))
}

/// Whether a prepared number starts with `+` (and so names its country).
pub fn has_plus(number: &str) -> bool {
    number.starts_with(is_plus)
}

/// libphonenumber's `parse` of a prepared number: the calling code's plan
/// and the national significant number. `default` is the default region's
/// ISO code.
pub fn parse(
    plans: &Plans,
    number: &str,
    default: Option<&str>,
) -> Result<(Rc<Plan>, String), Error> {
    let default_plan = default.and_then(|id| plans.get(Plans::code_of(id)?));
    let default_region = default_plan
        .as_ref()
        .zip(default)
        .and_then(|(plan, id)| plan.region(id));
    if default_region.is_none() && !has_plus(number) {
        return Err(Error::NoRegion);
    }
    let extracted = match extract_country_code(number, default_region) {
        Err(Error::UnknownCallingCode) if has_plus(number) => {
            let rest = number.trim_start_matches(is_plus);
            match extract_country_code(rest, default_region)? {
                (0, _) => return Err(Error::UnknownCallingCode),
                found => found,
            }
        }
        other => other?,
    };
    match extracted {
        // No calling code in the number: the default region's.
        (0, _) => match (&default_plan, default_region) {
            (Some(plan), Some(region)) => {
                let national = finish(normalize(number), region)?;
                Ok((plan.clone(), national))
            }
            _ => Err(Error::NoRegion),
        },
        (code, national) => {
            let plan = plans.get(code).ok_or(Error::UnknownCallingCode)?;
            let national = finish(national, plan.main())?;
            Ok((plan, national))
        }
    }
}

/// The national number with its national prefix stripped when what remains
/// has a possible length for the region.
fn finish(national: String, region: &Region) -> Result<String, Error> {
    if national.len() < MIN_NATIONAL {
        return Err(Error::TooShort);
    }
    let national = match region.strip_national_prefix(&national) {
        Some(stripped)
            if !matches!(
                region.test_length(&stripped),
                Length::TooShort | Length::LocalOnly | Length::Invalid
            ) =>
        {
            stripped
        }
        _ => national,
    };
    if national.len() < MIN_NATIONAL {
        return Err(Error::TooShort);
    }
    if national.len() > MAX_NATIONAL {
        return Err(Error::TooLong);
    }
    Ok(national)
}

/// libphonenumber's `maybeExtractCountryCode`: the calling code and the rest
/// of the number, or 0 when the number is national.
fn extract_country_code(number: &str, default: Option<&Region>) -> Result<(u16, String), Error> {
    if number.is_empty() {
        return Ok((0, String::new()));
    }
    let (source, full) = if has_plus(number) {
        (Source::Plus, normalize(number.trim_start_matches(is_plus)))
    } else {
        let digits = normalize(number);
        match default.and_then(|r| r.strip_international_prefix(&digits)) {
            Some(rest) => (Source::InternationalPrefix, rest.to_string()),
            None => (Source::Default, digits),
        }
    };
    match source {
        Source::Plus | Source::InternationalPrefix => {
            if full.len() <= MIN_NATIONAL {
                return Err(Error::TooShortAfterPrefix);
            }
            let mut national = full;
            let (code, rest) = split_calling_code(&national).ok_or(Error::UnknownCallingCode)?;
            national.drain(..national.len() - rest.len());
            Ok((code, national))
        }
        Source::Default => {
            // A number starting with the default region's own calling code
            // loses it only when that makes a number that the general pattern
            // knows out of one it does not, or the whole is too long.
            if let Some(region) = default {
                let code = Plans::code_of(region.id()).unwrap_or(0).to_string();
                if let Some(rest) = full.strip_prefix(code.as_str()) {
                    let national = region
                        .strip_national_prefix(rest)
                        .unwrap_or_else(|| rest.to_string());
                    if (!region.matches_general(&full) && region.matches_general(&national))
                        || region.test_length(&full) == Length::TooLong
                    {
                        return Ok((code.parse().unwrap_or(0), national));
                    }
                }
            }
            Ok((0, String::new()))
        }
    }
}

/// libphonenumber's `extractCountryCode`: the first one to three digits that
/// are a calling code, and the rest.
fn split_calling_code(digits: &str) -> Option<(u16, &str)> {
    if digits.starts_with('0') {
        return None;
    }
    (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        Plans::has_code(code).then(|| (code, &digits[len..]))
    })
}
