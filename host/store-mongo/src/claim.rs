//! Claims and changes: the policy picks a file and where to start, then a
//! compare-and-set takes one of a few free numbers read near there. A
//! claim is two round trips (the read and the compare-and-set); the lease
//! sweep, the counts and the usage counters are once a second per process.

use mongodb::bson::{doc, Document};
use numbot_core::{plugins::Candidate, Assignment, Ended, StoreError, UseId};

use crate::{
    counts::FileCount,
    docs::{all, db, is_duplicate, NumberDoc, State},
    store::{assignment, FileKey},
    MongoStore,
};

/// Candidates read per window of the claim search.
const WINDOW_READ: i64 = 8;
/// How long a "change number" reservation lives if its process dies.
const RESERVATION_SECS: u32 = 60;

/// What a compare-and-set over a file found.
enum Taken {
    /// This number is now ours (as it was read, before the update).
    Number(NumberDoc),
    /// A unique index refused: the user holds a number already.
    UserHolds,
}

impl MongoStore {
    /// Assigns a free number of `category` to `user` under a lease.
    pub(crate) async fn claim_number(
        &self,
        category: &str,
        user: i64,
    ) -> Result<Assignment, StoreError> {
        self.sweep(false).await?;
        // A second try when the user's own hold had run out unswept.
        for _ in 0..2 {
            let id = self.next_use_id().await?;
            let now = self.inner.clock.now();
            let until = now.saturating_add(self.inner.lease_secs);
            match self
                .take(category, user, Self::hold(id, user, now, until))
                .await?
            {
                Some((Taken::Number(d), key)) => {
                    self.count_use(d.file_id(), now);
                    let times = (i64::from(now), i64::from(until));
                    return Ok(assignment(&d, &key, id, user, times));
                }
                Some((Taken::UserHolds, _)) => {
                    if let Some(d) = self.held_by(user).await? {
                        return Err(StoreError::AlreadyAssigned {
                            user,
                            number: d.e164(),
                        });
                    }
                }
                None => {
                    // One number at a time comes first, as in every pool.
                    return Err(match self.held_by(user).await? {
                        Some(d) => StoreError::AlreadyAssigned {
                            user,
                            number: d.e164(),
                        },
                        None => StoreError::NoneAvailable(category.to_string()),
                    });
                }
            }
        }
        Err(self.already(user).await)
    }

    /// "Change number": reserves another number of the same category while
    /// use `id` still holds its number (so it cannot come back, and the
    /// holder keeps theirs when nothing else is free), ends the old use,
    /// then turns the reservation into the hold of a new use.
    pub(crate) async fn change_number(&self, id: UseId) -> Result<Assignment, StoreError> {
        self.sweep(false).await?;
        let old = self.held_in(id).await?.ok_or(StoreError::NotCurrent(id))?;
        let user = old.user.unwrap_or_default();
        let key = self.key(old.file_id()).await?;
        let new_id = self.next_use_id().await?;
        let now = self.inner.clock.now();
        let reserve = doc! { "$set": {
            "state": State::Reserved, "user": user,
            "until": i64::from(now.saturating_add(RESERVATION_SECS)),
        } };
        let (new, new_key) = match self.take(&key.category, user, reserve).await? {
            Some((Taken::Number(d), new_key)) => (d, new_key),
            Some((Taken::UserHolds, _)) => return Err(self.already(user).await),
            _ => return Err(StoreError::NoneAvailable(key.category.clone())),
        };
        if !self.end_use(&old, Ended::Changed).await? {
            // The old use ended meanwhile (cancelled, completed or expired
            // elsewhere): there is nothing to change.
            self.unreserve(&new, user).await;
            return Err(StoreError::NotCurrent(id));
        }
        let until = now.saturating_add(self.inner.lease_secs);
        let promoted = self
            .inner
            .numbers
            .update_one(
                doc! { "_id": new.id, "state": State::Reserved, "user": user },
                Self::hold(new_id, user, now, until),
            )
            .await;
        let held = || {
            let times = (i64::from(now), i64::from(until));
            assignment(&new, &new_key, new_id, user, times)
        };
        match promoted {
            Ok(r) if r.modified_count == 1 => {
                self.count_use(new.file_id(), now);
                Ok(held())
            }
            Err(e) if !is_duplicate(&e) => {
                // The write may have applied and only its answer got lost.
                match self.held_by(user).await {
                    Ok(Some(d)) if d.id == new.id => {
                        self.count_use(new.file_id(), now);
                        Ok(held())
                    }
                    _ => {
                        self.unreserve(&new, user).await;
                        Err(db("taking the new number")(e))
                    }
                }
            }
            _ => {
                // Raced by another claim of the same user: give the reservation back.
                self.unreserve(&new, user).await;
                Err(self.already(user).await)
            }
        }
    }

