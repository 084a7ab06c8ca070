//! HTTP API benchmark: `cargo bench -p numbot-tests --bench api`.
//!
//! The real service (file store, the default plugins, the OTP monitor on the
//! fake SMS provider, the API on 127.0.0.1) with 100 clients, each with a
//! token of its own, on a runtime of their own:
//!
//! 1. Claims: for 10 s every client takes a number and cancels it, in a
//!    loop. Claims/s and the take's latency. Baseline, in the same run: the
//!    same loop through the use case (`Numbers::take`), without HTTP.
//! 2. Codes: each client takes a fresh number and waits for its message
//!    (`GET …/messages?wait=30`); the SMS reach the provider spread over
//!    time; the time from an SMS reaching the provider to the waiting
//!    request's answer, against the target: the poll interval + 20 ms.
//!
//! `-- --clients N --seconds S --interval-ms MS`. Needs the built plugins
//! (`cargo build-plugins`).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

mod common;

use common::{percentile_ms as percentile, plugins, remote};
use numbot::{compose, config::Config};
use numbot_core::{
    tokens::{self, NewToken},
    NumberLimit, Numbers, Taker,
};
use numbot_otp::{ProviderConfig, SmsConfig};
use numbot_store_file::{FileStore, FileUsers, LocalCoordination};
use numbot_testing::{
    fake_sms::{self, FakeSms},
    fake_telegram::FakeTelegram,
};
use serde_json::{json, Value};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// The client side: a runtime of its own, as test suites are other processes.
struct Clients {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients = arg(&args, "--clients", 100) as usize;
    let seconds = arg(&args, "--seconds", 10);
    let interval = arg(&args, "--interval-ms", 250);

    let tg = remote("fake-telegram", || async {
        FakeTelegram::start().await.unwrap()
    });
    let sms = remote("fake-sms", || async { FakeSms::start().await.unwrap() });
    let dir = tempfile::tempdir_in(common::target()).unwrap();
    let mut config = Config::default();
    config.telegram.token = tg.token().into();
    config.telegram.api_url = tg.api_url();
    config.access.admins = vec![1];
    config.store.data_dir = dir.path().to_path_buf();
    let mut provider = SmsConfig::new(ProviderConfig::Twilio {
        url: sms.url(),
        account: fake_sms::ACCOUNT.into(),
        token: fake_sms::TOKEN.into(),
    });
    provider.poll_interval_ms = interval;
    config.sms = Some(provider);
    let mut api = numbot_api::ApiConfig::new("127.0.0.1:0".parse().unwrap());
    api.requests_per_second = 1_000_000;
    config.api = Some(api);
    let config = config.checked().unwrap();

    let plugins = plugins();
    let store = FileStore::open(config.store.store_config(), plugins.clone()).unwrap();
    let pool = |first: usize, n: usize| {
        let mut csv = String::from("Number\n");
        for i in first..first + n {
            csv.push_str(&format!("97150{i:07}\n"));
        }
        csv.into_bytes()
    };
    common::import(
        &plugins,
        &store,
        "claims.csv",
        pool(0, 2 * clients),
        "Claims",
    )
    .await;
    common::import(
        &plugins,
        &store,
        "codes.csv",
        pool(1_000_000, clients),
        "Codes",
    )
    .await;
    let users = Arc::new(FileUsers::open(dir.path()).unwrap());
    let mut secrets = Vec::with_capacity(clients);
    for i in 0..clients {
        let new = NewToken {
            name: format!("client-{i}"),
            categories: vec![],
            numbers_per_window: Some(u32::MAX),
            max_uses: 1,
        };
        secrets.push(tokens::issue(&*users, new).await.unwrap().0);
    }
    let backends = compose::Backends {
        store: Arc::new(store.clone()),
        users: users.clone(),
        coordination: Arc::new(LocalCoordination::open(dir.path()).unwrap()),
        inbox: Arc::new(numbot_core::inbox::MemoryInbox::default()),
    };
    let (pool, people) = (backends.store.clone(), backends.users.clone());
    let service = compose::serve(&config, backends, plugins.clone())
        .await
        .unwrap();
    let base = format!("http://{}", service.api_addr().unwrap());
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("clients")
        .enable_all()
        .build()
        .unwrap();
    let c = Clients {
        runtime: client_runtime,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .build()
            .unwrap(),
        base,
    };

    let numbers = Arc::new(Numbers::new(
        pool,
        people,
        plugins,
        NumberLimit {
            max: usize::MAX,
            window: Duration::from_secs(3600),
        },
    ));
    let (direct, direct_ms) = direct_claims(&numbers, clients, seconds).await;
    let (claims, claim_ms) = claims_over_http(&c, &secrets, seconds).await;
    let waits = codes_over_http(&c, &secrets, &sms).await;

