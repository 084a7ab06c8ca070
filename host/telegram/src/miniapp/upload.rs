//! Uploads from the Mini App: a CSV is previewed first (the validator's and
//! the formatter's verdicts, the rows refused and why, nothing stored), and
//! imported only when the admin confirms, through the same use cases as a
//! file sent to the bot. The inspection waits in this process between the
//! two steps, so the file is read by the plugins once.

use std::{collections::VecDeque, sync::Arc, sync::Mutex};

use askama::Template;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    Json,
};
use numbot_core::{numbers::Inspection, CategoryHint, StoreError};
use serde_json::json;

use super::{pages::T, viewer, Viewer, Web};
use crate::i18n::Lang;

/// Previews kept at most: an admin previews a few files at a time.
const KEPT: usize = 8;

/// Refused rows listed on a preview (the counts by reason cover the rest).
const LISTED: usize = 20;

/// Previewed files waiting for the admin's go-ahead, by preview id.
#[derive(Default)]
pub(crate) struct Previews {
    kept: Mutex<VecDeque<(String, Kept)>>,
}

struct Kept {
    admin: i64,
    category: String,
    inspection: Inspection,
}

impl Previews {
    fn keep(&self, id: String, kept: Kept) {
        let mut all = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        all.push_back((id, kept));
        while all.len() > KEPT {
            all.pop_front();
        }
    }

    /// The preview `id` of `admin`'s, taken (it is imported once).
    fn take(&self, id: &str, admin: i64) -> Option<Kept> {
        let mut all = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let at = all
            .iter()
            .position(|(k, kept)| k == id && kept.admin == admin)?;
        all.remove(at).map(|(_, kept)| kept)
    }
}

struct Reason {
    reason: String,
    count: u64,
}

struct Line {
    line: u32,
    content: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "preview.html")]
struct Preview {
    t: T,
    tabs: Vec<super::pages::Tab>,
    id: String,
    heading: String,
    summary: String,
    import: String,
    accepted: u64,
    country: String,
    reasons: Vec<Reason>,
    lines: Vec<Line>,
}

fn refused(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// Percent-decoded header `name` (the page encodes file and category
/// names, which may be any script).
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    let raw = headers.get(name)?.to_str().ok()?;
    let decoded = url::form_urlencoded::parse(format!("v={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.trim().to_string())?;
    (!decoded.is_empty()).then_some(decoded)
}

/// `POST /upload`: the file's bytes, its name in `X-File-Name` and the
/// category in `X-Category` (else the one its rows name); the preview page,
/// or 4xx with why not.
pub(crate) async fn preview(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let v = match admin(&web, &headers).await {
        Ok(v) => v,
        Err(refusal) => return refusal,
    };
    let lang = v.lang;
    let name = header(&headers, "x-file-name").unwrap_or_else(|| "upload.csv".into());
    if let Some(why) = crate::admin::upload::refusal(lang, &name, body.len() as u64) {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, why);
    }
    let numbers = &web.app.numbers;
    let inspection = match numbers.inspect(&name, Arc::new(body.to_vec())).await {
        Ok(i) => i,
        Err(e) => return failed(lang, &e),
    };
    let category = match (header(&headers, "x-category"), &inspection.hint) {
        (Some(c), _) => c,
        (None, CategoryHint::One(c)) => c.clone(),
        (None, CategoryHint::Unclear(_)) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                tr!(lang, "web-upload-name-category"),
            )
        }
    };
    let default_country = web.app.settings.default_country.clone();
    let prepared = match numbers
        .preview(v.user, &inspection, &category, default_country)
        .await
    {
        Ok(p) => p,
        Err(e) => return failed(lang, &e),
    };
    let id = hex::encode(rand::random::<[u8; 16]>());
    let accepted = prepared.numbers.len() as u64;
    let page = Preview {
        heading: tr!(lang, "web-upload-preview", file = name.as_str()),
        summary: tr!(
            lang,
            "web-upload-summary",
            rows = prepared.rows,
            accepted = accepted,
            duplicates = prepared.duplicates_in_file,
            rejected = prepared.rejected_count
        ),
        import: tr!(
            lang,
            "web-upload-import",
            n = accepted,
            category = prepared.category.as_str()
        ),
        accepted,
        country: prepared
            .country_code
            .as_deref()
            .map(|c| tr!(lang, "web-upload-country", country = c))
            .unwrap_or_default(),
        reasons: prepared
            .rejected_by_reason
            .iter()
            .map(|(reason, count)| Reason {
                reason: reason.clone(),
                count: *count,
            })
            .collect(),
        lines: prepared
            .rejected
            .iter()
            .take(LISTED)
            .map(|r| Line {
                line: r.line,
                content: r.content.clone(),
                reason: r.reason.clone(),
            })
            .collect(),
        id: id.clone(),
        tabs: super::pages::tabs(&v, "files"),
        t: T(lang),
    };
    web.previews.keep(
        id,
        Kept {
            admin: v.user,
            category: prepared.category,
            inspection,
        },
    );
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!("Mini App preview: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The previewed file `id` imported for the viewer: the answer to the
/// page's `import` action.
pub(crate) async fn import(web: &Web, v: &Viewer, id: &str) -> Response {
    let lang = v.lang;
    let Some(kept) = web.previews.take(id, v.user) else {
        return super::pages::answer(
            StatusCode::CONFLICT,
            tr!(lang, "web-upload-gone"),
            Some("files"),
        );
    };
    let default_country = web.app.settings.default_country.clone();
    match web
        .app
        .numbers
        .import(v.user, &kept.inspection, &kept.category, default_country)
        .await
    {
        Ok(report) => super::pages::answer(
            StatusCode::OK,
            tr!(
                lang,
                "web-upload-imported",
                n = report.accepted,
                category = report.category.as_str(),
                file = report.file.as_str(),
                in_pool = report.duplicates_in_pool
            ),
            Some("files"),
        ),
        Err(e) => super::pages::answer(
            StatusCode::CONFLICT,
            tr!(lang, "web-failed", reason = e.to_string()),
            Some("files"),
        ),
    }
}

/// The session's admin, with the CSRF token checked; or the refusal (a
/// user's attempt audited).
async fn admin(web: &Web, headers: &HeaderMap) -> Result<Viewer, Response> {
    let v = viewer(web, headers).await?;
    let csrf = headers.get("x-csrf-token").and_then(|h| h.to_str().ok());
    if csrf != Some(v.session.csrf.as_str()) {
        return Err(refused(
            StatusCode::FORBIDDEN,
            tr!(v.lang, "web-refused-csrf"),
        ));
    }
    if !v.admin {
        web.app
            .numbers
            .denied(v.user, "the Mini App's upload")
            .await;
        return Err(refused(
            StatusCode::FORBIDDEN,
            tr!(v.lang, "web-refused-admin-only"),
        ));
    }
    Ok(v)
}

fn failed(lang: Lang, e: &StoreError) -> Response {
    refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        tr!(lang, "web-failed", reason = e.to_string()),
    )
}
