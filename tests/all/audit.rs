//! Audit once: every use case records its own typed entry, so each front
//! end offering an action (the Telegram bot, the HTTP API, the
//! SMS-Activate protocol, the command line) records the same entry for it.
//! One table says who offers what.

use std::sync::Arc;

use numbot_core::{AuditAction, AuditEvent, AuditLog};
use numbot_store_file::FileUsers;
use numbot_telegram::{callback::Callback, render::key};
use numbot_testing::fake_telegram::{Entry, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{defaults, uae_csv, BotHarness, ADMIN};

/// The front ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Front {
    Telegram,
    Api,
    SmsActivate,
    Cli,
}

use AuditAction as A;
use Front::{Api, Cli, SmsActivate, Telegram};

/// Which front ends offer each action (the CLI has no take; the API has no
/// ban). A relay refused is the monitor's; `Other` names entries of older
/// versions.
const OFFERED: &[(AuditAction, &[Front])] = &[
    (A::Take, &[Telegram, Api, SmsActivate]),
    (A::Change, &[Telegram]),
    (A::Release, &[Telegram, Api, SmsActivate]),
    (A::Done, &[Telegram, Api, SmsActivate]),
    (A::Upload, &[Telegram, Cli]),
    (A::Delete, &[Telegram, Cli]),
    (A::Approve, &[Telegram]),
    (A::Reject, &[Telegram]),
    (A::Ban, &[Telegram]),
    (A::Unban, &[Telegram]),
    (A::TokenCreate, &[Telegram, Cli]),
    (A::TokenRevoke, &[Telegram, Cli]),
    (A::WebhookSet, &[Api]),
    (A::WebhookRemove, &[Api]),
    (A::Broadcast, &[Telegram]),
    (A::BroadcastEnd, &[Telegram]),
    (A::Export, &[Telegram]),
    (A::Denied, &[Telegram]),
    (A::RelayRefused, &[]),
    (A::Other, &[]),
];

/// An entry a front end must have recorded.
struct Expected {
    front: Front,
    action: AuditAction,
    actor: i64,
    detail: String,
}

fn text(e: &Entry) -> &str {
    e.text.as_deref().unwrap_or_default()
}

/// The use held now by `user`, as the audit trail names it.
fn use_detail(h: &BotHarness, user: i64, label: &str) -> String {
    let a = h.store.holding(user).unwrap().expect("a number held");
    format!("{label}{} ({}) use {}", a.number, a.category, a.id)
}

