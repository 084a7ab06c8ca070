//! The pool's records as every backend and front end sees them.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// One use of a number, named by the store that began it: unique across
/// replicas and restarts, so an id that ended never names a later use of
/// the same number or holder. Front ends show it as an opaque string.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UseId(pub u64);

impl fmt::Display for UseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for UseId {
    type Err = std::num::ParseIntError;

    /// Digits only (no sign, no spaces): what [`UseId`]'s `Display` writes.
    fn from_str(s: &str) -> Result<UseId, Self::Err> {
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            // `u64::from_str` accepts a leading `+`; an id has none.
            return "-".parse::<u64>().map(UseId);
        }
        s.parse().map(UseId)
    }
}

/// A number given to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The use this is.
    pub id: UseId,
    /// E.164.
    pub number: String,
    /// The category it came from.
    pub category: String,
    /// The stored file it came from.
    pub file: String,
    /// The holder.
    pub user: i64,
    /// Assigned at (Unix seconds).
    pub since: u32,
    /// The lease ends at (Unix seconds).
    pub until: u32,
}

/// Where a number is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum NumberState {
    /// Free to assign.
    Available = 0,
    /// Held by a user under a lease (or reserved for one).
    Assigned = 1,
    /// Used; available again at the end of its cooldown.
    Cooling = 2,
    /// Used under the `once` rule: never assigned again.
    Retired = 3,
    /// Its file was deleted.
    Removed = 4,
}

/// Usage figures for a file or a category.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Numbers in the pool.
    pub total: u64,
    /// Free to assign now.
    pub available: u64,
    /// Held by users now.
    pub assigned: u64,
    /// Waiting for their cooldown to end.
    pub cooling: u64,
    /// Retired after use (`once` rule).
    pub retired: u64,
    /// Numbers used at least once.
    pub used_numbers: u64,
    /// Assignments made.
    pub assignments: u64,
    /// `used_numbers / total` in percent: never above 100.
    pub used_percent: f64,
    /// Last assignment (Unix seconds).
    pub last_used: Option<u32>,
}

impl Usage {
    /// Counts one number in `state`, used `uses` times, last at `last_used`.
    /// Every backend tallies through here; [`Usage::finish`] ends the count.
    pub fn tally(&mut self, state: NumberState, uses: u64, last_used: Option<u32>) {
        self.total += 1;
        match state {
            NumberState::Available => self.available += 1,
            NumberState::Assigned => self.assigned += 1,
            NumberState::Cooling => self.cooling += 1,
            NumberState::Retired => self.retired += 1,
            NumberState::Removed => {}
        }
        if uses > 0 {
            self.used_numbers += 1;
        }
        self.last_used = self.last_used.max(last_used);
    }

    /// Computes the percentage once every number is counted.
    pub fn finish(mut self) -> Usage {
        self.used_percent = percent(self.used_numbers, self.total);
        self
    }

    /// Adds another file's (or pool's) figures, for a category's total; the
    /// percentage follows.
    pub fn add(&mut self, other: &Usage) {
        self.total += other.total;
        self.available += other.available;
        self.assigned += other.assigned;
        self.cooling += other.cooling;
        self.retired += other.retired;
        self.used_numbers += other.used_numbers;
        self.assignments += other.assignments;
        self.last_used = self.last_used.max(other.last_used);
        self.used_percent = percent(self.used_numbers, self.total);
    }
}

/// `part / whole` in percent, one decimal, never above 100.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        ((part.min(whole) as f64 / whole as f64) * 1000.0).round() / 10.0
    }
}

/// One uploaded file, in the fields admins know from earlier bots plus what
/// the pools need (`metadata.json` entries, MongoDB's `files` documents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    /// The store's id, stable for the life of the pool.
    pub id: u32,
    /// The category users pick (older bots called it the country name).
    pub country_name: String,
    /// The most common ISO country among the file's numbers.
    pub country_code: Option<String>,
    /// The admin who uploaded it.
    pub admin_id: i64,
    /// Numbers in the pool from this file.
    pub number_count: u64,
    /// Upload time, RFC 3339.
    pub created_at: String,
    /// Upload time, Unix seconds.
    pub created_unix: i64,
    /// Assignments from this file (as of the last snapshot).
    pub usage_count: u64,
    /// The name the admin uploaded.
    pub original_name: String,
    /// Rows the validator read as numbers.
    pub accepted: u64,
    /// Rows refused by the validator or the formatter.
    pub rejected: u64,
    /// Numbers repeated inside the file.
    pub duplicates_in_file: u64,
    /// Numbers already in the pool from other files.
    pub duplicates_in_pool: u64,
    /// SHA-256 of the uploaded bytes.
    pub sha256: String,
    /// Deleted files stay listed for statistics.
    pub deleted: bool,
    /// When it was deleted, RFC 3339.
    pub deleted_at: Option<String>,
}

/// One file as `numbot files` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInfo {
    /// The stored name.
    pub name: String,
    /// Its metadata entry.
    pub meta: FileMeta,
    /// Live usage.
    pub usage: Usage,
}

/// Statistics by category and by file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Per category (deleted files excluded).
    pub categories: BTreeMap<String, Usage>,
    /// Per file, deleted ones included.
    pub files: Vec<FileInfo>,
}

impl Stats {
    /// Adds a file: to the list, and to its category unless it is deleted.
    pub fn push(&mut self, file: FileInfo) {
        if !file.meta.deleted {
            self.categories
                .entry(file.meta.country_name.clone())
                .or_default()
                .add(&file.usage);
        }
        self.files.push(file);
    }

    /// Adds another pool's statistics (migration mode).
    pub fn merge(&mut self, other: Stats) {
        for (category, usage) in other.categories {
            self.categories.entry(category).or_default().add(&usage);
        }
        self.files.extend(other.files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_states_and_uses() {
        let mut u = Usage::default();
        u.tally(NumberState::Available, 0, None);
        u.tally(NumberState::Assigned, 2, Some(10));
        u.tally(NumberState::Cooling, 1, Some(30));
        u.tally(NumberState::Retired, 1, Some(20));
        let u = u.finish();
        assert_eq!(
            (u.total, u.available, u.assigned, u.cooling, u.retired),
            (4, 1, 1, 1, 1)
        );
        assert_eq!(u.used_numbers, 3);
        assert_eq!(u.used_percent, 75.0);
        assert_eq!(u.last_used, Some(30));
        assert_eq!(percent(5, 3), 100.0);
        assert_eq!(percent(1, 0), 0.0);
    }
}
