//! Where "now" comes from: leases, cooldowns and limits are measured
//! against it.

use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::{SystemTime, UNIX_EPOCH},
};

/// The system clock, or a hand-driven one in tests. It never goes back: a
/// clock stepped back reads as the latest time seen.
#[derive(Clone)]
pub struct Clock {
    manual: Option<Arc<AtomicU32>>,
    latest: Arc<AtomicU32>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock {
            manual: None,
            latest: Arc::default(),
        }
    }

    /// A clock that moves only when told to (tests of leases and cooldowns).
    pub fn manual(start: u32) -> (Clock, Arc<AtomicU32>) {
        let cell = Arc::new(AtomicU32::new(start));
        (
            Clock {
                manual: Some(cell.clone()),
                latest: Arc::default(),
            },
            cell,
        )
    }

    /// Unix seconds.
    pub fn now(&self) -> u32 {
        let raw = match &self.manual {
            Some(cell) => cell.load(Ordering::Relaxed),
            None => unix_now().clamp(0, i64::from(u32::MAX)) as u32,
        };
        self.latest.fetch_max(raw, Ordering::Relaxed).max(raw)
    }

    /// A time read from durable state (a journal): "now" never reads earlier.
    pub fn observe(&self, seen: u32) {
        self.latest.fetch_max(seen, Ordering::Relaxed);
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

/// Unix seconds of the system clock.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Unix seconds as RFC 3339 (UTC), as the files and reports write times.
pub fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .to_rfc3339()
}

/// A seed no two processes started in the same second share.
pub fn process_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ u64::from(std::process::id()).rotate_left(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_never_goes_back() {
        let (clock, cell) = Clock::manual(100);
        assert_eq!(clock.now(), 100);
        cell.store(50, Ordering::Relaxed);
        assert_eq!(clock.now(), 100, "stepped back: the latest time seen");
        clock.observe(200);
        assert_eq!(clock.now(), 200);
    }
}
