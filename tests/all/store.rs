//! The file store: uploads, exclusive claims, lifecycle and reuse rules,
//! delete, restart, the lock, and crashes.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    process::{Command, Stdio},
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use numbot_core::{
    upload::prepare, Clock, Finish, ReuseRule, SharedPlugins, StoreConfig, StoreError, UploadReport,
};
use numbot_plugin_host::PluginRunner;
use numbot_store_file::{FileStore, PossiblyUsed};

use crate::support::{cache, defaults, host};

fn plugins() -> SharedPlugins {
    static PLUGINS: std::sync::OnceLock<SharedPlugins> = std::sync::OnceLock::new();
    PLUGINS
        .get_or_init(|| PluginRunner::new(host(vec![defaults()])))
        .clone()
}

/// Uploads as the blocking API's callers do: the plugins read the file,
/// then the store imports it on this thread.
pub(crate) trait Uploads {
    fn upload(
        &self,
        name: &str,
        bytes: &[u8],
        category: &str,
        admin: i64,
        country: Option<&str>,
    ) -> Result<UploadReport, StoreError>;
}

impl Uploads for FileStore {
    fn upload(
        &self,
        name: &str,
        bytes: &[u8],
        category: &str,
        admin: i64,
        country: Option<&str>,
    ) -> Result<UploadReport, StoreError> {
        static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        let runtime = RUNTIME.get_or_init(|| tokio::runtime::Runtime::new().unwrap());
        let upload = numbot_core::Upload {
            file_name: name.to_string(),
            bytes: Arc::new(bytes.to_vec()),
            category: category.to_string(),
            admin,
            default_country: country.map(str::to_string),
        };
        let prepared = runtime.block_on(prepare(&*plugins(), upload))?;
        self.import(prepared, bytes)
    }
}

/// The store's calls by holder, as these tests make them: what `user`
/// holds now, ended or changed through its use id.
trait ByHolder {
    fn complete(&self, user: i64) -> Result<(), StoreError>;
    fn cancel(&self, user: i64) -> Result<(), StoreError>;
    fn change_held(&self, user: i64) -> Result<numbot_core::Assignment, StoreError>;
}

impl ByHolder for FileStore {
    fn complete(&self, user: i64) -> Result<(), StoreError> {
        end_held(self, user, Finish::Done)
    }

    fn cancel(&self, user: i64) -> Result<(), StoreError> {
        end_held(self, user, Finish::Cancel)
    }

    fn change_held(&self, user: i64) -> Result<numbot_core::Assignment, StoreError> {
        let held = self.holding(user)?.ok_or(StoreError::NotAssigned(user))?;
        self.change(held.id)
    }
}

fn end_held(store: &FileStore, user: i64, how: Finish) -> Result<(), StoreError> {
    let held = store.holding(user)?.ok_or(StoreError::NotAssigned(user))?;
    store
        .end(held.id, how)?
        .map(drop)
        .ok_or(StoreError::NotAssigned(user))
}

fn open(dir: &Path, clock: &Clock, rule: ReuseRule) -> FileStore {
    let mut config = StoreConfig::new(dir);
    config.clock = clock.clone();
    config.reuse = rule;
    config.lease_secs = 600;
    FileStore::open(config, plugins()).expect("open store")
}

/// `count` valid UK mobile numbers starting at `first`.
fn numbers(first: u32, count: u32) -> Vec<String> {
    (first..first + count)
        .map(|i| format!("+4474{i:08}"))
        .collect()
}

fn csv(numbers: &[String]) -> Vec<u8> {
    let mut out = String::from("number\n");
    for n in numbers {
        out.push_str(n);
        out.push('\n');
    }
    out.into_bytes()
}

