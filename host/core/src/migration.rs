//! Migration mode: a team moving from the embedded file store to MongoDB
//! keeps using the numbers already in files, and MongoDB serves a category
//! once its files have none left. New uploads go to MongoDB.
//!
//! The file store has one owning process, so migration mode runs as a single
//! replica; switch to the `mongodb` pool once the files are used up (or
//! re-upload them there) to run several.

use std::{collections::BTreeMap, collections::HashSet, ops::RangeInclusive, sync::Arc};

use async_trait::async_trait;

use crate::{
    error::StoreError,
    history::{self, CodeRecord, HistoryQuery, UseStream},
    model::{Assignment, FileMeta, Stats, UseId},
    store::{Finish, NumberStore, Store},
    upload::{Prepared, UploadReport},
};

/// Which pool a user's number is in.
enum Held {
    First,
    Then,
}

/// One pool first (the files), another as the fallback and for uploads.
pub struct MigrationStore {
    first: Store,
    then: Store,
    /// Claims and changes of one user run one at a time (by user id,
    /// striped): two at once could take one number from each pool.
    users: Vec<tokio::sync::Mutex<()>>,
}

/// Lock stripes for [`MigrationStore::users`].
const STRIPES: usize = 64;

impl MigrationStore {
    /// `first` (the files) serves while it has numbers; `then` (MongoDB)
    /// after, and takes the uploads. Both must run on the same clock.
    pub fn new(first: Store, then: Store) -> MigrationStore {
        MigrationStore {
            first,
            then,
            users: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }

    async fn serial(&self, user: i64) -> tokio::sync::MutexGuard<'_, ()> {
        self.users[user.rem_euclid(STRIPES as i64) as usize]
            .lock()
            .await
    }

    /// Use `id` and the pool it is in. The file store's ids are 2^32 and
    /// above, MongoDB's count from 1: the two never meet in practice, and
    /// the files are asked first.
    async fn find(&self, id: UseId) -> Result<Option<(Assignment, Held)>, StoreError> {
        if let Some(a) = self.first.current(id).await? {
            return Ok(Some((a, Held::First)));
        }
        Ok(self.then.current(id).await?.map(|a| (a, Held::Then)))
    }
}

#[async_trait]
impl NumberStore for MigrationStore {
    fn backend(&self) -> String {
        format!(
            "migration: {}, then {}",
            self.first.backend(),
            self.then.backend()
        )
    }

    fn now(&self) -> u32 {
        self.first.now()
    }

    async fn import(
        &self,
        mut upload: Prepared,
        original: Arc<Vec<u8>>,
    ) -> Result<UploadReport, StoreError> {
        // A number still in the files must not enter the other pool too:
        // two users could hold it at once, one from each pool.
        let held = self.first.in_pool(upload.numbers.clone()).await?;
        upload.set_aside(&held);
        if upload.numbers.is_empty() {
            return Err(upload.nothing_left(0));
        }
        self.then.import(upload, original).await
    }

    async fn in_pool(&self, numbers: Vec<u64>) -> Result<HashSet<u64>, StoreError> {
        let mut held = self.first.in_pool(numbers.clone()).await?;
        held.extend(self.then.in_pool(numbers).await?);
        Ok(held)
    }

    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        let _one_at_a_time = self.serial(user).await;
        if let Some(held) = self.then.holding(user).await? {
            return Err(StoreError::AlreadyAssigned {
                user,
                number: held.number,
            });
        }
        match self.first.claim(category, user).await {
            Err(StoreError::NoneAvailable(_)) => self.then.claim(category, user).await,
            other => other,
        }
    }

    async fn change(&self, id: UseId) -> Result<Assignment, StoreError> {
        let Some((held, pool)) = self.find(id).await? else {
            return Err(StoreError::NotCurrent(id));
        };
        let _one_at_a_time = self.serial(held.user).await;
        match pool {
            Held::Then => self.then.change(id).await,
            Held::First => match self.first.change(id).await {
                // The files have no other: one from the other pool, then the
                // old one back (its history says cancelled, not changed).
                Err(StoreError::NoneAvailable(category)) => {
                    let next = self.then.claim(&category, held.user).await?;
                    match self.first.end(id, Finish::Cancel).await {
                        Ok(Some(_)) => Ok(next),
                        // One number at a time: give the new one back.
                        ended => {
                            let _ = self.then.end(next.id, Finish::Cancel).await;
                            Err(ended.err().unwrap_or(StoreError::NotCurrent(id)))
                        }
                    }
                }
                other => other,
            },
        }
    }

    async fn end(&self, id: UseId, how: Finish) -> Result<Option<Assignment>, StoreError> {
        match self.find(id).await? {
            Some((_, Held::First)) => self.first.end(id, how).await,
            Some((_, Held::Then)) => self.then.end(id, how).await,
            None => Ok(None),
        }
    }

    async fn current(&self, id: UseId) -> Result<Option<Assignment>, StoreError> {
        Ok(self.find(id).await?.map(|(a, _)| a))
    }

    async fn held_by(&self, holders: RangeInclusive<i64>) -> Result<Vec<Assignment>, StoreError> {
        let mut all = self.first.held_by(holders.clone()).await?;
        all.extend(self.then.held_by(holders).await?);
        all.sort_by_key(|a| a.user);
        Ok(all)
    }

    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        match self.first.holding(user).await? {
            Some(a) => Ok(Some(a)),
            None => self.then.holding(user).await,
        }
    }

    async fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        let mut all = self.first.assignments().await?;
        all.extend(self.then.assignments().await?);
        all.sort_by_key(|a| a.user);
        Ok(all)
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for (c, n) in self
            .first
            .categories()
            .await?
            .into_iter()
            .chain(self.then.categories().await?)
        {
            *by.entry(c).or_default() += n;
        }
        Ok(by.into_iter().collect())
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let mut stats = self.first.stats().await?;
        stats.merge(self.then.stats().await?);
        Ok(stats)
    }

    async fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError> {
        match self.first.delete_file(name).await {
            Err(StoreError::UnknownFile(_)) => self.then.delete_file(name).await,
            other => other,
        }
    }

    async fn record_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        let in_first = self
            .first
            .holding(code.holder)
            .await?
            .is_some_and(|a| a.number == code.number && a.since == code.start);
        if in_first {
            self.first.record_code(code).await
        } else {
            self.then.record_code(code).await
        }
    }

    async fn history(&self, query: HistoryQuery) -> Result<UseStream, StoreError> {
        Ok(history::merge(
            self.first.history(query).await?,
            self.then.history(query).await?,
        ))
    }
}
