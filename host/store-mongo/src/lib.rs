//! numbot's scale-out pool: the numbers, the user records and the OTP
//! monitor's coordination in MongoDB, shared by every replica.
//!
//! Collections (database `numbot` by default):
//!
//! - `numbers`: one document per number: `n` (E.164 digits), `file` (file
//!   id), `r` (a fixed pseudo-random key spreading claimers over the pool),
//!   `state` (`free`, `held`, `reserved`, `cooling`, `retired`, `gone`),
//!   `free_at` (the end of a cooldown), the holder (`user`, `since`,
//!   `until`) and usage (`uses`, `last_used`, `last_user`). `live` marks
//!   numbers still in the pool.
//! - `files`: one document per upload, keyed by stored name: the
//!   [`numbot_core::FileMeta`] fields plus `ready` (set once every number is in).
//! - `originals`: the uploaded bytes, in parts of 4 MiB.
//! - `counters`: file and token ids. `users`, `audit`, `pending_uploads`,
//!   `tokens`: [`MongoUsers`]. `messages`: API clients' inbox ([`MongoInbox`]).
//! - `leases`, `relayed`, `watches`: [`MongoCoordination`].
//!
//! Exclusivity comes from single-document atomic updates, not from locks:
//! a claim is a compare-and-set (`update_one` on a number still `free`), and
//! two unique partial indexes make the rest impossible: a number is `live`
//! once in the pool (`n`), and a user is the holder of one `held` number at
//! most (`user`). A process killed between two steps leaves nothing
//! half-done that the next lease sweep does not end.

mod backend;
mod claim;
mod connect;
mod coordination;
mod counts;
mod docs;
mod history;
mod hooks;
mod import;
mod inbox;
mod jobs;
mod queue;
mod sessions;
mod store;
mod tokens;
mod users;

pub use connect::{connect, connect_counting, Connection};
pub use coordination::MongoCoordination;
pub use inbox::MongoInbox;
pub use store::MongoStore;
pub use users::MongoUsers;