#[test]
fn upload_reports_and_keeps_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, _) = Clock::manual(1_790_000_000);
    let store = open(dir.path(), &clock, ReuseRule::default());
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/sample.csv"
    ))
    .unwrap();
    let report = store
        .upload("sample.csv", &sample, "UAE Mobile", 7, None)
        .unwrap();
    assert_eq!(
        report.file,
        "UAE_Mobile_20250922_060000.csv".replace("20250922_060000", &chrono_name(1_790_000_000))
    );
    assert_eq!(report.accepted, 8);
    assert_eq!(report.duplicates_in_file, 1);
    assert_eq!(report.rejected_count, 3);
    let lines: Vec<u32> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [9, 10, 11]);
    assert!(report.rejected[0].reason.contains("formula"));
    // The original bytes are kept under the stored name.
    assert_eq!(
        std::fs::read(dir.path().join(&report.file)).unwrap(),
        sample
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("metadata.json")).unwrap()).unwrap();
    let entry = &meta["files"][&report.file];
    assert_eq!(entry["country_name"], "UAE Mobile");
    assert_eq!(entry["admin_id"], 7);
    assert_eq!(entry["number_count"], 8);
    assert_eq!(entry["usage_count"], 0);
    assert_eq!(entry["rejected"], 3);
    assert_eq!(entry["original_name"], "sample.csv");
    assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);

    // Same second, same category: a distinct name; numbers already pooled are reported.
    let mut mixed = numbers(0, 5);
    mixed.push("+971501234567".into());
    let second = store
        .upload("more.csv", &csv(&mixed), "UAE Mobile", 7, None)
        .unwrap();
    assert_ne!(second.file, report.file);
    assert!(second.file.ends_with("_2.csv"), "{}", second.file);
    assert_eq!((second.accepted, second.duplicates_in_pool), (5, 1));
    match store.upload("again.csv", &sample, "UAE Mobile", 7, None) {
        Err(StoreError::NothingToImport(why)) => {
            assert_eq!(why.to_string(), "all 8 numbers are already in the pool")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.upload("x.csv", &sample, "  ", 7, None),
        Err(StoreError::BadCategory { .. })
    ));
    match store.upload("bad.csv", b"number\nhello\n", "X", 7, None) {
        Err(StoreError::Plugin(e)) => {
            assert!(e.to_string().contains("all 1 rows were rejected"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

fn chrono_name(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap()
        .format("%Y%m%d_%H%M%S")
        .to_string()
}

#[test]
fn categories_match_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &Clock::system(), ReuseRule::default());
    store
        .upload(
            "ne.csv",
            &csv(&["+22793123456".to_string()]),
            "Niger",
            1,
            None,
        )
        .unwrap();
    store
        .upload(
            "ng.csv",
            &csv(&["+2348021234567".to_string()]),
            "Nigeria",
            1,
            None,
        )
        .unwrap();
    for _ in 0..5 {
        let a = store.claim("Niger", 10).unwrap();
        assert_eq!(
            (a.number.as_str(), a.category.as_str()),
            ("+22793123456", "Niger")
        );
        store.cancel(10).unwrap();
    }
    assert!(matches!(
        store.claim("Nige", 10),
        Err(StoreError::NoneAvailable(_))
    ));
    let cats = store.categories().unwrap();
    assert_eq!(cats, [("Niger".to_string(), 1), ("Nigeria".to_string(), 1)]);
}

#[test]
fn concurrent_claimers_never_share_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &Clock::system(), ReuseRule::default());
    store
        .upload("a.csv", &csv(&numbers(0, 600)), "Pool", 1, None)
        .unwrap();
    store
        .upload("b.csv", &csv(&numbers(600, 400)), "Pool", 1, None)
        .unwrap();
    let results: Vec<(i64, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16i64)
            .map(|t| {
                let store = store.clone();
                s.spawn(move || {
                    let mut got = Vec::new();
                    for k in 0..100i64 {
                        let user = t * 1000 + k;
                        match store.claim("Pool", user) {
                            Ok(a) => got.push((user, a.number)),
                            Err(StoreError::NoneAvailable(_)) => break,
                            Err(e) => panic!("{e}"),
                        }
                    }
                    got
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(
        results.len(),
        1000,
        "every number assigned once, then none left"
    );
    let distinct: HashSet<&String> = results.iter().map(|(_, n)| n).collect();
    assert_eq!(distinct.len(), 1000);
    let stats = store.stats().unwrap();
    assert_eq!(
        (
            stats.categories["Pool"].assigned,
            stats.categories["Pool"].available
        ),
        (1000, 0)
    );
    assert_eq!(stats.categories["Pool"].used_percent, 100.0);
}

#[test]
fn reuse_rules() {
    for rule in [
        ReuseRule::Cooldown(3600),
        ReuseRule::Once,
        ReuseRule::Unlimited,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (clock, now) = Clock::manual(1_000_000);
        let store = open(dir.path(), &clock, rule);
        store
            .upload("one.csv", &csv(&numbers(0, 1)), "One", 1, None)
            .unwrap();
        // A cancelled use never counts: the number is back at once.
        store.claim("One", 1).unwrap();
        store.cancel(1).unwrap();
        store.claim("One", 2).unwrap();
        store.complete(2).unwrap();
        let again = store.claim("One", 3);
        match rule {
            ReuseRule::Unlimited => assert!(again.is_ok()),
            _ => assert!(
                matches!(again, Err(StoreError::NoneAvailable(_))),
                "{rule:?}: {again:?}"
            ),
        }
        now.fetch_add(3599, Ordering::Relaxed);
        let later = store.claim("One", 4);
        now.fetch_add(1, Ordering::Relaxed);
        let after = store.claim("One", 5);
        match rule {
            ReuseRule::Cooldown(_) => {
                assert!(later.is_err(), "still cooling");
                assert!(after.is_ok(), "cooldown over: {after:?}");
            }
            ReuseRule::Once => assert!(later.is_err() && after.is_err()),
            // User 3's 600 s lease ran out during the hour: free again.
            ReuseRule::Unlimited => assert!(later.is_ok(), "{later:?}"),
        }
        let stats = store.stats().unwrap();
        let usage = &stats.files[0].usage;
        assert!(usage.used_percent <= 100.0);
        if rule == ReuseRule::Once {
            assert_eq!(usage.retired, 1);
        }
    }
}

#[test]
fn leases_expire_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, now) = Clock::manual(2_000_000);
    let number = {
        let store = open(dir.path(), &clock, ReuseRule::default());
        store
            .upload("l.csv", &csv(&numbers(0, 3)), "Lease", 1, None)
            .unwrap();
        store.claim("Lease", 42).unwrap().number
    };
    // Restart in the middle of the lease: still held.
    now.fetch_add(300, Ordering::Relaxed);
    let store = open(dir.path(), &clock, ReuseRule::default());
    let held = store
        .holding(42)
        .unwrap()
        .expect("lease survives a restart");
    assert_eq!(
        (held.number.as_str(), held.until),
        (number.as_str(), 2_000_600)
    );
    assert!(matches!(
        store.claim("Lease", 42),
        Err(StoreError::AlreadyAssigned { .. })
    ));
    // The lease runs out while the store is down.
    drop(store);
    now.fetch_add(301, Ordering::Relaxed);
    let store = open(dir.path(), &clock, ReuseRule::default());
    assert_eq!(store.holding(42).unwrap(), None);
    assert_eq!(store.stats().unwrap().categories["Lease"].available, 3);
    assert!(matches!(
        store.complete(42),
        Err(StoreError::NotAssigned(42))
    ));
}

#[test]
fn change_number_gives_another_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &Clock::system(), ReuseRule::default());
    store
        .upload("c.csv", &csv(&numbers(0, 2)), "Two", 1, None)
        .unwrap();
    let mut previous = store.claim("Two", 9).unwrap().number;
    for _ in 0..10 {
        let next = store.change_held(9).unwrap().number;
        assert_ne!(next, previous, "change never gives the same number back");
        previous = next;
    }
    // One number held, the other free: user 10 gets it, and then nobody can change.
    store.claim("Two", 10).unwrap();
    assert!(matches!(
        store.change_held(9),
        Err(StoreError::NoneAvailable(_))
    ));
    assert_eq!(
        store.holding(9).unwrap().unwrap().number,
        previous,
        "a failed change keeps the number"
    );
    assert!(matches!(
        store.change_held(11),
        Err(StoreError::NotAssigned(11))
    ));
}

