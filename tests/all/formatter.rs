//! The default formatter across countries, and routing to a country plugin.

use numbot_plugin_host::AnyPlugin;

use crate::support::{capture_logs, defaults, host, load, shared_host};

/// (input, expected E.164, expected country): 26 countries' real number plans.
const CASES: &[(&str, &str, &str)] = &[
    ("+1 201-555-0123", "+12015550123", "US"),
    ("+1 506-234-5678", "+15062345678", "CA"),
    ("+44 7400 123456", "+447400123456", "GB"),
    ("+49 1512 3456789", "+4915123456789", "DE"),
    ("+33 6 12 34 56 78", "+33612345678", "FR"),
    ("+34 612 34 56 78", "+34612345678", "ES"),
    ("+39 312 345 6789", "+393123456789", "IT"),
    ("+31 6 12345678", "+31612345678", "NL"),
    ("+55 11 96123-4567", "+5511961234567", "BR"),
    ("+91 81234 56789", "+918123456789", "IN"),
    ("+86 131 2345 6789", "+8613123456789", "CN"),
    ("+81 90-1234-5678", "+819012345678", "JP"),
    ("+7 912 345-67-89", "+79123456789", "RU"),
    ("+234 802 123 4567", "+2348021234567", "NG"),
    ("+227 93 12 34 56", "+22793123456", "NE"),
    ("+971 50 123 4567", "+971501234567", "AE"),
    ("+27 71 123 4567", "+27711234567", "ZA"),
    ("+52 222 123 4567", "+522221234567", "MX"),
    ("+61 412 345 678", "+61412345678", "AU"),
    ("+254 712 123456", "+254712123456", "KE"),
    ("+20 100 123 4567", "+201001234567", "EG"),
    ("+90 501 234 56 78", "+905012345678", "TR"),
    ("+92 301 2345678", "+923012345678", "PK"),
    ("+62 812-345-678", "+62812345678", "ID"),
    ("+966 51 234 5678", "+966512345678", "SA"),
    ("+63 905 123 4567", "+639051234567", "PH"),
];

fn default_formatter(
) -> std::sync::Arc<numbot_plugin_host::Plugin<numbot_plugin_host::worlds::FormatterWorld>> {
    match load(&defaults(), "numbot-formatter") {
        AnyPlugin::Formatter(p, _) => p,
        _ => panic!("numbot-formatter is not a formatter"),
    }
}

#[test]
fn every_country_in_e164_with_display_and_country() {
    let formatter = default_formatter();
    let inputs: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    let out = formatter.format(&inputs, None).unwrap();
    for ((input, e164, country), result) in CASES.iter().zip(out) {
        let f = result.unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            (f.e164.as_str(), f.country.as_str()),
            (*e164, *country),
            "{input}"
        );
        assert!(
            f.display.starts_with('+') && f.display.contains(' '),
            "{input}: {}",
            f.display
        );
    }
}

#[test]
fn national_numbers_with_a_default_country() {
    let formatter = default_formatter();
    let cases = [
        ("GB", "07400 123456", "+447400123456"),
        ("DE", "01512 3456789", "+4915123456789"),
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("NG", "0802 123 4567", "+2348021234567"),
        ("AE", "0501234567", "+971501234567"),
        ("US", "(201) 555-0123", "+12015550123"),
    ];
    for (country, input, e164) in cases {
        let out = formatter
            .format(&[input.to_string()], Some(country))
            .unwrap();
        let f = out[0].as_ref().unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!((f.e164.as_str(), f.country.as_str()), (e164, country));
    }
    // Without a default country, digits without + are read as international.
    let out = formatter
        .format(&["971501234567".into(), "00447400123456".into()], None)
        .unwrap();
    assert_eq!(out[0].as_ref().unwrap().e164, "+971501234567");
    assert_eq!(out[1].as_ref().unwrap().e164, "+447400123456");
}