/// The Telegram side: an admin and a user through every action the bot
/// offers; the API on the same pool.
async fn telegram_and_api(h: &BotHarness, expected: &mut Vec<Expected>) {
    let admin = TestUser::new(ADMIN);
    let user = TestUser::new(100);
    let mut want = |front, action, actor, detail: String| {
        expected.push(Expected {
            front,
            action,
            actor,
            detail,
        })
    };
    // Approval mode: the user waits; the admin lets them in; another is refused.
    h.say(&user, "/start").await;
    h.toast(&admin, 1, &Callback::Approve(100).encode()).await;
    want(Telegram, A::Approve, ADMIN, "user 100".into());
    h.say(&TestUser::new(200), "/start").await;
    h.toast(&admin, 1, &Callback::Reject(200).encode()).await;
    want(Telegram, A::Reject, ADMIN, "user 200".into());

    let report = h
        .upload(&admin, "pool.csv", uae_csv(0, 6), Some("UAE"))
        .await;
    assert!(text(&report).contains("Imported 6"), "{report:?}");
    let stored = h.store.files().unwrap()[0].name.clone();
    want(
        Telegram,
        A::Upload,
        ADMIN,
        format!("pool.csv -> {stored} (6 numbers in UAE)"),
    );

    let pick = Callback::Pick(key("UAE")).encode();
    let number = h.press(&user, 1, &pick).await;
    want(Telegram, A::Take, 100, use_detail(h, 100, ""));
    let id = number.message_id.unwrap();
    h.press(&user, id, &number.buttons[0][1].1).await;
    want(Telegram, A::Change, 100, use_detail(h, 100, ""));
    let done = use_detail(h, 100, "");
    h.toast(&user, id, &Callback::Done(None).encode()).await;
    want(Telegram, A::Done, 100, done);
    h.press(&user, 1, &pick).await;
    let released = use_detail(h, 100, "");
    h.toast(&user, id, &Callback::Cancel(None).encode()).await;
    want(Telegram, A::Release, 100, released);

    h.say(&admin, "/ban 100 spam").await;
    want(Telegram, A::Ban, ADMIN, "user 100: spam".into());
    h.say(&admin, "/unban 100").await;
    want(Telegram, A::Unban, ADMIN, "user 100".into());
    h.say(&user, "/csvstats").await;
    want(Telegram, A::Denied, 100, "/csvstats".into());

    // A token made in Telegram opens the API, whose uses are audited alike.
    let made = h.say(&admin, "/token create ci").await;
    let secret = text(&made)
        .split(['>', '<'])
        .find(|s| s.starts_with("nbt_"))
        .expect("the secret")
        .to_string();
    want(Telegram, A::TokenCreate, ADMIN, "ci (id 1)".into());
    let base = format!("http://{}", h.service.api_addr().unwrap());
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        let (http, secret) = (http.clone(), secret.clone());
        async move {
            let r = http.post(path).bearer_auth(secret).json(&body).send().await;
            let r = r.unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let account = numbot_core::tokens::ApiToken {
        id: 1,
        name: "ci".into(),
        hash: String::new(),
        categories: vec![],
        numbers_per_window: None,
        max_uses: 1,
        created_at: 0,
        revoked_at: None,
    }
    .account();
    let holder = account - 1;
    for end in ["done", "cancel"] {
        let (status, taken) = post(format!("{base}/v1/numbers"), json!({"category": "UAE"})).await;
        assert_eq!(status, StatusCode::CREATED, "{taken}");
        let detail = use_detail(h, holder, "api token ci: ");
        want(Api, A::Take, account, detail.clone());
        let path = format!("{base}/v1/uses/{}/{end}", taken["use_id"].as_str().unwrap());
        assert_eq!(post(path, json!({})).await.0, StatusCode::OK);
        let action = if end == "done" { A::Done } else { A::Release };
        want(Api, action, account, detail);
    }
    // The same uses through the SMS-Activate protocol.
    for status in ["6", "8"] {
        let ask = |params: Vec<(&'static str, String)>| {
            let (http, url) = (http.clone(), format!("{base}/stubs/handler_api.php"));
            async move {
                http.get(url)
                    .query(&params)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let key = || ("api_key", secret.clone());
        let taken = ask(vec![
            key(),
            ("action", "getNumber".into()),
            ("service", "ot".into()),
        ])
        .await;
        let id = taken
            .split(':')
            .nth(1)
            .unwrap_or_else(|| panic!("{taken}"))
            .to_string();
        let detail = use_detail(h, holder, "api token ci: ");
        want(SmsActivate, A::Take, account, detail.clone());
        let answer = ask(vec![
            key(),
            ("action", "setStatus".into()),
            ("id", id),
            ("status", status.into()),
        ])
        .await;
        assert!(answer.starts_with("ACCESS_"), "{answer}");
        let action = if status == "6" { A::Done } else { A::Release };
        want(SmsActivate, action, account, detail);
    }
    let hook = |method: reqwest::Method| {
        let (http, secret, url) = (http.clone(), secret.clone(), format!("{base}/v1/webhook"));
        async move {
            http.request(method, url)
                .bearer_auth(secret)
                .json(&json!({"url": "https://hooks.example.com/numbot"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(hook(reqwest::Method::PUT).await, StatusCode::OK);
    want(
        Api,
        A::WebhookSet,
        account,
        "api token ci: https://hooks.example.com/numbot".into(),
    );
    assert_eq!(hook(reqwest::Method::DELETE).await, StatusCode::NO_CONTENT);
    want(Api, A::WebhookRemove, account, "api token ci".into());
    // The API offers no ban.
    let (status, _) = post(format!("{base}/v1/users/100/ban"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    h.say(&admin, "/token revoke ci").await;
    want(
        Telegram,
        A::TokenRevoke,
        ADMIN,
        "ci (id 1); 0 numbers released".into(),
    );
    h.say(&admin, "/export").await;
    h.tg.wait_for(ADMIN, crate::support::REPLY, |e| {
        text(e).contains("uses (XLSX)")
    })
    .await
    .expect("the export");
    want(
        Telegram,
        A::Export,
        ADMIN,
        "beginning to now: 7 uses".into(),
    );

    let preview = h.say(&admin, "/broadcast Hello all").await;
    h.toast(
        &admin,
        preview.message_id.unwrap(),
        &preview.buttons[0][0].1,
    )
    .await;
    h.tg.wait_for(ADMIN, std::time::Duration::from_secs(60), |e| {
        text(e).contains("Broadcast finished")
    })
    .await
    .expect("the broadcast ends");
    want(
        Telegram,
        A::Broadcast,
        ADMIN,
        "to 2 users: Hello all".into(),
    );
    want(
        Telegram,
        A::BroadcastEnd,
        ADMIN,
        "finished: 2 of 2: 2 delivered, 0 blocked the bot, 0 failed".into(),
    );

    let list = h.say(&admin, "/csvdelete").await;
    let confirm = h
        .press(&admin, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    h.press(
        &admin,
        confirm.message_id.unwrap(),
        &confirm.buttons[0][0].1,
    )
    .await;
    want(Telegram, A::Delete, ADMIN, format!("{stored} (UAE)"));
}

/// The command line's pool commands, on a data directory of their own.
fn command_line(dir: &std::path::Path, expected: &mut Vec<Expected>) {
    let data = dir.to_str().unwrap();
    let plugins = defaults();
    let common = [
        "--data-dir",
        data,
        "--plugin-dir",
        plugins.to_str().unwrap(),
        "--admin",
        "7",
    ];
    let csv = dir.join("cli.csv");
    std::fs::write(&csv, uae_csv(100, 4)).unwrap();
    let run = |args: &[&str]| {
        let (ok, stdout, stderr) = crate::cli::numbot(&[args, &common[..]].concat());
        assert!(ok, "numbot {args:?}: {stderr}");
        stdout
    };
    let out = run(&["import", csv.to_str().unwrap(), "--category", "UAE"]);
    let first = out.lines().next().unwrap();
    let stored = first.split(" as ").nth(1).unwrap().trim().to_string();
    let mut want = |action, detail: String| {
        expected.push(Expected {
            front: Cli,
            action,
            actor: 7,
            detail,
        })
    };
    want(A::Upload, format!("cli.csv -> {stored} (4 numbers in UAE)"));
    run(&["token", "create", "cli-ci"]);
    want(A::TokenCreate, "cli-ci (id 1)".into());
    run(&["token", "revoke", "cli-ci"]);
    want(A::TokenRevoke, "cli-ci (id 1); 0 numbers released".into());
    run(&["delete", &stored]);
    want(A::Delete, format!("{stored} (UAE)"));
    // The command line offers no take.
    let (ok, _, stderr) = crate::cli::numbot(&[&["take", "UAE"][..], &common[..]].concat());
    assert!(
        !ok && stderr.contains("unrecognized subcommand"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_front_end_records_the_same_entry_for_an_action() {
    let covered: Vec<AuditAction> = OFFERED.iter().map(|(a, _)| *a).collect();
    assert_eq!(
        covered,
        AuditAction::ALL,
        "the table names every action once"
    );

    let h = BotHarness::start(|c| {
        c.access.mode = numbot_telegram::AccessMode::Approval;
        c.api = Some(numbot_api::ApiConfig::new("127.0.0.1:0".parse().unwrap()));
        c.limits.updates_per_minute = 1_000;
    })
    .await;
    let mut expected = Vec::new();
    telegram_and_api(&h, &mut expected).await;
    let cli_dir = tempfile::tempdir().unwrap();
    let dir = cli_dir.path().to_path_buf();
    let mut from_cli = Vec::new();
    tokio::task::spawn_blocking(move || {
        command_line(&dir, &mut from_cli);
        from_cli
    })
    .await
    .map(|v| expected.extend(v))
    .unwrap();

    let bot_trail = h.users.recent_audit(500).await.unwrap();
    let cli_trail = Arc::new(FileUsers::open(cli_dir.path()).unwrap())
        .recent_audit(500)
        .await
        .unwrap();
    let mut missing = Vec::new();
    for e in &expected {
        let trail: &[AuditEvent] = if e.front == Cli {
            &cli_trail
        } else {
            &bot_trail
        };
        let found = trail
            .iter()
            .any(|t| t.action == e.action && t.actor == e.actor && t.detail == e.detail);
        if !found {
            missing.push(format!(
                "{:?} {} by {}: {:?}",
                e.front, e.action, e.actor, e.detail
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "not recorded: {missing:#?}\nbot: {bot_trail:#?}\ncli: {cli_trail:#?}"
    );
    for (action, fronts) in OFFERED {
        let seen: Vec<Front> = {
            let mut s: Vec<Front> = expected
                .iter()
                .filter(|e| e.action == *action)
                .map(|e| e.front)
                .collect();
            s.sort();
            s.dedup();
            s
        };
        assert_eq!(&seen[..], *fronts, "{action}: offered by {fronts:?}");
    }
}
