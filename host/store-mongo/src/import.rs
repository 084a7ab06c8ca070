//! Imports into MongoDB: a `files` document under the first free stored
//! name (not `ready`), the original bytes in parts, the numbers in batches
//! (a number already live in the pool is refused by its unique index and
//! counted), then `ready`. A process that dies half-way leaves an upload
//! that is never `ready`; the next start removes it.

use std::sync::Arc;

use mongodb::{
    bson::{self, doc, spec::BinarySubtype, Binary, Bson, Document},
    options::ReturnDocument,
};
use numbot_core::{upload::stored_names, Prepared, StoreError, UploadReport};

use crate::{
    docs::{db, is_duplicate, only_duplicates, spread, State},
    MongoStore,
};

/// Number documents written per `insert_many`.
const INSERT_BATCH: usize = 20_000;
/// Bytes of an original upload per document.
const PART_BYTES: usize = 4 << 20;
/// Stored names tried within one second.
const NAMES_PER_SECOND: usize = 1000;

impl MongoStore {
    /// The next file id, from the shared counter.
    async fn next_file_id(&self) -> Result<u32, StoreError> {
        let counter = self
            .inner
            .counters
            .find_one_and_update(doc! { "_id": "file_id" }, doc! { "$inc": { "next": 1i64 } })
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(db("taking a file id"))?
            .ok_or_else(|| StoreError::Inconsistent("the file-id counter did not answer".into()))?;
        let next = match counter.get("next") {
            Some(Bson::Int32(v)) => i64::from(*v),
            Some(Bson::Int64(v)) => *v,
            Some(Bson::Double(v)) => *v as i64,
            _ => -1,
        };
        u32::try_from(next)
            .map_err(|_| StoreError::Inconsistent(format!("file id counter at {next}")))
    }

    /// Inserts the upload's `files` document (not ready) under the first
    /// free stored name of this second.
    async fn name_upload(&self, upload: &Prepared, id: u32) -> Result<String, StoreError> {
        let now = self.now_secs();
        let meta = upload.meta(id, 0, 0, now);
        for candidate in stored_names(&upload.category, now).take(NAMES_PER_SECOND) {
            let mut d = bson::to_document(&meta)
                .map_err(StoreError::database("encoding a file's document"))?;
            d.insert("_id", candidate.clone());
            d.insert("ready", false);
            // Renewed after every batch: an upload not touched for an hour was
            // abandoned by a process that died.
            d.insert("touched", i64::from(now));
            match self.inner.files.insert_one(d).await {
                Ok(_) => return Ok(candidate),
                Err(e) if is_duplicate(&e) => continue,
                Err(e) => return Err(db("naming an upload")(e)),
            }
        }
        Err(StoreError::Inconsistent(
            "no free stored name in this second".into(),
        ))
    }

    /// Writes the original and the numbers; how many numbers were live in
    /// the pool already.
    async fn write_upload(
        &self,
        name: &str,
        id: u32,
        numbers: &[u64],
        original: &[u8],
    ) -> Result<u64, StoreError> {
        let parts: Vec<Document> = original
            .chunks(PART_BYTES)
            .enumerate()
            .map(|(k, part)| {
                doc! {
                    "_id": format!("{name}#{k}"), "file": name, "part": k as i64,
                    "data": Binary { subtype: BinarySubtype::Generic, bytes: part.to_vec() },
                }
            })
            .collect();
        if !parts.is_empty() {
            self.inner
                .originals
                .insert_many(parts)
                .await
                .map_err(db("writing an upload's bytes"))?;
        }
        let mut in_pool = 0u64;
        for batch in numbers.chunks(INSERT_BATCH) {
            let docs = batch.iter().map(|&n| {
                doc! {
                    "n": n as i64, "file": i64::from(id), "r": spread(n, id),
                    "state": State::Free, "free_at": 0i64, "uses": 0i64, "live": true,
                }
            });
            let inserted = self.inner.numbers.insert_many(docs).ordered(false).await;
            self.inner
                .files
                .update_one(
                    doc! { "_id": name },
                    doc! { "$set": { "touched": i64::from(self.now_secs()) } },
                )
                .await
                .map_err(db("marking an upload alive"))?;
            if let Err(e) = inserted {
                in_pool += match only_duplicates(&e) {
                    Some(n) => n,
                    None => return Err(db("writing numbers")(e)),
                };
            }
        }
        Ok(in_pool)
    }

    /// Imports a prepared upload.
    pub(crate) async fn import_upload(
        &self,
        upload: Prepared,
        original: Arc<Vec<u8>>,
    ) -> Result<UploadReport, StoreError> {
        if upload.numbers.is_empty() {
            return Err(upload.nothing_left(0));
        }
        let id = self.next_file_id().await?;
        let name = self.name_upload(&upload, id).await?;
        let in_pool = match self
            .write_upload(&name, id, &upload.numbers, &original)
            .await
        {
            Ok(n) => n,
            Err(e) => {
                self.undo_upload(&name, id).await;
                return Err(e);
            }
        };
        let accepted = upload.numbers.len() as u64 - in_pool;
        if accepted == 0 {
            self.undo_upload(&name, id).await;
            return Err(upload.nothing_left(in_pool));
        }
        let ready = self
            .inner
            .files
            .update_one(
                doc! { "_id": &name },
                doc! { "$set": {
                    "ready": true, "number_count": accepted as i64,
                    "duplicates_in_pool": (in_pool + upload.held_elsewhere) as i64,
                } },
            )
            .await;
        match ready {
            Ok(r) if r.matched_count == 1 => {}
            Ok(_) => {
                self.undo_upload(&name, id).await;
                return Err(StoreError::Inconsistent(format!(
                    "{name} was removed while it was being imported (taken for abandoned); import it again"
                )));
            }
            Err(e) => {
                self.undo_upload(&name, id).await;
                return Err(db("finishing an upload")(e));
            }
        }
        self.forget_counts();
        tracing::info!(file = %name, category = %upload.category, admin = upload.admin, accepted, "upload imported into MongoDB");
        Ok(upload.report(name, accepted, in_pool))
    }
}
