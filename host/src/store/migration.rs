//! Migration mode: a team moving from the embedded file store to MongoDB
//! keeps using the numbers already in files, and MongoDB serves a category
//! once its files have none left. New uploads go to MongoDB.
//!
//! The file store has one owning process, so migration mode runs as a single
//! replica; switch to the `mongodb` pool once the files are used up (or
//! re-upload them there) to run several.

use std::{collections::BTreeMap, sync::Arc};

use async_trait::async_trait;

use super::{
    Assignment, FileMeta, FileStore, MongoStore, NumberStore, Stats, StoreError, UploadReport,
};
use crate::plugin::PluginHost;

/// Which pool a user's number is in.
enum Held {
    Files,
    Mongo,
}

/// The file store first, MongoDB as the fallback.
pub struct MigrationStore {
    files: FileStore,
    mongo: MongoStore,
    /// Claims and changes of one user run one at a time (by user id, striped):
    /// two at once could take one number from each pool.
    users: Vec<tokio::sync::Mutex<()>>,
}

/// Lock stripes for [`MigrationStore::users`].
const STRIPES: usize = 64;

impl MigrationStore {
    /// Both pools; they must use the same plugins and clock.
    pub fn new(files: FileStore, mongo: MongoStore) -> MigrationStore {
        MigrationStore {
            files,
            mongo,
            users: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }

    async fn serial(&self, user: i64) -> tokio::sync::MutexGuard<'_, ()> {
        self.users[user.rem_euclid(STRIPES as i64) as usize]
            .lock()
            .await
    }

    /// The pool where `user` holds a number, if any.
    async fn holder(&self, user: i64) -> Result<Option<Held>, StoreError> {
        if NumberStore::holding(&self.files, user).await?.is_some() {
            return Ok(Some(Held::Files));
        }
        if self.mongo.holding(user).await?.is_some() {
            return Ok(Some(Held::Mongo));
        }
        Ok(None)
    }
}

#[async_trait]
impl NumberStore for MigrationStore {
    fn backend(&self) -> String {
        format!(
            "migration: {}, then {}",
            NumberStore::backend(&self.files),
            self.mongo.backend()
        )
    }

    fn plugins(&self) -> &Arc<PluginHost> {
        NumberStore::plugins(&self.files)
    }

    fn now(&self) -> u32 {
        NumberStore::now(&self.files)
    }

    async fn upload(
        &self,
        original_name: &str,
        bytes: Arc<Vec<u8>>,
        category: &str,
        admin_id: i64,
        default_country: Option<String>,
    ) -> Result<UploadReport, StoreError> {
        // A number still in the files must not enter MongoDB too: two
        // users could hold it at once, one from each pool.
        let files = self.files.clone();
        self.mongo
            .upload_except(
                original_name,
                bytes,
                category,
                admin_id,
                default_country,
                &move |n| files.knows(n),
            )
            .await
    }

    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        let _one_at_a_time = self.serial(user).await;
        if let Some(held) = self.mongo.holding(user).await? {
            return Err(StoreError::AlreadyAssigned {
                user,
                number: held.number,
            });
        }
        match self.files.claim_async(category, user).await {
            Err(StoreError::NoneAvailable(_)) => self.mongo.claim(category, user).await,
            other => other,
        }
    }

    async fn change(&self, user: i64) -> Result<Assignment, StoreError> {
        let _one_at_a_time = self.serial(user).await;
        match self.holder(user).await? {
            None => Err(StoreError::NotAssigned(user)),
            Some(Held::Mongo) => self.mongo.change(user).await,
            Some(Held::Files) => match NumberStore::change(&self.files, user).await {
                // The files have no other: one from MongoDB, then the old one back.
                Err(StoreError::NoneAvailable(category)) => {
                    let next = self.mongo.claim(&category, user).await?;
                    if let Err(e) = NumberStore::cancel(&self.files, user).await {
                        // One number at a time: give the new one back.
                        let _ = self.mongo.cancel(user).await;
                        return Err(e);
                    }
                    Ok(next)
                }
                other => other,
            },
        }
    }

    async fn cancel(&self, user: i64) -> Result<(), StoreError> {
        match self.holder(user).await? {
            Some(Held::Files) => NumberStore::cancel(&self.files, user).await,
            Some(Held::Mongo) => self.mongo.cancel(user).await,
            None => Err(StoreError::NotAssigned(user)),
        }
    }

    async fn complete_use(&self, user: i64, number: &str, since: u32) -> Result<bool, StoreError> {
        Ok(
            NumberStore::complete_use(&self.files, user, number, since).await?
                || self.mongo.complete_use(user, number, since).await?,
        )
    }

    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        match NumberStore::holding(&self.files, user).await? {
            Some(a) => Ok(Some(a)),
            None => self.mongo.holding(user).await,
        }
    }

    async fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        let mut all = NumberStore::assignments(&self.files).await?;
        all.extend(self.mongo.assignments().await?);
        all.sort_by_key(|a| a.user);
        Ok(all)
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for (c, n) in NumberStore::categories(&self.files)
            .await?
            .into_iter()
            .chain(self.mongo.categories().await?)
        {
            *by.entry(c).or_default() += n;
        }
        Ok(by.into_iter().collect())
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let mut stats = NumberStore::stats(&self.files).await?;
        let more = self.mongo.stats().await?;
        for (c, u) in more.categories {
            stats.categories.entry(c).or_default().add(&u);
        }
        stats.files.extend(more.files);
        Ok(stats)
    }

    async fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError> {
        match NumberStore::delete_file(&self.files, name).await {
            Err(StoreError::UnknownFile(_)) => self.mongo.delete_file(name).await,
            other => other,
        }
    }
}
