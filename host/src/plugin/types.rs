//! The records plugins exchange with the host, as generated from the WIT.

pub use super::bindings::formatter::exports::numbot::plugin::format::{Countries, Formatted};
pub use super::bindings::policy::exports::numbot::plugin::select::Choice;
pub use super::bindings::validator::exports::numbot::plugin::validate::{
    DuplicateRow, NumberRow, RejectedRow, Validation,
};
pub use super::bindings::validator::numbot::plugin::types::Level;

use super::bindings::policy::exports::numbot::plugin::select as wit;

/// A file the policy may pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The store's id for the file.
    pub id: u64,
    /// The file's name.
    pub name: String,
    /// Numbers in the file.
    pub total: u64,
    /// Numbers free to assign now (> 0).
    pub available: u64,
    /// Assignments so far.
    pub used: u64,
    /// Upload time, Unix seconds.
    pub created_at: i64,
    /// Last assignment, Unix seconds.
    pub last_used: Option<i64>,
}

/// One request for a number, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The category asked for.
    pub category: String,
    /// The requesting user's id.
    pub user: i64,
    /// Randomness from the host.
    pub seed: u64,
    /// Files of the category with numbers available.
    pub candidates: Vec<Candidate>,
}

/// `last-used` for a file never used, in the WIT table.
const NEVER_USED: i64 = i64::MIN;

impl Request {
    /// The WIT form: a table of seven numbers per file and the names
    /// concatenated (see `wit/v0.1/plugin.wit`).
    pub(crate) fn to_wit(&self) -> wit::Request {
        let mut files = Vec::with_capacity(self.candidates.len() * 7);
        let mut names = String::with_capacity(self.candidates.len() * 24);
        for f in &self.candidates {
            names.push_str(&f.name);
            files.extend_from_slice(&[
                f.id,
                f.total,
                f.available,
                f.used,
                f.created_at as u64,
                f.last_used.unwrap_or(NEVER_USED) as u64,
                names.len() as u64,
            ]);
        }
        wit::Request {
            category: self.category.clone(),
            user: self.user,
            seed: self.seed,
            files,
            names,
        }
    }
}