#[test]
fn delete_while_assigned() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, _) = Clock::manual(3_000_000);
    let store = open(dir.path(), &clock, ReuseRule::Unlimited);
    let report = store
        .upload("d.csv", &csv(&numbers(0, 3)), "Del", 1, None)
        .unwrap();
    let held = store.claim("Del", 1).unwrap();
    store.delete_file(&report.file).unwrap();
    assert!(matches!(
        store.claim("Del", 2),
        Err(StoreError::NoneAvailable(_))
    ));
    assert_eq!(
        store.holding(1).unwrap().unwrap().number,
        held.number,
        "the lease goes on"
    );
    store.complete(1).unwrap();
    let files = store.files().unwrap();
    assert!(files[0].meta.deleted && files[0].meta.deleted_at.is_some());
    assert_eq!(
        (files[0].usage.available, files[0].usage.assignments),
        (0, 1)
    );
    assert!(!store.categories().unwrap().iter().any(|(c, _)| c == "Del"));
    // Its numbers may come back in a new upload, and it all survives a restart.
    drop(store);
    let store = open(dir.path(), &clock, ReuseRule::Unlimited);
    assert!(store.files().unwrap()[0].meta.deleted);
    let again = store
        .upload("d2.csv", &csv(&numbers(0, 3)), "Del", 1, None)
        .unwrap();
    assert_eq!(again.accepted, 3);
    assert!(matches!(
        store.delete_file("nope.csv"),
        Err(StoreError::UnknownFile(_))
    ));
}

