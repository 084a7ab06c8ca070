//! One-time login links: the Mini App in a browser outside Telegram, where
//! no launch data exists. `/dashboard` gives its caller a link whose URL
//! fragment (never sent to a server or a proxy log) carries
//! `login=<user>.<expires>.<nonce>.<mac>`: HMAC-SHA256 under a key derived
//! from the bot token with a label of its own, so a login link and launch
//! data can never stand for each other. The session exchange accepts a
//! link once, as it does launch data, and not after it expires.

/// What a checked link says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Login {
    /// The user it was made for.
    pub user: i64,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
}

/// Why a link is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// Not four dot-separated fields of the right kinds.
    #[error("the login link does not parse")]
    Malformed,
    /// Not signed by this bot's token.
    #[error("the login link is not signed for this bot")]
    BadSignature,
    /// Past its time.
    #[error("the login link expired {0} s ago")]
    Expired(i64),
}

fn key(bot_token: &str) -> ring::hmac::Key {
    let derived = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"numbot login link"),
        bot_token.as_bytes(),
    );
    ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref())
}

/// A link's secret for `user`, good until `expires_at`.
pub fn issue(user: i64, expires_at: i64, bot_token: &str) -> String {
    let signed = format!(
        "{user}.{expires_at}.{}",
        hex::encode(rand::random::<[u8; 16]>())
    );
    let mac = ring::hmac::sign(&key(bot_token), signed.as_bytes());
    format!("{signed}.{}", hex::encode(mac.as_ref()))
}

/// Checks a link's secret for `bot_token` at `now`.
pub fn check(secret: &str, bot_token: &str, now: i64) -> Result<Login, LoginError> {
    let (signed, mac) = secret.rsplit_once('.').ok_or(LoginError::Malformed)?;
    let mut fields = signed.split('.');
    let (Some(user), Some(expires_at), Some(nonce), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(LoginError::Malformed);
    };
    let user: i64 = user.parse().map_err(|_| LoginError::Malformed)?;
    let expires_at: i64 = expires_at.parse().map_err(|_| LoginError::Malformed)?;
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(LoginError::Malformed);
    }
    let mac = hex::decode(mac).map_err(|_| LoginError::BadSignature)?;
    ring::hmac::verify(&key(bot_token), signed.as_bytes(), &mac)
        .map_err(|_| LoginError::BadSignature)?;
    if now >= expires_at {
        return Err(LoginError::Expired(now - expires_at));
    }
    Ok(Login { user, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "7342037359:AAHI25ES9xCOMPokpYoz-p8XVrZUdygo2J4";

    #[test]
    fn a_link_names_its_user_until_it_expires() {
        let secret = issue(42, 1_000_600, TOKEN);
        assert_eq!(
            check(&secret, TOKEN, 1_000_000),
            Ok(Login {
                user: 42,
                expires_at: 1_000_600
            })
        );
        assert_eq!(
            check(&secret, TOKEN, 1_000_600),
            Err(LoginError::Expired(0))
        );
        assert_ne!(issue(42, 1_000_600, TOKEN), secret, "each link is new");
    }

    #[test]
    fn tampered_foreign_and_malformed_links_are_refused() {
        let secret = issue(42, 1_000_600, TOKEN);
        let other_user = secret.replacen("42.", "43.", 1);
        assert_eq!(
            check(&other_user, TOKEN, 1_000_000),
            Err(LoginError::BadSignature)
        );
        let later = secret.replacen(".1000600.", ".9000600.", 1);
        assert_eq!(
            check(&later, TOKEN, 1_000_000),
            Err(LoginError::BadSignature)
        );
        assert_eq!(
            check(&secret, "7342037359:another-token", 1_000_000),
            Err(LoginError::BadSignature)
        );
        for bad in [
            "",
            "42",
            "42.1000600.ab.cd",
            "x.1000600.00.00",
            "42.1000600.a.b.c",
        ] {
            assert_eq!(
                check(bad, TOKEN, 1_000_000),
                Err(LoginError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn launch_datas_key_signs_no_link() {
        // A MAC under the launch data's key (HMAC("WebAppData", token)) over
        // a link's fields is not a link.
        let signed = format!("42.1000600.{}", "0".repeat(32));
        let launch_secret = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"WebAppData"),
            TOKEN.as_bytes(),
        );
        let launch_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, launch_secret.as_ref());
        let mac = hex::encode(ring::hmac::sign(&launch_key, signed.as_bytes()).as_ref());
        assert_eq!(
            check(&format!("{signed}.{mac}"), TOKEN, 1_000_000),
            Err(LoginError::BadSignature)
        );
    }
}
