//! Abusive clients benchmark: `cargo bench -p numbot-tests --bench abuse`.
//!
//! The real service (file store, default plugins, OTP monitor on the fake
//! SMS provider, the API on 127.0.0.1), with clients on a runtime of their
//! own in the same process:
//!
//! 1. 100,000 requests with made-up methods and paths, no token: the
//!    process's RSS and the size of `/metrics` before and after.
//! 2. 1,000 long polls from one token at once: how many are accepted and
//!    refused, RSS, and `/healthz` latency meanwhile.
//! 3. A token holding its one use retries `POST /v1/numbers` for 10 s: the
//!    bytes the data directory grows by; baseline, in the same run, 10 s
//!    of the same service idle.
//! 4. A holder's last ten uses (`/history`) from a history of 1,000 and of
//!    1,000,000 uses; baseline, in the same run: reading the whole file for
//!    them, as before the per-holder index.
//!
//! `-- --requests N --polls N`. Needs the built plugins
//! (`cargo build-plugins`).

use std::{
    path::Path,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

mod common;

use common::{percentile_ms as percentile, rss_mib};
use numbot_core::{HistoryQuery, NumberStore};
use numbot_store_file::FileStore;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let requests = arg(&args, "--requests", 100_000);
    let polls = arg(&args, "--polls", 1_000) as usize;
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
        // Every retry reaches the take path: the worst case for item 3.
        api.requests_per_second = 1_000_000;
    }));
    server.block_on(served.numbers("polls.csv", 0, 10, "Polls"));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let base = served.base.clone();

    let metrics = clients.block_on(made_up_requests(&http, &base, requests));
    println!("Made-up methods and paths, {requests} requests, no token (64 at once):\n");
    println!("| | RSS | `/metrics` |");
    println!("| --- | --- | --- |");
    println!(
        "| before | {:.1} MiB | {} bytes |",
        metrics.rss_before, metrics.metrics_before
    );
    println!(
        "| after ({:.1} s, {:.0} requests/s) | {:.1} MiB | {} bytes |",
        metrics.seconds,
        requests as f64 / metrics.seconds,
        metrics.rss_after,
        metrics.metrics_after
    );

    let secret = server.block_on(served.token("poller", 1));
    let waits = clients.block_on(long_polls(&http, &base, &secret, polls, &served));
    println!("\n{polls} long polls (`wait=30`) from one token at once:\n");
    println!("| accepted | refused (429 too_many_waits) | other | RSS during | `/healthz` p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {} | {} | {} | {:.1} MiB | {:.2} ms | {:.2} ms | {:.2} ms |",
        waits.accepted,
        waits.refused,
        waits.other,
        waits.rss,
        percentile(&waits.healthz, 0.5),
        percentile(&waits.healthz, 0.99),
        percentile(&waits.healthz, 1.0)
    );

    let at_limit = server.block_on(served.token("at-limit", 1));
    let (idle, retrying, refused) = clients.block_on(retries_at_the_limit(
        &http,
        &base,
        &at_limit,
        served.dir.path(),
    ));
    println!("\nA token at its maximum retrying `POST /v1/numbers` for 10 s (8 at once):\n");
    println!("| | data directory grew by | takes refused |");
    println!("| --- | --- | --- |");
    println!("| idle 10 s (baseline, same run) | {idle} bytes | |");
    println!("| retrying 10 s | **{retrying} bytes** | {refused} (`holding_max`) |");
    server.block_on(served.service.stop(Duration::from_secs(5)));

    println!("\n`/history`: one holder's last 10 uses (5,000 holders, one code per use):\n");
    println!("| history | opening the store | last 10, per holder index: p50 | p99 | whole file read (before; same run): p50 |");
    println!("| --- | --- | --- | --- | --- |");
    for uses in [1_000, 1_000_000] {
        let h = server.block_on(history(uses));
        println!(
            "| {uses} uses ({:.0} MB) | {:.2} s | **{:.2} ms** | {:.2} ms | {:.0} ms |",
            h.bytes as f64 / 1e6,
            h.open_s,
            percentile(&h.indexed, 0.5),
            percentile(&h.indexed, 0.99),
            percentile(&h.scanned, 0.5)
        );
    }
    clients.shutdown_background();
}

struct MetricsFigures {
    rss_before: f64,
    rss_after: f64,
    metrics_before: usize,
    metrics_after: usize,
    seconds: f64,
}

async fn metrics_size(http: &reqwest::Client, base: &str) -> usize {
    let body = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    body.len()
}

