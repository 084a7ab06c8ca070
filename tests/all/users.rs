//! The user-store contract: the same tests against the embedded files and
//! against MongoDB (a real MongoDB-wire server).

use std::{sync::Arc, time::Duration};

use numbot_core::{
    AuditAction, AuditEvent, AuditLog, Jobs, NumberLimit, NumberSlot, PendingUpload,
    PendingUploads, UserStatus, Users,
};
use numbot_store_file::FileUsers;
use numbot_store_mongo::MongoUsers;

use crate::support::MongoServer;

/// Every record capability of one backend.
trait Records: Users + AuditLog + PendingUploads + Jobs {}
impl<T: Users + AuditLog + PendingUploads + Jobs> Records for T {}

async fn file_users(dir: &std::path::Path) -> Arc<dyn Records> {
    Arc::new(FileUsers::open(dir).unwrap())
}

async fn mongo_users() -> Arc<dyn Records> {
    let server = MongoServer::get();
    let db = numbot_store_mongo::connect(&server.uri(), &server.fresh_database())
        .await
        .unwrap();
    Arc::new(MongoUsers::open(&db).await.unwrap())
}

async fn records_statuses_and_counts(users: Arc<dyn Records>) {
    let (r, created) = users
        .seen(7, "Ann", None, UserStatus::Pending)
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        (r.id, r.name.as_str(), r.status, r.numbers_taken),
        (7, "Ann", UserStatus::Pending, 0)
    );
    // Seen again: the stored status wins over the default, the name refreshes.
    let (r, created) = users
        .seen(7, "Ann (@ann)", Some("pt-br"), UserStatus::Active)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(
        (r.name.as_str(), r.status, r.language()),
        ("Ann (@ann)", UserStatus::Pending, Some("pt-br"))
    );
    assert_eq!(users.get(7).await.unwrap().unwrap().name, "Ann (@ann)");
    // A chosen language wins over Telegram's, and survives a refresh.
    users.set_language(7, Some("ru")).await.unwrap();
    let (r, _) = users
        .seen(7, "Ann (@ann)", Some("es"), UserStatus::Active)
        .await
        .unwrap();
    assert_eq!(
        (r.language(), r.telegram_language.as_deref()),
        (Some("ru"), Some("es"))
    );
    users.set_language(7, None).await.unwrap();
    assert_eq!(users.get(7).await.unwrap().unwrap().language(), Some("es"));
    assert_eq!(users.get(8).await.unwrap(), None);

    let banned = users
        .set_status(7, UserStatus::Banned, 1, Some("spam".into()))
        .await
        .unwrap();
    assert_eq!(
        (banned.status, banned.status_by, banned.reason.as_deref()),
        (UserStatus::Banned, Some(1), Some("spam"))
    );
    let back = users
        .set_status(7, UserStatus::Active, 2, None)
        .await
        .unwrap();
    assert_eq!(
        (back.status, back.status_by, back.reason),
        (UserStatus::Active, Some(2), None)
    );
    // A ban of someone never seen creates their record.
    let stranger = users
        .set_status(9, UserStatus::Banned, 1, None)
        .await
        .unwrap();
    assert_eq!((stranger.id, stranger.status), (9, UserStatus::Banned));

    // 20 presses at once (on any replicas) against a limit of 5: exactly 5
    // pass, each counted once.
    let limit = NumberLimit {
        max: 5,
        window: Duration::from_secs(60),
    };
    let taking: Vec<_> = (0..20)
        .map(|_| {
            let users = users.clone();
            tokio::spawn(async move { users.take_number(7, 1_000, &limit, false).await.unwrap() })
        })
        .collect();
    let mut granted = 0;
    for t in taking {
        match t.await.unwrap() {
            NumberSlot::Granted => granted += 1,
            NumberSlot::Full(times) => assert_eq!(times, vec![1_000; 5]),
        }
    }
    assert_eq!(granted, 5);
    let r = users.get(7).await.unwrap().unwrap();
    assert_eq!((r.numbers_taken, r.recent_numbers.len()), (5, 5));
    // A place no number came of is given back, once.
    users.give_back_number(7, 1_000).await.unwrap();
    assert_eq!(users.get(7).await.unwrap().unwrap().numbers_taken, 4);
    assert_eq!(
        users.take_number(7, 1_010, &limit, false).await.unwrap(),
        NumberSlot::Granted
    );
    assert!(matches!(
        users.take_number(7, 1_011, &limit, false).await.unwrap(),
        NumberSlot::Full(_)
    ));
    // The window slides: the four at 1000 leave it at 1060.
    assert_eq!(
        users.take_number(7, 1_060, &limit, false).await.unwrap(),
        NumberSlot::Granted
    );
    assert_eq!(
        users.get(7).await.unwrap().unwrap().recent_numbers,
        vec![1_010, 1_060]
    );
    // Admins are exempt, and their record keeps the latest `max` times.
    for at in 2_000..2_008 {
        assert_eq!(
            users.take_number(7, at, &limit, true).await.unwrap(),
            NumberSlot::Granted
        );
    }
    let r = users.get(7).await.unwrap().unwrap();
    assert_eq!(r.recent_numbers, (2_003..2_008).collect::<Vec<_>>());
    assert_eq!(r.numbers_taken, 6 + 8);
    // Someone never seen is not limited, and no record appears.
    assert_eq!(
        users.take_number(99, 1_000, &limit, false).await.unwrap(),
        NumberSlot::Granted
    );
    assert_eq!(users.get(99).await.unwrap(), None);
    users
        .seen(3, "Cy", None, UserStatus::Pending)
        .await
        .unwrap();
    users
        .seen(5, "Di", None, UserStatus::Pending)
        .await
        .unwrap();
    let pending: Vec<i64> = users
        .with_status(UserStatus::Pending)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(pending, vec![3, 5]);
}

