//! User records (access state, bans, use) and the audit trail, behind one
//! trait: [`FileUsers`] keeps them in the data directory (the embedded
//! default); a database backend implements the same trait for replicas.
//!
//! Every change is one atomic operation on the backend (create-if-absent,
//! set-status, take-a-number), never read-modify-write in the bot, so an
//! admin's ban cannot be lost to a user's concurrent request.

mod file;
mod limit;
mod mongo;

use serde::{Deserialize, Serialize};

pub use file::FileUsers;
pub use limit::{NumberLimit, NumberSlot};
pub use mongo::MongoUsers;

/// Why a user-store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum UserStoreError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The backend is gone (its writer stopped, its server is down).
    #[error("user store unavailable: {0}")]
    Unavailable(String),
}

/// Where a user stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    /// May take numbers (subject to the access mode's own check).
    Active,
    /// Waiting for an admin's approval (`approval` mode).
    Pending,
    /// Refused everything.
    Banned,
}

/// One Telegram user as numbot knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// Telegram user id.
    pub id: i64,
    /// First name and @username as last seen, for admins' lists.
    pub name: String,
    /// Access state.
    pub status: UserStatus,
    /// First contact (Unix seconds).
    pub first_seen: i64,
    /// Numbers taken so far (new and changed).
    pub numbers_taken: u64,
    /// When the latest numbers were taken (Unix seconds, oldest first), as
    /// many as the per-user limit counts: every replica reads the same.
    #[serde(default)]
    pub recent_numbers: Vec<i64>,
    /// The admin who last changed the status, and why.
    #[serde(default)]
    pub status_by: Option<i64>,
    /// The reason given with a ban.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One entry of the audit trail: who did what to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Unix seconds.
    pub at: i64,
    /// The Telegram user acting.
    pub actor: i64,
    /// What happened, e.g. `upload`, `delete`, `ban`, `denied`.
    pub action: String,
    /// Details: file, category, target user, command refused.
    pub detail: String,
}

/// An admin's upload waiting for its category: the Telegram file, not its
/// bytes, so that whichever replica receives the answer fetches it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingUpload {
    /// Telegram's file id.
    pub file_id: String,
    /// The name the admin sent.
    pub file_name: String,
    /// Numbers the validator found in it (for messages).
    pub numbers: u64,
    /// When the admin was asked (Unix seconds): an old question lapses.
    pub at: i64,
}

/// User records, the audit trail, and admins' uploads waiting for a category.
#[async_trait::async_trait]
pub trait UserStore: Send + Sync {
    /// The record of `id`, creating it with `status` when absent; refreshes
    /// the stored name when it changed.
    async fn seen(
        &self,
        id: i64,
        name: &str,
        status: UserStatus,
    ) -> Result<(UserRecord, bool), UserStoreError>;

    /// The record of `id`, if known.
    async fn get(&self, id: i64) -> Result<Option<UserRecord>, UserStoreError>;

    /// Sets the status of `id` (creating a bare record when unknown).
    async fn set_status(
        &self,
        id: i64,
        status: UserStatus,
        by: i64,
        reason: Option<String>,
    ) -> Result<UserRecord, UserStoreError>;

    /// Counts one more number for `id` at `at` (Unix seconds) when fewer than
    /// `limit.max` fall inside the window, checking and counting as one
    /// atomic step, so that replicas answering one user at once cannot pass
    /// the limit together. `exempt` (admins) always counts. A user with no
    /// record is granted and not counted.
    async fn take_number(
        &self,
        id: i64,
        at: i64,
        limit: &NumberLimit,
        exempt: bool,
    ) -> Result<NumberSlot, UserStoreError>;

    /// Undoes one [`UserStore::take_number`] at `at` that gave no number.
    async fn give_back_number(&self, id: i64, at: i64) -> Result<(), UserStoreError>;

    /// Users with `status`, by id.
    async fn with_status(&self, status: UserStatus) -> Result<Vec<UserRecord>, UserStoreError>;

    /// Appends to the audit trail (durable before it returns).
    async fn audit(&self, event: AuditEvent) -> Result<(), UserStoreError>;

    /// The last `limit` audit events, oldest first.
    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, UserStoreError>;

    /// Keeps `upload` waiting for `admin`'s category (replacing any other).
    async fn put_pending_upload(
        &self,
        admin: i64,
        upload: PendingUpload,
    ) -> Result<(), UserStoreError>;

    /// `admin`'s upload waiting for its category, left in place.
    async fn pending_upload(&self, admin: i64) -> Result<Option<PendingUpload>, UserStoreError>;

    /// Takes `admin`'s waiting upload: one answer takes it once, whichever
    /// replica gets the answer.
    async fn take_pending_upload(
        &self,
        admin: i64,
    ) -> Result<Option<PendingUpload>, UserStoreError>;
}
