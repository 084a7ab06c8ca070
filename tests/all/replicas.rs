//! Several `numbot run` processes on one MongoDB pool, in webhook mode behind
//! a load balancer: real processes, a real MongoDB-wire server, the fake Bot
//! API over HTTP.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use numbot_core::{NumberStore, StoreConfig};
use numbot_store_mongo::MongoStore;
use numbot_testing::fake_telegram::{FakeTelegram, TestUser};

use crate::support::{
    cache, defaults, free_port, shared_plugins, uae_csv, LoadBalancer, MongoServer, UploadExt,
};

const USERS: i64 = 1_000;
const FIRST_USER: i64 = 10_000;
const SECRET: &str = "replica-secret-0123456789abcdef-ABCDEF";

/// A replica: `numbot run` with its own data directory and listen port.
struct Replica {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Replica {
    fn start(
        dir: &Path,
        name: &str,
        port: u16,
        tg: &FakeTelegram,
        lb: &LoadBalancer,
        (uri, db): (&str, &str),
    ) -> Replica {
        let data = dir.join(name);
        std::fs::create_dir_all(&data).unwrap();
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                r#"[telegram]
token = "{token}"
api_url = "{api}"
mode = "webhook"
throttle = false

[telegram.webhook]
listen = "127.0.0.1:{port}"
url = "http://{lb}/webhook"
secret_token = "{SECRET}"

[access]
mode = "open"
admins = [1]

[limits]
numbers_per_window = 1000
window_secs = 3600
updates_per_minute = 1000

[store]
data_dir = "{data}"
mongodb_uri = "{uri}"
mongodb_database = "{db}"

[plugins]
dirs = ["{plugins}"]
cache_dir = "{cache}"
"#,
                token = tg.token(),
                api = tg.api_url(),
                lb = lb.addr,
                data = data.display(),
                plugins = defaults().display(),
                cache = cache().display(),
            ),
        )
        .unwrap();
        let log = dir.join(format!("{name}.log"));
        let child = Command::new(crate::support::binary("numbot"))
            .args(["run", "--config"])
            .arg(&config)
            .env("NUMBOT_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start numbot run");
        Replica { child, port, log }
    }

    /// Waits until the replica accepts webhook connections.
    async fn listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "replica exited ({status}): {}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "replica did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The number each user was told (a new number, or "You already hold").
fn told(tg: &FakeTelegram, users: &[TestUser]) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    for u in users {
        for e in tg.transcript(u.id) {
            let Some(t) = e.text.as_deref() else { continue };
            if e.from != "bot"
                || !(t.starts_with("Your number:") || t.starts_with("You already hold"))
            {
                continue;
            }
            let start = t.find("<code>").unwrap() + 6;
            let end = t[start..].find("</code>").unwrap() + start;
            let number = t[start..end].to_string();
            if let Some(before) = out.insert(u.id, number.clone()) {
                assert_eq!(before, number, "user {} was told two numbers", u.id);
            }
        }
    }
    out
}

