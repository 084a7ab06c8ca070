//! Who may use the bot: records as users first write, admins' decisions
//! (approve, reject, ban, unban) with what they imply, and each user's
//! language.

use crate::{
    audit::AuditAction,
    error::StoreError,
    model::Assignment,
    store::Finish,
    users::{UserRecord, UserStatus, UserStoreError},
};

use super::Numbers;

/// What an admin's decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The user's record now.
    pub record: UserRecord,
    /// The number a ban took back, if they held one.
    pub released: Option<Assignment>,
}

/// Why a decision was not applied.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// Admins (from the configuration) cannot be banned or rejected.
    #[error("user {0} is an admin")]
    Admin(i64),
    /// Approving and rejecting are for users waiting; where the user
    /// stands instead (`None`: never asked).
    #[error("user {0} is not waiting for access")]
    NotWaiting(i64, Option<UserStatus>),
    /// The records could not be read or written.
    #[error(transparent)]
    Records(#[from] UserStoreError),
}

/// An admin's decision about a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let a waiting user in.
    Approve,
    /// Refuse a waiting user (they are banned, without a reason).
    Reject,
    /// Ban a user (their number goes back).
    Ban,
    /// Lift a ban.
    Unban,
}

impl Decision {
    fn status(self) -> UserStatus {
        match self {
            Decision::Approve | Decision::Unban => UserStatus::Active,
            Decision::Reject | Decision::Ban => UserStatus::Banned,
        }
    }

    fn action(self) -> AuditAction {
        match self {
            Decision::Approve => AuditAction::Approve,
            Decision::Reject => AuditAction::Reject,
            Decision::Ban => AuditAction::Ban,
            Decision::Unban => AuditAction::Unban,
        }
    }
}

impl Numbers {
    /// The record of `id`, created with `status` when they first write;
    /// their name and app language refreshed. True when it was created.
    pub async fn seen(
        &self,
        id: i64,
        name: &str,
        telegram_language: Option<&str>,
        status: UserStatus,
    ) -> Result<(UserRecord, bool), UserStoreError> {
        self.records
            .users
            .seen(id, name, telegram_language, status)
            .await
    }

    /// The record of `id`, if known.
    pub async fn user(&self, id: i64) -> Result<Option<UserRecord>, UserStoreError> {
        self.records.users.get(id).await
    }

    /// Users with `status`, by id.
    pub async fn users_with(&self, status: UserStatus) -> Result<Vec<UserRecord>, UserStoreError> {
        self.records.users.with_status(status).await
    }

    /// Sets (or clears) the language `id` chose.
    pub async fn set_language(
        &self,
        id: i64,
        language: Option<&str>,
    ) -> Result<(), UserStoreError> {
        self.records.users.set_language(id, language).await
    }

    /// Whether `id` is an admin (from the configuration).
    pub fn is_admin(&self, id: i64) -> bool {
        self.admins.contains(&id)
    }

    /// `admin` decides about `target`: the status is set, a ban takes the
    /// target's number back, and the decision is audited. Admins cannot be
    /// banned; approving and rejecting are for users waiting.
    pub async fn decide(
        &self,
        admin: i64,
        target: i64,
        decision: Decision,
        reason: Option<String>,
    ) -> Result<Decided, DecideError> {
        if decision.status() == UserStatus::Banned && self.is_admin(target) {
            return Err(DecideError::Admin(target));
        }
        if matches!(decision, Decision::Approve | Decision::Reject) {
            let status = self.records.users.get(target).await?.map(|r| r.status);
            if status != Some(UserStatus::Pending) {
                return Err(DecideError::NotWaiting(target, status));
            }
        }
        let record = self
            .records
            .users
            .set_status(target, decision.status(), admin, reason.clone())
            .await?;
        let released = if decision.status() == UserStatus::Banned {
            self.take_back(target).await
        } else {
            None
        };
        let mut detail = format!("user {target}");
        if let Some(r) = &reason {
            detail.push_str(&format!(": {r}"));
        }
        if let Some(a) = &released {
            detail.push_str(&format!("; {} released (use {})", a.number, a.id));
        }
        self.auditor.record(admin, decision.action(), &detail).await;
        Ok(Decided { record, released })
    }

    /// Ends a banned user's use: what went back, if anything did.
    async fn take_back(&self, target: i64) -> Option<Assignment> {
        let held = match self.store.holding(target).await {
            Ok(held) => held?,
            Err(e) => {
                tracing::error!(target, "store: {e}; a banned user's number stays held");
                return None;
            }
        };
        match self.store.end(held.id, Finish::Cancel).await {
            Ok(ended) => {
                self.released();
                ended
            }
            Err(StoreError::NotCurrent(_)) => None,
            Err(e) => {
                tracing::error!(target, "store: {e}; a banned user's number stays held");
                None
            }
        }
    }
}
