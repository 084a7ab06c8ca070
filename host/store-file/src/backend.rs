//! The file store behind the [`NumberStore`] trait: each operation's
//! in-memory step runs on the store's own thread, the disk wait (a shared
//! fsync) on the caller's task, and the upload's file writes on the
//! blocking pool. No async thread ever takes the store's lock.

use std::{collections::HashSet, sync::Arc};

use async_trait::async_trait;
use numbot_core::{
    Assignment, CodeRecord, Ended, FileMeta, HistoryQuery, NumberStore, Prepared, Stats,
    StoreError, UploadReport, UseStream,
};

use crate::{journal::Seq, FileStore};

impl FileStore {
    /// Runs an in-memory step on the store's thread, then waits for the disk.
    async fn run<T: Send + 'static>(
        &self,
        step: impl FnOnce(&FileStore) -> Result<(T, Seq), StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        let (value, seq) = self.inner.worker.run(move || step(&store)).await?;
        self.durable_async(seq).await?;
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

    async fn change(&self, user: i64) -> Result<Assignment, StoreError> {
        self.run(move |s| s.change_in_memory(user)).await
    }

    async fn cancel(&self, user: i64) -> Result<(), StoreError> {
        self.run(move |s| s.finish_in_memory(user, Ended::Cancelled))
            .await
    }

    async fn complete_use(&self, user: i64, number: &str, since: u32) -> Result<bool, StoreError> {
        let number = number.to_string();
        self.run(move |s| s.complete_use_in_memory(user, &number, since))
            .await
    }

    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        self.run(move |s| s.holding_in_memory(user)).await
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
        Ok(crate::history::read(self.dir(), query))
    }
}
