//! The use cases every front end shares (the Telegram bot, the command
//! line, the HTTP API): take a number under the per-user limit, change it,
//! release it, upload a file, show a number as the formatter writes it.

use std::time::Duration;

use crate::{
    clock::unix_now,
    error::StoreError,
    limit::{NumberLimit, NumberSlot},
    model::Assignment,
    plugins::SharedPlugins,
    store::Store,
    upload::{Upload, UploadReport},
    users::SharedUsers,
};

/// Who asks for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taker {
    /// Who will hold it (a Telegram user, or one of an API token's holders).
    pub holder: i64,
    /// Whose limit it counts against (the same user, or the token's account).
    pub account: i64,
    /// Admins are counted but never limited.
    pub exempt: bool,
    /// A limit of the account's own (an API token's); `None`: the configured one.
    pub limit: Option<NumberLimit>,
}

impl Taker {
    /// A user who holds their own number under the configured limit.
    pub fn user(id: i64, exempt: bool) -> Taker {
        Taker {
            holder: id,
            account: id,
            exempt,
            limit: None,
        }
    }
}

/// Why no number was taken.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    /// The user took `max` numbers within the window.
    #[error("{max} numbers taken within {}s: the next one in {}s", window.as_secs(), wait.as_secs())]
    Limited {
        /// Numbers allowed per window.
        max: usize,
        /// The window.
        window: Duration,
        /// How long until one more may be taken.
        wait: Duration,
    },
    /// The pool refused (none free, already holding one, a failure).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A number as shown to its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberView {
    /// The formatter's display form (E.164 when it cannot format it).
    pub display: String,
    /// ISO country, `?` when unknown.
    pub country: String,
}

/// Counts a claim by category and outcome, with its duration.
fn record_claim(
    category: &str,
    claimed: &Result<Assignment, StoreError>,
    started: std::time::Instant,
) {
    let outcome = match claimed {
        Ok(_) => "taken",
        Err(StoreError::NoneAvailable(_)) => "none_available",
        Err(StoreError::AlreadyAssigned { .. }) => "already_holding",
        Err(_) => "failed",
    };
    let category = category.to_string();
    metrics::counter!("numbot_claims_total", "category" => category.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("numbot_claim_seconds", "category" => category, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
}

/// The pool, the user records and the plugins, with the rules that join them.
pub struct Numbers {
    store: Store,
    users: SharedUsers,
    plugins: SharedPlugins,
    limit: NumberLimit,
}

/// A place counted under the limit before the pool is asked, so that the
/// check and the count are one step on every replica.
enum Slot {
    /// Counted at this time: given back unless a number comes of it.
    Taken(i64),
    /// The user store failed: the limit is not applied (logged), as a broken
    /// counter should not stop the pool.
    Unchecked,
}

impl Numbers {
    /// The use cases over these parts, with `limit` per user.
    pub fn new(
        store: Store,
        users: SharedUsers,
        plugins: SharedPlugins,
        limit: NumberLimit,
    ) -> Numbers {
        Numbers {
            store,
            users,
            plugins,
            limit,
        }
    }

    /// The pool.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The user records and the audit trail.
    pub fn users(&self) -> &SharedUsers {
        &self.users
    }

    /// The plugins.
    pub fn plugins(&self) -> &SharedPlugins {
        &self.plugins
    }

    /// The per-user limit.
    pub fn limit(&self) -> NumberLimit {
        self.limit
    }

    /// A number of `category` for `who`: the limit is checked and counted,
    /// the pool claims, and a claim that fails gives the place back.
    pub async fn take(&self, who: Taker, category: &str) -> Result<Assignment, TakeError> {
        let started = std::time::Instant::now();
        let slot = self.take_slot(who).await.inspect_err(|_| {
            metrics::counter!("numbot_claims_total", "category" => category.to_string(), "outcome" => "limited")
                .increment(1);
        })?;
        let claimed = self.store.claim(category, who.holder).await;
        record_claim(category, &claimed, started);
        if claimed.is_err() {
            self.give_back(who, slot).await;
        }
        Ok(claimed?)
    }

    /// Another number of the same category for `who`, under the same limit;
    /// when none is free they keep theirs.
    pub async fn change(&self, who: Taker) -> Result<Assignment, TakeError> {
        let slot = self.take_slot(who).await?;
        let changed = self.store.change(who.holder).await;
        if changed.is_err() {
            self.give_back(who, slot).await;
        }
        Ok(changed?)
    }

    /// Gives the user's number back: what they held.
    pub async fn release(&self, user: i64) -> Result<Assignment, StoreError> {
        let held = self
            .store
            .holding(user)
            .await?
            .ok_or(StoreError::NotAssigned(user))?;
        self.store.cancel(user).await?;
        Ok(held)
    }

    /// Ends the user's use as done (it counts as used, under the reuse
    /// rule): what they held.
    pub async fn done(&self, user: i64) -> Result<Assignment, StoreError> {
        let held = self
            .store
            .holding(user)
            .await?
            .ok_or(StoreError::NotAssigned(user))?;
        if !self
            .store
            .complete_use(user, &held.number, held.since)
            .await?
        {
            return Err(StoreError::NotAssigned(user));
        }
        Ok(held)
    }

    /// Imports an upload: validator, formatter, deduplication, the pool.
    pub async fn upload(&self, upload: Upload) -> Result<UploadReport, StoreError> {
        crate::upload::import(&*self.plugins, &*self.store, upload).await
    }

    /// How the formatter writes `number` (E.164), and its country.
    pub async fn view(&self, number: &str) -> NumberView {
        let formatted = self
            .plugins
            .format(vec![number.to_string()], None)
            .await
            .inspect_err(|e| tracing::warn!("formatter: {e}"))
            .ok()
            .and_then(|mut v| v.pop())
            .and_then(Result::ok);
        match formatted {
            Some(f) => NumberView {
                display: f.display,
                country: f.country,
            },
            None => NumberView {
                display: number.to_string(),
                country: "?".into(),
            },
        }
    }

    async fn take_slot(&self, who: Taker) -> Result<Slot, TakeError> {
        let now = unix_now();
        let limit = who.limit.unwrap_or(self.limit);
        match self
            .users
            .take_number(who.account, now, &limit, who.exempt)
            .await
        {
            Ok(NumberSlot::Granted) => Ok(Slot::Taken(now)),
            Ok(NumberSlot::Full(times)) => {
                // No times: the record could not be read after the refusal,
                // so the whole window is the honest bound.
                let wait = limit
                    .wait(&times, now)
                    .err()
                    .unwrap_or(if times.is_empty() {
                        limit.window
                    } else {
                        Duration::from_secs(1)
                    });
                Err(TakeError::Limited {
                    max: limit.max,
                    window: limit.window,
                    wait,
                })
            }
            Err(e) => {
                tracing::error!("user store: {e}");
                Ok(Slot::Unchecked)
            }
        }
    }

    /// Gives back a place no number came of. A claim that failed on a
    /// timeout after the pool did take it leaves that number uncounted; a
    /// give-back that fails leaves the place taken for one window: both err
    /// towards the user and are logged.
    async fn give_back(&self, who: Taker, slot: Slot) {
        if let Slot::Taken(at) = slot {
            if let Err(e) = self.users.give_back_number(who.account, at).await {
                tracing::error!("user store: {e}");
            }
        }
    }
}
