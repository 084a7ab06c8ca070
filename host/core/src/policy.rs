//! The selection policy as every pool asks it: the files of a category
//! that have numbers free, a fresh seed, and the plugin's pick.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::{
    clock::process_seed,
    error::StoreError,
    plugins::{Candidate, Request, SharedPlugins},
};

/// The policy plugin with the seeds it is given.
pub struct Policy {
    plugins: SharedPlugins,
    seed: AtomicU64,
}

/// The file and the position among its free numbers the policy picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    /// The chosen candidate's id (the pool's file id).
    pub file: u64,
    /// Index among that file's free numbers (below its `available`).
    pub slot: u64,
    /// The file's free numbers as the request counted them.
    pub available: u64,
}

impl Policy {
    /// The policy of `plugins`, seeded for this process.
    pub fn new(plugins: SharedPlugins) -> Policy {
        Policy {
            plugins,
            seed: AtomicU64::new(process_seed()),
        }
    }

    fn request(&self, category: &str, user: i64, candidates: Vec<Candidate>) -> Request {
        Request {
            category: category.to_string(),
            user,
            seed: self
                .seed
                .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed),
            candidates,
        }
    }

    /// Asks the policy; `NoneAvailable` when there is no candidate.
    pub async fn pick(
        &self,
        category: &str,
        user: i64,
        candidates: Vec<Candidate>,
    ) -> Result<Pick, StoreError> {
        if candidates.is_empty() {
            return Err(StoreError::NoneAvailable(category.to_string()));
        }
        let request = self.request(category, user, candidates);
        let choice = self.plugins.select(request.clone()).await?;
        Ok(pick_of(&request, choice))
    }

    /// [`Policy::pick`] for a caller on a thread of its own (the file
    /// store's): blocks for the plugin call.
    pub fn pick_blocking(
        &self,
        category: &str,
        user: i64,
        candidates: Vec<Candidate>,
    ) -> Result<Pick, StoreError> {
        if candidates.is_empty() {
            return Err(StoreError::NoneAvailable(category.to_string()));
        }
        let request = self.request(category, user, candidates);
        let choice = self.plugins.select_blocking(&request)?;
        Ok(pick_of(&request, choice))
    }
}

/// The host has checked the choice against the request: both indices are in range.
fn pick_of(request: &Request, choice: crate::plugins::Choice) -> Pick {
    let chosen = &request.candidates[choice.candidate as usize];
    Pick {
        file: chosen.id,
        slot: choice.slot,
        available: chosen.available,
    }
}
