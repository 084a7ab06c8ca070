//! `/broadcast`: a message to every active user. An admin previews it and
//! sends it off from any replica; one process at a time sends it (a lease
//! in the store, renewed while it sends), recording its progress after
//! every message, so that Stop works from any replica and a sender that
//! dies is taken over where it stopped. Delivery is at least once: a
//! recipient gets it twice only when the sender died between sending to
//! them and recording it (one recipient per crash).

use std::{sync::Arc, time::Duration};

use crate::{
    audit::AuditAction,
    clock::unix_now,
    jobs::{Broadcast, Progress},
    tokens,
    users::{UserStatus, UserStoreError},
};

use super::Numbers;

/// How a message to one recipient went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The front end accepted it.
    Delivered,
    /// The recipient blocked the bot (or is gone).
    Blocked,
    /// It failed otherwise.
    Failed,
}

/// How a broadcast ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// Every recipient was handled.
    Finished,
    /// An admin stopped it.
    Stopped,
}

/// What sends a broadcast's messages and shows its progress (the
/// Telegram front end).
#[async_trait::async_trait]
pub trait Courier: Send + Sync {
    /// Sends the broadcast's text to `user`.
    async fn deliver(&self, broadcast: &Broadcast, user: i64) -> Delivery;
    /// Shows how far it got, or (with `over`) how it ended.
    async fn show(&self, broadcast: &Broadcast, over: Option<Over>);
}

/// How long a sender's lease lasts without renewal.
const LEASE_SECS: i64 = 20;
/// How often a sender renews it.
const RENEW_EVERY: Duration = Duration::from_secs(5);
/// How often an idle process looks for a broadcast nobody sends.
const LOOK_EVERY: Duration = Duration::from_secs(2);
/// Recipients read at once.
const RECIPIENTS_READ: usize = 500;
/// Messages between two progress updates (and at most this long).
const SHOW_EVERY: u64 = 25;
const SHOW_AT_LEAST: Duration = Duration::from_secs(3);

impl Numbers {
    /// A broadcast of `text` from `admin` to every active user, kept in
    /// preview; `None` while another one is being sent.
    pub async fn preview_broadcast(
        &self,
        admin: i64,
        text: &str,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        // Telegram users: API tokens' accounts are records too, not chats.
        let recipients: Vec<i64> = self
            .records
            .users
            .with_status(UserStatus::Active)
            .await?
            .into_iter()
            .map(|u| u.id)
            .filter(|&id| tokens::token_of(id).is_none())
            .collect();
        self.records
            .jobs
            .create_broadcast(admin, text, &recipients)
            .await
    }

    /// Notes the message that shows broadcast `id` (its preview, then its
    /// progress).
    pub async fn show_broadcast_in(&self, id: u64, message: i32) -> Result<(), UserStoreError> {
        self.records.jobs.set_broadcast_message(id, message).await
    }

    /// The broadcast previewed or being sent, if any.
    pub async fn broadcast(&self) -> Result<Option<Broadcast>, UserStoreError> {
        self.records.jobs.broadcast().await
    }

    /// `admin` sends previewed broadcast `id` off (audited): `None` when it
    /// is not the one previewed.
    pub async fn send_broadcast(
        &self,
        admin: i64,
        id: u64,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        let started = self.records.jobs.start_broadcast(id).await?;
        if let Some(b) = &started {
            let detail = format!("to {} users: {}", b.total, b.text);
            self.auditor
                .record(admin, AuditAction::Broadcast, &detail)
                .await;
            self.wake_sender.notify_one();
        }
        Ok(started)
    }

    /// Drops previewed broadcast `id`: false when it is not the one previewed.
    pub async fn drop_broadcast(&self, id: u64) -> Result<bool, UserStoreError> {
        self.records.jobs.drop_broadcast(id).await
    }

    /// Asks the sender of broadcast `id`, on whichever replica, to stop
    /// after the message in flight: false when it is not being sent.
    pub async fn stop_broadcast(&self, id: u64) -> Result<bool, UserStoreError> {
        self.records.jobs.stop_broadcast(id).await
    }

