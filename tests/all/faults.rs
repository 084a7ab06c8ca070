//! Faults the reliability table lists that no other module covers: one
//! user's racing presses, a full disk, the MongoDB-wire server killed and
//! restarted, Bot API storms through the real binary, SIGKILL mid-upload.

use std::time::Duration;

use numbot_testing::fake_telegram::{Entry, TestUser};

use crate::support::{uae_csv, BotHarness, ADMIN};

fn text(e: &Entry) -> &str {
    e.text.as_deref().unwrap_or_default()
}

/// The pool's figures for one category add up, and at most one number is
/// held.
fn pool_is_whole(h: &BotHarness, category: &str, total: u64) -> u64 {
    let stats = h.store.stats().unwrap();
    let u = &stats.categories[category];
    assert_eq!(u.total, total);
    assert_eq!(
        u.available + u.assigned + u.cooling + u.retired,
        total,
        "every number is in exactly one state: {u:?}"
    );
    u.assigned
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_users_racing_change_cancel_and_done_presses_keep_the_pool_whole() {
    let h = BotHarness::start(|c| {
        c.limits.numbers_per_window = 1_000;
        c.limits.updates_per_minute = 1_000;
    })
    .await;
    let reply = h
        .upload(
            &TestUser::new(ADMIN),
            "n.csv",
            uae_csv(0, 40),
            Some("UAE Mobile"),
        )
        .await;
    assert!(text(&reply).contains("Imported 40"), "{reply:?}");
    let user = TestUser::new(100);
    for round in 0..5 {
        let list = h.say(&user, "/countries").await;
        let got = h
            .press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
            .await;
        assert!(text(&got).contains("<code>+971"), "round {round}: {got:?}");
        let message = got.message_id.unwrap();
        let answered = h.tg.calls("answerCallbackQuery");
        // Twelve presses on one message at once, in every order.
        let presses = [
            "chg", "cxl", "dn", "chg", "chg", "dn", "cxl", "chg", "dn", "chg", "cxl", "chg",
        ];
        for i in 0..presses.len() {
            h.tg.press_button(&user, message, presses[(i + round) % presses.len()]);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while h.tg.calls("answerCallbackQuery") < answered + presses.len() as u64 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "every press is answered"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let held = pool_is_whole(&h, "UAE Mobile", 40);
        let holding = h.store.holding(100).unwrap();
        assert_eq!(held, u64::from(holding.is_some()), "round {round}");
        let all = h.store.assignments().unwrap();
        assert!(all.len() <= 1, "one number per user: {all:?}");
        // Whatever the order, the user ends holding nothing or one number,
        // and gives it back before the next round.
        if holding.is_some() {
            let cancelled = h.press(&user, message, "cxl").await;
            assert!(text(&cancelled).contains("Released"), "{cancelled:?}");
        }
        assert_eq!(pool_is_whole(&h, "UAE Mobile", 40), 0);
    }
    let transcript = h.tg.transcript(100);
    assert!(
        transcript.iter().all(|e| !text(e).contains("went wrong")),
        "no press failed: {transcript:?}"
    );
}

/// A small tmpfs mounted for one test (root only): a disk that really fills.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "numbot-full",
            ])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Writes a filler file until the disk is full.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 << 10];
        loop {
            if let Err(e) = file.write_all(&block).and_then(|()| file.sync_data()) {
                assert_eq!(e.raw_os_error(), Some(28), "ENOSPC: {e}");
                break;
            }
        }
        // Byte by byte: the last page too.
        while file.write_all(&[0]).and_then(|()| file.sync_data()).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_claims_and_uploads_and_recovers() {
    use numbot_core::{NumberStore, StoreConfig};
    use numbot_store_file::FileStore;

    use crate::support::{shared_plugins, UploadExt};

    // Whether it ran is written where `scripts/test.sh` prints it at the end:
    // a skip is never silent.
    let said = |what: &str| {
        println!("full-disk test: {what}");
        let _ = std::fs::write(crate::support::target().join("full-disk-test.txt"), what);
    };
    let Some(disk) = SmallDisk::mount("4m") else {
        said("SKIPPED: mounting a small tmpfs needs root (CI runs as root)");
        return;
    };
    let data = disk.path().join("data");
    let open = || FileStore::open(StoreConfig::new(&data), shared_plugins()).unwrap();
    let store = open();
    store
        .upload(
            "a.csv",
            std::sync::Arc::new(uae_csv(0, 500)),
            "UAE",
            1,
            None,
        )
        .await
        .unwrap();
    let mut held = std::collections::BTreeMap::new();
    for user in 1..=20 {
        held.insert(
            user,
            NumberStore::claim(&store, "UAE", user)
                .await
                .unwrap()
                .number,
        );
    }

    let filler = disk.fill();
    // The journal's last page may still take a few records; then claims
    // are refused with the reason, and nothing refused is held.
    let mut user = 100;
    let refusal = loop {
        match NumberStore::claim(&store, "UAE", user).await {
            Ok(a) => {
                held.insert(user, a.number);
                user += 1;
                assert!(user < 1_000, "claims never refused on a full disk");
            }
            Err(e) => break e.to_string(),
        }
    };
    assert!(refusal.contains("No space left on device"), "{refusal}");
    let refused_user = user;
    let upload = store
        .upload(
            "b.csv",
            std::sync::Arc::new(uae_csv(1_000, 500)),
            "UAE",
            1,
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(upload.contains("No space left on device"), "{upload}");
    // Still full: still refused, and nothing half-written.
    assert!(NumberStore::claim(&store, "UAE", refused_user)
        .await
        .is_err());

    // Space returns: the same store works again, nothing reopened.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(
        NumberStore::holding(&store, refused_user).await.unwrap(),
        None,
        "the refused claim holds nothing"
    );
    for (user, number) in &held {
        assert_eq!(
            &NumberStore::holding(&store, *user)
                .await
                .unwrap()
                .unwrap()
                .number,
            number
        );
    }
    held.insert(
        refused_user,
        NumberStore::claim(&store, "UAE", refused_user)
            .await
            .unwrap()
            .number,
    );
    let report = store
        .upload(
            "b.csv",
            std::sync::Arc::new(uae_csv(1_000, 500)),
            "UAE",
            1,
            None,
        )
        .await
        .unwrap();
    assert_eq!(report.accepted, 500);
    let files: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    assert_eq!(files.len(), 2, "the refused upload left no file: {files:?}");

    // After a restart: every acknowledged claim, no number twice.
    drop(store);
    let store = open();
    let all = NumberStore::assignments(&store).await.unwrap();
    assert_eq!(all.len(), held.len());
    for a in &all {
        assert_eq!(held[&a.user], a.number);
    }
    let distinct: std::collections::HashSet<_> = all.iter().map(|a| &a.number).collect();
    assert_eq!(distinct.len(), all.len());
    assert_eq!(
        NumberStore::stats(&store).await.unwrap().categories["UAE"].total,
        1_000
    );
    said("ran: a full 4 MiB tmpfs refused claims and the upload, and the store recovered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mongodb_server_killed_and_restarted_during_claims_loses_nothing() {
    use std::{
        collections::{HashMap, HashSet},
        sync::{
            atomic::{AtomicBool, Ordering},
            Arc, Mutex,
        },
    };

    use numbot_core::{NumberStore, StoreConfig};
    use numbot_store_mongo::{connect, MongoStore};
    use numbot_testing::secantus::Secantus;

    use crate::support::{free_port, shared_plugins, target, UploadExt};

    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("db");
    let log = target().join(format!("secantusd-restart-{}.log", std::process::id()));
    let port = free_port();
    let first = Secantus::start_at(&log, port, Some(&storage));
    let db = connect(&first.uri(), "restart").await.unwrap();
    let store = MongoStore::open(&db, &StoreConfig::new(dir.path()), shared_plugins())
        .await
        .unwrap();
    store
        .upload("n.csv", Arc::new(uae_csv(0, 2_000)), "UAE", 1, None)
        .await
        .unwrap();

    // Claimers go on through the outage; each keeps what was acknowledged.
    let acknowledged = Arc::new(Mutex::new(HashMap::new()));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let claimers: Vec<_> = (0..4)
        .map(|c| {
            let (store, acknowledged, errors, stop) = (
                store.clone(),
                acknowledged.clone(),
                errors.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut user = 1_000 * (c + 1);
                while !stop.load(Ordering::Relaxed) {
                    match NumberStore::claim(&store, "UAE", user).await {
                        Ok(a) => {
                            acknowledged.lock().unwrap().insert(user, a.number);
                        }
                        Err(e) => {
                            errors.lock().unwrap().push(e.to_string());
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    user += 1;
                }
            })
        })
        .collect();
    let count = || acknowledged.lock().unwrap().len();
    let wait_for = |n: usize| async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        while count() < n {
            assert!(
                tokio::time::Instant::now() < deadline,
                "claims stalled at {}",
                count()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    wait_for(40).await;
    first.kill();
    let before_restart = count();
    // Longer than the driver's 10 s server selection: claims are refused.
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert!(
        count() <= before_restart + 4,
        "nothing is acknowledged while the server is down"
    );
    let second =
        tokio::task::spawn_blocking(move || Secantus::start_at(&log, port, Some(&storage)))
            .await
            .unwrap();
    wait_for(before_restart + 40).await;
    stop.store(true, Ordering::Relaxed);
    for c in claimers {
        c.await.unwrap();
    }

    // The driver waits for the server (up to its selection timeout) and
    // retries: a claim in the outage either waits or is refused cleanly.
    let errors = errors.lock().unwrap().clone();
    assert!(!errors.is_empty(), "claims were refused in the outage");
    for e in &errors {
        assert!(e.contains("MongoDB") || e.contains("database"), "{e}");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let held = NumberStore::assignments(&store).await.unwrap();
    let by_user: HashMap<i64, String> = held.iter().map(|a| (a.user, a.number.clone())).collect();
    for (user, number) in &acknowledged {
        assert_eq!(
            by_user.get(user),
            Some(number),
            "acknowledged claim of {user} lost"
        );
    }
    let distinct: HashSet<&String> = held.iter().map(|a| &a.number).collect();
    assert_eq!(distinct.len(), held.len(), "no number held twice");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_api_429_and_500_storms_through_the_real_binary_lose_no_reply() {
    use numbot_testing::fake_telegram::FakeTelegram;

    use crate::shutdown::{config, Run};

    let dir = tempfile::tempdir().unwrap();
    let tg = FakeTelegram::start().await.unwrap();
    let config = config(dir.path(), &tg, "polling", 0);
    let mut run = Run::start(dir.path(), &config);
    run.running().await;
    let replies = |user: i64| {
        tg.transcript(user)
            .iter()
            .filter(|e| e.from == "bot")
            .count()
    };
    let all_answered = |users: std::ops::Range<i64>| {
        let run = &run;
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
            while users.clone().any(|u| replies(u) == 0) {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "unanswered after the storm: {}",
                    run.log()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    // Every Bot API call refused with 429 (retry after 1 s), 30 times;
    // then the replies failing with 500, 12 times; then getUpdates failing
    // with 500 (teloxide waits 10 s before polling again).
    for (storm, users) in [
        ("429", 100..110),
        ("500 on replies", 200..210),
        ("500 on getUpdates", 300..305),
    ] {
        match storm {
            "429" => tg.throttle(30, 1),
            "500 on replies" => tg.fail(12, Some("sendMessage")),
            _ => tg.fail(1, Some("getUpdates")),
        }
        for user in users.clone() {
            tg.send_text(&TestUser::new(user), "/start");
        }
        all_answered(users.clone()).await;
        for user in users {
            assert_eq!(replies(user), 1, "{storm}: one reply, not lost, not twice");
        }
    }
    assert!(
        tg.calls("sendmessage") >= 25 + 12,
        "the refused calls were made again"
    );
    assert!(run.log().contains("Telegram failed"), "{}", run.log());
    let mut run = run;
    let (status, _) = run.stop_with("TERM").await;
    assert!(status.success(), "{status}: {}", run.log());
}

/// The crash generator (`claim-loop`) claims, uploads and compacts at once
/// and is killed with SIGKILL at random moments: after each restart every
/// acknowledged claim and upload is there, no number is held twice, and an
/// upload cut short left no file behind.
#[test]
fn sigkill_during_claims_uploads_and_compaction_loses_nothing() {
    use std::{
        collections::HashMap,
        process::{Command, Stdio},
    };

    use numbot_core::StoreConfig;
    use numbot_store_file::FileStore;

    use crate::{
        store::Uploads,
        support::{cache, defaults, shared_plugins},
    };

    let dir = tempfile::tempdir().unwrap();
    let open = || FileStore::open(StoreConfig::new(dir.path()), shared_plugins()).unwrap();
    open()
        .upload("crash.csv", &uae_csv(0, 60_000), "Crash", 1, None)
        .unwrap();
    let mut rng = crate::store::numbot_test_rng(11);
    let mut uploaded: HashMap<String, u64> = HashMap::new();
    let (mut acked_total, mut compactions) = (0, 0);
    for round in 0..10i64 {
        let child = Command::new(crate::support::binary("claim-loop"))
            .args(["--category", "Crash", "--threads", "4"])
            .args(["--first-user", &(round * 1_000_000).to_string()])
            .args(["--upload-every-ms", "15", "--compact-every", "200"])
            .args(["--data-dir", dir.path().to_str().unwrap()])
            .args(["--plugin-dir", defaults().to_str().unwrap()])
            .env("NUMBOT_CACHE_DIR", cache())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = crate::support::kill_while_running(child, Duration::from_millis(rng() % 500));
        let mut acked = Vec::new();
        for line in &lines {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["ACK", user, number] => {
                    acked.push((user.parse::<i64>().unwrap(), number.to_string()))
                }
                ["UPLOADED", name, count] => {
                    uploaded.insert(name.to_string(), count.parse().unwrap());
                }
                _ => {}
            }
        }
        acked_total += acked.len();

        let store = open();
        crate::support::assert_claims_survived(&store, &acked, round);
        let files: HashMap<String, u64> = store
            .stats()
            .unwrap()
            .files
            .into_iter()
            .map(|f| (f.name, f.usage.total))
            .collect();
        for (name, count) in &uploaded {
            assert_eq!(
                files.get(name),
                Some(count),
                "round {round}: upload {name} lost"
            );
        }
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if let Some(stem) = name
                .strip_suffix(".csv")
                .or_else(|| name.strip_suffix(".numbers"))
            {
                assert!(
                    files.contains_key(&format!("{stem}.csv")),
                    "round {round}: {name} was left by an unfinished upload"
                );
            }
        }
        compactions += usize::from(dir.path().join("snapshot.bin").exists());
    }
    assert!(acked_total > 100, "only {acked_total} claims acknowledged");
    assert!(
        uploaded.len() > 10,
        "only {} uploads acknowledged",
        uploaded.len()
    );
    assert!(compactions > 0, "no compaction ran");
}

#[test]
fn open_removes_what_an_unfinished_upload_left_and_nothing_else() {
    use numbot_core::StoreConfig;
    use numbot_store_file::FileStore;

    use crate::{store::Uploads, support::shared_plugins};

    let dir = tempfile::tempdir().unwrap();
    let open = || FileStore::open(StoreConfig::new(dir.path()), shared_plugins()).unwrap();
    let report = open()
        .upload("kept.csv", &uae_csv(0, 10), "UAE", 1, None)
        .unwrap();
    // A crash after the `.numbers` file, and another after both files.
    std::fs::write(dir.path().join("UAE_20261201_000000.numbers"), b"x").unwrap();
    std::fs::write(dir.path().join("UAE_20261201_000001.numbers"), b"x").unwrap();
    std::fs::write(dir.path().join("UAE_20261201_000001.csv"), b"Number\n").unwrap();
    // Not numbot's: a CSV with no `.numbers` beside it.
    std::fs::write(dir.path().join("notes.csv"), b"a,b\n").unwrap();
    let store = open();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv") || n.ends_with(".numbers"))
        .collect();
    names.sort();
    let stored = report.file.trim_end_matches(".csv");
    assert_eq!(
        names,
        vec![
            report.file.clone(),
            format!("{stored}.numbers"),
            "notes.csv".to_string()
        ]
    );
    assert_eq!(store.stats().unwrap().files.len(), 1);
}

/// `numbot run` killed with SIGKILL while codes are on their way to a user,
/// then started again, six times: every code reaches the user (a code
/// Telegram took just before the kill may come twice), and the use goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_relays_loses_no_code() {
    use numbot_testing::{
        fake_sms::{self, FakeSms},
        fake_telegram::FakeTelegram,
    };

    use crate::shutdown::{config, Run};

    let dir = tempfile::tempdir().unwrap();
    let tg = FakeTelegram::start().await.unwrap();
    let sms = FakeSms::start().await.unwrap();
    let path = config(dir.path(), &tg, "polling", 0);
    let mut toml = std::fs::read_to_string(&path).unwrap();
    toml.push_str(&format!(
        "\n[sms]\nprovider = \"twilio\"\nurl = \"{}\"\naccount = \"{}\"\ntoken = \"{}\"\npoll_interval_ms = 100\ntimeout_ms = 2000\n",
        sms.url(),
        fake_sms::ACCOUNT,
        fake_sms::TOKEN
    ));
    std::fs::write(&path, toml).unwrap();
    let mut run = Run::start(dir.path(), &path);
    run.running().await;

    let (admin, user) = (TestUser::new(ADMIN), TestUser::new(77));
    tg.send_document(&admin, "n.csv", uae_csv(0, 5), Some("UAE Mobile"));
    let said = |chat: i64, what: String| {
        let tg = &tg;
        async move {
            tg.wait_for(chat, Duration::from_secs(60), |e| {
                e.from == "bot" && text(e).contains(&what)
            })
            .await
            .unwrap_or_else(|| panic!("no {what:?} in {:?}", tg.transcript(chat)))
        }
    };
    said(ADMIN, "Imported 5".into()).await;
    tg.send_text(&user, "/countries");
    let list = said(77, "Pick a category".into()).await;
    tg.press_button(&user, list.message_id.unwrap(), &list.buttons[0][0].1);
    let number = crate::support::number_in(&said(77, "<code>+971".into()).await);

    let mut rng = crate::store::numbot_test_rng(5);
    let codes: Vec<String> = (0..6).map(|i| format!("{}", 271_801 + i * 1_111)).collect();
    for code in &codes {
        sms.deliver(&number, "Acme", &format!("Your Acme code is {code}"));
        tokio::time::sleep(Duration::from_millis(rng() % 400)).await;
        run.kill();
        run = Run::start(dir.path(), &path);
        run.running().await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !tg
            .transcript(77)
            .iter()
            .any(|e| e.from == "bot" && text(e).contains(&format!("<code>{code}</code>")))
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "code {code} lost: {}",
                run.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let transcript = tg.transcript(77);
    for code in &codes {
        let times = transcript
            .iter()
            .filter(|e| e.from == "bot" && text(e).contains(&format!("<code>{code}</code>")))
            .count();
        assert!((1..=2).contains(&times), "{code} relayed {times} times");
    }
    // The use goes on: the number is still the user's.
    tg.send_text(&user, "/stats");
    said(77, format!("Holding <code>{number}</code>")).await;
}

/// A TCP proxy in front of the MongoDB-wire server that closes a
/// connection once it has carried nothing for `idle`, as load balancers
/// and NAT gateways do.
async fn idle_dropping_proxy(upstream: u16, idle: Duration) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                else {
                    return;
                };
                let (mut a, mut b) = ([0u8; 16 * 1024], [0u8; 16 * 1024]);
                loop {
                    let carried = tokio::time::timeout(idle, async {
                        tokio::select! {
                            n = client.read(&mut a) => match n {
                                Ok(n) if n > 0 => server.write_all(&a[..n]).await.is_ok(),
                                _ => false,
                            },
                            n = server.read(&mut b) => match n {
                                Ok(n) if n > 0 => client.write_all(&b[..n]).await.is_ok(),
                                _ => false,
                            },
                        }
                    })
                    .await;
                    if carried != Ok(true) {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// A connection the network dropped while it sat idle in the driver's pool
/// is not reused: with an idle limit below the network's, the first write
/// after a quiet spell succeeds. Without one, that write fails, which is
/// what a replica saw after five quiet minutes behind SecantusDB's own
/// idle timeout. (numbot's default limit is checked in `numbot-store-mongo`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_while_idle_is_not_reused() {
    use numbot_core::{NumberStore, StoreConfig};
    let server = crate::support::MongoServer::get();
    let upstream: u16 = server
        .uri()
        .trim_start_matches("mongodb://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let proxy = idle_dropping_proxy(upstream, Duration::from_millis(1_500)).await;
    let dir = tempfile::tempdir().unwrap();
    let database = server.fresh_database();
    let quiet_spell = |options: &'static str| {
        let (dir, database) = (dir.path().to_owned(), database.clone());
        async move {
            // The driver's monitor checks the server twice a second, so
            // only the pool's connections go quiet long enough to be dropped.
            let uri = format!(
                "mongodb://127.0.0.1:{proxy}/?directConnection=true&heartbeatFrequencyMS=500{options}"
            );
            let db = numbot_store_mongo::connect(&uri, &database).await.unwrap();
            let pool = numbot_store_mongo::MongoStore::open(
                &db,
                &StoreConfig::new(&dir),
                crate::support::shared_plugins(),
            )
            .await
            .unwrap();
            pool.assignments().await.unwrap();
            tokio::time::sleep(Duration::from_secs(3)).await;
            pool.assignments().await.map(|_| ())
        }
    };
    quiet_spell("&maxIdleTimeMS=500")
        .await
        .expect("a write after a quiet spell, with an idle limit below the network's");
    let err = quiet_spell("&maxIdleTimeMS=600000")
        .await
        .expect_err("without an idle limit, the dropped connection is reused");
    assert!(err.to_string().contains("ending cooldowns"), "{err}");
}
