//! The Telegram Mini App: a web page opened from the bot's menu button or
//! `/dashboard`, served on a listener of its own (`[web]`). The page reads
//! Telegram's launch data from its URL fragment and exchanges it once for
//! a session ([`launch`] checks the signature); then it loads server
//! rendered pages into itself. Admins see the pool, files, users and the
//! audit trail; users their categories, their number with its codes, and
//! their history. Every action goes through the same use cases as the
//! bot. Every asset is in the binary; the page loads nothing from
//! elsewhere, under a strict Content-Security-Policy.

mod charts;
pub mod launch;
pub mod login;
mod pages;
mod search;
mod upload;

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use numbot_core::{clock::unix_now, sessions::WebSession, UserStatus};
use serde::Deserialize;
use serde_json::json;

use crate::{app::App, i18n::Lang, Tg};

/// `[web]` of the configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// Where the Mini App listens, e.g. `127.0.0.1:8090` behind a TLS
    /// terminator.
    pub listen: SocketAddr,
    /// The public URL of the app (`https://…/app`), as Telegram opens it:
    /// Telegram accepts only https (plain http only on a loopback address,
    /// for local tests).
    pub url: String,
    /// Launch data older than this is refused.
    #[serde(default = "default_max_age")]
    pub launch_max_age_secs: u64,
    /// How long a session lasts.
    #[serde(default = "default_session")]
    pub session_secs: u64,
    /// How long a one-time login link from `/dashboard` works, for opening
    /// the app in a browser outside Telegram; 0: no links.
    #[serde(default = "default_login_link")]
    pub login_link_secs: u64,
}

fn default_login_link() -> u64 {
    600
}

fn default_max_age() -> u64 {
    3600
}

fn default_session() -> u64 {
    3600
}

impl WebConfig {
    /// Why the configuration cannot be served, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let Ok(url) = reqwest::Url::parse(&self.url) else {
            return Some("web.url is not a URL".into());
        };
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Some("web.url must be https: Telegram opens Mini Apps over https only".into());
        }
        if url.fragment().is_some() {
            return Some(
                "web.url must have no #fragment: Telegram puts the launch data there".into(),
            );
        }
        None
    }
}

/// What the handlers share.
pub(crate) struct Web {
    app: Arc<App>,
    bot: Tg,
    config: WebConfig,
    previews: upload::Previews,
}

/// The listener, until dropped.
pub(crate) struct RunningWeb {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RunningWeb {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the Mini App on `config.listen`.
pub(crate) async fn serve(
    config: WebConfig,
    app: Arc<App>,
    bot: Tg,
) -> std::io::Result<(RunningWeb, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let router = router(Arc::new(Web {
        app,
        bot,
        config,
        previews: upload::Previews::default(),
    }));
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!("the Mini App listener stopped: {e}");
        }
    });
    Ok((RunningWeb { task }, addr))
}

fn router(web: Arc<Web>) -> Router {
    Router::new()
        .route("/app", get(shell))
        .route("/static/app.js", get(script))
        .route("/static/app.css", get(style))
        .route("/session", post(open_session))
        .route("/page/{name}", get(pages::page))
        .route("/act/{name}", post(pages::act))
        .route("/export", get(search::export))
        .with_state(web.clone())
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        // A CSV as large as the bot takes one from Telegram.
        .merge(
            Router::new()
                .route("/upload", post(upload::preview))
                .with_state(web)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::admin::upload::MAX_DOWNLOAD as usize,
                )),
        )
        .layer(middleware::from_fn(headers))
}

/// The policy every answer carries: nothing but this origin's files, no
/// inline script or style; framed only by Telegram's web clients.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors https://web.telegram.org";

async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The page: a frame the script fills.
async fn shell() -> Html<String> {
    Html(pages::shell())
}

const SCRIPT: &str = include_str!("../../static/app.js");
const STYLE: &str = include_str!("../../static/app.css");

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        SCRIPT,
    )
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        STYLE,
    )
}

/// What the page exchanges for a session: Telegram's launch data, or a
/// login link's secret outside Telegram.
#[derive(Deserialize)]
struct Exchange {
    #[serde(default)]
    init_data: String,
    #[serde(default)]
    login: Option<String>,
}

/// Who is asking, from checked launch data or a link: the user, their
/// Telegram language if known, and until when the proof may not be used
/// again.
struct Proof {
    user: i64,
    language: Option<String>,
    once_until: i64,
}

/// Who a session is for, as the pages need them.
pub(crate) struct Viewer {
    pub user: i64,
    pub admin: bool,
    pub lang: Lang,
    pub session: WebSession,
}

impl Viewer {
    pub(crate) fn rtl(&self) -> bool {
        self.lang.code() == "ar"
    }
}

/// Whether `user` may use the app, and in which language: admins always;
/// users the bot knows and has not banned or left waiting.
async fn admitted(web: &Web, user: i64, launch_language: Option<&str>) -> Result<Lang, String> {
    let default = Lang::pick([launch_language], web.app.settings.language());
    let record = web
        .app
        .numbers
        .user(user)
        .await
        .map_err(|_| tr!(default, "web-unavailable"))?;
    let lang = Lang::pick(
        [
            record.as_ref().and_then(|r| r.language.as_deref()),
            record.as_ref().and_then(|r| r.telegram_language.as_deref()),
        ],
        default,
    );
    if web.app.is_admin(user) {
        return Ok(lang);
    }
    match record.map(|r| r.status) {
        Some(UserStatus::Active) => Ok(lang),
        Some(UserStatus::Banned) => Err(tr!(lang, "web-refused-banned")),
        Some(UserStatus::Pending) => Err(tr!(lang, "web-refused-waiting")),
        None => Err(tr!(lang, "web-refused-stranger")),
    }
}

