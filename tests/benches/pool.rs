//! The pool through the `NumberStore` trait, file store beside MongoDB:
//! `cargo bench -p numbot-tests --bench pool [-- --numbers N --claims K --concurrency C]`.
//!
//! Each backend gets the same pool (N numbers in one category) and the same
//! load: C claimers side by side making K claims in all, each by a new user,
//! every claim acknowledged (durable on disk for the file store; written by
//! the server for MongoDB). Prints claims/s, latency percentiles, numbot's
//! CPU per claim and, for MongoDB, the round trips per claim (the driver's
//! command monitoring counts every command sent).
//!
//! MongoDB is the server at `NUMBOT_BENCH_MONGODB_URI` when set (a real
//! mongod), else a SecantusDB started from `.venv` (installed by
//! `scripts/test.sh`), the MongoDB-wire server the tests use: a Python
//! server, so its figures measure numbot's protocol work plus that server.

use std::{sync::Arc, time::Instant};

mod common;

use common::{percentile_ms, plugins};
use numbot_core::{Coordination, NumberStore, Store, StoreConfig, WatchRecord};
use numbot_store_file::FileStore;
use numbot_store_mongo::{MongoCoordination, MongoStore};
use numbot_testing::secantus::Secantus;

struct Args {
    numbers: u64,
    claims: u64,
    concurrency: usize,
}

fn args() -> Args {
    let mut a = Args {
        numbers: 5_000,
        claims: 2_000,
        concurrency: 64,
    };
    let argv: Vec<String> = std::env::args().collect();
    for pair in argv.windows(2) {
        let value = || pair[1].parse().expect("a number");
        match pair[0].as_str() {
            "--numbers" => a.numbers = value(),
            "--claims" => a.claims = value(),
            "--concurrency" => a.concurrency = value() as usize,
            _ => {}
        }
    }
    a
}

fn csv(count: u64) -> Vec<u8> {
    let mut out = String::from("number\n");
    for i in 0..count {
        out.push_str(&format!("+4474{i:08}\n"));
    }
    out.into_bytes()
}

/// CPU time this process used so far (user + system), in microseconds.
fn cpu_us() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    ticks * 10_000
}

/// What one load measured.
struct Figures {
    rate: f64,
    p50: f64,
    p99: f64,
    max: f64,
    /// numbot's own CPU per claim (this process: the store, the driver, the policy plugin).
    cpu_us: f64,
    /// Commands sent to the database per claim (MongoDB only).
    round_trips: Option<f64>,
}

/// Runs the load; `commands` counts the database's round trips, if any.
async fn load(store: Store, a: &Args, commands: impl Fn() -> Option<u64>) -> Figures {
    let sent = commands();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let cpu = cpu_us();
    let started = Instant::now();
    let workers: Vec<_> = (0..a.concurrency)
        .map(|_| {
            let (store, next, total) = (store.clone(), next.clone(), a.claims);
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let user = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if user >= total {
                        return times;
                    }
                    let t = Instant::now();
                    store.claim("Pool", user as i64 + 1).await.expect("claim");
                    times.push(t.elapsed().as_micros() as u64);
                }
            })
        })
        .collect();
    let mut times = Vec::new();
    for w in workers {
        times.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed();
    let cpu = cpu_us() - cpu;
    let round_trips = commands()
        .zip(sent)
        .map(|(after, before)| (after - before) as f64 / a.claims as f64);
    times.sort_unstable();
    let held = store.assignments().await.unwrap();
    let distinct: std::collections::HashSet<_> = held.iter().map(|x| &x.number).collect();
    assert_eq!(
        distinct.len() as u64,
        a.claims,
        "every claim holds its own number"
    );
    Figures {
        rate: a.claims as f64 / elapsed.as_secs_f64(),
        p50: percentile_ms(&times, 0.5),
        p99: percentile_ms(&times, 0.99),
        max: percentile_ms(&times, 1.0),
        cpu_us: cpu as f64 / a.claims as f64,
        round_trips,
    }
}

