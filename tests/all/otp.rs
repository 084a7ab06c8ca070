//! The OTP monitor over real HTTP: the fake SMS provider in each protocol,
//! the real extractor plugin, the store; end to end through the bot too.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use numbot_core::{
    AuditAction, AuditLog, Clock, Coordination, Finish, NumberStore, ReuseRule, StoreConfig,
    WatchRecord,
};
use numbot_otp::{
    CompleteOn, Delivery, JsonConfig, Notifier, OtpEvent, OtpMonitor, ProviderConfig,
    ProviderError, SmsConfig,
};
use numbot_store_file::{FileStore, LocalCoordination};
use numbot_store_mongo::{MongoCoordination, MongoStore};
use numbot_telegram::render_event;
use numbot_testing::{
    fake_sms::{self, FakeSms, Mode},
    fake_telegram::TestUser,
};

use crate::support::{shared_plugins, uae_csv, BotHarness, UploadExt, ADMIN, REPLY};

/// Collects what the monitor says, as the bot would write it.
#[derive(Default)]
struct Recorder {
    users: Mutex<Vec<(i64, String)>>,
    admins: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Notifier for Recorder {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        let text = render_event(numbot_telegram::Lang::EN, &event);
        match event {
            OtpEvent::Message { user, .. } | OtpEvent::LeaseEnded { user, .. } => {
                self.users.lock().unwrap().push((user, text));
            }
            OtpEvent::ProviderDown { .. } | OtpEvent::ProviderRecovered { .. } => {
                self.admins.lock().unwrap().push(text);
            }
        }
        Delivery::Delivered
    }
}

pub(crate) fn config(provider: &str, fake: &FakeSms) -> SmsConfig {
    let mut c = SmsConfig::new(match provider {
        "json" => {
            let mut c = JsonConfig::new(
                &format!("{}/api/messages?since={{since}}", fake.url()),
                fake_sms::TOKEN,
            );
            c.messages = "data.messages".into();
            c.id = "id".into();
            ProviderConfig::Json(c)
        }
        "twilio" => ProviderConfig::Twilio {
            url: fake.url(),
            account: fake_sms::ACCOUNT.into(),
            token: fake_sms::TOKEN.into(),
        },
        _ => ProviderConfig::SmsActivate {
            url: fake.url(),
            token: fake_sms::TOKEN.into(),
        },
    });
    c.timeout_ms = 300;
    c.poll_interval_ms = 20;
    c
}

fn store_in(dir: &std::path::Path, reuse: ReuseRule, clock: Option<Clock>) -> FileStore {
    let mut c = StoreConfig::new(dir);
    c.reuse = reuse;
    c.lease_secs = 600;
    if let Some(clock) = clock {
        c.clock = clock;
    }
    FileStore::open(c, shared_plugins()).unwrap()
}

