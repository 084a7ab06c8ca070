//! A numbot selection policy: the file with the most numbers available, and
//! a random number in it. Randomness comes from the host's seed: plugins
//! have no clock or entropy of their own.

use numbot_plugin_sdk::{export_policy, Choice, Policy, Request, SplitMix64};

/// Picks the candidate file with the most available numbers (the first one
/// on a tie), then a number among them.
#[derive(Default)]
pub struct __TYPE__;

impl Policy for __TYPE__ {
    fn select(&mut self, request: &Request<'_>) -> Result<Choice, String> {
        let (index, file) = request
            .candidates
            .iter()
            .enumerate()
            .max_by_key(|(i, c)| (c.available, std::cmp::Reverse(*i)))
            .ok_or_else(|| format!("no files in `{}`", request.category))?;
        Ok(Choice {
            candidate: index as u32,
            slot: SplitMix64::new(request.seed).below(file.available),
        })
    }
}

export_policy!(__TYPE__);

#[cfg(test)]
mod tests {
    use numbot_plugin_sdk::Candidate;

    use super::*;

    fn file(id: u64, available: u64) -> Candidate<'static> {
        Candidate {
            id,
            name: "numbers.csv",
            total: 100,
            available,
            used: 100 - available,
            created_at: 1_790_000_000,
            last_used: None,
        }
    }

    fn request(candidates: Vec<Candidate<'static>>, seed: u64) -> Request<'static> {
        Request {
            category: "UAE Mobile",
            user: 42,
            seed,
            candidates,
        }
    }

    #[test]
    fn picks_the_file_with_the_most_numbers_available() {
        for seed in 0..100 {
            let candidates = vec![file(1, 3), file(2, 40), file(3, 40)];
            let choice = __TYPE__.select(&request(candidates, seed)).unwrap();
            assert_eq!(choice.candidate, 1);
            assert!(choice.slot < 40);
        }
    }

    #[test]
    fn refuses_a_request_without_files() {
        assert!(__TYPE__.select(&request(Vec::new(), 0)).is_err());
    }
}
