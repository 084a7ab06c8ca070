//! Any JSON API, described by paths in the configuration.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;

use super::{
    common::{
        as_text, as_time, at, e164, fetch, for_watches, garbage, json, per_watch, skip_bad,
        Watermark,
    },
    Provider, ProviderError, Sms, Watch,
};
use crate::config::JsonConfig;

/// Any JSON API described by paths in the configuration.
#[derive(Clone)]
pub struct JsonProvider {
    config: Arc<JsonConfig>,
    client: reqwest::Client,
    limit: Arc<Semaphore>,
    newest: Arc<Watermark>,
}

impl JsonProvider {
    /// A provider for `config` (its `url` is a template), `concurrency`
    /// requests at a time for per-number APIs.
    pub fn new(config: JsonConfig, client: reqwest::Client, concurrency: usize) -> JsonProvider {
        let limit = Arc::new(Semaphore::new(concurrency.max(1)));
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
                // Optional: a message without a sender is still a message.
                let sender = at(m, &c.sender).and_then(as_text);
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
                    sender,
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