fn monitor(store: &FileStore, sms: &SmsConfig, recorder: &Arc<Recorder>) -> OtpMonitor {
    OtpMonitor::new(
        Arc::new(store.clone()),
        Arc::new(LocalCoordination::open(store.dir()).unwrap()),
        shared_plugins(),
        sms.build().unwrap(),
        recorder.clone(),
        Duration::from_millis(20),
    )
    .with_rules(sms.rules())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_protocol_relays_the_code_once_and_completes_the_use() {
    // `complete_on = "first_code"`; the default (Done) has a test of its own.
    for protocol in ["json", "twilio", "sms-activate"] {
        let fake = FakeSms::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path(), ReuseRule::default(), None);
        store
            .upload("n.csv", Arc::new(uae_csv(0, 3)), "UAE", 1, None)
            .await
            .unwrap();
        let a = store.claim("UAE", 100).unwrap();
        let recorder = Arc::new(Recorder::default());
        let mut sms = config(protocol, &fake);
        sms.complete_on = CompleteOn::FirstCode;
        let m = monitor(&store, &sms, &recorder);
        assert_eq!(
            m.tick().await.unwrap().relayed,
            0,
            "{protocol}: nothing yet"
        );
        assert_eq!(m.watching(), 1);

        fake.deliver(
            &a.number,
            "Google",
            "G-482913 is your Google verification code. Don't share it.",
        );
        fake.deliver("+971509999999", "Google", "Your code is 111111");
        let tick = m.tick().await.unwrap();
        assert_eq!(tick.relayed, 1, "{protocol}");
        let said = recorder.users.lock().unwrap().clone();
        assert_eq!(said.len(), 1);
        assert_eq!(said[0].0, 100);
        assert!(
            said[0].1.contains("<code>482913</code>"),
            "{protocol}: {said:?}"
        );
        assert_eq!(
            store.holding(100).unwrap(),
            None,
            "{protocol}: the use is complete"
        );
        assert_eq!(
            m.tick().await.unwrap().relayed,
            0,
            "{protocol}: never twice"
        );
        assert_eq!(recorder.users.lock().unwrap().len(), 1);
        if protocol == "sms-activate" {
            assert_eq!(
                fake.activation_status(a.number.trim_start_matches('+'))
                    .as_deref(),
                Some("6")
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batching_providers_ask_once_per_poll_for_every_watch() {
    let fake = FakeSms::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), ReuseRule::default(), None);
    store
        .upload("n.csv", Arc::new(uae_csv(0, 40)), "UAE", 1, None)
        .await
        .unwrap();
    for user in 0..40 {
        store.claim("UAE", user).unwrap();
    }
    let recorder = Arc::new(Recorder::default());
    for (protocol, per_poll) in [("twilio", 1), ("json", 1), ("sms-activate", 1)] {
        let m = monitor(&store, &config(protocol, &fake), &recorder);
        let before = fake.requests();
        assert_eq!(m.tick().await.unwrap().watched, 40);
        assert_eq!(fake.requests() - before, per_poll, "{protocol}");
    }
    // An SMS-Activate service without the list of active activations: one
    // `BAD_ACTION`, then `getStatus` per activation.
    fake.set_activation_list(false);
    let m = monitor(&store, &config("sms-activate", &fake), &recorder);
    let before = fake.requests();
    m.tick().await.unwrap();
    assert_eq!(fake.requests() - before, 41);
    let before = fake.requests();
    m.tick().await.unwrap();
    assert_eq!(fake.requests() - before, 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_activate_keys_activations_by_id_and_never_hands_codes_on() {
    let fake = FakeSms::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // One number, handed to the next user as soon as it is free.
    let store = store_in(dir.path(), ReuseRule::Unlimited, None);
    store
        .upload("n.csv", Arc::new(uae_csv(0, 1)), "UAE", 1, None)
        .await
        .unwrap();
    let a = store.claim("UAE", 100).unwrap();
    fake.activate(&[&a.number]);
    let first = fake.activation_id(&a.number).unwrap();
    assert_ne!(first, a.number.trim_start_matches('+'), "an id of its own");
    let recorder = Arc::new(Recorder::default());
    let mut sms = config("sms-activate", &fake);
    sms.complete_on = CompleteOn::FirstCode;
    let m = monitor(&store, &sms, &recorder);
    let before = fake.requests();
    m.tick().await.unwrap();

    fake.deliver(
        &a.number,
        "Google",
        "G-482913 is your Google verification code.",
    );
    assert_eq!(m.tick().await.unwrap().relayed, 1);
    assert_eq!(store.holding(100).unwrap(), None, "the code completed it");
    // Two polls and the completion: one request each.
    assert_eq!(fake.requests() - before, 3);
    let digits = a.number.trim_start_matches('+');
    assert_eq!(fake.activation_status(digits).as_deref(), Some("6"));
    let second = fake.activation_id(&a.number).unwrap();
    assert_ne!(second, first, "the service's next activation of the number");

    // The next holder of the number never gets the first holder's code.
    let b = store.claim("UAE", 200).unwrap();
    assert_eq!(b.number, a.number);
    assert_eq!(m.tick().await.unwrap().relayed, 0);
    assert_eq!(m.tick().await.unwrap().relayed, 0);
    // Messages stamped in the second the number changed hands are nobody's:
    // the next one comes a second later.
    crate::support::next_second().await;
    fake.deliver(&b.number, "Uber", "Your Uber code is 5577");
    assert_eq!(m.tick().await.unwrap().relayed, 1);
    let said = recorder.users.lock().unwrap().clone();
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!(said[1].0, 200);
    assert!(said[1].1.contains("<code>5577</code>"), "{said:?}");
    assert!(!said[1].1.contains("482913"), "{said:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_down_slow_or_answering_garbage_alerts_admins_once() {
    let cases = [
        (Mode::Down, "HTTP 503"),
        (Mode::Slow(Duration::from_secs(2)), "unreachable"),
        (Mode::Garbage, "not JSON"),
        (Mode::Oversized, "a body over 16 MiB"),
    ];
    for protocol in ["twilio", "json", "sms-activate"] {
        for (mode, what) in cases {
            let what = match (protocol, mode) {
                ("sms-activate", Mode::Garbage) => "unexpected answer",
                (_, Mode::Oversized) => "unexpected answer: a body over 16 MiB",
                _ => what,
            };
            let fake = FakeSms::start().await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            let store = store_in(dir.path(), ReuseRule::default(), None);
            store
                .upload("n.csv", Arc::new(uae_csv(0, 3)), "UAE", 1, None)
                .await
                .unwrap();
            let a = store.claim("UAE", 100).unwrap();
            let recorder = Arc::new(Recorder::default());
            let m = monitor(&store, &config(protocol, &fake), &recorder);
            fake.set_mode(mode);
            for _ in 0..6 {
                let e = m.tick().await.unwrap_err();
                assert!(e.to_string().contains(what), "{protocol} {mode:?}: {e}");
                if mode == Mode::Down {
                    assert!(matches!(e, ProviderError::Status { status: 503, .. }));
                }
            }
            let alerts = recorder.admins.lock().unwrap().clone();
            assert_eq!(alerts.len(), 1, "one alert, not one per poll: {alerts:?}");
            assert!(alerts[0].contains("keeps failing"));

            // Recovery: one message, and the code that waited is relayed.
            fake.set_mode(Mode::Normal);
            fake.deliver(
                &a.number,
                "Bank",
                "Your one-time code is 5521. Never share it.",
            );
            assert_eq!(m.tick().await.unwrap().relayed, 1);
            let alerts = recorder.admins.lock().unwrap().clone();
            assert_eq!(alerts.len(), 2);
            assert!(
                alerts[1].contains("answers again after 6 failed polls"),
                "{alerts:?}"
            );
            assert!(
                recorder.users.lock().unwrap()[0]
                    .1
                    .contains("<code>5521</code>"),
                "{protocol}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_resume_after_a_restart() {
    let fake = FakeSms::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let number = {
        let store = store_in(dir.path(), ReuseRule::default(), None);
        store
            .upload("n.csv", Arc::new(uae_csv(0, 3)), "UAE", 1, None)
            .await
            .unwrap();
        let a = store.claim("UAE", 100).unwrap();
        let recorder = Arc::new(Recorder::default());
        let m = monitor(&store, &config("json", &fake), &recorder);
        m.tick().await.unwrap();
        a.number
    };
    // A message without a code is relayed, once, even across a restart.
    fake.deliver(&number, "Shop", "Your parcel is on its way.");
    {
        let store = store_in(dir.path(), ReuseRule::default(), None);
        let recorder = Arc::new(Recorder::default());
        let m = monitor(&store, &config("json", &fake), &recorder);
        assert_eq!(m.tick().await.unwrap().relayed, 1);
        assert!(recorder.users.lock().unwrap()[0]
            .1
            .contains("no code found"));
    }
    // The process is gone; the SMS arrives meanwhile; a new one starts.
    fake.deliver(
        &number,
        "WhatsApp",
        "Your WhatsApp code: 804-112. Don't share this code.",
    );
    let store = store_in(dir.path(), ReuseRule::default(), None);
    let recorder = Arc::new(Recorder::default());
    let m = monitor(&store, &config("json", &fake), &recorder);
    assert_eq!(
        m.tick().await.unwrap().relayed,
        1,
        "the code only, not the parcel again"
    );
    let said = recorder.users.lock().unwrap().clone();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].1.contains("<code>804112</code>"), "{said:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_ends_the_watch_and_tells_the_user() {
    let fake = FakeSms::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let start = chrono::Utc::now().timestamp() as u32;
    let (clock, hand) = Clock::manual(start);
    let store = store_in(dir.path(), ReuseRule::default(), Some(clock));
    store
        .upload("n.csv", Arc::new(uae_csv(0, 3)), "UAE", 1, None)
        .await
        .unwrap();
    let a = store.claim("UAE", 100).unwrap();
    let recorder = Arc::new(Recorder::default());
    let m = monitor(&store, &config("sms-activate", &fake), &recorder);
    m.tick().await.unwrap();
    assert_eq!(m.watching(), 1);
    hand.store(start + 601, std::sync::atomic::Ordering::Relaxed);
    let tick = m.tick().await.unwrap();
    assert_eq!((tick.expired, tick.watched, m.watching()), (1, 0, 0));
    let said = recorder.users.lock().unwrap().clone();
    assert_eq!(said.len(), 1);
    assert!(said[0].1.contains("No code reached"), "{said:?}");
    assert_eq!(store.holding(100).unwrap(), None);
    assert_eq!(
        fake.activation_status(a.number.trim_start_matches('+'))
            .as_deref(),
        Some("8"),
        "the provider is told the activation ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_cancels_while_a_message_is_in_flight_never_gets_it() {
    let fake = FakeSms::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), ReuseRule::Unlimited, None);
    store
        .upload("n.csv", Arc::new(uae_csv(0, 1)), "UAE", 1, None)
        .await
        .unwrap();
    let a = store.claim("UAE", 100).unwrap();
    let recorder = Arc::new(Recorder::default());
    let m = monitor(&store, &config("twilio", &fake), &recorder);
    m.tick().await.unwrap();
    fake.deliver(&a.number, "Uber", "Your Uber code is 3141");
    store.end(a.id, Finish::Cancel).unwrap();
    // The same number goes to the next user at once (unlimited reuse).
    let b = store.claim("UAE", 200).unwrap();
    assert_eq!(b.number, a.number);
    m.tick().await.unwrap();
    m.tick().await.unwrap();
    assert!(
        recorder.users.lock().unwrap().is_empty(),
        "neither the one who cancelled nor the next holder gets it"
    );
    // The next holder's own code, a moment later, is theirs.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    fake.deliver(&b.number, "Uber", "Your Uber code is 2718");
    assert_eq!(m.tick().await.unwrap().relayed, 1);
    let said = recorder.users.lock().unwrap().clone();
    assert_eq!(said.len(), 1);
    assert_eq!(said[0].0, 200);
    assert!(said[0].1.contains("<code>2718</code>"), "{said:?}");
    assert!(
        store.holding(200).unwrap().is_some(),
        "B's use goes on until Done"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_without_a_code_is_relayed_once_and_the_watch_goes_on() {
    for protocol in ["json", "twilio"] {
        let fake = FakeSms::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path(), ReuseRule::default(), None);
        store
            .upload("n.csv", Arc::new(uae_csv(0, 1)), "UAE", 1, None)
            .await
            .unwrap();
        let a = store.claim("UAE", 100).unwrap();
        let recorder = Arc::new(Recorder::default());
        let m = monitor(&store, &config(protocol, &fake), &recorder);
        m.tick().await.unwrap();
        fake.deliver(&a.number, "Shop", "Your parcel is on its way.");
        assert_eq!(m.tick().await.unwrap().relayed, 1, "{protocol}");
        assert_eq!(
            m.tick().await.unwrap().relayed,
            0,
            "{protocol}: never twice"
        );
        assert!(
            store.holding(100).unwrap().is_some(),
            "{protocol}: still waiting for a code"
        );
        let long = format!("Your code is 4242. {}", "x".repeat(5000));
        fake.deliver(&a.number, "Shop", &long);
        assert_eq!(m.tick().await.unwrap().relayed, 1, "{protocol}");
        let said = recorder.users.lock().unwrap().clone();
        assert!(
            said[1].1.contains("<code>4242</code>") && said[1].1.chars().count() < 3200,
            "{protocol}: a long SMS is cut"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_relays_the_code_to_the_user_over_telegram() {
    let fake = FakeSms::start().await.unwrap();
    let sms = config("twilio", &fake);
    let h = BotHarness::start(|c| c.sms = Some(sms.clone())).await;
    let admin = TestUser::new(ADMIN);
    h.upload(&admin, "n.csv", uae_csv(0, 3), Some("UAE Mobile"))
        .await;
    let user = TestUser::new(100);
    let list = h.say(&user, "/countries").await;
    let got = h
        .press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    assert!(
        got.text
            .as_deref()
            .unwrap_or_default()
            .contains("messages to it are sent here"),
        "{got:?}"
    );
    let number = h.store.holding(100).unwrap().unwrap().number;
    fake.deliver(
        &number,
        "Telegram",
        "Telegram code: 72915\n\nYou can also tap on this link to log in.",
    );
    let code =
        h.tg.wait_for(100, REPLY, |e| {
            e.text.as_deref().is_some_and(|t| t.contains("Code for"))
        })
        .await
        .expect("the code reaches the user");
    assert!(code.text.as_deref().unwrap().contains("<code>72915</code>"));
    // The use goes on (more codes may come) until the holder presses Done,
    // which the relayed message offers.
    let held = h.store.holding(100).unwrap().expect("the use goes on");
    assert_eq!(
        code.buttons,
        vec![vec![("Done".to_string(), format!("dn:{}", held.id))]]
    );
    fake.deliver(&number, "Telegram", "Telegram code: 11832");
    let second =
        h.tg.wait_for(100, REPLY, |e| {
            e.text.as_deref().is_some_and(|t| t.contains("11832"))
        })
        .await
        .expect("a second code reaches the holder too");
    let toast = h.toast(&user, second.message_id.unwrap(), "dn").await;
    assert_eq!(
        toast.as_deref(),
        Some(format!("Done with {number}.").as_str())
    );
    assert_eq!(h.store.holding(100).unwrap(), None, "Done ends the use");
    let done = h.users.recent_audit(5).await.unwrap();
    assert!(
        done.iter()
            .any(|e| e.actor == 100 && e.action == AuditAction::Done),
        "{done:?}"
    );
}

/// Two processes on one MongoDB pool, each with its monitor running, on one
/// manual clock.
struct TwoMonitors {
    fake: FakeSms,
    clock: Arc<std::sync::atomic::AtomicU32>,
    stores: Vec<Arc<MongoStore>>,
    coordinations: Vec<Arc<MongoCoordination>>,
    recorders: [Arc<Recorder>; 2],
    monitors: Vec<Arc<OtpMonitor>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    _dirs: [tempfile::TempDir; 2],
}

impl TwoMonitors {
    async fn start(lease_secs: u32) -> TwoMonitors {
        let server = crate::support::MongoServer::get();
        let database = server.fresh_database();
        let fake = FakeSms::start().await.unwrap();
        let real_now = chrono::Utc::now().timestamp() as u32;
        let (clock, cell) = Clock::manual(real_now);
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let (mut stores, mut coordinations) = (Vec::new(), Vec::new());
        for dir in &dirs {
            let db = numbot_store_mongo::connect(&server.uri(), &database)
                .await
                .unwrap();
            let mut c = StoreConfig::new(dir.path());
            c.clock = clock.clone();
            c.lease_secs = lease_secs;
            stores.push(Arc::new(
                MongoStore::open(&db, &c, shared_plugins()).await.unwrap(),
            ));
            coordinations.push(MongoCoordination::open(&db, clock.clone()).await.unwrap());
        }
        stores[0]
            .upload("n.csv", Arc::new(uae_csv(0, 3)), "UAE", 1, None)
            .await
            .unwrap();
        let recorders = [Arc::new(Recorder::default()), Arc::new(Recorder::default())];
        let mut sms = config("twilio", &fake);
        // The last step checks that the code, relayed after the takeover,
        // completes the use.
        sms.complete_on = CompleteOn::FirstCode;
        let mut tasks = Vec::new();
        let mut monitors = Vec::new();
        for (i, store) in stores.iter().enumerate() {
            let m = Arc::new(
                OtpMonitor::new(
                    store.clone(),
                    coordinations[i].clone(),
                    shared_plugins(),
                    sms.build().unwrap(),
                    recorders[i].clone(),
                    Duration::from_millis(20),
                )
                .with_rules(sms.rules()),
            );
            monitors.push(m.clone());
            tasks.push(tokio::spawn(m.run()));
        }
        TwoMonitors {
            fake,
            clock: cell,
            stores,
            coordinations,
            recorders,
            monitors,
            tasks,
            _dirs: dirs,
        }
    }

    /// What process `i`'s monitor told users.
    fn said(&self, i: usize) -> Vec<(i64, String)> {
        self.recorders[i].users.lock().unwrap().clone()
    }

    /// Kills process `i`'s monitor, then lets the clock pass `secs`.
    async fn kill(&mut self, i: usize, secs: u32) {
        self.tasks[i].abort();
        let _ = (&mut self.tasks[i]).await;
        self.clock
            .fetch_add(secs, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Drop for TwoMonitors {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Waits (15 s at most) until `f` holds.
fn wait_until(what: &str, f: &dyn Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Two processes' monitors on one MongoDB pool: one polls at a time, a
/// message is relayed once, and when the polling one dies the other takes
/// over at the end of its lease without relaying anything again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitors_on_one_mongodb_pool_take_turns_and_relay_once() {
    let mut m = TwoMonitors::start(20 * 60).await;
    let a = m.stores[0].claim("UAE", 100).await.unwrap();

    m.fake
        .deliver(&a.number, "Shop", "Your parcel is on its way.");
    wait_until("the first relay", &|| {
        m.said(0).len() + m.said(1).len() == 1
    });
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        m.said(0).len() + m.said(1).len(),
        1,
        "relayed once, by one monitor"
    );
    let leader = if m.said(0).len() == 1 { 0 } else { 1 };
    let follower = 1 - leader;

    // The polling process dies; its lease runs out; the other takes over.
    m.kill(leader, 16).await;
    m.fake.deliver(&a.number, "Shop", "Your code is 4242");
    wait_until("the takeover relay", &|| !m.said(follower).is_empty());
    tokio::time::sleep(Duration::from_millis(600)).await;
    let after = m.said(follower);
    assert_eq!(
        after.len(),
        1,
        "the earlier message is not relayed again: {after:?}"
    );
    assert!(after[0].1.contains("<code>4242</code>"), "{after:?}");
    assert_eq!(m.said(leader).len(), 1);
    assert_eq!(
        m.stores[follower].holding(100).await.unwrap(),
        None,
        "the use completed"
    );
}

/// A number's lease that runs out while no monitor leads (the leader died,
/// its lease not yet over) is announced by the one taking over, once: the
/// leader's watches are kept in the pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_takeover_announces_the_leases_that_ran_out_meanwhile() {
    let mut m = TwoMonitors::start(30).await;
    let a = m.stores[0].claim("UAE", 101).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let leader = loop {
        let recorded = m.coordinations[0].watches().await.unwrap();
        // The leader is the one watching; its watch is in the pool.
        if let (Some(i), [w]) = (
            m.monitors.iter().position(|x| x.watching() == 1),
            &recorded[..],
        ) {
            assert_eq!((w.user, &w.number), (101, &a.number));
            break i;
        }
        assert!(tokio::time::Instant::now() < deadline, "nobody watches");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let follower = 1 - leader;
    assert_eq!(m.monitors[follower].watching(), 0, "one leader");
    // A record whose removal was lost long ago, for the same user: the one
    // taking over drops it without a word.
    let lost = WatchRecord {
        id: numbot_core::UseId(999_999),
        user: 101,
        number: "971500000999".into(),
        since: 1,
        until: 2,
    };
    m.coordinations[0].add_watches(&[lost]).await.unwrap();
    // The leader dies; the number's lease and the monitor's both run out
    // before the other process takes over.
    m.kill(leader, 31 + 16).await;
    wait_until("the expiry is announced", &|| !m.said(follower).is_empty());
    tokio::time::sleep(Duration::from_millis(600)).await;
    let told = m.said(follower);
    assert_eq!(told.len(), 1, "announced once: {told:?}");
    assert_eq!(told[0].0, 101);
    assert!(told[0].1.contains("before its time ran out"), "{told:?}");
    assert!(told[0].1.contains(&a.number), "{told:?}");
    assert!(m.said(leader).is_empty());
    assert!(
        m.coordinations[0].watches().await.unwrap().is_empty(),
        "the ended watch and the lost record are removed"
    );
}

/// A forged message (anyone can text a pool number) is relayed marked and
/// ends nothing; the real code after it is relayed and, under
/// `first_code`, completes the use. Under the default (`done`), codes
/// never end the use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_message_is_marked_and_ends_nothing() {
    for complete_on in [CompleteOn::FirstCode, CompleteOn::Done] {
        let fake = FakeSms::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path(), ReuseRule::default(), None);
        store
            .upload("n.csv", Arc::new(uae_csv(0, 2)), "UAE", 1, None)
            .await
            .unwrap();
        let a = store.claim("UAE", 100).unwrap();
        let recorder = Arc::new(Recorder::default());
        let mut sms = config("twilio", &fake);
        sms.complete_on = complete_on;
        sms.senders
            .insert("UAE".into(), vec!["Google".into(), "Acme*".into()]);
        let m = monitor(&store, &sms, &recorder);
        m.tick().await.unwrap();

        fake.deliver(&a.number, "+971555000111", "Your code is 1234");
        assert_eq!(m.tick().await.unwrap().relayed, 1);
        let said = recorder.users.lock().unwrap().clone();
        assert!(
            said[0].1.contains("unexpected sender (+971555000111)"),
            "{said:?}"
        );
        assert!(
            said[0].1.contains("<code>1234</code>"),
            "shown, marked: {said:?}"
        );
        assert!(
            store.holding(100).unwrap().is_some(),
            "a forged code ends nothing"
        );

        fake.deliver(
            &a.number,
            "Google",
            "G-771902 is your Google verification code.",
        );
        assert_eq!(m.tick().await.unwrap().relayed, 1);
        let said = recorder.users.lock().unwrap().clone();
        assert!(said[1].1.contains("<code>771902</code>"), "{said:?}");
        assert!(!said[1].1.contains("unexpected"), "{said:?}");
        let held = store.holding(100).unwrap();
        match complete_on {
            CompleteOn::FirstCode => assert_eq!(held, None, "the real code completes it"),
            CompleteOn::Done => {
                assert!(held.is_some(), "the holder ends it with Done");
                assert!(said[1].1.contains("Press Done"), "{said:?}");
            }
        }
    }
}

/// Answers every relay as told, then accepts.
struct Scripted {
    answers: Mutex<Vec<Delivery>>,
    tried: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Notifier for Scripted {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        if let OtpEvent::Message { text, .. } = &event {
            self.tried.lock().unwrap().push(text.clone());
        }
        let mut answers = self.answers.lock().unwrap();
        if answers.is_empty() {
            Delivery::Delivered
        } else {
            answers.remove(0)
        }
    }
}

/// A relay counts only when the front end accepted it: a transient failure
/// is tried again at the next poll, nothing completes meanwhile; a refusal
/// for good (the bot blocked) ends the watch and gives the number back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_counts_only_when_it_was_accepted() {
    let fake = FakeSms::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), ReuseRule::default(), None);
    store
        .upload("n.csv", Arc::new(uae_csv(0, 2)), "UAE", 1, None)
        .await
        .unwrap();
    let a = store.claim("UAE", 100).unwrap();
    let b = store.claim("UAE", 200).unwrap();
    let notifier = Arc::new(Scripted {
        answers: Mutex::new(vec![Delivery::Retry, Delivery::Retry]),
        tried: Mutex::default(),
    });
    let mut sms = config("twilio", &fake);
    sms.complete_on = CompleteOn::FirstCode;
    let m = OtpMonitor::new(
        Arc::new(store.clone()),
        Arc::new(LocalCoordination::open(store.dir()).unwrap()),
        shared_plugins(),
        sms.build().unwrap(),
        notifier.clone(),
        Duration::from_millis(20),
    )
    .with_rules(sms.rules());
    m.tick().await.unwrap();
    fake.deliver(&a.number, "Google", "Your code is 5150");
    assert_eq!(m.tick().await.unwrap().relayed, 0, "refused for now");
    assert!(store.holding(100).unwrap().is_some(), "nothing completes");
    assert_eq!(m.tick().await.unwrap().relayed, 0, "refused again");
    assert_eq!(
        m.tick().await.unwrap().relayed,
        1,
        "the next poll delivers it"
    );
    assert_eq!(
        notifier.tried.lock().unwrap().len(),
        3,
        "the same message, three tries"
    );
    assert_eq!(store.holding(100).unwrap(), None, "then it completes");

    notifier
        .answers
        .lock()
        .unwrap()
        .push(Delivery::Refused("bot was blocked by the user".into()));
    fake.deliver(&b.number, "Google", "Your code is 6160");
    assert_eq!(m.tick().await.unwrap().relayed, 0);
    assert_eq!(store.holding(200).unwrap(), None, "the number went back");
    assert_eq!(m.watching(), 0, "and the watch ended");
    assert_eq!(m.tick().await.unwrap().relayed, 0, "never tried again");
    assert_eq!(notifier.tried.lock().unwrap().len(), 4);
}
