//! Stopping `numbot run` with a signal, in each mode, through the real
//! binary against the fake Bot API: it exits 0, and in webhook mode it
//! leaves the shared webhook set (only `numbot webhook delete` deletes it).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use numbot_testing::fake_telegram::{FakeTelegram, TestUser};

use crate::support::{binary, cache, defaults, free_port};

/// Writes a configuration for `mode` (`polling`, or `webhook` on `port`).
pub(crate) fn config(dir: &Path, tg: &FakeTelegram, mode: &str, port: u16) -> PathBuf {
    let webhook = if mode == "webhook" {
        format!(
            "[telegram.webhook]\nlisten = \"127.0.0.1:{port}\"\nurl = \"http://127.0.0.1:{port}/webhook\"\nsecret_token = \"stop-test-0123456789abcdef-ABCDEFGHIJ\"\n"
        )
    } else {
        String::new()
    };
    let path = dir.join("numbot.toml");
    std::fs::write(
        &path,
        format!(
            r#"[telegram]
token = "{token}"
api_url = "{api}"
mode = "{mode}"
throttle = false

{webhook}
[access]
mode = "open"
admins = [1]

[store]
data_dir = "{data}"

[plugins]
dirs = ["{plugins}"]
cache_dir = "{cache}"
"#,
            token = tg.token(),
            api = tg.api_url(),
            data = dir.join("data").display(),
            plugins = defaults().display(),
            cache = cache().display(),
        ),
    )
    .unwrap();
    path
}

/// `numbot run` in its own process, its standard error in a file.
pub(crate) struct Run {
    child: Child,
    log: PathBuf,
}

impl Run {
    pub(crate) fn start(dir: &Path, config: &Path) -> Run {
        let log = dir.join("numbot.log");
        let child = Command::new(binary("numbot"))
            .args(["run", "--config"])
            .arg(config)
            .env("NUMBOT_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start numbot run");
        Run { child, log }
    }

    /// Kills it with SIGKILL, as a crash would.
    pub(crate) fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the bot says it runs.
    pub(crate) async fn running(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.log().contains("numbot is running") {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("numbot exited ({status}): {}", self.log());
            }
            assert!(Instant::now() < deadline, "numbot did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends `signal` and waits for the exit; how long it took.
    pub(crate) async fn stop_with(&mut self, signal: &str) -> (ExitStatus, Duration) {
        let sent = Instant::now();
        let killed = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, sent.elapsed());
            }
            assert!(
                sent.elapsed() < Duration::from_secs(30),
                "numbot did not stop: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the bot has answered `user`.
async fn answered(tg: &FakeTelegram, user: &TestUser) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !tg.transcript(user.id).iter().any(|e| e.from == "bot") {
        assert!(Instant::now() < deadline, "the bot did not answer");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_in_webhook_mode_exits_0_and_leaves_the_webhook_set() {
    let dir = tempfile::tempdir().unwrap();
    let tg = FakeTelegram::start().await.unwrap();
    let port = free_port();
    let config = config(dir.path(), &tg, "webhook", port);
    let mut run = Run::start(dir.path(), &config);
    run.running().await;
    let user = TestUser::new(42);
    tg.send_text(&user, "/start");
    answered(&tg, &user).await;

    let (status, _) = run.stop_with("TERM").await;
    assert!(status.success(), "{status}: {}", run.log());
    assert!(run.log().contains("SIGTERM: stopping"), "{}", run.log());
    assert_eq!(
        tg.calls("deletewebhook"),
        0,
        "a replica deleted the webhook"
    );
    let (url, _) = tg.webhook().expect("the webhook is still set");
    assert_eq!(url, format!("http://127.0.0.1:{port}/webhook"));
    // The data directory's lock is released: another process can open it.
    let lock = std::fs::File::open(dir.path().join("data/.lock")).unwrap();
    lock.try_lock().expect("the lock was released");

    // Only the explicit command deletes it.
    let out = Command::new(binary("numbot"))
        .args(["webhook", "delete", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(tg.calls("deletewebhook"), 1);
    assert!(tg.webhook().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sigint_in_polling_mode_exit_0_promptly() {
    for signal in ["TERM", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let tg = FakeTelegram::start().await.unwrap();
        let config = config(dir.path(), &tg, "polling", 0);
        let mut run = Run::start(dir.path(), &config);
        run.running().await;
        let user = TestUser::new(7);
        tg.send_text(&user, "/start");
        answered(&tg, &user).await;

        let (status, took) = run.stop_with(signal).await;
        assert!(status.success(), "SIG{signal}: {status}: {}", run.log());
        assert!(
            run.log().contains(&format!("SIG{signal}: stopping")),
            "{}",
            run.log()
        );
        assert!(
            took < Duration::from_secs(5),
            "SIG{signal} took {took:?} to stop"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_in_flight_when_sigterm_arrives_finishes_first() {
    use numbot_core::StoreConfig;
    use numbot_store_file::FileStore;

    use crate::support::{shared_plugins, uae_csv};

    let dir = tempfile::tempdir().unwrap();
    let tg = FakeTelegram::start().await.unwrap();
    let config = config(dir.path(), &tg, "polling", 0);
    let mut run = Run::start(dir.path(), &config);
    run.running().await;
    // An import long enough to be under way when the signal comes.
    let admin = TestUser::new(1);
    tg.send_document(&admin, "big.csv", uae_csv(0, 300_000), Some("UAE Mobile"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while tg.calls("getfile") == 0 {
        assert!(Instant::now() < deadline, "the bot did not fetch the file");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (status, _) = run.stop_with("TERM").await;
    assert!(status.success(), "{status}: {}", run.log());
    let replies: Vec<String> = tg
        .transcript(1)
        .into_iter()
        .filter(|e| e.from == "bot")
        .filter_map(|e| e.text)
        .collect();
    assert!(
        replies
            .iter()
            .any(|t| t.contains("Imported 300,000") || t.contains("Imported 300000")),
        "the admin was told: {replies:?}"
    );
    let store =
        FileStore::open(StoreConfig::new(dir.path().join("data")), shared_plugins()).unwrap();
    let stats = store.stats().unwrap();
    assert_eq!(stats.categories["UAE Mobile"].total, 300_000);
}
