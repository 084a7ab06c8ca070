//! API tokens: made and revoked by admins (audited), and the secret a
//! client presents turned into its token.

use crate::{
    audit::AuditAction,
    clock::unix_now,
    store::Finish,
    tokens::{self, ApiToken, NewToken},
    users::UserStoreError,
};

use super::Numbers;

impl Numbers {
    /// Makes a token for `admin`: its secret (shown once, never stored)
    /// and the token as stored.
    pub async fn issue_token(
        &self,
        admin: i64,
        new: NewToken,
    ) -> Result<(String, ApiToken), UserStoreError> {
        let (secret, token) =
            tokens::issue(&*self.records.tokens, &*self.records.users, new).await?;
        let detail = format!("{} (id {})", token.name, token.id);
        self.auditor
            .record(admin, AuditAction::TokenCreate, &detail)
            .await;
        Ok((secret, token))
    }

    /// Revokes the live token `name` for `admin`: the numbers it holds go
    /// back to the pool, its requests waiting in this process end at once
    /// (other replicas' within seconds). `None` when no live token has
    /// that name.
    pub async fn revoke_token(
        &self,
        admin: i64,
        name: &str,
    ) -> Result<Option<ApiToken>, UserStoreError> {
        let revoked = self.records.tokens.revoke_token(name, unix_now()).await?;
        if let Some(t) = &revoked {
            let _ = self.revoked.send(t.id);
            let released = self.release_all(t).await;
            let detail = format!("{} (id {}); {released} numbers released", t.name, t.id);
            self.auditor
                .record(admin, AuditAction::TokenRevoke, &detail)
                .await;
        }
        Ok(revoked)
    }

    /// Ends every use of a revoked token: how many ended.
    async fn release_all(&self, token: &ApiToken) -> usize {
        let held = match self.store.held_by(token.holder_range()).await {
            Ok(held) => held,
            Err(e) => {
                tracing::error!(
                    token = token.id,
                    "store: {e}; a revoked token's numbers stay held until their lease ends"
                );
                return 0;
            }
        };
        let mut released = 0;
        for a in held {
            match self.store.end(a.id, Finish::Cancel).await {
                Ok(Some(_)) => {
                    self.released();
                    released += 1;
                }
                Ok(None) => {}
                Err(e) => tracing::error!(
                    token = token.id,
                    "store: {e}; a revoked token's number stays held until its lease ends"
                ),
            }
        }
        released
    }

    /// Every token, by id.
    pub async fn tokens(&self) -> Result<Vec<ApiToken>, UserStoreError> {
        self.records.tokens.tokens().await
    }

    /// The live token whose secret is `secret`.
    pub async fn token_by_secret(&self, secret: &str) -> Result<Option<ApiToken>, UserStoreError> {
        Ok(self
            .records
            .tokens
            .token_by_hash(&tokens::hash(secret))
            .await?
            .filter(ApiToken::live))
    }

    /// `token` as stored now, if it is still live.
    pub async fn live_token(&self, token: &ApiToken) -> Result<Option<ApiToken>, UserStoreError> {
        Ok(self
            .records
            .tokens
            .token_by_hash(&token.hash)
            .await?
            .filter(ApiToken::live))
    }

    /// Ids of tokens revoked in this process from now on.
    pub fn revocations(&self) -> tokio::sync::broadcast::Receiver<i64> {
        self.revoked.subscribe()
    }
}
