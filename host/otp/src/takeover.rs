//! Taking over as the leading monitor, and keeping the coordination's
//! record of the watches current: a new leader starts from the records, so
//! that it ends (and announces) the uses that ended while nobody led.

use std::collections::HashMap;

use futures::StreamExt;
use numbot_core::{CoordinationError, StoreError, UseId, WatchRecord};

use crate::{
    monitor::{Watching, RELAYS_AT_ONCE},
    providers::Watch,
    OtpMonitor,
};

/// Why a takeover has to wait for the next try.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TakeoverError {
    /// The recorded watches could not be read.
    #[error(transparent)]
    Coordination(#[from] CoordinationError),
    /// The pool's assignments could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OtpMonitor {
    /// Starts leading from the watches the earlier leaders recorded (and
    /// this process's own not yet recorded), so that the first poll ends
    /// those whose use ended while nobody led. Of two for one user, the one
    /// of the current use stays (else the latest); the other is a record
    /// whose removal was lost, removed without a word.
    pub(crate) async fn take_over(&self) -> Result<(), TakeoverError> {
        let mut candidates = self.coordination.watches().await?;
        let current: HashMap<i64, UseId> = self
            .store
            .assignments()
            .await?
            .into_iter()
            .map(|a| (a.user, a.id))
            .collect();
        let mut st = self.lock();
        candidates.extend(st.unrecorded.iter().cloned());
        let mut chosen: HashMap<i64, WatchRecord> = HashMap::new();
        let mut stale = Vec::new();
        for w in candidates {
            let Some(other) = chosen.remove(&w.user) else {
                chosen.insert(w.user, w);
                continue;
            };
            let is_current = |x: &WatchRecord| current.get(&x.user) == Some(&x.id);
            let (keep, drop) = if other == w {
                (other, None)
            } else if is_current(&w) || (!is_current(&other) && w.since > other.since) {
                (w, Some(other))
            } else {
                (other, Some(w))
            };
            chosen.insert(keep.user, keep);
            stale.extend(drop);
        }
        st.unrecorded.retain(|u| !stale.contains(u));
        st.unended.extend(stale);
        st.watches.clear();
        st.known.clear();
        for (user, w) in chosen {
            st.known.insert(w.number.clone(), w.since);
            st.watches.insert(
                user,
                Watching {
                    id: w.id,
                    watch: Watch {
                        number: w.number,
                        since: w.since,
                    },
                    until: w.until,
                    category: String::new(),
                },
            );
        }
        Ok(())
    }

    /// The ended watches this process is to end: with a share, those whose
    /// record it removed, those never recorded, and those it could not ask
    /// about (their record is removed later; a takeover before that would
    /// announce one a second time: better twice than never).
    pub(crate) async fn claim_ended(&self, ended: Vec<(i64, Watching)>) -> Vec<(i64, Watching)> {
        let share = &self.coordination;
        futures::stream::iter(ended)
            .map(|(user, w)| async move {
                let shared = w.shared(user);
                if self.take_unrecorded(&shared) {
                    return Some((user, w));
                }
                match share.end_watch(&shared).await {
                    Ok(mine) => mine.then_some((user, w)),
                    Err(e) => {
                        tracing::warn!("monitor: a watch's end cannot be recorded: {e}");
                        self.lock().unended.push(shared);
                        Some((user, w))
                    }
                }
            })
            .buffer_unordered(RELAYS_AT_ONCE)
            .filter_map(std::future::ready)
            .collect()
            .await
    }

    /// Whether `w` was not recorded in the share; it never will be now (in
    /// case a failed write left it half-done, its removal is queued).
    pub(crate) fn take_unrecorded(&self, w: &WatchRecord) -> bool {
        let mut st = self.lock();
        let before = st.unrecorded.len();
        st.unrecorded.retain(|u| u != w);
        let was = st.unrecorded.len() != before;
        if was {
            st.unended.push(w.clone());
        }
        was
    }

    /// Ends a watch's record after its use completed.
    pub(crate) async fn end_record(&self, w: WatchRecord) {
        if !self.take_unrecorded(&w) {
            if let Err(e) = self.coordination.end_watch(&w).await {
                tracing::warn!(
                    "monitor: a watch's end cannot be recorded (tried again at the next poll): {e}"
                );
                self.lock().unended.push(w);
            }
        }
    }

    /// Brings the share up to date: removes the records whose removal
    /// failed, records the new watches and those an earlier poll could not.
    pub(crate) async fn record(&self, added: Vec<WatchRecord>) {
        let share = &self.coordination;
        let (unended, todo) = {
            let mut st = self.lock();
            st.unrecorded.extend(added);
            (
                std::mem::take(&mut st.unended),
                std::mem::take(&mut st.unrecorded),
            )
        };
        let failed: Vec<WatchRecord> = futures::stream::iter(unended)
            .map(|w| async move { share.end_watch(&w).await.err().map(|_| w) })
            .buffer_unordered(RELAYS_AT_ONCE)
            .filter_map(std::future::ready)
            .collect()
            .await;
        self.lock().unended.extend(failed);
        if todo.is_empty() {
            return;
        }
        if let Err(e) = share.add_watches(&todo).await {
            tracing::warn!(
                "monitor: new watches cannot be recorded (tried again at the next poll): {e}"
            );
            self.lock().unrecorded.extend(todo);
        }
    }
}
