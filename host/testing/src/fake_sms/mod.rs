//! A fake SMS provider over real HTTP, for tests, the demo and benchmarks.
//! It speaks the three protocols numbot reads:
//!
//! - JSON: `GET /api/messages?number=&since=` (bearer token) →
//!   `{"data": {"messages": [{"id", "to", "from", "text", "received_at"}]}}`;
//! - SMS-Activate: `GET /stubs/handler_api.php?api_key=&action=` with
//!   `getActiveActivations` (every active activation and its codes, unless
//!   [`FakeSms::set_activation_list`] turns it off), `getStatus&id=` and
//!   `setStatus&id=&status=`; activations have ids of their own, not the
//!   number's digits, and a number ended with status 6 or 8 gets a new one;
//! - Twilio: `GET /2010-04-01/Accounts/{sid}/Messages.json` (basic auth, newest
//!   first, 50 a page, `next_page_uri`).
//!
//! Control: [`FakeSms::deliver`] (or `POST /control/sms`) puts a message on a
//! number; [`FakeSms::set_mode`] makes it answer normally, fail (503), stall,
//! or answer garbage; [`FakeSms::requests`] counts the protocol requests.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{
    extract::{Path, Query, State as Extract},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::{net::TcpListener, sync::oneshot};

/// The token (API key, auth token) the fake accepts.
pub const TOKEN: &str = "fake-sms-token";
/// The Twilio account SID it serves.
pub const ACCOUNT: &str = "ACfake0000000000000000000000000000";

/// How the fake answers protocol requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// As the protocol says.
    Normal,
    /// HTTP 503 to everything.
    Down,
    /// Waits this long before answering.
    Slow(Duration),
    /// 200 with a body no protocol expects.
    Garbage,
    /// 200 with a body that never ends (64 MiB, sent in chunks with no
    /// length given).
    Oversized,
}

#[derive(Clone)]
struct Message {
    seq: u64,
    id: String,
    to: String,
    from: String,
    text: String,
    at: i64,
}

struct State {
    messages: Mutex<Vec<Message>>,
    mode: Mutex<Mode>,
    requests: AtomicU64,
    next: AtomicU64,
    /// SMS-Activate's activations.
    activations: Mutex<Activations>,
}

/// The account's SMS-Activate activations.
struct Activations {
    /// A number's digits → its active activation id and the first message
    /// sequence that belongs to it.
    active: HashMap<String, (String, u64)>,
    /// Every activation id ever made → its number's digits.
    numbers: HashMap<String, String>,
    /// Statuses set by the client, by activation id.
    statuses: HashMap<String, String>,
    next_id: u64,
    /// Whether `getActiveActivations` is offered.
    list: bool,
}

impl Activations {
    /// The number's active activation, made if it has none.
    fn of(&mut self, digits: &str, from_seq: u64) -> String {
        if let Some((id, _)) = self.active.get(digits) {
            return id.clone();
        }
        self.next_id += 1;
        let id = format!("{}", 7_000_000_000 + self.next_id);
        self.active
            .insert(digits.to_string(), (id.clone(), from_seq));
        self.numbers.insert(id.clone(), digits.to_string());
        id
    }
}

/// A running fake provider; it stops when dropped.
pub struct FakeSms {
    addr: SocketAddr,
    state: Arc<State>,
    _stop: oneshot::Sender<()>,
}

