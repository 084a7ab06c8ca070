//! The store contract: every test here runs, unchanged, against the
//! embedded file store and against the MongoDB pool (a real MongoDB-wire
//! server), through the `NumberStore` trait the bot and the monitor use.

use std::{
    collections::HashSet,
    sync::{atomic::AtomicU32, atomic::Ordering, Arc},
};

use numbot_core::{
    history, migration::MigrationStore, Clock, CodeRecord, CodeSeen, Ended, Finish, HistoryQuery,
    HistorySearch, NumberStore, ReuseRule, Store, StoreConfig, StoreError, UploadReport, UseId,
    UseRecord,
};
use numbot_store_file::FileStore;
use numbot_store_mongo::{connect, MongoStore};

use crate::support::{shared_plugins, uae_csv, MongoServer, UploadExt};

/// Which backend a contract test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    File,
    Mongo,
}

/// A pool under test with its hand-driven clock.
pub struct Pool {
    pub store: Store,
    pub clock: Arc<AtomicU32>,
    _dir: tempfile::TempDir,
}

const START: u32 = 1_800_000_000;
const LEASE: u32 = 600;

impl Pool {
    pub async fn open(backend: Backend, reuse: ReuseRule) -> Pool {
        let dir = tempfile::tempdir().unwrap();
        let (clock, cell) = Clock::manual(START);
        let mut config = StoreConfig::new(dir.path());
        config.lease_secs = LEASE;
        config.reuse = reuse;
        config.clock = clock;
        let store: Store = match backend {
            Backend::File => {
                let host = shared_plugins();
                Arc::new(
                    tokio::task::spawn_blocking(move || FileStore::open(config, host))
                        .await
                        .unwrap()
                        .unwrap(),
                )
            }
            Backend::Mongo => {
                let server = MongoServer::get();
                let db = connect(&server.uri(), &server.fresh_database())
                    .await
                    .unwrap();
                Arc::new(
                    MongoStore::open(&db, &config, shared_plugins())
                        .await
                        .unwrap(),
                )
            }
        };
        Pool {
            store,
            clock: cell,
            _dir: dir,
        }
    }

    fn advance(&self, secs: u32) {
        self.clock.fetch_add(secs, Ordering::Relaxed);
    }

    async fn upload(&self, csv: Vec<u8>, category: &str) -> UploadReport {
        self.store
            .upload("numbers.csv", Arc::new(csv), category, 7, None)
            .await
            .unwrap()
    }

    async fn available(&self, category: &str) -> u64 {
        self.store
            .categories()
            .await
            .unwrap()
            .into_iter()
            .find(|(c, _)| c == category)
            .map_or(0, |(_, n)| n)
    }
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::File).await
                }
            )*
        }
        mod mongodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Mongo).await
                }
            )*
        }
    };
}

contract!(
    uploads_report_and_deduplicate,
    bad_uploads_change_nothing,
    claims_are_exclusive_and_one_per_user,
    concurrent_claims_never_share_a_number,
    change_gives_another_number_or_keeps_the_old_one,
    cancel_and_complete_follow_the_reuse_rule,
    once_and_unlimited_rules,
    leases_end_on_time,
    stats_count_every_state,
    deleting_a_file_takes_its_free_numbers_out,
    every_use_is_kept_in_the_history,
    uses_in_one_second_keep_their_own_codes,
    the_history_is_searched_newest_first_by_number_holder_category_and_time,
);

