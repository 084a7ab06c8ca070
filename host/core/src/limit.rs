//! The per-user numbers limit: at most `max` numbers per sliding window,
//! judged from the times kept in the user's record, so that every replica
//! judges the same. The user store checks and counts in one atomic step
//! ([`crate::users::Users::take_number`]).

use std::time::Duration;

/// At most `max` numbers per `window` for each user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberLimit {
    /// Numbers allowed per window.
    pub max: usize,
    /// The window.
    pub window: Duration,
}

/// The answer to asking for one more number under the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberSlot {
    /// Counted: give it back with
    /// [`crate::users::Users::give_back_number`] when no number comes of it.
    Granted,
    /// The window is full: the times that fill it, oldest first.
    Full(Vec<i64>),
}

impl NumberLimit {
    /// The window in whole seconds (at least one).
    pub fn secs(&self) -> i64 {
        self.window.as_secs().max(1) as i64
    }

    /// Whether a number taken at `t` still counts at `now`.
    pub fn counts(&self, t: i64, now: i64) -> bool {
        now - t < self.secs()
    }

    /// `Ok` when one more number may be taken at `now` (Unix seconds) after
    /// numbers taken at `times`; otherwise how long until one may.
    pub fn wait(&self, times: &[i64], now: i64) -> Result<(), Duration> {
        let inside: Vec<i64> = times
            .iter()
            .copied()
            .filter(|&t| self.counts(t, now))
            .collect();
        if inside.len() < self.max {
            return Ok(());
        }
        let oldest_counted = inside[inside.len() - self.max];
        Err(Duration::from_secs(
            (oldest_counted + self.secs() - now).max(1) as u64,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_per_window_say_how_long() {
        let l = NumberLimit {
            max: 2,
            window: Duration::from_secs(60),
        };
        assert!(l.wait(&[], 1000).is_ok());
        assert!(l.wait(&[990], 1000).is_ok());
        assert_eq!(l.wait(&[990, 995], 1000), Err(Duration::from_secs(50)));
        // Times that left the window do not count.
        assert!(l.wait(&[900, 995], 1000).is_ok());
        assert_eq!(l.wait(&[900, 995, 998], 1000), Err(Duration::from_secs(55)));
        assert!(l.wait(&[990, 995], 1050).is_ok(), "the window slides");
        // Given-back slots (0) never count.
        assert!(l.wait(&[0, 995], 1000).is_ok());
    }
}
