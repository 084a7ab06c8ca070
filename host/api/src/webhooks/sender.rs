//! Sends queued deliveries: each signed with its webhook's secret
//! (`X-Numbot-Signature: sha256=<hex HMAC-SHA256 of the body>`), tried
//! until the receiver answers 2xx, with a doubling wait between tries (at
//! most ten minutes), for `retry_for_secs`. Redirects are not followed,
//! and names resolve to public addresses only unless the configuration
//! allows private ones.

use std::{sync::Arc, time::Duration};

use super::{address, WebhookConfig};
use numbot_core::{
    clock::unix_now,
    hooks::{Attempt, Delivery},
    text::truncate,
    Numbers,
};

/// Deliveries taken at once.
const AT_ONCE: usize = 16;
/// How often the store is asked for deliveries due (others' queues, tries
/// that come due).
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// The longest wait between two tries.
const MAX_BACKOFF_SECS: i64 = 600;

/// The signature header's value for `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    format!(
        "sha256={}",
        hex::encode(ring::hmac::sign(&key, body).as_ref())
    )
}

/// The delivery loop of this process.
pub(crate) struct Sender {
    numbers: Arc<Numbers>,
    http: reqwest::Client,
    config: WebhookConfig,
    owner: String,
}

impl Sender {
    pub(crate) fn new(numbers: Arc<Numbers>, config: WebhookConfig) -> Sender {
        let mut http = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("numbot-webhooks/", env!("CARGO_PKG_VERSION")));
        if !config.allow_private {
            http = http.dns_resolver(Arc::new(address::PublicOnly));
        }
        Sender {
            numbers,
            http: http.build().unwrap_or_default(),
            config,
            owner: format!("{:x}", numbot_core::clock::process_seed()),
        }
    }

    /// Runs until the task is dropped.
    pub(crate) async fn run(self) {
        let hold = (self.config.timeout_ms / 1000) as i64 + 30;
        let mut queued = self.numbers.webhooks_queued();
        loop {
            let due = match self.numbers.due_webhooks(&self.owner, hold, AT_ONCE).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!("webhooks: {e}");
                    Vec::new()
                }
            };
            if due.is_empty() {
                tokio::select! {
                    _ = queued.changed() => {}
                    () = tokio::time::sleep(LOOK_EVERY) => {}
                }
                continue;
            }
            futures::future::join_all(due.into_iter().map(|d| self.send(d))).await;
        }
    }

    async fn send(&self, d: Delivery) {
        let outcome = self.post(&d).await;
        let now = unix_now();
        let delivered = outcome.is_ok();
        let (status, error) = match outcome {
            Ok(status) => (Some(status), None),
            Err((status, error)) => (status, Some(truncate(&error, 200))),
        };
        let next_at = (!delivered && now - d.created_at < self.config.retry_for_secs as i64)
            .then(|| now + (1_i64 << d.attempts.min(20)).min(MAX_BACKOFF_SECS));
        if delivered {
            metrics::counter!("numbot_webhook_deliveries_total", "outcome" => "delivered")
                .increment(1);
            metrics::histogram!("numbot_webhook_delivery_seconds")
                .record((now - d.created_at).max(0) as f64);
        } else {
            let outcome = if next_at.is_some() { "retry" } else { "failed" };
            metrics::counter!("numbot_webhook_deliveries_total", "outcome" => outcome).increment(1);
            tracing::info!(
                delivery = d.id,
                "webhook: {}",
                error.as_deref().unwrap_or("")
            );
        }
        let attempt = Attempt {
            at: now,
            status,
            error,
            next_at,
        };
        if let Err(e) = self
            .numbers
            .webhook_attempted(d.id, delivered, attempt)
            .await
        {
            tracing::warn!(delivery = d.id, "webhooks: {e}");
        }
    }

    /// Posts `d`: the receiver's 2xx status, or its status and why not.
    async fn post(&self, d: &Delivery) -> Result<u16, (Option<u16>, String)> {
        let hook = match self.numbers.webhook(d.token).await {
            Ok(Some(hook)) => hook,
            Ok(None) => return Err((None, "the token has no webhook any more".into())),
            Err(e) => return Err((None, e.to_string())),
        };
        let url = address::check(&d.url, self.config.allow_private)
            .map_err(|e| (None, format!("{}: {e}", d.url)))?;
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Numbot-Event", &d.event)
            .header(
                "X-Numbot-Signature",
                signature(&hook.secret, d.body.as_bytes()),
            )
            .body(d.body.clone())
            .send()
            .await
            .map_err(|e| (None, e.to_string()))?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            Ok(status)
        } else {
            Err((Some(status), format!("the receiver answered {status}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
