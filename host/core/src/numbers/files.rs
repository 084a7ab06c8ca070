//! The pool's files: an upload is inspected once (the validator, the
//! category its rows name), imported into a category (given, hinted, or
//! the admin's answer to the category question), deleted; and what
//! admins read of the pool (categories, files, statistics, the history).

use std::{collections::VecDeque, future::Future, sync::Arc, sync::Mutex};

use crate::{
    audit::AuditAction,
    clock::unix_now,
    error::StoreError,
    history::{HistoryQuery, HistorySearch, UseRecord, UseStream, DAY},
    model::{FileInfo, FileMeta, Stats},
    plugins::Validation,
    questions::PendingUpload,
    upload::{self, check_category, Prepared, Upload, UploadReport},
    users::UserStoreError,
};

pub use crate::upload::CategoryHint;

use super::Numbers;

/// An uploaded file read by the validator, once: what it holds and the
/// category its rows name.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The name the admin gave the file.
    pub file_name: String,
    /// Its bytes, kept as they came.
    pub bytes: Arc<Vec<u8>>,
    /// What its rows say of the category.
    pub hint: CategoryHint,
    validation: Arc<Validation>,
}

impl Inspection {
    /// Rows the validator read as numbers.
    pub fn numbers(&self) -> u64 {
        self.validation.numbers.len() as u64
    }
}

/// Inspections of files waiting for their category, so that an answer
/// reaching this process neither fetches nor validates the file again.
/// Bounded: a few files, and their bytes.
#[derive(Default)]
pub(crate) struct Inspections {
    kept: Mutex<VecDeque<(String, Inspection)>>,
}

/// Inspections kept at most, and their bytes.
const KEPT_INSPECTIONS: usize = 8;
const KEPT_BYTES: usize = 64 << 20;

impl Inspections {
    fn keep(&self, file_id: &str, inspection: Inspection) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(id, _)| id != file_id);
        kept.push_back((file_id.to_string(), inspection));
        while kept.len() > KEPT_INSPECTIONS
            || kept.iter().map(|(_, i)| i.bytes.len()).sum::<usize>() > KEPT_BYTES
        {
            kept.pop_front();
        }
    }

    fn take(&self, file_id: &str) -> Option<Inspection> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let at = kept.iter().position(|(id, _)| id == file_id)?;
        kept.remove(at).map(|(_, i)| i)
    }
}

/// The answer to the category question, and what came of it.
#[derive(Debug)]
pub enum Answered {
    /// No question is waiting (or another answer took it).
    NoQuestion,
    /// The answer is about another file than the one waiting now.
    OutOfDate,
    /// The question was asked too long ago.
    Lapsed(PendingUpload),
    /// The admin cancelled the upload.
    Cancelled(PendingUpload),
    /// The answer cannot be a category: the question still waits.
    BadCategory(StoreError),
    /// The file could not be fetched again: the question still waits.
    FetchFailed(PendingUpload, String),
    /// The file went in.
    Imported(UploadReport),
    /// The file could not go in (nothing new in it, a plugin failed).
    Failed(PendingUpload, StoreError),
}

/// One UTC day of use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayUsage {
    /// The day's first second (Unix).
    pub start: i64,
    /// Numbers taken that day.
    pub taken: u64,
    /// Codes received that day.
    pub codes: u64,
}

/// What the admin answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer<'a> {
    /// This category (typed, or a button naming one).
    Category(&'a str),
    /// Cancel the upload.
    Cancel,
}

impl Numbers {
    /// Reads an uploaded file with the validator, once.
    pub async fn inspect(
        &self,
        file_name: &str,
        bytes: Arc<Vec<u8>>,
    ) -> Result<Inspection, StoreError> {
        let validation = self
            .plugins
            .validate(file_name.to_string(), bytes.clone())
            .await?;
        Ok(Inspection {
            file_name: file_name.to_string(),
            bytes,
            hint: upload::category_hint(&validation),
            validation: Arc::new(validation),
        })
    }

