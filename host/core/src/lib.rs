//! numbot's domain: the records and rules of a pool of phone numbers, the
//! traits every backend and front end meets, and the use cases they share.
//!
//! - [`store`]: [`NumberStore`], the pool (file store, MongoDB, migration);
//! - [`users`]: [`UserStore`], user records, the audit trail;
//! - [`plugins`]: [`Plugins`], the four WebAssembly worlds, async;
//! - [`coordination`]: what the OTP monitors of several processes share;
//! - [`numbers`]: the use cases (take, change, release, upload);
//! - [`history`]: every use after it ended, streamed back;
//! - [`tokens`], [`inbox`]: API clients' tokens and the messages they wait for;
//! - [`model`], [`reuse`], [`upload`], [`policy`]: the rules written once.
//!
//! Nothing here does I/O of its own: backends and front ends live in the
//! crates that depend on this one.

pub mod clock;
pub mod config;
pub mod coordination;
pub mod error;
pub mod history;
pub mod inbox;
pub mod limit;
pub mod migration;
pub mod model;
pub mod numbers;
pub mod plugins;
pub mod policy;
pub mod reuse;
pub mod store;
pub mod text;
pub mod tokens;
pub mod upload;
pub mod users;

pub use clock::Clock;
pub use config::StoreConfig;
pub use coordination::{Coordination, CoordinationError, WatchRecord};
pub use error::{NothingLeft, StoreError};
pub use history::{CodeRecord, CodeSeen, Ended, HistoryQuery, UseRecord, UseStream};
pub use limit::{NumberLimit, NumberSlot};
pub use model::{Assignment, FileInfo, FileMeta, NumberState, Stats, Usage};
pub use numbers::{NumberView, Numbers, TakeError, Taker};
pub use plugins::{PluginError, Plugins, SharedPlugins, WorldKind};
pub use reuse::{End, ReuseRule};
pub use store::{NumberStore, Store};
pub use upload::CategoryProblem;
pub use upload::{Prepared, RejectedNumber, Upload, UploadReport};
pub use users::{
    AuditEvent, PendingUpload, SharedUsers, UserRecord, UserStatus, UserStore, UserStoreError,
};
