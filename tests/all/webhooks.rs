//! Message webhooks: a token sets a URL, each message relayed to its uses
//! is posted there signed, tried again with backoff until the receiver
//! takes it, the tries listed; private addresses refused unless allowed; a
//! receiver that hangs delays no one; on MongoDB a delivery queued by a
//! replica that stopped is sent by the other.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode as AxumStatus},
    routing::post,
    Router,
};
use numbot_core::tokens::NewToken;
use numbot_testing::fake_sms::FakeSms;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{api::Api, support::uae_csv};

/// What a receiver got: each request's headers and body.
type Got = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on 127.0.0.1: answers `fail_first` requests 500,
/// the rest 200 (after `delay`).
async fn receiver(fail_first: usize, delay: Duration) -> (String, Got) {
    let got: Got = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            post(
                move |State(got): State<Got>, headers: HeaderMap, body: Bytes| async move {
                    let n = {
                        let mut got = got.lock().unwrap();
                        got.push((headers, String::from_utf8_lossy(&body).into_owned()));
                        got.len()
                    };
                    tokio::time::sleep(delay).await;
                    if n <= fail_first {
                        AxumStatus::INTERNAL_SERVER_ERROR
                    } else {
                        AxumStatus::OK
                    }
                },
            ),
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

async fn until<T>(what: &str, secs: u64, mut check: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < end, "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_the_webhook_signed_and_are_tried_until_taken() {
    let sms = FakeSms::start().await.unwrap();
    let api = Api::start_with(Some(&sms), |c| {
        c.api.as_mut().unwrap().webhooks.allow_private = true;
    })
    .await;
    api.upload(0, 2, "UAE Mobile").await;
    let ci = api.token("ci", &[], Some(100), 1).await;
    let (url, got) = receiver(2, Duration::ZERO).await;

    let none = api.call(Method::GET, "/v1/webhook", Some(&ci), None).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let set = api
        .call(
            Method::PUT,
            "/v1/webhook",
            Some(&ci),
            Some(json!({ "url": url })),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let secret = set.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let shown = api.call(Method::GET, "/v1/webhook", Some(&ci), None).await;
    assert_eq!(shown.body["url"], url.as_str());
    assert!(shown.body.get("secret").is_none(), "shown once");

    let taken = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    let number = taken.body["number"].as_str().unwrap().to_string();
    let use_id = taken.body["use_id"].as_str().unwrap().to_string();
    sms.deliver(&number, "ACME", "ACME: 818181 is your code");
    let posts = until("three tries", 20, || {
        let got = got.lock().unwrap();
        (got.len() >= 3).then(|| got.clone())
    })
    .await;
    for (headers, body) in &posts {
        assert_eq!(
            headers["x-numbot-signature"].to_str().unwrap(),
            numbot_api::webhooks::signature(&secret, body.as_bytes()),
            "signed with the secret"
        );
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(body, &posts[0].1, "every try sends the same body");
    }
    let event: Value = serde_json::from_str(&posts[0].1).unwrap();
    assert_eq!(event["type"], "message");
    assert_eq!(event["use_id"], use_id.as_str());
    assert_eq!(event["number"], number.as_str());
    assert_eq!(event["message"]["code"], "818181");
    assert_eq!(
        event["event"],
        format!("{use_id}.{}", event["message"]["id"]).as_str()
    );
    assert_eq!(
        posts[0].0["x-numbot-event"].to_str().unwrap(),
        event["event"]
    );

    // The tries, as the token sees them.
    let listed = until("the delivery recorded", 10, || {
        let a = futures::executor::block_on(api.call(
            Method::GET,
            "/v1/webhook/deliveries",
            Some(&ci),
            None,
        ));
        (a.body[0]["state"] == "delivered").then_some(a.body)
    })
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["attempts"], 3);
    assert_eq!(listed[0]["last_status"], 200);
    assert_eq!(listed[0]["event"], event["event"]);

    // Removed: the next message is posted nowhere.
    let removed = api
        .call(Method::DELETE, "/v1/webhook", Some(&ci), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let again = api
        .call(Method::DELETE, "/v1/webhook", Some(&ci), None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    sms.deliver(&number, "ACME", "ACME: 121212 is your code");
    let messages = api
        .call(
            Method::GET,
            &format!(
                "/v1/uses/{use_id}/messages?wait=10&after={}",
                event["message"]["id"]
            ),
            Some(&ci),
            None,
        )
        .await;
    assert_eq!(messages.body[0]["code"], "121212");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(got.lock().unwrap().len(), 3, "no webhook, no post");

    let audit = api.h.service.numbers().recent_audit(20).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"webhook_set") && actions.contains(&"webhook_remove"),
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_and_other_schemes_are_refused_unless_allowed() {
    let api = Api::start(None).await;
    let ci = api.token("ci", &[], None, 1).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/hook",
        "http://192.168.1.20:9000/",
    ] {
        let a = api
            .call(
                Method::PUT,
                "/v1/webhook",
                Some(&ci),
                Some(json!({ "url": url })),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{url}: {}", a.body);
        assert!(a.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("private"));
    }
    for url in [
        "http://[::1]/hook",
        "ftp://hooks.example.com/",
        "https://user:pw@hooks.example.com/",
        "hooks.example.com/no-scheme",
    ] {
        let a = api
            .call(
                Method::PUT,
                "/v1/webhook",
                Some(&ci),
                Some(json!({ "url": url })),
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{url}: {}", a.body);
        assert_eq!(a.body["error"]["field"], "url");
    }
    let a = api
        .call(
            Method::PUT,
            "/v1/webhook",
            Some(&ci),
            Some(json!({ "url": "https://hooks.example.com/numbot" })),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "a public name: {}", a.body);
}

/// The receiver hangs: the message still reaches the long poll at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_hangs_delays_nothing_else() {
    let sms = FakeSms::start().await.unwrap();
    let api = Api::start_with(Some(&sms), |c| {
        let a = c.api.as_mut().unwrap();
        a.webhooks.allow_private = true;
        a.webhooks.timeout_ms = 30_000;
    })
    .await;
    api.upload(0, 1, "UAE Mobile").await;
    let ci = api.token("ci", &[], Some(100), 1).await;
    let (url, got) = receiver(0, Duration::from_secs(25)).await;
    api.call(
        Method::PUT,
        "/v1/webhook",
        Some(&ci),
        Some(json!({ "url": url })),
    )
    .await;
    let taken = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&ci),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    let use_id = taken.body["use_id"].as_str().unwrap().to_string();
    for code in ["111111", "222222"] {
        let started = Instant::now();
        sms.deliver(
            taken.body["number"].as_str().unwrap(),
            "ACME",
            &format!("ACME: {code} is your code"),
        );
        let mut after = 0;
        let found = loop {
            let a = api
                .call(
                    Method::GET,
                    &format!("/v1/uses/{use_id}/messages?wait=5&after={after}"),
                    Some(&ci),
                    None,
                )
                .await;
            if let Some(m) = a
                .body
                .as_array()
                .and_then(|l| l.iter().find(|m| m["code"] == code))
            {
                break m.clone();
            }
            after = a
                .body
                .as_array()
                .and_then(|l| l.last())
                .map_or(after, |m| m["id"].as_u64().unwrap());
        };
        assert_eq!(found["code"], code);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }
    assert!(
        !got.lock().unwrap().is_empty(),
        "the receiver was called (and hangs)"
    );
}

/// Replica A queues a delivery while the receiver is down and stops;
/// replica B sends it once the receiver is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_queued_by_a_stopped_replica_is_sent_by_the_other() {
    let server = crate::support::MongoServer::get();
    let database = server.fresh_database();
    let fake = FakeSms::start().await.unwrap();
    let mut config = numbot_api::ApiConfig::new("127.0.0.1:0".parse().unwrap());
    config.webhooks.allow_private = true;
    let a = crate::support::ApiReplica::start_with(&server.uri(), &database, &fake, &config).await;
    numbot_core::upload::import(
        &*crate::support::shared_plugins(),
        &*a.store,
        numbot_core::Upload {
            file_name: "uae.csv".into(),
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
        numbers_per_window: Some(100),
        max_uses: 1,
    };
    let (secret, _) = a.numbers.issue_token(0, new).await.unwrap();
    // A port nothing listens on yet.
    let spare = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = spare.local_addr().unwrap().port();
    drop(spare);
    let http = reqwest::Client::new();
    let set = http
        .put(format!("{}/v1/webhook", a.base()))
        .bearer_auth(&secret)
        .json(&json!({ "url": format!("http://127.0.0.1:{port}/hook") }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let hook_secret = set.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let taken: Value = http
        .post(format!("{}/v1/numbers", a.base()))
        .bearer_auth(&secret)
        .json(&json!({"category": "UAE Mobile"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    fake.deliver(
        taken["number"].as_str().unwrap(),
        "ACME",
        "ACME: 404040 is your code",
    );
    let deliveries = || {
        let (http, base, secret) = (http.clone(), a.base(), secret.clone());
        async move {
            http.get(format!("{base}/v1/webhook/deliveries"))
                .bearer_auth(secret)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let listed = deliveries().await;
        if listed[0]["attempts"].as_u64().unwrap_or(0) >= 1 {
            assert_eq!(listed[0]["state"], "pending", "{listed}");
            break;
        }
        assert!(Instant::now() < end, "{listed}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(a);
    let b = crate::support::ApiReplica::start_with(&server.uri(), &database, &fake, &config).await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let got: Got = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State(got): State<Got>, headers: HeaderMap, body: Bytes| async move {
                    got.lock()
                        .unwrap()
                        .push((headers, String::from_utf8_lossy(&body).into_owned()));
                    AxumStatus::OK
                },
            ),
        )
        .with_state(got.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let posts = until("sent by the other replica", 60, || {
        let got = got.lock().unwrap();
        (!got.is_empty()).then(|| got.clone())
    })
    .await;
    let event: Value = serde_json::from_str(&posts[0].1).unwrap();
    assert_eq!(event["message"]["code"], "404040");
    assert_eq!(
        posts[0].0["x-numbot-signature"].to_str().unwrap(),
        numbot_api::webhooks::signature(&hook_secret, posts[0].1.as_bytes())
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(got.lock().unwrap().len(), 1, "once");
    drop(b);
}