fn main() {
    let a = args();
    assert!(a.claims <= a.numbers, "more claims than numbers");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = plugins();
    let mut rows = Vec::new();

    let dir = common::target().join("bench-pool");
    let _ = std::fs::remove_dir_all(&dir);
    let file = FileStore::open(StoreConfig::new(&dir), host.clone()).unwrap();
    rt.block_on(common::import(
        &host,
        &file,
        "pool.csv",
        csv(a.numbers),
        "Pool",
    ));
    let r = rt.block_on(load(Arc::new(file), &a, || None));
    rows.push(("file store (fsync per group commit)".to_string(), r));

    let (uri, server) = match std::env::var("NUMBOT_BENCH_MONGODB_URI") {
        Ok(uri) => (uri, None),
        Err(_) => {
            let server = Secantus::start(&dir.with_file_name("secantusd-bench.log"));
            (server.uri(), Some(server))
        }
    };
    let label = if server.is_some() {
        "MongoDB pool on SecantusDB 0.7.0b3 (Python, same 2 cores)"
    } else {
        "MongoDB pool (NUMBOT_BENCH_MONGODB_URI)"
    };
    let r = rt.block_on(async {
        let database = format!("bench_{}", std::process::id());
        let connection = numbot_store_mongo::connect_counting(&uri, &database)
            .await
            .unwrap();
        let db = connection.database.clone();
        let config = StoreConfig::new(&dir);
        let mongo = MongoStore::open(&db, &config, host.clone()).await.unwrap();
        common::import(&host, &mongo, "pool.csv", csv(a.numbers), "Pool").await;
        let mongo = Arc::new(mongo);
        let r = load(mongo.clone(), &a, || Some(connection.round_trips())).await;
        let coordination = MongoCoordination::open(&db, config.clock.clone())
            .await
            .unwrap();
        let w = watch_records(&mongo, &coordination).await;
        let _ = db.drop().await;
        (r, w)
    });
    let (r, watches) = r;
    rows.push((label.to_string(), r));
    drop(server);

    println!(
        "\n{} numbers, {} claims by {} claimers side by side, each by a new user\n",
        a.numbers, a.claims, a.concurrency
    );
    println!(
        "| backend | claims/s | p50 | p99 | max | numbot CPU per claim | round trips per claim |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (label, f) in rows {
        let trips = f.round_trips.map_or("-".to_string(), |r| format!("{r:.2}"));
        println!(
            "| {label} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} µs | {trips} |",
            f.rate, f.p50, f.p99, f.max, f.cpu_us
        );
    }
    println!("\nOTP monitor's watch records on MongoDB ({label}), one per number held\n");
    println!("| watches | record all (one batch) | takeover: read records and assignments | end each (64 at a time) |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| {} | {:.0} ms | {:.0} ms | {:.0} ends/s |",
        watches.count, watches.record_ms, watches.takeover_ms, watches.ends_per_s
    );
}

/// What the monitor's watch records cost on MongoDB.
struct WatchFigures {
    count: usize,
    record_ms: f64,
    takeover_ms: f64,
    ends_per_s: f64,
}

/// Records a watch for every number held, reads them back as a monitor
/// taking over does, then ends each as polls do when uses end.
async fn watch_records(mongo: &Arc<MongoStore>, share: &MongoCoordination) -> WatchFigures {
    use futures::StreamExt;
    let watches: Vec<WatchRecord> = mongo
        .assignments()
        .await
        .unwrap()
        .into_iter()
        .map(|a| WatchRecord {
            id: a.id,
            user: a.user,
            number: a.number,
            since: i64::from(a.since),
            until: a.until,
        })
        .collect();
    let t = Instant::now();
    share.add_watches(&watches).await.unwrap();
    let record_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let (read, held) = tokio::join!(share.watches(), mongo.assignments());
    assert_eq!(read.unwrap().len(), held.unwrap().len());
    let takeover_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let ended = futures::stream::iter(&watches)
        .map(|w| share.end_watch(w))
        .buffer_unordered(64)
        .filter(|r| std::future::ready(matches!(r, Ok(true))))
        .count()
        .await;
    assert_eq!(ended, watches.len());
    WatchFigures {
        count: watches.len(),
        record_ms,
        takeover_ms,
        ends_per_s: ended as f64 / t.elapsed().as_secs_f64(),
    }
}