async fn uploads_report_and_deduplicate(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::default()).await;
    let mut csv = uae_csv(0, 10);
    csv.extend_from_slice(b"971500000003\nnot a number\n");
    let report = pool.upload(csv, "UAE Mobile").await;
    assert_eq!(report.category, "UAE Mobile");
    assert_eq!(report.accepted, 10);
    assert_eq!(report.duplicates_in_file, 1);
    assert_eq!(report.rejected_count, 1);
    assert_eq!(report.duplicates_in_pool, 0);
    assert!(
        report.file.starts_with("UAE_Mobile_") && report.file.ends_with(".csv"),
        "{}",
        report.file
    );

    // Half new, half already in the pool.
    let second = pool.upload(uae_csv(5, 10), "UAE Mobile").await;
    assert_eq!((second.accepted, second.duplicates_in_pool), (5, 5));
    assert_ne!(second.file, report.file, "one stored name per upload");
    assert_eq!(pool.available("UAE Mobile").await, 15);

    let files = pool.store.files().await.unwrap();
    assert_eq!(files.len(), 2);
    let first = files.iter().find(|f| f.name == report.file).unwrap();
    assert_eq!(first.meta.original_name, "numbers.csv");
    assert_eq!(first.meta.country_name, "UAE Mobile");
    assert_eq!(first.meta.number_count, 10);
    assert_eq!(first.meta.admin_id, 7);
    assert_eq!(first.meta.country_code.as_deref(), Some("AE"));
    assert_eq!(first.meta.sha256.len(), 64);
    assert_eq!(first.usage.total, 10);
}

async fn bad_uploads_change_nothing(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::default()).await;
    pool.upload(uae_csv(0, 4), "UAE Mobile").await;
    let again = pool
        .store
        .upload("again.csv", Arc::new(uae_csv(0, 4)), "UAE Mobile", 7, None)
        .await;
    match again {
        Err(StoreError::NothingToImport(why)) => {
            assert!(why.to_string().contains("already in the pool"), "{why}")
        }
        other => panic!("expected NothingToImport, got {other:?}"),
    }
    let junk = pool
        .store
        .upload(
            "junk.csv",
            Arc::new(b"Number\nhello\n".to_vec()),
            "UAE Mobile",
            7,
            None,
        )
        .await;
    assert!(
        matches!(junk, Err(StoreError::Plugin(ref e)) if e.to_string().contains("no usable phone numbers")),
        "{junk:?}"
    );
    let bad_category = pool
        .store
        .upload("x.csv", Arc::new(uae_csv(100, 2)), "  ", 7, None)
        .await;
    assert!(
        matches!(bad_category, Err(StoreError::BadCategory { .. })),
        "{bad_category:?}"
    );
    assert_eq!(pool.store.files().await.unwrap().len(), 1);
    assert_eq!(pool.available("UAE Mobile").await, 4);
    // The refused numbers were not reserved by the failed attempts.
    assert_eq!(pool.upload(uae_csv(100, 2), "UAE Mobile").await.accepted, 2);
}

async fn claims_are_exclusive_and_one_per_user(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::default()).await;
    let report = pool.upload(uae_csv(0, 3), "UAE Mobile").await;
    pool.upload(uae_csv(50, 2), "Test SIMs").await;

    let a = pool.store.claim("UAE Mobile", 1).await.unwrap();
    assert!(a.number.starts_with("+97150"), "{}", a.number);
    assert_eq!(
        (a.category.as_str(), a.file.as_str(), a.user),
        ("UAE Mobile", report.file.as_str(), 1)
    );
    assert_eq!((a.since, a.until), (START, START + LEASE));

    match pool.store.claim("Test SIMs", 1).await {
        Err(StoreError::AlreadyAssigned { user: 1, number }) => assert_eq!(number, a.number),
        other => panic!("expected AlreadyAssigned, got {other:?}"),
    }
    assert_eq!(pool.store.holding(1).await.unwrap(), Some(a.clone()));
    assert_eq!(pool.store.holding(2).await.unwrap(), None);

    let b = pool.store.claim("UAE Mobile", 2).await.unwrap();
    let c = pool.store.claim("UAE Mobile", 3).await.unwrap();
    let numbers: HashSet<_> = [&a.number, &b.number, &c.number].into_iter().collect();
    assert_eq!(numbers.len(), 3);
    assert!(matches!(
        pool.store.claim("UAE Mobile", 4).await,
        Err(StoreError::NoneAvailable(c)) if c == "UAE Mobile"
    ));
    assert!(matches!(
        pool.store.claim("Nowhere", 4).await,
        Err(StoreError::NoneAvailable(_))
    ));
    let held = pool.store.assignments().await.unwrap();
    assert_eq!(
        held.iter().map(|a| a.user).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(pool.available("UAE Mobile").await, 0);
    assert_eq!(pool.available("Test SIMs").await, 2);
}

