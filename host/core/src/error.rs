//! Typed errors of the pool.

use std::path::PathBuf;

use crate::{model::UseId, plugins::PluginError, upload::CategoryProblem};

/// An error of a backend's own (a database driver's), kept with its source.
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

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
    /// The journal has a damaged record with valid ones after it: not the
    /// torn tail a crash leaves, so records are missing from its middle and
    /// replaying past them could hand out a number someone holds.
    #[error(
        "{}: damaged journal record at byte {offset} (valid records follow from byte {next_valid}); \
         numbot will not guess what it said: run `numbot repair --data-dir {}`",
        path.display(),
        dir.display()
    )]
    JournalDamaged {
        /// The journal file.
        path: PathBuf,
        /// Its data directory.
        dir: PathBuf,
        /// Where the first damaged record starts.
        offset: u64,
        /// Where the next valid record starts.
        next_valid: u64,
    },
    /// A plugin failed (validator, formatter, policy).
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The upload has no number that can be added.
    #[error("nothing to import: {0}")]
    NothingToImport(NothingLeft),
    /// The category name cannot be shown or stored safely.
    #[error("`{name}` cannot be a category name: {problem}")]
    BadCategory {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        problem: CategoryProblem,
    },
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
    /// The use ended (or never began).
    #[error("use {0} ended")]
    NotCurrent(UseId),
    /// No such file.
    #[error("no file `{0}`")]
    UnknownFile(String),
    /// The database refused or could not be reached; nothing was changed.
    #[error("database: {context}: {source}")]
    Database {
        /// What numbot was doing.
        context: String,
        /// The driver's error.
        source: BackendError,
    },
    /// The database holds something numbot did not write (a damaged
    /// document, a missing reference).
    #[error("database: {0}")]
    Inconsistent(String),
    /// The store's own thread is gone (a bug, or shutting down): reported,
    /// not propagated as a panic.
    #[error("internal error: the store stopped ({0})")]
    Stopped(String),
}

/// Why an upload adds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NothingLeft {
    /// Every number is in the pool already.
    #[error("all {0} numbers are already in the pool")]
    AllInPool(u64),
    /// Every row was refused.
    #[error("all {0} rows were rejected")]
    AllRejected(u64),
}

impl StoreError {
    /// Wraps an I/O error with the file it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }

    /// Wraps a database driver's error with what numbot was doing.
    pub fn database<E>(context: impl Into<String>) -> impl FnOnce(E) -> StoreError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let context = context.into();
        move |source| StoreError::Database {
            context,
            source: Box::new(source),
        }
    }
}