async fn uploads_wait_for_their_category_once(users: Arc<dyn Records>) {
    let upload = |id: &str| PendingUpload {
        file_id: id.into(),
        file_name: format!("{id}.csv"),
        numbers: 12,
        at: 1_000,
    };
    assert_eq!(users.pending_upload(1).await.unwrap(), None);
    assert_eq!(
        users.put_pending_upload(1, upload("a")).await.unwrap(),
        None
    );
    assert_eq!(
        users.put_pending_upload(1, upload("b")).await.unwrap(),
        Some(upload("a")),
        "the newer replaces, and says which"
    );
    assert_eq!(users.pending_upload(1).await.unwrap(), Some(upload("b")));
    assert_eq!(users.pending_upload(2).await.unwrap(), None, "per admin");
    assert_eq!(
        users.take_pending_upload(1, "a").await.unwrap(),
        None,
        "an answer about the replaced file takes nothing"
    );
    // Two answers at once (two replicas): one takes it.
    let (x, y) = tokio::join!(
        users.take_pending_upload(1, "b"),
        users.take_pending_upload(1, "b")
    );
    let taken: Vec<_> = [x.unwrap(), y.unwrap()].into_iter().flatten().collect();
    assert_eq!(taken, vec![upload("b")]);
    assert_eq!(users.pending_upload(1).await.unwrap(), None);
}

async fn the_audit_trail_keeps_order(users: Arc<dyn Records>) {
    for i in 0..12 {
        users
            .audit(AuditEvent {
                at: 1_000 + i / 3,
                actor: 1,
                action: AuditAction::Upload,
                detail: format!("file {i}"),
            })
            .await
            .unwrap();
    }
    let last: Vec<String> = users
        .recent_audit(5)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert_eq!(
        last,
        vec!["file 7", "file 8", "file 9", "file 10", "file 11"]
    );
}

