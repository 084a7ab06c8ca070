//! How many numbers each live file has free, counted once per second of
//! the store's clock by one task at a time (the policy's candidates and
//! `/countries` read it), and adjusted by this process's own changes in
//! between.

use mongodb::bson::doc;
use numbot_core::StoreError;

use crate::{
    docs::{all, db, FileDoc, State},
    store::FileKey,
    MongoStore,
};

/// A file's free numbers as counted at one second of the store's clock.
#[derive(Clone)]
pub(crate) struct FileCount {
    pub(crate) id: u32,
    pub(crate) key: FileKey,
    pub(crate) available: u64,
    pub(crate) total: u64,
    pub(crate) used: u64,
    pub(crate) last_used: Option<i64>,
}

pub(crate) struct Counts {
    at: u32,
    files: Vec<FileCount>,
}

impl MongoStore {
    pub(crate) fn forget_counts(&self) {
        *self.inner.counts.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Adjusts this process's count of a file's free numbers after its own change.
    pub(crate) fn adjust_count(&self, file: u32, delta: i64) {
        if let Some(counts) = self
            .inner
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            if let Some(f) = counts.files.iter_mut().find(|f| f.id == file) {
                f.available = f.available.saturating_add_signed(delta);
            }
        }
    }

    /// Free numbers per live file, counted once per second of the store's clock.
    pub(crate) async fn counts(&self) -> Result<Vec<FileCount>, StoreError> {
        let now = self.now_secs();
        let cached = || {
            self.inner
                .counts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .map(|c| (c.at == now, c.files.clone()))
        };
        let stale = match cached() {
            Some((true, files)) => return Ok(files),
            Some((false, files)) => Some(files),
            None => None,
        };
        // One recount at a time: the others go on with the last count (a
        // second old at most) rather than all asking the server at once.
        let _recount = match (self.inner.recount.try_lock(), stale) {
            (Ok(guard), _) => guard,
            (Err(_), Some(stale)) => return Ok(stale),
            (Err(_), None) => self.inner.recount.lock().await,
        };
        if let Some((true, files)) = cached() {
            return Ok(files);
        }
        let files = all(
            "reading the files",
            self.inner
                .files
                .clone_with_type::<FileDoc>()
                .find(doc! { "ready": true, "deleted": false }),
        )
        .await?;
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            let available = self
                .inner
                .numbers
                .count_documents(doc! { "file": f.id, "state": State::Free })
                .await
                .map_err(db("counting free numbers"))?;
            out.push(FileCount {
                id: f.id as u32,
                key: FileKey::of(&f),
                available,
                total: f.number_count.max(0) as u64,
                used: f.usage_count.max(0) as u64,
                last_used: (f.last_used > 0).then_some(f.last_used),
            });
        }
        *self.inner.counts.lock().unwrap_or_else(|e| e.into_inner()) = Some(Counts {
            at: now,
            files: out.clone(),
        });
        Ok(out)
    }
}
