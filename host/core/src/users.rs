//! User records (access state, bans, use) behind one trait, and the error
//! of every record store beside it (the audit trail, tokens, upload
//! questions, jobs): the file store keeps them in the data directory,
//! MongoDB for replicas.
//!
//! Every change is one atomic operation on the backend (create-if-absent,
//! set-status, take-a-number), never read-modify-write in a front end, so
//! an admin's ban cannot be lost to a user's concurrent request.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{
    error::BackendError,
    limit::{NumberLimit, NumberSlot},
};

/// Why a user-store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum UserStoreError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database refused or could not be reached.
    #[error("user store: {context}: {source}")]
    Database {
        /// What numbot was doing.
        context: String,
        /// The driver's error.
        source: BackendError,
    },
    /// A stored record is damaged (an unknown status, a missing field): it
    /// is refused, never read as something it may not be.
    #[error("user store: damaged record: {0}")]
    Damaged(String),
    /// A line in the middle of a records file is damaged: what it said is
    /// not guessed (a ban or a revocation may be in it).
    #[error(
        "{}: damaged line {line} at byte {offset}; numbot will not guess what it said: run `numbot repair --data-dir {}`",
        path.display(),
        path.parent().map(|d| d.display().to_string()).unwrap_or_default()
    )]
    DamagedLine {
        /// The file.
        path: PathBuf,
        /// Its line number (from 1).
        line: u64,
        /// Where the line starts.
        offset: u64,
    },
    /// The writer is gone (its thread stopped).
    #[error("user store unavailable: its writer stopped")]
    Stopped,
    /// A name that must be unique is taken.
    #[error("`{0}` is taken")]
    Duplicate(String),
}

impl UserStoreError {
    /// Wraps a database driver's error with what numbot was doing.
    pub fn database<E>(context: impl Into<String>) -> impl FnOnce(E) -> UserStoreError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let context = context.into();
        move |source| UserStoreError::Database {
            context,
            source: Box::new(source),
        }
    }
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
    /// The admin who last changed the status.
    #[serde(default)]
    pub status_by: Option<i64>,
    /// The reason given with a ban.
    #[serde(default)]
    pub reason: Option<String>,
    /// The language the user chose with `/language`, overriding Telegram's.
    #[serde(default)]
    pub language: Option<String>,
    /// The language of the user's Telegram app as last seen, so that
    /// messages sent unasked (relayed codes) use it too.
    #[serde(default)]
    pub telegram_language: Option<String>,
}

impl UserRecord {
    /// A record first seen now.
    pub fn new(id: i64, name: &str, status: UserStatus, first_seen: i64) -> UserRecord {
        UserRecord {
            id,
            name: name.to_string(),
            status,
            first_seen,
            numbers_taken: 0,
            recent_numbers: Vec::new(),
            status_by: None,
            reason: None,
            language: None,
            telegram_language: None,
        }
    }

    /// The language to write to the user in: their choice, else their
    /// Telegram app's; `None` leaves it to the bot's default.
    pub fn language(&self) -> Option<&str> {
        self.language
            .as_deref()
            .or(self.telegram_language.as_deref())
    }
}

/// User records: who may use the bot, their language and their limit.
#[async_trait::async_trait]
pub trait Users: Send + Sync {
    /// The record of `id`, creating it with `status` when absent; refreshes
    /// the stored name and Telegram language when they changed. True when
    /// it was created.
    async fn seen(
        &self,
        id: i64,
        name: &str,
        telegram_language: Option<&str>,
        status: UserStatus,
    ) -> Result<(UserRecord, bool), UserStoreError>;

    /// Sets (or, with `None`, clears) the language `id` chose.
    async fn set_language(&self, id: i64, language: Option<&str>) -> Result<(), UserStoreError>;

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
    /// record is granted and not counted. A refusal writes nothing.
    async fn take_number(
        &self,
        id: i64,
        at: i64,
        limit: &NumberLimit,
        exempt: bool,
    ) -> Result<NumberSlot, UserStoreError>;

    /// Undoes one [`Users::take_number`] at `at` that gave no number.
    async fn give_back_number(&self, id: i64, at: i64) -> Result<(), UserStoreError>;

    /// Users with `status`, by id.
    async fn with_status(&self, status: UserStatus) -> Result<Vec<UserRecord>, UserStoreError>;
}

/// The user records every part shares.
pub type SharedUsers = std::sync::Arc<dyn Users>;