async fn concurrent_claims_never_share_a_number(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::default()).await;
    pool.upload(uae_csv(0, 40), "UAE Mobile").await;
    let claims: Vec<_> = (0..60i64)
        .map(|user| {
            let store = pool.store.clone();
            // Users 0..10 press twice at once.
            let user = user % 50;
            tokio::spawn(async move { (user, store.claim("UAE Mobile", user).await) })
        })
        .collect();
    let mut got = Vec::new();
    let (mut none_left, mut twice) = (0, 0);
    for c in claims {
        match c.await.unwrap() {
            (user, Ok(a)) => got.push((user, a.number)),
            (_, Err(StoreError::NoneAvailable(_))) => none_left += 1,
            (_, Err(StoreError::AlreadyAssigned { .. })) => twice += 1,
            (_, Err(e)) => panic!("claim failed: {e}"),
        }
    }
    assert_eq!(got.len(), 40, "every number is given out");
    let numbers: HashSet<_> = got.iter().map(|(_, n)| n).collect();
    let users: HashSet<_> = got.iter().map(|(u, _)| u).collect();
    assert_eq!(numbers.len(), 40, "no number twice");
    assert_eq!(users.len(), 40, "no user twice");
    assert_eq!(none_left + twice, 20);
    assert_eq!(pool.store.assignments().await.unwrap().len(), 40);
}

async fn change_gives_another_number_or_keeps_the_old_one(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::default()).await;
    pool.upload(uae_csv(0, 2), "UAE Mobile").await;
    let first = pool.store.claim("UAE Mobile", 1).await.unwrap();
    let second = pool.store.change(first.id).await.unwrap();
    assert_ne!(first.number, second.number, "never the same number");
    assert_ne!(first.id, second.id, "a new use");
    assert!(
        matches!(pool.store.change(first.id).await, Err(StoreError::NotCurrent(id)) if id == first.id),
        "the old use ended"
    );
    assert_eq!(second.category, "UAE Mobile");
    assert_eq!(
        pool.store.holding(1).await.unwrap().unwrap().number,
        second.number
    );
    assert_eq!(
        pool.available("UAE Mobile").await,
        1,
        "the old number is free again"
    );

    // The only other number taken: the user keeps theirs.
    let other = pool.store.claim("UAE Mobile", 2).await.unwrap();
    assert_eq!(other.number, first.number);
    assert!(matches!(
        pool.store.change(second.id).await,
        Err(StoreError::NoneAvailable(c)) if c == "UAE Mobile"
    ));
    assert_eq!(
        pool.store.holding(1).await.unwrap(),
        Some(second.clone()),
        "kept, as the same use"
    );
    assert!(matches!(
        pool.store.change(UseId(9)).await,
        Err(StoreError::NotCurrent(UseId(9)))
    ));
}

async fn cancel_and_complete_follow_the_reuse_rule(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::Cooldown(3600)).await;
    pool.upload(uae_csv(0, 2), "UAE Mobile").await;

    let a = pool.store.claim("UAE Mobile", 1).await.unwrap();
    assert_eq!(
        pool.store.end(a.id, Finish::Cancel).await.unwrap(),
        Some(a.clone()),
        "what ended"
    );
    assert_eq!(pool.store.holding(1).await.unwrap(), None);
    assert_eq!(pool.store.current(a.id).await.unwrap(), None);
    assert_eq!(
        pool.available("UAE Mobile").await,
        2,
        "a cancelled number is free at once"
    );
    assert_eq!(pool.store.end(a.id, Finish::Cancel).await.unwrap(), None);

    pool.advance(5);
    let b = pool.store.claim("UAE Mobile", 1).await.unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(
        pool.store.end(a.id, Finish::Done).await.unwrap(),
        None,
        "an ended use never ends a later one of the same holder"
    );
    assert_eq!(pool.store.current(b.id).await.unwrap(), Some(b.clone()));
    assert_eq!(
        pool.store.end(b.id, Finish::Done).await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(
        pool.store.end(b.id, Finish::Done).await.unwrap(),
        None,
        "once"
    );
    assert_eq!(pool.store.holding(1).await.unwrap(), None);
    assert_eq!(
        pool.available("UAE Mobile").await,
        1,
        "a used number cools down"
    );

    pool.advance(3599);
    assert_eq!(pool.available("UAE Mobile").await, 1);
    pool.advance(1);
    assert_eq!(
        pool.available("UAE Mobile").await,
        2,
        "back after its cooldown"
    );
}