/// `POST /session {init_data}` or `{login}`: Telegram's launch data or a
/// login link's secret, checked and used once, for a session; or 401/403
/// with why not.
async fn open_session(State(web): State<Arc<Web>>, Json(ask): Json<Exchange>) -> Response {
    let now = unix_now();
    let max_age = web.config.launch_max_age_secs as i64;
    let refused = |status: StatusCode, message: String| {
        (status, Json(json!({ "message": message }))).into_response()
    };
    let lang = web.app.settings.language();
    let token = &web.app.settings.telegram.token;
    let proof = match &ask.login {
        Some(secret) => match login::check(secret, token, now) {
            // No link outlives what the configuration allows now (0: none).
            Ok(l) if l.expires_at - now <= web.config.login_link_secs as i64 => Ok(Proof {
                user: l.user,
                language: None,
                once_until: l.expires_at,
            }),
            Ok(_) => Err(tr!(lang, "web-refused-link-expired")),
            Err(e) => {
                tracing::info!("Mini App login link refused: {e}");
                Err(match e {
                    login::LoginError::Expired(_) => tr!(lang, "web-refused-link-expired"),
                    _ => tr!(lang, "web-refused-signature"),
                })
            }
        },
        None => match launch::check(&ask.init_data, token, now, max_age) {
            Ok(l) => Ok(Proof {
                user: l.user,
                language: l.language,
                once_until: l.auth_date + max_age,
            }),
            Err(e) => {
                tracing::info!("Mini App launch refused: {e}");
                Err(match e {
                    launch::LaunchError::Stale(_) => tr!(lang, "web-refused-stale"),
                    _ => tr!(lang, "web-refused-signature"),
                })
            }
        },
    };
    let launch = match proof {
        Ok(p) => p,
        Err(message) => return refused(StatusCode::UNAUTHORIZED, message),
    };
    let used = ask.login.as_deref().unwrap_or(&ask.init_data);
    let lang = match admitted(&web, launch.user, launch.language.as_deref()).await {
        Ok(lang) => lang,
        Err(message) => return refused(StatusCode::FORBIDDEN, message),
    };
    let opened = web
        .app
        .numbers
        .open_web_session(
            launch.user,
            used.as_bytes(),
            launch.once_until,
            web.config.session_secs as i64,
        )
        .await;
    match opened {
        Ok(Some((secret, session))) => {
            let admin = web.app.is_admin(launch.user);
            Json(json!({
                "token": secret,
                "csrf": session.csrf,
                "lang": lang.code(),
                "dir": if lang.code() == "ar" { "rtl" } else { "ltr" },
                "home": if admin { "overview" } else { "me" },
            }))
            .into_response()
        }
        Ok(None) => refused(StatusCode::UNAUTHORIZED, tr!(lang, "web-refused-reused")),
        Err(e) => {
            tracing::error!("sessions: {e}");
            refused(
                StatusCode::SERVICE_UNAVAILABLE,
                tr!(lang, "web-unavailable"),
            )
        }
    }
}

/// The viewer a request's `Authorization: Session <secret>` names, or the
/// answer refusing it.
pub(crate) async fn viewer(web: &Web, headers: &HeaderMap) -> Result<Viewer, Response> {
    let lang = web.app.settings.language();
    let unauthorized = || {
        (
            StatusCode::UNAUTHORIZED,
            Html(pages::refused(lang, &tr!(lang, "web-refused-session"))),
        )
            .into_response()
    };
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Session "))
        .ok_or_else(unauthorized)?;
    let session = match web.app.numbers.web_session(secret.trim()).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(unauthorized()),
        Err(e) => {
            tracing::error!("sessions: {e}");
            return Err(unauthorized());
        }
    };
    // Checked again on every page: a ban takes effect at once.
    let lang = admitted(web, session.user, None).await.map_err(|message| {
        (StatusCode::FORBIDDEN, Html(pages::refused(lang, &message))).into_response()
    })?;
    Ok(Viewer {
        user: session.user,
        admin: web.app.is_admin(session.user),
        lang,
        session,
    })
}

/// The Mini App's URL on a Telegram button.
pub(crate) fn button_url(config: &WebConfig) -> Option<reqwest::Url> {
    reqwest::Url::parse(&config.url).ok()
}

/// A one-time link opening the app for `user` in any browser, when links
/// are on.
pub(crate) fn login_url(config: &WebConfig, user: i64, bot_token: &str) -> Option<reqwest::Url> {
    if config.login_link_secs == 0 {
        return None;
    }
    let mut url = button_url(config)?;
    let expires_at = unix_now() + config.login_link_secs as i64;
    url.set_fragment(Some(&format!(
        "login={}",
        login::issue(user, expires_at, bot_token)
    )));
    Some(url)
}

/// Refuses `name`: 404.
pub(crate) fn not_found(lang: Lang, name: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(pages::refused(lang, &tr!(lang, "web-no-page", page = name))),
    )
        .into_response()
}

/// A page name as the router gives it.
pub(crate) type PageName = Path<String>;
