//! The SMS-Activate protocol (`/stubs/handler_api.php?api_key=…&action=…`),
//! which client libraries in every language speak: a front end like the
//! others, over the same use cases, tokens, limits and audit. `api_key` is
//! a numbot API token; an activation is a use, its id the use's id.
//!
//! Every answer is HTTP 200 with the protocol's exact text (no trailing
//! newline) or a JSON object: clients treat other statuses as opaque
//! failures and compare whole strings.

mod catalog;
mod countries;
mod reply;

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    body::Bytes,
    extract::{FromRequest, Request, State},
    http::header,
    response::{IntoResponse, Response},
};
use numbot_core::{
    clock::unix_now,
    inbox::InboxMessage,
    numbers::{MessagesError, UseState},
    Account, Assignment, StoreError, TakeError, UseId,
};
use serde_json::{json, Value};

pub(crate) use catalog::Catalogs;
pub use catalog::ServiceMap;
use catalog::{valid_service, Offer};
use reply::Reply;

use crate::{auth, ApiState};

/// The path clients append nothing to: their base URL ends with it.
pub const PATH: &str = "/stubs/handler_api.php";

/// `[api.sms_activate]` of the configuration.
#[derive(Debug, Clone, serde::Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SmsActivateConfig {
    /// Serve `/stubs/handler_api.php` (default: yes).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Services and countries that name categories, before the defaults
    /// (service `ot` in each category's file countries).
    #[serde(default)]
    pub map: Vec<ServiceMap>,
}

fn yes() -> bool {
    true
}

impl Default for SmsActivateConfig {
    fn default() -> Self {
        SmsActivateConfig {
            enabled: true,
            map: Vec::new(),
        }
    }
}

/// A request's parameters: the query, and a form body when there is one.
struct Params(HashMap<String, String>);