impl FakeSms {
    /// Starts on an ephemeral port of 127.0.0.1.
    pub async fn start() -> std::io::Result<FakeSms> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            messages: Mutex::new(Vec::new()),
            mode: Mutex::new(Mode::Normal),
            requests: AtomicU64::new(0),
            next: AtomicU64::new(1),
            activations: Mutex::new(Activations {
                active: HashMap::new(),
                numbers: HashMap::new(),
                statuses: HashMap::new(),
                next_id: 0,
                list: true,
            }),
        });
        let app = Router::new()
            .route("/api/messages", get(json_list))
            .route("/stubs/handler_api.php", get(sms_activate))
            .route("/2010-04-01/Accounts/{sid}/Messages.json", get(twilio))
            .route("/control/sms", post(control_sms))
            .with_state(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(FakeSms {
            addr,
            state,
            _stop: stop,
        })
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A message reaches `to` (E.164) now.
    pub fn deliver(&self, to: &str, from: &str, text: &str) {
        self.state.deliver(to, from, text);
    }

    /// Changes how protocol requests are answered.
    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap_or_else(|e| e.into_inner()) = mode;
    }

    /// Protocol requests answered so far.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// The SMS-Activate status a client last set on an activation of the
    /// number with these digits.
    pub fn activation_status(&self, digits: &str) -> Option<String> {
        let a = self.state.activations();
        a.statuses
            .iter()
            .filter(|(id, _)| a.numbers.get(*id).map(String::as_str) == Some(digits))
            .max_by_key(|(id, _)| id.parse::<u64>().unwrap_or(0))
            .map(|(_, status)| status.clone())
    }

    /// The SMS-Activate account holds these numbers (E.164): each gets an
    /// activation (a message delivered to a number makes one too).
    pub fn activate(&self, numbers: &[&str]) {
        let seq = self.state.next.load(Ordering::Relaxed);
        let mut a = self.state.activations();
        for n in numbers {
            a.of(
                &n.chars().filter(char::is_ascii_digit).collect::<String>(),
                seq,
            );
        }
    }

    /// The number's active SMS-Activate activation id.
    pub fn activation_id(&self, number: &str) -> Option<String> {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        self.state
            .activations()
            .active
            .get(&digits)
            .map(|(id, _)| id.clone())
    }

    /// Whether `getActiveActivations` is offered (`BAD_ACTION` otherwise,
    /// as services without it answer).
    pub fn set_activation_list(&self, offered: bool) {
        self.state.activations().list = offered;
    }
}

impl State {
    fn activations(&self) -> std::sync::MutexGuard<'_, Activations> {
        self.activations.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn deliver(&self, to: &str, from: &str, text: &str) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let to: String = to.chars().filter(char::is_ascii_digit).collect();
        self.activations().of(&to, n);
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Message {
                seq: n,
                id: format!("SM{n:032}"),
                to: format!("+{to}"),
                from: from.to_string(),
                text: text.to_string(),
                at: chrono::Utc::now().timestamp(),
            });
    }

    /// Counts the request and applies the mode; `Some` answers in its place.
    async fn gate(&self) -> Option<Response> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mode = *self.mode.lock().unwrap_or_else(|e| e.into_inner());
        match mode {
            Mode::Normal => None,
            Mode::Down => {
                Some((StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response())
            }
            Mode::Slow(d) => {
                tokio::time::sleep(d).await;
                None
            }
            Mode::Garbage => Some((StatusCode::OK, "<html>¯\\_(ツ)_/¯</html>").into_response()),
            Mode::Oversized => {
                let chunk = axum::body::Bytes::from(vec![b' '; 1 << 20]);
                let chunks = futures::stream::iter(
                    (0..64).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
                );
                Some((StatusCode::OK, axum::body::Body::from_stream(chunks)).into_response())
            }
        }
    }

    fn snapshot(&self) -> Vec<Message> {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[derive(Deserialize)]
struct JsonQuery {
    #[serde(default)]
    number: String,
    #[serde(default)]
    since: i64,
}

async fn json_list(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<JsonQuery>,
) -> Response {
    if let Some(r) = state.gate().await {
        return r;
    }
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "bad token"})),
        )
            .into_response();
    }
    let wanted: String = q.number.chars().filter(char::is_ascii_digit).collect();
    let messages: Vec<Value> = state
        .snapshot()
        .into_iter()
        .filter(|m| m.at >= q.since && (wanted.is_empty() || m.to[1..] == wanted))
        .map(|m| json!({"id": m.id, "to": m.to, "from": m.from, "text": m.text, "received_at": m.at}))
        .collect();
    Json(json!({"data": {"messages": messages}})).into_response()
}

