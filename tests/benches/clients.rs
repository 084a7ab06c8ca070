//! The clients people already have: `cargo bench -p numbot-tests --bench clients`.
//!
//! The real service (file store, default plugins, the OTP monitor on the
//! fake SMS provider, the API on 127.0.0.1), clients on a runtime of their
//! own in the same process:
//!
//! 1. SMS-Activate `getStatus` against `GET /v1/uses/{id}/messages?wait=0`
//!    on the same 1,000 open activations, 32 clients each for the same
//!    time: requests/s and p99; the native path is the baseline.
//! 2. 100 clients sharing 10 numbers with `wait`, 1,000 uses in all: each
//!    client's uses and waits (no client starves), and the hand-over from
//!    a release to the next waiter's answer.
//! 3. Webhook deliveries: the time from an SMS reaching the provider to
//!    its post reaching a receiver on 127.0.0.1, beside the poll interval.
//!
//! `-- --seconds S`. Needs the built plugins (`cargo build-plugins`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

mod common;

use common::{gathered, percentile_ms as percentile};
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PATH: &str = "/stubs/handler_api.php";

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = arg(&args, "--seconds", 5);
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("clients")
        .enable_all()
        .build()
        .unwrap();
    let served = server.block_on(common::serve_api(250, |api| {
        api.requests_per_second = 1_000_000;
        api.lookups_per_second = 1_000_000;
        api.waits_per_token = 10_000;
        api.webhooks.allow_private = true;
    }));
    server.block_on(served.numbers("status.csv", 0, 1_000, "Status"));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let base = served.base.clone();

    let keys = [
        server.block_on(served.token("status-a", 500)),
        server.block_on(served.token("status-b", 500)),
    ];
    let (compatible, native) =
        clients.block_on(status_against_messages(&http, &base, &keys, seconds));
    println!("1,000 open activations, 32 clients for {seconds} s each path:\n");
    println!("| path | requests/s | p50 | p99 |");
    println!("| --- | --- | --- | --- |");
    for (label, (rate, latencies)) in [
        (
            "`GET /v1/uses/{id}/messages?wait=0` (baseline, same run)",
            &native,
        ),
        ("SMS-Activate `getStatus`", &compatible),
    ] {
        println!(
            "| {label} | {rate:.0} | {:.2} ms | {:.2} ms |",
            percentile(latencies, 0.5),
            percentile(latencies, 0.99)
        );
    }
    println!(
        "\ncost of `getStatus` against the native read: **{:.2}×** (requests/s)",
        native.0 / compatible.0
    );

    // Imported now: the activations above take UAE numbers of any
    // category (SMS-Activate asks by country), and would hold these.
    server.block_on(served.numbers("shared.csv", 10_000, 10, "Shared"));
    server.block_on(served.numbers("hooks.csv", 20_000, 100, "Hooks"));
    let mut waiters = Vec::new();
    for i in 0..100 {
        waiters.push(server.block_on(served.token(&format!("waiter-{i}"), 1)));
    }
    let shared = clients.block_on(shared_numbers(&http, &base, &waiters, 1_000));
    println!("\n100 clients sharing 10 numbers with `wait`, 1,000 uses (each held 20 ms):\n");
    println!(
        "| uses per client: min | max | wait per use: mean | p99 | max | hand-over p50 | p99 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} ms | **{:.2} ms** |",
        shared.uses_min,
        shared.uses_max,
        shared.wait_mean_ms,
        percentile(&shared.waits, 0.99),
        percentile(&shared.waits, 1.0),
        percentile(&shared.handovers, 0.5),
        percentile(&shared.handovers, 0.99),
    );

    let hooked = server.block_on(served.token("hooked", 100));
    let delivered = clients.block_on(webhook_latency(&http, &base, &hooked, &served));
    println!(
        "\nWebhooks: {} messages, SMS at the provider → the post at the receiver (poll interval 250 ms):\n",
        delivered.len()
    );
    println!("| p50 | p99 | max |");
    println!("| --- | --- | --- |");
    println!(
        "| {:.0} ms | **{:.0} ms** | {:.0} ms |",
        percentile(&delivered, 0.5),
        percentile(&delivered, 0.99),
        percentile(&delivered, 1.0)
    );
    server.block_on(served.service.stop(Duration::from_secs(5)));
    clients.shutdown_background();
}

/// Runs `call` from 32 tasks for `seconds`: requests/s and sorted
/// latencies (µs).
async fn hammer<F, Fut>(seconds: u64, call: F) -> (f64, Vec<u64>)
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..32u64)
        .map(|worker| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut rng = rand::rngs::StdRng::seed_from_u64(worker);
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    call(rng.random()).await;
                    latencies.push(t.elapsed().as_micros() as u64);
                }
                latencies
            })
        })
        .collect();
    gathered(tasks, started).await
}

