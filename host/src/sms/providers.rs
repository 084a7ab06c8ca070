//! The three provider protocols.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;

use super::{Outcome, Provider, ProviderError, Sms, SmsConfig, Watch};

/// Longest body quoted in an error.
const QUOTE: usize = 200;

/// The URL stays out: it may carry the API key (SMS-Activate's `api_key`).
fn unreachable(provider: &str, e: reqwest::Error) -> ProviderError {
    ProviderError::Unreachable {
        provider: provider.into(),
        detail: e.without_url().to_string(),
    }
}

fn garbage(provider: &str, detail: impl Into<String>) -> ProviderError {
    ProviderError::Garbage {
        provider: provider.into(),
        detail: detail.into(),
    }
}

/// Sends a request; an error status or transport failure becomes a typed error.
async fn fetch(provider: &str, request: reqwest::RequestBuilder) -> Result<String, ProviderError> {
    let response = request.send().await.map_err(|e| unreachable(provider, e))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| unreachable(provider, e))?;
    if !status.is_success() {
        return Err(ProviderError::Status {
            provider: provider.into(),
            status: status.as_u16(),
            body: body.chars().take(QUOTE).collect(),
        });
    }
    Ok(body)
}

fn json(provider: &str, body: &str) -> Result<Value, ProviderError> {
    serde_json::from_str(body).map_err(|e| {
        garbage(
            provider,
            format!(
                "not JSON ({e}): {}",
                body.chars().take(QUOTE).collect::<String>()
            ),
        )
    })
}

/// `a.b.0.c` into a JSON value.
fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |v, key| match v {
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => v.get(key),
    })
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Unix seconds from a number, a numeric string, RFC 3339 or RFC 2822.
fn as_time(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s
            .parse::<i64>()
            .ok()
            .or_else(|| {
                chrono::DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| t.timestamp())
            })
            .or_else(|| {
                chrono::DateTime::parse_from_rfc2822(s)
                    .ok()
                    .map(|t| t.timestamp())
            }),
        _ => None,
    }
}

/// `+971 50-123` and `971 50 123` both to `+97150123`.
fn e164(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    format!("+{digits}")
}

/// Keeps the messages of watched numbers received since their watch began.
fn for_watches(messages: Vec<Sms>, watches: &[Watch]) -> Vec<Sms> {
    let since: std::collections::HashMap<&str, i64> = watches
        .iter()
        .map(|w| (w.number.as_str(), w.since))
        .collect();
    messages
        .into_iter()
        .filter(|m| {
            since
                .get(m.number.as_str())
                .is_some_and(|s| m.received_at >= *s)
        })
        .collect()
}

/// Keeps the good messages of an answer; bad ones are logged and skipped,
/// so that one odd record does not stop every other code. An answer with
/// only bad ones is an error.
fn skip_bad(
    provider: &str,
    parsed: Vec<Result<Sms, ProviderError>>,
) -> Result<Vec<Sms>, ProviderError> {
    let total = parsed.len();
    let mut good = Vec::with_capacity(total);
    let mut last_error = None;
    for p in parsed {
        match p {
            Ok(sms) => good.push(sms),
            Err(e) => {
                tracing::warn!("{provider}: skipping a message: {e}");
                last_error = Some(e);
            }
        }
    }
    match last_error {
        Some(e) if good.is_empty() => Err(e),
        _ => Ok(good),
    }
}

/// Runs per-watch requests; a failing watch is logged and skipped unless
/// every one fails (then the provider is down, and that is the error).
async fn per_watch<F: Send + 'static>(
    provider: &str,
    mut tasks: tokio::task::JoinSet<Result<F, ProviderError>>,
) -> Result<Vec<F>, ProviderError> {
    let mut out = Vec::new();
    let (mut failed, mut last_error) = (0usize, None);
    while let Some(done) = tasks.join_next().await {
        match done
            .map_err(|e| garbage(provider, e.to_string()))
            .and_then(|r| r)
        {
            Ok(v) => out.push(v),
            Err(e) => {
                failed += 1;
                last_error = Some(e);
            }
        }
    }
    match last_error {
        Some(e) if out.is_empty() => Err(e),
        Some(e) => {
            tracing::warn!("{provider}: {failed} requests of the poll failed, the last: {e}");
            Ok(out)
        }
        None => Ok(out),
    }
}

