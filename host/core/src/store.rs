//! The pool as every front end sees it: one async trait that the embedded
//! file store, the MongoDB pool and the migration pair implement. The
//! contract tests run unchanged against every backend.

use std::{collections::HashSet, ops::RangeInclusive, sync::Arc};

use async_trait::async_trait;

use crate::{
    error::StoreError,
    history::{
        self, CodeRecord, DayCounts, Ended, HistoryQuery, HistorySearch, UseRecord, UseStream,
    },
    model::{Assignment, FileInfo, FileMeta, Stats, UseId},
    upload::{Prepared, UploadReport},
};

/// The pool every part shares.
pub type Store = Arc<dyn NumberStore>;

/// How a holder ends a use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Done: it counts as used, under the reuse rule.
    Done,
    /// Given back without a code: free again at once.
    Cancel,
}

impl Finish {
    /// How the history records it.
    pub fn ended(self) -> Ended {
        match self {
            Finish::Done => Ended::Completed,
            Finish::Cancel => Ended::Cancelled,
        }
    }
}

/// A pool of numbers: imports, exclusive claims under leases, reuse rules,
/// usage. Every operation is atomic on the backend: two processes (or two
/// tasks) never get the same number, and a user holds one number at a time.
#[async_trait]
pub trait NumberStore: Send + Sync + 'static {
    /// What the backend is, for `/plugins`, logs and `numbot stats`.
    fn backend(&self) -> String;

    /// The store's "now" (Unix seconds): leases are measured against it.
    fn now(&self) -> u32;

    /// Imports a prepared upload into its category, deduplicated against
    /// the pool, keeping the original bytes.
    async fn import(
        &self,
        upload: Prepared,
        original: Arc<Vec<u8>>,
    ) -> Result<UploadReport, StoreError>;

    /// Which of `numbers` (E.164 digits) this pool holds (deleted files'
    /// numbers are not held).
    async fn in_pool(&self, numbers: Vec<u64>) -> Result<HashSet<u64>, StoreError>;

    /// Assigns a number of `category` (exact name) to `user` under a lease,
    /// as a use with a new id.
    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError>;

    /// Ends the use `id` and assigns its holder another number of the same
    /// category (never the same one) as a new use; when none is free the
    /// holder keeps theirs. `NotCurrent` when `id` ended already.
    async fn change(&self, id: UseId) -> Result<Assignment, StoreError>;

    /// Ends the use `id`, and only that one: what it was, or `None` when it
    /// ended already (its holder may hold another number by now).
    async fn end(&self, id: UseId, how: Finish) -> Result<Option<Assignment>, StoreError>;

    /// The use `id` while it lasts.
    async fn current(&self, id: UseId) -> Result<Option<Assignment>, StoreError>;

    /// The number a user holds now, if any.
    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError>;

    /// The numbers held by the holders in `holders` (an API token's), by
    /// holder, in one query.
    async fn held_by(&self, holders: RangeInclusive<i64>) -> Result<Vec<Assignment>, StoreError>;

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

    /// Keeps a message relayed during a use; it joins the use's history
    /// record when the use ends.
    async fn record_code(&self, code: CodeRecord) -> Result<(), StoreError>;

    /// The uses that ended, oldest first, as the query narrows them.
    async fn history(&self, query: HistoryQuery) -> Result<UseStream, StoreError>;

    /// The newest uses `search` matches, newest first. A backend with an
    /// index of its history answers from it; this one reads it all.
    async fn search_history(&self, search: &HistorySearch) -> Result<Vec<UseRecord>, StoreError> {
        let query = HistoryQuery {
            last: None,
            ..search.query
        };
        history::newest(self.history(query).await?, search).await
    }

    /// Uses begun and codes received per UTC day for the `days` days from
    /// `first` (a UTC midnight), of the uses that ended. A backend with
    /// counts of its own answers from them; this one reads the days'
    /// history.
    async fn count_days(&self, first: i64, days: usize) -> Result<Vec<DayCounts>, StoreError> {
        let query = HistoryQuery {
            from: u32::try_from(first).ok(),
            ..HistoryQuery::default()
        };
        history::count_days(self.history(query).await?, first, days).await
    }
}
