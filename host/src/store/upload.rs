//! Uploads: validator plugin, formatter plugin, deduplication within the
//! file and against the pool, then the file on disk and in `metadata.json`.

use std::{
    collections::{HashMap, HashSet},
    fs,
    io::Write,
};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{error::StoreError, journal::sync_dir, metadata::FileMeta, snapshot, FileStore};
use crate::plugin::PluginHost;

/// Numbers per formatter call; batches run on every core.
const FORMAT_BATCH: usize = 16_384;
/// Rejections listed one by one in a report; beyond, only counted.
const MAX_LISTED: usize = 1_000;

/// A row that did not make it into the pool, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedNumber {
    /// 1-based line in the uploaded file (0 for a summary line).
    pub line: u32,
    /// What the row held.
    pub content: String,
    /// Why it was refused.
    pub reason: String,
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadReport {
    /// The stored name (`<Category>_<YYYYMMDD_HHMMSS>.csv`).
    pub file: String,
    /// The category the numbers went to.
    pub category: String,
    /// Numbers added to the pool.
    pub accepted: u64,
    /// Rows refused, with reasons (the first [`MAX_LISTED`]).
    pub rejected: Vec<RejectedNumber>,
    /// All refused rows.
    pub rejected_count: u64,
    /// Refused rows counted by reason.
    pub rejected_by_reason: Vec<(String, u64)>,
    /// Numbers repeated inside the file (kept once).
    pub duplicates_in_file: u64,
    /// Numbers already in the pool from another file (not added twice).
    pub duplicates_in_pool: u64,
    /// The most common country among the accepted numbers.
    pub country_code: Option<String>,
}

/// Categories users pick from: printable, not empty, not too long.
fn check_category(category: &str) -> Result<String, StoreError> {
    let trimmed = category.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 || trimmed.chars().any(char::is_control) {
        return Err(StoreError::BadCategory(category.to_string()));
    }
    Ok(trimmed.to_string())
}

/// `UAE Mobile` -> `UAE_Mobile`: safe in a file name on any system.
fn file_stem(category: &str) -> String {
    let mut stem = String::new();
    for c in category.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            stem.push(c);
        } else if !stem.ends_with('_') {
            stem.push('_');
        }
    }
    let stem = stem.trim_matches('_');
    if stem.is_empty() {
        "category".to_string()
    } else {
        stem.to_string()
    }
}

/// Reason groups for the report: the reason without the row's own content.
fn reason_key(reason: &str) -> String {
    reason
        .split(':')
        .next()
        .unwrap_or(reason)
        .trim()
        .to_string()
}

/// An upload validated and formatted, not yet in any pool: what every
/// backend imports.
pub(crate) struct Prepared {
    /// The checked category name.
    pub category: String,
    /// Accepted numbers, E.164 digits, deduplicated within the file.
    pub numbers: Vec<u64>,
    /// Rows the validator read as numbers.
    pub rows: u64,
    /// Refused rows (the first [`MAX_LISTED`]), by line.
    pub rejected: Vec<RejectedNumber>,
    /// All refused rows.
    pub rejected_count: u64,
    /// Refused rows by reason.
    pub rejected_by_reason: Vec<(String, u64)>,
    /// Numbers repeated inside the file.
    pub duplicates_in_file: u64,
    /// The most common country.
    pub country_code: Option<String>,
    /// SHA-256 of the uploaded bytes, hex.
    pub sha256: String,
}

impl Prepared {
    /// Why nothing of this upload can be imported, when the pool already
    /// has `in_pool` of its numbers (all of them).
    pub fn nothing_left(&self, in_pool: u64) -> StoreError {
        let why = if in_pool > 0 {
            format!("all {in_pool} numbers are already in the pool")
        } else {
            format!("all {} rows were rejected", self.rejected_count)
        };
        StoreError::NothingToImport(why)
    }

