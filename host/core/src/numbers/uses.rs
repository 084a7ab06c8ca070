//! Uses of numbers: take one under the limit, change it, release it or say
//! it is done, by the use's id; and the messages that reached it.

use std::{future::Future, time::Duration};

use crate::{
    audit::AuditAction,
    clock::unix_now,
    error::StoreError,
    inbox::{self, InboxError, InboxMessage},
    limit::{NumberLimit, NumberSlot},
    model::{Assignment, UseId},
    store::Finish,
    tokens::ApiToken,
};

use super::Numbers;

/// Who acts on uses: a Telegram user, holding one number, or an API token,
/// holding up to its `max_uses` through holders of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// A Telegram user.
    User {
        /// Telegram user id.
        id: i64,
        /// Admins are counted but never limited.
        admin: bool,
    },
    /// An API token.
    Token(ApiToken),
}

impl Account {
    /// Who the audit trail names and whose limit counts.
    pub fn actor(&self) -> i64 {
        match self {
            Account::User { id, .. } => *id,
            Account::Token(t) => t.account(),
        }
    }

    /// Whether `holder`'s uses are this account's.
    pub fn owns(&self, holder: i64) -> bool {
        match self {
            Account::User { id, .. } => holder == *id,
            Account::Token(t) => t.owns(holder),
        }
    }

    /// How the audit trail names whoever used a number.
    fn label(&self) -> String {
        match self {
            Account::User { .. } => String::new(),
            Account::Token(t) => format!("api token {}: ", t.name),
        }
    }
}

/// Why no number was taken.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    /// The account took `max` numbers within the window.
    #[error("{max} numbers taken within {}s: the next one in {}s", window.as_secs(), wait.as_secs())]
    Limited {
        /// Numbers allowed per window.
        max: usize,
        /// The window.
        window: Duration,
        /// How long until one more may be taken.
        wait: Duration,
    },
    /// The token may not take numbers of this category.
    #[error("this token may not take numbers of `{0}`")]
    Forbidden(String),
    /// The token holds as many numbers as it may.
    #[error("this token holds {0} numbers already, as many as it may: release one")]
    HoldingMax(u32),
    /// The pool refused (none free, already holding one, the use ended, a
    /// failure).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The queue of waiters could not be joined.
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
}

/// Why a use's messages cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum MessagesError {
    /// No such use of this account (or it ended with nothing received).
    #[error("no such use, or it ended")]
    NotFound,
    /// The pool could not be asked.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The inbox could not be read.
    #[error(transparent)]
    Inbox(#[from] InboxError),
}

/// One of an account's uses as its holder sees it: whether it lasts, and
/// what reached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseState {
    /// The use while it lasts; `None` once it ended.
    pub current: Option<Assignment>,
    /// Its messages, oldest first, and when its holder asked for another.
    pub received: inbox::Received,
}

/// A number as shown to its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberView {
    /// The formatter's display form (E.164 when it cannot format it).
    pub display: String,
    /// ISO country, `?` when unknown.
    pub country: String,
}

/// Formatted numbers, kept for a while: bounded, and forgotten whole
/// when full (a number is formatted again at its next take).
#[derive(Default)]
pub(crate) struct Views {
    kept: std::sync::Mutex<std::collections::HashMap<String, (NumberView, std::time::Instant)>>,
}

impl Views {
    const AT_MOST: usize = 100_000;
    const FRESH_FOR: Duration = Duration::from_secs(600);

    fn get(&self, number: &str) -> Option<NumberView> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(number)
            .filter(|(_, at)| at.elapsed() < Self::FRESH_FOR)
            .map(|(view, _)| view.clone())
    }

    fn put(&self, number: &str, view: NumberView) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= Self::AT_MOST {
            kept.clear();
        }
        kept.insert(number.to_string(), (view, std::time::Instant::now()));
    }
}