/// 1,000 activations through `getNumber`, then `getStatus` on them, then
/// the native read of the same uses.
async fn status_against_messages(
    http: &reqwest::Client,
    base: &str,
    keys: &[String; 2],
    seconds: u64,
) -> ((f64, Vec<u64>), (f64, Vec<u64>)) {
    let mut open: Vec<(String, String)> = Vec::new();
    for key in keys {
        for _ in 0..500 {
            let taken = http
                .get(format!("{base}{PATH}"))
                .query(&[
                    ("api_key", key.as_str()),
                    ("action", "getNumber"),
                    ("service", "ot"),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let id = taken.split(':').nth(1).unwrap_or_else(|| panic!("{taken}"));
            open.push((key.clone(), id.to_string()));
        }
    }
    let open = Arc::new(open);
    let compatible = {
        let (http, base, open) = (http.clone(), base.to_string(), open.clone());
        hammer(seconds, move |r| {
            let (http, base, open) = (http.clone(), base.clone(), open.clone());
            async move {
                let (key, id) = &open[(r % open.len() as u64) as usize];
                let status = http
                    .get(format!("{base}{PATH}"))
                    .query(&[
                        ("api_key", key.as_str()),
                        ("action", "getStatus"),
                        ("id", id),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert_eq!(status, "STATUS_WAIT_CODE");
            }
        })
        .await
    };
    let native = {
        let (http, base, open) = (http.clone(), base.to_string(), open.clone());
        hammer(seconds, move |r| {
            let (http, base, open) = (http.clone(), base.clone(), open.clone());
            async move {
                let (key, id) = &open[(r % open.len() as u64) as usize];
                let r = http
                    .get(format!("{base}/v1/uses/{id}/messages?wait=0"))
                    .bearer_auth(key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                r.bytes().await.unwrap();
            }
        })
        .await
    };
    (compatible, native)
}

struct Shared {
    uses_min: usize,
    uses_max: usize,
    wait_mean_ms: f64,
    /// Each take's wait (µs), sorted.
    waits: Vec<u64>,
    /// From a release to the answer of the take that waited for it (µs).
    handovers: Vec<u64>,
}

/// 100 clients, each taking with `wait`, holding 20 ms and cancelling,
/// until `total` uses are done.
async fn shared_numbers(
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    total: usize,
) -> Shared {
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let releases = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let tasks: Vec<_> = tokens
        .iter()
        .map(|token| {
            let (http, base, token, done, releases) = (
                http.clone(),
                base.to_string(),
                token.clone(),
                done.clone(),
                releases.clone(),
            );
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                    let asked = Instant::now();
                    let r = http
                        .post(format!("{base}/v1/numbers"))
                        .bearer_auth(&token)
                        .json(&json!({"category": "Shared", "wait": 120}))
                        .send()
                        .await
                        .unwrap();
                    let answered = Instant::now();
                    let status = r.status();
                    let taken: Value = r.json().await.unwrap();
                    assert_eq!(
                        status,
                        StatusCode::CREATED,
                        "after {:?}: {taken}",
                        answered - asked
                    );
                    mine.push((asked, answered));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let id = taken["use_id"].as_str().unwrap();
                    http.post(format!("{base}/v1/uses/{id}/cancel"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap();
                    releases.lock().unwrap().push(Instant::now());
                }
                mine
            })
        })
        .collect();
    let mut per_client = Vec::new();
    let mut takes = Vec::new();
    for t in tasks {
        let mine = t.await.unwrap();
        per_client.push(mine.len());
        takes.extend(mine);
    }
    let mut releases = releases.lock().unwrap().clone();
    releases.sort_unstable();
    let mut waits: Vec<u64> = takes
        .iter()
        .map(|(asked, answered)| (*answered - *asked).as_micros() as u64)
        .collect();
    waits.sort_unstable();
    // A take that waited was answered after a release: the latest release
    // before its answer (and after it asked) is the one it got.
    let mut handovers: Vec<u64> = takes
        .iter()
        .filter_map(|(asked, answered)| {
            let i = releases.partition_point(|r| r <= answered);
            let release = *releases.get(i.checked_sub(1)?)?;
            (release > *asked).then(|| (*answered - release).as_micros() as u64)
        })
        .collect();
    handovers.sort_unstable();
    Shared {
        uses_min: per_client.iter().copied().min().unwrap_or(0),
        uses_max: per_client.iter().copied().max().unwrap_or(0),
        wait_mean_ms: waits.iter().sum::<u64>() as f64 / waits.len().max(1) as f64 / 1000.0,
        waits,
        handovers,
    }
}

/// 100 numbers of a token with a webhook; an SMS to each every 20 ms; the
/// receiver notes when each post arrives. Milliseconds (µs), sorted.
async fn webhook_latency(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    served: &common::Served,
) -> Vec<u64> {
    type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;
    let arrived: Arrivals = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |axum::extract::State(arrived): axum::extract::State<Arrivals>,
                 body: axum::body::Bytes| async move {
                    let event: Value = serde_json::from_slice(&body).unwrap();
                    let text = event["message"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    arrived.lock().unwrap().insert(text, Instant::now());
                    StatusCode::OK
                },
            ),
        )
        .with_state(arrived.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let set = http
        .put(format!("{base}/v1/webhook"))
        .bearer_auth(token)
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let mut numbers = Vec::new();
    for _ in 0..100 {
        let taken: Value = http
            .post(format!("{base}/v1/numbers"))
            .bearer_auth(token)
            .json(&json!({"category": "Hooks"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        numbers.push(taken["number"].as_str().unwrap().to_string());
    }
    // The monitor watches new uses from its next poll on.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut sent = HashMap::new();
    for (i, number) in numbers.iter().enumerate() {
        let text = format!("Your code is {:06}", 300_000 + i);
        sent.insert(text.clone(), Instant::now());
        served.sms.deliver(number, "Bench", &text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let until = Instant::now() + Duration::from_secs(30);
    while arrived.lock().unwrap().len() < sent.len() && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrived = arrived.lock().unwrap();
    assert_eq!(arrived.len(), sent.len(), "every message posted");
    let mut latencies: Vec<u64> = sent
        .iter()
        .map(|(text, at)| (arrived[text] - *at).as_micros() as u64)
        .collect();
    latencies.sort_unstable();
    latencies
}
