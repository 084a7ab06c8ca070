//! The history page: a search by number (or a few of its digits), holder,
//! category and days, the newest uses first, and the export of everything
//! the search matches as CSV or XLSX. Admins search every use; a user
//! searches their own.

use std::sync::Arc;

use askama::Template;
use axum::{
    body::Body,
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use numbot_core::HistorySearch;
use numbot_export::{period, Format};
use serde::Deserialize;

use super::{
    pages::{html, short_time, tabs, unavailable, Tab, T},
    viewer, Viewer, Web,
};
use crate::i18n::Lang;

/// Uses a page shows: the newest; the export has them all.
const SHOWN: usize = 100;

/// The search as the page's form sends it (every field optional).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    category: String,
    /// A UTC day, `YYYY-MM-DD`: uses that ended on it or after.
    #[serde(default)]
    from: String,
    /// A UTC day: uses that ended on it or before.
    #[serde(default)]
    to: String,
    /// `csv` or `xlsx` (the export).
    #[serde(default)]
    format: String,
}

/// `s` trimmed, unless nothing is left.
fn given(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

impl SearchForm {
    /// The search `viewer` may make of it (a user's is of their own
    /// uses), or why the form is wrong.
    fn search(&self, viewer: &Viewer, limit: usize) -> Result<HistorySearch, String> {
        let lang = viewer.lang;
        let mut query = period(given(&self.from), given(&self.to))
            .map_err(|bad| tr!(lang, "export-bad-date", date = format!("{:?}", bad.0)))?;
        query.holder = if viewer.admin {
            given(&self.holder)
                .map(|h| {
                    h.parse::<i64>()
                        .map_err(|_| tr!(lang, "web-search-bad-holder", holder = h.to_string()))
                })
                .transpose()?
        } else {
            Some(viewer.user)
        };
        Ok(HistorySearch {
            query,
            number: HistorySearch::digits(&self.number),
            category: given(&self.category).map(str::to_string),
            limit,
        })
    }
}

struct UseRow {
    number: String,
    holder: String,
    category: String,
    start: String,
    ended: &'static str,
    codes: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct History {
    t: T,
    tabs: Vec<Tab>,
    admin: bool,
    form: SearchForm,
    categories: Vec<String>,
    problem: Option<String>,
    shown: String,
    rows: Vec<UseRow>,
}

/// `GET /page/history?number=&holder=&category=&from=&to=`.
pub(crate) async fn page(web: &Web, v: &Viewer, form: SearchForm) -> Response {
    let lang = v.lang;
    let numbers = &web.app.numbers;
    let categories = match numbers.categories().await {
        Ok(c) => c.into_iter().map(|(name, _)| name).collect(),
        Err(e) => return unavailable(lang, e),
    };
    let (found, problem) = match form.search(v, SHOWN) {
        Ok(search) => match numbers.search_history(&search).await {
            Ok(found) => (found, None),
            Err(e) => return unavailable(lang, e),
        },
        Err(problem) => (Vec::new(), Some(problem)),
    };
    let shown = if found.len() == SHOWN {
        tr!(lang, "web-history-more", count = SHOWN)
    } else {
        tr!(lang, "web-history-shown", count = found.len())
    };
    let rows = found
        .into_iter()
        .map(|r| UseRow {
            holder: holder(lang, r.holder),
            start: short_time(i64::from(r.start)),
            ended: r.ended.as_str(),
            codes: codes(&r.codes),
            number: r.number,
            category: r.category,
        })
        .collect();
    html(History {
        tabs: tabs(v, "history"),
        t: T(lang),
        admin: v.admin,
        form,
        categories,
        problem,
        shown,
        rows,
    })
}

/// A use's codes: their texts, or how many came when the configuration
/// keeps no texts (`history.keep_codes`).
fn codes(codes: &[numbot_core::CodeSeen]) -> String {
    let texts: Vec<&str> = codes.iter().filter_map(|c| c.code.as_deref()).collect();
    if texts.is_empty() && !codes.is_empty() {
        format!("({})", codes.len())
    } else {
        texts.join(", ")
    }
}

/// A holder as an admin reads it: a Telegram user, or an API token.
fn holder(lang: Lang, holder: i64) -> String {
    match numbot_core::tokens::token_of(holder) {
        Some(token) => tr!(lang, "web-holder-token", token = token),
        None => holder.to_string(),
    }
}

/// `GET /export?format=csv|xlsx&…`: every use the search matches (not
/// only the page's), as a file; audited like the bot's `/export`.
pub(crate) async fn export(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Query(form): Query<SearchForm>,
) -> Response {
    let v = match viewer(&web, &headers).await {
        Ok(v) => v,
        Err(refusal) => return refusal,
    };
    let lang = v.lang;
    let bad = |message: String| (StatusCode::BAD_REQUEST, message).into_response();
    let format = match form.format.as_str() {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        other => return bad(tr!(lang, "web-export-format", format = other.to_string())),
    };
    let search = match form.search(&v, usize::MAX) {
        Ok(s) => s,
        Err(problem) => return bad(problem),
    };
    let numbers = &web.app.numbers;
    let stream = match numbers.history_matching(search).await {
        Ok(s) => s,
        Err(e) => return unavailable(lang, e),
    };
    let dir = match tokio::task::spawn_blocking(tempfile::tempdir).await {
        Ok(Ok(dir)) => dir,
        other => return unavailable(lang, format!("no temporary directory: {other:?}")),
    };
    let name = format!("uses.{}", format.extension());
    let path = dir.path().join(&name);
    let dir = Cleanup(Some(dir));
    let written = match numbot_export::write(stream, format, &path).await {
        Ok(uses) => match tokio::fs::File::open(&path).await {
            Ok(file) => file
                .metadata()
                .await
                .map(|m| (uses, file, m.len()))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        },
        Err(e) => Err(e.to_string()),
    };
    let (uses, file, length) = match written {
        Ok(written) => written,
        Err(e) => return unavailable(lang, e),
    };
    if v.admin {
        let detail = format!("the Mini App's search ({}): {uses} uses", describe(&form));
        numbers.exported(v.user, &detail).await;
    }
    let kind = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_LENGTH, length.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(chunks(file, dir)),
    )
        .into_response()
}

/// The file's bytes a chunk at a time (an export of a million uses is
/// over a hundred megabytes), its directory removed after the last.
fn chunks(
    file: tokio::fs::File,
    dir: Cleanup,
) -> impl futures::Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    use tokio::io::AsyncReadExt;
    futures::stream::unfold(Some((file, dir)), |state| async move {
        let (mut file, dir) = state?;
        let mut chunk = vec![0; 64 * 1024];
        match file.read(&mut chunk).await {
            Ok(0) => None,
            Ok(n) => {
                chunk.truncate(n);
                Some((Ok(chunk), Some((file, dir))))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// A temporary directory removed on a blocking thread when dropped.
struct Cleanup(Option<tempfile::TempDir>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Some(dir) = self.0.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(move || drop(dir))),
            Err(_) => drop(dir),
        }
    }
}

/// The filters of `form`, for the audit trail.
fn describe(form: &SearchForm) -> String {
    let fields = [
        ("number", &form.number),
        ("holder", &form.holder),
        ("category", &form.category),
        ("from", &form.from),
        ("to", &form.to),
    ];
    let given: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k} {}", v.trim()))
        .collect();
    if given.is_empty() {
        "everything".into()
    } else {
        given.join(", ")
    }
}
