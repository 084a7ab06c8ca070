//! What the protocols share: requests with typed errors, JSON paths and
//! times, per-watch batches, and the watermark of batch polls.

use serde_json::Value;

use super::{ProviderError, Sms, Watch};

/// Longest body quoted in an error.
pub(super) const QUOTE: usize = 200;

/// The URL stays out: it may carry the API key (SMS-Activate's `api_key`).
pub(super) fn unreachable(provider: &str, e: reqwest::Error) -> ProviderError {
    ProviderError::Unreachable {
        provider: provider.into(),
        detail: e.without_url().to_string(),
    }
}

pub(super) fn garbage(provider: &str, detail: impl Into<String>) -> ProviderError {
    // Details quote what the provider sent: bounded, whatever it sent.
    ProviderError::Garbage {
        provider: provider.into(),
        detail: numbot_core::text::truncate(&detail.into(), QUOTE),
    }
}

/// The largest response body read from a provider (16 MiB): a provider
/// answering without end cannot exhaust memory; a longer body is refused as
/// garbage.
pub(super) const MAX_BODY: usize = 16 << 20;

/// Sends a request; an error status or transport failure becomes a typed
/// error, and so does a body over [`MAX_BODY`] (read no further).
pub(super) async fn fetch(
    provider: &str,
    request: reqwest::RequestBuilder,
) -> Result<String, ProviderError> {
    let mut response = request.send().await.map_err(|e| unreachable(provider, e))?;
    let status = response.status();
    let too_long = || garbage(provider, format!("a body over {} MiB", MAX_BODY >> 20));
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(too_long());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(provider, e))?
    {
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(too_long());
        }
        bytes.extend_from_slice(&chunk);
    }
    let body = String::from_utf8_lossy(&bytes).into_owned();
    if !status.is_success() {
        return Err(ProviderError::Status {
            provider: provider.into(),
            status: status.as_u16(),
            body: body.chars().take(QUOTE).collect(),
        });
    }
    Ok(body)
}

pub(super) fn json(provider: &str, body: &str) -> Result<Value, ProviderError> {
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
pub(super) fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |v, key| match v {
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => v.get(key),
    })
}

pub(super) fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Unix seconds from a number, a numeric string, RFC 3339 or RFC 2822.
pub(super) fn as_time(v: &Value) -> Option<i64> {
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
pub(super) fn e164(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    format!("+{digits}")
}

/// Keeps the messages of watched numbers received since their watch began.
pub(super) fn for_watches(messages: Vec<Sms>, watches: &[Watch]) -> Vec<Sms> {
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
pub(super) fn skip_bad(
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
pub(super) async fn per_watch<F: Send + 'static>(
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

/// The newest message time a batch poll has read completely: the next poll
/// asks only from a little before it, not from the oldest watch again. A
/// number watched for the first time is read from its own start.
#[derive(Default)]
pub(super) struct Watermark {
    newest: std::sync::atomic::AtomicI64,
    known: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// Seconds read again below the watermark: messages stamped in the same
/// second may arrive after it was taken.
pub(super) const OVERLAP: i64 = 2;

/// How far ahead of this machine's clock a message time is believed.
pub(super) const FUTURE_SKEW: i64 = 60;

impl Watermark {
    pub(super) fn since(&self, watches: &[Watch]) -> i64 {
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
    pub(super) fn advance(&self, messages: &[Sms], watches: &[Watch]) {
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
            sender: None,
        };
        let kept = skip_bad(
            "json",
            vec![Ok(sms("a")), Err(garbage("json", "bad")), Ok(sms("b"))],
        )
        .unwrap();
        assert_eq!(kept.len(), 2);
        assert!(skip_bad("json", vec![Err(garbage("json", "bad"))]).is_err());
        assert!(skip_bad("json", vec![]).unwrap().is_empty());
        let long = garbage("sms-activate", "E".repeat(16 << 20)).to_string();
        assert!(long.len() < 400, "a quoted body is bounded: {}", long.len());
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
            sender: None,
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
            sender: None,
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
