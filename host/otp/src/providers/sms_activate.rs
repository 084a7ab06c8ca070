//! The SMS-Activate protocol.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{
    common::{fetch, garbage, per_watch, QUOTE},
    Outcome, Provider, ProviderError, Sms, Watch,
};

/// The SMS-Activate protocol: one activation per number; its id is the
/// number's digits.
#[derive(Clone)]
pub struct SmsActivate {
    url: Arc<str>,
    token: Arc<str>,
    client: reqwest::Client,
    limit: Arc<Semaphore>,
}

impl SmsActivate {
    /// A provider at `url` (the handler URL's base) with `token` as API
    /// key, `concurrency` requests at a time.
    pub fn new(url: &str, token: &str, client: reqwest::Client, concurrency: usize) -> SmsActivate {
        SmsActivate {
            url: Arc::from(url),
            token: Arc::from(token),
            client,
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    fn request(&self, action: &str, id: &str, extra: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let url = format!("{}/stubs/handler_api.php", self.url.trim_end_matches('/'));
        let mut query = vec![("api_key", &*self.token), ("action", action), ("id", id)];
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
                sender: None,
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
