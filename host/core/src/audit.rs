//! The audit trail: every use case records what it did as a typed action
//! with one bounded detail, through one [`Auditor`] that keeps it in the
//! store and tells whoever listens (the Telegram log chat). Front ends
//! never write entries of their own, so every front end offering an action
//! records the same entry.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::{clock::unix_now, text::truncate, users::UserStoreError};

/// The longest detail kept, in characters: details carry user text (file
/// names, reasons, broadcast texts).
pub const DETAIL_MAX: usize = 200;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A number was taken.
    Take,
    /// A number was changed for another of its category.
    Change,
    /// A number was given back without a code.
    Release,
    /// A use was ended as done.
    Done,
    /// A file was imported.
    Upload,
    /// A file was deleted.
    Delete,
    /// A waiting user was let in.
    Approve,
    /// A waiting user was refused (and banned).
    Reject,
    /// A user was banned (their number goes back).
    Ban,
    /// A ban was lifted.
    Unban,
    /// An API token was made.
    TokenCreate,
    /// An API token was revoked.
    TokenRevoke,
    /// An API token set its message webhook.
    WebhookSet,
    /// An API token removed its message webhook.
    WebhookRemove,
    /// A broadcast was sent off.
    Broadcast,
    /// A broadcast finished or was stopped.
    BroadcastEnd,
    /// The history was exported.
    Export,
    /// Something admins may do was refused to someone else.
    Denied,
    /// A code could not be told to its holder (they blocked the bot).
    RelayRefused,
    /// An entry written by an older numbot whose action has no name here.
    #[serde(other)]
    Other,
}

impl AuditAction {
    /// Every action, in a fixed order.
    pub const ALL: [AuditAction; 20] = [
        AuditAction::Take,
        AuditAction::Change,
        AuditAction::Release,
        AuditAction::Done,
        AuditAction::Upload,
        AuditAction::Delete,
        AuditAction::Approve,
        AuditAction::Reject,
        AuditAction::Ban,
        AuditAction::Unban,
        AuditAction::TokenCreate,
        AuditAction::TokenRevoke,
        AuditAction::WebhookSet,
        AuditAction::WebhookRemove,
        AuditAction::Broadcast,
        AuditAction::BroadcastEnd,
        AuditAction::Export,
        AuditAction::Denied,
        AuditAction::RelayRefused,
        AuditAction::Other,
    ];

    /// Its name in the trail, logs and `/audit`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Take => "take",
            AuditAction::Change => "change",
            AuditAction::Release => "release",
            AuditAction::Done => "done",
            AuditAction::Upload => "upload",
            AuditAction::Delete => "delete",
            AuditAction::Approve => "approve",
            AuditAction::Reject => "reject",
            AuditAction::Ban => "ban",
            AuditAction::Unban => "unban",
            AuditAction::TokenCreate => "token_create",
            AuditAction::TokenRevoke => "token_revoke",
            AuditAction::WebhookSet => "webhook_set",
            AuditAction::WebhookRemove => "webhook_remove",
            AuditAction::Broadcast => "broadcast",
            AuditAction::BroadcastEnd => "broadcast_end",
            AuditAction::Export => "export",
            AuditAction::Denied => "denied",
            AuditAction::RelayRefused => "relay_refused",
            AuditAction::Other => "other",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// One entry of the audit trail: who did what to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Unix seconds.
    pub at: i64,
    /// Who acted: a Telegram user, an API token's account (negative), or
    /// the command line's `--admin` (0 by default).
    pub actor: i64,
    /// What happened.
    pub action: AuditAction,
    /// Details: file, category, target user, command refused; at most
    /// [`DETAIL_MAX`] characters.
    pub detail: String,
}

impl AuditEvent {
    /// An entry made now, its detail cut to [`DETAIL_MAX`].
    pub fn now(actor: i64, action: AuditAction, detail: &str) -> AuditEvent {
        AuditEvent {
            at: unix_now(),
            actor,
            action,
            detail: truncate(detail, DETAIL_MAX),
        }
    }
}

/// Where the trail is kept.
#[async_trait::async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends to the trail (durable before it returns).
    async fn audit(&self, event: AuditEvent) -> Result<(), UserStoreError>;

    /// The last `limit` events, oldest first.
    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, UserStoreError>;
}

/// Entries a slow listener may fall behind by before it misses some.
const LISTENERS_BUFFER: usize = 256;

/// The one way entries are written: kept, then told to listeners.
#[derive(Clone)]
pub struct Auditor {
    log: Arc<dyn AuditLog>,
    events: broadcast::Sender<AuditEvent>,
}

impl Auditor {
    /// Writes to `log`.
    pub fn new(log: Arc<dyn AuditLog>) -> Auditor {
        Auditor {
            log,
            events: broadcast::Sender::new(LISTENERS_BUFFER),
        }
    }

    /// Records `action` by `actor`; a store failure is logged, never shown
    /// to the person acting (what they did is done).
    pub async fn record(&self, actor: i64, action: AuditAction, detail: &str) -> AuditEvent {
        let event = AuditEvent::now(actor, action, detail);
        tracing::info!(actor, action = %action, "audit: {}", event.detail);
        if let Err(e) = self.log.audit(event.clone()).await {
            tracing::error!("audit trail: {e}");
        }
        // Nobody listening is fine.
        let _ = self.events.send(event.clone());
        event
    }

    /// Every entry recorded from now on in this process.
    pub fn subscribe(&self) -> broadcast::Receiver<AuditEvent> {
        self.events.subscribe()
    }

    /// The last `limit` entries, oldest first.
    pub async fn recent(&self, limit: usize) -> Result<Vec<AuditEvent>, UserStoreError> {
        self.log.recent_audit(limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_keep_their_names_and_old_ones_read_as_other() {
        for a in AuditAction::ALL {
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
            assert_eq!(serde_json::from_str::<AuditAction>(&json).unwrap(), a);
        }
        assert_eq!(
            serde_json::from_str::<AuditAction>("\"token\"").unwrap(),
            AuditAction::Other
        );
        let long = "x".repeat(1000);
        assert_eq!(
            AuditEvent::now(1, AuditAction::Ban, &long)
                .detail
                .chars()
                .count(),
            DETAIL_MAX
        );
    }
}
