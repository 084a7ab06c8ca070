//! Bot benchmark: `cargo bench -p numbot-tests --bench bot`.
//!
//! The real bot (teloxide's dispatcher, long polling, the file store, the
//! default plugins) talks over HTTP on 127.0.0.1 to the fake Telegram
//! server, which runs on a runtime of its own and stamps each update when
//! it arrives and each reply when the bot sends it; latency is the
//! difference. Pacing under Telegram's limits is off: with it on, Telegram's
//! ~30 messages/s would be what is measured.
//!
//! Scenarios (pick by name after `--`; all by default):
//! - `floor`: a bare teloxide bot (one handler, one `sendMessage` per
//!   update) on a fake Telegram of its own, at the sustained scenario's
//!   rate: the CPU per Bot API request the rest is held against;
//! - `sustained`: 1,000 updates/s for 3 s, `/start` then category presses:
//!   p50/p99 and numbot's CPU per reply;
//! - `import`: `/start` at 100/s while an admin's 1,000,000-row import runs
//!   in the same process, beside the same `/start` with nothing else;
//! - `burst`: `/start` at 100/s while 1,000 presses arrive at once.
//!
//! Needs the built plugins (`cargo build-plugins`).

use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, Instant},
};

mod common;

use common::{cpu_split, percentile_ms as percentile, plugins, remote};
use numbot::{
    compose::{self, Backends, Service},
    config::Config,
};
use numbot_core::Numbers;
use numbot_store_file::{FileStore, FileUsers, LocalCoordination};
use numbot_testing::fake_telegram::{Entry, FakeTelegram, TestUser};

/// The bot, its store and the fake server it talks to.
struct Bench {
    tg: FakeTelegram,
    store: FileStore,
    numbers: Arc<Numbers>,
    _service: Service,
    _dir: tempfile::TempDir,
    /// The next user id not used yet.
    next_user: i64,
}

impl Bench {
    async fn start(pool: u64) -> Bench {
        let tg = remote("fake-telegram", || async {
            FakeTelegram::start().await.unwrap()
        });
        let dir = tempfile::tempdir_in(common::target()).unwrap();
        let mut config = Config::default();
        config.telegram.token = tg.token().into();
        config.telegram.api_url = tg.api_url();
        config.telegram.throttle = false;
        config.access.admins = vec![1];
        config.limits.updates_per_minute = 1_000;
        config.store.data_dir = dir.path().to_path_buf();
        let config = config.checked().unwrap();
        let plugins = plugins();
        let store = FileStore::open(config.store.store_config(), plugins.clone()).unwrap();
        let mut csv = String::from("Number\n");
        for i in 0..pool {
            csv.push_str(&format!("97150{i:07}\n"));
        }
        common::import(&plugins, &store, "pool.csv", csv.into_bytes(), "UAE Mobile").await;
        let users = Arc::new(FileUsers::open(dir.path()).unwrap());
        let backends = Backends {
            store: Arc::new(store.clone()),
            records: numbot_core::Records::all(users),
            coordination: Arc::new(LocalCoordination::open(dir.path()).unwrap()),
            inbox: Arc::new(numbot_core::inbox::MemoryInbox::default()),
        };
        let service = compose::serve(&config, backends, plugins.clone())
            .await
            .unwrap();
        let numbers = service.numbers().clone();
        Bench {
            tg,
            store,
            numbers,
            _service: service,
            _dir: dir,
            next_user: 10_000,
        }
    }

    /// `n` users never seen before.
    fn users(&mut self, n: usize) -> Vec<TestUser> {
        let first = self.next_user;
        self.next_user += n as i64;
        (first..first + n as i64).map(TestUser::new).collect()
    }

    /// Sends one update per user (one every `pace`, or all at once) and
    /// returns the update-to-reply latencies (µs, sorted) of the bot's
    /// `n`-th reply to each, the replies, and numbot's CPU (ns).
    async fn phase(
        &self,
        users: &[TestUser],
        n: usize,
        pace: Option<Duration>,
        send: impl Fn(&TestUser, usize) -> i64,
    ) -> (Vec<u64>, Vec<Entry>, u64) {
        let before = self.tg.calls("sendMessage");
        let cpu_before = cpu_split(&["fake-telegram"]).0;
        let started = tokio::time::Instant::now();
        for (i, u) in users.iter().enumerate() {
            if let Some(pace) = pace {
                tokio::time::sleep_until(started + pace * i as u32).await;
            }
            send(u, i);
        }
        let replies = self.nth_replies(users, n, before).await;
        let cpu = cpu_split(&["fake-telegram"]).0 - cpu_before;
        (self.latencies(users, &replies, n), replies, cpu)
    }

