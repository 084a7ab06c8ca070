//! Message webhooks in the data directory: `webhooks.jsonl`, a line per
//! change (a webhook set or removed, a delivery queued or tried), group
//! committed; read whole at open and rewritten then with what is still
//! needed (the webhooks, pending deliveries and each token's latest
//! finished ones). One process owns the directory, so holds live in memory.

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    sync::Mutex,
};

use numbot_core::{
    hooks::{Attempt, Delivery, DeliveryState, Webhook},
    numbers::hooks::DELIVERIES_LISTED,
    UserStoreError,
};
use serde::{Deserialize, Serialize};

use crate::{
    log::{self, open_append, GroupLog},
    metadata::write_atomic,
    users::{line, read_lines},
};

pub(crate) const HOOKS_FILE: &str = "webhooks.jsonl";

/// A line of `webhooks.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Change {
    Set(Webhook),
    Remove {
        token: i64,
    },
    Queued(Delivery),
    Tried {
        id: u64,
        delivered: bool,
        at: i64,
        #[serde(default)]
        status: Option<u16>,
        #[serde(default)]
        error: Option<String>,
        #[serde(default)]
        next_at: Option<i64>,
    },
}

#[derive(Default)]
struct State {
    hooks: HashMap<i64, Webhook>,
    deliveries: BTreeMap<u64, Delivery>,
    /// Who holds a delivery, until when.
    held: HashMap<u64, (String, i64)>,
    next_id: u64,
}

impl State {
    fn apply(&mut self, change: Change) {
        match change {
            Change::Set(hook) => {
                self.hooks.insert(hook.token, hook);
            }
            Change::Remove { token } => {
                self.hooks.remove(&token);
            }
            Change::Queued(d) => {
                self.next_id = self.next_id.max(d.id);
                let token = d.token;
                self.deliveries.insert(d.id, d);
                self.forget_old(token);
            }
            Change::Tried {
                id,
                delivered,
                at,
                status,
                error,
                next_at,
            } => {
                self.held.remove(&id);
                if let Some(d) = self.deliveries.get_mut(&id) {
                    d.attempts += 1;
                    d.last_at = Some(at);
                    d.last_status = status;
                    d.last_error = error;
                    match (delivered, next_at) {
                        (true, _) => d.state = DeliveryState::Delivered,
                        (false, Some(next)) => d.next_at = next,
                        (false, None) => d.state = DeliveryState::Failed,
                    }
                }
            }
        }
    }

    /// Keeps `token`'s latest finished deliveries only.
    fn forget_old(&mut self, token: i64) {
        let finished: Vec<u64> = self
            .deliveries
            .values()
            .filter(|d| d.token == token && d.state != DeliveryState::Pending)
            .map(|d| d.id)
            .collect();
        if finished.len() > DELIVERIES_LISTED {
            for id in &finished[..finished.len() - DELIVERIES_LISTED] {
                self.deliveries.remove(id);
            }
        }
    }

    /// The lines that make this state again.
    fn lines(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for hook in self.hooks.values() {
            out.extend(line(&Change::Set(hook.clone())));
        }
        for d in self.deliveries.values() {
            out.extend(line(&Change::Queued(d.clone())));
        }
        out
    }
}

/// The webhooks of a data directory.
pub(crate) struct FileHooks {
    state: Mutex<State>,
    log: GroupLog,
    path: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> UserStoreError + '_ {
    move |source| UserStoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl FileHooks {
    /// Reads `dir`'s webhooks and rewrites the file with what is needed.
    /// Blocking.
    pub(crate) fn open(dir: &Path) -> Result<FileHooks, UserStoreError> {
        let path = dir.join(HOOKS_FILE);
        let mut state = State::default();
        for change in read_lines::<Change>(&path)? {
            state.apply(change);
        }
        let file = if path.exists() {
            write_atomic(&path, &state.lines()).map_err(|e| UserStoreError::Io {
                path: path.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
            open_append(&path).map_err(io_err(&path))?
        } else {
            open_append(&path).map_err(io_err(&path))?
        };
        Ok(FileHooks {
            state: Mutex::new(state),
            log: GroupLog::start("numbot-hooks", &path, file).map_err(io_err(&path))?,
            path,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `change` (durably), then applies it.
    async fn change(&self, change: Change) -> Result<(), UserStoreError> {
        log::wait_async(self.log.append(line(&change)))
            .await
            .map_err(io_err(&self.path))?;
        self.lock().apply(change);
        Ok(())
    }

    pub(crate) async fn set(&self, hook: Webhook) -> Result<(), UserStoreError> {
        self.change(Change::Set(hook)).await
    }

    pub(crate) fn get(&self, token: i64) -> Option<Webhook> {
        self.lock().hooks.get(&token).cloned()
    }

    pub(crate) async fn remove(&self, token: i64) -> Result<bool, UserStoreError> {
        if !self.lock().hooks.contains_key(&token) {
            return Ok(false);
        }
        self.change(Change::Remove { token }).await?;
        Ok(true)
    }

    pub(crate) async fn queue(&self, mut delivery: Delivery) -> Result<u64, UserStoreError> {
        // Numbered under the lock, in the order the lines are queued.
        let (pending, id) = {
            let mut st = self.lock();
            st.next_id += 1;
            delivery.id = st.next_id;
            (
                self.log.append(line(&Change::Queued(delivery.clone()))),
                delivery.id,
            )
        };
        log::wait_async(pending).await.map_err(io_err(&self.path))?;
        self.lock().apply(Change::Queued(delivery));
        Ok(id)
    }

    pub(crate) fn due(&self, now: i64, owner: &str, until: i64, limit: usize) -> Vec<Delivery> {
        let mut st = self.lock();
        let due: Vec<Delivery> = st
            .deliveries
            .values()
            .filter(|d| d.state == DeliveryState::Pending && d.next_at <= now)
            .filter(|d| st.held.get(&d.id).is_none_or(|(_, end)| *end <= now))
            .take(limit)
            .cloned()
            .collect();
        for d in &due {
            st.held.insert(d.id, (owner.to_string(), until));
        }
        due
    }

    pub(crate) async fn tried(
        &self,
        id: u64,
        delivered: bool,
        attempt: Attempt,
    ) -> Result<(), UserStoreError> {
        self.change(Change::Tried {
            id,
            delivered,
            at: attempt.at,
            status: attempt.status,
            error: attempt.error,
            next_at: attempt.next_at,
        })
        .await
    }

    pub(crate) fn list(&self, token: i64, limit: usize) -> Vec<Delivery> {
        self.lock()
            .deliveries
            .values()
            .rev()
            .filter(|d| d.token == token)
            .take(limit)
            .cloned()
            .collect()
    }
}

/// Whether a line of `webhooks.jsonl` is whole (repair).
pub(crate) fn reads_as_change(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Change>(bytes).is_ok()
}
