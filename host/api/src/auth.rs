//! `Authorization: Bearer <token>`: the token is looked up through the use
//! cases (hashed in the user store, so every replica knows every token); a
//! live one becomes the request's [`Client`]. Lookups are cached for a few
//! seconds, so a revoked token stops working within that time on every
//! replica. A client address may make only so many lookups (cache misses)
//! per second, counted before the store is asked: random bearer strings
//! cost a client its own rate, not the store's time.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use numbot_core::{tokens::ApiToken, Numbers};

use crate::{error::ApiError, ApiState};

/// How long a token's lookup is trusted.
const CACHED_FOR: Duration = Duration::from_secs(5);
/// Lookups cached at most. The cache admits by frequency (TinyLFU), so a
/// flood of wrong tokens does not push the live ones out.
const CACHED_AT_MOST: u64 = 10_000;
/// Client addresses whose lookup rate is remembered, at most.
const ADDRESSES_AT_MOST: usize = 100_000;

/// The token a request came with.
pub struct Client(pub ApiToken);

/// Recent lookups by secret hash: the token, or none.
pub(crate) struct TokenCache {
    entries: moka::sync::Cache<String, Option<ApiToken>>,
    /// Lookups (cache misses) per client address.
    lookups: DefaultKeyedRateLimiter<IpAddr>,
}

impl TokenCache {
    pub(crate) fn new(lookups_per_second: u32) -> TokenCache {
        let rate = std::num::NonZeroU32::new(lookups_per_second.max(1))
            .unwrap_or(std::num::NonZeroU32::MIN);
        TokenCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(CACHED_AT_MOST)
                .time_to_live(CACHED_FOR)
                .build(),
            lookups: RateLimiter::keyed(Quota::per_second(rate).allow_burst(rate.saturating_mul(
                std::num::NonZeroU32::new(4).unwrap_or(std::num::NonZeroU32::MIN),
            ))),
        }
    }

    /// The live token whose secret is `secret`, looked up for `from` when
    /// not cached.
    pub(crate) async fn find(
        &self,
        numbers: &Numbers,
        secret: &str,
        from: IpAddr,
    ) -> Result<Option<ApiToken>, ApiError> {
        let hash = numbot_core::tokens::hash(secret);
        if let Some(token) = self.entries.get(&hash) {
            return Ok(token);
        }
        if let Err(not_until) = self.lookups.check_key(&from) {
            metrics::counter!("numbot_api_lookups_refused_total").increment(1);
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            return Err(ApiError::too_many_lookups(wait));
        }
        if self.lookups.len() > ADDRESSES_AT_MOST {
            self.lookups.retain_recent();
        }
        let token = numbers
            .token_by_secret(secret)
            .await
            .map_err(ApiError::records)?;
        self.entries.insert(hash, token.clone());
        Ok(token)
    }

    /// Whether `token` is still live, as this process last knew it (a
    /// waiting request asks every few seconds, so a revocation on another
    /// replica ends it too).
    pub(crate) async fn live(&self, numbers: &Numbers, token: &ApiToken) -> bool {
        if let Some(cached) = self.entries.get(&token.hash) {
            return cached.is_some();
        }
        match numbers.live_token(token).await {
            Ok(live) => {
                self.entries.insert(token.hash.clone(), live.clone());
                live.is_some()
            }
            // The store is down: the wait goes on.
            Err(_) => true,
        }
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
    pub(crate) fn check(&self, id: i64) -> Result<(), Duration> {
        self.limiter.check_key(&id).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the last address it put in `X-Forwarded-For`.
pub(crate) fn client_address(parts: &Parts, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer)
}

/// The bearer secret of a request.
pub(crate) fn secret(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl FromRequestParts<Arc<ApiState>> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ApiState>,
    ) -> Result<Self, Self::Rejection> {
        let secret = secret(parts).ok_or_else(ApiError::unauthorized)?;
        let from = client_address(parts, &state.trusted_proxies);
        let token = state
            .tokens
            .find(&state.numbers, secret, from)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        state
            .pace
            .check(token.id)
            .map_err(ApiError::too_many_requests)?;
        Ok(Client(token))
    }
}
