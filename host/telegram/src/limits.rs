//! The flood limit: a sliding window of recent updates per user, counted in
//! memory, per process (the numbers limit is the user store's:
//! [`numbot_core::NumberLimit`]).

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// At most `max` events per `window` for each user.
pub(crate) struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<i64, Events>>,
}

/// A user's recent events, and until when they have been told to wait.
#[derive(Default)]
struct Events {
    times: VecDeque<Instant>,
    told_until: Option<Instant>,
}

impl Events {
    fn slide(&mut self, now: Instant, window: Duration) {
        while self
            .times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.times.pop_front();
        }
    }

    /// `Ok` when an event may happen now, else the wait.
    fn wait(&self, now: Instant, max: usize, window: Duration) -> Result<(), Duration> {
        if self.times.len() < max {
            return Ok(());
        }
        let oldest = *self.times.front().expect("a full window has events");
        Err(window.saturating_sub(now.duration_since(oldest)))
    }
}

impl RateLimiter {
    /// A limiter allowing `max` events per `window`.
    pub(crate) fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max: max.max(1) as usize,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Checks and, when allowed, records, as one step. A refusal returns the
    /// wait and whether the user should be told (once until the wait is over,
    /// so a flood gets one message, not one per update).
    pub(crate) fn acquire(&self, user: i64) -> Result<(), (Duration, bool)> {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let e = events.entry(user).or_default();
        e.slide(now, self.window);
        match e.wait(now, self.max, self.window) {
            Ok(()) => {
                e.times.push_back(now);
                Ok(())
            }
            Err(wait) => {
                let tell = e.told_until.is_none_or(|t| now >= t);
                if tell {
                    e.told_until = Some(now + wait);
                }
                Err((wait, tell))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_told_once() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        assert!(l.acquire(1).is_ok());
        assert!(l.acquire(1).is_ok());
        assert!(matches!(l.acquire(1), Err((_, true))));
        assert!(matches!(l.acquire(1), Err((_, false))));
        assert!(matches!(l.acquire(1), Err((_, false))));
    }

    #[test]
    fn a_refused_flood_does_not_extend_the_wait() {
        let l = RateLimiter::new(2, Duration::from_millis(60));
        assert!(l.acquire(1).is_ok());
        std::thread::sleep(Duration::from_millis(30));
        assert!(l.acquire(1).is_ok());
        assert!(matches!(l.acquire(1), Err((_, true))));
        std::thread::sleep(Duration::from_millis(35));
        // The first event left the window: one slot is free again.
        assert!(l.acquire(1).is_ok());
        assert!(
            matches!(l.acquire(1), Err((_, true))),
            "told again: a new wait"
        );
    }
}