async fn once_and_unlimited_rules(backend: Backend) {
    let once = Pool::open(backend, ReuseRule::Once).await;
    once.upload(uae_csv(0, 1), "UAE Mobile").await;
    let a = once.store.claim("UAE Mobile", 1).await.unwrap();
    once.store.end(a.id, Finish::Cancel).await.unwrap();
    let b = once.store.claim("UAE Mobile", 1).await.unwrap();
    assert_eq!(a.number, b.number, "a cancelled use does not retire");
    assert!(once.store.end(b.id, Finish::Done).await.unwrap().is_some());
    once.advance(100 * 24 * 3600);
    assert!(matches!(
        once.store.claim("UAE Mobile", 2).await,
        Err(StoreError::NoneAvailable(_))
    ));
    let stats = once.store.stats().await.unwrap();
    assert_eq!(stats.categories["UAE Mobile"].retired, 1);

    let unlimited = Pool::open(backend, ReuseRule::Unlimited).await;
    unlimited.upload(uae_csv(0, 1), "UAE Mobile").await;
    let c = unlimited.store.claim("UAE Mobile", 1).await.unwrap();
    assert!(unlimited
        .store
        .end(c.id, Finish::Done)
        .await
        .unwrap()
        .is_some());
    let d = unlimited.store.claim("UAE Mobile", 2).await.unwrap();
    assert_eq!(c.number, d.number, "available again at once");
}

async fn leases_end_on_time(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::default()).await;
    pool.upload(uae_csv(0, 1), "UAE Mobile").await;
    let a = pool.store.claim("UAE Mobile", 1).await.unwrap();
    pool.advance(LEASE - 1);
    assert_eq!(pool.store.holding(1).await.unwrap(), Some(a.clone()));
    assert_eq!(pool.store.assignments().await.unwrap().len(), 1);
    pool.advance(1);
    assert_eq!(
        pool.store.holding(1).await.unwrap(),
        None,
        "the lease ended"
    );
    assert!(pool.store.assignments().await.unwrap().is_empty());
    assert_eq!(
        pool.available("UAE Mobile").await,
        1,
        "an expired use frees at once"
    );
    assert_eq!(pool.store.end(a.id, Finish::Done).await.unwrap(), None);
    let b = pool.store.claim("UAE Mobile", 2).await.unwrap();
    assert_eq!(b.number, a.number);
    let stats = pool.store.stats().await.unwrap();
    assert_eq!(stats.categories["UAE Mobile"].assignments, 2);
}

async fn stats_count_every_state(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::Cooldown(3600)).await;
    let report = pool.upload(uae_csv(0, 10), "UAE Mobile").await;
    pool.upload(uae_csv(100, 5), "Test SIMs").await;
    let a = pool.store.claim("UAE Mobile", 1).await.unwrap();
    pool.store.claim("UAE Mobile", 2).await.unwrap();
    assert!(pool.store.end(a.id, Finish::Done).await.unwrap().is_some());
    let c = pool.store.claim("UAE Mobile", 3).await.unwrap();
    pool.store.end(c.id, Finish::Cancel).await.unwrap();

    let stats = pool.store.stats().await.unwrap();
    let uae = &stats.categories["UAE Mobile"];
    assert_eq!(
        (
            uae.total,
            uae.available,
            uae.assigned,
            uae.cooling,
            uae.retired
        ),
        (10, 8, 1, 1, 0)
    );
    assert_eq!(uae.assignments, 3);
    assert_eq!(uae.used_numbers, 3);
    assert_eq!(uae.last_used, Some(START));
    assert_eq!(uae.used_percent, 30.0);
    assert_eq!(stats.categories["Test SIMs"].available, 5);
    assert_eq!(stats.categories["Test SIMs"].assignments, 0);
    let file = stats.files.iter().find(|f| f.name == report.file).unwrap();
    assert_eq!(file.usage.assignments, 3);
    assert_eq!(file.usage.total, 10);
}

