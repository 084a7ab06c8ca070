//! The records plugins exchange with the host, as generated from the WIT.

pub use super::bindings::formatter::exports::numbot::plugin::format::{Countries, Formatted};
pub use super::bindings::policy::exports::numbot::plugin::select::{Candidate, Choice, Request};
pub use super::bindings::validator::exports::numbot::plugin::validate::{
    DuplicateRow, NumberRow, RejectedRow, Validation,
};
pub use super::bindings::validator::numbot::plugin::types::Level;
