//! Uploads before any pool: the validator and formatter plugins read the
//! file, numbers are deduplicated within it, and what is left is
//! [`Prepared`] for a pool to import (deduplicated against the pool there).

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use futures::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::{
    clock::rfc3339,
    error::{NothingLeft, StoreError},
    model::FileMeta,
    plugins::{FormatResults, Plugins, Validation},
    text::sha256_hex,
};

/// Numbers per formatter call; the calls run side by side, one instance each.
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
    /// Rows refused, with reasons (the first 1,000).
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

/// An upload as an admin sends it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name the admin gave the file.
    pub file_name: String,
    /// Its bytes, kept as they came.
    pub bytes: Arc<Vec<u8>>,
    /// The category users will pick (exact name).
    pub category: String,
    /// The admin (Telegram id, or 0 for the command line).
    pub admin: i64,
    /// ISO country for numbers written without a country code.
    pub default_country: Option<String>,
}

/// An upload validated and formatted, not yet in any pool: what every
/// backend imports.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The name the admin gave the file.
    pub file_name: String,
    /// The admin.
    pub admin: i64,
    /// The checked category name.
    pub category: String,
    /// Accepted numbers, E.164 digits, deduplicated within the file.
    pub numbers: Vec<u64>,
    /// Rows the validator read as numbers.
    pub rows: u64,
    /// Refused rows (the first 1,000), by line.
    pub rejected: Vec<RejectedNumber>,
    /// All refused rows.
    pub rejected_count: u64,
    /// Refused rows by reason.
    pub rejected_by_reason: Vec<(String, u64)>,
    /// Numbers repeated inside the file.
    pub duplicates_in_file: u64,
    /// Numbers left out because another pool holds them (migration mode).
    pub held_elsewhere: u64,
    /// The most common country.
    pub country_code: Option<String>,
    /// SHA-256 of the uploaded bytes, hex.
    pub sha256: String,
}

impl Prepared {
    /// Leaves out the numbers another pool holds, counting them as already
    /// in the pool.
    pub fn set_aside(&mut self, elsewhere: &HashSet<u64>) {
        let before = self.numbers.len();
        self.numbers.retain(|n| !elsewhere.contains(n));
        self.held_elsewhere += (before - self.numbers.len()) as u64;
    }

    /// Why nothing of this upload can be imported, when a pool already has
    /// `in_pool` of its numbers (all of them).
    pub fn nothing_left(&self, in_pool: u64) -> StoreError {
        let in_pool = in_pool + self.held_elsewhere;
        StoreError::NothingToImport(if in_pool > 0 {
            NothingLeft::AllInPool(in_pool)
        } else {
            NothingLeft::AllRejected(self.rejected_count)
        })
    }

    /// The metadata entry of this upload, imported as file `id` with
    /// `accepted` numbers at `now`, `in_pool` left out as already there.
    pub fn meta(&self, id: u32, accepted: u64, in_pool: u64, now: u32) -> FileMeta {
        FileMeta {
            id,
            country_name: self.category.clone(),
            country_code: self.country_code.clone(),
            admin_id: self.admin,
            number_count: accepted,
            created_at: rfc3339(i64::from(now)),
            created_unix: i64::from(now),
            usage_count: 0,
            original_name: self.file_name.clone(),
            accepted: self.rows,
            rejected: self.rejected_count,
            duplicates_in_file: self.duplicates_in_file,
            duplicates_in_pool: in_pool + self.held_elsewhere,
            sha256: self.sha256.clone(),
            deleted: false,
            deleted_at: None,
        }
    }

    /// The report of an import that added `accepted` numbers as `file`,
    /// `in_pool` left out as already there.
    pub fn report(self, file: String, accepted: u64, in_pool: u64) -> UploadReport {
        UploadReport {
            file,
            category: self.category,
            accepted,
            rejected: self.rejected,
            rejected_count: self.rejected_count,
            rejected_by_reason: self.rejected_by_reason,
            duplicates_in_file: self.duplicates_in_file,
            duplicates_in_pool: in_pool + self.held_elsewhere,
            country_code: self.country_code,
        }
    }
}

/// The longest category name, in characters: it fits a Telegram button.
pub const CATEGORY_MAX_CHARS: usize = 64;

