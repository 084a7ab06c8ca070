//! The bot end to end: teloxide's dispatcher over real HTTP to the fake Bot
//! API server, the real store and the real compiled plugins.

use std::{collections::HashSet, sync::Arc, time::Duration};

use numbot::config::Config;
use numbot_core::{AuditAction, AuditEvent, AuditLog, NumberLimit, UserStatus, Users};
use numbot_otp::ProviderConfig;
use numbot_store_file::FileUsers;
use numbot_telegram::{render::key, AccessMode, Mode, WebhookConfig};
use numbot_testing::fake_telegram::{Entry, TestUser};

use crate::support::{number_in, uae_csv, BotHarness, ADMIN};

fn admin() -> TestUser {
    TestUser::new(ADMIN)
}

/// A webhook secret as numbot accepts them: 32 characters and more.
const SECRET: &str = "webhook-secret_0123456789abcdefABCDEF";

fn text(e: &Entry) -> &str {
    e.text.as_deref().unwrap_or_default()
}

async fn upload_uae(h: &BotHarness, first: u64, n: u64, category: &str) {
    let reply = h
        .upload(&admin(), "numbers.csv", uae_csv(first, n), Some(category))
        .await;
    assert!(
        text(&reply).contains(&format!("Imported {n} numbers into {category}")),
        "{reply:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_gets_changes_and_cancels_a_number() {
    let h = BotHarness::start(|_| {}).await;
    // Menus: the users' by default and in each of the 8 languages, the
    // admins' in each admin's chat.
    assert_eq!(h.tg.calls("setMyCommands"), 1 + 8 + 1);
    let last = h.tg.last_params("setMyCommands").unwrap();
    assert_eq!(last["scope"]["chat_id"], ADMIN);
    assert!(last["commands"].to_string().contains("csvdelete"));

    let user = TestUser::new(100);
    let welcome = h.say(&user, "/start").await;
    assert!(text(&welcome).contains("You have access"), "{welcome:?}");
    let empty = h.say(&user, "/countries").await;
    assert!(text(&empty).contains("No numbers are available"));

    upload_uae(&h, 0, 5, "UAE Mobile").await;
    let list = h.say(&user, "/countries").await;
    assert_eq!(
        list.buttons,
        vec![vec![(
            "UAE Mobile (5)".to_string(),
            format!("pk:{}", key("UAE Mobile"))
        )]]
    );

    let got = h
        .press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    let first = number_in(&got);
    assert!(first.starts_with("+97150"), "{got:?}");
    // The display form comes from the formatter plugins: the example AE
    // plugin writes UAE numbers in local style.
    assert!(text(&got).contains("\n050 "), "the display form: {got:?}");
    assert!(text(&got).contains("Country: AE · Category: UAE Mobile"));
    assert!(text(&got).contains("From file: UAE_Mobile_"));
    let held = h.store.holding(100).unwrap().unwrap();
    assert_eq!(held.number, first);
    // The buttons name their use: pressed later, they act on it only.
    assert_eq!(
        got.buttons,
        vec![vec![
            ("Done".to_string(), format!("dn:{}", held.id)),
            ("Change number".to_string(), format!("chg:{}", held.id)),
            ("Cancel".to_string(), format!("cxl:{}", held.id))
        ]]
    );

    // One number at a time.
    let again = h
        .press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    assert!(text(&again).contains("You already hold"), "{again:?}");
    assert!(text(&again).contains(&first));

    // Change: the same message shows another number.
    let number_message = got.message_id.unwrap();
    let changed = h.press(&user, number_message, &got.buttons[0][1].1).await;
    assert_eq!(changed.method, "editmessagetext");
    assert_eq!(changed.message_id, Some(number_message));
    let second = number_in(&changed);
    assert_ne!(second, first);
    assert_eq!(h.store.holding(100).unwrap().unwrap().number, second);
    // The first number's Cancel (a stale copy of the message) ends nothing.
    assert_eq!(
        h.toast(&user, number_message, &got.buttons[0][2].1)
            .await
            .as_deref(),
        Some("You hold no number now.")
    );
    assert_eq!(h.store.holding(100).unwrap().unwrap().number, second);

    // Cancel: released.
    let cancelled = h.press(&user, number_message, "cxl").await;
    assert!(text(&cancelled).contains(&format!("Released <code>{second}</code>")));
    assert_eq!(h.store.holding(100).unwrap(), None);
    assert_eq!(
        h.toast(&user, number_message, "cxl").await.as_deref(),
        Some("You hold no number now.")
    );

    let stats = h.say(&user, "/stats").await;
    assert!(text(&stats).contains("UAE Mobile: "), "{stats:?}");
    assert!(text(&stats).contains("Numbers taken: 2"), "{stats:?}");
    assert!(text(&stats).contains("Holding no number now"));

    let help = h.say(&user, "/help").await;
    assert!(text(&help).contains("/countries") && !text(&help).contains("/csvdelete"));
    let admin_help = h.say(&admin(), "/help").await;
    assert!(text(&admin_help).contains("/csvdelete"));
    let unknown = h.say(&user, "/frobnicate").await;
    assert!(text(&unknown).contains("Unknown command /frobnicate"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_take_the_caption_the_range_column_or_ask() {
    let h = BotHarness::start(|_| {}).await;
    let admin = admin();

    // One Range value: that is the category.
    let csv = b"Range,Number\nUK Mobile,447400123456\nUK Mobile,447400123457\n".to_vec();
    let reply = h.upload(&admin, "uk.csv", csv, None).await;
    assert!(
        text(&reply).contains("Imported 2 numbers into UK Mobile"),
        "{reply:?}"
    );

    // Several Range values (the sample export): the bot asks.
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/sample.csv"
    ))
    .unwrap();
    let question = h.upload(&admin, "sample.csv", sample, None).await;
    assert!(text(&question).contains("Which category"), "{question:?}");
    assert!(text(&question).contains("Range column names 4 categories"));
    // Names that would not show as typed, or would name a folder: refused
    // with the reason, and the file still waits for a name.
    let slash = h.say(&admin, "UK/Mobile").await;
    assert!(
        text(&slash).contains("contains the path separator `/`. Type another name."),
        "{slash:?}"
    );
    let bidi = h.say(&admin, "Test\u{202E}eliboM").await;
    assert!(
        text(&bidi).contains("bidirectional control U+202E"),
        "{bidi:?}"
    );
    let long = h.say(&admin, &"x".repeat(65)).await;
    assert!(
        text(&long).contains("65 characters, at most 64"),
        "{long:?}"
    );
    let typed = h.say(&admin, "Mixed Test").await;
    assert!(text(&typed).contains("into Mixed Test"), "{typed:?}");
    assert!(
        text(&typed).contains("Rejected: "),
        "the report lists rejections: {typed:?}"
    );
    assert!(
        text(&typed).contains("Duplicates: 1 within the file"),
        "{typed:?}"
    );

    // No hint at all: pick an existing category with a button.
    let question = h.upload(&admin, "plain.csv", uae_csv(0, 3), None).await;
    let choice = BotHarness::button(&question, "Mixed Test");
    let done = h.press(&admin, question.message_id.unwrap(), &choice).await;
    assert!(
        text(&done).contains("Imported 3 numbers into Mixed Test"),
        "{done:?}"
    );

    // Or cancel: nothing is imported.
    let question = h.upload(&admin, "plain2.csv", uae_csv(100, 3), None).await;
    let cancel = BotHarness::button(&question, "Cancel upload");
    let cancelled = h.press(&admin, question.message_id.unwrap(), &cancel).await;
    assert!(text(&cancelled).contains("cancelled"), "{cancelled:?}");
    assert_eq!(h.store.files().unwrap().len(), 3);

    // A button under an older question does not act on the file waiting now.
    let old = h.upload(&admin, "old.csv", uae_csv(200, 3), None).await;
    let newer = h.upload(&admin, "new.csv", uae_csv(300, 3), None).await;
    assert!(text(&newer).contains("This replaces old.csv"), "{newer:?}");
    let stale = BotHarness::button(&old, "Cancel upload");
    let said = h.toast(&admin, old.message_id.unwrap(), &stale).await;
    assert!(
        said.as_deref().unwrap_or("").contains("out of date"),
        "{said:?}"
    );
    let done = h.say(&admin, "Mixed Test").await;
    assert!(
        text(&done).contains("Imported 3 numbers into Mixed Test"),
        "{done:?}"
    );
    assert_eq!(h.store.files().unwrap().len(), 4);

    // A file with nothing usable: a clear error, nothing stored.
    let bad = h
        .upload(
            &admin,
            "bad.csv",
            b"Number\nhello\n=1+1\n".to_vec(),
            Some("Bad"),
        )
        .await;
    assert!(
        text(&bad).starts_with("Nothing imported from bad.csv"),
        "{bad:?}"
    );
    assert_eq!(h.store.files().unwrap().len(), 4);

    let audit = h.say(&admin, "/audit").await;
    assert_eq!(text(&audit).matches(" · upload · ").count(), 4, "{audit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_too_big_or_not_csv_get_clear_messages() {
    let h = BotHarness::start(|_| {}).await;
    let big = vec![b'1'; 21 * 1024 * 1024];
    let reply = h.upload(&admin(), "big.csv", big, Some("UAE")).await;
    assert!(text(&reply).contains("up to 20 MB"), "{reply:?}");
    let reply = h
        .upload(
            &admin(),
            "numbers.xlsx",
            b"PK\x03\x04".to_vec(),
            Some("UAE"),
        )
        .await;
    assert!(
        text(&reply).contains("numbers.xlsx is not a CSV file"),
        "{reply:?}"
    );
    let reply = h.upload(&admin(), "scan.pdf", b"%PDF".to_vec(), None).await;
    assert!(text(&reply).contains("not a CSV file"), "{reply:?}");
    assert_eq!(h.tg.calls("getFile"), 0, "nothing was downloaded");
    assert!(h.store.files().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_refuse_users_and_the_attempts_are_audited() {
    let h = BotHarness::start(|_| {}).await;
    let user = TestUser::new(100);
    for command in [
        "/csvstats",
        "/csvlist",
        "/csvdelete",
        "/ban 5",
        "/unban 5",
        "/approve",
        "/plugins",
        "/audit",
    ] {
        let reply = h.say(&user, command).await;
        assert_eq!(
            text(&reply),
            "This command is for admins only. The attempt has been logged.",
            "{command}"
        );
    }
    let reply = h.upload(&user, "n.csv", uae_csv(0, 2), Some("X")).await;
    assert!(text(&reply).contains("Only admins can upload"));
    for data in ["ap:5", "rj:5", "del:x", "delok:x", "delno", "upc:x", "upx"] {
        assert_eq!(
            h.toast(&user, 1, data).await.as_deref(),
            Some("This button is for admins only."),
            "{data}"
        );
    }
    // An admin's upload waiting for its category is the admin's alone.
    let question = h.upload(&admin(), "plain.csv", uae_csv(0, 2), None).await;
    assert!(text(&question).contains("Which category"));
    let reply = h.say(&user, "Stolen Category").await;
    assert!(text(&reply).contains("Send /countries"), "{reply:?}");
    assert!(h.store.files().unwrap().is_empty());
    let denied = h.users.recent_audit(100).await.unwrap();
    assert_eq!(denied.len(), 16, "{denied:?}");
    assert!(denied
        .iter()
        .all(|e| e.actor == 100 && e.action == AuditAction::Denied));
    assert_eq!(denied[3].detail, "/ban");
    assert_eq!(
        h.users.get(5).await.unwrap(),
        None,
        "the refused /ban changed nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csvstats_csvlist_and_csvdelete_with_confirmation() {
    let h = BotHarness::start(|_| {}).await;
    let admin = admin();
    upload_uae(&h, 0, 4, "UAE Mobile").await;
    upload_uae(&h, 10, 6, "UAE Spare").await;
    let user = TestUser::new(100);
    let list = h.say(&user, "/countries").await;
    h.press(
        &user,
        list.message_id.unwrap(),
        &format!("pk:{}", key("UAE Mobile")),
    )
    .await;

    let from = h.tg.transcript(ADMIN).len();
    h.tg.send_text(&admin, "/csvstats");
    let replies = h.bot_entries(ADMIN, from, |e| e.len() >= 3).await;
    let table = text(&replies[0]);
    assert!(
        table.contains("<pre>") && table.contains("UAE_Mobile_") && table.contains("UAE_Spare_"),
        "{table}"
    );
    assert!(table.contains(" 25.0% "), "1 of 4 numbers used: {table}");
    assert_eq!(replies[1].method, "sendphoto");
    let (name, size) = replies[1].file.clone().unwrap();
    assert_eq!(name, "csvstats.png");
    assert!(
        size > 10_000,
        "a labelled chart, not a few bars: {size} bytes"
    );
    assert!(text(&replies[1]).contains("Numbers per file by state (2 files)"));
    // Over time: user 100's number, taken today, is today's bar.
    assert_eq!(replies[2].file.clone().unwrap().0, "usage.png");
    assert!(text(&replies[2]).contains("last 14 days"));
    let png_bytes = h.tg.sent_file("usage.png").unwrap();
    let mut reader = png::Decoder::new(png_bytes.as_slice()).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(
        (info.width, info.height),
        (
            numbot_telegram::chart::WIDTH,
            numbot_telegram::chart::USAGE_HEIGHT
        )
    );
    let [(_, taken), (_, codes)] = numbot_telegram::chart::USAGE_LEGEND;
    let count = |rgb: [u8; 3]| pixels.chunks_exact(3).filter(|p| *p == rgb).count();
    // Both colours are in the legend; only "taken" has a bar.
    assert!(
        count(taken) > count(codes) + 1_000,
        "today's number taken is drawn, and no code"
    );

    let files = h.say(&admin, "/csvlist").await;
    assert!(text(&files).contains("2 files"), "{files:?}");
    let spare = h
        .store
        .files()
        .unwrap()
        .into_iter()
        .find(|f| f.meta.country_name == "UAE Spare")
        .unwrap();

    // Pick, then say no: nothing changes.
    let pick = h.say(&admin, "/csvdelete").await;
    assert_eq!(pick.buttons.len(), 2);
    let del = format!("del:{}", key(&spare.name));
    let confirm = h.press(&admin, pick.message_id.unwrap(), &del).await;
    assert!(
        text(&confirm).contains(&format!("Delete {}?", spare.name)),
        "{confirm:?}"
    );
    let no = h.press(&admin, pick.message_id.unwrap(), "delno").await;
    assert_eq!(text(&no), "Nothing deleted.");
    assert!(h.store.files().unwrap().iter().all(|f| !f.meta.deleted));

    // Pick, confirm: deleted and audited.
    let pick = h.say(&admin, "/csvdelete").await;
    let confirm = h.press(&admin, pick.message_id.unwrap(), &del).await;
    let yes = BotHarness::button(&confirm, "Yes, delete");
    let done = h.press(&admin, pick.message_id.unwrap(), &yes).await;
    assert!(
        text(&done).contains(&format!("Deleted {}: 6 numbers", spare.name)),
        "{done:?}"
    );
    let after = h.store.files().unwrap();
    assert!(
        after
            .iter()
            .find(|f| f.name == spare.name)
            .unwrap()
            .meta
            .deleted
    );
    let categories: Vec<String> = h
        .store
        .categories()
        .unwrap()
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(categories, vec!["UAE Mobile".to_string()]);
    let audit = h.users.recent_audit(10).await.unwrap();
    assert_eq!(audit.last().unwrap().action, AuditAction::Delete);

    let plugins = h.say(&admin, "/plugins").await;
    assert!(
        text(&plugins).contains("(validator)") && text(&plugins).contains("(policy)"),
        "{plugins:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_mode_and_bans() {
    let h = BotHarness::start(|c| c.access.mode = AccessMode::Approval).await;
    let admin = admin();
    upload_uae(&h, 0, 5, "UAE Mobile").await;
    let user = TestUser::new(100);

    let from = h.tg.transcript(ADMIN).len();
    let welcome = h.say(&user, "/start").await;
    assert!(
        text(&welcome).contains("needs an admin's approval"),
        "{welcome:?}"
    );
    let request = h
        .bot_entries(ADMIN, from, |e| !e.is_empty())
        .await
        .remove(0);
    assert!(
        text(&request).contains("New user asks for access"),
        "{request:?}"
    );
    assert_eq!(BotHarness::button(&request, "Approve"), "ap:100");

    let refused = h.say(&user, "/countries").await;
    assert!(text(&refused).contains("waiting for an admin's approval"));
    // Pressing a category button directly changes nothing.
    let refused = h
        .press(&user, 1, &format!("pk:{}", key("UAE Mobile")))
        .await;
    assert!(text(&refused).contains("waiting for an admin's approval"));
    assert_eq!(h.store.holding(100).unwrap(), None);
    let pending = h.say(&admin, "/approve").await;
    assert!(text(&pending).contains("1 users wait"), "{pending:?}");

    let from = h.tg.transcript(100).len();
    assert_eq!(
        h.toast(&admin, request.message_id.unwrap(), "ap:100")
            .await
            .as_deref(),
        Some("Approved user 100.")
    );
    let told = h.bot_entries(100, from, |e| !e.is_empty()).await.remove(0);
    assert!(text(&told).contains("An admin gave you access"));
    let list = h.say(&user, "/countries").await;
    assert_eq!(list.buttons.len(), 1);

    // A ban releases the user's number and refuses everything after.
    h.press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    assert!(h.store.holding(100).unwrap().is_some());
    let banned = h.say(&admin, "/ban 100 sharing numbers").await;
    assert!(
        text(&banned).contains("Banned") && text(&banned).contains("went back to the pool"),
        "{banned:?}"
    );
    h.tg.wait_for(100, crate::support::REPLY, |e| {
        text(e).contains("You have been banned")
    })
    .await
    .expect("the user is told");
    assert_eq!(h.store.holding(100).unwrap(), None);
    let refused = h.say(&user, "/countries").await;
    assert_eq!(
        text(&refused),
        "You are banned from this bot. Reason: sharing numbers. Contact an admin if this is a mistake."
    );
    assert!(h
        .toast(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await
        .is_none());
    assert_eq!(
        h.store.holding(100).unwrap(),
        None,
        "a banned user's press does nothing"
    );
    let no = h.say(&admin, &format!("/ban {ADMIN}")).await;
    assert!(text(&no).contains("Admins cannot be banned"));
    let usage = h.say(&admin, "/ban someone").await;
    assert!(text(&usage).starts_with("Usage: /ban"));

    h.say(&admin, "/unban 100").await;
    h.tg.wait_for(100, crate::support::REPLY, |e| {
        text(e).contains("An admin gave you access") && e.at_us > told.at_us
    })
    .await
    .expect("the user is told");
    let list = h.say(&user, "/countries").await;
    assert_eq!(list.buttons.len(), 1, "{list:?}");

    // A second user rejected from the request message is banned.
    let other = TestUser::new(200);
    h.say(&other, "/start").await;
    h.toast(&admin, 1, "rj:200").await;
    assert_eq!(
        h.users.get(200).await.unwrap().unwrap().status,
        UserStatus::Banned
    );
    let actions: Vec<&str> = h
        .users
        .recent_audit(10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions[1..], ["approve", "take", "ban", "unban", "reject"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_mode_asks_telegram_for_membership() {
    let h = BotHarness::start(|c| {
        c.access.mode = AccessMode::Channel;
        c.access.channel = Some("-100777".into());
    })
    .await;
    upload_uae(&h, 0, 3, "UAE Mobile").await;
    let user = TestUser::new(100);
    for status in ["left", "kicked"] {
        h.tg.set_member(-100777, 100, status);
        let refused = h.say(&user, "/countries").await;
        assert!(
            text(&refused).contains("numbot is for members of -100777"),
            "{status}: {refused:?}"
        );
    }
    let refused = h
        .press(&user, 1, &format!("pk:{}", key("UAE Mobile")))
        .await;
    assert!(
        text(&refused).contains("numbot is for members"),
        "{refused:?}"
    );
    assert_eq!(h.store.holding(100).unwrap(), None);
    h.tg.set_member(-100777, 100, "member");
    let list = h.say(&user, "/countries").await;
    assert_eq!(list.buttons.len(), 1, "{list:?}");
    let params = h.tg.last_params("getChatMember").unwrap();
    assert_eq!(
        (params["chat_id"].as_i64(), params["user_id"].as_i64()),
        (Some(-100777), Some(100))
    );
    // Admins need no membership.
    let admin_list = h.say(&admin(), "/countries").await;
    assert_eq!(admin_list.buttons.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_say_how_long_to_wait() {
    let h = BotHarness::start(|c| {
        c.limits.numbers_per_window = 2;
        c.limits.window_secs = 3600;
        c.limits.updates_per_minute = 12;
    })
    .await;
    upload_uae(&h, 0, 5, "UAE Mobile").await;
    let user = TestUser::new(100);
    let pick = format!("pk:{}", key("UAE Mobile"));
    let got = h.press(&user, 1, &pick).await;
    let first = h.store.holding(100).unwrap().unwrap().number;
    // A press that gives no number costs no place under the limit.
    let again = h.press(&user, 1, &pick).await;
    assert!(text(&again).starts_with("You already hold"), "{again:?}");
    h.press(&user, got.message_id.unwrap(), "chg").await;
    let second = h.store.holding(100).unwrap().unwrap().number;
    assert_ne!(second, first, "the change was allowed: the second number");
    h.press(&user, got.message_id.unwrap(), "cxl").await;
    let limited = h.press(&user, 1, &pick).await;
    assert!(
        text(&limited)
            .starts_with("You have taken 2 numbers in the last 1 h 0 min. You can take another in"),
        "{limited:?}"
    );
    assert_eq!(h.store.holding(100).unwrap(), None);

    // A flood gets one message, then silence until the minute is over.
    let from = h.tg.transcript(100).len();
    for _ in 0..12 {
        h.tg.send_text(&user, "hello");
    }
    let replies = h
        .bot_entries(100, from, |e| {
            e.iter().any(|e| text(e).contains("too fast"))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all: Vec<_> =
        h.tg.transcript(100)
            .into_iter()
            .skip(from)
            .filter(|e| e.from == "bot")
            .collect();
    assert_eq!(
        all.iter().filter(|e| text(e).contains("too fast")).count(),
        1,
        "{all:?}"
    );
    assert!(replies.len() < 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn countries_are_paged() {
    let h = BotHarness::start(|_| {}).await;
    for i in 0..10 {
        upload_uae(&h, i * 10, 2, &format!("Cat {i:02}")).await;
    }
    let user = TestUser::new(100);
    let first = h.say(&user, "/countries").await;
    assert_eq!(first.buttons.len(), 9, "8 categories and the page row");
    assert_eq!(first.buttons[0][0].0, "Cat 00 (2)");
    let nav: Vec<&str> = first.buttons[8].iter().map(|b| b.0.as_str()).collect();
    assert_eq!(nav, ["1/2", "Next »"]);
    let second = h.press(&user, first.message_id.unwrap(), "pg:1").await;
    assert_eq!(second.method, "editmessagetext");
    let labels: Vec<&str> = second
        .buttons
        .iter()
        .flatten()
        .map(|b| b.0.as_str())
        .collect();
    assert_eq!(labels, ["Cat 08 (2)", "Cat 09 (2)", "« Prev", "2/2"]);
    let got = h
        .press(&user, first.message_id.unwrap(), &second.buttons[1][0].1)
        .await;
    assert!(text(&got).contains("Category: Cat 09"), "{got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_is_waited_out_and_nothing_is_dropped() {
    let h = BotHarness::start(|_| {}).await;
    h.tg.throttle_method("sendMessage", 8, 1);
    let users: Vec<TestUser> = (100..105).map(TestUser::new).collect();
    let from: Vec<usize> = users.iter().map(|u| h.tg.transcript(u.id).len()).collect();
    for u in &users {
        h.tg.send_text(u, "/start");
    }
    for (u, from) in users.iter().zip(from) {
        let reply = h.bot_entries(u.id, from, |e| !e.is_empty()).await;
        assert_eq!(reply.len(), 1);
        assert!(text(&reply[0]).contains("You have access"));
    }
    assert_eq!(h.tg.calls("sendMessage"), 5 + 8, "every 429 was retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_without_the_throttle_adaptor_is_waited_out_too() {
    let h = BotHarness::start(|c| c.telegram.throttle = false).await;
    h.tg.throttle_method("sendMessage", 3, 1);
    let user = TestUser::new(100);
    let reply = h.say(&user, "/start").await;
    assert!(text(&reply).contains("You have access"));
    assert_eq!(h.tg.calls("sendMessage"), 4);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_takes_updates_with_the_secret_and_refuses_others() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/telegram");
    let h = BotHarness::start(|c| {
        c.telegram.mode = Mode::Webhook;
        c.telegram.webhook = Some(WebhookConfig {
            listen: format!("127.0.0.1:{port}").parse().unwrap(),
            url: url.clone(),
            secret_token: SECRET.into(),
        });
    })
    .await;
    assert_eq!(h.tg.webhook(), Some((url.clone(), Some(SECRET.into()))));
    let user = TestUser::new(100);
    let reply = h.say(&user, "/start").await;
    assert!(text(&reply).contains("You have access"), "{reply:?}");

    let update = serde_json::json!({"update_id": 999, "message": {
        "message_id": 999, "date": 0, "chat": {"id": 300, "type": "private", "first_name": "M"},
        "from": {"id": 300, "is_bot": false, "first_name": "M"}, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}});
    let client = reqwest::Client::new();
    for secret in [Some("wrong-secret"), Some(&SECRET[..31]), None] {
        let mut request = client.post(&url).json(&update);
        if let Some(s) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        let status = request.send().await.unwrap().status();
        assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "{secret:?}");
    }
    // Without the secret, a huge body is refused before it is read; with
    // it, a body past the limit is refused too.
    let huge = vec![b' '; 64 << 20];
    let started = std::time::Instant::now();
    let refused = client.post(&url).body(huge.clone()).send().await;
    assert!(
        refused.map_or(true, |r| r.status() == reqwest::StatusCode::UNAUTHORIZED),
        "no secret, no body read"
    );
    let too_big = client
        .post(&url)
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .header("content-type", "application/json")
        .body(vec![b' '; 1 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    eprintln!(
        "64 MiB without the secret refused in {:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        h.tg.transcript(300).is_empty(),
        "refused updates are not handled"
    );
    let ok = client
        .post(&url)
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert!(ok.status().is_success());
    let reply = h.bot_entries(300, 0, |e| !e.is_empty()).await;
    assert!(text(&reply[0]).contains("You have access"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_users_at_once_get_distinct_numbers() {
    let h = BotHarness::start(|_| {}).await;
    upload_uae(&h, 0, 60, "UAE Mobile").await;
    let users: Vec<TestUser> = (1000..1050).map(TestUser::new).collect();
    for u in &users {
        h.tg.send_text(u, "/countries");
    }
    let mut keyboards = Vec::new();
    for u in &users {
        keyboards.push(h.bot_entries(u.id, 0, |e| !e.is_empty()).await.remove(0));
    }
    for (u, k) in users.iter().zip(&keyboards) {
        h.tg.press_button(u, k.message_id.unwrap(), &k.buttons[0][0].1);
    }
    let mut numbers = HashSet::new();
    for u in &users {
        let replies = h.bot_entries(u.id, 0, |e| e.len() >= 2).await;
        assert!(
            numbers.insert(number_in(&replies[1])),
            "a number given twice"
        );
    }
    assert_eq!(numbers.len(), 50);
    let held: HashSet<String> = h
        .store
        .assignments()
        .unwrap()
        .into_iter()
        .map(|a| a.number)
        .collect();
    assert_eq!(held, numbers);
}

#[tokio::test]
async fn user_records_and_the_audit_trail_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let users = FileUsers::open(dir.path()).unwrap();
        let (r, created) = users
            .seen(7, "Ann", None, UserStatus::Pending)
            .await
            .unwrap();
        assert!(created && r.status == UserStatus::Pending);
        let (_, created) = users
            .seen(7, "Ann (@ann)", None, UserStatus::Active)
            .await
            .unwrap();
        assert!(!created);
        users
            .set_status(7, UserStatus::Banned, 1, Some("spam".into()))
            .await
            .unwrap();
        let limit = NumberLimit {
            max: 10,
            window: std::time::Duration::from_secs(60),
        };
        users.take_number(7, 1_000, &limit, false).await.unwrap();
        users
            .audit(AuditEvent {
                at: 1,
                actor: 1,
                action: AuditAction::Ban,
                detail: "user 7".into(),
            })
            .await
            .unwrap();
    }
    // A crash mid-write leaves a torn line, cut inside a multi-byte
    // character: it is dropped at open, and the next record stays whole.
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("users.jsonl"))
        .unwrap();
    f.write_all(&"{\"id\": 8, \"name\": \"Пётр".as_bytes()[..22])
        .unwrap();
    drop(f);
    {
        let users = FileUsers::open(dir.path()).unwrap();
        users
            .set_status(9, UserStatus::Banned, 1, None)
            .await
            .unwrap();
    }
    let users = FileUsers::open(dir.path()).unwrap();
    assert_eq!(
        users.get(9).await.unwrap().unwrap().status,
        UserStatus::Banned
    );
    let r = users.get(7).await.unwrap().unwrap();
    assert_eq!(
        (r.name.as_str(), r.status, r.numbers_taken),
        ("Ann (@ann)", UserStatus::Banned, 1)
    );
    assert_eq!((r.status_by, r.reason.as_deref()), (Some(1), Some("spam")));
    assert_eq!(users.get(8).await.unwrap(), None);
    assert_eq!(
        users.with_status(UserStatus::Banned).await.unwrap().len(),
        2
    );
    assert_eq!(users.recent_audit(5).await.unwrap()[0].detail, "user 7");
}

#[test]
fn the_example_config_parses_and_the_environment_overrides_secrets() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/numbot.toml"
    ))
    .unwrap();
    let config = Config::parse(&text).unwrap();
    assert_eq!(config.telegram.mode, Mode::Polling);
    assert!(config.api.is_none(), "the API is off unless asked for");
    // The commented `[api]` section is valid as written.
    let api: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "# [api]")
        .take_while(|l| l.starts_with("# "))
        .map(|l| &l[2..])
        .collect();
    let api = Config::parse(&api.join("\n")).unwrap().api.expect("[api]");
    assert_eq!(
        (api.numbers_per_window, api.requests_per_second),
        (Some(100), 50)
    );
    assert_eq!(api.sms_activate.map[0].category, "UK Telegram");
    assert_eq!(api.sms_activate.map[0].country, Some(16));
    assert!(!api.webhooks.allow_private);
    assert_eq!(api.waits_per_token, 100);
    assert!(config.clone().checked().is_err(), "no token in the file");
    let env = |k: &str| match k {
        "NUMBOT_TELEGRAM_TOKEN" => Some("123:abc".to_string()),
        "NUMBOT_ADMINS" => Some("5, 6".to_string()),
        _ => None,
    };
    let config = config.with_env(env).unwrap().checked().unwrap();
    assert_eq!(config.telegram.token, "123:abc");
    assert_eq!(config.access.admins, [5, 6]);

    let bad = Config::parse("[telegram]\nmode = \"carrier-pigeon\"\n").unwrap_err();
    assert!(bad.to_string().contains("carrier-pigeon"), "{bad}");
    let unknown = Config::parse("[telegram]\ntokn = \"x\"\n").unwrap_err();
    assert!(unknown.to_string().contains("tokn"), "{unknown}");
    let mut hook = Config::parse("[telegram]\ntoken = \"1:a\"\nmode = \"webhook\"\n[telegram.webhook]\nlisten = \"127.0.0.1:8443\"\nurl = \"https://bot.example/hook\"\n").unwrap();
    let err = hook.clone().checked().unwrap_err();
    assert!(err.to_string().contains("secret_token"), "{err}");
    let short = hook
        .clone()
        .with_env(|k| (k == "NUMBOT_WEBHOOK_SECRET").then(|| "abc-DEF_123".to_string()))
        .unwrap()
        .checked()
        .unwrap_err();
    assert!(short.to_string().contains("32-256 characters"), "{short}");
    hook = hook
        .with_env(|k| (k == "NUMBOT_WEBHOOK_SECRET").then(|| SECRET.to_string()))
        .unwrap();
    assert!(hook.checked().is_ok());
    let sms = Config::parse("[telegram]\ntoken = \"1:a\"\n[sms]\nprovider = \"twilio\"\nurl = \"https://api.twilio.example\"\naccount = \"AC1\"\n")
        .unwrap()
        .with_env(|k| (k == "NUMBOT_SMS_TOKEN").then(|| "secret".to_string()))
        .unwrap()
        .checked()
        .unwrap();
    assert!(
        matches!(sms.sms.unwrap().provider, ProviderConfig::Twilio { token, .. } if token == "secret")
    );
    let err = Config::parse("[telegram]\ntoken = \"1:a\"\n[sms]\nprovider = \"carrier-pigeon\"\nurl = \"https://x.example\"\n")
        .unwrap_err();
    assert!(err.to_string().contains("carrier-pigeon"), "{err}");
    let err = Config::parse("[access]\nmode = \"channel\"\n[telegram]\ntoken = \"1:a\"\n")
        .unwrap()
        .checked()
        .unwrap_err();
    assert!(err.to_string().contains("access.channel"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_polling_process_stops_with_a_clear_reason() {
    let h = BotHarness::start(|_| {}).await;
    // The first process has been polling for a while (past the newcomer window).
    tokio::time::sleep(Duration::from_millis(5500)).await;
    // A second process with the same token, on a data directory of its own.
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.telegram.token = h.tg.token().into();
    config.telegram.api_url = h.tg.api_url();
    config.access.admins = vec![ADMIN];
    config.store.data_dir = dir.path().join("data");
    let config = config.checked().unwrap();
    let (_store, _users, backends) = crate::support::file_backends(&config);
    let mut second = numbot::compose::serve(&config, backends, crate::support::shared_plugins())
        .await
        .unwrap();
    // The first process gets the first 409, polls again, and the second one
    // (the newcomer) stops with the reason.
    let reason = tokio::time::timeout(crate::support::REPLY, second.bot.finished())
        .await
        .ok();
    let reason = match reason {
        Some(r) => r,
        None => panic!("neither poller stopped"),
    };
    assert!(
        reason.contains("another process is already long-polling"),
        "{reason}"
    );
    assert!(h.tg.calls("getUpdates") >= 2);
    // The process that stayed answers as before.
    let reply = h.say(&TestUser::new(100), "/start").await;
    assert!(text(&reply).contains("You have access"), "{reply:?}");
}

/// The plugins, counting the validator's calls.
struct Counting {
    inner: numbot_core::SharedPlugins,
    validated: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl numbot_core::Plugins for Counting {
    async fn validate(
        &self,
        file_name: String,
        bytes: Arc<Vec<u8>>,
    ) -> Result<numbot_core::plugins::Validation, numbot_core::PluginError> {
        self.validated
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.validate(file_name, bytes).await
    }

    async fn format(
        &self,
        numbers: Vec<String>,
        default_country: Option<String>,
    ) -> Result<numbot_core::plugins::FormatResults, numbot_core::PluginError> {
        self.inner.format(numbers, default_country).await
    }

    async fn select(
        &self,
        request: numbot_core::plugins::Request,
    ) -> Result<numbot_core::plugins::Choice, numbot_core::PluginError> {
        self.inner.select(request).await
    }

    fn select_blocking(
        &self,
        request: &numbot_core::plugins::Request,
    ) -> Result<numbot_core::plugins::Choice, numbot_core::PluginError> {
        self.inner.select_blocking(request)
    }

    async fn extract(&self, text: String) -> Result<Option<String>, numbot_core::PluginError> {
        self.inner.extract(text).await
    }

    fn inventory(&self) -> numbot_core::plugins::Inventory {
        self.inner.inventory()
    }
}

/// One upload, one validation: with a caption, with the category its rows
/// name, and with the question and its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_validated_once_per_upload() {
    let counting = Arc::new(Counting {
        inner: crate::support::shared_plugins(),
        validated: std::sync::atomic::AtomicUsize::new(0),
    });
    let h = BotHarness::start_with(counting.clone(), |_| {}).await;
    let admin = TestUser::new(ADMIN);
    let validated = || counting.validated.load(std::sync::atomic::Ordering::SeqCst);
    let reply = h.upload(&admin, "a.csv", uae_csv(0, 3), Some("UAE")).await;
    assert!(text(&reply).contains("Imported 3"), "{reply:?}");
    assert_eq!(validated(), 1, "with a caption");

    let ranged = crate::support::ranged_csv("UAE Mobile", 20, 3);
    let reply = h.upload(&admin, "ranged.csv", ranged, None).await;
    assert!(text(&reply).contains("into UAE Mobile"), "{reply:?}");
    assert_eq!(validated(), 2, "the Range column names the category");

    let question = h.upload(&admin, "b.csv", uae_csv(10, 3), None).await;
    assert!(text(&question).contains("Which category"), "{question:?}");
    let reply = h.say(&admin, "UAE").await;
    assert!(text(&reply).contains("Imported 3"), "{reply:?}");
    assert_eq!(validated(), 3, "asked, then answered");
    assert_eq!(h.tg.calls("getFile"), 3, "nor fetched again for the answer");
}

/// A reply past Telegram's 4,096 UTF-16 units is split at line ends, never
/// cut off or lost: `/audit` with twenty long entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_replies_are_split_within_telegrams_limit() {
    let h = BotHarness::start(|c| c.limits.updates_per_minute = 1_000).await;
    let admin = TestUser::new(ADMIN);
    let reason = "😀".repeat(90);
    for user in 500..520 {
        h.say(&admin, &format!("/ban {user} {reason}")).await;
    }
    let from = h.tg.transcript(ADMIN).len();
    h.tg.send_text(&admin, "/audit");
    let replies = h
        .bot_entries(ADMIN, from, |e| {
            e.iter()
                .map(|e| text(e).matches("· ban ·").count())
                .sum::<usize>()
                >= 20
        })
        .await;
    assert!(
        replies.len() >= 2,
        "split in several messages: {}",
        replies.len()
    );
    for r in &replies {
        let units = text(r).encode_utf16().count();
        assert!(units <= 4096, "{units} units");
    }
}