    /// The metadata entry of this upload, imported as file `id` with
    /// `accepted` numbers at `now`.
    pub fn meta(
        &self,
        id: u32,
        admin_id: i64,
        original_name: &str,
        accepted: u64,
        duplicates_in_pool: u64,
        now: u32,
    ) -> FileMeta {
        FileMeta {
            id,
            country_name: self.category.clone(),
            country_code: self.country_code.clone(),
            admin_id,
            number_count: accepted,
            created_at: chrono::DateTime::from_timestamp(i64::from(now), 0)
                .unwrap_or_default()
                .to_rfc3339(),
            created_unix: i64::from(now),
            usage_count: 0,
            original_name: original_name.to_string(),
            accepted: self.rows,
            rejected: self.rejected_count,
            duplicates_in_file: self.duplicates_in_file,
            duplicates_in_pool,
            sha256: self.sha256.clone(),
            deleted: false,
            deleted_at: None,
        }
    }

    /// The report of an import that added `accepted` numbers as `file`.
    pub fn report(self, file: String, accepted: u64, duplicates_in_pool: u64) -> UploadReport {
        UploadReport {
            file,
            category: self.category,
            accepted,
            rejected: self.rejected,
            rejected_count: self.rejected_count,
            rejected_by_reason: self.rejected_by_reason,
            duplicates_in_file: self.duplicates_in_file,
            duplicates_in_pool,
            country_code: self.country_code,
        }
    }
}

/// The stored name of an upload: `<Category>_<YYYYMMDD_HHMMSS>.csv`, with
/// `_2`, `_3`... for the `n`th try at the same second.
pub(crate) fn stored_name(category: &str, now: u32, n: u32) -> String {
    let time = chrono::DateTime::from_timestamp(i64::from(now), 0)
        .unwrap_or_default()
        .format("%Y%m%d_%H%M%S");
    let base = format!("{}_{time}", file_stem(category));
    if n <= 1 {
        format!("{base}.csv")
    } else {
        format!("{base}_{n}.csv")
    }
}