/// Categories users pick from, shown exactly as the admin wrote them (spaces
/// around trimmed): not empty, at most [`CATEGORY_MAX_CHARS`], no path
/// separator, no control character, no bidirectional control and no
/// invisible character (zero-width, joiners, variation selectors...),
/// any of which would make a name display as another.
pub fn check_category(category: &str) -> Result<String, StoreError> {
    let trimmed = category.trim();
    let problem = if trimmed.is_empty() {
        Some(CategoryProblem::Empty)
    } else if trimmed.chars().count() > CATEGORY_MAX_CHARS {
        Some(CategoryProblem::TooLong(trimmed.chars().count()))
    } else {
        trimmed.chars().find_map(|c| match c {
            '/' | '\\' => Some(CategoryProblem::PathSeparator(c)),
            '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}' => Some(CategoryProblem::Bidi(c)),
            c if c.is_control() => Some(CategoryProblem::Control(c)),
            c if invisible(c) => Some(CategoryProblem::Invisible(c)),
            _ => None,
        })
    };
    match problem {
        Some(problem) => Err(StoreError::BadCategory {
            name: category.to_string(),
            problem,
        }),
        None => Ok(trimmed.to_string()),
    }
}

/// Characters that show nothing and change nothing around them (zero-width
/// space, word joiner, byte-order mark, soft hyphen, fillers, invisible
/// operators, tags): two names differing only in them look the same. The
/// joiners (U+200C, U+200D) and variation selectors stay allowed: Arabic,
/// Persian and Indic writing and emoji need them.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Why a category name was refused, in words an admin can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CategoryProblem {
    /// Nothing but spaces.
    #[error("it is empty")]
    Empty,
    /// Longer than [`CATEGORY_MAX_CHARS`].
    #[error("it has {0} characters, at most 64 fit")]
    TooLong(usize),
    /// `/` or `\`, which name folders on disk.
    #[error("it contains the path separator `{0}`")]
    PathSeparator(char),
    /// A line break, tab or other control character.
    #[error("it contains the control character U+{:04X}", *.0 as u32)]
    Control(char),
    /// A bidirectional control, which reorders how the name displays.
    #[error("it contains the bidirectional control U+{:04X}", *.0 as u32)]
    Bidi(char),
    /// A character that shows nothing, so two names would look alike.
    #[error("it contains the invisible character U+{:04X}", *.0 as u32)]
    Invisible(char),
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

/// The stored names an upload of `category` at `now` may take, in order:
/// `<Category>_<YYYYMMDD_HHMMSS>.csv`, then `_2`, `_3`... for uploads in
/// the same second. Each pool takes the first one free.
pub fn stored_names(category: &str, now: u32) -> impl Iterator<Item = String> {
    let time = chrono::DateTime::from_timestamp(i64::from(now), 0)
        .unwrap_or_default()
        .format("%Y%m%d_%H%M%S");
    let base = format!("{}_{time}", file_stem(category));
    (1u32..).map(move |n| {
        if n == 1 {
            format!("{base}.csv")
        } else {
            format!("{base}_{n}.csv")
        }
    })
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

/// Imports an upload into `store`: validator, formatter, deduplication,
/// the pool.
pub async fn import<S: crate::store::NumberStore + ?Sized>(
    plugins: &dyn Plugins,
    store: &S,
    upload: Upload,
) -> Result<UploadReport, StoreError> {
    let original = upload.bytes.clone();
    let prepared = prepare(plugins, upload).await?;
    store.import(prepared, original).await
}

/// Runs the validator and the formatter over an upload (batches side by
/// side, off the async threads) and deduplicates it within itself.
pub async fn prepare(plugins: &dyn Plugins, upload: Upload) -> Result<Prepared, StoreError> {
    let category = check_category(&upload.category)?;
    let validation = plugins
        .validate(upload.file_name.clone(), upload.bytes.clone())
        .await?;
    format(plugins, &validation, &upload, category).await
}

/// What the validator's rows say of the category: the one category every
/// row names (a vendor's `Range` column), or how many different ones
/// some rows name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryHint {
    /// Every row names this category.
    One(String),
    /// Rows name this many categories, or only some rows name one.
    Unclear(usize),
}

/// The category the rows of a validated file name, if they agree.
pub fn category_hint(validation: &Validation) -> CategoryHint {
    let mut hints: Vec<&str> = validation
        .numbers
        .iter()
        .filter_map(|n| n.category.as_deref())
        .collect();
    hints.sort_unstable();
    hints.dedup();
    let all_hinted = validation.numbers.iter().all(|n| n.category.is_some());
    match (hints.as_slice(), all_hinted) {
        ([only], true) => CategoryHint::One((*only).to_string()),
        _ => CategoryHint::Unclear(hints.len()),
    }
}

