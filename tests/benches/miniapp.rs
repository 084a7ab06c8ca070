//! Mini App benchmark: `cargo bench -p numbot-tests --bench miniapp`.
//!
//! A large pool: 10,000,000 numbers in 100 files (ten categories) and a
//! history of 1,000,000 ended uses, each with a code, over the last twelve
//! days. The real bot serves its Mini App on 127.0.0.1 (the fake Bot API
//! runs on a runtime of its own); an admin's browser is one client asking
//! one page at a time. Measured, each request on its own:
//! - the admin overview (`GET /page/overview`: every category's states,
//!   the 14-day trend, the provider; SVG charts);
//! - history searches (`GET /page/history?…`) of six kinds, from the
//!   newest hundred uses to a search nothing matches (every use scanned);
//! - in the same run, the baseline: `/csvstats` through the Bot API, from
//!   the update to the bot's second chart (two PNGs drawn by plotters).
//!
//! Needs the built plugins (`cargo build-plugins`). Pacing under
//! Telegram's limits is off.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

mod common;

use common::{number_csv, percentile_ms, plugins, remote, rss_mib};
use numbot::{
    compose::{self, Backends},
    config::Config,
};
use numbot_store_file::{FileStore, FileUsers, LocalCoordination};
use numbot_testing::fake_telegram::{FakeTelegram, TestUser};
use rand::{Rng, SeedableRng};

const FILES: u64 = 100;
const PER_FILE: u64 = 100_000;
const USES: u32 = 1_000_000;
const HOLDERS: u32 = 5_000;
const ADMIN: i64 = 1;
/// Requests per kind.
const ROUNDS: usize = 200;
/// `/csvstats` runs (each draws two PNG charts).
const STATS_ROUNDS: usize = 40;

/// A kind of search: its query string, from the bench's random numbers.
type Query<'a> = Box<dyn Fn(&mut rand::rngs::StdRng) -> String + 'a>;

fn dir() -> PathBuf {
    common::target().join("bench-miniapp")
}

