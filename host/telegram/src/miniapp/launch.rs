//! Telegram's launch data (`initData`), checked as "Validating data
//! received via the Mini App" says: every field but `hash`, sorted by key
//! as `key=value` lines, signed with HMAC-SHA256 under the key
//! HMAC-SHA256("WebAppData", bot token). Fresh enough, and naming a user.

use serde::Deserialize;

/// What checked launch data says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The Telegram user who opened the app.
    pub user: i64,
    /// Their first name.
    pub first_name: String,
    /// Their Telegram app's language, if given.
    pub language: Option<String>,
    /// When Telegram signed it (Unix seconds).
    pub auth_date: i64,
}

/// Why launch data is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    /// Not a query string of distinct keys.
    #[error("the launch data does not parse")]
    Malformed,
    /// No `hash`, or not the one the bot token gives.
    #[error("the launch data is not signed for this bot")]
    BadSignature,
    /// Signed longer ago than allowed (or in the future).
    #[error("the launch data is {0} s old; open the app again")]
    Stale(i64),
    /// No user in it.
    #[error("the launch data names no user")]
    NoUser,
}

#[derive(Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    language_code: Option<String>,
}

/// Checks `init_data` for `bot_token` at `now`, refusing what is older than
/// `max_age` seconds.
pub fn check(
    init_data: &str,
    bot_token: &str,
    now: i64,
    max_age: i64,
) -> Result<Launch, LaunchError> {
    let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(init_data.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    fields.sort();
    if fields.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(LaunchError::Malformed);
    }
    let hash = fields
        .iter()
        .position(|(k, _)| k == "hash")
        .map(|i| fields.remove(i).1)
        .ok_or(LaunchError::BadSignature)?;
    let expected = hex::decode(&hash).map_err(|_| LaunchError::BadSignature)?;
    let check_string = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let secret = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"WebAppData"),
        bot_token.as_bytes(),
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_ref());
    ring::hmac::verify(&key, check_string.as_bytes(), &expected)
        .map_err(|_| LaunchError::BadSignature)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let auth_date: i64 = field("auth_date")
        .and_then(|v| v.parse().ok())
        .ok_or(LaunchError::Malformed)?;
    let age = now - auth_date;
    // A minute of clock skew either way.
    if age > max_age || age < -60 {
        return Err(LaunchError::Stale(age));
    }
    let user: User = field("user")
        .and_then(|u| serde_json::from_str(u).ok())
        .ok_or(LaunchError::NoUser)?;
    Ok(Launch {
        user: user.id,
        first_name: user.first_name,
        language: user.language_code,
        auth_date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Telegram's published example (token, launch data, and its hash); the
    // hash was computed by Telegram, not by this code.
    const TOKEN: &str = "7342037359:AAHI25ES9xCOMPokpYoz-p8XVrZUdygo2J4";
    const INIT_DATA: &str = "user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%20%2B%20-%20%3F%20%5C%2F%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%2C%22allows_write_to_pm%22%3Atrue%2C%22photo_url%22%3A%22https%3A%5C%2F%5C%2Ft.me%5C%2Fi%5C%2Fuserpic%5C%2F320%5C%2F4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg%22%7D&chat_instance=8134722200314281151&chat_type=private&auth_date=1733509682&signature=TYJxVcisqbWjtodPepiJ6ghziUL94-KNpG8Pau-X7oNNLNBM72APCpi_RKiUlBvcqo5L-LAxIc3dnTzcZX_PDg&hash=a433d8f9847bd6addcc563bff7cc82c89e97ea0d90c11fe5729cae6796a36d73";
    const SIGNED_AT: i64 = 1_733_509_682;

    #[test]
    fn telegrams_own_example_passes() {
        let launch = check(INIT_DATA, TOKEN, SIGNED_AT + 10, 3600).unwrap();
        assert_eq!(launch.user, 279_058_397);
        assert_eq!(launch.first_name, "Vladislav + - ? /");
        assert_eq!(launch.language.as_deref(), Some("ru"));
    }

    #[test]
    fn tampered_stale_and_foreign_data_is_refused() {
        let tampered = INIT_DATA.replace("279058397", "279058398");
        assert_eq!(
            check(&tampered, TOKEN, SIGNED_AT, 3600),
            Err(LaunchError::BadSignature)
        );
        assert_eq!(
            check(INIT_DATA, "7342037359:another-token", SIGNED_AT, 3600),
            Err(LaunchError::BadSignature)
        );
        assert_eq!(
            check(INIT_DATA, TOKEN, SIGNED_AT + 3601, 3600),
            Err(LaunchError::Stale(3601))
        );
        assert_eq!(
            check(INIT_DATA, TOKEN, SIGNED_AT - 120, 3600),
            Err(LaunchError::Stale(-120))
        );
        let unsigned = INIT_DATA.split("&hash=").next().unwrap();
        assert_eq!(
            check(unsigned, TOKEN, SIGNED_AT, 3600),
            Err(LaunchError::BadSignature)
        );
        let twice = format!("{INIT_DATA}&chat_type=group");
        assert_eq!(
            check(&twice, TOKEN, SIGNED_AT, 3600),
            Err(LaunchError::Malformed)
        );
    }
}
