//! The category question: an admin's upload whose category numbot could
//! not tell waits for the admin's answer. The Telegram file is kept, not
//! its bytes, so whichever replica receives the answer fetches it again;
//! an answer takes the question once, whichever replica gets it.

use serde::{Deserialize, Serialize};

use crate::users::UserStoreError;

/// How long an upload waits for its category.
pub const PENDING_FOR_SECS: i64 = 3600;

/// An admin's upload waiting for its category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingUpload {
    /// The front end's handle of the file (Telegram's file id).
    pub file_id: String,
    /// The name the admin sent.
    pub file_name: String,
    /// Numbers the validator found in it (for messages).
    pub numbers: u64,
    /// When the admin was asked (Unix seconds): an old question lapses.
    pub at: i64,
}

impl PendingUpload {
    /// Whether the question is still open at `now`.
    pub fn fresh(&self, now: i64) -> bool {
        now - self.at < PENDING_FOR_SECS
    }
}

/// Where questions wait: one per admin.
#[async_trait::async_trait]
pub trait PendingUploads: Send + Sync {
    /// Keeps `upload` waiting for `admin`'s answer; the question it
    /// replaces, if any.
    async fn put_pending_upload(
        &self,
        admin: i64,
        upload: PendingUpload,
    ) -> Result<Option<PendingUpload>, UserStoreError>;

    /// `admin`'s question, left in place.
    async fn pending_upload(&self, admin: i64) -> Result<Option<PendingUpload>, UserStoreError>;

    /// Takes `admin`'s question if it is still about `file_id`: one answer
    /// takes it once, whichever replica gets the answer.
    async fn take_pending_upload(
        &self,
        admin: i64,
        file_id: &str,
    ) -> Result<Option<PendingUpload>, UserStoreError>;
}