/// A broadcast as a job: one at a time, one sender at a time (a lease
/// another process takes only once it ended), progress fenced by the lease,
/// Stop seen by the sender, recipients read in order across chunks.
async fn a_broadcast_is_one_job_with_one_sender(jobs: Arc<dyn Records>) {
    use numbot_core::jobs::{Progress, Stage};
    let recipients: Vec<i64> = (1..=25_000).collect();
    let first = jobs
        .create_broadcast(1, "old", &[1, 2])
        .await
        .unwrap()
        .unwrap();
    let b = jobs
        .create_broadcast(1, "hello", &recipients)
        .await
        .unwrap()
        .expect("a preview replaces a preview");
    assert_ne!(b.id, first.id);
    assert_eq!((b.total, b.stage), (25_000, Stage::Preview));
    assert!(!jobs.drop_broadcast(first.id).await.unwrap(), "gone");
    assert!(
        jobs.lease_broadcast("a", 100, 120).await.unwrap().is_none(),
        "not sent yet"
    );
    jobs.set_broadcast_message(b.id, 77).await.unwrap();
    let sending = jobs.start_broadcast(b.id).await.unwrap().unwrap();
    assert_eq!((sending.stage, sending.message), (Stage::Sending, 77));
    assert!(jobs.start_broadcast(b.id).await.unwrap().is_none(), "once");
    assert!(
        jobs.create_broadcast(2, "other", &[1])
            .await
            .unwrap()
            .is_none(),
        "one at a time"
    );
    assert!(
        !jobs.drop_broadcast(b.id).await.unwrap(),
        "sending: not dropped"
    );

    assert!(jobs.lease_broadcast("a", 100, 120).await.unwrap().is_some());
    assert!(
        jobs.lease_broadcast("b", 110, 130).await.unwrap().is_none(),
        "a's lease holds"
    );
    let read = jobs.broadcast_recipients(b.id, 9_998, 5).await.unwrap();
    assert_eq!(read, vec![9_999, 10_000, 10_001, 10_002, 10_003]);
    assert_eq!(
        jobs.broadcast_recipients(b.id, 24_998, 10).await.unwrap(),
        vec![24_999, 25_000]
    );
    let step = Progress {
        next: 3,
        delivered: 2,
        blocked: 1,
        failed: 0,
    };
    let now = jobs
        .advance_broadcast(b.id, "a", step)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((now.progress, now.stop), (step, false));
    // a's lease ends without a renewal: b takes over from where a got.
    let taken = jobs.lease_broadcast("b", 121, 141).await.unwrap().unwrap();
    assert_eq!(taken.progress, step);
    assert!(
        jobs.advance_broadcast(b.id, "a", Progress { next: 4, ..step })
            .await
            .unwrap()
            .is_none(),
        "a lost it"
    );
    assert!(jobs.stop_broadcast(b.id).await.unwrap());
    let told = jobs
        .advance_broadcast(b.id, "b", Progress { next: 4, ..step })
        .await
        .unwrap()
        .unwrap();
    assert!(told.stop, "the sender sees Stop");
    assert!(!jobs.finish_broadcast(b.id, "a").await.unwrap());
    assert!(jobs.finish_broadcast(b.id, "b").await.unwrap());
    assert_eq!(jobs.broadcast().await.unwrap(), None);
    assert!(jobs
        .create_broadcast(2, "next", &[1])
        .await
        .unwrap()
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_broadcast_is_one_job_with_one_sender() {
    let dir = tempfile::tempdir().unwrap();
    a_broadcast_is_one_job_with_one_sender(file_users(dir.path()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_broadcast_is_one_job_with_one_sender() {
    a_broadcast_is_one_job_with_one_sender(mongo_users().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_records_statuses_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    records_statuses_and_counts(file_users(dir.path()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_records_statuses_and_counts() {
    records_statuses_and_counts(mongo_users().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_audit_trail_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    the_audit_trail_keeps_order(file_users(dir.path()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_audit_trail_keeps_order() {
    the_audit_trail_keeps_order(mongo_users().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_uploads_wait_for_their_category_once() {
    let dir = tempfile::tempdir().unwrap();
    uploads_wait_for_their_category_once(file_users(dir.path()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_uploads_wait_for_their_category_once() {
    uploads_wait_for_their_category_once(mongo_users().await).await;
}

/// A stored status numbot does not know (a damaged ban) is refused, never
/// read as access.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_a_damaged_status_fails_closed() {
    use mongodb::bson::doc;
    let server = MongoServer::get();
    let db = numbot_store_mongo::connect(&server.uri(), &server.fresh_database())
        .await
        .unwrap();
    let users = MongoUsers::open(&db).await.unwrap();
    db.collection::<mongodb::bson::Document>("users")
        .insert_one(doc! { "_id": 7i64, "name": "Ann", "status": "banneed", "first_seen": 1i64, "numbers_taken": 0i64 })
        .await
        .unwrap();
    match users.get(7).await {
        Err(e @ numbot_core::UserStoreError::Damaged(_)) => {
            assert!(e.to_string().contains("banneed"), "{e}")
        }
        other => panic!("a damaged status must be refused: {other:?}"),
    }
    assert!(users
        .seen(7, "Ann", None, UserStatus::Active)
        .await
        .is_err());
}