#[test]
fn invalid_numbers_are_rejected_with_a_reason() {
    let formatter = default_formatter();
    let inputs: Vec<String> = [
        "+44 1234",
        "+999 1234567",
        "+1 555",
        "0501234567",
        "call me",
        "",
        "+7 912 345-67-8",
    ]
    .map(String::from)
    .to_vec();
    let out = formatter.format(&inputs, None).unwrap();
    let reasons: Vec<String> = out
        .into_iter()
        .zip(&inputs)
        .map(|(r, input)| r.err().unwrap_or_else(|| panic!("{input:?} accepted")))
        .collect();
    assert_eq!(reasons[0], "not a valid number for GB");
    assert_eq!(reasons[1], "unknown country calling code in `+999 1234567`");
    assert_eq!(reasons[2], "not a valid number for US");
    assert!(reasons[3].contains("no country"), "{reasons:?}");
    assert!(reasons[4].contains("not a phone number"), "{reasons:?}");
    assert_eq!(reasons[5], "empty");
    assert!(
        reasons[6].contains("not a valid number for RU"),
        "{reasons:?}"
    );
    let bad_country = formatter
        .format(&["0501234567".into()], Some("XX"))
        .unwrap();
    assert_eq!(
        bad_country[0].as_ref().unwrap_err(),
        "unknown country code `XX`"
    );
}

#[test]
fn country_plugin_claims_its_country_and_the_default_serves_the_rest() {
    let host = shared_host();
    assert_eq!(
        host.formatter_for("AE").unwrap().manifest().id,
        "ae-formatter"
    );
    assert_eq!(
        host.formatter_for("ae").unwrap().manifest().id,
        "ae-formatter"
    );
    assert_eq!(
        host.formatter_for("GB").unwrap().manifest().id,
        "numbot-formatter"
    );
    let inputs: Vec<String> = [
        "+971 50 123 4567",
        "+44 7400 123456",
        "0097142345678",
        "+971 99",
        "+227 93 12 34 56",
    ]
    .map(String::from)
    .to_vec();
    let out = host.format(&inputs, None).unwrap();
    let ae = out[0].as_ref().unwrap();
    assert_eq!(
        (ae.e164.as_str(), ae.display.as_str(), ae.country.as_str()),
        ("+971501234567", "050 123 4567", "AE")
    );
    let gb = out[1].as_ref().unwrap();
    assert_eq!(
        (gb.display.as_str(), gb.country.as_str()),
        ("+44 7400 123456", "GB")
    );
    let landline = out[2].as_ref().unwrap();
    assert_eq!(
        (landline.e164.as_str(), landline.display.as_str()),
        ("+97142345678", "04 234 5678")
    );
    assert!(out[3].is_err());
    assert_eq!(out[4].as_ref().unwrap().country, "NE");
    // With AE as the default country, national numbers reach the AE plugin too.
    let out = host.format(&["0521234567".into()], Some("AE")).unwrap();
    assert_eq!(out[0].as_ref().unwrap().display, "052 123 4567");
    let out = host.format(&["0521234567".into()], Some("ae")).unwrap();
    assert_eq!(
        out[0].as_ref().unwrap().display,
        "052 123 4567",
        "country codes in any case"
    );
}

#[test]
fn a_plugin_named_by_id_answers_without_routing() {
    let host = shared_host();
    let Some(AnyPlugin::Formatter(ae, _)) = host.plugin("ae-formatter") else {
        panic!("ae-formatter missing: {:?}", host.plugins());
    };
    // The routing would send a UK number to the default; the AE plugin refuses it.
    let out = ae.format(&["+44 7400 123456".into()], None).unwrap();
    assert!(out[0].is_err(), "{out:?}");
    assert!(matches!(
        host.plugin("lru-policy"),
        Some(AnyPlugin::Policy(p)) if p.manifest().id == "lru-policy"
    ));
    assert!(host.plugin("no-such-plugin").is_none());
}