    /// What importing an inspected file into `category` would give, with
    /// nothing stored: the formatter's verdicts, the rows refused and why,
    /// the numbers repeated in the file (numbers the pool holds already are
    /// found when it is imported).
    pub async fn preview(
        &self,
        admin: i64,
        inspection: &Inspection,
        category: &str,
        default_country: Option<String>,
    ) -> Result<Prepared, StoreError> {
        let category = check_category(category)?;
        let upload = Upload {
            file_name: inspection.file_name.clone(),
            bytes: inspection.bytes.clone(),
            category: category.clone(),
            admin,
            default_country,
        };
        upload::format(&*self.plugins, &inspection.validation, &upload, category).await
    }

    /// Imports an inspected file into `category` for `admin`: its preview,
    /// then deduplication against the pool and the pool; audited.
    pub async fn import(
        &self,
        admin: i64,
        inspection: &Inspection,
        category: &str,
        default_country: Option<String>,
    ) -> Result<UploadReport, StoreError> {
        let prepared = self
            .preview(admin, inspection, category, default_country)
            .await?;
        let report = self
            .store
            .import(prepared, inspection.bytes.clone())
            .await?;
        let detail = format!(
            "{} -> {} ({} numbers in {})",
            inspection.file_name, report.file, report.accepted, report.category
        );
        self.auditor
            .record(admin, AuditAction::Upload, &detail)
            .await;
        Ok(report)
    }

