//! The Mini App's pages, rendered here from the use cases' read models
//! (askama templates in `templates/`, escaped), and its actions, each
//! through the use case the bot calls for it.

use std::sync::Arc;

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    Json,
};
use numbot_core::{
    numbers::people::{DecideError, Decision},
    Account, StoreError, TakeError, UseId, UserRecord, UserStatus,
};
use serde::Deserialize;
use serde_json::json;

use super::{charts, not_found, search, search::SearchForm, viewer, PageName, Viewer, Web};
use crate::{access, app::Caller, i18n::Lang};

/// Messages by id in the viewer's language, for the templates.
pub(crate) struct T(pub Lang);

impl T {
    /// Message `key`.
    pub(crate) fn t(&self, key: &str) -> String {
        self.0.text(key, &[])
    }
}

/// A tab of the page's navigation.
pub(crate) struct Tab {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    pub(crate) current: bool,
}

/// The navigation for `viewer`, with `current` marked.
pub(crate) fn tabs(viewer: &Viewer, current: &str) -> Vec<Tab> {
    let lang = viewer.lang;
    let admin = [
        ("overview", tr!(lang, "web-tab-overview")),
        ("files", tr!(lang, "web-tab-files")),
        ("users", tr!(lang, "web-tab-users")),
        ("audit", tr!(lang, "web-tab-audit")),
    ];
    let everyone = [
        ("me", tr!(lang, "web-tab-me")),
        ("categories", tr!(lang, "web-tab-categories")),
        ("history", tr!(lang, "web-tab-history")),
    ];
    admin
        .into_iter()
        .filter(|_| viewer.admin)
        .chain(everyone)
        .map(|(name, label)| Tab {
            name,
            label,
            current: name == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "shell.html")]
struct Shell {
    version: &'static str,
}

/// The page the script fills.
pub(crate) fn shell() -> String {
    Shell {
        version: env!("CARGO_PKG_VERSION"),
    }
    .render()
    .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "refused.html")]
struct Refused<'a> {
    dir: &'a str,
    message: &'a str,
}

/// A page saying why not.
pub(crate) fn refused(lang: Lang, message: &str) -> String {
    Refused {
        dir: if lang.code() == "ar" { "rtl" } else { "ltr" },
        message,
    }
    .render()
    .unwrap_or_default()
}

struct CategoryRow {
    name: String,
    free: u64,
    held: u64,
    cooling: u64,
    retired: u64,
    total: u64,
}

/// The SMS provider's health, as the overview shows it.
struct ProviderRow {
    /// `ok`, `failing`, `idle` or `standby`: the section's class.
    state: &'static str,
    summary: String,
    polls: String,
}