impl Params {
    async fn read(request: Request) -> Params {
        let mut all: HashMap<String, String> = request
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .unwrap_or_default()
            .into_iter()
            .collect();
        let form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if form {
            if let Ok(body) = Bytes::from_request(request, &()).await {
                if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
                    all.extend(pairs);
                }
            }
        }
        Params(all)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// `GET` or `POST /stubs/handler_api.php`.
pub(crate) async fn handle(State(state): State<Arc<ApiState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let from = auth::client_address(&parts, &state.trusted_proxies);
    let params = Params::read(Request::from_parts(parts, body)).await;
    answer(&state, &params, from).await.into_response()
}

async fn answer(state: &ApiState, params: &Params, from: std::net::IpAddr) -> Reply {
    let Some(key) = params.get("api_key") else {
        return Reply::text("NO_KEY");
    };
    let token = match state.tokens.find(&state.numbers, key, from).await {
        Ok(Some(token)) => token,
        Ok(None) => return Reply::text("BAD_KEY"),
        Err(e) => return refused(e.retry_after()),
    };
    if let Err(wait) = state.pace.check(token.id) {
        return refused(Some(wait));
    }
    let account = Account::Token(token);
    let service = state.sms_activate.as_ref();
    match (params.get("action"), service) {
        (_, None) => Reply::text("BAD_ACTION"),
        (Some("getBalance" | "getBalanceAndCashBack"), _) => balance(state, &account).await,
        (Some("getNumber"), Some(catalogs)) => {
            take(state, catalogs, &account, params, Form::Plain).await
        }
        (Some("getNumberV2"), Some(catalogs)) => {
            take(state, catalogs, &account, params, Form::Json).await
        }
        (Some("getStatus"), _) => status(state, &account, params).await,
        (Some("getStatusV2"), _) => status_v2(state, &account, params).await,
        (Some("setStatus"), _) => set_status(state, &account, params).await,
        (Some("getActiveActivations"), _) => active(state, &account).await,
        (Some("getNumbersStatus"), Some(catalogs)) => counts(state, catalogs, params).await,
        (Some("getPrices"), Some(catalogs)) => prices(state, catalogs, params).await,
        (Some("getCountries"), Some(catalogs)) => country_list(state, catalogs).await,
        (Some("getOperators"), Some(catalogs)) => operators(state, catalogs, params).await,
        _ => Reply::text("BAD_ACTION"),
    }
}

/// A refusal of the pace or of unknown keys: the protocol's `BANNED`, with
/// the time (UTC) from which the key may try again.
fn refused(wait: Option<Duration>) -> Reply {
    let secs = wait.map_or(1, |w| w.as_secs_f64().ceil().max(1.0) as i64);
    let until = chrono::DateTime::from_timestamp(unix_now() + secs, 0).unwrap_or_default();
    Reply::text(format!("BANNED:{}", until.format("%Y-%m-%d-%H-%M-%S")))
}

/// A failure of numbot's side.
fn failed(e: impl std::fmt::Display) -> Reply {
    tracing::error!("sms-activate: {e}");
    Reply::text("ERROR_SQL")
}

/// `ACCESS_BALANCE:<n>`: n is how many activations the key may start now.
async fn balance(state: &ApiState, account: &Account) -> Reply {
    match state.numbers.headroom(account).await {
        Ok(n) => Reply::text(format!("ACCESS_BALANCE:{n}")),
        Err(e) => failed(e),
    }
}

/// The protocol's country id as a request names it.
fn country(params: &Params) -> Result<Option<u32>, Reply> {
    match params.get("country") {
        None => Ok(None),
        // A country with no pool has no numbers.
        Some(c) => c.parse().map(Some).map_err(|_| Reply::text("NO_NUMBERS")),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Plain,
    Json,
}

/// `getNumber` / `getNumberV2`: a number of the first category the service
/// and country offer that has one free.
async fn take(
    state: &ApiState,
    catalogs: &Catalogs,
    account: &Account,
    params: &Params,
    form: Form,
) -> Reply {
    let service = match params.get("service") {
        Some(s) if valid_service(s) => s,
        _ => return Reply::text("BAD_SERVICE"),
    };
    let country = match country(params) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let catalog = match catalogs.now(&state.numbers).await {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let Account::Token(token) = account else {
        return Reply::text("BAD_KEY");
    };
    let offers: Vec<&Offer> = catalog
        .categories(service, country)
        .into_iter()
        .filter(|o| token.allows(&o.category))
        .collect();
    for offer in offers {
        match state.numbers.take(account, &offer.category).await {
            Ok(a) => {
                if let Err(e) = state.numbers.keep_messages(account, &a).await {
                    tracing::warn!("sms-activate: {e}");
                }
                return taken(&a, offer.country, form);
            }
            Err(TakeError::Store(StoreError::NoneAvailable(_))) => continue,
            Err(TakeError::HoldingMax(_) | TakeError::Limited { .. }) => {
                return Reply::text("NO_BALANCE")
            }
            Err(TakeError::Forbidden(_)) => continue,
            Err(TakeError::Store(e)) => return failed(e),
            Err(TakeError::Queue(e)) => return failed(e),
        }
    }
    Reply::text("NO_NUMBERS")
}

fn digits(e164: &str) -> &str {
    e164.trim_start_matches('+')
}

/// `YYYY-MM-DD HH:MM:SS`, UTC.
fn protocol_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn taken(a: &Assignment, country: u32, form: Form) -> Reply {
    match form {
        Form::Plain => Reply::text(format!("ACCESS_NUMBER:{}:{}", a.id, digits(&a.number))),
        Form::Json => Reply::json(json!({
            "activationId": a.id.0,
            "phoneNumber": digits(&a.number),
            "activationCost": 0.0,
            "countryCode": country.to_string(),
            "canGetAnotherSms": "1",
            "activationTime": protocol_time(i64::from(a.since)),
            "activationOperator": "any",
        })),
    }
}

/// The activation a request names, as its key's use.
async fn activation(
    state: &ApiState,
    account: &Account,
    params: &Params,
) -> Result<UseState, Reply> {
    let id = params
        .get("id")
        .and_then(|id| id.parse::<u64>().ok())
        .ok_or_else(|| Reply::text("NO_ACTIVATION"))?;
    match state.numbers.use_state(account, UseId(id)).await {
        Ok(s) => Ok(s),
        Err(MessagesError::NotFound) => Err(Reply::text("NO_ACTIVATION")),
        Err(e) => Err(failed(e)),
    }
}

/// A code as the protocol can carry it after `STATUS_OK:`: no separator,
/// no space.
fn clean(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect()
}

/// Where an activation stands, from its use.
#[derive(Debug, PartialEq, Eq)]
enum Standing {
    WaitCode,
    WaitRetry(String),
    Ok(String),
    Cancel,
}

fn standing(s: &UseState) -> Standing {
    let asked = s.received.asked_again;
    let code = |m: &InboxMessage| m.code.as_deref().map(clean).filter(|c| !c.is_empty());
    let new = s
        .received
        .messages
        .iter()
        .filter(|m| m.id > asked)
        .filter_map(code)
        .next_back();
    if let Some(c) = new {
        return Standing::Ok(c);
    }
    if s.current.is_none() {
        return Standing::Cancel;
    }
    let earlier = s
        .received
        .messages
        .iter()
        .filter(|m| m.id <= asked)
        .filter_map(code)
        .next_back();
    match earlier {
        Some(c) if asked > 0 => Standing::WaitRetry(c),
        _ => Standing::WaitCode,
    }
}

/// `getStatus`.
async fn status(state: &ApiState, account: &Account, params: &Params) -> Reply {
    let s = match activation(state, account, params).await {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    Reply::text(match standing(&s) {
        Standing::WaitCode => "STATUS_WAIT_CODE".to_string(),
        Standing::WaitRetry(c) => format!("STATUS_WAIT_RETRY:{c}"),
        Standing::Ok(c) => format!("STATUS_OK:{c}"),
        Standing::Cancel => "STATUS_CANCEL".to_string(),
    })
}

/// `getStatusV2`: the latest message since the last ask for another.
async fn status_v2(state: &ApiState, account: &Account, params: &Params) -> Reply {
    let s = match activation(state, account, params).await {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    if standing(&s) == Standing::Cancel {
        return Reply::text("STATUS_CANCEL");
    }
    let latest = s
        .received
        .messages
        .iter()
        .rfind(|m| m.id > s.received.asked_again);
    let sms = latest.map_or(Value::Null, |m| {
        json!({
            "dateTime": protocol_time(m.received_at),
            "code": m.code.as_deref().map(clean).unwrap_or_default(),
            "text": m.text,
        })
    });
    Reply::json(json!({ "verificationType": 0, "sms": sms, "call": null }))
}

/// `setStatus`: 1 ready, 3 another code, 6 done, 8 (and the legacy -1)
/// cancel. Ending an activation that already ended changes nothing and
/// says so as if it had.
async fn set_status(state: &ApiState, account: &Account, params: &Params) -> Reply {
    let s = match activation(state, account, params).await {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let id = s
        .current
        .as_ref()
        .map(|a| a.id)
        .or_else(|| params.get("id").and_then(|i| i.parse().ok()).map(UseId));
    let Some(id) = id else {
        return Reply::text("NO_ACTIVATION");
    };
    let ended = |r: Result<Assignment, StoreError>, ok: &'static str| match r {
        Ok(_) | Err(StoreError::NotCurrent(_)) => Reply::text(ok),
        Err(e) => failed(e),
    };
    match params.get("status") {
        Some("1") if s.current.is_some() => Reply::text("ACCESS_READY"),
        Some("3") if s.current.is_some() => match state.numbers.ask_again(account, id).await {
            Ok(()) => Reply::text("ACCESS_RETRY_GET"),
            Err(MessagesError::NotFound) => Reply::text("NO_ACTIVATION"),
            Err(e) => failed(e),
        },
        Some("1" | "3") => Reply::text("NO_ACTIVATION"),
        Some("6") => ended(state.numbers.done(account, id).await, "ACCESS_ACTIVATION"),
        Some("8" | "-1") => ended(state.numbers.release(account, id).await, "ACCESS_CANCEL"),
        _ => Reply::text("BAD_STATUS"),
    }
}

/// `getActiveActivations`: the key's uses now.
async fn active(state: &ApiState, account: &Account) -> Reply {
    let held = match state.numbers.uses(account).await {
        Ok(h) => h,
        Err(e) => return failed(e),
    };
    let mut list = Vec::with_capacity(held.len());
    for a in held {
        let s = match state.numbers.use_state(account, a.id).await {
            Ok(s) => s,
            Err(MessagesError::NotFound) => continue,
            Err(e) => return failed(e),
        };
        let codes: Vec<String> = s
            .received
            .messages
            .iter()
            .filter_map(|m| m.code.as_deref().map(clean))
            .collect();
        let shown = state.numbers.view(&a.number).await;
        let country = countries::id_of(&shown.country);
        list.push(json!({
            "activationId": a.id.to_string(),
            "serviceCode": catalog::ANY,
            "phoneNumber": digits(&a.number),
            "activationCost": 0.0,
            "activationStatus": match standing(&s) {
                Standing::WaitRetry(_) => "3",
                Standing::Ok(_) => "2",
                _ => "1",
            },
            "smsCode": if codes.is_empty() { Value::Null } else { json!(codes) },
            "smsText": s.received.messages.last().map(|m| m.text.clone()),
            "activationTime": protocol_time(i64::from(a.since)),
            "discount": "0.00",
            "repeated": "0",
            "countryCode": country.map(|c| c.to_string()).unwrap_or_default(),
            "countryName": country.and_then(countries::name_of).unwrap_or_default(),
            "canGetAnotherSms": "1",
        }));
    }
    Reply::json(json!({ "status": "success", "activeActivations": list }))
}

/// `getNumbersStatus`: free numbers by `<service>_0`.
async fn counts(state: &ApiState, catalogs: &Catalogs, params: &Params) -> Reply {
    let country = match country(params) {
        Ok(c) => c,
        Err(_) => return Reply::json(json!({})),
    };
    let catalog = match catalogs.now(&state.numbers).await {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let mut out = serde_json::Map::new();
    let services: std::collections::BTreeSet<&str> =
        catalog.offers.iter().map(|o| o.service.as_str()).collect();
    for service in services {
        let count: u64 = catalog
            .categories(service, country)
            .iter()
            .map(|o| o.available)
            .sum();
        out.insert(format!("{service}_0"), json!(count));
    }
    Reply::json(Value::Object(out))
}

/// `getPrices`: cost 0, the free numbers, by country and service.
async fn prices(state: &ApiState, catalogs: &Catalogs, params: &Params) -> Reply {
    let country = country(params).unwrap_or(Some(u32::MAX));
    let catalog = match catalogs.now(&state.numbers).await {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let service = params.get("service");
    let mut out = serde_json::Map::new();
    for offer in &catalog.offers {
        if country.is_some_and(|c| c != offer.country)
            || service.is_some_and(|s| s != offer.service)
        {
            continue;
        }
        let by_service = out
            .entry(offer.country.to_string())
            .or_insert_with(|| json!({}));
        let entry = by_service.as_object_mut().map(|m| {
            m.entry(offer.service.clone())
                .or_insert_with(|| json!({"cost": 0.0, "count": 0}))
        });
        if let Some(Value::Object(e)) = entry {
            let count = e.get("count").and_then(Value::as_u64).unwrap_or(0) + offer.available;
            e.insert("count".into(), json!(count));
        }
    }
    Reply::json(Value::Object(out))
}

/// `getCountries`: the countries the pool has numbers of, keyed by id.
async fn country_list(state: &ApiState, catalogs: &Catalogs) -> Reply {
    let catalog = match catalogs.now(&state.numbers).await {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let mut out = serde_json::Map::new();
    for id in catalog.countries() {
        let name = countries::name_of(id).unwrap_or_default();
        out.insert(
            id.to_string(),
            json!({
                "id": id, "rus": name, "eng": name, "chn": name,
                "visible": 1, "retry": 1, "rent": 0, "multiService": 0,
            }),
        );
    }
    Reply::json(Value::Object(out))
}

/// `getOperators`: numbot knows no operators, so `any` per country.
async fn operators(state: &ApiState, catalogs: &Catalogs, params: &Params) -> Reply {
    let country = country(params).unwrap_or(Some(u32::MAX));
    let catalog = match catalogs.now(&state.numbers).await {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let list: serde_json::Map<String, Value> = catalog
        .countries()
        .into_iter()
        .filter(|id| country.is_none_or(|c| c == *id))
        .map(|id| (id.to_string(), json!(["any"])))
        .collect();
    if list.is_empty() {
        return Reply::text("OPERATORS_NOT_FOUND");
    }
    Reply::json(json!({ "status": "success", "countryOperators": list }))
}

#[cfg(test)]
mod tests {
    use numbot_core::inbox::Received;

    use super::*;

    fn message(id: u64, code: Option<&str>) -> InboxMessage {
        InboxMessage {
            id,
            received_at: 1_700_000_000,
            sender: None,
            text: format!("text {id}"),
            code: code.map(str::to_string),
            unexpected_sender: false,
        }
    }

    fn state(current: bool, asked_again: u64, messages: Vec<InboxMessage>) -> UseState {
        UseState {
            current: current.then(|| Assignment {
                id: UseId(7),
                number: "+447700900001".into(),
                user: -7001,
                category: "UK".into(),
                file: "uk.csv".into(),
                since: 1_700_000_000,
                until: 1_700_000_600,
            }),
            received: Received {
                holder: -7001,
                messages,
                asked_again,
            },
        }
    }

    #[test]
    fn an_activation_stands_as_its_messages_say() {
        use Standing::*;
        assert_eq!(standing(&state(true, 0, vec![])), WaitCode);
        assert_eq!(
            standing(&state(true, 0, vec![message(1, None)])),
            WaitCode,
            "a message without a code"
        );
        assert_eq!(
            standing(&state(true, 0, vec![message(1, Some("12 34"))])),
            Ok("1234".into())
        );
        let asked = vec![message(1, Some("111")), message(2, None)];
        assert_eq!(
            standing(&state(true, 2, asked.clone())),
            WaitRetry("111".into())
        );
        let mut again = asked;
        again.push(message(3, Some("222")));
        assert_eq!(standing(&state(true, 2, again.clone())), Ok("222".into()));
        assert_eq!(
            standing(&state(false, 2, again)),
            Ok("222".into()),
            "ended on a code"
        );
        assert_eq!(standing(&state(false, 0, vec![])), Cancel);
        assert_eq!(
            standing(&state(false, 1, vec![message(1, Some("1"))])),
            Cancel
        );
    }

    #[test]
    fn times_and_numbers_take_the_protocols_form() {
        assert_eq!(protocol_time(1_735_725_600), "2025-01-01 10:00:00");
        assert_eq!(digits("+447700900001"), "447700900001");
        assert_eq!(clean("a:b c"), "abc");
        let until = refused(Some(Duration::from_secs(3)));
        assert!(until.body().starts_with("BANNED:20"), "{}", until.body());
        assert_eq!(until.body().len(), "BANNED:2025-01-01-10-00-00".len());
    }
}
