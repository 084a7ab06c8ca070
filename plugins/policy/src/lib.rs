//! The default selection policy: every available number is equally likely,
//! so a file is picked with probability proportional to its available numbers.

use numbot_plugin_sdk::{export_policy, Choice, Policy, Request, SplitMix64};

/// Weighted random selection (weight = available numbers).
#[derive(Default)]
pub struct WeightedRandom;

impl Policy for WeightedRandom {
    fn select(&mut self, request: &Request<'_>) -> Result<Choice, String> {
        let total = request
            .candidates
            .iter()
            .try_fold(0u64, |sum, c| sum.checked_add(c.available))
            .ok_or("available counts overflow")?;
        if total == 0 {
            return Err(format!("no numbers available in `{}`", request.category));
        }
        let mut ticket = SplitMix64::new(request.seed).below(total);
        for (index, candidate) in request.candidates.iter().enumerate() {
            if ticket < candidate.available {
                return Ok(Choice {
                    candidate: index as u32,
                    slot: ticket,
                });
            }
            ticket -= candidate.available;
        }
        unreachable!("ticket is below the sum of available counts")
    }
}

export_policy!(WeightedRandom);
