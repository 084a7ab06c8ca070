//! The MongoDB pool behind the [`NumberStore`] trait.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    ops::RangeInclusive,
    sync::Arc,
};

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{self, doc, Document};
use numbot_core::{
    clock::rfc3339, Assignment, CodeRecord, FileInfo, FileMeta, Finish, HistoryQuery,
    HistorySearch, NumberStore, Prepared, Stats, StoreError, UploadReport, Usage, UseId, UseRecord,
    UseStream,
};
use serde::Deserialize;

use crate::{
    docs::{all, db, State, UsageDoc},
    MongoStore,
};

/// A `files` document as the statistics read it.
#[derive(Deserialize)]
struct FileMetaDoc {
    #[serde(rename = "_id")]
    name: String,
    #[serde(flatten)]
    meta: FileMeta,
}

fn meta_of(d: Document) -> Result<FileMetaDoc, StoreError> {
    bson::from_document(d).map_err(StoreError::database("reading a file's document"))
}

#[async_trait]
impl NumberStore for MongoStore {
    fn backend(&self) -> String {
        format!("MongoDB database {}", self.inner.numbers.namespace().db)
    }

    fn now(&self) -> u32 {
        self.now_secs()
    }

    async fn import(
        &self,
        upload: Prepared,
        original: Arc<Vec<u8>>,
    ) -> Result<UploadReport, StoreError> {
        self.import_upload(upload, original).await
    }

    async fn in_pool(&self, numbers: Vec<u64>) -> Result<HashSet<u64>, StoreError> {
        let mut held = HashSet::new();
        for batch in numbers.chunks(10_000) {
            let wanted: Vec<i64> = batch.iter().map(|&n| n as i64).collect();
            let mut found = self
                .inner
                .numbers
                .find(doc! { "n": { "$in": wanted }, "live": true })
                .projection(doc! { "n": 1 })
                .await
                .map_err(db("reading numbers"))?;
            while let Some(d) = found.try_next().await.map_err(db("reading numbers"))? {
                if let Ok(n) = d.get_i64("n").or_else(|_| d.get_i32("n").map(i64::from)) {
                    held.insert(n as u64);
                }
            }
        }
        Ok(held)
    }

    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        self.claim_number(category, user).await
    }

    async fn change(&self, id: UseId) -> Result<Assignment, StoreError> {
        self.change_number(id).await
    }

    async fn end(&self, id: UseId, how: Finish) -> Result<Option<Assignment>, StoreError> {
        self.sweep(false).await?;
        let Some(d) = self.held_in(id).await? else {
            return Ok(None);
        };
        let ended = self.assignment(&d).await?;
        Ok(self.end_use(&d, how.ended()).await?.then_some(ended))
    }

    async fn current(&self, id: UseId) -> Result<Option<Assignment>, StoreError> {
        self.sweep(false).await?;
        match self.held_in(id).await? {
            Some(d) => Ok(Some(self.assignment(&d).await?)),
            None => Ok(None),
        }
    }

    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        self.sweep(false).await?;
        match self.held_by(user).await? {
            Some(d) => Ok(Some(self.assignment(&d).await?)),
            None => Ok(None),
        }
    }

    async fn held_by(&self, holders: RangeInclusive<i64>) -> Result<Vec<Assignment>, StoreError> {
        self.sweep(false).await?;
        let now = i64::from(self.now_secs());
        let held = all(
            "reading the numbers held",
            self.numbers().find(doc! {
                "user": { "$gte": *holders.start(), "$lte": *holders.end() },
                "state": State::Held,
                "until": { "$gt": now },
            }),
        )
        .await?;
        let mut out = Vec::with_capacity(held.len());
        for d in &held {
            out.push(self.assignment(d).await?);
        }
        out.sort_by_key(|a| a.user);
        Ok(out)
    }

    async fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        self.sweep(false).await?;
        let held = all(
            "reading the numbers held",
            self.numbers().find(doc! { "state": State::Held }),
        )
        .await?;
        let mut out = Vec::with_capacity(held.len());
        for d in &held {
            out.push(self.assignment(d).await?);
        }
        out.sort_by_key(|a| a.user);
        Ok(out)
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.sweep(false).await?;
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for f in self.counts().await? {
            *by.entry(f.key.category).or_default() += f.available;
        }
        Ok(by.into_iter().collect())
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        self.sweep(false).await?;
        let now = i64::from(self.now_secs());
        let files = all(
            "reading the files",
            self.inner
                .files
                .find(doc! { "ready": true })
                .sort(doc! { "_id": 1 }),
        )
        .await?;
        let mut usage: HashMap<i64, (Usage, u64)> = HashMap::new();
        let mut numbers = self
            .inner
            .numbers
            .clone_with_type::<UsageDoc>()
            .find(doc! {})
            .projection(doc! { "file": 1, "state": 1, "free_at": 1, "uses": 1, "last_used": 1 })
            .await
            .map_err(db("reading the numbers"))?;
        while let Some(d) = numbers
            .try_next()
            .await
            .map_err(db("reading the numbers"))?
        {
            let (u, assignments) = usage.entry(d.file).or_default();
            let last = (d.uses > 0).then_some(d.last_used as u32);
            u.tally(d.state.counted(d.free_at, now), d.uses.max(0) as u64, last);
            *assignments += d.uses.max(0) as u64;
        }
        let mut stats = Stats::default();
        for f in files {
            let FileMetaDoc { name, mut meta } = meta_of(f)?;
            let (mut u, assignments) = usage.remove(&i64::from(meta.id)).unwrap_or_default();
            if meta.deleted {
                u.available = 0;
                u.cooling = 0;
            }
            u.assignments = assignments;
            meta.usage_count = assignments;
            stats.push(FileInfo {
                name,
                meta,
                usage: u.finish(),
            });
        }
        Ok(stats)
    }

    async fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError> {
        let deleted_at = rfc3339(i64::from(self.now_secs()));
        let found = self
            .inner
            .files
            .find_one_and_update(
                doc! { "_id": name, "ready": true, "deleted": false },
                doc! { "$set": { "deleted": true, "deleted_at": &deleted_at } },
            )
            .await
            .map_err(db("deleting a file"))?;
        let meta = match found {
            Some(before) => {
                let mut meta = meta_of(before)?.meta;
                meta.deleted = true;
                meta.deleted_at = Some(deleted_at);
                meta
            }
            // Deleted already (then the numbers' update below repeats
            // harmlessly), or no such file.
            None => {
                let existing = self
                    .inner
                    .files
                    .find_one(doc! { "_id": name, "ready": true })
                    .await
                    .map_err(db("reading a file's document"))?
                    .ok_or_else(|| StoreError::UnknownFile(name.to_string()))?;
                meta_of(existing)?.meta
            }
        };
        // Held numbers leave when their use ends (see `end_use`).
        self.inner
            .numbers
            .update_many(
                doc! { "file": i64::from(meta.id), "state": { "$in": [State::Free, State::Cooling, State::Retired] } },
                doc! { "$set": { "state": State::Gone }, "$unset": { "live": "" } },
            )
            .await
            .map_err(db("removing a deleted file's numbers"))?;
        self.forget_key(meta.id);
        self.forget_counts();
        Ok(meta)
    }

    async fn record_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        MongoStore::record_code(self, code).await
    }

    async fn history(&self, query: HistoryQuery) -> Result<UseStream, StoreError> {
        Ok(MongoStore::history(self, query))
    }

    async fn search_history(&self, search: &HistorySearch) -> Result<Vec<UseRecord>, StoreError> {
        MongoStore::search_history(self, search).await
    }
}