/// p50, p99 and max of `lat` (µs), as a table's cells.
fn cells(lat: &mut [u64]) -> String {
    lat.sort_unstable();
    format!(
        "{:.1} ms | **{:.1} ms** | {:.1} ms",
        percentile_ms(lat, 0.50),
        percentile_ms(lat, 0.99),
        *lat.last().unwrap() as f64 / 1e3
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let now = u32::try_from(numbot_core::clock::unix_now()).unwrap();
    // The history first: the store indexes it when it opens.
    let t0 = now - 12 * 86_400;
    let bytes = common::write_history_from(&dir, USES, HOLDERS, t0, 1);
    let tg = remote("fake-telegram", || async {
        FakeTelegram::start().await.unwrap()
    });
    let mut config = Config::default();
    config.telegram.token = tg.token().into();
    config.telegram.api_url = tg.api_url();
    config.telegram.throttle = false;
    config.access.admins = vec![ADMIN];
    config.limits.updates_per_minute = 10_000;
    config.store.data_dir = dir.clone();
    config.web = Some(numbot_telegram::WebConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        url: "http://127.0.0.1/app".into(),
        launch_max_age_secs: 3600,
        session_secs: 3600,
        login_link_secs: 600,
    });
    let config = config.checked().unwrap();
    let plugins = plugins();
    let opened = Instant::now();
    let store = FileStore::open(config.store.store_config(), plugins.clone()).unwrap();
    let open_s = opened.elapsed().as_secs_f64();
    let imported = Instant::now();
    for f in 0..FILES {
        common::import(
            &plugins,
            &store,
            &format!("f{f}.csv"),
            number_csv(f * PER_FILE, PER_FILE),
            &format!("Category {}", f % 10),
        )
        .await;
    }
    let import_s = imported.elapsed().as_secs_f64();
    let users = Arc::new(FileUsers::open(&dir).unwrap());
    let backends = Backends {
        store: Arc::new(store.clone()),
        records: numbot_core::Records::all(users),
        coordination: Arc::new(LocalCoordination::open(&dir).unwrap()),
        inbox: Arc::new(numbot_core::inbox::MemoryInbox::default()),
    };
    let service = compose::serve(&config, backends, plugins.clone())
        .await
        .unwrap();
    let web = service.bot.web_addr.expect("the Mini App listens");
    let rss = rss_mib();
    // Some numbers held now, as in a pool in use.
    for user in 0..1_000 {
        store
            .claim(&format!("Category {}", user % 10), 1_000_000 + user)
            .unwrap();
    }

    let http = reqwest::Client::new();
    let secret =
        numbot_telegram::miniapp::login::issue(ADMIN, i64::from(now) + 600, &config.telegram.token);
    let session: serde_json::Value = http
        .post(format!("http://{web}/session"))
        .json(&serde_json::json!({ "login": secret }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let auth = format!("Session {}", session["token"].as_str().unwrap());
    let get = |path: String| {
        let request = http
            .get(format!("http://{web}{path}"))
            .header("Authorization", &auth);
        async move {
            let started = Instant::now();
            let r = request.send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            let body = r.text().await.unwrap();
            (started.elapsed().as_micros() as u64, body)
        }
    };

    let mut rows = Vec::new();
    let (_, page) = get("/page/overview".into()).await;
    assert!(
        page.contains("Category 9"),
        "the overview lists the categories"
    );
    let mut lat = Vec::new();
    for _ in 0..ROUNDS {
        lat.push(get("/page/overview".into()).await.0);
    }
    rows.push(format!(
        "| admin overview (`GET /page/overview`) | {} |",
        cells(&mut lat)
    ));

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let day = |days_ago: u32| {
        chrono::DateTime::from_timestamp(i64::from(now - days_ago * 86_400), 0)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string()
    };
    let kinds: [(&str, Query<'_>); 6] = [
        ("the newest, no filter", Box::new(|_| String::new())),
        (
            "a whole number (5 uses, every use scanned)",
            Box::new(|r| format!("number=%2B97150{:07}", r.random_range(0..200_000))),
        ),
        (
            "four digits anywhere in the number",
            Box::new(|r| format!("number={:04}", r.random_range(0..10_000))),
        ),
        (
            "a holder (200 uses)",
            Box::new(|r| format!("holder={}", r.random_range(1..=HOLDERS))),
        ),
        (
            "a category on one day",
            Box::new(|r| {
                let d = day(r.random_range(1..12));
                format!(
                    "category=Category+{}&from={d}&to={d}",
                    r.random_range(0..10)
                )
            }),
        ),
        (
            "digits no number has (nothing found, every use scanned)",
            Box::new(|_| "number=99999999".into()),
        ),
    ];
    let mut every = Vec::new();
    for (what, query) in &kinds {
        let mut lat = Vec::new();
        let mut found = 0;
        for _ in 0..ROUNDS {
            let (us, body) = get(format!("/page/history?{}", query(&mut rng))).await;
            found += body.matches("<tr><td>").count();
            lat.push(us);
        }
        every.extend_from_slice(&lat);
        rows.push(format!(
            "| history search: {what} ({:.0} rows shown on average) | {} |",
            found as f64 / ROUNDS as f64,
            cells(&mut lat)
        ));
    }
    rows.push(format!(
        "| history search: all {} searches above | {} |",
        every.len(),
        cells(&mut every)
    ));

    // What the index saves, same run: the same answers from reading the
    // history through, as a backend without one gives them.
    let mut lat = Vec::new();
    let first = i64::from(now) - i64::from(now) % 86_400 - 13 * 86_400;
    for _ in 0..5 {
        let started = Instant::now();
        let all = numbot_store_file::history::read(
            store.dir(),
            numbot_core::HistoryQuery {
                from: u32::try_from(first).ok(),
                ..numbot_core::HistoryQuery::default()
            },
        );
        numbot_core::history::count_days(all, first, 14)
            .await
            .unwrap();
        lat.push(started.elapsed().as_micros() as u64);
    }
    rows.push(format!(
        "| without the index, same run: the overview's 14-day counts read from the history | {} |",
        cells(&mut lat)
    ));
    let mut lat = Vec::new();
    for _ in 0..5 {
        let search = numbot_core::HistorySearch {
            number: Some("99999999".into()),
            limit: 100,
            ..numbot_core::HistorySearch::default()
        };
        let started = Instant::now();
        let all =
            numbot_store_file::history::read(store.dir(), numbot_core::HistoryQuery::default());
        numbot_core::history::newest(all, &search).await.unwrap();
        lat.push(started.elapsed().as_micros() as u64);
    }
    rows.push(format!(
        "| without the index, same run: digits no number has, the history read through | {} |",
        cells(&mut lat)
    ));

    let admin = TestUser::new(ADMIN);
    let mut lat = Vec::new();
    for round in 0..=STATS_ROUNDS {
        let before = tg.calls("sendPhoto");
        let started = Instant::now();
        tg.send_text(&admin, "/csvstats");
        let deadline = Instant::now() + Duration::from_secs(120);
        while tg.calls("sendPhoto") < before + 2 {
            assert!(Instant::now() < deadline, "/csvstats answered no charts");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // The first run warms up.
        if round > 0 {
            lat.push(started.elapsed().as_micros() as u64);
        }
    }
    rows.push(format!(
        "| baseline, same run: `/csvstats` through the Bot API (update to the second PNG chart sent) | {} |",
        cells(&mut lat)
    ));

    println!(
        "10,000,000 numbers in {FILES} files, {USES} uses in the history ({:.0} MiB), 1,000 held now",
        bytes as f64 / 1_048_576.0
    );
    println!(
        "store opened with the history in {open_s:.1} s (indexes built); import {import_s:.0} s; RSS after start {rss:.0} MiB"
    );
    println!("\n| request | p50 | p99 | max |\n|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    drop(service);
    let _ = std::fs::remove_dir_all(&dir);
}
