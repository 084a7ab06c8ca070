//! The user-store contract: the same tests against the embedded files and
//! against MongoDB (a real MongoDB-wire server).

use std::{sync::Arc, time::Duration};

use numbot_core::{AuditEvent, NumberLimit, NumberSlot, PendingUpload, UserStatus, UserStore};
use numbot_store_file::FileUsers;
use numbot_store_mongo::MongoUsers;

use crate::support::MongoServer;

async fn file_users(dir: &std::path::Path) -> Arc<dyn UserStore> {
    Arc::new(FileUsers::open(dir).unwrap())
}

async fn mongo_users() -> Arc<dyn UserStore> {
    let server = MongoServer::get();
    let db = numbot_store_mongo::connect(&server.uri(), &server.fresh_database())
        .await
        .unwrap();
    Arc::new(MongoUsers::open(&db).await.unwrap())
}

async fn records_statuses_and_counts(users: Arc<dyn UserStore>) {
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

async fn uploads_wait_for_their_category_once(users: Arc<dyn UserStore>) {
    let upload = |id: &str| PendingUpload {
        file_id: id.into(),
        file_name: format!("{id}.csv"),
        numbers: 12,
        at: 1_000,
    };
    assert_eq!(users.pending_upload(1).await.unwrap(), None);
    users.put_pending_upload(1, upload("a")).await.unwrap();
    users.put_pending_upload(1, upload("b")).await.unwrap();
    assert_eq!(
        users.pending_upload(1).await.unwrap(),
        Some(upload("b")),
        "the newer replaces"
    );
    assert_eq!(users.pending_upload(2).await.unwrap(), None, "per admin");
    // Two answers at once (two replicas): one takes it.
    let (x, y) = tokio::join!(users.take_pending_upload(1), users.take_pending_upload(1));
    let taken: Vec<_> = [x.unwrap(), y.unwrap()].into_iter().flatten().collect();
    assert_eq!(taken, vec![upload("b")]);
    assert_eq!(users.pending_upload(1).await.unwrap(), None);
}

async fn the_audit_trail_keeps_order(users: Arc<dyn UserStore>) {
    for i in 0..12 {
        users
            .audit(AuditEvent {
                at: 1_000 + i / 3,
                actor: 1,
                action: "upload".into(),
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
