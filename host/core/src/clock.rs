//! Where "now" comes from: leases, cooldowns and limits are measured
//! against it.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc, Mutex,
    },
    time::{SystemTime, UNIX_EPOCH},
};

/// The system clock, or a hand-driven one in tests. It never goes back: a
/// clock stepped back reads as the latest time seen.
#[derive(Clone)]
pub struct Clock {
    manual: Option<Arc<AtomicU32>>,
    latest: Arc<AtomicU32>,
    starts: Arc<Mutex<Starts>>,
}

/// The latest start of each holder that started in the current second or
/// later; cleared of older ones when the second changes.
#[derive(Default)]
struct Starts {
    second: u32,
    by_holder: HashMap<i64, u32>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock {
            manual: None,
            latest: Arc::default(),
            starts: Arc::default(),
        }
    }

    /// A clock that moves only when told to (tests of leases and cooldowns).
    pub fn manual(start: u32) -> (Clock, Arc<AtomicU32>) {
        let cell = Arc::new(AtomicU32::new(start));
        (
            Clock {
                manual: Some(cell.clone()),
                latest: Arc::default(),
                starts: Arc::default(),
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

    /// When a use by `holder` that begins now starts: now, or one second
    /// after the holder's previous start when that was this second. A use is
    /// named by its holder and start (the API's use ids, the OTP watches),
    /// so two uses of one holder never share a start. Exact within one
    /// process; replicas share no memory of starts.
    pub fn start(&self, holder: i64) -> u32 {
        let now = self.now();
        let mut starts = self.starts.lock().unwrap_or_else(|e| e.into_inner());
        if starts.second != now {
            starts.second = now;
            starts.by_holder.retain(|_, at| *at >= now);
        }
        let start = match starts.by_holder.get(&holder) {
            Some(&previous) => now.max(previous.saturating_add(1)),
            None => now,
        };
        starts.by_holder.insert(holder, start);
        start
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

    #[test]
    fn a_holder_never_starts_twice_in_one_second() {
        let (clock, cell) = Clock::manual(100);
        assert_eq!(clock.start(7), 100);
        assert_eq!(clock.start(8), 100, "another holder starts now");
        assert_eq!(clock.start(7), 101, "the same holder, the same second");
        assert_eq!(clock.start(7), 102);
        cell.store(101, Ordering::Relaxed);
        assert_eq!(clock.start(7), 103, "still after its previous start");
        assert_eq!(clock.start(8), 101);
        cell.store(200, Ordering::Relaxed);
        assert_eq!(clock.start(7), 200, "earlier starts are forgotten");
        assert_eq!(clock.starts.lock().unwrap().by_holder.len(), 1);
    }
}
