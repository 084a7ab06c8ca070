//! The use cases: the one door every front end (the Telegram bot, the
//! command line, the HTTP API) goes through. Each use case applies the
//! rules (limits, ownership, what a ban implies), records its audit entry
//! once, and answers with plain records; the backends behind it (the pool,
//! the records, the plugins, the inbox) are never handed out.
//!
//! - [`uses`]: take, change, release and done (by use id), messages;
//! - [`people`]: who may use the bot (approve, ban, unban, language);
//! - [`files`]: uploads (inspect once, import, the category question),
//!   deletion, statistics and the history;
//! - [`tokens`]: API tokens;
//! - [`broadcast`]: a message to every active user, sent by one replica.

pub mod broadcast;
pub mod files;
pub mod hooks;
pub mod people;
pub mod sessions;
pub mod tokens;
pub mod uses;

use std::sync::Arc;

use crate::{
    audit::{AuditAction, AuditEvent, AuditLog, Auditor},
    hooks::Webhooks,
    inbox::Inbox,
    jobs::Jobs,
    limit::NumberLimit,
    plugins::{Inventory, SharedPlugins},
    questions::PendingUploads,
    queue::WaitQueue,
    sessions::WebSessions,
    store::Store,
    tokens::TokenStore,
    users::{UserStoreError, Users},
};

pub use broadcast::{Courier, Delivery, Over};
pub use files::{Answer, Answered, CategoryHint, DayUsage, Inspection};
pub use people::{DecideError, Decided, Decision};
pub use uses::{Account, MessagesError, NumberView, TakeError, UseState};

/// The record stores, one per capability.
#[derive(Clone)]
pub struct Records {
    /// User records and their limits.
    pub users: Arc<dyn Users>,
    /// The audit trail.
    pub audit: Arc<dyn AuditLog>,
    /// API tokens.
    pub tokens: Arc<dyn TokenStore>,
    /// Uploads waiting for their category.
    pub questions: Arc<dyn PendingUploads>,
    /// Broadcasts.
    pub jobs: Arc<dyn Jobs>,
    /// Clients waiting for a free number.
    pub queue: Arc<dyn WaitQueue>,
    /// Message webhooks and their deliveries.
    pub hooks: Arc<dyn Webhooks>,
    /// Mini App sessions.
    pub sessions: Arc<dyn WebSessions>,
}

impl Records {
    /// Every capability from one backend that has them all.
    pub fn all<T>(backend: Arc<T>) -> Records
    where
        T: Users
            + AuditLog
            + TokenStore
            + PendingUploads
            + Jobs
            + WaitQueue
            + Webhooks
            + WebSessions
            + 'static,
    {
        Records {
            users: backend.clone(),
            audit: backend.clone(),
            tokens: backend.clone(),
            questions: backend.clone(),
            jobs: backend.clone(),
            queue: backend.clone(),
            hooks: backend.clone(),
            sessions: backend,
        }
    }
}

/// What the use cases run on, from the composition root.
pub struct Parts {
    /// The pool.
    pub store: Store,
    /// The records.
    pub records: Records,
    /// The plugins.
    pub plugins: SharedPlugins,
    /// Where API clients' messages wait.
    pub inbox: Arc<dyn Inbox>,
    /// Numbers per window for Telegram users (and tokens without a limit).
    pub limit: NumberLimit,
    /// Numbers per window for tokens that set none (`[api]`); `None`:
    /// tokens share `limit`.
    pub token_limit: Option<u32>,
    /// Admins (`[access]`): never limited, never banned.
    pub admins: Vec<i64>,
}

/// The use cases over the pool, the records and the plugins.
pub struct Numbers {
    store: Store,
    records: Records,
    plugins: SharedPlugins,
    inbox: Arc<dyn Inbox>,
    limit: NumberLimit,
    token_limit: Option<u32>,
    admins: Vec<i64>,
    auditor: Auditor,
    inspections: files::Inspections,
    /// Numbers as the formatter writes them.
    views: uses::Views,
    revoked: tokio::sync::broadcast::Sender<i64>,
    /// Wakes this process's broadcast sender when a broadcast is sent off here.
    wake_sender: tokio::sync::Notify,
    /// Changes whenever a number goes back through this process: waiting
    /// takes look again at once.
    released: tokio::sync::watch::Sender<u64>,
    /// Changes whenever a webhook delivery is queued in this process.
    hooks_queued: tokio::sync::watch::Sender<u64>,
}

impl Numbers {
    /// The use cases over `parts`.
    pub fn new(parts: Parts) -> Numbers {
        Numbers {
            auditor: Auditor::new(parts.records.audit.clone()),
            store: parts.store,
            records: parts.records,
            plugins: parts.plugins,
            inbox: parts.inbox,
            limit: parts.limit,
            token_limit: parts.token_limit,
            admins: parts.admins,
            inspections: files::Inspections::default(),
            views: uses::Views::default(),
            revoked: tokio::sync::broadcast::Sender::new(64),
            wake_sender: tokio::sync::Notify::new(),
            released: tokio::sync::watch::Sender::new(0),
            hooks_queued: tokio::sync::watch::Sender::new(0),
        }
    }

    /// A number went back to the pool in this process.
    fn released(&self) {
        self.released.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The per-user limit.
    pub fn limit(&self) -> NumberLimit {
        self.limit
    }

    /// What the pool is (`file store in csv_files`, `MongoDB ...`).
    pub fn backend(&self) -> String {
        self.store.backend()
    }

    /// What is loaded and what was refused.
    pub fn plugins(&self) -> Inventory {
        self.plugins.inventory()
    }

    /// Every audit entry recorded from now on in this process (the
    /// Telegram log chat posts them).
    pub fn audit_events(&self) -> tokio::sync::broadcast::Receiver<AuditEvent> {
        self.auditor.subscribe()
    }

    /// The last `limit` audit entries, oldest first.
    pub async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, UserStoreError> {
        self.auditor.recent(limit).await
    }

    /// Something admins may do was refused to `actor` (`what`: the
    /// command or button).
    pub async fn denied(&self, actor: i64, what: &str) {
        self.auditor.record(actor, AuditAction::Denied, what).await;
    }

    /// A relayed message could not be told to `holder` (`why`: the front
    /// end's reason).
    pub async fn relay_refused(&self, holder: i64, why: &str) {
        self.auditor
            .record(holder, AuditAction::RelayRefused, why)
            .await;
    }
}
