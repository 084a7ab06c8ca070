//! numbot's HTTP API: test suites take a number, wait for the message that
//! reaches it, read the code and release it, on the same pool, with the
//! same exclusivity, limits and audit as Telegram users. Also `/metrics`
//! (Prometheus), `/healthz` and `/readyz`.
//!
//! - [`routes`]: the `/v1` handlers, annotated for the OpenAPI document;
//! - [`auth`]: bearer tokens; [`body`]: strict JSON bodies; [`error`]: refusals;
//! - [`metrics`]: the Prometheus recorder; [`notifier`]: API users' messages
//!   diverted from Telegram to the [`numbot_core::inbox::Inbox`].

pub mod auth;
pub mod body;
pub mod error;
pub mod metrics;
pub mod notifier;
mod openapi;
pub mod routes;
pub mod sms_activate;
mod waits;
pub mod webhooks;

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::{
    extract::{DefaultBodyLimit, MatchedPath, Request, State},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use numbot_core::Numbers;
use numbot_otp::MonitorStatus;
use serde::Deserialize;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use notifier::ApiNotifier;

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024;

/// `[api]` of the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Where the API listens, e.g. `0.0.0.0:8080`.
    pub listen: SocketAddr,
    /// Numbers a token takes per window when the token sets none; unset,
    /// tokens share the `[limits]` of Telegram users.
    #[serde(default)]
    pub numbers_per_window: Option<u32>,
    /// Requests a token makes per second (and in a burst); over it `429`,
    /// so that a runaway test loop cannot starve the others. Counted per
    /// process: behind a balancer over N replicas a token gets N times it.
    #[serde(default = "default_requests_per_second")]
    pub requests_per_second: u32,
    /// Waiting requests (long polls) one token may hold at once; more get
    /// `429`.
    #[serde(default = "default_waits_per_token")]
    pub waits_per_token: u32,
    /// Waiting requests the process holds at once, all tokens together.
    #[serde(default = "default_waits")]
    pub waits: u32,
    /// Token lookups (tokens not in the few seconds' cache) a client
    /// address may make per second: random bearer strings are refused
    /// before the store is asked.
    #[serde(default = "default_lookups_per_second")]
    pub lookups_per_second: u32,
    /// Proxies in front of the API (their addresses): only from them is
    /// `X-Forwarded-For` believed to name the client.
    #[serde(default)]
    pub trusted_proxies: Vec<IpAddr>,
    /// The SMS-Activate-compatible endpoint.
    #[serde(default)]
    pub sms_activate: sms_activate::SmsActivateConfig,
    /// Message webhooks.
    #[serde(default)]
    pub webhooks: webhooks::WebhookConfig,
}

fn default_requests_per_second() -> u32 {
    50
}

fn default_waits_per_token() -> u32 {
    100
}

fn default_waits() -> u32 {
    2_000
}

fn default_lookups_per_second() -> u32 {
    10
}

impl ApiConfig {
    /// Listens on `listen` with the default limits.
    pub fn new(listen: SocketAddr) -> ApiConfig {
        ApiConfig {
            listen,
            numbers_per_window: None,
            requests_per_second: default_requests_per_second(),
            waits_per_token: default_waits_per_token(),
            waits: default_waits(),
            lookups_per_second: default_lookups_per_second(),
            trusted_proxies: Vec::new(),
            sms_activate: sms_activate::SmsActivateConfig::default(),
            webhooks: webhooks::WebhookConfig::default(),
        }
    }

    /// Why the configuration cannot be served, if it cannot.
    pub fn problem(&self) -> Option<String> {
        self.sms_activate
            .map
            .iter()
            .find_map(|entry| entry.problem())
            .map(|p| format!("[[api.sms_activate.map]]: {p}"))
    }
}

/// What the handlers share.
pub struct ApiState {
    numbers: Arc<Numbers>,
    tokens: auth::TokenCache,
    pace: auth::Pace,
    waits: Arc<waits::Waits>,
    trusted_proxies: Vec<IpAddr>,
    monitor: Option<Arc<MonitorStatus>>,
    metrics: Option<metrics::Metrics>,
    sms_activate: Option<sms_activate::Catalogs>,
    webhooks: webhooks::WebhookConfig,
}

impl ApiState {
    /// The API over the shared use cases, with `config`'s pace; `monitor`
    /// tells `/readyz` whether the SMS provider answers.
    pub fn new(
        config: &ApiConfig,
        numbers: Arc<Numbers>,
        monitor: Option<Arc<MonitorStatus>>,
        metrics: Option<metrics::Metrics>,
    ) -> Arc<ApiState> {
        Arc::new(ApiState {
            numbers,
            tokens: auth::TokenCache::new(config.lookups_per_second),
            pace: auth::Pace::new(config.requests_per_second),
            waits: waits::Waits::new(config.waits_per_token, config.waits),
            trusted_proxies: config.trusted_proxies.clone(),
            monitor,
            metrics,
            sms_activate: config
                .sms_activate
                .enabled
                .then(|| sms_activate::Catalogs::new(config.sms_activate.map.clone())),
            webhooks: config.webhooks.clone(),
        })
    }
}