async fn deleting_a_file_takes_its_free_numbers_out(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::default()).await;
    let report = pool.upload(uae_csv(0, 3), "UAE Mobile").await;
    let held = pool.store.claim("UAE Mobile", 1).await.unwrap();
    let meta = pool.store.delete_file(&report.file).await.unwrap();
    assert!(meta.deleted && meta.deleted_at.is_some());
    assert_eq!(meta.number_count, 3);
    assert_eq!(pool.available("UAE Mobile").await, 0);
    assert!(matches!(
        pool.store.claim("UAE Mobile", 2).await,
        Err(StoreError::NoneAvailable(_))
    ));
    // The number in use stays with its user until the use ends.
    assert_eq!(
        pool.store.holding(1).await.unwrap().unwrap().number,
        held.number
    );
    pool.store.end(held.id, Finish::Cancel).await.unwrap();
    assert_eq!(pool.available("UAE Mobile").await, 0);

    // Deleted files stay listed; their numbers may come back in a new upload.
    let files = pool.store.files().await.unwrap();
    assert!(files
        .iter()
        .any(|f| f.name == report.file && f.meta.deleted));
    assert_eq!(pool.upload(uae_csv(0, 3), "UAE Mobile").await.accepted, 3);
    assert_eq!(pool.available("UAE Mobile").await, 3);
    assert!(matches!(
        pool.store.delete_file("nope.csv").await,
        Err(StoreError::UnknownFile(_))
    ));
    // Deleting twice is harmless.
    assert!(pool.store.delete_file(&report.file).await.unwrap().deleted);
}

/// Migration mode: the numbers in files go first; MongoDB serves a category
/// once its files have none left; new uploads land in MongoDB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_uses_the_files_first_then_mongodb() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig::new(dir.path());
    let files = FileStore::open(config.clone(), shared_plugins()).unwrap();
    files
        .upload("old.csv", Arc::new(uae_csv(0, 2)), "UAE Mobile", 7, None)
        .await
        .unwrap();
    let server = MongoServer::get();
    let db = connect(&server.uri(), &server.fresh_database())
        .await
        .unwrap();
    let mongo = MongoStore::open(&db, &config, shared_plugins())
        .await
        .unwrap();
    let store = MigrationStore::new(Arc::new(files.clone()), Arc::new(mongo.clone()));
    let report = store
        .upload("new.csv", Arc::new(uae_csv(100, 2)), "UAE Mobile", 7, None)
        .await
        .unwrap();
    assert_eq!(
        mongo.files().await.unwrap()[0].name,
        report.file,
        "uploads go to MongoDB"
    );
    assert_eq!(
        store.categories().await.unwrap(),
        vec![("UAE Mobile".to_string(), 4)]
    );

    let from_files: Vec<_> = [1, 2].iter().map(|&u| files.holding(u).unwrap()).collect();
    assert!(from_files.iter().all(Option::is_none));
    let a = store.claim("UAE Mobile", 1).await.unwrap();
    let b = store.claim("UAE Mobile", 2).await.unwrap();
    assert_eq!(files.holding(1).unwrap(), Some(a.clone()), "files first");
    assert_eq!(files.holding(2).unwrap(), Some(b));
    let c = store.claim("UAE Mobile", 3).await.unwrap();
    assert_eq!(c.file, report.file, "then MongoDB");
    assert!(matches!(
        store.claim("UAE Mobile", 3).await,
        Err(StoreError::AlreadyAssigned { .. })
    ));
    assert!(matches!(
        store.claim("UAE Mobile", 1).await,
        Err(StoreError::AlreadyAssigned { .. })
    ));

    // Changing a file number when the files have no other: one from MongoDB.
    let changed = store.change(a.id).await.unwrap();
    assert_eq!(changed.file, report.file);
    assert_eq!(files.holding(1).unwrap(), None, "the file number went back");
    assert_eq!(store.holding(1).await.unwrap(), Some(changed.clone()));
    assert_eq!(store.current(changed.id).await.unwrap(), Some(changed));
    assert_eq!(store.assignments().await.unwrap().len(), 3);
    store.end(c.id, Finish::Cancel).await.unwrap();
    assert_eq!(mongo.holding(3).await.unwrap(), None);
    let stats = store.stats().await.unwrap();
    assert_eq!(stats.categories["UAE Mobile"].total, 4);
    assert_eq!(stats.files.len(), 2);
    // Numbers still in the files do not enter MongoDB a second time.
    let overlap = store
        .upload(
            "overlap.csv",
            Arc::new(uae_csv(0, 3)),
            "UAE Mobile",
            7,
            None,
        )
        .await
        .unwrap();
    assert_eq!((overlap.accepted, overlap.duplicates_in_pool), (1, 2));
    // One history across both pools, by end time. User 1's change went
    // from the files to MongoDB: to the files, the number was given back.
    let ended: Vec<(i64, Ended)> = uses(&store, HistoryQuery::default())
        .await
        .iter()
        .map(|r| (r.holder, r.ended))
        .collect();
    assert_eq!(ended, [(1, Ended::Cancelled), (3, Ended::Cancelled)]);
}

