//! Example country formatter: United Arab Emirates numbers shown the way
//! local teams read them, `050 123 4567` for mobiles and `04 123 4567` for
//! landlines, instead of the international style of the default formatter.
//!
//! An operator builds it (`cargo build-plugins`) and drops the `.wasm` and
//! its manifest into the plugin directory; the host then routes every `AE`
//! number to it.

use numbot_plugin_sdk::{export_formatter, Countries, Formatted, Formatter};

/// UAE numbers in local style.
#[derive(Default)]
pub struct UaeLocal;

impl Formatter for UaeLocal {
    fn countries(&self) -> Countries {
        Countries::Only(vec!["AE".into()])
    }

    fn format(
        &mut self,
        numbers: Vec<String>,
        _default_country: Option<String>,
    ) -> Vec<Result<Formatted, String>> {
        numbers.iter().map(|n| format_uae(n)).collect()
    }
}

/// Mobile prefixes after the trunk `0` (Etisalat, du, Virgin).
const MOBILE: &[&str] = &["50", "52", "54", "55", "56", "58"];
/// Landline area codes after the trunk `0`.
const AREA: &[&str] = &["2", "3", "4", "6", "7", "9"];

fn format_uae(raw: &str) -> Result<Formatted, String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("00971") {
        rest
    } else if let Some(rest) = digits.strip_prefix("971") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        digits.as_str()
    };
    let display = match national.len() {
        9 if MOBILE.contains(&&national[..2]) => {
            format!("0{} {} {}", &national[..2], &national[2..5], &national[5..])
        }
        8 if AREA.contains(&&national[..1]) => {
            format!("0{} {} {}", &national[..1], &national[1..4], &national[4..])
        }
        _ => return Err(format!("not a UAE mobile or landline number: {raw}")),
    };
    Ok(Formatted {
        e164: format!("+971{national}"),
        display,
        country: "AE".into(),
    })
}

export_formatter!(UaeLocal);
