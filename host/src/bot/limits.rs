//! Per-user rate limits: a sliding window of recent events per user.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// At most `max` events per `window` for each user.
pub struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<i64, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter allowing `max` events per `window`.
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max: max.max(1) as usize,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// The limit, for messages.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The window, for messages.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// `Ok` when `user` may act now; otherwise how long until they may.
    pub fn check(&self, user: i64) -> Result<(), Duration> {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let Some(q) = events.get_mut(&user) else {
            return Ok(());
        };
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() < self.max {
            return Ok(());
        }
        let oldest = *q.front().expect("a full window has events");
        Err(self.window.saturating_sub(now.duration_since(oldest)))
    }

    /// Records an event of `user`.
    pub fn record(&self, user: i64) {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let q = events.entry(user).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        q.push_back(now);
        if events.len() > 100_000 {
            let window = self.window;
            events.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
    }

    /// [`check`](Self::check) and, when allowed, [`record`](Self::record).
    /// Returns the wait and whether this is the first refusal of the window
    /// (so a flood gets one message, not one per update).
    pub fn acquire(&self, user: i64) -> Result<(), (Duration, bool)> {
        match self.check(user) {
            Ok(()) => {
                self.record(user);
                Ok(())
            }
            Err(wait) => {
                let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
                let q = events.entry(user).or_default();
                let first = q.len() == self.max;
                if first {
                    // One marker past the limit: later refusals stay silent.
                    q.push_back(*q.back().expect("a full window has events"));
                }
                Err((wait, first))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_per_window_then_says_how_long() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        assert!(l.check(1).is_ok());
        l.record(1);
        l.record(1);
        let wait = l.check(1).unwrap_err();
        assert!(wait > Duration::from_secs(58) && wait <= Duration::from_secs(60));
        assert!(l.check(2).is_ok(), "limits are per user");
    }

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
    fn the_window_slides() {
        let l = RateLimiter::new(1, Duration::from_millis(30));
        l.record(1);
        assert!(l.check(1).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.check(1).is_ok());
    }
}