/// The `/v1` routes and the OpenAPI document generated from them (the
/// links between operations are added when it is served).
pub fn v1(state: Arc<ApiState>) -> (Router, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(routes::categories))
        .routes(routes!(routes::take))
        .routes(routes!(routes::uses))
        .routes(routes!(routes::messages))
        .routes(routes!(routes::done))
        .routes(routes!(routes::cancel))
        .routes(routes!(
            webhooks::set_webhook,
            webhooks::webhook,
            webhooks::remove_webhook
        ))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(healthz))
        .routes(routes!(ready))
        .routes(routes!(metrics::render))
        .with_state(state)
        .split_for_parts();
    let mut openapi = openapi;
    openapi::complete(&mut openapi);
    (router, openapi)
}

/// Every route: `/v1`, `/v1/openapi.json`, `/metrics`, `/healthz`, `/readyz`.
pub fn router(state: Arc<ApiState>) -> Router {
    let compatible = state.sms_activate.is_some().then(|| {
        Router::new()
            .route(
                sms_activate::PATH,
                get(sms_activate::handle).post(sms_activate::handle),
            )
            .with_state(state.clone())
    });
    let (v1, openapi) = v1(state);
    let mut document = serde_json::to_value(&openapi).unwrap_or_default();
    openapi::add_links(&mut document);
    let openapi = Arc::new(document);
    Router::new()
        .merge(v1)
        .merge(compatible.unwrap_or_default())
        .route(
            "/v1/openapi.json",
            get(move || {
                let openapi = openapi.clone();
                async move { Json((*openapi).clone()) }
            }),
        )
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(count))
}

/// Counts every request by route and status, with its duration.
async fn count(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    // Fixed labels: hyper accepts any method token, and a label per token
    // would let anyone grow the registry without end.
    let method = match *request.method() {
        axum::http::Method::GET => "GET",
        axum::http::Method::POST => "POST",
        _ => "other",
    };
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    ::metrics::counter!("numbot_api_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    ::metrics::histogram!("numbot_api_request_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Alive: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    responses((status = 200, body = String, content_type = "text/plain", description = "`ok`"))
)]
async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the pool answers, the four plugin worlds are loaded and the
/// SMS provider is not failing.
#[utoipa::path(
    get,
    path = "/readyz",
    responses(
        (status = 200, body = String, content_type = "text/plain", description = "`ready`"),
        (status = 503, body = NotReady, description = "what is not ready"),
    )
)]
async fn ready(State(state): State<Arc<ApiState>>) -> Response {
    let mut problems = Vec::new();
    let store = tokio::time::timeout(Duration::from_secs(2), state.numbers.categories()).await;
    if !matches!(store, Ok(Ok(_))) {
        problems.push("the pool does not answer".to_string());
    }
    let loaded = state.numbers.plugins();
    for world in numbot_core::WorldKind::ALL {
        if !loaded.plugins.iter().any(|p| p.world == world) {
            problems.push(format!("no {world} plugin is loaded"));
        }
    }
    if state.monitor.as_ref().is_some_and(|m| m.failing()) {
        problems.push("the SMS provider keeps failing".to_string());
    }
    if problems.is_empty() {
        "ready".into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(NotReady {
                ready: false,
                problems,
            }),
        )
            .into_response()
    }
}

/// What `/readyz` says when numbot is not ready.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct NotReady {
    /// Always false.
    ready: bool,
    /// What is wrong, for people.
    problems: Vec<String>,
}

/// The API listening (and its webhook sender running), until dropped.
pub struct RunningApi {
    /// Where it listens (the port chosen when `listen` asked for port 0).
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    sender: tokio::task::JoinHandle<()>,
}

impl Drop for RunningApi {
    fn drop(&mut self) {
        self.sender.abort();
    }
}

/// Listens on `config.listen` and serves [`router`].
pub async fn serve(config: &ApiConfig, state: Arc<ApiState>) -> std::io::Result<RunningApi> {
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sender = webhooks::sender::Sender::new(state.numbers.clone(), config.webhooks.clone());
    let sender = tokio::spawn(sender.run());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!("the API stopped: {e}");
        }
    });
    Ok(RunningApi {
        addr,
        _stop: stop,
        sender,
    })
}
