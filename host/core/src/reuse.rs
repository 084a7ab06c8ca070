//! When a used number comes back: the one rule every pool applies when a
//! use ends.

use serde::Deserialize;

/// When a number that was used comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReuseRule {
    /// Available again this many seconds after its use ends (default: 24 h).
    Cooldown(u32),
    /// Retired after one completed use (a cancelled or expired use frees it at once).
    Once,
    /// Available again as soon as its use ends.
    Unlimited,
}

impl Default for ReuseRule {
    fn default() -> Self {
        ReuseRule::Cooldown(24 * 3600)
    }
}

/// The reuse rule as the configuration names it (`store.reuse`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReuseKind {
    /// `cooldown`: back after `cooldown_hours`.
    #[default]
    Cooldown,
    /// `once`: retired after a completed use.
    Once,
    /// `unlimited`: back at once.
    Unlimited,
}

impl ReuseKind {
    /// The rule, with the cooldown in hours where it has one.
    pub fn rule(self, cooldown_hours: u32) -> ReuseRule {
        match self {
            ReuseKind::Cooldown => ReuseRule::Cooldown(cooldown_hours.saturating_mul(3600)),
            ReuseKind::Once => ReuseRule::Once,
            ReuseKind::Unlimited => ReuseRule::Unlimited,
        }
    }
}

/// How a use ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The code arrived (or the holder said done).
    Complete,
    /// The holder gave it back.
    Cancel,
    /// The lease ran out.
    Expire,
}

/// What a number becomes when its use ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterUse {
    /// Free to assign at once.
    Free,
    /// Free again at this time (Unix seconds).
    Cooling(u32),
    /// Never assigned again.
    Retired,
}

impl ReuseRule {
    /// What a number becomes when a use ends by `end` at `now`: only a
    /// completed use counts against reuse.
    pub fn after(self, end: End, now: u32) -> AfterUse {
        match (end, self) {
            (End::Complete, ReuseRule::Once) => AfterUse::Retired,
            (End::Complete, ReuseRule::Cooldown(secs)) if secs > 0 => {
                AfterUse::Cooling(now.saturating_add(secs))
            }
            _ => AfterUse::Free,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_completed_use_counts() {
        let day = ReuseRule::Cooldown(86_400);
        assert_eq!(day.after(End::Complete, 10), AfterUse::Cooling(86_410));
        assert_eq!(day.after(End::Cancel, 10), AfterUse::Free);
        assert_eq!(day.after(End::Expire, 10), AfterUse::Free);
        assert_eq!(ReuseRule::Once.after(End::Complete, 10), AfterUse::Retired);
        assert_eq!(ReuseRule::Once.after(End::Expire, 10), AfterUse::Free);
        assert_eq!(
            ReuseRule::Unlimited.after(End::Complete, 10),
            AfterUse::Free
        );
        assert_eq!(
            ReuseRule::Cooldown(0).after(End::Complete, 10),
            AfterUse::Free
        );
        assert_eq!(ReuseKind::Cooldown.rule(2), ReuseRule::Cooldown(7200));
    }
}