/// Waits for a bot message to `chat` whose text passes `f`.
async fn wait_for_bot(tg: &FakeTelegram, chat: i64, f: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = tg
            .transcript(chat)
            .iter()
            .any(|e| e.from == "bot" && e.text.as_deref().is_some_and(&f));
        if found {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no such reply: {:?}",
            tg.transcript(chat)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_one_pool_and_survive_one_being_killed() {
    let server = MongoServer::get();
    let database = server.fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let db = numbot_store_mongo::connect(&server.uri(), &database)
        .await
        .unwrap();
    let pool = MongoStore::open(&db, &StoreConfig::new(dir.path()), shared_plugins())
        .await
        .unwrap();
    pool.upload(
        "pool.csv",
        Arc::new(uae_csv(0, 1_200)),
        "UAE Mobile",
        1,
        None,
    )
    .await
    .unwrap();

    let tg = FakeTelegram::start().await.unwrap();
    let ports = [free_port(), free_port()];
    let lb = LoadBalancer::start(ports.iter().map(|&p| ([127, 0, 0, 1], p).into()).collect()).await;
    let mongo = (server.uri(), database.clone());
    let mongo = (mongo.0.as_str(), mongo.1.as_str());
    let mut a = Replica::start(dir.path(), "a", ports[0], &tg, &lb, mongo);
    let mut b = Replica::start(dir.path(), "b", ports[1], &tg, &lb, mongo);
    a.listening().await;
    b.listening().await;
    // Both registered the balancer as the webhook.
    let deadline = Instant::now() + Duration::from_secs(30);
    while tg.webhook().is_none() {
        assert!(Instant::now() < deadline, "no webhook set");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // An admin uploads a file without a category; the answer reaches the
    // other replica (the balancer takes turns), which finds the upload.
    let admin = TestUser::new(1);
    let before: Vec<usize> = lb
        .served
        .iter()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed))
        .collect();
    tg.send_document(&admin, "more.csv", uae_csv(5_000, 10), None);
    wait_for_bot(&tg, 1, |t| t.contains("Which category")).await;
    tg.send_text(&admin, "Team Pool");
    wait_for_bot(&tg, 1, |t| t.contains("Imported 10 numbers into Team Pool")).await;
    let after: Vec<usize> = lb
        .served
        .iter()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed))
        .collect();
    assert!(
        after[0] > before[0] && after[1] > before[1],
        "the question and the answer went to different replicas: {before:?} -> {after:?}"
    );

    // A thousand users press the category button at once.
    let users: Vec<TestUser> = (FIRST_USER..FIRST_USER + USERS)
        .map(TestUser::new)
        .collect();
    let pick = format!("pk:{}", numbot_telegram::render::key("UAE Mobile"));
    for u in &users {
        tg.press_button(u, 1, &pick);
    }
    // Replica A dies in the middle of it.
    let deadline = Instant::now() + Duration::from_secs(120);
    while told(&tg, &users).len() < 300 {
        assert!(
            Instant::now() < deadline,
            "claims did not start: {}",
            std::fs::read_to_string(&a.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let at_kill = told(&tg, &users).len();
    assert!(
        at_kill < USERS as usize,
        "replica A was killed after the claims ended"
    );

    // The survivor goes on. Updates A had accepted but not answered are lost
    // with it (Telegram counts an accepted update as delivered): those users
    // press again, as they would.
    let mut quiet_since = Instant::now();
    let mut last = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let now = told(&tg, &users);
        if now.len() == USERS as usize {
            break;
        }
        if now.len() != last {
            last = now.len();
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() > Duration::from_secs(3) {
            for u in users.iter().filter(|u| !now.contains_key(&u.id)) {
                tg.press_button(u, 1, &pick);
            }
            quiet_since = Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "{} of {USERS} users got a number; replica B: {}",
            now.len(),
            std::fs::read_to_string(&b.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // No number twice, and every number a user was told is the one the pool
    // says they hold: no lease lost, none half-made.
    let told = told(&tg, &users);
    let numbers: HashSet<&String> = told.values().collect();
    assert_eq!(numbers.len(), USERS as usize, "a number was given twice");
    let held: HashMap<i64, String> = pool
        .assignments()
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.user, a.number))
        .collect();
    assert_eq!(
        held.len(),
        USERS as usize,
        "one hold per user, no orphan hold"
    );
    for (user, number) in &told {
        assert_eq!(held.get(user), Some(number), "user {user}");
    }
    let served: Vec<usize> = lb
        .served
        .iter()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed))
        .collect();
    assert!(
        served[0] > 0 && served[1] > 0,
        "both replicas served: {served:?}"
    );
    assert!(
        b.child.try_wait().unwrap().is_none(),
        "replica B is still running"
    );
    eprintln!("replicas: {at_kill} users answered when A was killed; balancer requests {served:?}");
}

/// Bot messages in `chat` whose text is exactly `text`.
fn received(tg: &FakeTelegram, chat: i64, text: &str) -> usize {
    tg.transcript(chat)
        .iter()
        .filter(|e| e.from == "bot" && e.text.as_deref() == Some(text))
        .count()
}

/// The pid of the process holding the broadcast's sending lease.
async fn sender(db: &mongodb::Database) -> Option<u32> {
    use mongodb::bson::{doc, Document};
    let job = db
        .collection::<Document>("jobs")
        .find_one(doc! { "_id": "broadcast" })
        .await
        .unwrap()?;
    job.get_str("owner").ok()?.split('-').next()?.parse().ok()
}

/// Requests each backend of the balancer answered so far.
fn served(lb: &LoadBalancer) -> Vec<usize> {
    lb.served
        .iter()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed))
        .collect()
}

