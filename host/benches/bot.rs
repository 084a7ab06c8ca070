//! Bot benchmark: `cargo bench -p numbot --bench bot`.
//!
//! 1,000 simulated users ask for numbers at once through the fake Telegram
//! server over HTTP (long polling, the real dispatcher, store and plugins).
//! Each user opens /countries, then all press the category button together;
//! the latency of a request is the time from the update reaching the fake
//! server to the bot's reply reaching it (both stamped by the server).
//! teloxide's Throttle is off: with it on, Telegram's ~30 messages/s limit
//! would be what is measured. Needs the built plugins (`cargo build-plugins`).
//! `-- --users N` changes the crowd.

use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, Instant},
};

mod common;

use common::{percentile_ms as percentile, plugins, remote};
use numbot::{
    config::Config,
    fake_telegram::{Entry, FakeTelegram, TestUser},
    store::FileStore,
    users::FileUsers,
};

/// Waits until the bot has sent `count` more messages than `before`, then
/// returns each user's `n`-th bot entry (one transcript read per user, so
/// the harness does not compete with the bot while it waits).
async fn nth_replies(tg: &FakeTelegram, users: &[TestUser], n: usize, before: u64) -> Vec<Entry> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while tg.calls("sendMessage") < before + users.len() as u64 {
        assert!(Instant::now() < deadline, "replies missing");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    users
        .iter()
        .map(|u| {
            tg.transcript(u.id)
                .into_iter()
                .filter(|e| e.from == "bot")
                .nth(n - 1)
                .expect("the reply")
        })
        .collect()
}

/// Sends one update per user (all at once, or one every `pace`) and measures
/// update-to-reply latency of the bot's `n`-th reply to each.
async fn phase(
    tg: &FakeTelegram,
    users: &[TestUser],
    n: usize,
    pace: Option<Duration>,
    what: &str,
    send: impl Fn(&TestUser, usize),
) -> (String, Vec<Entry>) {
    let before = tg.calls("sendMessage");
    let cpu_before = cpu_split();
    let started = tokio::time::Instant::now();
    for (i, u) in users.iter().enumerate() {
        if let Some(pace) = pace {
            tokio::time::sleep_until(started + pace * i as u32).await;
        }
        send(u, i);
    }
    let replies = nth_replies(tg, users, n, before).await;
    let span = started.elapsed().as_micros() as u64;
    let cpu_after = cpu_split();
    let cpu = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
    let lat = latencies(tg, users, &replies, n);
    (row(what, &lat, span, cpu), replies)
}

/// Time from each user's `n`-th update to the bot's `n`-th reply (µs).
fn latencies(tg: &FakeTelegram, users: &[TestUser], replies: &[Entry], n: usize) -> Vec<u64> {
    let mut out: Vec<u64> = users
        .iter()
        .zip(replies)
        .map(|(u, reply)| {
            let update = tg
                .transcript(u.id)
                .into_iter()
                .filter(|e| e.from == "user")
                .nth(n - 1)
                .expect("the user's update");
            reply.at_us - update.at_us
        })
        .collect();
    out.sort_unstable();
    out
}

/// CPU time (ns) used so far by numbot's threads and by the fake server's,
/// from `/proc/self/task/*/schedstat` (the bench's own main thread apart).
fn cpu_split() -> (u64, u64) {
    let pid = std::process::id().to_string();
    let (mut numbot, mut telegram) = (0, 0);
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let ns: u64 = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        if comm.trim() == "fake-telegram" {
            telegram += ns;
        } else if task.file_name().to_string_lossy() != pid {
            numbot += ns;
        }
    }
    (numbot, telegram)
}

