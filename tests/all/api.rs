//! The HTTP API over real HTTP: every route and status on the file store,
//! a long poll woken by the code, a Telegram user and an API client racing
//! for the last number, the OpenAPI document against the routes, a
//! Prometheus scrape, and two replicas on MongoDB sharing tokens and pool.

use std::{
    collections::BTreeSet,
    sync::Arc,
    time::{Duration, Instant},
};

use numbot_api::ApiConfig;
use numbot_core::{tokens::NewToken, AuditAction, AuditLog, TokenStore};
use numbot_otp::{ProviderConfig, SmsConfig};
use numbot_testing::{
    fake_sms::{self, FakeSms},
    fake_telegram::TestUser,
};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{uae_csv, BotHarness, ADMIN};

/// A bot with the API on an ephemeral port, and a client for it.
pub(crate) struct Api {
    pub(crate) h: BotHarness,
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
}

/// What an API call answered.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: header::HeaderMap,
    pub(crate) body: Value,
}

impl Api {
    pub(crate) async fn start(sms: Option<&FakeSms>) -> Api {
        Api::start_with(sms, |_| {}).await
    }

    /// [`Api::start`] with its configuration then changed by `change`.
    pub(crate) async fn start_with(
        sms: Option<&FakeSms>,
        change: impl FnOnce(&mut numbot::config::Config),
    ) -> Api {
        let sms = sms.map(|fake| {
            let mut c = SmsConfig::new(ProviderConfig::Twilio {
                url: fake.url(),
                account: fake_sms::ACCOUNT.into(),
                token: fake_sms::TOKEN.into(),
            });
            c.poll_interval_ms = 20;
            c.timeout_ms = 500;
            c
        });
        let h = BotHarness::start(|c| {
            c.api = Some(ApiConfig::new("127.0.0.1:0".parse().unwrap()));
            c.sms = sms;
            c.limits.numbers_per_window = 1000;
            change(c);
        })
        .await;
        let addr = h.service.api_addr().expect("the API listens");
        Api {
            h,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    /// A new token's secret.
    pub(crate) async fn token(
        &self,
        name: &str,
        categories: &[&str],
        per_window: Option<u32>,
        uses: u32,
    ) -> String {
        let new = NewToken {
            name: name.into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            numbers_per_window: per_window,
            max_uses: uses,
        };
        self.h
            .service
            .numbers()
            .issue_token(ADMIN, new)
            .await
            .unwrap()
            .0
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn upload(&self, first: u64, n: u64, category: &str) {
        self.h
            .upload(
                &TestUser::new(ADMIN),
                "n.csv",
                uae_csv(first, n),
                Some(category),
            )
            .await;
    }
}

pub(crate) fn code(a: &Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_with_its_statuses() {
    let api = Api::start(None).await;
    api.upload(0, 3, "UAE Mobile").await;
    api.upload(100, 2, "UAE Spare").await;
    let ci = api.token("ci", &["UAE Mobile"], Some(2), 1).await;

    // 401 without a token, with a wrong one.
    for token in [None, Some("nbt_wrong")] {
        let a = api.call(Method::GET, "/v1/categories", token, None).await;
        assert_eq!(
            (a.status, code(&a)),
            (StatusCode::UNAUTHORIZED, "unauthorized")
        );
    }
    // Categories: the token's only.
    let a = api
        .call(Method::GET, "/v1/categories", Some(&ci), None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, json!([{"name": "UAE Mobile", "available": 3}]));

    // Malformed bodies: 400 with the field at fault.
    let bad = [
        (json!({}), "category"),
        (json!({"category": 5}), "category"),
        (json!({"category": "UAE Mobile", "extra": 1}), "extra"),
        (json!({"category": ""}), "category"),
    ];
    for (body, field) in bad {
        let a = api
            .call(Method::POST, "/v1/numbers", Some(&ci), Some(body.clone()))
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(a.body["error"]["field"], field, "{body}: {}", a.body);
    }
    let raw = api
        .http
        .post(format!("{}/v1/numbers", api.base))
        .bearer_auth(&ci)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"category\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let huge = json!({"category": "x".repeat(100_000)});
    let a = api
        .call(Method::POST, "/v1/numbers", Some(&ci), Some(huge))
        .await;
    assert_eq!(
        (a.status, code(&a)),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    // 403: not the token's category.
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Spare"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    // 201: a number, with what a test needs.
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let use_id = a.body["use_id"].as_str().unwrap().to_string();
    let number = a.body["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("+97150"));
    assert_eq!(a.body["country"], "AE");
    assert_eq!(a.body["category"], "UAE Mobile");
    assert!(a.body["display"].as_str().unwrap().contains(' '));
    assert!(chrono::DateTime::parse_from_rfc3339(a.body["expires_at"].as_str().unwrap()).is_ok());
    // 409: one use at a time for this token.
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    assert_eq!((a.status, code(&a)), (StatusCode::CONFLICT, "holding_max"));
    // Its uses.
    let a = api.call(Method::GET, "/v1/uses", Some(&ci), None).await;
    assert_eq!(a.body.as_array().unwrap().len(), 1);
    assert_eq!(a.body[0]["use_id"], use_id.as_str());

    // Messages: none yet (wait=0); a wait over 120 s is refused; another
    // token cannot see the use.
    let path = format!("/v1/uses/{use_id}/messages");
    let a = api.call(Method::GET, &path, Some(&ci), None).await;
    assert_eq!((a.status, a.body.clone()), (StatusCode::OK, json!([])));
    let a = api
        .call(Method::GET, &format!("{path}?wait=121"), Some(&ci), None)
        .await;
    assert_eq!(
        (a.status, a.body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("wait"))
    );
    let other = api.token("other", &[], None, 1).await;
    for p in [
        path.clone(),
        format!("/v1/uses/{use_id}/done"),
        format!("/v1/uses/{use_id}/cancel"),
    ] {
        let method = if p.ends_with("messages") {
            Method::GET
        } else {
            Method::POST
        };
        let a = api.call(method, &p, Some(&other), None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{p}");
    }
    let a = api
        .call(Method::GET, "/v1/uses/garbage/messages", Some(&ci), None)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);

    // Done: the use ends, the number follows the reuse rule.
    let a = api
        .call(
            Method::POST,
            &format!("/v1/uses/{use_id}/done"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(
        (a.status, a.body["ended"].as_str()),
        (StatusCode::OK, Some("done"))
    );
    let a = api
        .call(
            Method::POST,
            &format!("/v1/uses/{use_id}/done"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "a use ends once");

    // The token's limit: 2 per window, so the next take is 429 with Retry-After.
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let second = a.body["use_id"].as_str().unwrap().to_string();
    let a = api
        .call(
            Method::POST,
            &format!("/v1/uses/{second}/cancel"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(
        (a.status, a.body["ended"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    assert_eq!(
        (a.status, code(&a)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    let retry: u64 = a.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);

    // 409: no free number.
    let wide = api.token("wide", &[], None, 5).await;
    for _ in 0..2 {
        let a = api
            .call(
                Method::POST,
                "/v1/numbers",
                Some(&wide),
                Some(json!({"category": "UAE Spare"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED);
    }
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&wide),
            Some(json!({"category": "UAE Spare"})),
        )
        .await;
    assert_eq!(
        (a.status, code(&a)),
        (StatusCode::CONFLICT, "none_available")
    );
    assert_eq!(
        api.call(Method::GET, "/v1/uses", Some(&wide), None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2,
        "one token, two numbers at once"
    );

    // Revoked: 401 (within the lookup cache's few seconds).
    TokenStore::revoke_token(&*api.h.users, "wide", 1)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    let a = api.call(Method::GET, "/v1/uses", Some(&wide), None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    // The audit trail names the token.
    let audit = api.h.users.recent_audit(50).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == AuditAction::Take && e.detail.contains("api token ci")));

    // Health.
    assert_eq!(
        api.call(Method::GET, "/healthz", None, None).await.status,
        StatusCode::OK
    );
    let ready = api.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(
        api.call(Method::GET, "/nowhere", None, None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// `[api]` limits: a token sending faster than `requests_per_second` gets
/// 429 and Retry-After, other tokens go on; `numbers_per_window` is the
/// limit of tokens that set none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_limits_pace_requests_and_numbers_per_token() {
    let api = Api::start_with(None, |c| {
        let api = c.api.as_mut().unwrap();
        api.requests_per_second = 3;
        api.numbers_per_window = Some(1);
    })
    .await;
    api.upload(0, 5, "UAE Mobile").await;
    let busy = api.token("busy", &[], None, 3).await;
    let calm = api.token("calm", &[], None, 3).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let a = api.call(Method::GET, "/v1/uses", Some(&busy), None).await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(code(&a), "too_many_requests");
            assert!(a.headers.contains_key(header::RETRY_AFTER));
        }
        statuses.push(a.status);
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        (1..=5).contains(&refused),
        "a burst of 3 goes through, then about 3 a second: {statuses:?}"
    );
    let a = api.call(Method::GET, "/v1/uses", Some(&calm), None).await;
    assert_eq!(a.status, StatusCode::OK, "another token is not slowed");

    let take = json!({"category": "UAE Mobile"});
    let a = api
        .call(Method::POST, "/v1/numbers", Some(&calm), Some(take.clone()))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let a = api
        .call(Method::POST, "/v1/numbers", Some(&calm), Some(take))
        .await;
    assert_eq!(
        (a.status, code(&a)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "[api] numbers_per_window = 1 for tokens without their own: {}",
        a.body
    );
}

/// `/readyz` turns 503 while the SMS provider keeps failing and 200 once it
/// answers again; `numbot ready` (what the compose file's health check
/// runs) says the same through its exit status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_sms_provider() {
    let fake = FakeSms::start().await.unwrap();
    let api = Api::start(Some(&fake)).await;
    let addr = api.base.trim_start_matches("http://").to_string();
    let probe = |addr: String| async move {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(crate::support::binary("numbot"))
                .args(["ready", "--api", &addr])
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    assert!(probe(addr.clone()).await.status.success());
    api.upload(0, 2, "UAE Mobile").await;
    let ci = api.token("ci", &[], None, 1).await;
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::CREATED,
        "a watched number makes the monitor poll"
    );
    fake.set_mode(fake_sms::Mode::Down);
    let deadline = Instant::now() + Duration::from_secs(30);
    let down = loop {
        let ready = api.call(Method::GET, "/readyz", None, None).await;
        if ready.status == StatusCode::SERVICE_UNAVAILABLE {
            break ready;
        }
        assert!(
            Instant::now() < deadline,
            "still ready with the provider down"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        down.body["problems"].to_string().contains("SMS provider"),
        "{}",
        down.body
    );
    let out = probe(addr.clone()).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SMS provider"));
    fake.set_mode(fake_sms::Mode::Normal);
    let deadline = Instant::now() + Duration::from_secs(90);
    while api.call(Method::GET, "/readyz", None, None).await.status != StatusCode::OK {
        assert!(
            Instant::now() < deadline,
            "not ready again after the provider recovered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(probe(addr).await.status.success());
    drop(api);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = closed.local_addr().unwrap().to_string();
    drop(closed);
    let out = probe(nobody).await;
    assert!(!out.status.success(), "nothing listening is not ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_returns_when_the_code_arrives() {
    let fake = FakeSms::start().await.unwrap();
    let api = Api::start(Some(&fake)).await;
    api.upload(0, 2, "UAE Mobile").await;
    let ci = api.token("ci", &[], None, 1).await;
    let a = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    let use_id = a.body["use_id"].as_str().unwrap().to_string();
    let number = a.body["number"].as_str().unwrap().to_string();
    let path = format!("/v1/uses/{use_id}/messages?wait=30");
    let started = Instant::now();
    let waiting = {
        let (http, base, ci, path) = (api.http.clone(), api.base.clone(), ci.clone(), path.clone());
        tokio::spawn(async move {
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(ci)
                .send()
                .await
                .unwrap();
            (
                r.status(),
                r.json::<Value>().await.unwrap(),
                started.elapsed(),
            )
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the request waits for the message");
    fake.deliver(
        &number,
        "ACME",
        "Your ACME code is 482913. It expires in 10 minutes.",
    );
    let (status, body, took) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body[0]["code"], "482913");
    assert!(body[0]["text"].as_str().unwrap().contains("ACME"));
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Nothing after it: an empty list at the end of the wait.
    let after = body[0]["id"].as_u64().unwrap();
    let a = api
        .call(
            Method::GET,
            &format!("/v1/uses/{use_id}/messages?wait=1&after={after}"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(a.body, json!([]));
    // The Telegram side saw none of it.
    assert!(api.h.tg.calls("sendMessage") < 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_taken_again_at_once_is_a_new_use() {
    let fake = FakeSms::start().await.unwrap();
    let api = Api::start_with(Some(&fake), |c| {
        c.store.reuse = numbot_core::reuse::ReuseKind::Unlimited;
    })
    .await;
    api.upload(0, 1, "UAE Mobile").await;
    let ci = api.token("ci", &[], None, 1).await;
    let take = || {
        api.call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
    };
    let first = take().await;
    let first_id = first.body["use_id"].as_str().unwrap().to_string();
    let number = first.body["number"].as_str().unwrap().to_string();
    fake.deliver(&number, "ACME", "Your ACME code is 482913.");
    let got = api
        .call(
            Method::GET,
            &format!("/v1/uses/{first_id}/messages?wait=30"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(got.body[0]["code"], "482913", "{}", got.body);
    let done = api
        .call(
            Method::POST,
            &format!("/v1/uses/{first_id}/done"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    // The only number, to the same token, within the same second.
    let second = take().await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["number"], number.as_str());
    let second_id = second.body["use_id"].as_str().unwrap().to_string();
    assert_ne!(second_id, first_id, "two uses, two ids");
    let theirs = api
        .call(
            Method::GET,
            &format!("/v1/uses/{second_id}/messages"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(theirs.body, json!([]), "the first use's code is not theirs");
    let stale = api
        .call(
            Method::POST,
            &format!("/v1/uses/{first_id}/done"),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::NOT_FOUND,
        "the old id ends nothing"
    );
    let uses = api.call(Method::GET, "/v1/uses", Some(&ci), None).await;
    assert_eq!(uses.body[0]["use_id"], second_id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telegram_user_and_an_api_client_race_for_the_last_number() {
    let api = Api::start(None).await;
    for round in 0..5u64 {
        let category = format!("Last {round}");
        api.upload(1_000 + round, 1, &category).await;
        let token = api.token(&format!("race{round}"), &[], None, 1).await;
        let user = TestUser::new(500 + round as i64);
        let list = api.h.say(&user, "/countries").await;
        let button = list
            .buttons
            .iter()
            .flatten()
            .find(|(label, _)| label.starts_with(&category))
            .unwrap()
            .1
            .clone();
        let from = api.h.tg.transcript(user.id).len();
        api.h
            .tg
            .press_button(&user, list.message_id.unwrap(), &button);
        let a = api
            .call(
                Method::POST,
                "/v1/numbers",
                Some(&token),
                Some(json!({"category": category})),
            )
            .await;
        let replies = api.h.bot_entries(user.id, from, |e| !e.is_empty()).await;
        let telegram_got = replies[0]
            .text
            .as_deref()
            .unwrap_or_default()
            .starts_with("Your number");
        let api_got = a.status == StatusCode::CREATED;
        assert!(
            telegram_got ^ api_got,
            "exactly one: telegram {telegram_got}, api {api_got}"
        );
        if !api_got {
            assert_eq!(code(&a), "none_available");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route() {
    let api = Api::start(None).await;
    let a = api.call(Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (path, item) in a.body["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let expected: BTreeSet<String> = [
        "GET /v1/categories",
        "POST /v1/numbers",
        "GET /v1/uses",
        "GET /v1/uses/{use_id}/messages",
        "POST /v1/uses/{use_id}/done",
        "POST /v1/uses/{use_id}/cancel",
        "PUT /v1/webhook",
        "GET /v1/webhook",
        "DELETE /v1/webhook",
        "GET /v1/webhook/deliveries",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(documented, expected);
    for route in &expected {
        let (method, path) = route.split_once(' ').unwrap();
        let operation = &a.body["paths"][path][method.to_lowercase()];
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        let answers = operation["responses"].as_object().unwrap();
        if secured {
            // Every documented secured route answers 401 without a token,
            // and documents its refusals and failures.
            let with = api
                .call(
                    method.parse().unwrap(),
                    &path.replace("{use_id}", "1"),
                    None,
                    None,
                )
                .await;
            assert_eq!(with.status, StatusCode::UNAUTHORIZED, "{route}");
            for status in ["401", "429", "500", "503"] {
                assert!(answers.contains_key(status), "{route} documents {status}");
            }
            assert!(
                answers["429"]["headers"]["Retry-After"].is_object(),
                "{route}: 429 with Retry-After"
            );
        }
        if operation.get("requestBody").is_some() {
            assert!(
                answers.contains_key("413") && answers.contains_key("400"),
                "{route}"
            );
        }
    }
    let links = &a.body["paths"]["/v1/numbers"]["post"]["responses"]["201"]["links"];
    assert_eq!(links["Messages"]["operationId"], "messages", "{links}");
    assert_eq!(
        links["Done"]["parameters"]["use_id"],
        "$response.body#/use_id"
    );
    let query = a.body["paths"]["/v1/uses/{use_id}/messages"]["get"]["parameters"]
        .as_array()
        .unwrap();
    for name in ["wait", "after"] {
        let p = query.iter().find(|p| p["name"] == name).unwrap();
        assert_eq!(p["in"], "query", "{name} is a query parameter");
    }
    assert!(a.body["components"]["securitySchemes"]["bearer"].is_object());
}

/// Every line of a Prometheus text scrape is a comment or `name{labels} value`.
fn parse_prometheus(text: &str) -> Vec<(String, f64)> {
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix('#') {
            assert!(
                comment.starts_with(" HELP ") || comment.starts_with(" TYPE "),
                "{line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let name = series.split('{').next().unwrap();
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        if let Some(labels) = series.strip_prefix(name) {
            if !labels.is_empty() {
                assert!(labels.starts_with('{') && labels.ends_with('}'), "{line}");
            }
        }
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("{line}"));
        samples.push((series.to_string(), value));
    }
    samples
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_prometheus_text() {
    let api = Api::start(None).await;
    api.upload(0, 3, "UAE Mobile").await;
    let ci = api.token("ci", &[], None, 1).await;
    api.call(
        Method::POST,
        "/v1/numbers",
        Some(&ci),
        Some(json!({"category": "UAE Mobile"})),
    )
    .await;
    api.call(
        Method::POST,
        "/v1/numbers",
        Some(&ci),
        Some(json!({"category": "UAE Mobile"})),
    )
    .await;
    let text = api
        .http
        .get(format!("{}/metrics", api.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let samples = parse_prometheus(&text);
    let has = |prefix: &str| samples.iter().any(|(s, _)| s.starts_with(prefix));
    for metric in [
        "numbot_claims_total{",
        "numbot_claim_seconds_bucket{",
        "numbot_available_numbers{category=\"UAE Mobile\"}",
        "numbot_plugin_call_seconds_bucket{",
        "numbot_api_requests_total{",
    ] {
        assert!(has(metric), "{metric} missing:\n{text}");
    }
    let available = samples
        .iter()
        .find(|(s, _)| s == "numbot_available_numbers{category=\"UAE Mobile\"}")
        .unwrap()
        .1;
    assert_eq!(available, 2.0);
}

/// `/metrics` stays the same size whatever clients send: methods are
/// `GET`, `POST` or `other`, routes are the router's, and claims carry no
/// category a client made up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_labels_are_bounded() {
    let api = Api::start(None).await;
    api.upload(0, 3, "UAE Mobile").await;
    let ci = api.token("ci", &[], Some(1_000), 1).await;
    let scrape = || async {
        api.http
            .get(format!("{}/metrics", api.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    for i in 0..40 {
        let method = Method::from_bytes(format!("M{i}X").as_bytes()).unwrap();
        api.call(method, &format!("/nowhere/{i}"), None, None).await;
        api.call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": format!("made-up-{i}")})),
        )
        .await;
    }
    let first = scrape().await;
    for i in 40..400 {
        let method = Method::from_bytes(format!("M{i}X").as_bytes()).unwrap();
        api.call(method, &format!("/nowhere/{i}"), None, None).await;
        api.call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": format!("made-up-{i}")})),
        )
        .await;
    }
    let second = scrape().await;
    assert!(
        !second.contains("M41X") && !second.contains("made-up"),
        "{second}"
    );
    assert!(second.contains("method=\"other\""), "{second}");
    let series = |text: &str| text.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(
        series(&first),
        series(&second),
        "no new series:\n{first}\n---\n{second}"
    );
}

/// One token holds at most `waits_per_token` long polls; more get 429 with
/// Retry-After, and a freed place is taken again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_polls_are_capped_per_token() {
    let api = Api::start_with(None, |c| {
        if let Some(a) = &mut c.api {
            a.waits_per_token = 3;
        }
    })
    .await;
    api.upload(0, 3, "UAE Mobile").await;
    let ci = api.token("ci", &[], Some(1_000), 1).await;
    let taken = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    let path = format!(
        "{}/v1/uses/{}/messages?wait=20",
        api.base,
        taken.body["use_id"].as_str().unwrap()
    );
    let mut polls = Vec::new();
    for _ in 0..3 {
        let request = api.http.get(&path).bearer_auth(&ci).send();
        polls.push(tokio::spawn(request));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = api.http.get(&path).bearer_auth(&ci).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_waits");
    // Without waiting, a read is not a wait and goes through.
    let now = api
        .http
        .get(path.replace("wait=20", "wait=0"))
        .bearer_auth(&ci)
        .send()
        .await
        .unwrap();
    assert_eq!(now.status(), StatusCode::OK);
    // Revoking the token ends its waits at once.
    let started = Instant::now();
    api.h
        .service
        .numbers()
        .revoke_token(ADMIN, "ci")
        .await
        .unwrap();
    for poll in polls {
        let answered = poll.await.unwrap().unwrap();
        assert_eq!(answered.status(), StatusCode::OK);
    }
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the waits ended with the token"
    );
    // And its number went back.
    assert!(
        api.h.store.assignments().unwrap().is_empty(),
        "released with the token"
    );
}

/// Random bearer strings cost their sender its own lookup rate: past it,
/// 429 before the store is asked. A known token keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tokens_are_refused_per_address_before_any_lookup() {
    let api = Api::start_with(None, |c| {
        if let Some(a) = &mut c.api {
            a.lookups_per_second = 2;
        }
    })
    .await;
    let ci = api.token("ci", &[], None, 1).await;
    assert_eq!(
        api.call(Method::GET, "/v1/uses", Some(&ci), None)
            .await
            .status,
        StatusCode::OK,
        "looked up once, then cached"
    );
    let mut statuses = Vec::new();
    for i in 0..40 {
        let a = api
            .call(
                Method::GET,
                "/v1/uses",
                Some(&format!("nbt_guess{i}")),
                None,
            )
            .await;
        statuses.push(a.status);
    }
    assert!(statuses.contains(&StatusCode::UNAUTHORIZED));
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(refused >= 20, "{statuses:?}");
    assert_eq!(
        api.call(Method::GET, "/v1/uses", Some(&ci), None)
            .await
            .status,
        StatusCode::OK,
        "the cached token still opens the API"
    );
}

/// A token at its maximum that keeps asking writes nothing: the take is
/// refused before any count is made and given back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_at_its_maximum_retrying_writes_nothing() {
    let api = Api::start_with(None, |c| {
        c.api.as_mut().unwrap().requests_per_second = 1_000;
    })
    .await;
    api.upload(0, 3, "UAE Mobile").await;
    let ci = api.token("ci", &[], Some(1_000), 1).await;
    let body = Some(json!({"category": "UAE Mobile"}));
    let first = api
        .call(Method::POST, "/v1/numbers", Some(&ci), body.clone())
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let data = api.h.store.dir().to_path_buf();
    let size = || std::fs::metadata(data.join("users.jsonl")).unwrap().len();
    let before = size();
    for _ in 0..100 {
        let a = api
            .call(Method::POST, "/v1/numbers", Some(&ci), body.clone())
            .await;
        assert_eq!(code(&a), "holding_max");
    }
    assert_eq!(size(), before, "refused takes wrote to users.jsonl");
}

/// Two replicas on one MongoDB: a token made on one works on the other,
/// their claims never share a number, and the code the leading monitor
/// relays reaches a long poll on the other replica.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_mongodb_share_tokens_pool_and_messages() {
    let server = crate::support::MongoServer::get();
    let database = server.fresh_database();
    let fake = FakeSms::start().await.unwrap();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        replicas.push(crate::support::ApiReplica::start(&server.uri(), &database, &fake).await);
    }
    let (a, b) = (&replicas[0], &replicas[1]);
    numbot_core::upload::import(
        &*crate::support::shared_plugins(),
        &*a.store,
        numbot_core::Upload {
            file_name: "n.csv".into(),
            bytes: Arc::new(uae_csv(0, 40)),
            category: "UAE Mobile".into(),
            admin: 1,
            default_country: None,
        },
    )
    .await
    .unwrap();
    let (secret, _) = a
        .numbers
        .issue_token(
            0,
            NewToken {
                name: "ci".into(),
                categories: vec![],
                // Above the configured per-user limit, which would stop it at 10.
                numbers_per_window: Some(40),
                max_uses: 20,
            },
        )
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let take = |base: String| {
        let (http, secret) = (http.clone(), secret.clone());
        async move {
            let r = http
                .post(format!("{base}/v1/numbers"))
                .bearer_auth(secret)
                .json(&json!({"category": "UAE Mobile"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<Value>().await.unwrap()
        }
    };
    let mut numbers = BTreeSet::new();
    let mut uses = Vec::new();
    for i in 0..20 {
        let base = if i % 2 == 0 { a.base() } else { b.base() };
        let u = take(base).await;
        assert!(
            numbers.insert(u["number"].as_str().unwrap().to_string()),
            "distinct"
        );
        uses.push(u);
    }
    assert_eq!(a.store.assignments().await.unwrap().len(), 20);
    // A code for a use taken on A, waited for on B (whichever leads).
    let use_id = uses[0]["use_id"].as_str().unwrap();
    let number = uses[0]["number"].as_str().unwrap();
    let waiting = {
        let (http, base, secret) = (http.clone(), b.base(), secret.clone());
        let use_id = use_id.to_string();
        tokio::spawn(async move {
            http.get(format!("{base}/v1/uses/{use_id}/messages?wait=30"))
                .bearer_auth(secret)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    fake.deliver(number, "ACME", "ACME: 771902 is your code");
    let body = tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("the long poll answers")
        .unwrap();
    assert_eq!(body[0]["code"], "771902", "{body}");
}

/// Take on one replica, cancel, take at once on the other, twenty times,
/// with one number and a token of one use: every use gets a new id, the
/// previous holder's code never shows on the new use, and an ended use's
/// id acts on nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_use_id_names_one_use_across_replicas() {
    let server = crate::support::MongoServer::get();
    let database = server.fresh_database();
    let fake = FakeSms::start().await.unwrap();
    let a = crate::support::ApiReplica::start(&server.uri(), &database, &fake).await;
    let b = crate::support::ApiReplica::start(&server.uri(), &database, &fake).await;
    numbot_core::upload::import(
        &*crate::support::shared_plugins(),
        &*a.store,
        numbot_core::Upload {
            file_name: "one.csv".into(),
            bytes: Arc::new(uae_csv(0, 1)),
            category: "UAE Mobile".into(),
            admin: 1,
            default_country: None,
        },
    )
    .await
    .unwrap();
    let new = NewToken {
        name: "ci".into(),
        categories: vec![],
        numbers_per_window: Some(1_000),
        max_uses: 1,
    };
    let (secret, _) = a.numbers.issue_token(0, new).await.unwrap();
    let http = reqwest::Client::new();
    let call = |method: Method, url: String| {
        let (http, secret) = (http.clone(), secret.clone());
        async move {
            let r = http
                .request(method, url)
                .bearer_auth(secret)
                .json(&json!({"category": "UAE Mobile"}))
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let mut ids = BTreeSet::new();
    for round in 0..20u32 {
        let (first, second) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let (status, taken) = call(Method::POST, format!("{}/v1/numbers", first.base())).await;
        assert_eq!(status, StatusCode::CREATED, "round {round}: {taken}");
        let old = taken["use_id"].as_str().unwrap().to_string();
        let number = taken["number"].as_str().unwrap().to_string();
        assert!(
            ids.insert(old.clone()),
            "round {round}: {old} was given before"
        );
        // A message in the second the number changed hands goes to nobody
        // (providers stamp whole seconds): this one comes a second later.
        crate::support::next_second().await;
        let code = format!("{}", 300_000 + round);
        fake.deliver(&number, "ACME", &format!("ACME: {code} is your code"));
        let (_, got) = call(
            Method::GET,
            format!("{}/v1/uses/{old}/messages?wait=20", first.base()),
        )
        .await;
        assert_eq!(got[0]["code"], code.as_str(), "round {round}: {got}");
        let (status, _) = call(
            Method::POST,
            format!("{}/v1/uses/{old}/cancel", first.base()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        // At once, on the other replica: the same number, a new use.
        let (status, taken) = call(Method::POST, format!("{}/v1/numbers", second.base())).await;
        assert_eq!(status, StatusCode::CREATED, "round {round}: {taken}");
        let new = taken["use_id"].as_str().unwrap().to_string();
        assert_eq!(taken["number"], number.as_str());
        assert!(
            ids.insert(new.clone()),
            "round {round}: {new} was given before"
        );
        let (status, shown) = call(
            Method::GET,
            format!("{}/v1/uses/{new}/messages?wait=0", second.base()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            shown,
            json!([]),
            "round {round}: the old code shows on the new use"
        );
        for action in ["cancel", "done"] {
            let (status, _) = call(
                Method::POST,
                format!("{}/v1/uses/{old}/{action}", second.base()),
            )
            .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "round {round}: {action} of the old id"
            );
        }
        let (_, uses) = call(Method::GET, format!("{}/v1/uses", second.base())).await;
        assert_eq!(
            uses[0]["use_id"],
            new.as_str(),
            "round {round}: the new use goes on"
        );
        let (status, _) = call(
            Method::POST,
            format!("{}/v1/uses/{new}/cancel", second.base()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
}

/// An admin makes a token in Telegram; it opens the API at once; a user
/// who is not an admin cannot make one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_make_and_revoke_tokens_in_telegram() {
    let api = Api::start(None).await;
    let admin = TestUser::new(ADMIN);
    let made = api
        .h
        .say(&admin, "/token create tg-ci --max-uses 2 --categories UAE")
        .await;
    let text = made.text.clone().unwrap_or_default();
    let start = text.find("<code>nbt_").expect("the secret") + 6;
    let secret = &text[start..start + text[start..].find("</code>").unwrap()];
    let a = api
        .call(Method::GET, "/v1/categories", Some(secret), None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let listed = api.h.say(&admin, "/token list").await;
    assert!(listed
        .text
        .unwrap_or_default()
        .contains("tg-ci · 2 at once · UAE · live"));
    // The secret does not stay in the chat: the button deletes it.
    assert_eq!(made.buttons[0][0].0, "Copied: delete this message");
    let toast = api
        .h
        .toast(&admin, made.message_id.unwrap(), &made.buttons[0][0].1)
        .await;
    assert_eq!(
        toast.as_deref(),
        Some("Deleted: the secret is no longer in this chat.")
    );
    assert!(
        api.h.tg.transcript(ADMIN).iter().all(|e| !e
            .text
            .as_deref()
            .unwrap_or_default()
            .contains(secret)),
        "the secret is gone from the chat"
    );
    let refused = api.h.say(&TestUser::new(77), "/token create mine").await;
    assert!(refused.text.unwrap_or_default().contains("for admins only"));
    let revoked = api.h.say(&admin, "/token revoke tg-ci").await;
    assert!(revoked.text.unwrap_or_default().contains("revoked"));
    assert!(TokenStore::tokens(&*api.h.users).await.unwrap()[0]
        .revoked_at
        .is_some());
}

/// The client examples in `examples/api`, run as a CI job runs them: the
/// shell one (curl and jq) and the Python one (standard library) each take
/// a number, get the code the app under test caused, and release it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_examples_take_a_number_and_get_its_code() {
    let fake = Arc::new(FakeSms::start().await.unwrap());
    let api = Api::start_with(Some(&fake), |c| {
        let sms = c.sms.as_mut().unwrap();
        sms.senders.insert("UAE Mobile".into(), vec!["Acme".into()]);
    })
    .await;
    api.upload(0, 4, "UAE Mobile").await;
    let token = api.token("ci", &[], None, 1).await;
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/api");
    let dir = tempfile::tempdir().unwrap();

    // The shell example: the trigger stands for the app under test.
    let trigger = dir.path().join("send-the-sms.sh");
    std::fs::write(
        &trigger,
        "#!/bin/sh\ncurl -fsS -X POST \"$SMS_URL/control/sms\" -H 'Content-Type: application/json' \
         -d \"{\\\"to\\\":\\\"$1\\\",\\\"from\\\":\\\"Acme\\\",\\\"text\\\":\\\"Your Acme code is 555 123\\\"}\" >/dev/null\n",
    )
    .unwrap();
    std::fs::set_permissions(
        &trigger,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let (base, secret, sms_url) = (api.base.clone(), token.clone(), fake.url());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg(format!("{examples}/take-number.sh"))
            .arg("UAE Mobile")
            .arg(&trigger)
            .env("NUMBOT_URL", base)
            .env("NUMBOT_TOKEN", secret)
            .env("SMS_URL", sms_url)
            .output()
            .expect("bash")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "555123\n");
    let uses = api.call(Method::GET, "/v1/uses", Some(&token), None).await;
    assert_eq!(uses.body, json!([]), "the script said done");

    // The Python example prints the number, then the code. Providers stamp
    // messages to the second, so a message in the second the number was
    // given back goes to nobody: the next use's message comes later.
    crate::support::next_second().await;
    let (base, secret, fake2) = (api.base.clone(), token.clone(), fake.clone());
    let out = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut child = std::process::Command::new("python3")
            .arg(format!("{examples}/take_number.py"))
            .arg("UAE Mobile")
            .env("NUMBOT_URL", base)
            .env("NUMBOT_TOKEN", secret)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let number = lines.next().unwrap().unwrap();
        // A forged code first: the client skips it.
        fake2.deliver(&number, "+971555000111", "Your code is 0000");
        fake2.deliver(&number, "Acme", "Your Acme code is 271 828");
        let code = lines.next().unwrap().unwrap();
        assert!(child.wait().unwrap().success());
        (number, code)
    });
    let (number, code) = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("the Python client finishes")
        .unwrap();
    assert!(number.starts_with("+97150"), "{number}");
    assert_eq!(code, "271828");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_chat_gets_every_relayed_code_and_audit_event() {
    const LOG: i64 = -100_777;
    let fake = FakeSms::start().await.unwrap();
    let api = Api::start_with(Some(&fake), |c| {
        c.telegram.log_chat = Some(LOG.to_string());
    })
    .await;
    api.upload(0, 3, "UAE Mobile").await;
    let log = |what: String| {
        let tg = &api.h.tg;
        async move {
            tg.wait_for(LOG, Duration::from_secs(30), |e| {
                e.text.as_deref().unwrap_or_default().contains(&what)
            })
            .await
            .unwrap_or_else(|| panic!("no {what:?} in the log chat: {:?}", tg.transcript(LOG)))
        }
    };
    log(format!("📋 upload · user {ADMIN}")).await;

    // A Telegram user's code, the number masked.
    let user = TestUser::new(100);
    let list = api.h.say(&user, "/countries").await;
    let got = api
        .h
        .press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    let number = crate::support::number_in(&got);
    fake.deliver(&number, "Acme", "Your Acme code is 482913");
    let posted = log("482913".into()).await;
    let posted = posted.text.unwrap();
    let last4 = &number[number.len() - 4..];
    assert_eq!(
        posted,
        format!("🔑 code <code>482913</code> · •••{last4} · UAE Mobile · user 100")
    );
    assert!(!posted.contains(&number[..number.len() - 4]), "masked");

    // An API client's code.
    let ci = api.token("ci", &[], None, 1).await;
    let taken = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    let number = taken.body["number"].as_str().unwrap().to_string();
    fake.deliver(&number, "Acme", "Your Acme code is 777001");
    let posted = log("777001".into()).await.text.unwrap();
    assert!(posted.contains("· API token "), "{posted}");

    // An admin action.
    api.h.say(&TestUser::new(55), "/start").await;
    api.h.say(&TestUser::new(ADMIN), "/ban 55 spam").await;
    log("📋 ban · user 1 · user 55: spam".into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_chat_that_fails_never_holds_up_a_relay() {
    let fake = FakeSms::start().await.unwrap();
    // The fake refuses a chat it cannot resolve.
    let api = Api::start_with(Some(&fake), |c| {
        c.telegram.log_chat = Some("@no_such_chat".into());
    })
    .await;
    api.upload(0, 2, "UAE Mobile").await;
    let user = TestUser::new(100);
    let list = api.h.say(&user, "/countries").await;
    let got = api
        .h
        .press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    let number = crate::support::number_in(&got);
    fake.deliver(&number, "Acme", "Your Acme code is 482913");
    api.h
        .tg
        .wait_for(100, Duration::from_secs(30), |e| {
            e.text
                .as_deref()
                .unwrap_or_default()
                .contains("<code>482913</code>")
        })
        .await
        .expect("the code is relayed");
}

/// A token that takes and gives back numbers many times a second (a busy
/// suite) still gets the code of the use it takes next: a use's start is
/// the time it began, not pushed later for each use of the same holder in
/// the same second, so a message a second later belongs to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_taking_many_times_a_second_gets_its_next_code() {
    let sms = FakeSms::start().await.unwrap();
    let api = Api::start_with(Some(&sms), |c| {
        c.api.as_mut().unwrap().requests_per_second = 10_000;
    })
    .await;
    api.upload(0, 3, "UAE Mobile").await;
    let busy = api.token("busy", &[], Some(100_000), 1).await;
    let body = Some(json!({"category": "UAE Mobile"}));
    for _ in 0..50 {
        let taken = api
            .call(Method::POST, "/v1/numbers", Some(&busy), body.clone())
            .await;
        assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
        let path = format!("/v1/uses/{}/cancel", taken.body["use_id"].as_str().unwrap());
        api.call(Method::POST, &path, Some(&busy), None).await;
    }
    let taken = api
        .call(Method::POST, "/v1/numbers", Some(&busy), body)
        .await;
    crate::support::next_second().await;
    sms.deliver(
        taken.body["number"].as_str().unwrap(),
        "ACME",
        "ACME: 606060 is your code",
    );
    let got = api
        .call(
            Method::GET,
            &format!(
                "/v1/uses/{}/messages?wait=15",
                taken.body["use_id"].as_str().unwrap()
            ),
            Some(&busy),
            None,
        )
        .await;
    assert_eq!(got.body[0]["code"], "606060", "{}", got.body);
}