impl ProviderRow {
    fn new(lang: Lang, h: &numbot_otp::ProviderHealth) -> ProviderRow {
        let (state, summary) = if !h.leading {
            ("standby", tr!(lang, "web-provider-standby"))
        } else if let (true, Some((at, error))) = (h.failures > 0, &h.last_failure) {
            (
                "failing",
                tr!(
                    lang,
                    "web-provider-failing",
                    failures = h.failures,
                    when = short_time(*at),
                    error = error.as_str()
                ),
            )
        } else if let Some(at) = h.last_ok {
            (
                "ok",
                tr!(
                    lang,
                    "web-provider-ok",
                    when = short_time(at),
                    watched = h.watched
                ),
            )
        } else {
            ("idle", tr!(lang, "web-provider-idle"))
        };
        ProviderRow {
            state,
            summary,
            polls: tr!(
                lang,
                "web-provider-polls",
                ok = h.polls.0,
                failed = h.polls.1
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "overview.html")]
struct Overview {
    t: T,
    tabs: Vec<Tab>,
    pool: String,
    trend: String,
    rows: Vec<CategoryRow>,
    provider: Option<ProviderRow>,
}

struct FileRow {
    name: String,
    category: String,
    uploaded: String,
    numbers: u64,
    used: u64,
    free: u64,
    confirm: String,
}

#[derive(Template)]
#[template(path = "files.html")]
struct Files {
    t: T,
    tabs: Vec<Tab>,
    rows: Vec<FileRow>,
}

struct UserRow {
    id: i64,
    name: String,
    status: String,
    pending: bool,
    banned: bool,
    admin: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct Users {
    t: T,
    tabs: Vec<Tab>,
    rows: Vec<UserRow>,
}

struct AuditRow {
    at: String,
    actor: i64,
    action: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Audit {
    t: T,
    tabs: Vec<Tab>,
    rows: Vec<AuditRow>,
}

struct Held {
    id: String,
    display: String,
    category: String,
    until: String,
    codes: Vec<CodeRow>,
}

struct CodeRow {
    at: String,
    code: String,
    text: String,
}

#[derive(Template)]
#[template(path = "me.html")]
struct Me {
    t: T,
    tabs: Vec<Tab>,
    held: Option<Held>,
}

#[derive(Template)]
#[template(path = "categories.html")]
struct Categories {
    t: T,
    tabs: Vec<Tab>,
    rows: Vec<(String, u64)>,
}

pub(crate) fn html(page: impl Template) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!("Mini App page: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub(crate) fn unavailable(lang: Lang, e: impl std::fmt::Display) -> Response {
    tracing::error!("Mini App: {e}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(refused(lang, &tr!(lang, "web-unavailable"))),
    )
        .into_response()
}

pub(crate) fn short_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Pages only admins may see.
const ADMIN_PAGES: [&str; 4] = ["overview", "files", "users", "audit"];

/// `GET /page/{name}`: a page for the session's viewer.
pub(crate) async fn page(
    State(web): State<Arc<Web>>,
    name: PageName,
    headers: HeaderMap,
    Query(form): Query<SearchForm>,
) -> Response {
    let v = match viewer(&web, &headers).await {
        Ok(v) => v,
        Err(refusal) => return refusal,
    };
    let name = name.0;
    if ADMIN_PAGES.contains(&name.as_str()) && !v.admin {
        web.app
            .numbers
            .denied(v.user, &format!("the Mini App's {name} page"))
            .await;
        return (
            StatusCode::FORBIDDEN,
            Html(refused(v.lang, &tr!(v.lang, "web-refused-admin-only"))),
        )
            .into_response();
    }
    let numbers = &web.app.numbers;
    let lang = v.lang;
    match name.as_str() {
        "overview" => {
            let (stats, days) = match tokio::try_join!(numbers.stats(), numbers.usage_by_day(14)) {
                Ok(found) => found,
                Err(e) => return unavailable(lang, e),
            };
            let categories: Vec<_> = stats.categories.into_iter().collect();
            let words = charts::Words {
                title: tr!(lang, "web-pool-title"),
                states: [
                    tr!(lang, "web-free"),
                    tr!(lang, "web-held"),
                    tr!(lang, "web-cooling"),
                    tr!(lang, "web-retired"),
                ],
                rtl: v.rtl(),
            };
            let trend: Vec<(String, u64)> = days
                .iter()
                .map(|d| {
                    let day = chrono::DateTime::from_timestamp(d.start, 0)
                        .map(|t| t.format("%d").to_string())
                        .unwrap_or_default();
                    (day, d.taken)
                })
                .collect();
            html(Overview {
                pool: charts::pool(&categories, &words),
                trend: charts::trend(&trend, &tr!(lang, "web-trend-title"), v.rtl()),
                rows: categories
                    .iter()
                    .map(|(name, u)| CategoryRow {
                        name: name.clone(),
                        free: u.available,
                        held: u.assigned,
                        cooling: u.cooling,
                        retired: u.retired,
                        total: u.total,
                    })
                    .collect(),
                provider: web
                    .app
                    .provider
                    .as_ref()
                    .map(|p| ProviderRow::new(lang, &p.health())),
                tabs: tabs(&v, "overview"),
                t: T(lang),
            })
        }
        "files" => match numbers.files().await {
            Ok(files) => html(Files {
                rows: files
                    .into_iter()
                    .filter(|f| !f.meta.deleted)
                    .map(|f| FileRow {
                        confirm: tr!(lang, "web-delete-confirm", file = f.name.as_str()),
                        category: f.meta.country_name,
                        uploaded: f.meta.created_at.chars().take(16).collect(),
                        numbers: f.meta.number_count,
                        used: f.usage.used_numbers,
                        free: f.usage.available,
                        name: f.name,
                    })
                    .collect(),
                tabs: tabs(&v, "files"),
                t: T(lang),
            }),
            Err(e) => unavailable(lang, e),
        },
        "users" => {
            let mut rows = Vec::new();
            for status in [UserStatus::Pending, UserStatus::Active, UserStatus::Banned] {
                match numbers.users_with(status).await {
                    Ok(users) => rows.extend(users.into_iter().map(|r| user_row(&web, lang, r))),
                    Err(e) => return unavailable(lang, e),
                }
            }
            html(Users {
                rows,
                tabs: tabs(&v, "users"),
                t: T(lang),
            })
        }
        "audit" => match numbers.recent_audit(100).await {
            Ok(events) => html(Audit {
                rows: events
                    .into_iter()
                    .map(|e| AuditRow {
                        at: short_time(e.at),
                        actor: e.actor,
                        action: e.action.as_str(),
                        detail: e.detail,
                    })
                    .collect(),
                tabs: tabs(&v, "audit"),
                t: T(lang),
            }),
            Err(e) => unavailable(lang, e),
        },
        "me" => {
            let held = match numbers.holding(v.user).await {
                Ok(h) => h,
                Err(e) => return unavailable(lang, e),
            };
            let held = match held {
                Some(a) => {
                    let shown = numbers.view(&a.number).await;
                    let account = Account::User {
                        id: v.user,
                        admin: v.admin,
                    };
                    let codes = numbers
                        .use_state(&account, a.id)
                        .await
                        .map(|s| s.received.messages)
                        .unwrap_or_default();
                    Some(Held {
                        id: a.id.to_string(),
                        display: shown.display,
                        category: a.category,
                        until: short_time(i64::from(a.until)),
                        codes: codes
                            .into_iter()
                            .rev()
                            .map(|m| CodeRow {
                                at: short_time(m.received_at),
                                code: m.code.unwrap_or_default(),
                                text: m.text,
                            })
                            .collect(),
                    })
                }
                None => None,
            };
            html(Me {
                held,
                tabs: tabs(&v, "me"),
                t: T(lang),
            })
        }
        "categories" => match numbers.categories().await {
            Ok(rows) => html(Categories {
                rows,
                tabs: tabs(&v, "categories"),
                t: T(lang),
            }),
            Err(e) => unavailable(lang, e),
        },
        "history" => search::page(&web, &v, form).await,
        other => not_found(lang, other),
    }
}

fn user_row(web: &Web, lang: Lang, r: UserRecord) -> UserRow {
    UserRow {
        status: match r.status {
            UserStatus::Active => tr!(lang, "web-status-active"),
            UserStatus::Pending => tr!(lang, "web-status-pending"),
            UserStatus::Banned => tr!(lang, "web-status-banned"),
        },
        pending: r.status == UserStatus::Pending,
        banned: r.status == UserStatus::Banned,
        admin: web.app.is_admin(r.id),
        id: r.id,
        name: r.name,
    }
}

#[derive(Deserialize)]
pub(crate) struct Act {
    #[serde(default)]
    arg: String,
}

/// `POST /act/{name} {arg}`: an action, with the session's CSRF token in
/// `X-CSRF-Token`; `{message, page}` to show and the page to load next.
pub(crate) async fn act(
    State(web): State<Arc<Web>>,
    name: PageName,
    headers: HeaderMap,
    Json(act): Json<Act>,
) -> Response {
    let v = match viewer(&web, &headers).await {
        Ok(v) => v,
        Err(refusal) => return refusal,
    };
    let lang = v.lang;
    let csrf = headers.get("x-csrf-token").and_then(|h| h.to_str().ok());
    if csrf != Some(v.session.csrf.as_str()) {
        return answer(StatusCode::FORBIDDEN, tr!(lang, "web-refused-csrf"), None);
    }
    let name = name.0;
    let admin_only = matches!(
        name.as_str(),
        "delete" | "approve" | "ban" | "unban" | "import"
    );
    if admin_only && !v.admin {
        web.app
            .numbers
            .denied(v.user, &format!("the Mini App's {name}"))
            .await;
        return answer(
            StatusCode::FORBIDDEN,
            tr!(lang, "web-refused-admin-only"),
            None,
        );
    }
    let numbers = &web.app.numbers;
    let failed = |reason: String| {
        answer(
            StatusCode::CONFLICT,
            tr!(lang, "web-failed", reason = reason),
            None,
        )
    };
    match name.as_str() {
        "delete" => match numbers.delete_file(v.user, &act.arg).await {
            Ok(_) => answer(
                StatusCode::OK,
                tr!(lang, "web-deleted", file = act.arg.as_str()),
                Some("files"),
            ),
            Err(e) => failed(e.to_string()),
        },
        "approve" | "ban" | "unban" => {
            let Ok(target) = act.arg.parse::<i64>() else {
                return failed(act.arg);
            };
            let decision = match name.as_str() {
                "approve" => Decision::Approve,
                "ban" => Decision::Ban,
                _ => Decision::Unban,
            };
            match numbers.decide(v.user, target, decision, None).await {
                Ok(_) => answer(StatusCode::OK, tr!(lang, "web-done-action"), Some("users")),
                Err(e @ (DecideError::Admin(_) | DecideError::NotWaiting(..))) => {
                    failed(e.to_string())
                }
                Err(e) => failed(e.to_string()),
            }
        }
        "take" => take(&web, &v, &act.arg).await,
        "import" => super::upload::import(&web, &v, &act.arg).await,
        "done" | "release" => {
            let Ok(id) = act.arg.parse::<u64>() else {
                return failed(act.arg);
            };
            let account = Account::User {
                id: v.user,
                admin: v.admin,
            };
            let ended = if name == "done" {
                numbers.done(&account, UseId(id)).await
            } else {
                numbers.release(&account, UseId(id)).await
            };
            match ended {
                Ok(_) => answer(StatusCode::OK, tr!(lang, "web-done-action"), Some("me")),
                Err(StoreError::NotCurrent(_)) => failed(tr!(lang, "web-holding-none")),
                Err(e) => failed(e.to_string()),
            }
        }
        _ => answer(
            StatusCode::NOT_FOUND,
            tr!(lang, "web-no-page", page = name.as_str()),
            None,
        ),
    }
}

/// A number of `category` for the viewer, under the bot's access rule.
async fn take(web: &Web, v: &Viewer, category: &str) -> Response {
    let lang = v.lang;
    let record = match web.app.numbers.user(v.user).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return answer(
                StatusCode::FORBIDDEN,
                tr!(lang, "web-refused-stranger"),
                None,
            )
        }
        Err(e) => return unavailable(lang, e),
    };
    let caller = Caller {
        id: v.user,
        chat: teloxide::types::ChatId(v.user),
        admin: v.admin,
        record,
        lang,
    };
    if let Some(why) = access::refusal(&web.bot, &web.app, &caller).await {
        return answer(StatusCode::FORBIDDEN, why, None);
    }
    match web.app.numbers.take(&caller.account(), category).await {
        Ok(_) => answer(StatusCode::OK, tr!(lang, "web-taken"), Some("me")),
        Err(TakeError::Store(StoreError::NoneAvailable(_))) => answer(
            StatusCode::CONFLICT,
            tr!(lang, "user-category-empty", category = category),
            None,
        ),
        Err(TakeError::Store(StoreError::AlreadyAssigned { number, .. })) => answer(
            StatusCode::CONFLICT,
            tr!(lang, "web-already-holding", number = number.as_str()),
            Some("me"),
        ),
        Err(e) => answer(
            StatusCode::CONFLICT,
            tr!(lang, "web-failed", reason = e.to_string()),
            None,
        ),
    }
}

/// An action's answer: the message to show and the page to load next.
pub(crate) fn answer(status: StatusCode, message: String, page: Option<&str>) -> Response {
    (status, Json(json!({ "message": message, "page": page }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_escaped() {
        let page = Refused {
            dir: "ltr",
            message: "<script>alert(1)</script>",
        }
        .render()
        .unwrap();
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(
            page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"),
            "{page}"
        );
    }
}
