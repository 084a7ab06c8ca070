//! The readings the differential test found wrong before, one case each,
//! with libphonenumber's answer (`phonenumbers` 9.0.33), and numbot's two
//! readings of its own. These run without Python.

use numbot_formatter::Libphonenumber;
use numbot_plugin_sdk::{Formatted, Formatter};

fn format(input: &str, default: Option<&str>) -> Result<Formatted, String> {
    let mut formatter = Libphonenumber::default();
    formatter.configure(&Vec::new()).unwrap();
    formatter
        .format(vec![input.to_string()], default.map(str::to_string))
        .remove(0)
}

fn reads_as(input: &str, default: Option<&str>, e164: &str, country: &str) {
    let f = format(input, default).unwrap_or_else(|e| panic!("{input:?} in {default:?}: {e}"));
    assert_eq!(
        (f.e164.as_str(), f.country.as_str()),
        (e164, country),
        "{input:?} in {default:?}"
    );
}

#[test]
fn national_prefixes_other_than_zero() {
    reads_as("8 (800) 555-35-35", Some("RU"), "+78005553535", "RU");
    reads_as("8 (812) 123-45-67", Some("RU"), "+78121234567", "RU");
    reads_as("8 (727) 258-26-95", Some("KZ"), "+77272582695", "KZ");
    reads_as("8 701 123 4567", Some("KZ"), "+77011234567", "KZ");
}

#[test]
fn international_prefixes_of_the_default_region() {
    reads_as("011 44 7400 123456", Some("US"), "+447400123456", "GB");
    reads_as("810 44 7400 123456", Some("RU"), "+447400123456", "GB");
    reads_as("011 353 1520123456", Some("AG"), "+3531520123456", "IE");
}

#[test]
fn the_default_regions_calling_code_is_kept_or_stripped() {
    // Valid as an Albanian national number: libphonenumber keeps it.
    reads_as("35590123", Some("AL"), "+35535590123", "AL");
    // Too long to be national: the calling code is stripped.
    reads_as("79123456789", Some("RU"), "+79123456789", "RU");
    reads_as("12015550123", Some("US"), "+12015550123", "US");
}

#[test]
fn non_geographic_numbers_are_country_001() {
    let f = format("+800 1234 5678", None).unwrap();
    assert_eq!(
        (f.e164.as_str(), f.country.as_str(), f.display.as_str()),
        ("+80012345678", "001", "+800 1234 5678")
    );
    reads_as("+870 773 111 632", None, "+870773111632", "001");
    reads_as("00870773111632", Some("DE"), "+870773111632", "001");
    assert_eq!(
        format("+882 3421 2345", None).unwrap_err(),
        "not a valid number for +882"
    );
}

#[test]
fn numbots_own_readings() {
    // (a) Digits without + and without a default country are international.
    reads_as("971501234567", None, "+971501234567", "AE");
    // (b) 00 is international even where libphonenumber dials abroad otherwise.
    reads_as("00 44 7400 123456", Some("US"), "+447400123456", "GB");
    reads_as("0044 20 7946 0000", Some("RU"), "+442079460000", "GB");
    // A national prefix after the calling code is dropped, as libphonenumber does.
    reads_as("+44 (0) 20 7946 0000", None, "+442079460000", "GB");
}

#[test]
fn refusals_say_why() {
    let reason = |input: &str, default: Option<&str>| format(input, default).unwrap_err();
    assert_eq!(reason("+44 1234", None), "not a valid number for GB");
    assert_eq!(
        reason("+999 1234567", None),
        "unknown country calling code in `+999 1234567`"
    );
    assert_eq!(reason("+1 555", None), "not a valid number for US");
    assert!(reason("0501234567", None).contains("no country"));
    assert!(reason("call me", None).contains("not a phone number"));
    assert_eq!(reason("  ", None), "empty");
    assert_eq!(
        reason("0501234567", Some("XX")),
        "unknown country code `XX`"
    );
}

#[test]
fn any_text_gets_an_answer() {
    // Pieces of what uploads hold: digits of several scripts, separators,
    // pluses, letters, extensions and RFC 3966 parameters, in random order.
    let pieces = [
        "0",
        "1",
        "4",
        "7",
        "8",
        "9",
        "00",
        "+",
        "\u{FF0B}",
        " ",
        "-",
        "(",
        ")",
        ".",
        "/",
        "x",
        "ext",
        ";ext=",
        ";phone-context=",
        "tel:",
        ";isub=",
        "#",
        ",",
        "\u{0661}",
        "\u{FF12}",
        "\u{0967}",
        "ABC",
        "é",
        "\u{00A0}",
        "~",
    ];
    let mut formatter = Libphonenumber::default();
    formatter.configure(&Vec::new()).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..200 {
        let batch: Vec<String> = (0..100)
            .map(|_| {
                let len = (next() % 40) as usize;
                (0..len)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            })
            .collect();
        // Every sixth batch without a default country.
        let default = ["GB", "RU", "US", "AR", "MX"]
            .get(round % 6)
            .map(|c| c.to_string());
        for (input, result) in batch.iter().zip(formatter.format(batch.clone(), default)) {
            match result {
                Ok(f) => assert!(
                    f.e164.starts_with('+') && f.e164[1..].bytes().all(|b| b.is_ascii_digit()),
                    "{input:?}: {f:?}"
                ),
                Err(reason) => assert!(!reason.is_empty(), "{input:?}"),
            }
        }
    }
}
