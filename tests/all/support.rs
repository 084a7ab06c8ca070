//! Shared test support: where the built plugins are, shared hosts, log capture.

use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
};

use numbot::{compose::Backends, config::Config};
use numbot_core::{NumberStore, SharedPlugins, StoreError, Upload, UploadReport};
use numbot_plugin_host::{AnyPlugin, PluginEngine, PluginHost, PluginHostConfig, PluginRunner};
use numbot_store_file::{FileStore, FileUsers, LocalCoordination};
use numbot_testing::{
    fake_telegram::{Entry, FakeTelegram, TestUser},
    secantus::Secantus,
};

/// The workspace's target directory.
pub fn target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
}

/// A binary of the workspace (`numbot`, `claim-loop`), from the profile
/// directory of this test binary. `scripts/test.sh` builds them first
/// (`cargo build --workspace --bins --tests`: the same features as the
/// tests, so nothing is built twice).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/all-<hash>: the binaries are in target/<profile>.
    let path = exe
        .parent()
        .and_then(Path::parent)
        .expect("the profile directory")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins --tests` before the tests",
        path.display()
    );
    path
}

fn built(dir: &str) -> PathBuf {
    let path = target().join(dir);
    assert!(
        path.is_dir(),
        "{} is missing: run `cargo build-plugins` before the tests",
        path.display()
    );
    path
}

/// The default plugins.
pub fn defaults() -> PathBuf {
    built("plugins")
}

/// The example plugins.
pub fn examples() -> PathBuf {
    built("plugins-examples")
}

/// The hostile fixtures.
pub fn fixtures() -> PathBuf {
    built("plugins-fixtures")
}

/// A compiled cache shared by the tests, so that each component compiles once per run.
pub fn cache() -> PathBuf {
    target().join("test-plugin-cache")
}

/// A host with the default and example plugins, shared by read-only tests.
pub fn shared_host() -> Arc<PluginHost> {
    static HOST: OnceLock<Arc<PluginHost>> = OnceLock::new();
    HOST.get_or_init(|| host(vec![defaults(), examples()]))
        .clone()
}

/// A host on the given directories; panics if any file fails to load.
pub fn host(dirs: Vec<PathBuf>) -> Arc<PluginHost> {
    let host = PluginHost::start(PluginHostConfig {
        dirs,
        cache_dir: Some(cache()),
        ..Default::default()
    })
    .expect("start the plugin host");
    assert!(
        host.load_errors().is_empty(),
        "load errors: {:?}",
        host.load_errors()
    );
    host
}

/// The shared host's plugins as the stores and front ends call them.
pub fn shared_plugins() -> SharedPlugins {
    static PLUGINS: OnceLock<SharedPlugins> = OnceLock::new();
    PLUGINS
        .get_or_init(|| PluginRunner::new(shared_host()))
        .clone()
}

/// An engine for loading single plugins.
pub fn engine() -> PluginEngine {
    static ENGINE: OnceLock<PluginEngine> = OnceLock::new();
    ENGINE
        .get_or_init(|| PluginEngine::new(Some(cache())).expect("engine"))
        .clone()
}

/// Loads one built plugin file.
pub fn load(dir: &Path, name: &str) -> AnyPlugin {
    engine()
        .load(&dir.join(format!("{name}.wasm")), &[])
        .unwrap_or_else(|e| panic!("load {name}: {e}"))
}

/// Copies `<name>.wasm` and `<name>.toml` from `from` into `to` as `<as_name>.*`.
pub fn copy_plugin(from: &Path, name: &str, to: &Path, as_name: &str) {
    for ext in ["wasm", "toml"] {
        let tmp = to.join(format!(".{as_name}.{ext}.tmp"));
        std::fs::copy(from.join(format!("{name}.{ext}")), &tmp).expect("copy plugin");
        std::fs::rename(&tmp, to.join(format!("{as_name}.{ext}"))).expect("rename plugin");
    }
}

/// Collects what `tracing` prints while `f` runs on this thread.
pub fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let result = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    (result, text)
}

/// A bot on a fake Telegram server and a temporary data directory.
pub struct BotHarness {
    /// The fake Bot API server.
    pub tg: FakeTelegram,
    /// The bot's store, to check what it did.
    pub store: FileStore,
    /// The bot's user records.
    pub users: Arc<FileUsers>,
    /// The bot, its monitor and its API.
    pub service: numbot::compose::Service,
    _dir: tempfile::TempDir,
}

/// The admin of every harness.
pub const ADMIN: i64 = 1;

/// How long a test waits for a reply.
pub const REPLY: std::time::Duration = std::time::Duration::from_secs(20);

/// Kills `child` with SIGKILL `delay` after its first line of output (its
/// start, opening the store and loading the plugins, takes longer on a
/// loaded machine than a random window would) and returns every complete
/// line it printed.
pub fn kill_while_running(
    mut child: std::process::Child,
    delay: std::time::Duration,
) -> Vec<String> {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("the child's stdout is piped");
    let (started, first_line) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut started = Some(started);
        let mut lines = Vec::new();
        let mut r = std::io::BufReader::new(stdout);
        let mut line = String::new();
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            if line.ends_with('\n') {
                lines.push(line.trim().to_string());
                if let Some(tx) = started.take() {
                    let _ = tx.send(());
                }
            }
            line.clear();
        }
        lines
    });
    let _ = first_line.recv_timeout(std::time::Duration::from_secs(60));
    std::thread::sleep(delay);
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap()
}

/// A store reopened after a crash of round `round`: every acknowledged
/// claim (user, number) is held by its user, and no number is held twice.
pub fn assert_claims_survived(store: &FileStore, acked: &[(i64, String)], round: i64) {
    let holds: std::collections::HashMap<i64, String> = store
        .assignments()
        .unwrap()
        .into_iter()
        .map(|a| (a.user, a.number))
        .collect();
    for (user, number) in acked {
        assert_eq!(
            holds.get(user),
            Some(number),
            "round {round}: acknowledged claim of user {user} lost"
        );
    }
    let distinct: std::collections::HashSet<&String> = holds.values().collect();
    assert_eq!(
        distinct.len(),
        holds.len(),
        "round {round}: a number is held twice"
    );
}

/// The number in a "Your number" message: the first `<code>` of it.
pub fn number_in(e: &Entry) -> String {
    let t = e.text.as_deref().unwrap_or_default();
    let start = t.find("<code>").expect("a number in <code>") + 6;
    let end = t[start..].find("</code>").unwrap() + start;
    t[start..end].to_string()
}

/// `n` valid UAE mobile numbers as a CSV with a `Number` header.
pub fn uae_csv(first: u64, n: u64) -> Vec<u8> {
    let mut csv = String::from("Number\n");
    for i in first..first + n {
        csv.push_str(&format!("97150{i:07}\n"));
    }
    csv.into_bytes()
}

/// `uae_csv` with a `Range` column naming `category` on every row, as
/// number sellers' exports name it.
pub fn ranged_csv(category: &str, first: u64, n: u64) -> Vec<u8> {
    let mut csv = String::from("Range,Number\n");
    for i in first..first + n {
        csv.push_str(&format!("{category},97150{i:07}\n"));
    }
    csv.into_bytes()
}

/// The file store, the user records and the coordination of `config`'s
/// data directory, with the shared plugins.
pub fn file_backends(config: &Config) -> (FileStore, Arc<FileUsers>, Backends) {
    let dir = &config.store.data_dir;
    let store = FileStore::open(config.store.store_config(), shared_plugins()).unwrap();
    let users = Arc::new(FileUsers::open(dir).unwrap());
    let backends = Backends {
        store: Arc::new(store.clone()),
        records: numbot_core::Records::all(users.clone()),
        coordination: Arc::new(LocalCoordination::open(dir).unwrap()),
        inbox: Arc::new(numbot_core::inbox::MemoryInbox::default()),
    };
    (store, users, backends)
}

impl BotHarness {
    /// Starts a bot with `ADMIN` as its admin and `tweak` applied to the config.
    pub async fn start(tweak: impl FnOnce(&mut Config)) -> BotHarness {
        BotHarness::start_with(shared_plugins(), tweak).await
    }

    /// [`BotHarness::start`] on `plugins`.
    pub async fn start_with(plugins: SharedPlugins, tweak: impl FnOnce(&mut Config)) -> BotHarness {
        let tg = FakeTelegram::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.telegram.token = tg.token().to_string();
        config.telegram.api_url = tg.api_url();
        config.access.admins = vec![ADMIN];
        config.store.data_dir = dir.path().join("data");
        tweak(&mut config);
        let config = config.checked().expect("a valid test configuration");
        let (store, users, backends) = file_backends(&config);
        let service = numbot::compose::serve(&config, backends, plugins)
            .await
            .expect("the bot starts");
        BotHarness {
            tg,
            store,
            users,
            service,
            _dir: dir,
        }
    }

    /// Bot entries of `chat` after its first `from` entries, once `done` holds for them.
    pub async fn bot_entries(
        &self,
        chat: i64,
        from: usize,
        done: impl Fn(&[Entry]) -> bool,
    ) -> Vec<Entry> {
        let deadline = tokio::time::Instant::now() + REPLY;
        loop {
            let entries: Vec<_> = self
                .tg
                .transcript(chat)
                .into_iter()
                .skip(from)
                .filter(|e| e.from == "bot")
                .collect();
            if done(&entries) {
                return entries;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no reply in chat {chat}; transcript: {:#?}",
                self.tg.transcript(chat)
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Sends `text` as `user`; the bot's first reply.
    pub async fn say(&self, user: &TestUser, text: &str) -> Entry {
        let from = self.tg.transcript(user.id).len();
        self.tg.send_text(user, text);
        self.bot_entries(user.id, from, |e| !e.is_empty())
            .await
            .remove(0)
    }

    /// Sends a document as `user`; the bot's first reply.
    pub async fn upload(
        &self,
        user: &TestUser,
        name: &str,
        bytes: Vec<u8>,
        caption: Option<&str>,
    ) -> Entry {
        let from = self.tg.transcript(user.id).len();
        self.tg.send_document(user, name, bytes, caption);
        self.bot_entries(user.id, from, |e| !e.is_empty())
            .await
            .remove(0)
    }

    /// Presses a button as `user`; the bot's first message or edit after it.
    pub async fn press(&self, user: &TestUser, message_id: i64, data: &str) -> Entry {
        let from = self.tg.transcript(user.id).len();
        self.tg.press_button(user, message_id, data);
        self.bot_entries(user.id, from, |e| !e.is_empty())
            .await
            .remove(0)
    }

    /// Presses a button as `user` and waits for the bot's answer to the
    /// press: the toast text, if any.
    pub async fn toast(&self, user: &TestUser, message_id: i64, data: &str) -> Option<String> {
        // This press's answer, not a late one to an earlier press: a press
        // returns at the bot's edit, which may come before its answer.
        let query = FakeTelegram::callback_query_id(self.tg.press_button(user, message_id, data));
        let deadline = tokio::time::Instant::now() + REPLY;
        loop {
            if let Some(p) = self.tg.last_params("answerCallbackQuery") {
                if p["callback_query_id"].as_str() == Some(query.as_str()) {
                    return p["text"].as_str().map(str::to_string);
                }
            }
            assert!(tokio::time::Instant::now() < deadline, "no callback answer");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// The callback data of the button labelled `label` in `entry`.
    pub fn button(entry: &Entry, label: &str) -> String {
        entry
            .buttons
            .iter()
            .flatten()
            .find(|(text, _)| text == label)
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", entry.buttons))
            .1
            .clone()
    }
}

/// The Python with the tests' packages: `NUMBOT_PYTHON`, else the
/// workspace's `.venv` (`scripts/test.sh` makes it).
pub fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("NUMBOT_PYTHON") {
        return path.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        venv.exists(),
        "NUMBOT_PYTHON is not set and {} does not exist: scripts/test.sh creates it",
        venv.display()
    );
    venv
}

/// A real MongoDB-wire server (SecantusDB from PyPI, installed by
/// `scripts/test.sh` into `.venv`), one per test binary: each test takes
/// its own database. The server stops when the test binary exits (its
/// keeper shell sees stdin close).
pub struct MongoServer {
    _server: Secantus,
    uri: String,
}

impl MongoServer {
    /// The server of this test binary, started on first use.
    pub fn get() -> &'static MongoServer {
        static SERVER: OnceLock<MongoServer> = OnceLock::new();
        SERVER.get_or_init(|| {
            let log = format!("secantusd-{}.log", std::process::id());
            let server = Secantus::start(&target().join(log));
            MongoServer {
                uri: server.uri(),
                _server: server,
            }
        })
    }

    /// The connection string.
    pub fn uri(&self) -> String {
        self.uri.clone()
    }

    /// A database name no other test uses.
    pub fn fresh_database(&self) -> String {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        )
    }
}

/// An HTTP load balancer in front of bot replicas, as a deployment puts one
/// in front of webhook replicas: each request goes to the next backend in
/// turn, and to the one after when a backend does not accept connections.
pub struct LoadBalancer {
    /// Where Telegram (the fake) posts.
    pub addr: std::net::SocketAddr,
    /// Requests each backend answered.
    pub served: Arc<Vec<std::sync::atomic::AtomicUsize>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl LoadBalancer {
    /// Starts on an ephemeral port in front of `backends`.
    pub async fn start(backends: Vec<std::net::SocketAddr>) -> LoadBalancer {
        use axum::{body::Bytes, extract::State, http::HeaderMap, response::IntoResponse};
        use std::sync::atomic::{AtomicUsize, Ordering};
        struct Shared {
            backends: Vec<std::net::SocketAddr>,
            next: AtomicUsize,
            served: Arc<Vec<AtomicUsize>>,
            client: reqwest::Client,
        }
        async fn forward(
            State(s): State<Arc<Shared>>,
            uri: axum::http::Uri,
            headers: HeaderMap,
            body: Bytes,
        ) -> axum::response::Response {
            let first = s.next.fetch_add(1, Ordering::Relaxed);
            for k in 0..s.backends.len() {
                let i = (first + k) % s.backends.len();
                let mut request = s
                    .client
                    .post(format!("http://{}{}", s.backends[i], uri.path()))
                    .body(body.clone());
                for (name, value) in &headers {
                    if name != "host" && name != "content-length" {
                        request = request.header(name, value);
                    }
                }
                match request.send().await {
                    Ok(r) => {
                        s.served[i].fetch_add(1, Ordering::Relaxed);
                        let status = axum::http::StatusCode::from_u16(r.status().as_u16())
                            .unwrap_or(axum::http::StatusCode::BAD_GATEWAY);
                        return (status, r.bytes().await.unwrap_or_default()).into_response();
                    }
                    Err(_) => continue,
                }
            }
            axum::http::StatusCode::BAD_GATEWAY.into_response()
        }
        let served = Arc::new((0..backends.len()).map(|_| AtomicUsize::new(0)).collect());
        let shared = Arc::new(Shared {
            backends,
            next: AtomicUsize::new(0),
            served: Arc::clone(&served),
            client: reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_millis(500))
                .build()
                .unwrap(),
        });
        let app = axum::Router::new().fallback(forward).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        LoadBalancer {
            addr,
            served,
            _stop: stop,
        }
    }
}

/// A free port on 127.0.0.1 (for a child process to listen on).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Uploads through the same use case the front ends call (the shared
/// plugins read the file), on any pool.
#[async_trait::async_trait]
pub trait UploadExt {
    /// Imports `bytes` as `name` into `category` for `admin`.
    async fn upload(
        &self,
        name: &str,
        bytes: Arc<Vec<u8>>,
        category: &str,
        admin: i64,
        country: Option<String>,
    ) -> Result<UploadReport, StoreError>;
}

#[async_trait::async_trait]
impl<T: NumberStore + ?Sized> UploadExt for T {
    async fn upload(
        &self,
        name: &str,
        bytes: Arc<Vec<u8>>,
        category: &str,
        admin: i64,
        country: Option<String>,
    ) -> Result<UploadReport, StoreError> {
        let upload = Upload {
            file_name: name.to_string(),
            bytes,
            category: category.to_string(),
            admin,
            default_country: country,
        };
        numbot_core::upload::import(&*shared_plugins(), self, upload).await
    }
}

/// One replica of a deployment on MongoDB without Telegram: the pool, the
/// records, the OTP monitor (leading or not) and the API.
pub struct ApiReplica {
    /// The pool as this replica sees it.
    pub store: numbot_core::Store,
    /// The use cases, as the replica's front ends call them.
    pub numbers: Arc<numbot_core::Numbers>,
    api: numbot_api::RunningApi,
    _monitor: numbot::compose::Monitor,
    _dir: tempfile::TempDir,
}

/// Drops every event that is not an API client's message.
struct Nobody;

#[async_trait::async_trait]
impl numbot_otp::Notifier for Nobody {
    async fn notify(&self, _: numbot_otp::OtpEvent) -> numbot_otp::Delivery {
        numbot_otp::Delivery::Delivered
    }
}

impl ApiReplica {
    /// A replica on `database` at `uri`, its monitor polling `sms`.
    pub async fn start(
        uri: &str,
        database: &str,
        sms: &numbot_testing::fake_sms::FakeSms,
    ) -> ApiReplica {
        let api = numbot_api::ApiConfig::new("127.0.0.1:0".parse().unwrap());
        ApiReplica::start_with(uri, database, sms, &api).await
    }

    /// [`ApiReplica::start`] with the API's configuration `api`.
    pub async fn start_with(
        uri: &str,
        database: &str,
        sms: &numbot_testing::fake_sms::FakeSms,
        api: &numbot_api::ApiConfig,
    ) -> ApiReplica {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.store.data_dir = dir.path().to_path_buf();
        config.store.mongodb_uri = Some(uri.to_string());
        config.store.mongodb_database = database.to_string();
        let plugins = shared_plugins();
        let backends = numbot::compose::open_backends(
            &config.store,
            config.store.store_config(),
            plugins.clone(),
        )
        .await
        .unwrap();
        let mut sms_config = numbot_otp::SmsConfig::new(numbot_otp::ProviderConfig::Twilio {
            url: sms.url(),
            account: numbot_testing::fake_sms::ACCOUNT.into(),
            token: numbot_testing::fake_sms::TOKEN.into(),
        });
        sms_config.poll_interval_ms = 20;
        let numbers = numbot::compose::use_cases(
            &backends,
            plugins.clone(),
            config.limits.numbers(),
            None,
            Vec::new(),
        );
        let notifier = Arc::new(numbot_api::ApiNotifier::new(
            numbers.clone(),
            Arc::new(Nobody),
        ));
        let monitor = numbot::compose::start_monitor(
            &sms_config,
            &backends,
            plugins,
            notifier,
            Arc::default(),
        )
        .unwrap();
        let api = numbot::compose::start_api(api, numbers.clone(), Some(monitor.status.clone()))
            .await
            .unwrap();
        ApiReplica {
            store: backends.store,
            numbers,
            api,
            _monitor: monitor,
            _dir: dir,
        }
    }

    /// The API's base URL.
    pub fn base(&self) -> String {
        format!("http://{}", self.api.addr)
    }
}

/// Sleeps into the next second of the clock: messages and uses are stamped
/// in whole seconds, and some steps must not share one with the last.
pub async fn next_second() {
    let into_second = chrono::Utc::now().timestamp_subsec_millis();
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(
        1_050 - into_second.min(1_000),
    )))
    .await;
}
