//! Jobs: long work that one process does for every replica at a time, kept
//! in the store so that any replica can see it, stop it, or take it over.
//! The one job today is the broadcast: its recipients are written once,
//! its progress after every message (a constant-size write), and a lease
//! names the one process sending it.

use serde::{Deserialize, Serialize};

use crate::users::UserStoreError;

/// Where a broadcast is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Shown to the admin, not confirmed.
    Preview,
    /// Being sent.
    Sending,
}

/// How far a broadcast got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Recipients handled so far: the next one to send to.
    pub next: u64,
    /// Messages Telegram accepted.
    pub delivered: u64,
    /// Recipients who blocked the bot (or deleted their account).
    pub blocked: u64,
    /// Messages that failed otherwise.
    pub failed: u64,
}

/// A message to every active user, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    /// Its id, from the store.
    pub id: u64,
    /// The admin who wrote it.
    pub admin: i64,
    /// The admin's words.
    pub text: String,
    /// The front end's message showing the preview, then the progress.
    pub message: i32,
    /// Recipients (active users when it was previewed).
    pub total: u64,
    /// Where it is.
    pub stage: Stage,
    /// How far it got.
    pub progress: Progress,
    /// An admin pressed Stop (on any replica).
    pub stop: bool,
}

/// Broadcasts in the store: at most one at a time.
#[async_trait::async_trait]
pub trait Jobs: Send + Sync {
    /// Keeps a new broadcast in preview with its recipients, replacing a
    /// preview; `None` while another one is being sent.
    async fn create_broadcast(
        &self,
        admin: i64,
        text: &str,
        recipients: &[i64],
    ) -> Result<Option<Broadcast>, UserStoreError>;

    /// Notes the message that shows broadcast `id`.
    async fn set_broadcast_message(&self, id: u64, message: i32) -> Result<(), UserStoreError>;

    /// The broadcast previewed or being sent, if any.
    async fn broadcast(&self) -> Result<Option<Broadcast>, UserStoreError>;

    /// Previewed `id` goes out: `None` when it is not the one previewed.
    async fn start_broadcast(&self, id: u64) -> Result<Option<Broadcast>, UserStoreError>;

    /// Drops previewed `id`: false when it is not the one previewed.
    async fn drop_broadcast(&self, id: u64) -> Result<bool, UserStoreError>;

    /// Asks the sender of `id` to stop: false when `id` is not being sent.
    async fn stop_broadcast(&self, id: u64) -> Result<bool, UserStoreError>;

    /// Takes (or renews) the right to send the broadcast being sent, for
    /// `owner` until `until` (Unix seconds): the broadcast when `owner`
    /// holds it now. Another owner's lease is taken only once it ended.
    async fn lease_broadcast(
        &self,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Broadcast>, UserStoreError>;

    /// Recipients of `id` from position `from` on, at most `n`.
    async fn broadcast_recipients(
        &self,
        id: u64,
        from: u64,
        n: usize,
    ) -> Result<Vec<i64>, UserStoreError>;

    /// Records how far `owner` got with `id`: the broadcast as stored now
    /// (its `stop` says whether to go on), or `None` when `owner` no
    /// longer holds it (another process took it over).
    async fn advance_broadcast(
        &self,
        id: u64,
        owner: &str,
        progress: Progress,
    ) -> Result<Option<Broadcast>, UserStoreError>;

    /// Ends `id` (it is over, sent or stopped): false when `owner` does not
    /// hold it.
    async fn finish_broadcast(&self, id: u64, owner: &str) -> Result<bool, UserStoreError>;
}