#[test]
fn one_process_owns_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &Clock::system(), ReuseRule::default());
    match FileStore::open(StoreConfig::new(dir.path()), plugins()) {
        Err(e @ StoreError::Locked { .. }) => {
            assert!(e.to_string().contains("in use by another numbot process"))
        }
        other => panic!("{:?}", other.err()),
    }
    let out = Command::new(crate::support::binary("numbot"))
        .args([
            "files",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--plugin-dir",
            defaults().to_str().unwrap(),
        ])
        .env("NUMBOT_CACHE_DIR", cache())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another numbot process"));
    drop(store);
    FileStore::open(StoreConfig::new(dir.path()), plugins()).expect("free again");
}

#[test]
fn compaction_keeps_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, now) = Clock::manual(4_000_000);
    let mut config = StoreConfig::new(dir.path());
    config.clock = clock.clone();
    config.compact_every = 50;
    config.reuse = ReuseRule::Cooldown(100);
    let store = FileStore::open(config.clone(), plugins()).unwrap();
    store
        .upload("k.csv", &csv(&numbers(0, 40)), "K", 1, None)
        .unwrap();
    for user in 0..120i64 {
        match store.claim("K", user) {
            Ok(_) if user % 3 == 0 => store.complete(user).unwrap(),
            Ok(_) if user % 3 == 1 => store.cancel(user).unwrap(),
            Ok(_) => {}
            Err(StoreError::NoneAvailable(_)) => {}
            Err(e) => panic!("{e}"),
        }
        now.fetch_add(1, Ordering::Relaxed);
    }
    // The compactor runs in the background once the journal passes 50 records.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !dir.path().join("usage_tracking.json").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no automatic compaction"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    store.compact().unwrap();
    let before = (store.stats().unwrap(), store.assignments().unwrap());
    assert!(dir.path().join("snapshot.bin").exists());
    let journals = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("journal.")
        })
        .count();
    assert_eq!(journals, 1, "compacted journals are removed");
    drop(store);
    let store = FileStore::open(config, plugins()).unwrap();
    assert_eq!(
        (store.stats().unwrap(), store.assignments().unwrap()),
        before
    );
    let tracking: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("usage_tracking.json")).unwrap())
            .unwrap();
    let file = tracking.as_object().unwrap().values().next().unwrap();
    assert!(file["numbers"].as_array().unwrap().len() > 10);
}

/// Lifecycle properties: random operations against a model, many seeds,
/// with restarts in between; the store and the model must always agree.
#[test]
fn lifecycle_matches_a_model() {
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum S {
        Free,
        Held(i64, u32),
        Cooling(u32),
        Retired,
    }
    for seed in 0..12u64 {
        let mut rng = numbot_test_rng(seed);
        let rule = [
            ReuseRule::Cooldown(90),
            ReuseRule::Once,
            ReuseRule::Unlimited,
        ][seed as usize % 3];
        let dir = tempfile::tempdir().unwrap();
        let (clock, now) = Clock::manual(5_000_000);
        let mut store = open(dir.path(), &clock, rule);
        let pool = numbers(seed as u32 * 100, 6);
        store.upload("p.csv", &csv(&pool), "P", 1, None).unwrap();
        let mut model: HashMap<String, S> = pool.iter().map(|n| (n.clone(), S::Free)).collect();
        for step in 0..250 {
            let t = now.load(Ordering::Relaxed);
            for s in model.values_mut() {
                match *s {
                    S::Held(_, until) if until <= t => *s = S::Free,
                    S::Cooling(at) if at <= t => *s = S::Free,
                    _ => {}
                }
            }
            let user = (rng() % 5) as i64;
            let holding = model
                .iter()
                .find(|(_, s)| matches!(s, S::Held(u, _) if *u == user))
                .map(|(n, _)| n.clone());
            let free = model.values().filter(|s| **s == S::Free).count();
            match rng() % 6 {
                0 | 1 => match (store.claim("P", user), &holding) {
                    (Err(StoreError::AlreadyAssigned { number, .. }), Some(h)) => {
                        assert_eq!(&number, h)
                    }
                    (Ok(a), None) => {
                        assert_eq!(model[&a.number], S::Free, "seed {seed} step {step}");
                        model.insert(a.number, S::Held(user, t + 600));
                    }
                    (Err(StoreError::NoneAvailable(_)), None) => assert_eq!(free, 0),
                    (other, h) => panic!("seed {seed} step {step}: claim {other:?} holding {h:?}"),
                },
                2 => match (store.complete(user), &holding) {
                    (Ok(()), Some(h)) => {
                        let next = match rule {
                            ReuseRule::Cooldown(secs) => S::Cooling(t + secs),
                            ReuseRule::Once => S::Retired,
                            ReuseRule::Unlimited => S::Free,
                        };
                        model.insert(h.clone(), next);
                    }
                    (Err(StoreError::NotAssigned(_)), None) => {}
                    (other, h) => {
                        panic!("seed {seed} step {step}: complete {other:?} holding {h:?}")
                    }
                },
                3 => match (store.cancel(user), &holding) {
                    (Ok(()), Some(h)) => {
                        model.insert(h.clone(), S::Free);
                    }
                    (Err(StoreError::NotAssigned(_)), None) => {}
                    (other, h) => panic!("seed {seed} step {step}: cancel {other:?} holding {h:?}"),
                },
                4 => {
                    now.fetch_add((rng() % 400) as u32, Ordering::Relaxed);
                }
                _ => {
                    drop(store);
                    store = open(dir.path(), &clock, rule);
                }
            }
            // Invariants: holds agree with the model, no number twice, counts agree.
            let held = store.assignments().unwrap();
            let t = now.load(Ordering::Relaxed);
            let expected: HashMap<i64, String> = model
                .iter()
                .filter_map(|(n, s)| match s {
                    S::Held(u, until) if *until > t => Some((*u, n.clone())),
                    _ => None,
                })
                .collect();
            let got: HashMap<i64, String> =
                held.iter().map(|a| (a.user, a.number.clone())).collect();
            assert_eq!(got, expected, "seed {seed} step {step}");
            let usage = &store.stats().unwrap().categories["P"];
            assert!(usage.used_percent <= 100.0);
            assert_eq!(usage.assigned as usize, expected.len());
        }
    }
}

