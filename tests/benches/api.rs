//! HTTP API benchmark: `cargo bench -p numbot-tests --bench api`.
//!
//! The real service (file store, the default plugins, the OTP monitor on the
//! fake SMS provider, the API on 127.0.0.1) with 100 clients, each with a
//! token of its own, on a runtime of their own:
//!
//! 1. Claims: for 10 s every client takes a number and cancels it, in a
//!    loop. Claims/s, the take's latency, and the CPU per claim of the
//!    service's threads and of the clients' (they share the machine's
//!    cores), split by thread. Baselines, in the same run: the same loop through the use
//!    case (`Numbers::take`), without HTTP; and the same clients making two
//!    requests to `/healthz` per loop (HTTP with no work behind it).
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

use common::{cpu_split, gathered, percentile_ms as percentile, threads_cpu};
use numbot_core::{Account, Numbers, UserStatus};
use numbot_testing::fake_sms::FakeSms;
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

    let served = common::serve_api(interval, |api| {
        api.requests_per_second = 1_000_000;
        api.lookups_per_second = 1_000_000;
    })
    .await;
    served.numbers("claims.csv", 0, 2 * clients, "Claims").await;
    served
        .numbers("codes.csv", 1_000_000, clients, "Codes")
        .await;
    let numbers = served.service.numbers().clone();
    let mut secrets = Vec::with_capacity(clients);
    for i in 0..clients {
        secrets.push(served.token(&format!("client-{i}"), 1).await);
    }
    let base = served.base.clone();
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

    let direct = measured(direct_claims(&numbers, clients, seconds)).await;
    let bare = measured(bare_http(&c, clients, seconds)).await;
    let http = measured(claims_over_http(&c, &secrets, seconds)).await;
    let waits = codes_over_http(&c, &secrets, &served.sms).await;

    println!("Claims, {clients} clients for {seconds} s each (take, then cancel, in a loop):\n");
    println!(
        "| path | loops/s | first call p50 | p99 | service CPU per loop | clients' CPU per loop |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, phase) in [
        ("use case, no HTTP (baseline, same run)", &direct),
        ("`/healthz` twice, no work (baseline, same run)", &bare),
        ("HTTP API: take, cancel", &http),
    ] {
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {:.0} µs | {:.0} µs |",
            phase.rate,
            percentile(&phase.latencies, 0.5),
            percentile(&phase.latencies, 0.99),
            phase.service_us,
            phase.clients_us,
        );
    }
    println!(
        "\nHTTP API / use case: **{:.2}×** (claims/s)",
        http.rate / direct.rate
    );
    println!("\nWhere a loop's CPU goes (µs per loop, by thread):\n");
    println!("| threads | use case | `/healthz` twice | HTTP API |");
    println!("| --- | --- | --- | --- |");
    for (i, (part, _)) in PARTS.iter().enumerate() {
        println!(
            "| {part} | {:.1} | {:.1} | {:.1} |",
            direct.parts_us[i], bare.parts_us[i], http.parts_us[i]
        );
    }
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
    served.service.stop(Duration::from_secs(5)).await;
    c.runtime.shutdown_background();
}

/// One phase's figures: loops per second, the first call's latencies (µs,
/// sorted), and CPU per loop (µs) of the service, of the clients and of
/// each of [`PARTS`].
struct Phase {
    rate: f64,
    latencies: Vec<u64>,
    service_us: f64,
    clients_us: f64,
    parts_us: Vec<f64>,
}

/// The threads a loop's CPU is split into (thread names as the kernel
/// keeps them: 15 characters).
const PARTS: [(&str, &[&str]); 6] = [
    (
        "tokio workers: HTTP, handlers, the use case",
        &["tokio-rt-worker"],
    ),
    ("the store's thread", &["numbot-store"]),
    ("journal writer", &["numbot-journal"]),
    ("users and audit writers", &["numbot-users", "numbot-audit"]),
    (
        "history and its index writers",
        &["numbot-history", "numbot-history-"],
    ),
    ("the clients", &["clients"]),
];

/// CPU time (ns) so far of the threads of each of [`PARTS`].
fn cpu_by_part() -> Vec<u64> {
    let mut parts = vec![0; PARTS.len()];
    for (name, _, ns) in threads_cpu() {
        if let Some(i) = PARTS
            .iter()
            .position(|(_, names)| names.contains(&name.as_str()))
        {
            parts[i] += ns;
        }
    }
    parts
}

/// Runs a phase, reading the threads' CPU before and after it.
async fn measured(phase: impl std::future::Future<Output = (f64, Vec<u64>)>) -> Phase {
    let fakes = ["clients", "fake-sms", "fake-telegram"];
    let (service, clients) = cpu_split(&fakes);
    let parts = cpu_by_part();
    let started = Instant::now();
    let (rate, latencies) = phase.await;
    let loops = rate * started.elapsed().as_secs_f64();
    let (service_after, clients_after) = cpu_split(&fakes);
    let per_loop = |ns: u64| ns as f64 / 1e3 / loops;
    Phase {
        rate,
        latencies,
        service_us: per_loop(service_after - service),
        clients_us: per_loop(clients_after - clients),
        parts_us: cpu_by_part()
            .iter()
            .zip(&parts)
            .map(|(after, before)| per_loop(after - before))
            .collect(),
    }
}

/// The baseline: the same loop through the use case the API calls.
async fn direct_claims(numbers: &Arc<Numbers>, clients: usize, seconds: u64) -> (f64, Vec<u64>) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let numbers = numbers.clone();
            tokio::spawn(async move {
                // Counted like an API token's take, never refused (an
                // admin's): with a record, the limit's write stays in the
                // baseline.
                let id = -(1_000_000 + i as i64);
                numbers
                    .seen(id, "bench", None, UserStatus::Active)
                    .await
                    .unwrap();
                let account = Account::User { id, admin: true };
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    let a = numbers.take(&account, "Claims").await.unwrap();
                    latencies.push(t.elapsed().as_micros() as u64);
                    numbers.release(&account, a.id).await.unwrap();
                }
                latencies
            })
        })
        .collect();
    gathered(tasks, started).await
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
                    let answer = http
                        .post(format!("{base}/v1/numbers"))
                        .bearer_auth(&secret)
                        .json(&json!({"category": "Claims"}))
                        .send()
                        .await
                        .unwrap();
                    let status = answer.status();
                    let taken: Value = answer.json().await.unwrap();
                    assert!(status.is_success(), "take: {status} {taken}");
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
    gathered(tasks, started).await
}

/// HTTP alone: the same clients, two requests per loop to a route with no
/// work behind it.
async fn bare_http(c: &Clients, clients: usize, seconds: u64) -> (f64, Vec<u64>) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (http, url) = (c.http.clone(), format!("{}/healthz", c.base));
            c.runtime.spawn(async move {
                let mut latencies = Vec::new();
                let get = || async {
                    http.get(&url)
                        .send()
                        .await
                        .unwrap()
                        .error_for_status()
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap();
                };
                while Instant::now() < until {
                    let t = Instant::now();
                    get().await;
                    latencies.push(t.elapsed().as_micros() as u64);
                    get().await;
                }
                latencies
            })
        })
        .collect();
    gathered(tasks, started).await
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
