//! `POST /v1/numbers` with `wait`: a client waits for a free number, first
//! come first served, gets it as soon as one is released, or 409 when the
//! wait ends; waits count against the token's cap; on MongoDB a number
//! released on one replica goes to a client waiting on the other.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use numbot_core::tokens::NewToken;
use numbot_testing::{fake_sms::FakeSms, fake_telegram::TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    api::{code, Api},
    support::{uae_csv, ADMIN},
};

/// A take that waits up to `wait` seconds, started now in the background.
fn waiting_take(
    api: &Api,
    token: &str,
    wait: u64,
) -> tokio::task::JoinHandle<(StatusCode, Value, Instant)> {
    let request = api
        .http
        .post(format!("{}/v1/numbers", api.base))
        .bearer_auth(token)
        .json(&json!({"category": "UAE Mobile", "wait": wait}))
        .send();
    tokio::spawn(async move {
        let r = request.await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap(), Instant::now())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_clients_get_released_numbers_in_the_order_they_came() {
    let api = Api::start(None).await;
    api.upload(0, 1, "UAE Mobile").await;
    let holder = api.token("holder", &[], Some(1_000), 1).await;
    let first = api.token("first", &[], Some(1_000), 1).await;
    let second = api.token("second", &[], Some(1_000), 1).await;
    let body = Some(json!({"category": "UAE Mobile"}));
    let held = api
        .call(Method::POST, "/v1/numbers", Some(&holder), body.clone())
        .await;
    assert_eq!(held.status, StatusCode::CREATED);

    // Nothing free and no wait: 409 at once; a wait past the cap: 400.
    let busy = api
        .call(Method::POST, "/v1/numbers", Some(&first), body)
        .await;
    assert_eq!(code(&busy), "none_available");
    let too_long = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&first),
            Some(json!({"category": "UAE Mobile", "wait": 121})),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_long.body["error"]["field"], "wait");

    let a = waiting_take(&api, &first, 30);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let b = waiting_take(&api, &second, 30);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let released = Instant::now();
    let path = format!("/v1/uses/{}/cancel", held.body["use_id"].as_str().unwrap());
    assert_eq!(
        api.call(Method::POST, &path, Some(&holder), None)
            .await
            .status,
        StatusCode::OK
    );
    let (status, got, at) = a.await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{got}");
    assert_eq!(got["number"], held.body["number"]);
    assert!(
        at - released < Duration::from_millis(900),
        "handed over in {:?}",
        at - released
    );
    assert!(!b.is_finished(), "the second waits on");
    let path = format!("/v1/uses/{}/cancel", got["use_id"].as_str().unwrap());
    api.call(Method::POST, &path, Some(&first), None).await;
    let (status, got, _) = b.await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{got}");

    // A category the pool has no numbers of is not waited on.
    let started = Instant::now();
    let nowhere = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&holder),
            Some(json!({"category": "Nowhere", "wait": 30})),
        )
        .await;
    assert_eq!(code(&nowhere), "none_available");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // A wait that ends with nothing free: 409 after it.
    let started = Instant::now();
    let (status, got, at) = waiting_take(&api, &holder, 1).await.unwrap();
    assert_eq!(status, StatusCode::CONFLICT, "{got}");
    assert_eq!(got["error"]["code"], "none_available");
    assert!(
        at - started >= Duration::from_millis(900),
        "{:?}",
        at - started
    );
}

/// A number that comes without a release (a new file; waiters look again
/// within a second) goes to the client that was waiting, not to one that
/// asks meanwhile: a take that may wait queues before it looks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_asking_later_does_not_pass_one_waiting() {
    let api = Api::start(None).await;
    api.upload(0, 1, "UAE Mobile").await;
    let holder = api.token("holder", &[], Some(1_000), 1).await;
    let waiter = api.token("waiter", &[], Some(1_000), 1).await;
    let later = api.token("later", &[], Some(1_000), 1).await;
    let held = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&holder),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED);
    let waiting = waiting_take(&api, &waiter, 30);
    tokio::time::sleep(Duration::from_millis(300)).await;
    api.h
        .upload(
            &TestUser::new(ADMIN),
            "more.csv",
            uae_csv(1, 1),
            Some("UAE Mobile"),
        )
        .await;
    let asked_later = waiting_take(&api, &later, 30);
    let (status, got, _) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "the waiter gets it: {got}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!asked_later.is_finished(), "the later client waits behind");
    let path = format!("/v1/uses/{}/cancel", held.body["use_id"].as_str().unwrap());
    api.call(Method::POST, &path, Some(&holder), None).await;
    let (status, got, _) = asked_later.await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "then the later one: {got}");
    assert_eq!(got["number"], held.body["number"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_takes_count_against_the_tokens_waits() {
    let api = Api::start_with(None, |c| c.api.as_mut().unwrap().waits_per_token = 2).await;
    api.upload(0, 1, "UAE Mobile").await;
    let holder = api.token("holder", &[], Some(1_000), 1).await;
    let many = api.token("many", &[], Some(1_000), 3).await;
    let held = api
        .call(
            Method::POST,
            "/v1/numbers",
            Some(&holder),
            Some(json!({"category": "UAE Mobile"})),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED);
    let waiting = [waiting_take(&api, &many, 20), waiting_take(&api, &many, 20)];
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, got, _) = waiting_take(&api, &many, 20).await.unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{got}");
    assert_eq!(got["error"]["code"], "too_many_waits");
    // Revoking the token ends its waits at once.
    api.h
        .service
        .numbers()
        .revoke_token(crate::support::ADMIN, "many")
        .await
        .unwrap();
    for w in waiting {
        let (status, got, _) = tokio::time::timeout(Duration::from_secs(5), w)
            .await
            .expect("ended by the revocation")
            .unwrap();
        assert_eq!(status, StatusCode::CONFLICT, "{got}");
    }
}

/// Replica B's client waits; replica A's client releases: B's gets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_released_on_one_replica_goes_to_a_waiter_on_the_other() {
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
    let mut secrets = Vec::new();
    for name in ["holder", "waiter", "later"] {
        let new = NewToken {
            name: name.into(),
            categories: vec![],
            numbers_per_window: Some(1_000),
            max_uses: 1,
        };
        secrets.push(a.numbers.issue_token(0, new).await.unwrap().0);
    }
    let http = reqwest::Client::new();
    let take = |base: String, secret: String, wait: u64| {
        let http = http.clone();
        tokio::spawn(async move {
            let r = http
                .post(format!("{base}/v1/numbers"))
                .bearer_auth(secret)
                .json(&json!({"category": "UAE Mobile", "wait": wait}))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        })
    };
    let (status, held) = take(a.base(), secrets[0].clone(), 0).await.unwrap();
    assert_eq!(status, StatusCode::CREATED);
    let waiter = take(b.base(), secrets[1].clone(), 30);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = take(a.base(), secrets[2].clone(), 30);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cancel = http
        .post(format!(
            "{}/v1/uses/{}/cancel",
            a.base(),
            held["use_id"].as_str().unwrap()
        ))
        .bearer_auth(&secrets[0])
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    let (status, got) = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("handed over")
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{got}");
    assert_eq!(got["number"], held["number"]);
    assert!(!later.is_finished(), "the one that came later waits on");
    later.abort();
}
