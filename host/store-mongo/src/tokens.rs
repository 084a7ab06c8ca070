//! API tokens in MongoDB (collection `tokens`, ids from `counters`), so
//! that every replica knows every token. Names and hashes are unique.

use futures::TryStreamExt;
use mongodb::{
    bson::{self, doc, Bson, Document},
    options::{IndexOptions, ReturnDocument},
    Collection, Database, IndexModel,
};
use numbot_core::{
    tokens::{ApiToken, NewToken},
    UserStoreError,
};

use crate::docs::is_duplicate;

/// The tokens of a database.
pub(crate) struct MongoTokens {
    tokens: Collection<Document>,
    counters: Collection<Document>,
}

fn failed(context: &'static str) -> impl FnOnce(mongodb::error::Error) -> UserStoreError {
    UserStoreError::database(context)
}

fn token_of(d: Document) -> Result<ApiToken, UserStoreError> {
    bson::from_document(d).map_err(|e| UserStoreError::Damaged(e.to_string()))
}

impl MongoTokens {
    pub(crate) async fn open(database: &Database) -> Result<MongoTokens, UserStoreError> {
        let tokens = database.collection::<Document>("tokens");
        for key in ["name", "hash"] {
            tokens
                .create_index(
                    IndexModel::builder()
                        .keys(doc! { key: 1 })
                        .options(IndexOptions::builder().unique(true).build())
                        .build(),
                )
                .await
                .map_err(failed("creating the tokens' indexes"))?;
        }
        Ok(MongoTokens {
            tokens,
            counters: database.collection("counters"),
        })
    }

    pub(crate) async fn add(
        &self,
        new: NewToken,
        hash: String,
        at: i64,
    ) -> Result<ApiToken, UserStoreError> {
        let counter = self
            .counters
            .find_one_and_update(
                doc! { "_id": "token_id" },
                doc! { "$inc": { "next": 1i64 } },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(failed("taking a token id"))?
            .ok_or_else(|| UserStoreError::Damaged("the token-id counter did not answer".into()))?;
        let id = match counter.get("next") {
            Some(Bson::Int32(v)) => i64::from(*v),
            Some(Bson::Int64(v)) => *v,
            _ => return Err(UserStoreError::Damaged("the token-id counter".into())),
        };
        let token = ApiToken {
            id,
            name: new.name,
            hash,
            categories: new.categories,
            numbers_per_window: new.numbers_per_window,
            max_uses: new.max_uses,
            created_at: at,
            revoked_at: None,
        };
        let mut d =
            bson::to_document(&token).map_err(|e| UserStoreError::Damaged(e.to_string()))?;
        d.insert("_id", id);
        match self.tokens.insert_one(d).await {
            Ok(_) => Ok(token),
            Err(e) if is_duplicate(&e) => Err(UserStoreError::Duplicate(token.name)),
            Err(e) => Err(failed("storing a token")(e)),
        }
    }

    pub(crate) async fn by_hash(&self, hash: &str) -> Result<Option<ApiToken>, UserStoreError> {
        self.tokens
            .find_one(doc! { "hash": hash })
            .await
            .map_err(failed("reading a token"))?
            .map(token_of)
            .transpose()
    }

    pub(crate) async fn all(&self) -> Result<Vec<ApiToken>, UserStoreError> {
        let docs: Vec<Document> = self
            .tokens
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await
            .map_err(failed("reading the tokens"))?
            .try_collect()
            .await
            .map_err(failed("reading the tokens"))?;
        docs.into_iter().map(token_of).collect()
    }

    pub(crate) async fn revoke(
        &self,
        name: &str,
        at: i64,
    ) -> Result<Option<ApiToken>, UserStoreError> {
        let before = self
            .tokens
            .find_one_and_update(
                doc! { "name": name, "revoked_at": Bson::Null },
                doc! { "$set": { "revoked_at": at } },
            )
            .await
            .map_err(failed("revoking a token"))?;
        before
            .map(|d| {
                token_of(d).map(|mut t| {
                    t.revoked_at = Some(at);
                    t
                })
            })
            .transpose()
    }
}
