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
                let field = |k: &str| {
                    m[k].as_str()
                        .ok_or_else(|| garbage("twilio", format!("a message without `{k}`")))
                };
                if m["direction"].as_str().is_some_and(|d| d != "inbound") {
                    continue;
                }
                let Some(received_at) =
                    as_time(&m["date_sent"]).or_else(|| as_time(&m["date_created"]))
                else {
                    tracing::warn!("twilio: skipping a message without a date");
                    continue;
                };
                older |= received_at < since;
                out.push(Sms {
                    id: field("sid")?.to_string(),
                    number: e164(field("to")?),
                    text: field("body")?.to_string(),
                    received_at,
                    code: None,
                    sender: m["from"].as_str().map(str::to_string),
                });
            }
            // Newest first: once a page reaches before every watch, stop.
            match value["next_page_uri"].as_str() {
                Some(next) if !older && !next.is_empty() => url = format!("{base}{next}"),
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
