//! numbot's domain: the records and rules of a pool of phone numbers, the
//! traits every backend and front end meets, and the use cases they share.
//!
//! - [`numbers`]: [`Numbers`], the use cases: the one door of every front
//!   end (take, change, release, done, upload, ban, tokens, broadcast...),
//!   each audited once;
//! - [`store`]: [`NumberStore`], the pool (file store, MongoDB, migration);
//! - the record stores, one trait per capability: [`users::Users`],
//!   [`audit::AuditLog`], [`tokens::TokenStore`],
//!   [`questions::PendingUploads`], [`jobs::Jobs`];
//! - [`plugins`]: [`Plugins`], the four WebAssembly worlds, async;
//! - [`coordination`]: what the OTP monitors of several processes share;
//! - [`history`]: every use after it ended, streamed back;
//! - [`tokens`], [`inbox`]: API clients' tokens and the messages they wait for;
//! - [`model`], [`reuse`], [`upload`], [`policy`]: the rules written once.
//!
//! Nothing here does I/O of its own: backends and front ends live in the
//! crates that depend on this one.

pub mod audit;
pub mod clock;
pub mod config;
pub mod coordination;
pub mod error;
pub mod history;
pub mod hooks;
pub mod inbox;
pub mod jobs;
pub mod limit;
pub mod migration;
pub mod model;
pub mod numbers;
pub mod plugins;
pub mod policy;
pub mod questions;
pub mod queue;
pub mod reuse;
pub mod sessions;
pub mod store;
pub mod text;
pub mod tokens;
pub mod upload;
pub mod users;

pub use audit::{AuditAction, AuditEvent, AuditLog};
pub use clock::Clock;
pub use config::StoreConfig;
pub use coordination::{Coordination, CoordinationError, WatchRecord};
pub use error::{NothingLeft, StoreError};
pub use history::{
    CodeRecord, CodeSeen, DayCounts, Ended, HistoryQuery, HistorySearch, UseRecord, UseStream,
};
pub use jobs::Jobs;
pub use limit::{NumberLimit, NumberSlot};
pub use model::{Assignment, FileInfo, FileMeta, NumberState, Stats, Usage, UseId};
pub use numbers::{Account, NumberView, Numbers, Parts, Records, TakeError};
pub use plugins::{PluginError, Plugins, SharedPlugins, WorldKind};
pub use questions::{PendingUpload, PendingUploads};
pub use reuse::{End, ReuseRule};
pub use store::{Finish, NumberStore, Store};
pub use tokens::TokenStore;
pub use upload::{CategoryHint, CategoryProblem, Prepared, RejectedNumber, Upload, UploadReport};
pub use users::{SharedUsers, UserRecord, UserStatus, UserStoreError, Users};
