//! How a pool behaves: leases, reuse, the clock (and, for the file store,
//! where it keeps its files).

use std::path::PathBuf;

use crate::{clock::Clock, reuse::ReuseRule};

/// How a pool behaves.
#[derive(Clone)]
pub struct StoreConfig {
    /// The file store's data directory.
    pub data_dir: PathBuf,
    /// How long a user holds a number before it is released (seconds).
    pub lease_secs: u32,
    /// When used numbers come back.
    pub reuse: ReuseRule,
    /// File store: journal records between two snapshots.
    pub compact_every: u64,
    /// The time source.
    pub clock: Clock,
}

impl StoreConfig {
    /// Defaults: 20-minute leases, 24-hour cooldown, a snapshot every 4 M records.
    pub fn new(data_dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            data_dir: data_dir.into(),
            lease_secs: 20 * 60,
            reuse: ReuseRule::default(),
            compact_every: 4_000_000,
            clock: Clock::system(),
        }
    }
}
