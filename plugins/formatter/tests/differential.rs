//! The compiled plans against the `phonenumber` crate they speed up: the
//! same validity, country and international format for example numbers of
//! every region and type, and for variations of them.

use numbot_formatter::plans::Plans;
use phonenumber::{metadata::DATABASE, Mode};

fn variations(example: &str) -> Vec<String> {
    let mut out = vec![example.to_string()];
    let bytes = example.as_bytes();
    for i in [bytes.len().saturating_sub(1), bytes.len() / 2] {
        for d in [b'0', b'5', b'9'] {
            let mut v = bytes.to_vec();
            v[i] = d;
            out.push(String::from_utf8(v).unwrap());
        }
    }
    out.push(example[..example.len() - 1].to_string());
    out.push(format!("{example}7"));
    out
}

#[test]
fn plans_agree_with_libphonenumber_rules() {
    let plans = Plans::default();
    let (mut checked, mut valid, mut crate_prefix_only) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for meta in DATABASE.iter() {
        let code = meta.country_code();
        for example in std::iter::once(meta.descriptors().general())
            .chain(number_types(meta))
            .filter_map(|desc| desc.example())
        {
            for national in variations(example) {
                let text = format!("+{code}{national}");
                let Ok(number) = phonenumber::parse(None, &text) else {
                    continue;
                };
                // Numbers the parser rewrote (national prefixes) take the slow path in the plugin.
                if number.national().to_string() != national {
                    continue;
                }
                checked += 1;
                let expected = phonenumber::is_valid(&number).then(|| {
                    (
                        number.country().id().map(|id| id.as_ref().to_string()),
                        number.format().mode(Mode::International).to_string(),
                    )
                });
                let got = plans.check(code, &national);
                let agree = match (&expected, &got) {
                    (None, None) => true,
                    (Some((region, display)), Some(v)) => {
                        valid += 1;
                        let region_agrees = match region {
                            Some(region) => *region == v.region,
                            // The crate drops Italy's leading zero when it picks the
                            // region (+39 02... is Milan), and names none.
                            None if number.national().zeros() > 0 => {
                                v.region == "IT" || v.region == "VA"
                            }
                            // Non-geographic codes (+800, +882...) are region `001`.
                            None => v.region == "001",
                        };
                        region_agrees && *display == v.international
                    }
                    _ => false,
                };
                // The crate matches number patterns at the start only; libphonenumber
                // (and the plans) match the whole number. Where the crate calls a
                // number valid that no pattern of its code matches entirely, the
                // crate is wrong.
                if agree {
                    continue;
                }
                if got.is_none() && !matches_entirely(code, &national) {
                    crate_prefix_only += 1;
                } else {
                    disagreements.push(format!("{text}: crate {expected:?}, plans {got:?}"));
                }
            }
        }
    }
    assert!(
        checked > 5_000 && valid > 2_000,
        "checked {checked}, valid {valid}"
    );
    // A small share, all numbers longer than their pattern allows.
    assert!(
        crate_prefix_only < checked / 50,
        "{crate_prefix_only} prefix-only matches"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {checked} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Whether any number pattern of any region of `code` matches all of `national`
/// (with an allowed length): libphonenumber's test of a known number type.
fn matches_entirely(code: u16, national: &str) -> bool {
    DATABASE
        .by_code(&code)
        .unwrap_or_default()
        .iter()
        .any(|meta| {
            number_types(meta).any(|desc| {
                let lengths = desc.possible_length();
                (lengths.is_empty() || lengths.contains(&(national.len() as u16)))
                    && regex::RegexBuilder::new(&format!(
                        "^(?:{})$",
                        desc.national_number().as_str()
                    ))
                    .ignore_whitespace(true)
                    .build()
                    .unwrap()
                    .is_match(national)
            })
        })
}

/// The descriptors of a region's number types (all but the general one).
fn number_types(
    meta: &phonenumber::Metadata,
) -> impl Iterator<Item = &phonenumber::metadata::Descriptor> {
    let d = meta.descriptors();
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
}
