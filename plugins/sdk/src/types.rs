//! The policy's view of a request (borrowing from the call) and the SDK's
//! seeded generator; the other records come from `numbot-plugin-types`.

pub use numbot_plugin_types::*;

/// A file the policy may pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// The store's id for the file.
    pub id: u64,
    /// The file's name.
    pub name: &'a str,
    /// Numbers in the file.
    pub total: u64,
    /// Numbers free to assign now (always > 0 for a candidate).
    pub available: u64,
    /// Assignments so far.
    pub used: u64,
    /// Upload time, Unix seconds.
    pub created_at: i64,
    /// Last assignment, Unix seconds.
    pub last_used: Option<i64>,
}

/// One request for a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// The category asked for.
    pub category: &'a str,
    /// The requesting user's id.
    pub user: i64,
    /// Randomness from the host.
    pub seed: u64,
    /// Files with available numbers.
    pub candidates: Vec<Candidate<'a>>,
}

/// The `last-used` value that means "never" in the WIT table.
pub const NEVER_USED: i64 = i64::MIN;

/// Numbers per file in the WIT request's `files` table.
const ROW: usize = 7;

/// Rebuilds one record per file from the WIT request's table and names.
#[doc(hidden)]
pub fn candidates<'a>(files: &[u64], names: &'a str) -> Result<Vec<Candidate<'a>>, String> {
    if !files.len().is_multiple_of(ROW) {
        return Err(format!(
            "malformed request: {} numbers is not rows of {ROW}",
            files.len()
        ));
    }
    let mut start = 0usize;
    files
        .chunks_exact(ROW)
        .enumerate()
        .map(|(i, row)| {
            let end = row[6] as usize;
            let name = names
                .get(start..end)
                .ok_or_else(|| format!("malformed request: name {i} at {start}..{end}"))?;
            start = end;
            let last_used = row[5] as i64;
            Ok(Candidate {
                id: row[0],
                name,
                total: row[1],
                available: row[2],
                used: row[3],
                created_at: row[4] as i64,
                last_used: (last_used != NEVER_USED).then_some(last_used),
            })
        })
        .collect()
}

/// A policy's pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Index into [`Request::candidates`].
    pub candidate: u32,
    /// Slot below the candidate's `available`.
    pub slot: u64,
}

/// A small, fast, deterministic generator for policies: plugins get their
/// randomness as a seed from the host (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// Starts from a host-provided seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform value in `0..bound` (`bound > 0`), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        // Lemire's multiply-shift with rejection.
        loop {
            let m = u128::from(self.next_u64()) * u128::from(bound);
            let low = m as u64;
            if low >= bound.wrapping_neg() % bound {
                return (m >> 64) as u64;
            }
        }
    }
}
