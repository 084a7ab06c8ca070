//! Every use that ended, in the `history` collection (codes embedded),
//! and the codes of uses still open, in `codes`: a use's codes move into
//! its record when it ends. Streamed back by end time through a cursor.

use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use numbot_core::{
    history::STREAM_BUFFER, CodeRecord, CodeSeen, Ended, HistoryQuery, HistorySearch, StoreError,
    UseId, UseRecord, UseStream,
};

use crate::{
    docs::{db, NumberDoc},
    MongoStore,
};

impl MongoStore {
    /// Keeps the use `d` was, ended at `end`. The pool already changed: a
    /// failure here is logged, and costs the history that one use.
    pub(crate) async fn keep(&self, d: &NumberDoc, end: u32, ended: Ended) {
        let (Some(holder), Some(start)) = (d.user, d.since) else {
            return;
        };
        let start = start as u32;
        let number = d.e164();
        let id = d.use_id.unwrap_or_default();
        // This use's codes; those kept before uses had ids name it by its
        // number and start.
        let its_codes = doc! {
            "number": &number,
            "start": i64::from(start),
            "$or": [{ "use": id }, { "use": { "$exists": false } }],
        };
        let kept = async {
            let key = self.key(d.file_id()).await?;
            let mut codes: Vec<CodeSeen> = self
                .inner
                .codes
                .find(its_codes.clone())
                .sort(doc! { "at": 1, "code": 1 })
                .await
                .map_err(db("reading a use's codes"))?
                .map_ok(|c| c.seen)
                .try_collect()
                .await
                .map_err(db("reading a use's codes"))?;
            // A message tried again is kept again.
            codes.dedup();
            let had_codes = !codes.is_empty();
            self.inner
                .history
                .insert_one(UseRecord {
                    id: UseId(id as u64),
                    number: number.clone(),
                    holder,
                    category: key.category,
                    file: key.name,
                    start,
                    end,
                    ended,
                    codes,
                })
                .await
                .map_err(db("keeping a use in the history"))?;
            if had_codes {
                self.inner
                    .codes
                    .delete_many(its_codes)
                    .await
                    .map_err(db("removing a use's codes once kept"))?;
            }
            Ok::<_, StoreError>(())
        };
        if let Err(e) = kept.await {
            tracing::warn!(number, "a use was not kept in the history: {e}");
        }
    }

    pub(crate) async fn record_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        self.inner
            .codes
            .insert_one(code)
            .await
            .map_err(db("keeping a relayed code"))?;
        Ok(())
    }

    /// The newest uses `search` matches, newest first: one sorted, limited
    /// query.
    pub(crate) async fn search_history(
        &self,
        search: &HistorySearch,
    ) -> Result<Vec<UseRecord>, StoreError> {
        let mut filter = filter(&search.query);
        if let Some(category) = &search.category {
            filter.insert("category", category);
        }
        if let Some(digits) = &search.number {
            // Digits only (`HistorySearch::digits`): nothing to escape.
            filter.insert("number", doc! { "$regex": digits.as_str() });
        }
        let search_limit = i64::try_from(search.limit).unwrap_or(i64::MAX);
        if search_limit == 0 {
            return Ok(Vec::new());
        }
        self.inner
            .history
            .find(filter)
            .sort(doc! { "end": -1, "_id": -1 })
            .limit(search_limit)
            .projection(doc! { "_id": 0 })
            .await
            .map_err(db("searching the history"))?
            .try_collect()
            .await
            .map_err(db("searching the history"))
    }

    pub(crate) fn history(&self, query: HistoryQuery) -> UseStream {
        let filter = filter(&query);
        let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER);
        let history = self.inner.history.clone();
        // A holder's last uses: the newest first from the index, then in order.
        if let (Some(_), Some(n)) = (query.holder, query.last) {
            tokio::spawn(async move {
                let found: Result<Vec<UseRecord>, _> = async {
                    history
                        .find(filter)
                        .sort(doc! { "end": -1, "_id": -1 })
                        .limit(n as i64)
                        .projection(doc! { "_id": 0 })
                        .await?
                        .try_collect()
                        .await
                }
                .await;
                match found {
                    Ok(mut last) => {
                        last.reverse();
                        for r in last {
                            if tx.send(Ok(r)).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(db("reading the history")(e))).await;
                    }
                }
            });
            return rx;
        }
        tokio::spawn(async move {
            let found = history
                .find(filter)
                .sort(doc! { "end": 1, "_id": 1 })
                .projection(doc! { "_id": 0 })
                .await;
            let mut cursor = match found {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Err(db("reading the history")(e))).await;
                    return;
                }
            };
            loop {
                let next = match cursor.try_next().await {
                    Ok(Some(r)) => Ok(r),
                    Ok(None) => return,
                    Err(e) => Err(db("reading the history")(e)),
                };
                let stop = next.is_err();
                if tx.send(next).await.is_err() || stop {
                    return;
                }
            }
        });
        rx
    }
}

/// The filter a query's window and holder make.
fn filter(query: &HistoryQuery) -> Document {
    let mut filter = Document::new();
    let mut end = Document::new();
    if let Some(from) = query.from {
        end.insert("$gte", i64::from(from));
    }
    if let Some(to) = query.to {
        end.insert("$lt", i64::from(to));
    }
    if !end.is_empty() {
        filter.insert("end", end);
    }
    if let Some(holder) = query.holder {
        filter.insert("holder", holder);
    }
    filter
}