#[derive(Deserialize)]
struct ActivateQuery {
    #[serde(default)]
    api_key: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    status: String,
}

/// The first run of 4 to 8 digits: the fake's own code extraction, as an
/// SMS-Activate service does before answering `STATUS_OK`.
fn first_code(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| (4..=8).contains(&run.len()))
        .map(str::to_string)
}

async fn sms_activate(
    Extract(state): Extract<Arc<State>>,
    Query(q): Query<ActivateQuery>,
) -> Response {
    if let Some(r) = state.gate().await {
        return r;
    }
    if q.api_key != TOKEN {
        return "BAD_KEY".into_response();
    }
    match q.action.as_str() {
        "getActiveActivations" => active_activations(&state),
        "getStatus" => {
            let Some((digits, from)) = activation(&state, &q.id) else {
                return "NO_ACTIVATION".into_response();
            };
            match from {
                None => "STATUS_CANCEL".into_response(),
                Some(from) => match codes(&state, &digits, from).pop() {
                    Some((code, _)) => format!("STATUS_OK:{code}").into_response(),
                    None => "STATUS_WAIT_CODE".into_response(),
                },
            }
        }
        "setStatus" => {
            let Some((digits, _)) = activation(&state, &q.id) else {
                return "NO_ACTIVATION".into_response();
            };
            let seq = state.next.load(Ordering::Relaxed);
            let mut a = state.activations();
            let id = a.active.get(&digits).map(|(id, _)| id.clone());
            let id = id.unwrap_or_else(|| q.id.clone());
            a.statuses.insert(id, q.status.clone());
            match q.status.as_str() {
                // Ended: the number's next activation starts from here.
                "6" | "8" => {
                    a.active.remove(&digits);
                    a.of(&digits, seq);
                    if q.status == "6" {
                        "ACCESS_ACTIVATION"
                    } else {
                        "ACCESS_CANCEL"
                    }
                    .into_response()
                }
                // Another SMS: only later ones belong to it.
                "3" => {
                    if let Some(entry) = a.active.get_mut(&digits) {
                        entry.1 = seq;
                    }
                    "ACCESS_RETRY_GET".into_response()
                }
                _ => "ACCESS_READY".into_response(),
            }
        }
        _ => "BAD_ACTION".into_response(),
    }
}

/// The number an activation id (or, by the digits convention, a number's
/// digits) is on, and the first message sequence of its activation if it
/// is still active.
fn activation(state: &State, id: &str) -> Option<(String, Option<u64>)> {
    let seq = state.next.load(Ordering::Relaxed);
    let mut a = state.activations();
    if let Some(digits) = a.numbers.get(id).cloned() {
        // An id of its own: active while it is the number's current one.
        let from = a
            .active
            .get(&digits)
            .filter(|(active, _)| active == id)
            .map(|(_, from)| *from);
        return Some((digits, from));
    }
    // The digits convention: the number's current activation.
    if id.len() > 7 && id.chars().all(|c| c.is_ascii_digit()) {
        a.of(id, seq);
        let from = a.active.get(id).map(|(_, from)| *from);
        return Some((id.to_string(), from));
    }
    None
}

/// The codes (with the message text) that reached the number from `from` on.
fn codes(state: &State, digits: &str, from: u64) -> Vec<(String, String)> {
    let to = format!("+{digits}");
    state
        .snapshot()
        .into_iter()
        .filter(|m| m.to == to && m.seq >= from)
        .filter_map(|m| first_code(&m.text).map(|code| (code, m.text)))
        .collect()
}