/// Runs the validator and the formatter over an upload (blocking: plugin
/// calls on every core) and deduplicates it within itself.
pub(crate) fn prepare(
    plugins: &PluginHost,
    original_name: &str,
    bytes: &[u8],
    category: &str,
    default_country: Option<&str>,
) -> Result<Prepared, StoreError> {
    let category = check_category(category)?;
    let validation = plugins.validate(original_name, bytes)?;

    let mut rejected: Vec<RejectedNumber> = validation
        .rejected
        .iter()
        .map(|r| RejectedNumber {
            line: r.line,
            content: r.content.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    let mut duplicates_in_file = validation.duplicates.len() as u64;

    // Format on every core: the formatter keeps a pool of instances.
    let raw: Vec<String> = validation
        .numbers
        .iter()
        .map(|n| n.number.clone())
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let batches: Vec<&[String]> = raw.chunks(FORMAT_BATCH).collect();
    let mut formatted = Vec::with_capacity(raw.len());
    for round in batches.chunks(workers) {
        let results = std::thread::scope(|s| {
            let handles: Vec<_> = round
                .iter()
                .map(|batch| s.spawn(|| plugins.format(batch, default_country)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("formatter thread"))
                .collect::<Vec<_>>()
        });
        for result in results {
            formatted.extend(result?);
        }
    }

    let mut seen = HashSet::with_capacity(raw.len());
    let mut numbers = Vec::with_capacity(raw.len());
    let mut countries: HashMap<String, u64> = HashMap::new();
    for (row, result) in validation.numbers.iter().zip(formatted) {
        match result {
            Ok(f) => {
                let Ok(digits) = f.e164.trim_start_matches('+').parse::<u64>() else {
                    rejected.push(RejectedNumber {
                        line: row.line,
                        content: row.number.clone(),
                        reason: format!("formatter returned `{}`, not E.164", f.e164),
                    });
                    continue;
                };
                if seen.insert(digits) {
                    numbers.push(digits);
                    *countries.entry(f.country).or_default() += 1;
                } else {
                    duplicates_in_file += 1;
                }
            }
            Err(reason) => rejected.push(RejectedNumber {
                line: row.line,
                content: row.number.clone(),
                reason,
            }),
        }
    }
    // The validator lists at most 10,000 rejects and adds a summary line (line 0).
    let summarized: u64 = rejected
        .iter()
        .filter(|r| r.line == 0)
        .filter_map(|r| r.reason.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    rejected.retain(|r| r.line != 0);
    rejected.sort_by_key(|r| r.line);
    let rejected_count = rejected.len() as u64 + summarized;
    let mut by_reason: HashMap<String, u64> = HashMap::new();
    for r in &rejected {
        *by_reason.entry(reason_key(&r.reason)).or_default() += 1;
    }
    let mut rejected_by_reason: Vec<(String, u64)> = by_reason.into_iter().collect();
    rejected_by_reason.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rejected.truncate(MAX_LISTED);
    let country_code = countries
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(c, _)| c);
    Ok(Prepared {
        category,
        numbers,
        rows: validation.numbers.len() as u64,
        rejected,
        rejected_count,
        rejected_by_reason,
        duplicates_in_file,
        country_code,
        sha256: Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

impl FileStore {
    /// Imports an uploaded file into `category` for admin `admin_id`.
    /// `default_country` reads numbers written without a country code.
    pub fn upload(
        &self,
        original_name: &str,
        bytes: &[u8],
        category: &str,
        admin_id: i64,
        default_country: Option<&str>,
    ) -> Result<UploadReport, StoreError> {
        let prepared = prepare(
            self.plugins(),
            original_name,
            bytes,
            category,
            default_country,
        )?;
        let mut numbers = prepared.numbers.clone();
        let category = prepared.category.clone();

        // Reserve: numbers already in the pool are dropped, the rest claimed
        // for this upload so that a concurrent upload cannot add them too.
        let (id, name, duplicates_in_pool) = {
            let mut st = self.lock()?;
            let before = numbers.len();
            numbers.retain(|n| !st.pool.known.contains(n));
            let duplicates_in_pool = (before - numbers.len()) as u64;
            if numbers.is_empty() {
                return Err(prepared.nothing_left(before as u64));
            }
            st.pool.known.extend(numbers.iter().copied());
            let id = st.meta.next_id;
            st.meta.next_id += 1;
            let now = self.inner.config.clock.now();
            let name = (1..)
                .map(|n| stored_name(&category, now, n))
                .find(|n| {
                    !st.meta.files.contains_key(n)
                        && !st.reserved.contains(n)
                        && !self.dir().join(n).exists()
                })
                .expect("a free name");
            // Hold the name until the metadata names it.
            st.reserved.insert(name.clone());
            (id, name, duplicates_in_pool)
        };

        let written = self.write_upload(&name, bytes, &numbers);
        let mut st = self.lock()?;
        st.reserved.remove(&name);
        if let Err(e) = written {
            for n in &numbers {
                st.pool.known.remove(n);
            }
            return Err(e);
        }
        let now = self.inner.config.clock.now();
        let accepted = numbers.len() as u64;
        let entry = prepared.meta(
            id,
            admin_id,
            original_name,
            accepted,
            duplicates_in_pool,
            now,
        );
        let mut meta = st.meta.clone();
        meta.files.insert(name.clone(), entry);
        if let Err(e) = meta.write(&self.dir().join("metadata.json")) {
            for n in &numbers {
                st.pool.known.remove(n);
            }
            return Err(e);
        }
        st.index
            .insert(id, super::FileKey::of(&name, &meta.files[&name]));
        st.meta = meta;
        st.pool.add_file(id, numbers);
        st.by_category.entry(category.clone()).or_default().push(id);
        drop(st);
        tracing::info!(file = %name, %category, admin = admin_id, accepted, "upload imported");
        Ok(prepared.report(name, accepted, duplicates_in_pool))
    }

    /// Writes the original bytes and the normalized numbers, durably.
    fn write_upload(&self, name: &str, bytes: &[u8], numbers: &[u64]) -> Result<(), StoreError> {
        let dir = self.dir();
        for (path, content) in [
            (dir.join(name), bytes.to_vec()),
            (
                dir.join(name).with_extension("numbers"),
                snapshot::encode_numbers(numbers),
            ),
        ] {
            let mut f = fs::File::create(&path).map_err(StoreError::io(&path))?;
            f.write_all(&content).map_err(StoreError::io(&path))?;
            f.sync_all().map_err(StoreError::io(&path))?;
        }
        sync_dir(dir)
    }
}