fn row(what: &str, lat: &[u64], span_us: u64, cpu: (u64, u64)) -> String {
    let n = lat.len() as f64;
    format!(
        "| {what} | {} | {:.1} ms | **{:.1} ms** | {:.1} ms | {:.0}/s | {:.0} µs | {:.0} µs |",
        lat.len(),
        percentile(lat, 0.50),
        percentile(lat, 0.99),
        percentile(lat, 1.0),
        n / (span_us as f64 / 1e6),
        cpu.0 as f64 / 1e3 / n,
        cpu.1 as f64 / 1e3 / n,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let users_n: i64 = args
        .iter()
        .position(|a| a == "--users")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);

    let tg = remote("fake-telegram", || async {
        FakeTelegram::start().await.unwrap()
    });
    let dir = tempfile::tempdir_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")).unwrap();
    let mut config = Config::default();
    config.telegram.token = tg.token().into();
    config.telegram.api_url = tg.api_url();
    config.telegram.throttle = false;
    config.access.admins = vec![1];
    config.limits.updates_per_minute = 1_000;
    config.store.data_dir = dir.path().to_path_buf();
    let config = config.checked().unwrap();
    let store = FileStore::open(config.store.store_config().unwrap(), plugins()).unwrap();
    let mut csv = String::from("Number\n");
    for i in 0..(2 * users_n as u64 + 200) {
        csv.push_str(&format!("97150{i:07}\n"));
    }
    store
        .upload("pool.csv", csv.as_bytes(), "UAE Mobile", 1, None)
        .unwrap();
    let users_store = Arc::new(FileUsers::open(dir.path()).unwrap());
    let bot = numbot::bot::start(config, Arc::new(store.clone()), users_store)
        .await
        .unwrap();

    let users: Vec<TestUser> = (0..users_n).map(|i| TestUser::new(10_000 + i)).collect();
    let paced: Vec<TestUser> = (0..users_n).map(|i| TestUser::new(50_000 + i)).collect();
    let mut out = vec![
        "| scenario | replies | p50 | p99 | max | replies/s | numbot CPU per reply | fake Telegram CPU per reply |".to_string(),
        "| --- | --- | --- | --- | --- | --- | --- | --- |".to_string(),
    ];

    // 1. All at once: everyone opens /countries, then everyone presses the
    //    category button (a durable claim each).
    let (r, keyboards) = phase(
        &tg,
        &users,
        1,
        None,
        &format!(
            "{users_n} users at once: `/countries` → keyboard (first contact: user record written)"
        ),
        |u, _| {
            tg.send_text(u, "/countries");
        },
    )
    .await;
    out.push(r);
    let (r, numbers) = phase(
        &tg,
        &users,
        2,
        None,
        &format!(
            "{users_n} users at once: category button → number (durable claim, formatter plugin)"
        ),
        |u, i| {
            tg.press_button(
                u,
                keyboards[i].message_id.unwrap(),
                &keyboards[i].buttons[0][0].1,
            );
        },
    )
    .await;
    out.push(r);

    // 2. The same crowd arriving over one second (1,000 updates/s).
    let pace = Duration::from_secs(1) / users_n as u32;
    let (r, paced_keyboards) = phase(
        &tg,
        &paced,
        1,
        Some(pace),
        &format!("{users_n} users over 1 s: `/countries` → keyboard"),
        |u, _| {
            tg.send_text(u, "/countries");
        },
    )
    .await;
    out.push(r);
    let (r, paced_numbers) = phase(
        &tg,
        &paced,
        2,
        Some(pace),
        &format!("{users_n} users over 1 s: category button → number"),
        |u, i| {
            tg.press_button(
                u,
                paced_keyboards[i].message_id.unwrap(),
                &paced_keyboards[i].buttons[0][0].1,
            );
        },
    )
    .await;
    out.push(r);
    let numbers: Vec<Entry> = numbers.into_iter().chain(paced_numbers).collect();

    let distinct: HashSet<String> = numbers
        .iter()
        .map(|e| {
            let t = e.text.as_deref().unwrap_or_default();
            let s = t.find("<code>").expect("a number") + 6;
            t[s..s + t[s..].find("</code>").unwrap()].to_string()
        })
        .collect();
    assert_eq!(
        distinct.len(),
        2 * users.len(),
        "every user got a distinct number"
    );
    assert_eq!(store.assignments().unwrap().len(), 2 * users.len());
    println!("{}", out.join("\n"));
    println!(
        "\nall {} numbers distinct; Throttle off; long polling, 100 updates per getUpdates",
        distinct.len()
    );
    bot.stop(Duration::from_secs(5)).await;
}