pub(crate) fn numbot_test_rng(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A child claims at full speed and is killed with SIGKILL at random moments;
/// after each restart every acknowledged claim is recorded and no number is
/// held twice.
#[test]
fn acknowledged_claims_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path(), &Clock::system(), ReuseRule::default());
        store
            .upload("crash.csv", &csv(&numbers(0, 60_000)), "Crash", 1, None)
            .unwrap();
    }
    let mut rng = numbot_test_rng(7);
    let mut acked_total = 0;
    for round in 0..12i64 {
        let child = Command::new(crate::support::binary("claim-loop"))
            .args(["--category", "Crash", "--threads", "8"])
            .args(["--first-user", &(round * 1_000_000).to_string()])
            .args(["--data-dir", dir.path().to_str().unwrap()])
            .args(["--plugin-dir", defaults().to_str().unwrap()])
            .env("NUMBOT_CACHE_DIR", cache())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = crate::support::kill_while_running(child, Duration::from_millis(rng() % 400));
        let acked: Vec<(i64, String)> = lines
            .iter()
            .filter_map(|l| {
                let mut parts = l.split(' ');
                (parts.next() == Some("ACK")).then_some(())?;
                Some((parts.next()?.parse().ok()?, parts.next()?.to_string()))
            })
            .collect();
        acked_total += acked.len();
        let store = open(dir.path(), &Clock::system(), ReuseRule::default());
        crate::support::assert_claims_survived(&store, &acked, round);
    }
    assert!(
        acked_total > 100,
        "the child claimed only {acked_total} times"
    );
}

/// A compaction that died after rotating the journal, before its snapshot:
/// both journals replay, and neither is deleted until a snapshot covers them.
#[test]
fn interrupted_compaction_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, _) = Clock::manual(6_000_000);
    {
        let store = open(dir.path(), &clock, ReuseRule::default());
        store
            .upload("i.csv", &csv(&numbers(0, 10)), "I", 1, None)
            .unwrap();
        store.claim("I", 1).unwrap();
    }
    // The rotation happened (journal 2 exists), the snapshot was never written.
    std::fs::write(dir.path().join("journal.000002"), b"").unwrap();
    {
        let store = open(dir.path(), &clock, ReuseRule::default());
        assert!(store.holding(1).unwrap().is_some());
        store.claim("I", 2).unwrap();
    }
    for _ in 0..2 {
        let store = open(dir.path(), &clock, ReuseRule::default());
        let users: Vec<i64> = store
            .assignments()
            .unwrap()
            .iter()
            .map(|a| a.user)
            .collect();
        assert_eq!(
            users,
            [1, 2],
            "claims of both journals survive every restart"
        );
    }
}

