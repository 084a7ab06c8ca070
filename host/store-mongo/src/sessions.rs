//! Mini App sessions in MongoDB: `web_sessions` (by the hash of their
//! secret) and `web_launches` (the launch data exchanged, by hash): a
//! second exchange of the same launch data fails on the unique `_id`, on
//! whichever replica it comes.

use std::sync::atomic::{AtomicI64, Ordering};

use mongodb::{
    bson::{doc, Document},
    Collection, Database,
};
use numbot_core::{clock::unix_now, sessions::WebSession, UserStoreError};

use crate::docs::is_duplicate;

pub(crate) struct MongoSessions {
    sessions: Collection<Document>,
    launches: Collection<Document>,
    /// The minute expired ones were last removed.
    pruned: AtomicI64,
}

fn db(context: &'static str) -> impl FnOnce(mongodb::error::Error) -> UserStoreError {
    UserStoreError::database(context)
}

impl MongoSessions {
    pub(crate) fn open(database: &Database) -> MongoSessions {
        MongoSessions {
            sessions: database.collection("web_sessions"),
            launches: database.collection("web_launches"),
            pruned: AtomicI64::new(0),
        }
    }

    pub(crate) async fn open_session(
        &self,
        launch: &str,
        launch_until: i64,
        key: &str,
        session: WebSession,
    ) -> Result<bool, UserStoreError> {
        let now = unix_now();
        if self.pruned.swap(now / 60, Ordering::Relaxed) != now / 60 {
            let _ = self
                .launches
                .delete_many(doc! { "until": { "$lte": now } })
                .await;
            let _ = self
                .sessions
                .delete_many(doc! { "expires_at": { "$lte": now } })
                .await;
        }
        let taken = self
            .launches
            .insert_one(doc! { "_id": launch, "until": launch_until })
            .await;
        match taken {
            Ok(_) => {}
            Err(e) if is_duplicate(&e) => return Ok(false),
            Err(e) => return Err(db("remembering launch data")(e)),
        }
        self.sessions
            .insert_one(doc! {
                "_id": key,
                "user": session.user,
                "csrf": &session.csrf,
                "expires_at": session.expires_at,
            })
            .await
            .map_err(db("keeping a session"))?;
        Ok(true)
    }

    pub(crate) async fn session(
        &self,
        key: &str,
        now: i64,
    ) -> Result<Option<WebSession>, UserStoreError> {
        let found = self
            .sessions
            .find_one(doc! { "_id": key, "expires_at": { "$gt": now } })
            .await
            .map_err(db("reading a session"))?;
        Ok(found.and_then(|d| {
            Some(WebSession {
                user: d.get_i64("user").ok()?,
                csrf: d.get_str("csrf").ok()?.to_string(),
                expires_at: d.get_i64("expires_at").ok()?,
            })
        }))
    }
}
