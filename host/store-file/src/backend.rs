//! The file store behind the [`NumberStore`] trait: each operation's
//! in-memory step runs on the store's own thread, the disk wait (a shared
//! fsync) on the caller's task, and the upload's file writes on the
//! blocking pool. No async thread ever waits for the store's lock: a
//! look-up that calls no plugin takes it in place only when it is free.

use std::{collections::HashSet, ops::RangeInclusive, sync::Arc};

use async_trait::async_trait;
use numbot_core::{
    Assignment, CodeRecord, DayCounts, FileMeta, Finish, HistoryQuery, HistorySearch, NumberStore,
    Prepared, Stats, StoreError, UploadReport, UseId, UseRecord, UseStream,
};

use crate::{journal::Seq, store::State, FileStore};

impl FileStore {
    /// Runs an in-memory step on the store's thread, then waits for the disk.
    async fn run<T: Send + 'static>(
        &self,
        step: impl FnOnce(&FileStore) -> Result<(T, Seq), StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        let (value, written) = self.inner.worker.run_written(move || step(&store)).await?;
        self.written(written)?;
        Ok(value)
    }

    /// Runs a look-up that calls no plugin in place when the store's lock
    /// is free at once (never waiting for it on an async thread), else on
    /// the store's thread; then waits for any expiry it journaled. A
    /// request's own look-ups (a token's holders, a use's owner) cost no
    /// hand-over while the store is not busy.
    async fn glance<T: Send + 'static>(
        &self,
        step: impl FnOnce(&FileStore, &mut State) -> (T, Seq) + Send + 'static,
    ) -> Result<T, StoreError> {
        let in_place = match self.try_lock() {
            Some(mut st) => Ok(step(self, &mut st)),
            None => Err(step),
        };
        let (value, seq) = match in_place {
            Ok(done) => done,
            Err(step) => return self.run(move |s| Ok(step(s, &mut *s.lock()?))).await,
        };
        if let Some(pending) = seq {
            self.written(crate::log::wait_async(pending).await)?;
        }
        Ok(value)
    }

    /// Runs a step on the store's thread that needs no disk wait.
    async fn read<T: Send + 'static>(
        &self,
        step: impl FnOnce(&FileStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        self.inner.worker.run(move || step(&store)).await
    }
}

#[async_trait]
impl NumberStore for FileStore {
    fn backend(&self) -> String {
        format!("file store in {}", self.dir().display())
    }

    fn now(&self) -> u32 {
        FileStore::now(self)
    }

    async fn import(
        &self,
        upload: Prepared,
        original: Arc<Vec<u8>>,
    ) -> Result<UploadReport, StoreError> {
        let reserved = self.read(move |s| s.reserve(upload)).await?;
        let store = self.clone();
        let (reserved, written) = tokio::task::spawn_blocking(move || {
            let written = store.write_upload(reserved.name(), &original, reserved.numbers());
            (reserved, written)
        })
        .await
        .map_err(|e| StoreError::Stopped(e.to_string()))?;
        self.read(move |s| s.commit(reserved, written)).await
    }

    async fn in_pool(&self, numbers: Vec<u64>) -> Result<HashSet<u64>, StoreError> {
        self.read(move |s| s.in_pool(&numbers)).await
    }

    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        let category = category.to_string();
        self.run(move |s| s.claim_in_memory(&category, user)).await
    }

    async fn change(&self, id: UseId) -> Result<Assignment, StoreError> {
        self.run(move |s| s.change_in_memory(id)).await
    }

    async fn end(&self, id: UseId, how: Finish) -> Result<Option<Assignment>, StoreError> {
        self.run(move |s| s.end_in_memory(id, how)).await
    }

    async fn current(&self, id: UseId) -> Result<Option<Assignment>, StoreError> {
        self.glance(move |s, st| s.current_locked(st, id)).await
    }

    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        self.glance(move |s, st| s.holding_locked(st, user)).await
    }

    async fn held_by(&self, holders: RangeInclusive<i64>) -> Result<Vec<Assignment>, StoreError> {
        self.glance(move |s, st| s.held_by_locked(st, holders))
            .await
    }

    async fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        self.run(FileStore::assignments_in_memory).await
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.run(FileStore::categories_in_memory).await
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        self.run(FileStore::stats_in_memory).await
    }

    async fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError> {
        let name = name.to_string();
        self.read(move |s| s.delete_file(&name)).await
    }

    async fn record_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        FileStore::record_code(self, code).await
    }

    async fn history(&self, query: HistoryQuery) -> Result<UseStream, StoreError> {
        self.inner.history.settle().await?;
        let (Some(holder), Some(n)) = (query.holder, query.last) else {
            return Ok(crate::history::read(self.dir(), query));
        };
        // A holder's last uses: through the index, not the whole file.
        let store = self.clone();
        let uses = tokio::task::spawn_blocking(move || store.inner.history.last(holder, n))
            .await
            .map_err(|e| StoreError::Stopped(e.to_string()))??;
        let (tx, rx) = tokio::sync::mpsc::channel(uses.len().max(1));
        for r in uses.into_iter().filter(|r| query.matches(r)) {
            let _ = tx.try_send(Ok(r));
        }
        Ok(rx)
    }

    async fn search_history(&self, search: &HistorySearch) -> Result<Vec<UseRecord>, StoreError> {
        self.inner.history.settle().await?;
        let store = self.clone();
        let search = search.clone();
        tokio::task::spawn_blocking(move || store.inner.history.search(&search))
            .await
            .map_err(|e| StoreError::Stopped(e.to_string()))?
    }

    async fn count_days(&self, first: i64, days: usize) -> Result<Vec<DayCounts>, StoreError> {
        Ok(self.inner.history.count_days(first, days))
    }
}
