//! API tokens in the data directory: `tokens.jsonl`, one token a line (the
//! last line of an id wins), appended and fsynced; read whole at open.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::Mutex,
};

use numbot_core::{
    tokens::{ApiToken, NewToken},
    UserStoreError,
};

use crate::{
    log::{self, open_append, GroupLog},
    users::{line, read_lines},
};

/// The tokens of a data directory.
pub(crate) struct TokenLog {
    tokens: Mutex<BTreeMap<i64, ApiToken>>,
    log: GroupLog,
    path: PathBuf,
}

impl TokenLog {
    /// Reads `tokens.jsonl` of `dir` and appends to it from now on.
    pub(crate) fn open(dir: &Path) -> Result<TokenLog, UserStoreError> {
        let path = dir.join("tokens.jsonl");
        let mut tokens = BTreeMap::new();
        for t in read_lines::<ApiToken>(&path)? {
            tokens.insert(t.id, t);
        }
        let io = |source| UserStoreError::Io {
            path: path.clone(),
            source,
        };
        let file = open_append(&path).map_err(io)?;
        let log = GroupLog::start("numbot-tokens", &path, file).map_err(io)?;
        Ok(TokenLog {
            tokens: Mutex::new(tokens),
            log,
            path,
        })
    }

    /// Changes the tokens in memory and writes the changed one, in order.
    async fn write(
        &self,
        change: impl FnOnce(&mut BTreeMap<i64, ApiToken>) -> Result<Option<ApiToken>, UserStoreError>,
    ) -> Result<Option<ApiToken>, UserStoreError> {
        let (token, pending) = {
            let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
            let token = change(&mut tokens)?;
            let pending = token.as_ref().map(|t| self.log.append(line(t)));
            (token, pending)
        };
        if let Some(pending) = pending {
            log::wait_async(pending)
                .await
                .map_err(|source| UserStoreError::Io {
                    path: self.path.clone(),
                    source,
                })?;
        }
        Ok(token)
    }

    pub(crate) async fn add(
        &self,
        new: NewToken,
        hash: String,
        at: i64,
    ) -> Result<ApiToken, UserStoreError> {
        let added = self
            .write(|tokens| {
                if tokens.values().any(|t| t.name == new.name) {
                    return Err(UserStoreError::Duplicate(new.name.clone()));
                }
                let token = ApiToken {
                    id: tokens.keys().next_back().map_or(1, |last| last + 1),
                    name: new.name,
                    hash,
                    categories: new.categories,
                    numbers_per_window: new.numbers_per_window,
                    max_uses: new.max_uses,
                    created_at: at,
                    revoked_at: None,
                };
                tokens.insert(token.id, token.clone());
                Ok(Some(token))
            })
            .await?;
        added.ok_or_else(|| UserStoreError::Damaged("a token was not kept".into()))
    }

    pub(crate) fn by_hash(&self, hash: &str) -> Option<ApiToken> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.values().find(|t| t.hash == hash).cloned()
    }

    pub(crate) fn all(&self) -> Vec<ApiToken> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.values().cloned().collect()
    }

    pub(crate) async fn revoke(
        &self,
        name: &str,
        at: i64,
    ) -> Result<Option<ApiToken>, UserStoreError> {
        self.write(|tokens| {
            Ok(tokens
                .values_mut()
                .find(|t| t.name == name && t.revoked_at.is_none())
                .map(|t| {
                    t.revoked_at = Some(at);
                    t.clone()
                }))
        })
        .await
    }
}