#[test]
fn settings_reach_configure_and_plugin_logs_reach_tracing() {
    let dirs = vec![defaults()];
    let mut settings = std::collections::HashMap::new();
    settings.insert(
        "numbot-formatter".to_string(),
        vec![
            ("default_country".into(), "GB".into()),
            ("colour".into(), "blue".into()),
        ],
    );
    let (configured, logs) = capture_logs(|| {
        numbot_plugin_host::PluginHost::start(numbot_plugin_host::PluginHostConfig {
            dirs,
            cache_dir: Some(crate::support::cache()),
            settings,
            ..Default::default()
        })
        .unwrap()
    });
    assert!(logs.contains("unknown setting `colour` ignored"), "{logs}");
    assert!(logs.contains("plugin=\"numbot-formatter\""), "{logs}");
    assert!(logs.contains("WARN"), "{logs}");
    let out = configured.format(&["07400 123456".into()], None).unwrap();
    assert_eq!(out[0].as_ref().unwrap().e164, "+447400123456");

    // The same plugin without the setting cannot place a national number.
    let plain = host(vec![defaults()]);
    let out = plain.format(&["07400 123456".into()], None).unwrap();
    assert!(out[0].as_ref().unwrap_err().contains("no country"));
}

/// Countries, their calling codes and the digits a national number has.
const PLANS: &[(&str, &str, u32)] = &[
    ("AE", "971", 9),
    ("GB", "44", 10),
    ("DE", "49", 11),
    ("FR", "33", 9),
    ("US", "1", 10),
    ("IN", "91", 10),
    ("RU", "7", 10),
    ("KZ", "7", 10),
    ("CN", "86", 11),
    ("JP", "81", 10),
    ("KR", "82", 10),
    ("BR", "55", 11),
    ("MX", "52", 10),
    ("NG", "234", 10),
    ("EG", "20", 10),
    ("SA", "966", 9),
    ("TR", "90", 10),
    ("ID", "62", 10),
    ("PK", "92", 10),
    ("BD", "880", 10),
    ("VN", "84", 9),
    ("TH", "66", 9),
    ("PH", "63", 10),
    ("MY", "60", 9),
    ("IT", "39", 10),
    ("ES", "34", 9),
    ("PL", "48", 9),
    ("UA", "380", 9),
    ("NL", "31", 9),
    ("SE", "46", 9),
    ("ZA", "27", 9),
    ("KE", "254", 9),
    ("AR", "54", 10),
    ("CO", "57", 10),
    ("IR", "98", 10),
    ("MA", "212", 9),
    ("AU", "61", 9),
    ("CA", "1", 10),
];

/// One formatter instance fed a long varied stream (many default
/// countries, every written shape, valid and invalid numbers, in batches
/// of 500) never fails a call for memory, and holds a bounded amount: an
/// instance whose memory passed half its limit is retired after its call.
#[test]
fn a_long_varied_stream_never_fails_for_memory() {
    let formatter = default_formatter();
    let limit = formatter.manifest().limits.memory_mib << 20;
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut formatted = 0usize;
    for round in 0..400 {
        let (country, code, digits) = PLANS[round % PLANS.len()];
        let batch: Vec<String> = (0..500)
            .map(|i| {
                let n = next() % 10u64.pow(digits);
                let national = format!("{n:0width$}", width = digits as usize);
                match i % 5 {
                    0 => format!("+{code} {national}"),
                    1 => format!("00{code}{national}"),
                    2 => format!("0{national}"),
                    3 => format!("{code}{national}"),
                    _ => format!("({}) {}", &national[..3], &national[3..]),
                }
            })
            .collect();
        let out = formatter
            .format(&batch, Some(country))
            .unwrap_or_else(|e| panic!("round {round} ({country}): {e}"));
        assert_eq!(out.len(), batch.len());
        formatted += out.len();
    }
    let peak = formatter.peak_memory() as u64;
    eprintln!(
        "{formatted} numbers; peak {:.1} MiB of {} MiB; {} instances retired",
        peak as f64 / (1 << 20) as f64,
        limit >> 20,
        formatter.instances_retired()
    );
    assert_eq!(formatted, 200_000);
    assert!(peak <= limit, "{peak} bytes past the {limit}-byte limit");
    assert_eq!(formatter.instances_discarded(), 0, "no call failed");
}