/// A held number of a deleted file stays in the dedup set across restarts
/// until its use ends; a file re-uploading numbers of a deleted one keeps them.
#[test]
fn deleted_files_and_dedup_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, _) = Clock::manual(7_000_000);
    let held = {
        let store = open(dir.path(), &clock, ReuseRule::Unlimited);
        let f = store
            .upload("f.csv", &csv(&numbers(0, 3)), "F", 1, None)
            .unwrap();
        let held = store.claim("F", 1).unwrap().number;
        store.delete_file(&f.file).unwrap();
        held
    };
    let store = open(dir.path(), &clock, ReuseRule::Unlimited);
    assert_eq!(
        store.holding(1).unwrap().map(|a| a.number),
        Some(held.clone()),
        "the hold survives"
    );
    match store.upload("again.csv", &csv(std::slice::from_ref(&held)), "G", 1, None) {
        Err(StoreError::NothingToImport(why)) => {
            assert!(why.to_string().contains("already in the pool"), "{why}")
        }
        other => panic!("a held number was uploaded again: {other:?}"),
    }
    // The other two numbers left with their file: a new file may take them.
    let others: Vec<String> = numbers(0, 3).into_iter().filter(|n| *n != held).collect();
    let g = store.upload("g.csv", &csv(&others), "G", 1, None).unwrap();
    assert_eq!(g.accepted, 2);
    store.complete(1).unwrap();
    drop(store);
    let store = open(dir.path(), &clock, ReuseRule::Unlimited);
    let h = store
        .upload("h.csv", &csv(&numbers(0, 3)), "H", 1, None)
        .unwrap();
    assert_eq!(
        (h.accepted, h.duplicates_in_pool),
        (1, 2),
        "G's numbers stay in the dedup set"
    );
}

/// Flips one byte of the journal at `offset`.
fn damage(dir: &Path, offset: usize) {
    let path = dir.join("journal.000001");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[offset] ^= 0x5a;
    std::fs::write(&path, bytes).unwrap();
}