    /// Sends the broadcasts of every replica when this process holds the
    /// lease, through `courier`; runs until the task is dropped. Every
    /// process runs it; one at a time sends.
    pub async fn send_broadcasts(self: Arc<Self>, courier: Arc<dyn Courier>) {
        let owner = format!(
            "{}-{:016x}",
            std::process::id(),
            crate::clock::process_seed()
        );
        loop {
            tokio::select! {
                () = self.wake_sender.notified() => {}
                () = tokio::time::sleep(LOOK_EVERY) => {}
            }
            let now = unix_now();
            match self
                .records
                .jobs
                .lease_broadcast(&owner, now, now + LEASE_SECS)
                .await
            {
                Ok(Some(b)) => self.send_one(b, &owner, &*courier).await,
                Ok(None) => {}
                Err(e) => tracing::warn!("broadcasts: {e}"),
            }
        }
    }

    /// Sends `b` while `owner` holds it.
    async fn send_one(&self, mut b: Broadcast, owner: &str, courier: &dyn Courier) {
        let jobs = self.records.jobs.clone();
        let (lost_tx, mut lost) = tokio::sync::watch::channel(false);
        let renewing = {
            let (jobs, owner) = (jobs.clone(), owner.to_string());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(RENEW_EVERY).await;
                    let now = unix_now();
                    match jobs.lease_broadcast(&owner, now, now + LEASE_SECS).await {
                        Ok(Some(_)) => {}
                        Ok(None) => {
                            let _ = lost_tx.send(true);
                            return;
                        }
                        Err(e) => tracing::warn!("broadcast lease: {e}"),
                    }
                }
            })
        };
        let _renewing = AbortOnDrop(renewing);
        tracing::info!(id = b.id, from = b.progress.next, "sending a broadcast");
        courier.show(&b, None).await;
        let mut shown = (b.progress.next, tokio::time::Instant::now());
        while b.progress.next < b.total && !b.stop {
            let batch = match jobs
                .broadcast_recipients(b.id, b.progress.next, RECIPIENTS_READ)
                .await
            {
                Ok(batch) if !batch.is_empty() => batch,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!("broadcast recipients: {e}; trying again later");
                    return;
                }
            };
            for user in batch {
                if *lost.borrow_and_update() {
                    tracing::warn!(id = b.id, "another process took the broadcast over");
                    return;
                }
                let mut progress = b.progress;
                match courier.deliver(&b, user).await {
                    Delivery::Delivered => progress.delivered += 1,
                    Delivery::Blocked => progress.blocked += 1,
                    Delivery::Failed => progress.failed += 1,
                }
                progress.next += 1;
                b = match advance(&*jobs, b.id, owner, progress).await {
                    Some(now) => now,
                    None => return,
                };
                if b.stop {
                    break;
                }
                if b.progress.next - shown.0 >= SHOW_EVERY || shown.1.elapsed() >= SHOW_AT_LEAST {
                    courier.show(&b, None).await;
                    shown = (b.progress.next, tokio::time::Instant::now());
                }
            }
        }
        match jobs.finish_broadcast(b.id, owner).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!("broadcast: {e}; its end is recorded later");
                return;
            }
        }
        let over = if b.progress.next < b.total {
            Over::Stopped
        } else {
            Over::Finished
        };
        let p = b.progress;
        let detail = format!(
            "{} {} of {}: {} delivered, {} blocked the bot, {} failed",
            if over == Over::Stopped {
                "stopped after"
            } else {
                "finished:"
            },
            p.next,
            b.total,
            p.delivered,
            p.blocked,
            p.failed
        );
        self.auditor
            .record(b.admin, AuditAction::BroadcastEnd, &detail)
            .await;
        courier.show(&b, Some(over)).await;
    }
}

/// Records progress, trying a store that fails a few times: the broadcast
/// as stored, or `None` when this process should stop sending (the lease
/// is lost, or the store keeps failing: the next lease resumes it).
async fn advance(
    jobs: &dyn crate::jobs::Jobs,
    id: u64,
    owner: &str,
    progress: Progress,
) -> Option<Broadcast> {
    for attempt in 1..=3 {
        match jobs.advance_broadcast(id, owner, progress).await {
            Ok(b) => return b,
            Err(e) => {
                tracing::warn!(attempt, "broadcast progress: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    None
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