    /// Gives back a reservation a change could not use.
    async fn unreserve(&self, d: &NumberDoc, user: i64) {
        let undone = self
            .inner
            .numbers
            .update_one(
                doc! { "_id": d.id, "state": State::Reserved, "user": user },
                doc! { "$set": { "state": State::Free }, "$unset": { "user": "", "until": "" } },
            )
            .await;
        if matches!(undone, Ok(ref r) if r.modified_count == 1) {
            self.adjust_count(d.file_id(), 1);
            let _ = self.leave_if_deleted(d).await;
        }
    }

    /// Takes a free number of `category` for `user` with `set` (a hold or a
    /// reservation); `None` when the category has none.
    async fn take(
        &self,
        category: &str,
        user: i64,
        set: Document,
    ) -> Result<Option<(Taken, FileKey)>, StoreError> {
        let mut files: Vec<FileCount> = self
            .counts()
            .await?
            .into_iter()
            .filter(|f| f.key.category == category && f.available > 0)
            .collect();
        while !files.is_empty() {
            let candidates = files
                .iter()
                .map(|f| Candidate {
                    id: u64::from(f.id),
                    name: f.key.name.clone(),
                    total: f.total,
                    available: f.available,
                    used: f.used,
                    created_at: f.key.created,
                    last_used: f.last_used,
                })
                .collect();
            let pick = self.inner.policy.pick(category, user, candidates).await?;
            let Some(chosen) = files.iter().find(|f| u64::from(f.id) == pick.file).cloned() else {
                return Err(StoreError::Inconsistent(
                    "the policy picked a file that was not a candidate".into(),
                ));
            };
            match self.take_from(&chosen, pick.slot, &set).await? {
                None => {
                    // Empty by now (other processes took the rest): not a candidate.
                    self.adjust_count(chosen.id, -(chosen.available as i64));
                    files.retain(|f| f.id != chosen.id);
                }
                Some(taken) => {
                    if matches!(taken, Taken::Number(_)) {
                        self.adjust_count(chosen.id, -1);
                    }
                    return Ok(Some((taken, chosen.key)));
                }
            }
        }
        Ok(None)
    }

    /// Compare-and-set over windows of `r` that start where `slot` points
    /// and widen until the whole file was read; `None` when it has no free
    /// number left.
    async fn take_from(
        &self,
        file: &FileCount,
        slot: u64,
        set: &Document,
    ) -> Result<Option<Taken>, StoreError> {
        const SPAN: i64 = 1 << 32;
        let available = file.available.max(1) as i64;
        let start = ((slot as i64).min(available - 1) * (SPAN / available)).rem_euclid(SPAN);
        let mut width = (SPAN / available).saturating_mul(16).max(1 << 12);
        let mut lost_races = 0;
        loop {
            let whole = width >= SPAN;
            let ranges = if whole {
                vec![(0, SPAN)]
            } else if start + width <= SPAN {
                vec![(start, start + width)]
            } else {
                vec![(start, SPAN), (0, start + width - SPAN)]
            };
            let mut seen_any = false;
            for (lo, hi) in ranges {
                let found = all(
                    "reading free numbers",
                    self.numbers()
                        .find(doc! {
                            "file": i64::from(file.id), "state": State::Free,
                            "r": { "$gte": lo, "$lt": hi },
                        })
                        .limit(WINDOW_READ),
                )
                .await?;
                for d in found {
                    seen_any = true;
                    let won = self
                        .inner
                        .numbers
                        .update_one(doc! { "_id": d.id, "state": State::Free }, set.clone())
                        .await;
                    match won {
                        Ok(r) if r.modified_count == 1 => return Ok(Some(Taken::Number(d))),
                        Ok(_) => {}
                        Err(e) if is_duplicate(&e) => return Ok(Some(Taken::UserHolds)),
                        Err(e) => return Err(db("taking a number")(e)),
                    }
                }
            }
            if seen_any {
                // Every candidate read went to someone else first: read again.
                lost_races += 1;
                if lost_races < 64 {
                    continue;
                }
            }
            if whole {
                return Ok(None);
            }
            width = width.saturating_mul(8);
        }
    }
}
