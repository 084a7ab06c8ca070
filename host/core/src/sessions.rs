//! Sessions of the Telegram Mini App: Telegram's signed launch data is
//! exchanged once for a short session, kept in the store so that every
//! replica knows it; the launch data is remembered until it is too old to
//! be accepted, so it cannot be exchanged twice.

use serde::{Deserialize, Serialize};

use crate::users::UserStoreError;

/// A Mini App session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSession {
    /// The Telegram user it is for.
    pub user: i64,
    /// The token its POSTs must carry.
    pub csrf: String,
    /// When it ends (Unix seconds).
    pub expires_at: i64,
}

/// Sessions in the store.
#[async_trait::async_trait]
pub trait WebSessions: Send + Sync {
    /// Keeps `session` under `key` (a hash of its secret) unless the launch
    /// data `launch` (a hash of it) was exchanged before; `launch` is
    /// remembered until `launch_until`. Whether it was kept.
    async fn open_session(
        &self,
        launch: &str,
        launch_until: i64,
        key: &str,
        session: WebSession,
    ) -> Result<bool, UserStoreError>;
    /// The session under `key`, while it lasts at `now`.
    async fn session(&self, key: &str, now: i64) -> Result<Option<WebSession>, UserStoreError>;
}