fn active_activations(state: &State) -> Response {
    let active: Vec<(String, String, u64)> = {
        let a = state.activations();
        if !a.list {
            return "BAD_ACTION".into_response();
        }
        a.active
            .iter()
            .map(|(digits, (id, from))| (digits.clone(), id.clone(), *from))
            .collect()
    };
    if active.is_empty() {
        return Json(json!({"status": "error", "error": "NO_ACTIVATIONS"})).into_response();
    }
    // One pass over the messages, whatever the number of activations.
    let mut by_number: HashMap<String, Vec<Message>> = HashMap::new();
    for m in state.snapshot() {
        by_number.entry(m.to[1..].to_string()).or_default().push(m);
    }
    let list: Vec<Value> = active
        .into_iter()
        .map(|(digits, id, from)| {
            let (codes, texts): (Vec<String>, Vec<String>) = by_number
                .get(&digits)
                .into_iter()
                .flatten()
                .filter(|m| m.seq >= from)
                .filter_map(|m| first_code(&m.text).map(|code| (code, m.text.clone())))
                .unzip();
            let (code, text) = if codes.is_empty() {
                (Value::Null, Value::Null)
            } else {
                (json!(codes), json!(texts))
            };
            json!({
                "activationId": id,
                "serviceCode": "ot",
                "phoneNumber": digits,
                "activationCost": "0.00",
                "activationStatus": if codes.is_empty() { "1" } else { "2" },
                "smsCode": code,
                "smsText": text,
                "activationTime": "2026-12-01 00:00:00",
                "canGetAnotherSms": "1",
            })
        })
        .collect();
    Json(json!({"status": "success", "activeActivations": list})).into_response()
}

#[derive(Deserialize)]
struct TwilioQuery {
    #[serde(rename = "To", default)]
    to: String,
    #[serde(rename = "PageSize", default)]
    page_size: Option<usize>,
    #[serde(rename = "Page", default)]
    page: usize,
    #[serde(rename = "DateSent>", default)]
    date_sent_after: String,
}

async fn twilio(
    Extract(state): Extract<Arc<State>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TwilioQuery>,
) -> Response {
    if let Some(r) = state.gate().await {
        return r;
    }
    use base64_auth::expected;
    if sid != ACCOUNT
        || headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected().as_str())
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": 20003, "message": "Authenticate", "status": 401})),
        )
            .into_response();
    }
    let from_day =
        chrono::NaiveDate::parse_from_str(q.date_sent_after.trim_start_matches('='), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0);
    let mut messages: Vec<Message> = state
        .snapshot()
        .into_iter()
        .filter(|m| m.at >= from_day && (q.to.is_empty() || m.to == q.to))
        .collect();
    messages.reverse();
    let size = q.page_size.unwrap_or(50).clamp(1, 1000);
    let page: Vec<Value> = messages
        .iter()
        .skip(q.page * size)
        .take(size)
        .map(|m| {
            let date = chrono::DateTime::from_timestamp(m.at, 0)
                .map(|t| t.to_rfc2822())
                .unwrap_or_default();
            json!({"sid": m.id, "to": m.to, "from": m.from, "body": m.text, "direction": "inbound",
                   "status": "received", "date_sent": date, "date_created": date})
        })
        .collect();
    let more = messages.len() > (q.page + 1) * size;
    let next = more.then(|| {
        format!(
            "/2010-04-01/Accounts/{sid}/Messages.json?DateSent%3E={}&PageSize={size}&Page={}",
            q.date_sent_after.trim_start_matches('='),
            q.page + 1
        )
    });
    Json(json!({"messages": page, "next_page_uri": next, "page": q.page, "page_size": size}))
        .into_response()
}

mod base64_auth {
    /// `Basic base64(ACCOUNT:TOKEN)`.
    pub(super) fn expected() -> String {
        let raw = format!("{}:{}", super::ACCOUNT, super::TOKEN);
        format!("Basic {}", encode(raw.as_bytes()))
    }

    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

#[derive(Deserialize)]
struct Delivery {
    to: String,
    #[serde(default)]
    from: String,
    text: String,
}

async fn control_sms(Extract(state): Extract<Arc<State>>, Json(d): Json<Delivery>) -> Json<Value> {
    state.deliver(&d.to, &d.from, &d.text);
    Json(json!(true))
}
