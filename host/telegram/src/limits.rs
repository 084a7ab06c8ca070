//! The flood limit: a sliding window of recent updates per user, counted in
//! memory, per process (the numbers limit is the user store's:
//! [`numbot_core::NumberLimit`]); and [`Recent`], the per-user memory that
//! forgets, which holds it.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// Per-user entries kept for `ttl` after their last write. The whole map
/// is swept once per `ttl`, so it holds only the users written within the
/// last two: its size follows the users active now, not every user ever.
pub(crate) struct Recent<V> {
    ttl: Duration,
    /// When the map was last swept, and each user's entry with its last write.
    inner: Mutex<(Instant, Entries<V>)>,
}

type Entries<V> = HashMap<i64, (Instant, V)>;

impl<V> Recent<V> {
    pub(crate) fn new(ttl: Duration) -> Recent<V> {
        Recent {
            ttl,
            inner: Mutex::new((Instant::now(), HashMap::new())),
        }
    }

    /// Runs `f` on the user's entry (a default one when it had expired) and
    /// marks it written now.
    pub(crate) fn write<R>(&self, user: i64, f: impl FnOnce(&mut V) -> R) -> R
    where
        V: Default,
    {
        let now = Instant::now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (swept, map) = &mut *inner;
        if now.duration_since(*swept) >= self.ttl {
            map.retain(|_, (at, _)| now.duration_since(*at) < self.ttl);
            *swept = now;
        }
        let entry = map.entry(user).or_insert_with(|| (now, V::default()));
        if now.duration_since(entry.0) >= self.ttl {
            entry.1 = V::default();
        }
        entry.0 = now;
        f(&mut entry.1)
    }

    /// The user's entry, unless it expired.
    pub(crate) fn get(&self, user: i64) -> Option<V>
    where
        V: Clone,
    {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .1
            .get(&user)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Entries held, expired ones not yet swept included.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().unwrap().1.len()
    }
}

/// At most `max` events per `window` for each user. A user's entry expires
/// a window after their last update: by then every event has left the
/// window and any wait they were told of is over.
pub(crate) struct RateLimiter {
    max: usize,
    window: Duration,
    events: Recent<Events>,
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
            events: Recent::new(window),
        }
    }

    /// Checks and, when allowed, records, as one step. A refusal returns the
    /// wait and whether the user should be told (once until the wait is over,
    /// so a flood gets one message, not one per update).
    pub(crate) fn acquire(&self, user: i64) -> Result<(), (Duration, bool)> {
        let now = Instant::now();
        self.events.write(user, |e| {
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
        })
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

    #[test]
    fn users_gone_quiet_are_forgotten() {
        let l = RateLimiter::new(2, Duration::from_millis(50));
        for user in 0..10_000 {
            assert!(l.acquire(user).is_ok());
        }
        assert_eq!(l.events.len(), 10_000);
        std::thread::sleep(Duration::from_millis(60));
        assert!(l.acquire(-1).is_ok(), "a new user: the sweep runs");
        assert_eq!(l.events.len(), 1, "only the user active now is held");
    }

    #[test]
    fn recent_entries_expire() {
        let r: Recent<bool> = Recent::new(Duration::from_millis(40));
        r.write(1, |v| *v = true);
        assert_eq!(r.get(1), Some(true));
        assert_eq!(r.get(2), None);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(r.get(1), None, "expired");
        r.write(1, |v| assert!(!*v, "an expired entry starts afresh"));
    }
}