async fn uses(store: &dyn NumberStore, query: HistoryQuery) -> Vec<UseRecord> {
    history::last(store.history(query).await.unwrap(), 1_000)
        .await
        .unwrap()
}

/// Every use, however it ended, is kept with who held it, where the number
/// came from, and the codes it got.
async fn every_use_is_kept_in_the_history(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::Unlimited).await;
    pool.upload(uae_csv(0, 10), "UAE Mobile").await;
    let store = &pool.store;
    let code = |a: &numbot_core::Assignment, at: u32, text: Option<&str>| CodeRecord {
        use_id: a.id,
        number: a.number.clone(),
        holder: a.user,
        start: a.since,
        seen: CodeSeen {
            at: i64::from(at),
            code: text.map(str::to_string),
        },
    };
    let token_holder = -7001;
    let a = store.claim("UAE Mobile", 1).await.unwrap();
    store
        .record_code(code(&a, START + 5, Some("111")))
        .await
        .unwrap();
    store.record_code(code(&a, START + 6, None)).await.unwrap();
    pool.advance(10);
    assert!(store.end(a.id, Finish::Done).await.unwrap().is_some());
    let b = store.claim("UAE Mobile", 2).await.unwrap();
    pool.advance(10);
    store.end(b.id, Finish::Cancel).await.unwrap();
    let c = store.claim("UAE Mobile", 3).await.unwrap();
    pool.advance(10);
    let d = store.change(c.id).await.unwrap();
    let e = store.claim("UAE Mobile", token_holder).await.unwrap();
    pool.advance(LEASE + 1);
    assert!(store.assignments().await.unwrap().is_empty());
    let all = uses(store.as_ref(), HistoryQuery::default()).await;
    assert_eq!(
        all[..3].iter().map(|r| r.id).collect::<Vec<_>>(),
        [a.id, b.id, c.id],
        "each use keeps its id"
    );
    let seen: Vec<(i64, &str, Ended, usize)> = all
        .iter()
        .map(|r| (r.holder, r.number.as_str(), r.ended, r.codes.len()))
        .collect();
    assert_eq!(
        &seen[..3],
        [
            (1, a.number.as_str(), Ended::Completed, 2),
            (2, b.number.as_str(), Ended::Cancelled, 0),
            (3, c.number.as_str(), Ended::Changed, 0),
        ]
    );
    let mut expired = seen[3..].to_vec();
    expired.sort_by_key(|&(holder, ..)| holder);
    assert_eq!(
        expired,
        [
            (token_holder, e.number.as_str(), Ended::Expired, 0),
            (3, d.number.as_str(), Ended::Expired, 0),
        ]
    );
    let first = &all[0];
    assert_eq!(
        (
            first.category.as_str(),
            first.file.as_str(),
            first.start,
            first.end
        ),
        ("UAE Mobile", a.file.as_str(), a.since, START + 10)
    );
    assert_eq!(
        first.codes,
        [
            CodeSeen {
                at: i64::from(START + 5),
                code: Some("111".into())
            },
            CodeSeen {
                at: i64::from(START + 6),
                code: None
            },
        ]
    );
    assert_eq!(all[3].end, START + 30 + LEASE + 1);
    assert_eq!(
        all.iter()
            .find(|r| r.holder == token_holder)
            .unwrap()
            .token(),
        Some(7)
    );
    // One holder's, and a window of end times.
    let mine = uses(
        store.as_ref(),
        HistoryQuery {
            holder: Some(2),
            ..HistoryQuery::default()
        },
    )
    .await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].number, b.number);
    let window = uses(
        store.as_ref(),
        HistoryQuery {
            from: Some(START + 20),
            to: Some(START + 31),
            ..HistoryQuery::default()
        },
    )
    .await;
    let ends: Vec<u32> = window.iter().map(|r| r.end).collect();
    assert_eq!(ends, [START + 20, START + 30]);
    // A holder's last uses, as `/history` reads them: only theirs, the
    // newest, oldest first, with their codes.
    for (n, expected) in [(1, vec![d.id]), (5, vec![c.id, d.id])] {
        let last = uses(
            store.as_ref(),
            HistoryQuery {
                holder: Some(3),
                last: Some(n),
                ..HistoryQuery::default()
            },
        )
        .await;
        assert_eq!(
            last.iter().map(|r| r.id).collect::<Vec<_>>(),
            expected,
            "last {n}"
        );
    }
    let first_holders = uses(
        store.as_ref(),
        HistoryQuery {
            holder: Some(1),
            last: Some(10),
            ..HistoryQuery::default()
        },
    )
    .await;
    assert_eq!(first_holders.len(), 1);
    assert_eq!(first_holders[0].codes.len(), 2, "with its codes");
}