    println!("Claims, {clients} clients for {seconds} s each (take, then cancel, in a loop):\n");
    println!("| path | claims/s | take p50 | take p99 |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| use case, no HTTP (baseline, same run) | {direct:.0} | {:.2} ms | {:.2} ms |",
        percentile(&direct_ms, 0.5),
        percentile(&direct_ms, 0.99)
    );
    println!(
        "| HTTP API | **{claims:.0}** | {:.2} ms | **{:.2} ms** |",
        percentile(&claim_ms, 0.5),
        percentile(&claim_ms, 0.99)
    );
    println!(
        "\nCodes: {} waiting requests, poll interval {interval} ms (target: within {} ms):\n",
        waits.len(),
        interval + 20
    );
    println!("| SMS → answer p50 | p99 | max |");
    println!("| --- | --- | --- |");
    println!(
        "| {:.0} ms | **{:.0} ms** | {:.0} ms |",
        percentile(&waits, 0.5),
        percentile(&waits, 0.99),
        percentile(&waits, 1.0)
    );
    service.stop(Duration::from_secs(5)).await;
    c.runtime.shutdown_background();
}

/// The baseline: the same loop through the use case the API calls.
async fn direct_claims(numbers: &Arc<Numbers>, clients: usize, seconds: u64) -> (f64, Vec<u64>) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let numbers = numbers.clone();
            tokio::spawn(async move {
                let holder = -(1_000_000 + i as i64);
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    let taker = Taker {
                        holder,
                        account: holder,
                        exempt: false,
                        limit: None,
                    };
                    numbers.take(taker, "Claims").await.unwrap();
                    latencies.push(t.elapsed().as_micros() as u64);
                    numbers.release(holder).await.unwrap();
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort_unstable();
    (rate, all)
}

/// Every client takes and cancels through the API for `seconds`.
async fn claims_over_http(c: &Clients, secrets: &[String], seconds: u64) -> (f64, Vec<u64>) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = secrets
        .iter()
        .map(|secret| {
            let (http, base, secret) = (c.http.clone(), c.base.clone(), secret.clone());
            c.runtime.spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    let taken: Value = http
                        .post(format!("{base}/v1/numbers"))
                        .bearer_auth(&secret)
                        .json(&json!({"category": "Claims"}))
                        .send()
                        .await
                        .unwrap()
                        .error_for_status()
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    latencies.push(t.elapsed().as_micros() as u64);
                    let id = taken["use_id"].as_str().unwrap();
                    http.post(format!("{base}/v1/uses/{id}/cancel"))
                        .bearer_auth(&secret)
                        .send()
                        .await
                        .unwrap()
                        .error_for_status()
                        .unwrap();
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort_unstable();
    (rate, all)
}

/// Each client takes a fresh number and waits for its message; an SMS
/// reaches the provider every 20 ms. SMS → answer, in microseconds, sorted.
async fn codes_over_http(c: &Clients, secrets: &[String], sms: &FakeSms) -> Vec<u64> {
    let mut uses = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let taken: Value = c
            .http
            .post(format!("{}/v1/numbers", c.base))
            .bearer_auth(secret)
            .json(&json!({"category": "Codes"}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        uses.push((
            secret.clone(),
            taken["use_id"].as_str().unwrap().to_string(),
            taken["number"].as_str().unwrap().to_string(),
        ));
    }
    // The monitor watches the new uses from its next poll on; real SMS take
    // seconds to arrive.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut waiting = Vec::with_capacity(uses.len());
    for (i, (secret, id, number)) in uses.into_iter().enumerate() {
        let (http, base) = (c.http.clone(), c.base.clone());
        let (sent_tx, sent_rx) = tokio::sync::oneshot::channel::<Instant>();
        waiting.push(c.runtime.spawn(async move {
            let answer: Value = http
                .get(format!("{base}/v1/uses/{id}/messages?wait=30"))
                .bearer_auth(&secret)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let answered = Instant::now();
            assert!(answer[0]["code"].is_string(), "{answer}");
            let sent = sent_rx.await.unwrap();
            answered.duration_since(sent).as_micros() as u64
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let _ = sent_tx.send(Instant::now());
        sms.deliver(
            &number,
            "Bench",
            &format!("Your code is {:06}", 100_000 + i),
        );
    }
    let mut all = Vec::new();
    for w in waiting {
        all.push(w.await.unwrap());
    }
    all.sort_unstable();
    all
}
