//! `/broadcast` through the fake Bot API: preview, confirm, progress and
//! final count; a user who blocked the bot; Cancel, Stop, and a broadcast
//! a restart interrupted, resumed where it was.

use std::time::Duration;

use numbot_core::{AuditAction, AuditLog, UserStatus, Users};
use numbot_testing::fake_telegram::{Entry, TestUser};

use crate::support::{BotHarness, ADMIN};

fn text(e: &Entry) -> &str {
    e.text.as_deref().unwrap_or_default()
}

async fn admin_sees(h: &BotHarness, what: &str) -> Entry {
    h.tg.wait_for(ADMIN, Duration::from_secs(60), |e| {
        e.from == "bot" && text(e).contains(what)
    })
    .await
    .unwrap_or_else(|| panic!("no {what:?} for the admin: {:?}", h.tg.transcript(ADMIN)))
}

fn got(h: &BotHarness, user: i64, what: &str) -> usize {
    h.tg.transcript(user)
        .iter()
        .filter(|e| e.from == "bot" && text(e) == what)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_is_previewed_confirmed_and_counted() {
    let h = BotHarness::start(|c| c.limits.updates_per_minute = 1_000).await;
    let admin = TestUser::new(ADMIN);
    for user in 200..212 {
        h.say(&TestUser::new(user), "/start").await;
    }
    h.tg.block(205);
    let message = "Maintenance tonight at 22:00 UTC: numbers are back at 22:30.";
    let preview = h.say(&admin, &format!("/broadcast {message}")).await;
    let active = h.users.with_status(UserStatus::Active).await.unwrap().len();
    assert!(active >= 12);
    assert_eq!(
        text(&preview),
        format!("📣 To {active} active users:\n\n{message}")
    );
    assert_eq!(preview.buttons[0][0].0, format!("Send to {active}"));
    assert_eq!(preview.buttons[0][1].0, "Cancel");
    // Nothing goes out before the admin confirms.
    assert_eq!(got(&h, 200, message), 0);

    let send = preview.buttons[0][0].1.clone();
    assert_eq!(
        h.toast(&admin, preview.message_id.unwrap(), &send)
            .await
            .as_deref(),
        Some("Sending.")
    );
    let end = admin_sees(&h, "Broadcast finished").await;
    assert_eq!(
        text(&end),
        format!(
            "📣 Broadcast finished: {active} of {active}: {} delivered, 1 blocked the bot, 0 failed.",
            active - 1
        )
    );
    assert_eq!(
        end.message_id, preview.message_id,
        "the preview became the progress"
    );
    for user in (200..212).filter(|u| *u != 205) {
        assert_eq!(got(&h, user, message), 1, "user {user}");
    }
    assert_eq!(got(&h, 205, message), 0);
    let audit = h.users.recent_audit(10).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == AuditAction::Broadcast),
        "{audit:?}"
    );
    assert!(
        audit.iter().any(|e| e.action == AuditAction::BroadcastEnd),
        "{audit:?}"
    );

    // A finished preview's button does nothing.
    assert_eq!(
        h.toast(&admin, preview.message_id.unwrap(), &send)
            .await
            .as_deref(),
        Some("This preview is no longer current.")
    );
    // Cancel under a preview: nothing is sent.
    let second = h.say(&admin, "/broadcast Never sent").await;
    let cancelled = h
        .press(&admin, second.message_id.unwrap(), &second.buttons[0][1].1)
        .await;
    assert_eq!(text(&cancelled), "Broadcast cancelled: nothing was sent.");
    assert_eq!(got(&h, 200, "Never sent"), 0);
    // Users cannot broadcast.
    let refused = h.say(&TestUser::new(200), "/broadcast hi").await;
    assert!(!text(&refused).contains("To "), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_stops_when_told() {
    let h = BotHarness::start(|c| c.limits.updates_per_minute = 1_000).await;
    let admin = TestUser::new(ADMIN);
    for user in 300..306 {
        h.say(&TestUser::new(user), "/start").await;
    }
    let preview = h.say(&admin, "/broadcast Slow news").await;
    // The first message waits out three flood waits: Stop lands meanwhile.
    h.tg.throttle_method("sendMessage", 3, 1);
    h.press(
        &admin,
        preview.message_id.unwrap(),
        &preview.buttons[0][0].1,
    )
    .await;
    let sending = admin_sees(&h, "📣 Broadcast: 0 of").await;
    let stop = sending.buttons[0][0].clone();
    assert_eq!(stop.0, "Stop");
    assert_eq!(
        h.toast(&admin, preview.message_id.unwrap(), &stop.1)
            .await
            .as_deref(),
        Some("Stopping.")
    );
    let end = admin_sees(&h, "Broadcast stopped after").await;
    let sent: usize = text(&end)
        .trim_start_matches("📣 Broadcast stopped after ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(sent < 7, "stopped before the end: {end:?}");
    assert!(text(&end).contains(&format!("{sent} delivered")), "{end:?}");
    let reached = std::iter::once(ADMIN)
        .chain(300..306)
        .filter(|u| got(&h, *u, "Slow news") > 0)
        .count();
    assert_eq!(reached, sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_a_restart_interrupted_resumes_where_it_was() {
    let data = tempfile::tempdir().unwrap();
    let recipients: Vec<i64> = (401..=410).collect();
    std::fs::write(
        data.path().join("broadcast.json"),
        serde_json::json!({
            "id": 7, "admin": ADMIN, "text": "Resumed news", "message": 999_999,
            "recipients": recipients, "next": 3, "delivered": 3, "blocked": 0,
            "failed": 0, "stage": "sending",
        })
        .to_string(),
    )
    .unwrap();
    let dir = data.path().to_path_buf();
    let h = BotHarness::start(move |c| c.store.data_dir = dir).await;
    let end = admin_sees(&h, "Broadcast finished").await;
    assert_eq!(
        text(&end),
        "📣 Broadcast finished: 10 of 10: 10 delivered, 0 blocked the bot, 0 failed."
    );
    for user in 401..=403 {
        assert_eq!(
            got(&h, user, "Resumed news"),
            0,
            "user {user} had it before"
        );
    }
    for user in 404..=410 {
        assert_eq!(got(&h, user, "Resumed news"), 1, "user {user}");
    }
    assert!(
        !data.path().join("broadcast.json").exists(),
        "over: nothing to resume"
    );
}