/// One holder takes the same number twice in one second: two uses, each
/// with its own id and only its own code.
async fn uses_in_one_second_keep_their_own_codes(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::Unlimited).await;
    pool.upload(uae_csv(0, 1), "UAE Mobile").await;
    let store = &pool.store;
    let mut taken = Vec::new();
    for code in ["111111", "222222"] {
        let a = store.claim("UAE Mobile", 4).await.unwrap();
        store
            .record_code(CodeRecord {
                use_id: a.id,
                number: a.number.clone(),
                holder: a.user,
                start: a.since,
                seen: CodeSeen {
                    at: i64::from(a.since),
                    code: Some(code.into()),
                },
            })
            .await
            .unwrap();
        store.end(a.id, Finish::Cancel).await.unwrap().unwrap();
        taken.push(a);
    }
    assert_eq!(taken[0].since, taken[1].since, "one second");
    assert_eq!(taken[0].number, taken[1].number);
    assert_ne!(taken[0].id, taken[1].id);
    let kept: Vec<(numbot_core::UseId, Vec<Option<String>>)> =
        uses(store.as_ref(), HistoryQuery::default())
            .await
            .into_iter()
            .map(|r| (r.id, r.codes.into_iter().map(|c| c.code).collect()))
            .collect();
    assert_eq!(
        kept,
        [
            (taken[0].id, vec![Some("111111".to_string())]),
            (taken[1].id, vec![Some("222222".to_string())]),
        ]
    );
}