/// A broadcast behind the balancer: Stop reaches the replica that is not
/// sending and stops it; then the sender is killed mid-broadcast and both
/// replicas restart: every recipient gets it, none more than twice, and
/// only the one in flight when the sender died twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_is_one_job_across_replicas_and_restarts() {
    let server = MongoServer::get();
    let database = server.fresh_database();
    let db = numbot_store_mongo::connect(&server.uri(), &database)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tg = FakeTelegram::start().await.unwrap();
    let ports = [free_port(), free_port()];
    let lb = LoadBalancer::start(ports.iter().map(|&p| ([127, 0, 0, 1], p).into()).collect()).await;
    let mongo = (server.uri(), database.clone());
    let mongo = (mongo.0.as_str(), mongo.1.as_str());
    let start = |name: &str, port: u16| Replica::start(dir.path(), name, port, &tg, &lb, mongo);
    let mut replicas = [start("a", ports[0]), start("b", ports[1])];
    for r in &mut replicas {
        r.listening().await;
    }
    let admin = TestUser::new(1);
    let users: Vec<TestUser> = (500..530).map(TestUser::new).collect();
    for u in users.iter().chain([&admin]) {
        tg.send_text(u, "/start");
        wait_for_bot(&tg, u.id, |t| t.contains("numbot")).await;
    }
    let recipients: Vec<i64> = users.iter().chain([&admin]).map(|u| u.id).collect();
    // Every message is done at once and answered 200 ms later: a sender
    // killed meanwhile never learns the one in flight went out.
    tg.slow("sendMessage", Duration::from_millis(200));

    // Sent off on one replica, stopped from the other.
    tg.send_text(&admin, "/broadcast First news");
    wait_for_bot(&tg, 1, |t| t.starts_with("📣 To ")).await;
    let preview = tg
        .transcript(1)
        .into_iter()
        .rev()
        .find(|e| e.text.as_deref().is_some_and(|t| t.contains("First news")))
        .unwrap();
    let before = served(&lb);
    tg.press_button(
        &admin,
        preview.message_id.unwrap(),
        &preview.buttons[0][0].1,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while recipients
        .iter()
        .filter(|&&u| received(&tg, u, "First news") > 0)
        .count()
        < 3
    {
        assert!(Instant::now() < deadline, "the broadcast did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let at_send = served(&lb);
    let sending_on = (0..2).find(|&i| at_send[i] > before[i]).unwrap();
    let stop = format!("bcstop:{}", preview_id(&tg, "First news"));
    tg.press_button(&admin, preview.message_id.unwrap(), &stop);
    wait_for_bot(&tg, 1, |t| t.contains("Broadcast stopped after")).await;
    let after = served(&lb);
    assert!(
        after[1 - sending_on] > at_send[1 - sending_on],
        "Stop went to the other replica: {before:?} {at_send:?} {after:?}"
    );
    let got: usize = recipients
        .iter()
        .filter(|&&u| received(&tg, u, "First news") > 0)
        .count();
    assert!(got < recipients.len(), "stopped before the end: {got}");
    assert!(recipients
        .iter()
        .all(|&u| received(&tg, u, "First news") <= 1));

    // The sender dies mid-broadcast; both replicas restart.
    tg.send_text(&admin, "/broadcast Second news");
    wait_for_bot(&tg, 1, |t| t.contains("Second news")).await;
    let preview = tg
        .transcript(1)
        .into_iter()
        .rev()
        .find(|e| e.text.as_deref().is_some_and(|t| t.contains("Second news")))
        .unwrap();
    tg.press_button(
        &admin,
        preview.message_id.unwrap(),
        &preview.buttons[0][0].1,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while recipients
        .iter()
        .filter(|&&u| received(&tg, u, "Second news") > 0)
        .count()
        < 8
    {
        assert!(
            Instant::now() < deadline,
            "the second broadcast did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = sender(&db).await.expect("a sender holds the lease");
    let killed = replicas
        .iter()
        .position(|r| r.child.id() == pid)
        .expect("the sender is one of the replicas");
    for i in [killed, 1 - killed] {
        replicas[i].child.kill().unwrap();
        replicas[i].child.wait().unwrap();
    }
    let at_kill = recipients
        .iter()
        .filter(|&&u| received(&tg, u, "Second news") > 0)
        .count();
    assert!(at_kill < recipients.len(), "killed before the end");
    replicas = [start("a", ports[0]), start("b", ports[1])];
    for r in &mut replicas {
        r.listening().await;
    }
    // The dead sender's lease runs out, and one of the new processes goes on.
    let deadline = Instant::now() + Duration::from_secs(90);
    while recipients
        .iter()
        .any(|&u| received(&tg, u, "Second news") == 0)
    {
        assert!(
            Instant::now() < deadline,
            "not resumed: {} of {} reached",
            recipients
                .iter()
                .filter(|&&u| received(&tg, u, "Second news") > 0)
                .count(),
            recipients.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_for_bot(&tg, 1, |t| t.contains("Broadcast finished")).await;
    let twice: Vec<i64> = recipients
        .iter()
        .copied()
        .filter(|&u| received(&tg, u, "Second news") == 2)
        .collect();
    assert!(
        recipients
            .iter()
            .all(|&u| received(&tg, u, "Second news") <= 2),
        "none more than twice"
    );
    assert!(twice.len() <= 1, "only the one in flight twice: {twice:?}");
    eprintln!("broadcast: stopped after {got}; killed after {at_kill}; twice: {twice:?}");
}

/// The id of the broadcast whose preview says `text`, from its Send button.
fn preview_id(tg: &FakeTelegram, text: &str) -> u64 {
    let preview = tg
        .transcript(1)
        .into_iter()
        .find(|e| e.text.as_deref().is_some_and(|t| t.contains(text)) && !e.buttons.is_empty())
        .expect("a preview");
    preview.buttons[0][0]
        .1
        .trim_start_matches("bcgo:")
        .parse()
        .unwrap()
}