    /// Keeps the question "which category?" about `pending` for `admin`,
    /// then asks it with `ask` (given the question it replaces); a question
    /// that could not be asked is withdrawn.
    pub async fn ask_category<F, Fut, T, E>(
        &self,
        admin: i64,
        pending: PendingUpload,
        inspection: Inspection,
        ask: F,
    ) -> Result<Result<T, E>, UserStoreError>
    where
        F: FnOnce(Option<PendingUpload>) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let file_id = pending.file_id.clone();
        self.inspections.keep(&file_id, inspection);
        // Kept before the question goes out, so that however fast the admin
        // answers (on whichever replica), the answer finds it.
        let replaced = self
            .records
            .questions
            .put_pending_upload(admin, pending)
            .await?;
        let asked = ask(replaced).await;
        if asked.is_err() {
            // Not asked: no answer may be taken for it.
            self.records
                .questions
                .take_pending_upload(admin, &file_id)
                .await?;
            self.inspections.take(&file_id);
        }
        Ok(asked)
    }

    /// `admin`'s question, if one waits.
    pub async fn question(&self, admin: i64) -> Result<Option<PendingUpload>, UserStoreError> {
        self.records.questions.pending_upload(admin).await
    }

    /// `admin` answers the question about `file_id` (`None`: whichever
    /// waits, a typed answer). The question is taken once; the file is
    /// fetched again with `fetch` unless this process still holds it; an
    /// answer that cannot be used leaves the question waiting.
    pub async fn answer_category<F, Fut>(
        &self,
        admin: i64,
        file_id: Option<&str>,
        answer: Answer<'_>,
        default_country: Option<String>,
        fetch: F,
    ) -> Result<Answered, UserStoreError>
    where
        F: FnOnce(PendingUpload) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, String>>,
    {
        let questions = &self.records.questions;
        let Some(waiting) = questions.pending_upload(admin).await? else {
            return Ok(Answered::NoQuestion);
        };
        if file_id.is_some_and(|f| f != waiting.file_id) {
            return Ok(Answered::OutOfDate);
        }
        let category = match answer {
            Answer::Category(c) if waiting.fresh(unix_now()) => match check_category(c) {
                Ok(c) => Some(c),
                Err(e) => return Ok(Answered::BadCategory(e)),
            },
            _ => None,
        };
        let Some(pending) = questions
            .take_pending_upload(admin, &waiting.file_id)
            .await?
        else {
            return Ok(Answered::NoQuestion);
        };
        let kept = self.inspections.take(&pending.file_id);
        let Some(category) = category else {
            return Ok(if pending.fresh(unix_now()) {
                Answered::Cancelled(pending)
            } else {
                Answered::Lapsed(pending)
            });
        };
        let inspection = match kept {
            Some(i) => i,
            None => match fetch(pending.clone()).await {
                Ok(bytes) => match self.inspect(&pending.file_name, Arc::new(bytes)).await {
                    Ok(i) => i,
                    Err(e) => return Ok(Answered::Failed(pending, e)),
                },
                Err(e) => {
                    // Still waiting: the admin may answer again.
                    questions.put_pending_upload(admin, pending.clone()).await?;
                    return Ok(Answered::FetchFailed(pending, e));
                }
            },
        };
        Ok(
            match self
                .import(admin, &inspection, &category, default_country)
                .await
            {
                Ok(report) => Answered::Imported(report),
                Err(e) => Answered::Failed(pending, e),
            },
        )
    }

    /// Deletes a file for `admin`: its free numbers leave the pool now,
    /// held ones when their use ends; audited.
    pub async fn delete_file(&self, admin: i64, name: &str) -> Result<FileMeta, StoreError> {
        let meta = self.store.delete_file(name).await?;
        let detail = format!("{name} ({})", meta.country_name);
        self.auditor
            .record(admin, AuditAction::Delete, &detail)
            .await;
        Ok(meta)
    }

    /// Categories with their free numbers, by name.
    pub async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.store.categories().await
    }

    /// Files with metadata and live usage, by name.
    pub async fn files(&self) -> Result<Vec<FileInfo>, StoreError> {
        self.store.files().await
    }

    /// Usage by category and by file.
    pub async fn stats(&self) -> Result<Stats, StoreError> {
        self.store.stats().await
    }

    /// The uses that ended, oldest first, as `query` narrows them.
    pub async fn history(&self, query: HistoryQuery) -> Result<UseStream, StoreError> {
        self.store.history(query).await
    }

    /// The newest uses `search` matches, newest first (the Mini App's
    /// history search).
    pub async fn search_history(
        &self,
        search: &HistorySearch,
    ) -> Result<Vec<UseRecord>, StoreError> {
        self.store.search_history(search).await
    }

    /// Every use `search` matches, oldest first, its limit aside: the
    /// export of what a search shows.
    pub async fn history_matching(&self, search: HistorySearch) -> Result<UseStream, StoreError> {
        let query = HistoryQuery {
            last: None,
            ..search.query
        };
        let mut all = self.store.history(query).await?;
        let (tx, rx) = tokio::sync::mpsc::channel(crate::history::STREAM_BUFFER);
        tokio::spawn(async move {
            while let Some(r) = all.recv().await {
                let wanted = r.as_ref().map_or(true, |r| search.matches(r));
                if wanted && tx.send(r).await.is_err() {
                    return;
                }
            }
        });
        Ok(rx)
    }

    /// Numbers taken (uses begun, ended or not) and codes received per
    /// UTC day over the last `days` days, today included, oldest first:
    /// from the history's day counts and the holds of now.
    pub async fn usage_by_day(&self, days: i64) -> Result<Vec<DayUsage>, StoreError> {
        let now = i64::from(self.store.now());
        let first = now - now.rem_euclid(DAY) - (days - 1) * DAY;
        let counts = self.store.count_days(first, days as usize).await?;
        let mut out: Vec<DayUsage> = counts
            .iter()
            .enumerate()
            .map(|(i, c)| DayUsage {
                start: first + i as i64 * DAY,
                taken: c.began,
                codes: c.codes,
            })
            .collect();
        for a in self.store.assignments().await? {
            let i = (i64::from(a.since) - first).div_euclid(DAY);
            if let Some(day) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
                day.taken += 1;
            }
        }
        Ok(out)
    }

    /// `admin` exported the history (`detail`: the period and the count).
    pub async fn exported(&self, admin: i64, detail: &str) {
        self.auditor
            .record(admin, AuditAction::Export, detail)
            .await;
    }
}
