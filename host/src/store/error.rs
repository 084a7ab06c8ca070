//! Typed errors of the number store.

use std::path::PathBuf;

use crate::plugin::PluginError;

/// Why a store operation failed. Nothing is half-applied: an operation that
/// fails leaves the pool as it was.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file of the data directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Another process owns the data directory.
    #[error("{} is in use by another numbot process (lock file {})", dir.display(), lock.display())]
    Locked {
        /// The data directory.
        dir: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// A file of the data directory is damaged beyond what recovery repairs.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A plugin failed (validator, formatter, policy).
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The upload has no number that can be added.
    #[error("nothing to import: {0}")]
    NothingToImport(String),
    /// The category name is empty or unusable.
    #[error("bad category name `{0}`: use letters, digits and spaces")]
    BadCategory(String),
    /// No number of the category is available now.
    #[error("no numbers available in `{0}`")]
    NoneAvailable(String),
    /// The user already holds a number (one at a time).
    #[error("user {user} already holds {number}: finish or cancel it first")]
    AlreadyAssigned {
        /// The user.
        user: i64,
        /// The number held.
        number: String,
    },
    /// The user holds no number.
    #[error("user {0} holds no number")]
    NotAssigned(i64),
    /// No such file.
    #[error("no file `{0}`")]
    UnknownFile(String),
    /// The database (MongoDB) refused or could not be reached; nothing was changed.
    #[error("database: {0}")]
    Database(String),
    /// A store call panicked on its thread (a bug): reported, not propagated.
    #[error("internal error: {0}")]
    Panicked(String),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }
}
