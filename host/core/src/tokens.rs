//! API tokens: what a test-automation client presents. A token is an
//! account of its own in the pool, the limits and the audit trail, and
//! holds up to `max_uses` numbers at once (each through a holder of its
//! own, so that parallel test workers can share one token). Only the hash
//! of a token's secret is stored.

use serde::{Deserialize, Serialize};

use std::ops::RangeInclusive;

use crate::{
    clock::unix_now,
    text::sha256_hex,
    users::{UserStatus, UserStoreError, Users},
};

/// Holders a token may have at once at most.
pub const MAX_USES: u32 = 999;

/// A token as the user store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Its id (positive, from 1).
    pub id: i64,
    /// A name for people (unique).
    pub name: String,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    /// Categories it may take numbers of; empty: all.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Its own numbers-per-window limit; `None`: the configured one.
    #[serde(default)]
    pub numbers_per_window: Option<u32>,
    /// Numbers it may hold at once.
    pub max_uses: u32,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it was revoked, if it was.
    #[serde(default)]
    pub revoked_at: Option<i64>,
}

/// What `numbot token create` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// A name for people (unique).
    pub name: String,
    /// Categories it may take numbers of; empty: all.
    pub categories: Vec<String>,
    /// Its own numbers-per-window limit.
    pub numbers_per_window: Option<u32>,
    /// Numbers it may hold at once (1 to [`MAX_USES`]).
    pub max_uses: u32,
}

impl ApiToken {
    /// The token's account: the id its limits and audit entries are kept
    /// under (negative: Telegram ids are positive).
    pub fn account(&self) -> i64 {
        -(self.id * 1000)
    }

    /// The holder of its `slot`-th number (`slot` below `max_uses`).
    pub fn holder(&self, slot: u32) -> i64 {
        -(self.id * 1000 + 1 + i64::from(slot))
    }

    /// Numbers it may hold at once, clamped as its holders are.
    fn slots(&self) -> u32 {
        self.max_uses.clamp(1, MAX_USES)
    }

    /// Every holder it may use, first slot first.
    pub fn holders(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.slots()).map(|slot| self.holder(slot))
    }

    /// Its holders as one range (what a store reads in one query).
    pub fn holder_range(&self) -> RangeInclusive<i64> {
        self.holder(self.slots() - 1)..=self.holder(0)
    }

    /// Whether `holder` is one of its holders.
    pub fn owns(&self, holder: i64) -> bool {
        self.holder_range().contains(&holder)
    }

    /// Whether it may take numbers of `category`.
    pub fn allows(&self, category: &str) -> bool {
        self.categories.is_empty() || self.categories.iter().any(|c| c == category)
    }

    /// Whether it still opens the API.
    pub fn live(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// The token a holder or account id belongs to, if it is an API one.
pub fn token_of(user: i64) -> Option<i64> {
    (user < 0).then(|| (-user) / 1000)
}

/// A new secret and its hash: 32 random bytes, shown once as `nbt_` and hex.
pub fn new_secret() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let secret = format!("nbt_{}", hex::encode(bytes));
    let hash = hash(&secret);
    (secret, hash)
}

/// Where tokens are kept (only their secrets' hashes).
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a new API token under the next id (`hash`: its secret's hash).
    async fn add_token(
        &self,
        new: NewToken,
        hash: String,
        at: i64,
    ) -> Result<ApiToken, UserStoreError>;

    /// The token whose secret hashes to `hash`, revoked or not.
    async fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, UserStoreError>;

    /// Every token, by id.
    async fn tokens(&self) -> Result<Vec<ApiToken>, UserStoreError>;

    /// Revokes the live token named `name` at `at`; `None` when there is none.
    async fn revoke_token(&self, name: &str, at: i64) -> Result<Option<ApiToken>, UserStoreError>;
}

/// Makes a token: its secret (shown once, never stored) and the token as
/// stored. Its account gets a user record, so that its limits count.
pub(crate) async fn issue(
    tokens: &dyn TokenStore,
    users: &dyn Users,
    new: NewToken,
) -> Result<(String, ApiToken), UserStoreError> {
    let (secret, digest) = new_secret();
    let name = new.name.clone();
    let token = tokens.add_token(new, digest, unix_now()).await?;
    users
        .seen(
            token.account(),
            &format!("api token {name}"),
            None,
            UserStatus::Active,
        )
        .await?;
    Ok((secret, token))
}

/// The hash a secret is stored and looked up by.
pub fn hash(secret: &str) -> String {
    sha256_hex(secret.as_bytes(), 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(id: i64, max_uses: u32) -> ApiToken {
        ApiToken {
            id,
            name: "ci".into(),
            hash: String::new(),
            categories: vec!["UAE".into()],
            numbers_per_window: None,
            max_uses,
            created_at: 0,
            revoked_at: None,
        }
    }

    #[test]
    fn holders_belong_to_their_token_only() {
        let t = token(7, 3);
        let holders: Vec<i64> = t.holders().collect();
        assert_eq!(holders, [-7001, -7002, -7003]);
        assert_eq!(t.holder_range(), -7003..=-7001);
        assert!(holders.iter().all(|&h| t.owns(h) && token_of(h) == Some(7)));
        assert!(!t.owns(-7004) && !t.owns(-8001) && !t.owns(7001) && !t.owns(-7000));
        assert_eq!(token(7, 5000).holder_range(), -7999..=-7001, "clamped");
        assert_eq!(t.account(), -7000);
        assert!(!holders.contains(&t.account()));
        assert!(t.allows("UAE") && !t.allows("UK"));
        assert_eq!(token_of(42), None);
        let (secret, digest) = new_secret();
        assert!(secret.starts_with("nbt_") && secret.len() == 68);
        assert_eq!(hash(&secret), digest);
        assert_ne!(new_secret().0, secret);
    }
}
