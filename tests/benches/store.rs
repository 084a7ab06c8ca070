//! File store benchmarks: `cargo bench -p numbot-tests --bench store`.
//!
//! A bench command rather than criterion: each scenario is one large run
//! (a million numbers, a thousand claimers) measured end to end. It prints a
//! table for BENCHMARKS.md. Needs the built plugins (`cargo build-plugins`).
//! Scenarios can be picked by name: `cargo bench -p numbot-tests --bench store -- claims`.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

mod common;

use common::{number_csv, plugins, rss_peak_mib};
use numbot_core::{NumberStore, SharedPlugins, StoreConfig, UploadReport};
use numbot_store_file::FileStore;

/// A runtime for the async parts (uploads, async claimers): two workers,
/// as on the machines numbot runs on.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// The plugins every scenario shares.
fn shared() -> SharedPlugins {
    static PLUGINS: std::sync::OnceLock<SharedPlugins> = std::sync::OnceLock::new();
    PLUGINS.get_or_init(plugins).clone()
}

/// Imports `bytes` into `category` (validator, formatter, the store).
fn upload(store: &FileStore, name: &str, bytes: Vec<u8>, category: &str) -> UploadReport {
    runtime().block_on(common::import(&shared(), store, name, bytes, category))
}

fn bench_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-store"
    ))
    .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The IMS panel export shape, 1,000,000 rows.