/// Random method tokens and paths from 64 connections; only the first
/// request of each kind matters to a recorder that keeps every label.
async fn made_up_requests(http: &reqwest::Client, base: &str, requests: u64) -> MetricsFigures {
    // The series a first request of each route creates are there before.
    for _ in 0..2 {
        let _ = http.get(format!("{base}/healthz")).send().await;
        let _ = http.get(format!("{base}/nowhere")).send().await;
    }
    let metrics_before = metrics_size(http, base).await;
    let rss_before = rss_mib();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..64u64)
        .map(|worker| {
            let (http, base, next) = (http.clone(), base.to_string(), next.clone());
            tokio::spawn(async move {
                let mut rng = rand::rngs::StdRng::seed_from_u64(worker);
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let method: String = (0..8)
                        .map(|_| rng.random_range(b'A'..=b'Z') as char)
                        .collect();
                    let path: u64 = rng.random();
                    let method = Method::from_bytes(method.as_bytes()).unwrap();
                    let _ = http
                        .request(method, format!("{base}/{path:x}"))
                        .send()
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    MetricsFigures {
        rss_before,
        rss_after: rss_mib(),
        metrics_before,
        metrics_after: metrics_size(http, base).await,
        seconds,
    }
}

struct WaitFigures {
    accepted: usize,
    refused: usize,
    other: usize,
    rss: f64,
    healthz: Vec<u64>,
}

/// `polls` waits on one use of one token; `/healthz` is probed every 10 ms
/// while they are held; then an SMS ends the accepted ones.
async fn long_polls(
    http: &reqwest::Client,
    base: &str,
    secret: &str,
    polls: usize,
    served: &common::Served,
) -> WaitFigures {
    let taken: Value = http
        .post(format!("{base}/v1/numbers"))
        .bearer_auth(secret)
        .json(&json!({"category": "Polls"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = taken["use_id"].as_str().unwrap().to_string();
    let number = taken["number"].as_str().unwrap().to_string();
    let waiting: Vec<_> = (0..polls)
        .map(|_| {
            let (http, url, secret) = (
                http.clone(),
                format!("{base}/v1/uses/{id}/messages?wait=30"),
                secret.to_string(),
            );
            tokio::spawn(async move {
                let r = http.get(url).bearer_auth(secret).send().await.unwrap();
                let status = r.status();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                (status, body)
            })
        })
        .collect();
    let mut healthz = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let ok = http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(ok, StatusCode::OK);
        healthz.push(t.elapsed().as_micros() as u64);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let rss = rss_mib();
    served.sms.deliver(&number, "Bench", "Your code is 424242");
    let (mut accepted, mut refused, mut other) = (0, 0, 0);
    for w in waiting {
        match w.await.unwrap() {
            (StatusCode::OK, body) if body[0]["code"] == "424242" => accepted += 1,
            (StatusCode::TOO_MANY_REQUESTS, body) if body["error"]["code"] == "too_many_waits" => {
                refused += 1
            }
            _ => other += 1,
        }
    }
    healthz.sort_unstable();
    WaitFigures {
        accepted,
        refused,
        other,
        rss,
        healthz,
    }
}

/// Bytes of every file under `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The data directory's growth over 10 s idle, then over 10 s of a token at
/// its maximum retrying takes from 8 connections; and the refusals.
async fn retries_at_the_limit(
    http: &reqwest::Client,
    base: &str,
    secret: &str,
    dir: &Path,
) -> (u64, u64, u64) {
    let take = |http: reqwest::Client, base: String, secret: String| async move {
        let r = http
            .post(format!("{base}/v1/numbers"))
            .bearer_auth(secret)
            .json(&json!({"category": "Polls"}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json::<Value>().await.unwrap_or(Value::Null))
    };
    let (status, _) = take(http.clone(), base.into(), secret.into()).await;
    assert_eq!(status, StatusCode::CREATED);
    let before = dir_bytes(dir);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle = dir_bytes(dir) - before;
    let before = dir_bytes(dir);
    let until = Instant::now() + Duration::from_secs(10);
    let refused = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (http, base, secret, refused) = (
                http.clone(),
                base.to_string(),
                secret.to_string(),
                refused.clone(),
            );
            tokio::spawn(async move {
                while Instant::now() < until {
                    let (_, body) = take(http.clone(), base.clone(), secret.clone()).await;
                    assert_eq!(body["error"]["code"], "holding_max", "{body}");
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    (
        idle,
        dir_bytes(dir) - before,
        refused.load(Ordering::Relaxed),
    )
}

struct HistoryFigures {
    bytes: u64,
    open_s: f64,
    indexed: Vec<u64>,
    scanned: Vec<u64>,
}

/// A store whose history holds `uses` uses; 200 holders' last ten through
/// the store (the index), and five through a read of the whole file.
async fn history(uses: u32) -> HistoryFigures {
    let dir = tempfile::tempdir_in(common::target()).unwrap();
    let bytes = common::write_history(dir.path(), uses, 5_000);
    let t = Instant::now();
    let config = numbot_core::StoreConfig::new(dir.path());
    let store = tokio::task::spawn_blocking(move || FileStore::open(config, common::plugins()))
        .await
        .unwrap()
        .unwrap();
    let open_s = t.elapsed().as_secs_f64();
    let holders = 5_000.min(uses);
    let last = |holder: i64| HistoryQuery {
        holder: Some(holder),
        last: Some(10),
        ..HistoryQuery::default()
    };
    let mut indexed = Vec::new();
    for i in 0..200u32 {
        let holder = i64::from(i * 7919 % holders) + 1;
        let t = Instant::now();
        let mut stream = store.history(last(holder)).await.unwrap();
        let mut got = 0;
        while let Some(r) = stream.recv().await {
            assert_eq!(r.unwrap().codes.len(), 1);
            got += 1;
        }
        indexed.push(t.elapsed().as_micros() as u64);
        assert_eq!(got, 10.min(uses / holders) as usize);
    }
    let mut scanned = Vec::new();
    for i in 0..5u32 {
        let holder = i64::from(i * 7919 % holders) + 1;
        let t = Instant::now();
        let mut stream = numbot_store_file::history::read(
            dir.path(),
            HistoryQuery {
                holder: Some(holder),
                ..HistoryQuery::default()
            },
        );
        let mut kept = std::collections::VecDeque::new();
        while let Some(r) = stream.recv().await {
            kept.push_back(r.unwrap());
            if kept.len() > 10 {
                kept.pop_front();
            }
        }
        scanned.push(t.elapsed().as_micros() as u64);
    }
    indexed.sort_unstable();
    scanned.sort_unstable();
    HistoryFigures {
        bytes,
        open_s,
        indexed,
        scanned,
    }
}
