//! The SMS-Activate protocol.
//!
//! The service keys everything by the activation id its `getNumber` gave.
//! numbot learns which activation holds each pool number from the list of
//! the account's active activations (`getActiveActivations`), which is also
//! how it polls: one request per poll for every watch. A service that does
//! not offer the list is asked `getStatus` per activation, keyed by the ids
//! learned so far, else by the number's digits (the convention of services
//! that key activations by number).

use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicU8, Ordering},
        Arc, Mutex,
    },
};

use serde_json::Value;
use tokio::sync::Semaphore;

use super::{
    common::{as_text, fetch, garbage, json, per_watch, QUOTE},
    Outcome, Provider, ProviderError, Sms, Watch,
};

const NAME: &str = "sms-activate";

/// Whether the service lists active activations: not asked yet.
const LIST_UNKNOWN: u8 = 0;
/// It does: one request per poll.
const LIST_YES: u8 = 1;
/// It does not: `getStatus` per activation.
const LIST_NO: u8 = 2;

/// The SMS-Activate protocol.
#[derive(Clone)]
pub struct SmsActivate {
    url: Arc<str>,
    token: Arc<str>,
    client: reqwest::Client,
    limit: Arc<Semaphore>,
    list: Arc<AtomicU8>,
    activations: Arc<Mutex<Activations>>,
}

/// What numbot knows of the account's activations.
#[derive(Default)]
struct Activations {
    /// A number's digits → the id of its active activation.
    ids: HashMap<String, String>,
    /// Activations numbot ended (`setStatus` 6 or 8): their codes belong to
    /// an earlier holder, whatever the service still lists. Kept only while
    /// the service lists them.
    ended: HashSet<String>,
}

fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// `smsCode` and `smsText` come as a string, a list (every SMS of the
/// activation, oldest first) or null.
fn texts(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(as_text).collect(),
        Some(v) => as_text(v).into_iter().collect(),
        None => Vec::new(),
    }
    .into_iter()
    .map(|t| t.trim().to_string())
    .filter(|t| !t.is_empty())
    .collect()
}

impl SmsActivate {
    /// A provider at `url` (the handler URL's base) with `token` as API
    /// key, `concurrency` requests at a time when asking per activation.
    pub fn new(url: &str, token: &str, client: reqwest::Client, concurrency: usize) -> SmsActivate {
        SmsActivate {
            url: Arc::from(url),
            token: Arc::from(token),
            client,
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
            list: Arc::new(AtomicU8::new(LIST_UNKNOWN)),
            activations: Arc::new(Mutex::new(Activations::default())),
        }
    }