/// A damaged record in the middle of the journal stops `open` with an error
/// that names the file, the offset and the fix; `repair` keeps every valid
/// record, and afterwards no number anyone may hold is handed out.
#[test]
fn a_damaged_journal_record_stops_open_and_repair_salvages_it() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = 8_000_000;
    let (clock, now) = Clock::manual(t0);
    let rule = ReuseRule::Unlimited;
    let mut held = HashMap::new();
    {
        let store = open(dir.path(), &clock, rule);
        store
            .upload("d.csv", &csv(&numbers(0, 10)), "Damage", 1, None)
            .unwrap();
        // Records 0-4: claims; 5: a completion; 6: a cancel.
        for user in [6, 1, 2, 3, 4] {
            held.insert(user, store.claim("Damage", user).unwrap().number);
        }
        store.complete(1).unwrap();
        store.cancel(2).unwrap();
        // Record 7, later: a claim after the damage to come.
        now.fetch_add(100, Ordering::Relaxed);
        held.insert(5, store.claim("Damage", 5).unwrap().number);
    }
    // The truth now: users 6, 3 and 4 hold theirs until t0 + 600, user 5
    // until t0 + 700. Record 3 (user 3's claim) is damaged.
    damage(dir.path(), 3 * 32 + 10);
    let mut config = StoreConfig::new(dir.path());
    config.clock = clock.clone();
    config.reuse = rule;
    config.lease_secs = 600;
    let err = FileStore::open(config.clone(), plugins())
        .err()
        .expect("open refuses a damaged journal");
    match &err {
        StoreError::JournalDamaged {
            path,
            offset,
            next_valid,
            ..
        } => {
            assert_eq!(path, &dir.path().join("journal.000001"));
            assert_eq!((*offset, *next_valid), (96, 128));
        }
        other => panic!("{other}"),
    }
    let message = err.to_string();
    assert!(message.contains("journal.000001"), "{message}");
    assert!(message.contains("byte 96"), "{message}");
    assert!(
        message.contains(&format!(
            "numbot repair --data-dir {}",
            dir.path().display()
        )),
        "{message}"
    );

    let report = FileStore::repair(&config, PossiblyUsed::Keep).unwrap();
    assert_eq!(report.journals.len(), 1);
    let journal = &report.journals[0];
    assert_eq!(journal.kept, 7);
    assert_eq!(journal.dropped, vec![(96, 32)]);
    assert_eq!(journal.torn_tail, 0);
    let backup = journal.backup.clone().unwrap();
    assert_eq!(std::fs::read(&backup).unwrap().len(), 8 * 32);
    // Users 1 and 2 ended theirs; user 6's hold began before the damage,
    // so a dropped record may have ended it; users 4 and 5 claimed after.
    assert_eq!(report.holds_ended, vec![6]);
    let quarantined: HashSet<&str> = report
        .quarantined
        .iter()
        .map(|q| q.number.as_str())
        .collect();
    assert_eq!(quarantined.len(), 8, "{:?}", report.quarantined);
    assert!(!quarantined.contains(held[&4].as_str()));
    assert!(!quarantined.contains(held[&5].as_str()));
    for q in &report.quarantined {
        assert_eq!(q.until, Some(t0 + 600), "{q:?}");
        assert!(q.file.starts_with("Damage_"), "{q:?}");
    }
    // Repairing again finds nothing.
    assert!(!FileStore::repair(&config, PossiblyUsed::Keep)
        .unwrap()
        .damaged());

    // Right after: nothing anyone may hold is handed out.
    let store = FileStore::open(config.clone(), plugins()).unwrap();
    assert_eq!(store.holding(4).unwrap().unwrap().number, held[&4]);
    assert_eq!(store.holding(5).unwrap().unwrap().number, held[&5]);
    assert_eq!(store.holding(6).unwrap(), None);
    assert!(matches!(
        store.claim("Damage", 100),
        Err(StoreError::NoneAvailable(_))
    ));
    // Once every lease that may be running has ended, the pool is whole
    // again but for user 5's number, still held (user 4's lease ran out).
    now.store(t0 + 601, Ordering::Relaxed);
    let mut given = HashSet::new();
    for user in 100.. {
        match store.claim("Damage", user) {
            Ok(a) => assert!(given.insert(a.number)),
            Err(StoreError::NoneAvailable(_)) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(given.len(), 9);
    assert!(!given.contains(&held[&5]));
    drop(store);
    // And it all survives a restart.
    let store = FileStore::open(config, plugins()).unwrap();
    assert_eq!(store.assignments().unwrap().len(), 10);
}

/// Repair does not punish: a flipped bit in a claim's time still names its
/// number, so that number alone is possibly used, and it is back once any
/// lease the claim began has ended — unless the operator retires possibly
/// used numbers, which then follow the reuse rule. Damage that names
/// nothing keeps every free number, and every hold from before it, out
/// until the lease horizon, and retires none.
#[test]
fn repair_keeps_out_only_what_a_dropped_record_may_have_used() {
    let t0 = 10_000_000;
    for rule in [
        ReuseRule::Once,
        ReuseRule::Cooldown(3_600),
        ReuseRule::Unlimited,
    ] {
        for (possibly, named) in [
            (PossiblyUsed::Keep, true),
            (PossiblyUsed::Retire, true),
            (PossiblyUsed::Keep, false),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (clock, now) = Clock::manual(t0);
            let (lost, kept) = {
                let store = open(dir.path(), &clock, rule);
                store
                    .upload("r.csv", &csv(&numbers(0, 10)), "Repair", 1, None)
                    .unwrap();
                // Records 0-2: claims of users 1, 2, 3.
                let kept = store.claim("Repair", 1).unwrap().number;
                let lost = store.claim("Repair", 2).unwrap().number;
                store.claim("Repair", 3).unwrap();
                (lost, kept)
            };
            // Record 1 (user 2's claim) is damaged: in its time field, or whole.
            let path = dir.path().join("journal.000001");
            let mut bytes = std::fs::read(&path).unwrap();
            if named {
                bytes[32 + 13] ^= 0x5a;
            } else {
                bytes[32..64].fill(0xff);
            }
            std::fs::write(&path, bytes).unwrap();
            let mut config = StoreConfig::new(dir.path());
            config.clock = clock.clone();
            config.reuse = rule;
            config.lease_secs = 600;
            let report = FileStore::repair(&config, possibly).unwrap();
            let case = format!("{rule:?} {possibly:?} named {named}");
            assert_eq!(report.identified, named, "{case}");
            let out: HashMap<&str, Option<u32>> = report
                .quarantined
                .iter()
                .map(|q| (q.number.as_str(), q.until))
                .collect();
            let horizon = Some(t0 + 600);
            if named {
                let until = match (possibly, rule) {
                    (PossiblyUsed::Retire, ReuseRule::Once) => None,
                    (PossiblyUsed::Retire, ReuseRule::Cooldown(secs)) => Some(t0 + 600 + secs),
                    _ => horizon,
                };
                assert_eq!(out, HashMap::from([(lost.as_str(), until)]), "{case}");
                assert!(
                    !out.contains_key(kept.as_str()),
                    "user 1's hold is known: {case}"
                );
                assert!(report.holds_ended.is_empty(), "{case}");
            } else {
                // The lost record could have ended user 1's hold: only user
                // 3's claim, read after the damage, is known.
                assert_eq!(out.len(), 9, "every number but user 3's: {case}");
                assert!(out.values().all(|u| *u == horizon), "{case}: {out:?}");
                assert_eq!(report.holds_ended, [1], "{case}");
            }
            let store = FileStore::open(config, plugins()).unwrap();
            let free = |store: &FileStore| store.stats().unwrap().categories["Repair"].available;
            let before = free(&store);
            assert_eq!(
                before,
                if named { 7 } else { 0 },
                "right after the repair: {case}"
            );
            // Past the horizon, the quarantined numbers the rule lets back
            // can be claimed again (the known holds run out too, and follow
            // the rule on their own).
            now.store(t0 + 601, Ordering::Relaxed);
            let mut claimable = HashSet::new();
            for user in 100.. {
                match store.claim("Repair", user) {
                    Ok(a) => claimable.insert(a.number),
                    Err(_) => break,
                };
            }
            let back: Vec<&str> = out
                .keys()
                .copied()
                .filter(|n| claimable.contains(*n))
                .collect();
            let expected = match (named, possibly, rule) {
                (true, PossiblyUsed::Retire, ReuseRule::Once | ReuseRule::Cooldown(_)) => 0,
                (true, ..) => 1,
                (false, ..) => 9,
            };
            assert_eq!(back.len(), expected, "back at the lease horizon: {case}");
        }
    }
}

/// Garbage after the last record longer than any write a crash can tear
/// is damage, not a torn tail: open stops, and repair drops it with every
/// free number in doubt until the lease horizon.
#[test]
fn a_long_damaged_journal_tail_is_damage_not_a_tear() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, _) = Clock::manual(11_000_000);
    {
        let store = open(dir.path(), &clock, ReuseRule::Unlimited);
        store
            .upload("g.csv", &csv(&numbers(0, 3)), "Garbage", 1, None)
            .unwrap();
        store.claim("Garbage", 1).unwrap();
    }
    let path = dir.path().join("journal.000001");
    let mut bytes = std::fs::read(&path).unwrap();
    let valid = bytes.len() as u64;
    bytes.extend(std::iter::repeat_n(0xA7u8, 256 * 1024));
    std::fs::write(&path, &bytes).unwrap();
    let mut config = StoreConfig::new(dir.path());
    config.clock = clock.clone();
    config.reuse = ReuseRule::Unlimited;
    match FileStore::open(config.clone(), plugins()).err() {
        Some(StoreError::JournalDamaged { offset, .. }) => assert_eq!(offset, valid),
        other => panic!("a long garbage tail must stop open: {other:?}"),
    }
    let report = FileStore::repair(&config, PossiblyUsed::Keep).unwrap();
    assert!(report.damaged() && !report.identified);
    assert_eq!(report.journals[0].dropped, vec![(valid, 256 * 1024)]);
    assert_eq!(report.quarantined.len(), 3, "{:?}", report.quarantined);
    assert!(
        report.quarantined.iter().all(|q| q.until.is_some()),
        "none retired"
    );
    assert!(FileStore::open(config, plugins()).is_ok());
}

/// A torn tail (a crash mid-write) is still cut without a word.
#[test]
fn a_torn_journal_tail_is_still_cut_silently() {
    let dir = tempfile::tempdir().unwrap();
    let (clock, _) = Clock::manual(9_000_000);
    let number = {
        let store = open(dir.path(), &clock, ReuseRule::default());
        store
            .upload("t.csv", &csv(&numbers(0, 3)), "Torn", 1, None)
            .unwrap();
        store.claim("Torn", 1).unwrap().number
    };
    let path = dir.path().join("journal.000001");
    let mut bytes = std::fs::read(&path).unwrap();
    let mut half = bytes[..32].to_vec();
    half[5] ^= 1;
    bytes.extend_from_slice(&half);
    bytes.extend_from_slice(&[0; 7]);
    std::fs::write(&path, bytes).unwrap();
    let store = open(dir.path(), &clock, ReuseRule::default());
    assert_eq!(store.holding(1).unwrap().unwrap().number, number);
    drop(store);
    assert_eq!(std::fs::read(&path).unwrap().len(), 32);
}
