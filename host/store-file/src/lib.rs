//! numbot's embedded default: the pool, the user records and the OTP
//! monitor's memory in a data directory (default `csv_files/`), no database
//! needed.
//!
//! - `<Category>_<YYYYMMDD_HHMMSS>.csv`: each upload, the bytes as the admin sent them;
//! - `<same name>.numbers`: its accepted numbers, normalized (binary, checksummed);
//! - `metadata.json`: one entry per file ([`numbot_core::FileMeta`]);
//! - `journal.<generation>`: every claim, completion and release, fsynced
//!   before it is acknowledged (group commit);
//! - `snapshot.bin`: the journal compacted; `usage_tracking.json`: the same
//!   for people, written with each snapshot;
//! - `users.jsonl`, `audit.jsonl`: user records and the audit trail ([`FileUsers`]);
//! - `relayed.log`: messages the OTP monitor relayed ([`LocalCoordination`]);
//! - `history.jsonl`: every use that ended and the codes it got ([`history`]);
//! - `tokens.jsonl`: API tokens (their hashes), beside the user records;
//! - `.lock`: held by the process that owns the directory;
//! - `journal.<generation>.damaged`: a damaged journal as it was, kept by
//!   [`FileStore::repair`] (`numbot repair`).
//!
//! The directory is created 0700 and every file in it 0600, whatever the
//! umask; opening a directory open to other users logs a warning.

mod backend;
pub mod backup;
mod find;
pub mod history;
mod hooks;
mod import;
mod jobs;
mod journal;
mod log;
mod metadata;
mod open;
mod pool;
mod private;
mod relayed;
mod repair;
mod sessions;
mod snapshot;
mod store;
mod tokens;
mod usage;
mod users;
mod worker;

pub use metadata::{write_atomic, Metadata};
pub use relayed::LocalCoordination;
pub use repair::{JournalReport, PossiblyUsed, Quarantined, RepairReport};
pub use store::FileStore;
pub use users::{DroppedLine, FileUsers};