/// Counts a claim by outcome, with its duration. Categories are not
/// labels: a client naming made-up ones would grow the registry forever.
fn record_claim(claimed: &Result<Assignment, StoreError>, started: std::time::Instant) {
    let outcome = match claimed {
        Ok(_) => "taken",
        Err(StoreError::NoneAvailable(_)) => "none_available",
        Err(StoreError::AlreadyAssigned { .. }) => "already_holding",
        Err(_) => "failed",
    };
    metrics::counter!("numbot_claims_total", "outcome" => outcome).increment(1);
    metrics::histogram!("numbot_claim_seconds", "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
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

/// Tries of a token's take when another request of the same token took
/// the free holder first.
const HOLDER_RACES: usize = 8;

/// How long a waiter's ticket lives without renewal (a waiter renews it
/// at least every second).
const TICKET_LIVES: Duration = Duration::from_secs(5);

impl Numbers {
    /// A number of `category` for `account`: the limit is checked and
    /// counted, the pool claims (a token through one of its free holders),
    /// and a claim that fails gives the place back.
    pub async fn take(&self, account: &Account, category: &str) -> Result<Assignment, TakeError> {
        if let Account::Token(t) = account {
            if !t.allows(category) {
                return Err(TakeError::Forbidden(category.to_string()));
            }
        }
        let mut tries = 0;
        loop {
            let holder = self.free_holder(account).await?;
            let started = std::time::Instant::now();
            let slot = self.take_slot(account).await.inspect_err(|_| {
                metrics::counter!("numbot_claims_total", "outcome" => "limited").increment(1);
            })?;
            let claimed = self.store.claim(category, holder).await;
            record_claim(&claimed, started);
            match claimed {
                Ok(a) => {
                    self.audit_use(account, AuditAction::Take, &a).await;
                    return Ok(a);
                }
                Err(e) => {
                    self.give_back(account, slot).await;
                    let raced = matches!(e, StoreError::AlreadyAssigned { .. })
                        && matches!(account, Account::Token(_));
                    tries += 1;
                    if !raced || tries == HOLDER_RACES {
                        return Err(e.into());
                    }
                }
            }
        }
    }

    /// [`Numbers::take`], waiting up to `wait` (or until `cancelled`) when
    /// the category has no free number: waiters are served in the order
    /// they came, across processes, each as soon as a number goes back
    /// and it is first; a take that may wait joins the queue before it
    /// looks, so a client that gives a number back and asks again does not
    /// pass those already waiting. `NoneAvailable` when the wait ends
    /// first, and at once for a category the pool has no numbers of.
    pub async fn take_waiting(
        &self,
        account: &Account,
        category: &str,
        wait: Duration,
        cancelled: impl Future<Output = ()>,
    ) -> Result<Assignment, TakeError> {
        if wait.is_zero() {
            return self.take(account, category).await;
        }
        let queue = &self.records.queue;
        let deadline = tokio::time::Instant::now() + wait;
        let live = |now: i64| now + TICKET_LIVES.as_secs() as i64;
        let ticket = queue.join(category, live(unix_now())).await?;
        let mut released = self.released.subscribe();
        let mut known = false;
        tokio::pin!(cancelled);
        let taken = loop {
            let now = unix_now();
            let first = queue.first(category, ticket, now, live(now)).await;
            match first {
                Ok(true) => match self.take(account, category).await {
                    Err(TakeError::Store(StoreError::NoneAvailable(_))) if !known => {
                        // A category the pool has no numbers of will not
                        // get one back.
                        match self.store.categories().await {
                            Ok(all) if all.iter().any(|(name, _)| name == category) => known = true,
                            Ok(_) => {
                                break Err(StoreError::NoneAvailable(category.to_string()).into())
                            }
                            Err(e) => break Err(e.into()),
                        }
                    }
                    Err(TakeError::Store(StoreError::NoneAvailable(_))) => {}
                    taken => break taken,
                },
                Ok(false) => {}
                Err(e) => tracing::warn!("{e}"),
            }
            let look_again = (tokio::time::Instant::now() + queue.recheck()).min(deadline);
            tokio::select! {
                () = &mut cancelled => break Err(StoreError::NoneAvailable(category.to_string()).into()),
                _ = released.changed() => {}
                () = tokio::time::sleep_until(look_again) => {}
            }
            if tokio::time::Instant::now() >= deadline {
                break Err(StoreError::NoneAvailable(category.to_string()).into());
            }
        };
        if let Err(e) = queue.leave(category, ticket).await {
            tracing::warn!("{e}");
        }
        // The next waiter may be first now.
        self.released();
        taken
    }

    /// The holder a take uses: the user, or the token's first holder that
    /// holds nothing (one query for all of them).
    async fn free_holder(&self, account: &Account) -> Result<i64, TakeError> {
        match account {
            Account::User { id, .. } => Ok(*id),
            Account::Token(t) => {
                let held = self.store.held_by(t.holder_range()).await?;
                t.holders()
                    .find(|h| !held.iter().any(|a| a.user == *h))
                    .ok_or(TakeError::HoldingMax(t.max_uses))
            }
        }
    }

    /// Another number of the same category instead of use `id`, under the
    /// same limit; when none is free the holder keeps theirs.
    pub async fn change(&self, account: &Account, id: UseId) -> Result<Assignment, TakeError> {
        self.owned(account, id).await?;
        let slot = self.take_slot(account).await?;
        let changed = self.store.change(id).await;
        match changed {
            Ok(a) => {
                self.released();
                self.audit_use(account, AuditAction::Change, &a).await;
                Ok(a)
            }
            Err(e) => {
                self.give_back(account, slot).await;
                Err(e.into())
            }
        }
    }

    /// Gives the number of use `id` back: what it was.
    pub async fn release(&self, account: &Account, id: UseId) -> Result<Assignment, StoreError> {
        self.finish(account, id, Finish::Cancel, AuditAction::Release)
            .await
    }

    /// Ends use `id` as done (it counts as used, under the reuse rule):
    /// what it was.
    pub async fn done(&self, account: &Account, id: UseId) -> Result<Assignment, StoreError> {
        self.finish(account, id, Finish::Done, AuditAction::Done)
            .await
    }

    async fn finish(
        &self,
        account: &Account,
        id: UseId,
        how: Finish,
        action: AuditAction,
    ) -> Result<Assignment, StoreError> {
        self.owned(account, id).await?;
        let ended = self
            .store
            .end(id, how)
            .await?
            .ok_or(StoreError::NotCurrent(id))?;
        self.released();
        self.audit_use(account, action, &ended).await;
        Ok(ended)
    }

    /// Use `id`, if it is current and `account`'s.
    async fn owned(&self, account: &Account, id: UseId) -> Result<Assignment, StoreError> {
        match self.store.current(id).await? {
            Some(a) if account.owns(a.user) => Ok(a),
            _ => Err(StoreError::NotCurrent(id)),
        }
    }

    /// The number `user` holds now, if any.
    pub async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        self.store.holding(user).await
    }

    /// Use `id` while it lasts, if it is `account`'s.
    pub async fn current(
        &self,
        account: &Account,
        id: UseId,
    ) -> Result<Option<Assignment>, StoreError> {
        match self.owned(account, id).await {
            Ok(a) => Ok(Some(a)),
            Err(StoreError::NotCurrent(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every use of `account` now, by holder.
    pub async fn uses(&self, account: &Account) -> Result<Vec<Assignment>, StoreError> {
        match account {
            Account::User { id, .. } => Ok(self.store.holding(*id).await?.into_iter().collect()),
            Account::Token(t) => self.store.held_by(t.holder_range()).await,
        }
    }

    /// How the formatter writes `number` (E.164), and its country. Kept
    /// for a few minutes: every take shows its number, and a number's
    /// form does not change between two takes.
    pub async fn view(&self, number: &str) -> NumberView {
        if let Some(view) = self.views.get(number) {
            return view;
        }
        let formatted = self
            .plugins
            .format(vec![number.to_string()], None)
            .await
            .inspect_err(|e| tracing::warn!("formatter: {e}"))
            .ok()
            .and_then(|mut v| v.pop())
            .and_then(Result::ok);
        match formatted {
            Some(f) => {
                let view = NumberView {
                    display: f.display,
                    country: f.country,
                };
                self.views.put(number, view.clone());
                view
            }
            None => NumberView {
                display: number.to_string(),
                country: "?".into(),
            },
        }
    }

    /// Keeps a message that reached use `id` of `holder` for its client.
    pub async fn deliver(
        &self,
        id: UseId,
        holder: i64,
        message: InboxMessage,
    ) -> Result<u64, InboxError> {
        self.inbox.put(id, holder, message).await
    }

    /// The messages of `account`'s use `id` after `after`, waiting up to
    /// `wait` for one (or until `cancelled`): also after the use ended,
    /// while the inbox keeps them.
    pub async fn messages(
        &self,
        account: &Account,
        id: UseId,
        after: u64,
        wait: Duration,
        cancelled: impl Future<Output = ()>,
    ) -> Result<Vec<InboxMessage>, MessagesError> {
        let received = self.inbox.after(id, 0).await?;
        match received {
            Some(r) if account.owns(r.holder) => {}
            Some(_) => return Err(MessagesError::NotFound),
            None => {
                self.current(account, id)
                    .await?
                    .ok_or(MessagesError::NotFound)?;
            }
        }
        Ok(inbox::wait_for(&*self.inbox, id, after, wait, cancelled).await?)
    }

    /// Keeps use `a`, just taken by `account`, readable by it before any
    /// message and after it ends ([`Numbers::use_state`]), as clients that
    /// poll a use's status expect.
    pub async fn keep_messages(&self, account: &Account, a: &Assignment) -> Result<(), InboxError> {
        if !account.owns(a.user) {
            return Ok(());
        }
        self.inbox.open(a.id, a.user).await
    }

    /// `account`'s use `id`: whether it lasts and its messages, also after
    /// it ended while the inbox keeps it.
    pub async fn use_state(&self, account: &Account, id: UseId) -> Result<UseState, MessagesError> {
        let received = self.inbox.after(id, 0).await?;
        let current = self.current(account, id).await?;
        match (received, current) {
            (Some(received), current) if account.owns(received.holder) => {
                Ok(UseState { current, received })
            }
            (Some(_), _) => Err(MessagesError::NotFound),
            (None, Some(a)) => Ok(UseState {
                received: inbox::Received {
                    holder: a.user,
                    ..inbox::Received::default()
                },
                current: Some(a),
            }),
            (None, None) => Err(MessagesError::NotFound),
        }
    }

    /// The holder of `account`'s use `id` asks for another message: those
    /// received so far are the earlier ones ([`inbox::Received::asked_again`]).
    pub async fn ask_again(&self, account: &Account, id: UseId) -> Result<(), MessagesError> {
        self.current(account, id)
            .await?
            .ok_or(MessagesError::NotFound)?;
        Ok(self.inbox.ask_again(id).await?)
    }

    /// How many uses `account` may start now: its free holders, capped by
    /// what its limit's window still allows (admins: by holders only).
    pub async fn headroom(&self, account: &Account) -> Result<u32, TakeError> {
        let free = match account {
            Account::User { id, .. } => u32::from(self.store.holding(*id).await?.is_none()),
            Account::Token(t) => {
                let held = self.store.held_by(t.holder_range()).await?.len();
                t.max_uses
                    .clamp(1, crate::tokens::MAX_USES)
                    .saturating_sub(held as u32)
            }
        };
        if matches!(account, Account::User { admin: true, .. }) {
            return Ok(free);
        }
        let limit = self.limit_of(account);
        let now = unix_now();
        let counted = match self.records.users.get(account.actor()).await {
            Ok(record) => record.map_or(0, |r| {
                r.recent_numbers
                    .iter()
                    .filter(|&&t| limit.counts(t, now))
                    .count()
            }),
            Err(e) => {
                tracing::error!("user store: {e}");
                0
            }
        };
        let window = limit.max.saturating_sub(counted);
        Ok(free.min(u32::try_from(window).unwrap_or(u32::MAX)))
    }

    async fn audit_use(&self, account: &Account, action: AuditAction, a: &Assignment) {
        let detail = format!(
            "{}{} ({}) use {}",
            account.label(),
            a.number,
            a.category,
            a.id
        );
        self.auditor.record(account.actor(), action, &detail).await;
    }

    /// The limit `account` takes numbers under.
    fn limit_of(&self, account: &Account) -> NumberLimit {
        match account {
            Account::User { .. } => self.limit,
            Account::Token(t) => match t.numbers_per_window.or(self.token_limit) {
                Some(max) => NumberLimit {
                    max: max.max(1) as usize,
                    window: self.limit.window,
                },
                None => self.limit,
            },
        }
    }

    async fn take_slot(&self, account: &Account) -> Result<Slot, TakeError> {
        let now = unix_now();
        let limit = self.limit_of(account);
        let exempt = matches!(account, Account::User { admin: true, .. });
        match self
            .records
            .users
            .take_number(account.actor(), now, &limit, exempt)
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
    async fn give_back(&self, account: &Account, slot: Slot) {
        if let Slot::Taken(at) = slot {
            if let Err(e) = self
                .records
                .users
                .give_back_number(account.actor(), at)
                .await
            {
                tracing::error!("user store: {e}");
            }
        }
    }
}