fn ims_csv(rows: u64) -> Vec<u8> {
    let mut csv = String::from(
        "\"\",\"Range\",\"Prefix\",\"Number\",\"My Payout\",\"Client\",\"Payout\",\"Limits\"\n",
    );
    for i in 0..rows {
        csv.push_str(&format!(
            "\"{i}\",\"UAE Mobile\",\"97150\",\"9715{i:08}\",\"0.01\",\"team\",\"0.01\",\"10\"\n"
        ));
    }
    csv.into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// 1,000 concurrent claimers on a 1,000,000-number pool, every claim durable.
fn claims(out: &mut Vec<String>) {
    let dir = bench_dir("claims");
    let store = FileStore::open(StoreConfig::new(&dir), shared()).unwrap();
    for f in 0..10u64 {
        upload(
            &store,
            &format!("f{f}.csv"),
            number_csv(f * 100_000, 100_000),
            "Pool",
        );
    }
    const CLAIMERS: i64 = 1_000;
    const PER_CLAIMER: i64 = 400;
    let report = |what: &str, mut latencies: Vec<Duration>, elapsed: Duration| {
        latencies.sort();
        format!(
            "| durable claims, {CLAIMERS} concurrent claimers ({what}), 1,000,000-number pool (10 files) | {:.0} claims/s ({} claims in {:.2} s); latency p50 {:.2} ms, p99 {:.2} ms |",
            latencies.len() as f64 / elapsed.as_secs_f64(),
            latencies.len(),
            elapsed.as_secs_f64(),
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        )
    };

    // Async claimers: what the front ends use (the in-memory step on the
    // store's thread, the disk wait on the task).
    let started = Instant::now();
    let latencies: Vec<Duration> = runtime().block_on(async {
        let tasks: Vec<_> = (0..CLAIMERS)
            .map(|t| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(PER_CLAIMER as usize);
                    for k in 0..PER_CLAIMER {
                        let t0 = Instant::now();
                        NumberStore::claim(&store, "Pool", t * 1_000_000 + k)
                            .await
                            .unwrap();
                        lat.push(t0.elapsed());
                    }
                    lat
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all
    });
    out.push(report(
        "tokio tasks, `NumberStore::claim`",
        latencies,
        started.elapsed(),
    ));

    // Blocking claimers: one OS thread each.
    let started = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLAIMERS)
            .map(|t| {
                let store = store.clone();
                std::thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn_scoped(s, move || {
                        let mut lat = Vec::with_capacity(PER_CLAIMER as usize);
                        for k in 0..PER_CLAIMER {
                            let t0 = Instant::now();
                            store.claim("Pool", t * 1_000_000 + 500_000 + k).unwrap();
                            lat.push(t0.elapsed());
                        }
                        lat
                    })
                    .unwrap()
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    out.push(report("OS threads, `claim`", latencies, started.elapsed()));
}

/// The design of earlier bots, for comparison: every request reads the whole
/// CSV and rewrites the usage JSON (one request at a time, as they run).
fn baseline(out: &mut Vec<String>) {
    let dir = bench_dir("baseline");
    let csv_path = dir.join("pool.csv");
    let usage_path = dir.join("usage_tracking.json");
    let mut csv = String::from("number\n");
    for i in 0..1_000_000u64 {
        csv.push_str(&format!("+4474{i:08}\n"));
    }
    std::fs::write(&csv_path, csv).unwrap();
    std::fs::write(&usage_path, "{}").unwrap();
    let claim = |user: i64, seed: u64| {
        let text = std::fs::read_to_string(&csv_path).unwrap();
        let numbers: Vec<&str> = text.lines().skip(1).collect();
        let mut usage: BTreeMap<String, (i64, u64)> =
            serde_json::from_slice(&std::fs::read(&usage_path).unwrap()).unwrap();
        let mut pick = (seed as usize).wrapping_mul(2_654_435_761) % numbers.len();
        while usage.contains_key(numbers[pick]) {
            pick = (pick + 1) % numbers.len();
        }
        usage.insert(numbers[pick].to_string(), (user, seed));
        std::fs::write(&usage_path, serde_json::to_vec(&usage).unwrap()).unwrap();
    };
    let mut latencies = Vec::new();
    let started = Instant::now();
    for k in 0..30u64 {
        let t0 = Instant::now();
        claim(k as i64, k);
        latencies.push(t0.elapsed());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    out.push(format!(
        "| baseline (old design: read the CSV, rewrite the usage JSON per request), same pool | {:.1} claims/s; latency p50 {:.0} ms, p99 {:.0} ms (not durable: no fsync) |",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    ));
}

/// A 1,000,000-row CSV, end to end: validator, formatter, dedup, files, metadata.
fn upload_scenario(out: &mut Vec<String>) {
    let dir = bench_dir("upload");
    let store = FileStore::open(StoreConfig::new(&dir), shared()).unwrap();
    let csv = ims_csv(1_000_000);
    let started = Instant::now();
    let report = upload(&store, "panel.csv", csv, "UAE Mobile");
    let elapsed = started.elapsed();
    assert_eq!(report.accepted, 1_000_000);
    out.push(format!(
        "| upload of a 1,000,000-row CSV (IMS export, 71 MB), plugins included | {:.2} s ({:.0} rows/s) |",
        elapsed.as_secs_f64(),
        1e6 / elapsed.as_secs_f64()
    ));
}

/// 10,000,000 numbers in 100 files, some in use; restart time and memory are
/// measured in a fresh process.
fn restart(out: &mut Vec<String>) {
    let dir = bench_dir("restart");
    {
        let store = FileStore::open(StoreConfig::new(&dir), shared()).unwrap();
        for f in 0..100u64 {
            upload(
                &store,
                &format!("f{f}.csv"),
                number_csv(f * 100_000, 100_000),
                &format!("C{}", f % 10),
            );
        }
        std::thread::scope(|s| {
            for t in 0..8i64 {
                let store = store.clone();
                s.spawn(move || {
                    for k in 0..25_000i64 {
                        store
                            .claim(&format!("C{}", k % 10), t * 1_000_000 + k)
                            .unwrap();
                    }
                });
            }
        });
        store.compact().unwrap();
        std::thread::scope(|s| {
            for t in 8..16i64 {
                let store = store.clone();
                s.spawn(move || {
                    for k in 0..5_000i64 {
                        store
                            .claim(&format!("C{}", k % 10), t * 1_000_000 + k)
                            .unwrap();
                    }
                });
            }
        });
    }
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .env("NUMBOT_BENCH_RESTART", &dir)
        .output()
        .unwrap();
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stderr)
    );
    let report = String::from_utf8_lossy(&child.stdout);
    let mut parts = report.split_whitespace();
    let (open_s, rss): (f64, f64) = (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    );
    out.push(format!(
        "| restart with 10,000,000 numbers in 100 files (240,000 in use; snapshot + 40,000 journal records) | {open_s:.2} s to open; peak RSS {rss:.0} MiB (whole process, plugins included) |"
    ));
}

fn restart_child(dir: &Path) {
    let plugins = shared();
    let started = Instant::now();
    let store = FileStore::open(StoreConfig::new(dir), plugins).unwrap();
    let elapsed = started.elapsed();
    let stats = store.stats().unwrap();
    let total: u64 = stats.categories.values().map(|c| c.total).sum();
    let assigned: u64 = stats.categories.values().map(|c| c.assigned).sum();
    assert_eq!((total, assigned), (10_000_000, 240_000));
    println!("{} {}", elapsed.as_secs_f64(), rss_peak_mib());
}

/// A scenario appends its table row.
type Scenario = fn(&mut Vec<String>);

fn main() {
    if let Some(dir) = std::env::var_os("NUMBOT_BENCH_RESTART") {
        restart_child(Path::new(&dir));
        return;
    }
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let scenarios: [(&str, Scenario); 4] = [
        ("claims", claims),
        ("baseline", baseline),
        ("upload", upload_scenario),
        ("restart", restart),
    ];
    let mut out = vec![
        "| scenario | result |".to_string(),
        "| --- | --- |".to_string(),
    ];
    for (name, run) in scenarios {
        if only.is_empty() || only.iter().any(|o| o == name) {
            eprintln!("running {name}...");
            run(&mut out);
            eprintln!("{}", out.last().unwrap());
        }
    }
    println!("{}", out.join("\n"));
    let _ = std::fs::remove_dir_all(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-store"
    ));
}