/// An upload whose process died mid-way is removed at the next start, so
/// its numbers can be uploaded again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_left_unfinished_by_a_dead_process_is_removed() {
    use ::mongodb::bson::{doc, Document};
    let dir = tempfile::tempdir().unwrap();
    let server = MongoServer::get();
    let db = connect(&server.uri(), &server.fresh_database())
        .await
        .unwrap();
    let (clock, _) = Clock::manual(START);
    let mut config = StoreConfig::new(dir.path());
    config.clock = clock;
    MongoStore::open(&db, &config, shared_plugins())
        .await
        .unwrap();
    // What a process killed during an upload leaves: the file not ready, a number in.
    db.collection::<Document>("files")
        .insert_one(doc! { "_id": "UAE_Mobile_x.csv", "id": 99i64, "ready": false, "deleted": false, "touched": i64::from(START) - 7200 })
        .await
        .unwrap();
    db.collection::<Document>("numbers")
        .insert_one(doc! { "n": 971_500_000_001i64, "file": 99i64, "r": 1i64, "state": "free", "free_at": 0i64, "uses": 0i64, "live": true })
        .await
        .unwrap();
    let store = MongoStore::open(&db, &config, shared_plugins())
        .await
        .unwrap();
    let report = store
        .upload("again.csv", Arc::new(uae_csv(1, 1)), "UAE Mobile", 7, None)
        .await
        .unwrap();
    assert_eq!((report.accepted, report.duplicates_in_pool), (1, 0));
    assert_eq!(store.files().await.unwrap().len(), 1);
}

/// A search gives what reading the whole history and filtering it gives,
/// newest first, a page at a time; the day counts too.
async fn the_history_is_searched_newest_first_by_number_holder_category_and_time(backend: Backend) {
    let pool = Pool::open(backend, ReuseRule::Unlimited).await;
    pool.upload(uae_csv(0, 6), "UAE Mobile").await;
    pool.upload(uae_csv(50, 3), "Spare").await;
    let store = &pool.store;
    for round in 0..4u32 {
        for (user, category) in [(1, "UAE Mobile"), (2, "Spare"), (3, "UAE Mobile")] {
            let a = store.claim(category, user).await.unwrap();
            if user == 1 {
                let code = CodeRecord {
                    use_id: a.id,
                    number: a.number.clone(),
                    holder: a.user,
                    start: a.since,
                    seen: CodeSeen {
                        at: i64::from(a.since + 1),
                        code: Some(format!("{round}")),
                    },
                };
                store.record_code(code).await.unwrap();
            }
            pool.advance(5);
            store.end(a.id, Finish::Done).await.unwrap();
        }
        pool.advance(3_600);
    }
    let all = uses(store.as_ref(), HistoryQuery::default()).await;
    assert_eq!(all.len(), 12);
    let someones = &all[4];
    let page = |search: HistorySearch| HistorySearch { limit: 3, ..search };
    let searches = [
        page(HistorySearch::default()),
        page(HistorySearch {
            number: HistorySearch::digits(&someones.number),
            ..HistorySearch::default()
        }),
        page(HistorySearch {
            number: Some(someones.number[someones.number.len() - 3..].into()),
            ..HistorySearch::default()
        }),
        page(HistorySearch {
            category: Some("Spare".into()),
            ..HistorySearch::default()
        }),
        page(HistorySearch {
            category: Some("UAE Mobile".into()),
            query: HistoryQuery {
                holder: Some(3),
                from: Some(all[3].end),
                to: Some(all[9].end),
                last: None,
            },
            ..HistorySearch::default()
        }),
        page(HistorySearch {
            category: Some("UAE".into()),
            ..HistorySearch::default()
        }),
    ];
    for search in searches {
        let found = store.search_history(&search).await.unwrap();
        let expected: Vec<UseRecord> = all
            .iter()
            .rev()
            .filter(|r| search.matches(r))
            .take(search.limit)
            .cloned()
            .collect();
        assert_eq!(found, expected, "{search:?}");
    }
    let newest = store
        .search_history(&HistorySearch {
            query: HistoryQuery {
                holder: Some(1),
                ..HistoryQuery::default()
            },
            limit: 1,
            ..HistorySearch::default()
        })
        .await
        .unwrap();
    assert_eq!(
        newest[0].codes[0].code.as_deref(),
        Some("3"),
        "with its codes"
    );
    let first = i64::from(START) - i64::from(START) % 86_400;
    let counted = store.count_days(first, 2).await.unwrap();
    let read = history::count_days(
        store.history(HistoryQuery::default()).await.unwrap(),
        first,
        2,
    )
    .await
    .unwrap();
    assert_eq!(counted, read);
    assert_eq!(counted.iter().map(|d| d.began).sum::<u64>(), 12);
    assert_eq!(counted.iter().map(|d| d.codes).sum::<u64>(), 4);
}