/// The formatter over what the validator found in `upload`, then the
/// deduplication within the file: what a pool imports into `category`
/// (already checked).
pub async fn format(
    plugins: &dyn Plugins,
    validation: &Validation,
    upload: &Upload,
    category: String,
) -> Result<Prepared, StoreError> {
    let raw: Vec<String> = validation
        .numbers
        .iter()
        .map(|n| n.number.clone())
        .collect();
    // As many batches side by side as there are cores: more would only
    // take the CPU from the requests answered meanwhile.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut calls = Vec::with_capacity(raw.len().div_ceil(FORMAT_BATCH));
    for batch in raw.chunks(FORMAT_BATCH) {
        calls.push(plugins.format(batch.to_vec(), upload.default_country.clone()));
    }
    let batches: Vec<FormatResults> = futures::stream::iter(calls)
        .buffered(cores)
        .try_collect()
        .await?;
    let formatted: Vec<_> = batches.into_iter().flatten().collect();

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
    let mut seen = HashSet::with_capacity(raw.len());
    let mut numbers = Vec::with_capacity(raw.len());
    let mut countries: HashMap<String, u64> = HashMap::new();
    for (row, result) in validation.numbers.iter().zip(formatted) {
        let f = match result {
            Ok(f) => f,
            Err(reason) => {
                rejected.push(RejectedNumber {
                    line: row.line,
                    content: row.number.clone(),
                    reason,
                });
                continue;
            }
        };
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
    let (rejected, rejected_count, rejected_by_reason) = summarize(rejected);
    let country_code = countries
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(c, _)| c);
    Ok(Prepared {
        file_name: upload.file_name.clone(),
        admin: upload.admin,
        category,
        numbers,
        rows: validation.numbers.len() as u64,
        rejected,
        rejected_count,
        rejected_by_reason,
        duplicates_in_file,
        held_elsewhere: 0,
        country_code,
        sha256: sha256_hex(&upload.bytes, 32),
    })
}

/// The rejections by line (the first 1,000), their count, and the count by
/// reason. The validator lists at most 10,000 rejects and adds a summary
/// line (line 0) saying how many more there were.
fn summarize(mut rejected: Vec<RejectedNumber>) -> (Vec<RejectedNumber>, u64, Vec<(String, u64)>) {
    let summarized: u64 = rejected
        .iter()
        .filter(|r| r.line == 0)
        .filter_map(|r| r.reason.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    rejected.retain(|r| r.line != 0);
    rejected.sort_by_key(|r| r.line);
    let count = rejected.len() as u64 + summarized;
    let mut by_reason: HashMap<String, u64> = HashMap::new();
    for r in &rejected {
        *by_reason.entry(reason_key(&r.reason)).or_default() += 1;
    }
    let mut by_reason: Vec<(String, u64)> = by_reason.into_iter().collect();
    by_reason.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rejected.truncate(MAX_LISTED);
    (rejected, count, by_reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_safe_and_numbered() {
        let names: Vec<String> = stored_names("UAE Mobile", 1_795_489_200).take(3).collect();
        assert_eq!(
            names,
            [
                "UAE_Mobile_20261124_030000.csv",
                "UAE_Mobile_20261124_030000_2.csv",
                "UAE_Mobile_20261124_030000_3.csv"
            ]
        );
        assert!(stored_names("../..", 0)
            .next()
            .unwrap()
            .starts_with("category_"));
        let problem = |name: &str| match check_category(name) {
            Err(StoreError::BadCategory { problem, .. }) => Some(problem),
            _ => None,
        };
        assert_eq!(problem("  "), Some(CategoryProblem::Empty));
        assert_eq!(problem("a\nb"), Some(CategoryProblem::Control('\n')));
        assert_eq!(
            problem("UK/Mobile"),
            Some(CategoryProblem::PathSeparator('/'))
        );
        assert_eq!(
            problem("..\\etc"),
            Some(CategoryProblem::PathSeparator('\\'))
        );
        assert_eq!(
            problem("UAE\u{202E}eliboM"),
            Some(CategoryProblem::Bidi('\u{202E}'))
        );
        assert_eq!(problem(&"x".repeat(65)), Some(CategoryProblem::TooLong(65)));
        for hidden in ['\u{200B}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{3164}'] {
            assert_eq!(
                problem(&format!("UAE{hidden}Mobile")),
                Some(CategoryProblem::Invisible(hidden)),
                "U+{:04X}",
                hidden as u32
            );
        }
        assert_eq!(check_category(&"ж".repeat(64)).unwrap(), "ж".repeat(64));
        assert_eq!(check_category(" UAE ").unwrap(), "UAE");
        assert_eq!(
            check_category("Émirats arabes unis – Mobile").unwrap(),
            "Émirats arabes unis – Mobile"
        );
        assert_eq!(check_category("الإمارات").unwrap(), "الإمارات");
        assert_eq!(
            check_category("\u{645}\u{6CC}\u{200C}\u{62E}").unwrap(),
            "\u{645}\u{6CC}\u{200C}\u{62E}",
            "Persian needs its joiners"
        );
        assert_eq!(
            check_category("\u{260E}\u{FE0F} Phones").unwrap(),
            "\u{260E}\u{FE0F} Phones"
        );
    }
}