    fn request(&self, action: &str, extra: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let url = format!("{}/stubs/handler_api.php", self.url.trim_end_matches('/'));
        let mut query = vec![("api_key", &*self.token), ("action", action)];
        query.extend_from_slice(extra);
        self.client.get(url).query(&query)
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Activations> {
        self.activations.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The activation a watch's number is on: learned from the list, else
    /// the number's digits.
    fn id_of(&self, number: &str) -> String {
        let digits = digits(number);
        self.known().ids.get(&digits).cloned().unwrap_or(digits)
    }

    fn bad_key() -> ProviderError {
        ProviderError::Status {
            provider: NAME.into(),
            status: 401,
            body: "BAD_KEY: the API key is wrong".into(),
        }
    }

    /// Every watch in one request; `None` when the service has no list.
    async fn poll_list(&self, watches: &[Watch]) -> Result<Option<Vec<Sms>>, ProviderError> {
        let body = fetch(NAME, self.request("getActiveActivations", &[])).await?;
        let body = body.trim();
        match body {
            "BAD_ACTION" | "WRONG_ACTION" => return Ok(None),
            "BAD_KEY" => return Err(Self::bad_key()),
            _ => {}
        }
        let v = json(NAME, body)?;
        let listed = match (v.get("status").and_then(Value::as_str), v.get("error")) {
            (Some("success"), _) => match v.get("activeActivations") {
                Some(Value::Array(items)) => items.as_slice(),
                _ => return Err(garbage(NAME, "a success without activeActivations")),
            },
            (Some("error"), Some(e)) if e == "NO_ACTIVATIONS" => &[],
            _ => return Err(garbage(NAME, body.chars().take(QUOTE).collect::<String>())),
        };
        let watched: HashMap<String, &Watch> =
            watches.iter().map(|w| (digits(&w.number), w)).collect();
        let now = chrono::Utc::now().timestamp();
        let mut out = Vec::new();
        let mut known = self.known();
        let mut ids = HashMap::with_capacity(listed.len());
        let mut listed_ids = HashSet::with_capacity(listed.len());
        for a in listed {
            let (Some(id), Some(phone)) = (
                a.get("activationId").and_then(as_text),
                a.get("phoneNumber").and_then(as_text),
            ) else {
                tracing::warn!("{NAME}: skipping an activation without id or number");
                continue;
            };
            let phone = digits(&phone);
            listed_ids.insert(id.clone());
            if known.ended.contains(&id) {
                continue;
            }
            if let Some(w) = watched.get(&phone) {
                let codes = texts(a.get("smsCode"));
                let full = texts(a.get("smsText"));
                for (i, code) in codes.iter().enumerate() {
                    out.push(Sms {
                        id: format!("{id}/{i}/{code}"),
                        number: w.number.clone(),
                        text: full.get(i).cloned().unwrap_or_else(|| code.clone()),
                        // The list gives no time an SMS came: as new as the answer.
                        received_at: now.max(w.since),
                        code: Some(code.clone()),
                        sender: None,
                    });
                }
            }
            ids.insert(phone, id);
        }
        known.ended.retain(|id| listed_ids.contains(id));
        known.ids = ids;
        Ok(Some(out))
    }

    async fn status(&self, watch: &Watch) -> Result<Option<Sms>, ProviderError> {
        let id = self.id_of(&watch.number);
        let body = fetch(NAME, self.request("getStatus", &[("id", &id)])).await?;
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
                sender: None,
            }));
        }
        match body {
            "STATUS_WAIT_CODE" | "STATUS_WAIT_RESEND" | "STATUS_CANCEL" => Ok(None),
            "NO_ACTIVATION" => {
                tracing::warn!("{NAME}: no activation {id} for {}", watch.number);
                Ok(None)
            }
            "BAD_KEY" => Err(Self::bad_key()),
            other => Err(garbage(NAME, other.chars().take(QUOTE).collect::<String>())),
        }
    }

    async fn poll_each(&self, watches: &[Watch]) -> Result<Vec<Sms>, ProviderError> {
        let mut tasks = tokio::task::JoinSet::new();
        for w in watches {
            let (limit, this, w) = (self.limit.clone(), self.clone(), w.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                this.status(&w).await
            });
        }
        Ok(per_watch(NAME, tasks)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }
}

#[async_trait::async_trait]
impl Provider for SmsActivate {
    fn name(&self) -> &str {
        NAME
    }

    async fn poll(&self, watches: &[Watch]) -> Result<Vec<Sms>, ProviderError> {
        if self.list.load(Ordering::Relaxed) != LIST_NO {
            match self.poll_list(watches).await? {
                Some(messages) => {
                    self.list.store(LIST_YES, Ordering::Relaxed);
                    return Ok(messages);
                }
                None => {
                    tracing::warn!(
                        "{NAME}: the service does not list active activations; asking getStatus per activation"
                    );
                    self.list.store(LIST_NO, Ordering::Relaxed);
                }
            }
        }
        self.poll_each(watches).await
    }

    async fn finished(&self, watch: &Watch, outcome: Outcome) -> Result<(), ProviderError> {
        // 6: activation completed; 8: cancelled.
        let status = match outcome {
            Outcome::Completed => "6",
            Outcome::Released => "8",
        };
        let id = self.id_of(&watch.number);
        // Before the request: a poll racing it must not hand this
        // activation's codes to the number's next holder.
        if self.list.load(Ordering::Relaxed) == LIST_YES {
            self.known().ended.insert(id.clone());
        }
        let body = fetch(
            NAME,
            self.request("setStatus", &[("id", &id), ("status", status)]),
        )
        .await?;
        if body.starts_with("ACCESS_") {
            Ok(())
        } else {
            Err(garbage(NAME, body))
        }
    }
}
