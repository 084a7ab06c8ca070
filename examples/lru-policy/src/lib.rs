//! Example selection policy: least recently used file first, so that load
//! spreads over every file in a category and a fresh upload is used at once.
//! Within the file the number is random (the host's seed).

use numbot_plugin_sdk::{export_policy, Choice, Policy, Request, SplitMix64};

/// Picks the file used longest ago (never-used files first, then the oldest upload).
#[derive(Default)]
pub struct LeastRecentlyUsed;

impl Policy for LeastRecentlyUsed {
    fn select(&mut self, request: &Request<'_>) -> Result<Choice, String> {
        let (index, candidate) = request
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.available > 0)
            .min_by_key(|(_, c)| (c.last_used.unwrap_or(i64::MIN), c.created_at, c.id))
            .ok_or_else(|| format!("no numbers available in `{}`", request.category))?;
        Ok(Choice {
            candidate: index as u32,
            slot: SplitMix64::new(request.seed).below(candidate.available),
        })
    }
}

export_policy!(LeastRecentlyUsed);
