//! `Authorization: Bearer <token>`: the token is hashed and looked up in
//! the user store (so every replica knows every token); a live one becomes
//! the request's [`Client`]. Lookups are cached for a few seconds, so a
//! revoked token stops working within that time on every replica.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{extract::FromRequestParts, http::request::Parts};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use numbot_core::{tokens, tokens::ApiToken, SharedUsers};

use crate::{error::ApiError, ApiState};

/// How long a token's lookup is trusted.
const CACHED_FOR: Duration = Duration::from_secs(5);
/// Tokens cached at most (a flood of wrong ones cannot grow it).
const CACHED_AT_MOST: usize = 10_000;

/// The token a request came with.
pub struct Client(pub ApiToken);

/// Recent lookups by hash: the token, or none.
#[derive(Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, (Instant, Option<ApiToken>)>>,
}

impl TokenCache {
    async fn find(&self, users: &SharedUsers, hash: &str) -> Result<Option<ApiToken>, ApiError> {
        if let Some((at, token)) = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(hash)
        {
            if at.elapsed() < CACHED_FOR {
                return Ok(token.clone());
            }
        }
        let token = users
            .token_by_hash(hash)
            .await
            .map_err(ApiError::internal)?
            .filter(ApiToken::live);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHED_AT_MOST {
            entries.retain(|_, (at, _)| at.elapsed() < CACHED_FOR);
            if entries.len() >= CACHED_AT_MOST {
                entries.clear();
            }
        }
        entries.insert(hash.to_string(), (Instant::now(), token.clone()));
        Ok(token)
    }
}

/// Requests per second per token.
pub(crate) struct Pace {
    limiter: DefaultKeyedRateLimiter<i64>,
}

impl Pace {
    pub(crate) fn new(per_second: u32) -> Pace {
        let per_second =
            std::num::NonZeroU32::new(per_second.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        Pace {
            limiter: RateLimiter::keyed(Quota::per_second(per_second)),
        }
    }

    /// Lets token `id` through, or says how long it should wait. Tokens are
    /// few (admins make them), so the per-token state stays small.
    fn check(&self, id: i64) -> Result<(), Duration> {
        self.limiter.check_key(&id).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }
}

impl FromRequestParts<Arc<ApiState>> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ApiState>,
    ) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let token = state
            .tokens
            .find(state.numbers.users(), &tokens::hash(secret))
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        state
            .pace
            .check(token.id)
            .map_err(ApiError::too_many_requests)?;
        Ok(Client(token))
    }
}