    /// Waits until the bot has sent `users.len()` more messages than
    /// `before`, then returns each user's `n`-th bot entry.
    async fn nth_replies(&self, users: &[TestUser], n: usize, before: u64) -> Vec<Entry> {
        let deadline = Instant::now() + Duration::from_secs(180);
        while self.tg.calls("sendMessage") < before + users.len() as u64 {
            assert!(Instant::now() < deadline, "replies missing");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // The count may include other chats' messages: wait for each reply.
        loop {
            let replies: Vec<Option<Entry>> = users
                .iter()
                .map(|u| {
                    self.tg
                        .transcript(u.id)
                        .into_iter()
                        .filter(|e| e.from == "bot")
                        .nth(n - 1)
                })
                .collect();
            let missing = replies.iter().filter(|r| r.is_none()).count();
            if missing == 0 {
                return replies.into_iter().flatten().collect();
            }
            assert!(Instant::now() < deadline, "{missing} replies missing");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Time from each user's `n`-th update to the bot's `n`-th reply (µs).
    fn latencies(&self, users: &[TestUser], replies: &[Entry], n: usize) -> Vec<u64> {
        let mut out: Vec<u64> = users
            .iter()
            .zip(replies)
            .map(|(u, reply)| {
                let update = self
                    .tg
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
}

fn row(what: &str, lat: &[u64], cpu_ns: Option<u64>) -> String {
    let cpu = cpu_ns.map_or("-".into(), |ns| {
        format!("{:.0} µs", ns as f64 / 1e3 / lat.len() as f64)
    });
    format!(
        "| {what} | {} | {:.1} ms | **{:.1} ms** | {:.1} ms | {cpu} |",
        lat.len(),
        percentile(lat, 0.50),
        percentile(lat, 0.99),
        percentile(lat, 1.0),
    )
}

/// 1,000 updates/s for three seconds: `/start`, then category presses.
async fn sustained(b: &mut Bench, out: &mut Vec<String>) {
    let users = b.users(3_000);
    let pace = Some(Duration::from_millis(1));
    let (lat, keyboards, cpu) = b
        .phase(&users, 1, pace, |u, _| b.tg.send_text(u, "/countries"))
        .await;
    out.push(row(
        "1,000 updates/s for 3 s: `/countries` → keyboard (first contact: user record written)",
        &lat,
        Some(cpu),
    ));
    let (lat, numbers, cpu) = b
        .phase(&users, 2, pace, |u, i| {
            b.tg.press_button(
                u,
                keyboards[i].message_id.unwrap(),
                &keyboards[i].buttons[0][0].1,
            )
        })
        .await;
    out.push(row(
        "1,000 updates/s for 3 s: category button → number (durable claim, policy and formatter plugins)",
        &lat,
        Some(cpu),
    ));
    let distinct: HashSet<String> = numbers.iter().map(number_of).collect();
    assert_eq!(
        distinct.len(),
        users.len(),
        "every user got their own number"
    );
}

/// `/start` at 100/s while `busy` runs; the same with nothing beside it.
async fn start_while(
    b: &Bench,
    (idle, loaded): (Vec<TestUser>, Vec<TestUser>),
    out: &mut Vec<String>,
    what: &str,
    busy: impl std::future::Future<Output = ()>,
) {
    let pace = Some(Duration::from_millis(10));
    let (lat, _, _) = b
        .phase(&idle, 1, pace, |u, _| b.tg.send_text(u, "/start"))
        .await;
    out.push(row(
        "`/start` at 100/s, nothing else running (baseline)",
        &lat,
        None,
    ));
    let starts = b.phase(&loaded, 1, pace, |u, _| b.tg.send_text(u, "/start"));
    let ((lat, _, _), ()) = tokio::join!(starts, busy);
    out.push(row(&format!("`/start` at 100/s {what}"), &lat, None));
}

/// An admin's 1,000,000-row import in the same process.
async fn import(b: &mut Bench, out: &mut Vec<String>) {
    let mut csv = String::from("Number\n");
    for i in 0..1_000_000u64 {
        csv.push_str(&format!("+4474{i:08}\n"));
    }
    let bytes = Arc::new(csv.into_bytes());
    let numbers = b.numbers.clone();
    let busy = async move {
        // Starts once the first /start users are under way.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        let inspection = numbers.inspect("big.csv", bytes).await.unwrap();
        let report = numbers
            .import(1, &inspection, "UK Mobile", None)
            .await
            .unwrap();
        assert_eq!(report.accepted, 1_000_000);
        eprintln!("import: {:.1} s", started.elapsed().as_secs_f64());
    };
    let users = (b.users(300), b.users(300));
    start_while(
        b,
        users,
        out,
        "while a 1,000,000-row import runs in the process",
        busy,
    )
    .await;
}

/// 1,000 category presses at once.
async fn burst(b: &mut Bench, out: &mut Vec<String>) {
    let crowd = b.users(1_000);
    let users = (b.users(300), b.users(300));
    let (_, keyboards, _) = b
        .phase(&crowd, 1, None, |u, _| b.tg.send_text(u, "/countries"))
        .await;
    let tg = &b.tg;
    let busy = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = tg.calls("sendMessage");
        for (u, k) in crowd.iter().zip(&keyboards) {
            tg.press_button(u, k.message_id.unwrap(), &k.buttons[0][0].1);
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        while tg.calls("sendMessage") < before + crowd.len() as u64 {
            assert!(Instant::now() < deadline, "numbers missing");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    start_while(b, users, out, "while 1,000 presses arrive at once", busy).await;
}

fn number_of(e: &Entry) -> String {
    let t = e.text.as_deref().unwrap_or_default();
    let s = t.find("<code>").expect("a number") + 6;
    t[s..s + t[s..].find("</code>").unwrap()].to_string()
}

/// The least a teloxide bot can do: answer each update with one message,
/// at 1,000 updates/s for 3 s, on a fake Telegram of its own. Run before
/// numbot starts, so the process's CPU is the bare bot's.
async fn floor(out: &mut Vec<String>) {
    use teloxide::prelude::*;
    let tg = remote("fake-telegram", || async {
        FakeTelegram::start().await.unwrap()
    });
    let bot = Bot::new(tg.token()).set_api_url(reqwest::Url::parse(&tg.api_url()).unwrap());
    let handler = Update::filter_message().endpoint(|bot: Bot, m: Message| async move {
        bot.send_message(m.chat.id, "ok").await?;
        Ok::<(), teloxide::RequestError>(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });
    let users: Vec<TestUser> = (1..=3_000).map(TestUser::new).collect();
    // Warm up: the first getUpdates and connections.
    tg.send_text(&TestUser::new(9_999_999), "/start");
    while tg.calls("sendMessage") < 1 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let cpu_before = cpu_split(&["fake-telegram"]).0;
    let started = tokio::time::Instant::now();
    for (i, u) in users.iter().enumerate() {
        tokio::time::sleep_until(started + Duration::from_millis(1) * i as u32).await;
        tg.send_text(u, "/start");
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while tg.calls("sendMessage") < 1 + users.len() as u64 {
        assert!(Instant::now() < deadline, "floor replies missing");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let cpu = cpu_split(&["fake-telegram"]).0 - cpu_before;
    let mut lat: Vec<u64> = users
        .iter()
        .map(|u| {
            let t = tg.transcript(u.id);
            let update = t.iter().find(|e| e.from == "user").unwrap().at_us;
            let reply = t.iter().find(|e| e.from == "bot").unwrap().at_us;
            reply - update
        })
        .collect();
    lat.sort_unstable();
    out.push(row(
        "floor, same rate: bare teloxide, one handler, one `sendMessage` per update (1 Bot API request per reply)",
        &lat,
        Some(cpu),
    ));
    if let Ok(done) = shutdown.shutdown() {
        done.await;
    }
    let _ = running.await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let mut out = vec![
        "| scenario | replies | p50 | p99 | max | CPU per reply (the bot's threads) |".to_string(),
        "| --- | --- | --- | --- | --- | --- |".to_string(),
    ];
    if wanted("floor") {
        floor(&mut out).await;
    }
    let mut b = Bench::start(10_000).await;
    if wanted("sustained") {
        sustained(&mut b, &mut out).await;
    }
    if wanted("import") {
        import(&mut b, &mut out).await;
    }
    if wanted("burst") {
        burst(&mut b, &mut out).await;
    }
    println!("{}", out.join("\n"));
    println!(
        "\n{} numbers held at the end; pacing off; long polling, 100 updates per getUpdates",
        b.store.assignments().unwrap().len()
    );
}
