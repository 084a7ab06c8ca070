//! Message webhooks: a token sets or removes its URL (audited); each
//! message relayed to its uses is queued for it; the sender takes the
//! deliveries due and records how each try went.

use crate::{
    audit::AuditAction,
    clock::unix_now,
    hooks::{Attempt, Delivery, DeliveryState, Webhook},
    tokens::ApiToken,
    users::UserStoreError,
};

use super::Numbers;

/// Deliveries a token's list shows at most.
pub const DELIVERIES_LISTED: usize = 100;

impl Numbers {
    /// Sets `token`'s webhook to `url` with a new secret: the webhook, its
    /// secret to show once.
    pub async fn set_webhook(
        &self,
        token: &ApiToken,
        url: &str,
    ) -> Result<Webhook, UserStoreError> {
        let bytes: [u8; 24] = rand::random();
        let hook = Webhook {
            token: token.id,
            url: url.to_string(),
            secret: format!("whsec_{}", hex::encode(bytes)),
            created_at: unix_now(),
        };
        self.records.hooks.set_webhook(hook.clone()).await?;
        let detail = format!("api token {}: {url}", token.name);
        self.auditor
            .record(token.account(), AuditAction::WebhookSet, &detail)
            .await;
        Ok(hook)
    }

    /// `token`'s webhook, if it has one.
    pub async fn webhook(&self, token: i64) -> Result<Option<Webhook>, UserStoreError> {
        self.records.hooks.webhook(token).await
    }

    /// Removes `token`'s webhook: whether it had one.
    pub async fn remove_webhook(&self, token: &ApiToken) -> Result<bool, UserStoreError> {
        let removed = self.records.hooks.remove_webhook(token.id).await?;
        if removed {
            let detail = format!("api token {}", token.name);
            self.auditor
                .record(token.account(), AuditAction::WebhookRemove, &detail)
                .await;
        }
        Ok(removed)
    }

    /// Queues `body` for `token`'s webhook as `event`, when it has one:
    /// whether it was queued.
    pub async fn queue_webhook(
        &self,
        token: i64,
        event: String,
        body: String,
    ) -> Result<bool, UserStoreError> {
        let Some(hook) = self.records.hooks.webhook(token).await? else {
            return Ok(false);
        };
        let now = unix_now();
        self.records
            .hooks
            .queue_delivery(Delivery {
                id: 0,
                event,
                token,
                url: hook.url,
                body,
                created_at: now,
                state: DeliveryState::Pending,
                attempts: 0,
                next_at: now,
                last_at: None,
                last_status: None,
                last_error: None,
            })
            .await?;
        self.hooks_queued.send_modify(|n| *n = n.wrapping_add(1));
        Ok(true)
    }

    /// Changes whenever a delivery is queued in this process: the sender
    /// looks at once.
    pub fn webhooks_queued(&self) -> tokio::sync::watch::Receiver<u64> {
        self.hooks_queued.subscribe()
    }

    /// Pending deliveries due now, held by `owner` for `hold_secs`.
    pub async fn due_webhooks(
        &self,
        owner: &str,
        hold_secs: i64,
        limit: usize,
    ) -> Result<Vec<Delivery>, UserStoreError> {
        let now = unix_now();
        self.records
            .hooks
            .due_deliveries(now, owner, now + hold_secs, limit)
            .await
    }

    /// Records a try of delivery `id`.
    pub async fn webhook_attempted(
        &self,
        id: u64,
        delivered: bool,
        attempt: Attempt,
    ) -> Result<(), UserStoreError> {
        self.records
            .hooks
            .record_attempt(id, delivered, attempt)
            .await
    }

    /// `token`'s latest deliveries, newest first.
    pub async fn webhook_deliveries(&self, token: i64) -> Result<Vec<Delivery>, UserStoreError> {
        self.records
            .hooks
            .deliveries(token, DELIVERIES_LISTED)
            .await
    }
}
