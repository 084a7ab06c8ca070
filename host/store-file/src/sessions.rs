//! Mini App sessions in the data directory: `sessions.jsonl`, a line per
//! session opened and per launch data exchanged, group committed; read at
//! open without what has expired, and rewritten then.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Mutex,
};

use numbot_core::{clock::unix_now, sessions::WebSession, UserStoreError};
use serde::{Deserialize, Serialize};

use crate::{
    log::{self, open_append, GroupLog},
    metadata::write_atomic,
    users::{line, read_lines},
};

pub(crate) const SESSIONS_FILE: &str = "sessions.jsonl";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Change {
    Launch { launch: String, until: i64 },
    Session { key: String, session: WebSession },
}

#[derive(Default)]
struct State {
    launches: HashMap<String, i64>,
    sessions: HashMap<String, WebSession>,
}

impl State {
    fn apply(&mut self, change: Change) {
        match change {
            Change::Launch { launch, until } => {
                self.launches.insert(launch, until);
            }
            Change::Session { key, session } => {
                self.sessions.insert(key, session);
            }
        }
    }

    fn forget_expired(&mut self, now: i64) {
        self.launches.retain(|_, until| *until > now);
        self.sessions.retain(|_, s| s.expires_at > now);
    }
}

/// The Mini App sessions of a data directory.
pub(crate) struct FileSessions {
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

impl FileSessions {
    /// Reads `dir`'s sessions, keeping those that last. Blocking.
    pub(crate) fn open(dir: &Path) -> Result<FileSessions, UserStoreError> {
        let path = dir.join(SESSIONS_FILE);
        let mut state = State::default();
        for change in read_lines::<Change>(&path)? {
            state.apply(change);
        }
        state.forget_expired(unix_now());
        if path.exists() {
            let mut bytes = Vec::new();
            for (launch, until) in &state.launches {
                bytes.extend(line(&Change::Launch {
                    launch: launch.clone(),
                    until: *until,
                }));
            }
            for (key, session) in &state.sessions {
                bytes.extend(line(&Change::Session {
                    key: key.clone(),
                    session: session.clone(),
                }));
            }
            write_atomic(&path, &bytes).map_err(|e| UserStoreError::Io {
                path: path.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
        }
        let file = open_append(&path).map_err(io_err(&path))?;
        Ok(FileSessions {
            state: Mutex::new(state),
            log: GroupLog::start("numbot-sessions", &path, file).map_err(io_err(&path))?,
            path,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) async fn open_session(
        &self,
        launch: &str,
        launch_until: i64,
        key: &str,
        session: WebSession,
    ) -> Result<bool, UserStoreError> {
        let mut bytes = line(&Change::Launch {
            launch: launch.to_string(),
            until: launch_until,
        });
        bytes.extend(line(&Change::Session {
            key: key.to_string(),
            session: session.clone(),
        }));
        let pending = {
            let mut st = self.lock();
            st.forget_expired(unix_now());
            if st.launches.contains_key(launch) {
                return Ok(false);
            }
            // Taken before the write, so that a second exchange racing
            // this one is refused.
            st.launches.insert(launch.to_string(), launch_until);
            self.log.append(bytes)
        };
        if let Err(e) = log::wait_async(pending).await {
            self.lock().launches.remove(launch);
            return Err(io_err(&self.path)(e));
        }
        self.lock().sessions.insert(key.to_string(), session);
        Ok(true)
    }

    pub(crate) fn session(&self, key: &str, now: i64) -> Option<WebSession> {
        self.lock()
            .sessions
            .get(key)
            .filter(|s| s.expires_at > now)
            .cloned()
    }
}

/// Whether a line of `sessions.jsonl` is whole (repair).
pub(crate) fn reads_as_change(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Change>(bytes).is_ok()
}