/// Any JSON API described by paths in the configuration.
#[derive(Clone)]
pub struct JsonProvider {
    config: Arc<SmsConfig>,
    client: reqwest::Client,
    limit: Arc<Semaphore>,
    newest: Arc<Watermark>,
}

/// The newest message time a batch poll has read completely: the next poll
/// asks only from a little before it, not from the oldest watch again. A
/// number watched for the first time is read from its own start.
#[derive(Default)]
struct Watermark {
    newest: std::sync::atomic::AtomicI64,
    known: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// Seconds read again below the watermark: messages stamped in the same
/// second may arrive after it was taken.
const OVERLAP: i64 = 2;

/// How far ahead of this machine's clock a message time is believed.
const FUTURE_SKEW: i64 = 60;

impl Watermark {
    fn since(&self, watches: &[Watch]) -> i64 {
        let oldest = watches.iter().map(|w| w.since).min().unwrap_or(0);
        let mark = self.newest.load(std::sync::atomic::Ordering::Relaxed) - OVERLAP;
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let newcomers = watches
            .iter()
            .filter(|w| !known.contains(&w.number))
            .map(|w| w.since)
            .min();
        let from_mark = oldest.max(mark);
        newcomers.map_or(from_mark, |n| from_mark.min(n))
    }

    /// After a poll that read everything: these watches are covered up to
    /// the newest message.
    fn advance(&self, messages: &[Sms], watches: &[Watch]) {
        {
            let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            known.clear();
            known.extend(watches.iter().map(|w| w.number.clone()));
        }
        let ceiling = chrono::Utc::now().timestamp() + FUTURE_SKEW;
        if let Some(newest) = messages.iter().map(|m| m.received_at.min(ceiling)).max() {
            self.newest
                .fetch_max(newest, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

impl JsonProvider {
    /// A provider for `config` (its `url` is a template).
    pub fn new(config: SmsConfig, client: reqwest::Client) -> JsonProvider {
        let limit = Arc::new(Semaphore::new(config.concurrency.max(1)));
        JsonProvider {
            config: Arc::new(config),
            client,
            limit,
            newest: Arc::default(),
        }
    }

    async fn list(&self, number: Option<&str>, since: i64) -> Result<Vec<Sms>, ProviderError> {
        let c = &self.config;
        let url = c
            .url
            .replace("{number}", number.unwrap_or("").trim_start_matches('+'))
            .replace("{since}", &since.to_string());
        let mut request = self.client.get(url);
        if !c.token.is_empty() {
            request = request.header(&c.auth_header, c.auth_value.replace("{token}", &c.token));
        }
        let body = fetch("json", request).await?;
        let value = json("json", &body)?;
        let list = at(&value, &c.messages)
            .and_then(Value::as_array)
            .ok_or_else(|| garbage("json", format!("no list at `{}`", c.messages)))?;
        let parsed: Vec<Result<Sms, ProviderError>> = list
            .iter()
            .map(|m| {
                let field = |path: &str, what: &str| {
                    at(m, path).ok_or_else(|| {
                        garbage("json", format!("a message without {what} (`{path}`)"))
                    })
                };
                let number = as_text(field(&c.number, "a number")?)
                    .map(|n| e164(&n))
                    .ok_or_else(|| garbage("json", "a number that is not text"))?;
                let text = as_text(field(&c.text, "a text")?)
                    .ok_or_else(|| garbage("json", "a text that is not text"))?;
                let received_at = as_time(field(&c.time, "a time")?).ok_or_else(|| {
                    garbage("json", "a time that is neither Unix seconds nor RFC 3339")
                })?;
                let id = if c.id.is_empty() {
                    format!("{number}/{received_at}/{text}")
                } else {
                    as_text(field(&c.id, "an id")?).unwrap_or_default()
                };
                Ok(Sms {
                    id,
                    number,
                    text,
                    received_at,
                    code: None,
                })
            })
            .collect();
        skip_bad("json", parsed)
    }
}

#[async_trait::async_trait]
impl Provider for JsonProvider {
    fn name(&self) -> &str {
        "json"
    }

    async fn poll(&self, watches: &[Watch]) -> Result<Vec<Sms>, ProviderError> {
        if watches.is_empty() {
            return Ok(Vec::new());
        }
        if !self.config.url.contains("{number}") {
            // One request for every watch.
            let messages = self.list(None, self.newest.since(watches)).await?;
            self.newest.advance(&messages, watches);
            return Ok(for_watches(messages, watches));
        }
        let mut tasks = tokio::task::JoinSet::new();
        for w in watches {
            let (limit, this, w) = (self.limit.clone(), self.clone(), w.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                this.list(Some(&w.number), w.since).await
            });
        }
        let out: Vec<Sms> = per_watch("json", tasks)
            .await?
            .into_iter()
            .flatten()
            .collect();
        Ok(for_watches(out, watches))
    }
}

/// The SMS-Activate protocol: one activation per number; its id is the
/// number's digits.
#[derive(Clone)]
pub struct SmsActivate {
    config: Arc<SmsConfig>,
    client: reqwest::Client,
    limit: Arc<Semaphore>,
}

impl SmsActivate {
    /// A provider at `config.url` (the handler URL's base) with `config.token` as API key.
    pub fn new(config: SmsConfig, client: reqwest::Client) -> SmsActivate {
        let limit = Arc::new(Semaphore::new(config.concurrency.max(1)));
        SmsActivate {
            config: Arc::new(config),
            client,
            limit,
        }
    }

    fn request(&self, action: &str, id: &str, extra: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let url = format!(
            "{}/stubs/handler_api.php",
            self.config.url.trim_end_matches('/')
        );
        let mut query = vec![
            ("api_key", self.config.token.as_str()),
            ("action", action),
            ("id", id),
        ];
        query.extend_from_slice(extra);
        self.client.get(url).query(&query)
    }

    async fn status(&self, watch: &Watch) -> Result<Option<Sms>, ProviderError> {
        let id = watch.number.trim_start_matches('+');
        let body = fetch("sms-activate", self.request("getStatus", id, &[])).await?;
        let body = body.trim();
        if let Some(code) = body
            .strip_prefix("STATUS_OK:")
            .or_else(|| body.strip_prefix("STATUS_WAIT_RETRY:"))
        {
            let code = code.trim().to_string();
            // The protocol gives no time: the message is as new as the answer.
            return Ok(Some(Sms {
                id: format!("{id}/{}/{code}", watch.since),
                number: watch.number.clone(),
                text: code.clone(),
                received_at: chrono::Utc::now().timestamp().max(watch.since),
                code: Some(code),
            }));
        }
        match body {
            "STATUS_WAIT_CODE" | "STATUS_WAIT_RESEND" | "STATUS_CANCEL" => Ok(None),
            "NO_ACTIVATION" => {
                tracing::warn!(
                    "sms-activate: no activation {id} (numbot uses the number's digits as the id)"
                );
                Ok(None)
            }
            "BAD_KEY" => Err(ProviderError::Status {
                provider: "sms-activate".into(),
                status: 401,
                body: "BAD_KEY: the API key is wrong".into(),
            }),
            other => Err(garbage(
                "sms-activate",
                other.chars().take(QUOTE).collect::<String>(),
            )),
        }
    }
}

#[async_trait::async_trait]
impl Provider for SmsActivate {
    fn name(&self) -> &str {
        "sms-activate"
    }

    async fn poll(&self, watches: &[Watch]) -> Result<Vec<Sms>, ProviderError> {
        let mut tasks = tokio::task::JoinSet::new();
        for w in watches {
            let (limit, this, w) = (self.limit.clone(), self.clone(), w.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                this.status(&w).await
            });
        }
        Ok(per_watch("sms-activate", tasks)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }

    async fn finished(&self, watch: &Watch, outcome: Outcome) -> Result<(), ProviderError> {
        // 6: activation completed; 8: cancelled.
        let status = match outcome {
            Outcome::Completed => "6",
            Outcome::Released => "8",
        };
        let id = watch.number.trim_start_matches('+');
        let body = fetch(
            "sms-activate",
            self.request("setStatus", id, &[("status", status)]),
        )
        .await?;
        if body.starts_with("ACCESS_") {
            Ok(())
        } else {
            Err(garbage("sms-activate", body))
        }
    }
}

/// A Twilio-compatible messages list: one paged request per poll for every
/// watched number (`GET /2010-04-01/Accounts/{sid}/Messages.json`).
pub struct Twilio {
    config: SmsConfig,
    client: reqwest::Client,
    newest: Watermark,
}

/// Pages read per poll at most (50 messages each).
const TWILIO_PAGES: usize = 50;

impl Twilio {
    /// A provider for account `config.account` with `config.token` as auth token.
    pub fn new(config: SmsConfig, client: reqwest::Client) -> Twilio {
        Twilio {
            config,
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
        let base = self.config.url.trim_end_matches('/');
        let mut url = format!(
            "{base}/2010-04-01/Accounts/{}/Messages.json?DateSent%3E={day}&PageSize=50",
            self.config.account
        );
        let mut out = Vec::new();
        let mut complete = false;
        for _ in 0..TWILIO_PAGES {
            let request = self
                .client
                .get(&url)
                .basic_auth(&self.config.account, Some(&self.config.token));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bad_record_does_not_hide_the_others() {
        let sms = |id: &str| Sms {
            id: id.into(),
            number: "+1".into(),
            text: "t".into(),
            received_at: 0,
            code: None,
        };
        let kept = skip_bad(
            "json",
            vec![Ok(sms("a")), Err(garbage("json", "bad")), Ok(sms("b"))],
        )
        .unwrap();
        assert_eq!(kept.len(), 2);
        assert!(skip_bad("json", vec![Err(garbage("json", "bad"))]).is_err());
        assert!(skip_bad("json", vec![]).unwrap().is_empty());
    }

    #[test]
    fn new_watches_are_read_from_their_own_start() {
        let w = |n: &str, since| Watch {
            number: n.into(),
            since,
        };
        let mark = Watermark::default();
        assert_eq!(mark.since(&[w("+1", 100)]), 100);
        let now = chrono::Utc::now().timestamp();
        let read = Sms {
            id: "x".into(),
            number: "+1".into(),
            text: String::new(),
            received_at: now - 10,
            code: None,
        };
        mark.advance(&[read], &[w("+1", 100)]);
        assert_eq!(mark.since(&[w("+1", 100)]), now - 12, "from the watermark");
        assert_eq!(
            mark.since(&[w("+1", 100), w("+2", 150)]),
            150,
            "a newcomer from its start"
        );
        // A time far in the future does not carry the watermark along.
        let future = Sms {
            id: "y".into(),
            number: "+1".into(),
            text: String::new(),
            received_at: now + 100_000,
            code: None,
        };
        mark.advance(&[future], &[w("+1", 100)]);
        assert!(mark.since(&[w("+1", 100)]) <= now + 60);
    }

    #[test]
    fn paths_times_and_numbers() {
        let v: Value = serde_json::json!({"data": {"items": [{"to": 971501234567u64, "at": "2026-11-24T03:00:00Z"}]}});
        assert_eq!(
            at(&v, "data.items.0.to").and_then(as_text).as_deref(),
            Some("971501234567")
        );
        assert_eq!(
            at(&v, "data.items.0.at").and_then(as_time),
            Some(1_795_489_200)
        );
        assert_eq!(
            as_time(&Value::from("Tue, 24 Nov 2026 03:00:00 +0000")),
            Some(1_795_489_200)
        );
        assert_eq!(e164("+971 50-123 4567"), "+971501234567");
        assert!(at(&v, "data.nothing").is_none());
    }
}
