//! Sending with Telegram's flood control honoured: a 429 with `retry_after`
//! is waited out and the request sent again, never dropped.

use std::time::Duration;

use teloxide::{requests::Request, RequestError};

/// Attempts before a request that keeps getting 429 is given up (each waits
/// the `retry_after` Telegram asked for).
const ATTEMPTS: u32 = 12;

/// Sends `request`, waiting out every `RetryAfter` (and retrying a dropped
/// connection once).
pub async fn retrying<R>(request: R) -> Result<teloxide::requests::Output<R>, RequestError>
where
    R: Request<Err = RequestError>,
{
    let mut network_retried = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match request.send_ref().await {
            Err(RequestError::RetryAfter(after)) if attempt < ATTEMPTS => {
                tracing::warn!("Telegram asked to wait {after:?} (attempt {attempt})");
                tokio::time::sleep(after.duration()).await;
            }
            Err(RequestError::Network(e)) if !network_retried => {
                tracing::warn!("network error, retrying once: {e}");
                network_retried = true;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}

/// Escapes text for Telegram's HTML parse mode.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `1234567` -> `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A wait for people: `45 s`, `3 min 20 s`, `2 h 5 min`.
pub fn wait(d: Duration) -> String {
    let s = d.as_secs().max(1);
    match s {
        0..60 => format!("{s} s"),
        60..3600 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// A short stable key for a name in 64-byte callback data (categories and
/// file names can be longer than a button's data allows).
pub fn key(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(name.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_counts_waits_and_html() {
        assert_eq!(count(0), "0");
        assert_eq!(count(2500), "2,500");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(wait(Duration::from_secs(45)), "45 s");
        assert_eq!(wait(Duration::from_secs(200)), "3 min 20 s");
        assert_eq!(wait(Duration::from_secs(600)), "10 min");
        assert_eq!(wait(Duration::from_secs(7500)), "2 h 5 min");
        assert_eq!(html("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
        assert_eq!(key("UAE Mobile").len(), 12);
        assert_ne!(key("UAE Mobile"), key("UAE Mobile "));
    }
}
