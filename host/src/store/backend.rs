//! The pool as the bot and the OTP monitor see it: one async trait that the
//! embedded file store, the MongoDB pool and the migration pair implement.
//! The contract tests (`host/tests/it/store_contract.rs`) run unchanged
//! against every backend.

use std::sync::Arc;

use async_trait::async_trait;

use super::{Assignment, FileInfo, FileMeta, FileStore, Stats, StoreError, UploadReport};
use crate::plugin::PluginHost;

/// The store the bot runs on, shared by every handler.
pub type Store = Arc<dyn NumberStore>;

/// A pool of numbers: uploads, exclusive claims under leases, reuse rules,
/// usage. Every operation is atomic on the backend: two processes (or two
/// tasks) never get the same number, and a user holds one number at a time.
#[async_trait]
pub trait NumberStore: Send + Sync + 'static {
    /// What the backend is, for `/plugins`, logs and `numbot stats`.
    fn backend(&self) -> String;

    /// The plugin host uploads and claims go through.
    fn plugins(&self) -> &Arc<PluginHost>;

    /// The store's "now" (Unix seconds): leases are measured against it.
    fn now(&self) -> u32;

    /// Imports an uploaded CSV into `category` for admin `admin_id`, keeping
    /// the original bytes; `default_country` reads numbers without a code.
    async fn upload(
        &self,
        original_name: &str,
        bytes: Arc<Vec<u8>>,
        category: &str,
        admin_id: i64,
        default_country: Option<String>,
    ) -> Result<UploadReport, StoreError>;

    /// Assigns a number of `category` (exact name) to `user` under a lease.
    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError>;

    /// Releases the user's number and assigns another of the same category
    /// (never the same one); when none is free the user keeps theirs.
    async fn change(&self, user: i64) -> Result<Assignment, StoreError>;

    /// The user gives the number back without a code.
    async fn cancel(&self, user: i64) -> Result<(), StoreError>;

    /// Completes the use of `number` that `user` began at `since`, and only
    /// that one: false when the user holds something else by now.
    async fn complete_use(&self, user: i64, number: &str, since: u32) -> Result<bool, StoreError>;

    /// The number a user holds now, if any.
    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError>;

    /// Every number held now, by user.
    async fn assignments(&self) -> Result<Vec<Assignment>, StoreError>;

    /// Categories with their available numbers, by name.
    async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError>;

    /// Usage by category and by file.
    async fn stats(&self) -> Result<Stats, StoreError>;

    /// Files with metadata and live usage, by name.
    async fn files(&self) -> Result<Vec<FileInfo>, StoreError> {
        Ok(self.stats().await?.files)
    }

    /// Deletes a file: its free numbers leave the pool now, held ones when
    /// their use ends; its metadata and history stay, marked deleted.
    async fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError>;

    /// What the OTP monitor shares with other processes on the same pool
    /// (one monitor at a time, relayed messages), when there are any.
    fn monitor_share(&self) -> Option<Arc<dyn crate::monitor::MonitorShare>> {
        None
    }
}

/// Runs a blocking file-store call (it may wait for the disk) off the async threads.
async fn blocking<T: Send + 'static>(
    store: &FileStore,
    f: impl FnOnce(&FileStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .unwrap_or_else(|e| Err(StoreError::Panicked(e.to_string())))
}

#[async_trait]
impl NumberStore for FileStore {
    fn backend(&self) -> String {
        format!("file store in {}", self.dir().display())
    }

    fn plugins(&self) -> &Arc<PluginHost> {
        FileStore::plugins(self)
    }

    fn now(&self) -> u32 {
        FileStore::now(self)
    }

    async fn upload(
        &self,
        original_name: &str,
        bytes: Arc<Vec<u8>>,
        category: &str,
        admin_id: i64,
        default_country: Option<String>,
    ) -> Result<UploadReport, StoreError> {
        let (name, category) = (original_name.to_string(), category.to_string());
        blocking(self, move |s| {
            s.upload(
                &name,
                &bytes,
                &category,
                admin_id,
                default_country.as_deref(),
            )
        })
        .await
    }

    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        self.claim_async(category, user).await
    }

    async fn change(&self, user: i64) -> Result<Assignment, StoreError> {
        blocking(self, move |s| s.change(user)).await
    }

    async fn cancel(&self, user: i64) -> Result<(), StoreError> {
        blocking(self, move |s| s.cancel(user)).await
    }

    async fn complete_use(&self, user: i64, number: &str, since: u32) -> Result<bool, StoreError> {
        let number = number.to_string();
        blocking(self, move |s| s.complete_use(user, &number, since)).await
    }

    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        blocking(self, move |s| s.holding(user)).await
    }

    async fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        blocking(self, FileStore::assignments).await
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        blocking(self, FileStore::categories).await
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        blocking(self, FileStore::stats).await
    }

    async fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError> {
        let name = name.to_string();
        blocking(self, move |s| s.delete_file(&name)).await
    }
}
