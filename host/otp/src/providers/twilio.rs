//! A Twilio-compatible messages list.

use super::{
    common::{as_time, e164, fetch, for_watches, garbage, json, Watermark},
    Provider, ProviderError, Sms, Watch,
};

/// A Twilio-compatible messages list: one paged request per poll for every
/// watched number (`GET /2010-04-01/Accounts/{sid}/Messages.json`).
pub struct Twilio {
    url: String,
    account: String,
    token: String,
    client: reqwest::Client,
    newest: Watermark,
}

/// Pages read per poll at most (50 messages each).
const TWILIO_PAGES: usize = 50;

impl Twilio {
    /// A provider at `url` for `account` with `token` as auth token.
    pub fn new(url: &str, account: &str, token: &str, client: reqwest::Client) -> Twilio {
        Twilio {
            url: url.into(),
            account: account.into(),
            token: token.into(),
            client,
            newest: Watermark::default(),
        }
    }
}

/// The next page's URL: `next_page_uri` is a path on the same server.
/// Anything that would send the account's credentials elsewhere (another
/// host, port or scheme, user info, a path not starting with one `/`) is
/// refused.
fn next_page(base: &str, next: &str) -> Result<String, ProviderError> {
    let refused = || garbage("twilio", "a `next_page_uri` that leaves the server");
    if !next.starts_with('/') || next.starts_with("//") || next.contains('\\') {
        return Err(refused());
    }
    let url = format!("{base}{next}");
    let (Ok(from), Ok(to)) = (reqwest::Url::parse(base), reqwest::Url::parse(&url)) else {
        return Err(refused());
    };
    let origin = |u: &reqwest::Url| {
        (
            u.scheme().to_string(),
            u.host_str().map(str::to_string),
            u.port_or_known_default(),
            u.username().to_string(),
            u.password().map(str::to_string),
        )
    };
    if origin(&from) != origin(&to) {
        return Err(refused());
    }
    Ok(url)
}

#[async_trait::async_trait]
impl Provider for Twilio {
    fn name(&self) -> &str {
        "twilio"
    }

    async fn poll(&self, watches: &[Watch]) -> Result<Vec<Sms>, ProviderError> {
        if watches.is_empty() {
            return Ok(Vec::new());
        }
        let since = self.newest.since(watches);
        let day = chrono::DateTime::from_timestamp(since, 0)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let base = self.url.trim_end_matches('/');
        let mut url = format!(
            "{base}/2010-04-01/Accounts/{}/Messages.json?DateSent%3E={day}&PageSize=50",
            self.account
        );
        let mut out = Vec::new();
        let mut complete = false;
        for _ in 0..TWILIO_PAGES {
            let request = self
                .client
                .get(&url)
                .basic_auth(&self.account, Some(&self.token));
            let value = json("twilio", &fetch("twilio", request).await?)?;
            let messages = value["messages"]
                .as_array()
                .ok_or_else(|| garbage("twilio", "no `messages` list"))?;
            let mut older = false;
            for m in messages {
                if m["direction"].as_str().is_some_and(|d| d != "inbound") {
                    continue;
                }
                // One odd record is skipped, never the poll: a message that
                // cannot be read stays on the provider's list all day.
                match message(m) {
                    Ok(sms) => {
                        older |= sms.received_at < since;
                        out.push(sms);
                    }
                    Err(e) => {
                        metrics::counter!("numbot_provider_skipped_total", "provider" => "twilio")
                            .increment(1);
                        tracing::warn!("twilio: skipping a message: {e}");
                    }
                }
            }
            // Newest first: once a page reaches before every watch, stop.
            match value["next_page_uri"].as_str() {
                Some(next) if !older && !next.is_empty() => url = next_page(base, next)?,
                _ => {
                    complete = true;
                    break;
                }
            }
        }
        // Past the page cap some messages are unread: the watermark waits.
        if complete {
            self.newest.advance(&out, watches);
        }
        Ok(for_watches(out, watches))
    }
}

/// One message of Twilio's list.
fn message(m: &serde_json::Value) -> Result<Sms, ProviderError> {
    let field = |k: &str| {
        m[k].as_str()
            .ok_or_else(|| garbage("twilio", format!("a message without `{k}`")))
    };
    let received_at = as_time(&m["date_sent"])
        .or_else(|| as_time(&m["date_created"]))
        .ok_or_else(|| garbage("twilio", "a message without a date"))?;
    Ok(Sms {
        id: field("sid")?.to_string(),
        number: e164(field("to")?),
        text: field("body")?.to_string(),
        received_at,
        code: None,
        sender: m["from"].as_str().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::{message, next_page};

    #[test]
    fn a_message_that_cannot_be_read_is_refused_alone() {
        let good = serde_json::json!({
            "sid": "SM1", "to": "+971501234567", "from": "Google", "body": "G-123456",
            "date_sent": "Mon, 07 Dec 2026 10:00:00 +0000", "direction": "inbound",
        });
        assert_eq!(message(&good).unwrap().text, "G-123456");
        for broken in ["sid", "to", "body", "date_sent"] {
            let mut m = good.clone();
            m.as_object_mut().unwrap().remove(broken);
            assert!(message(&m).is_err(), "{broken}");
        }
    }

    #[test]
    fn next_pages_stay_on_the_server() {
        let base = "https://api.twilio.com";
        let path = "/2010-04-01/Accounts/AC1/Messages.json?Page=1&PageToken=PA2";
        assert_eq!(next_page(base, path).unwrap(), format!("{base}{path}"));
        assert!(next_page("http://127.0.0.1:8080", "/x?y=1").is_ok());
        for hostile in [
            "@evil.example/2010-04-01/",
            ".evil.example/2010-04-01/",
            ":8443/2010-04-01/",
            "//evil.example/2010-04-01/",
            "https://evil.example/2010-04-01/",
            "/\\evil.example/",
            "",
        ] {
            assert!(next_page(base, hostile).is_err(), "{hostile}");
        }
    }
}
