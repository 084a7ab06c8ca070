//! The SMS-Activate-compatible endpoint: every action and error reply byte
//! for byte, over GET, a form POST and a query POST; a client library from
//! PyPI (aiosmsactivate) driving it; the operator's service map; and an
//! activation taken on one replica, read and ended on the other.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use numbot_api::sms_activate::ServiceMap;
use numbot_core::tokens::NewToken;
use numbot_testing::fake_sms::FakeSms;
use serde_json::{json, Value};

use crate::{api::Api, support::uae_csv};

const PATH: &str = "/stubs/handler_api.php";

/// How a client sends its parameters.
#[derive(Clone, Copy)]
enum Send {
    Get,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// aiosmsactivate's way: the query string, an empty octet-stream body.
    PostQuery,
}

async fn ask(api: &Api, send: Send, params: &[(&str, &str)]) -> String {
    let url = format!("{}{PATH}", api.base);
    let request = match send {
        Send::Get => api.http.get(url).query(params),
        Send::Form => api.http.post(url).form(params),
        Send::PostQuery => api
            .http
            .post(url)
            .query(params)
            .header("content-type", "application/octet-stream"),
    };
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "always 200: {params:?}");
    response.text().await.unwrap()
}

/// `ask` with the key and the action first.
async fn act(api: &Api, key: &str, action: &str, more: &[(&str, &str)]) -> String {
    let mut params = vec![("api_key", key), ("action", action)];
    params.extend_from_slice(more);
    ask(api, Send::Get, &params).await
}

/// Polls `getStatus` until it says `STATUS_OK:`.
async fn code(api: &Api, key: &str, id: &str) -> String {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let status = act(api, key, "getStatus", &[("id", id)]).await;
        if let Some(code) = status.strip_prefix("STATUS_OK:") {
            return code.to_string();
        }
        assert!(Instant::now() < until, "no code: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn started(sms: &FakeSms, change: impl FnOnce(&mut numbot::config::Config)) -> Api {
    let api = Api::start_with(Some(sms), change).await;
    api.upload(0, 5, "UAE Mobile").await;
    api
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_and_error_answers_in_the_protocols_words() {
    let sms = FakeSms::start().await.unwrap();
    let api = started(&sms, |c| {
        c.api.as_mut().unwrap().requests_per_second = 1_000;
    })
    .await;
    let key = api.token("qa", &[], Some(100), 2).await;
    let other = api.token("other", &[], Some(100), 1).await;

    // The key and the action, whichever way they come.
    for send in [Send::Get, Send::Form, Send::PostQuery] {
        assert_eq!(ask(&api, send, &[("action", "getBalance")]).await, "NO_KEY");
        assert_eq!(
            ask(
                &api,
                send,
                &[("api_key", "nbt_wrong"), ("action", "getBalance")]
            )
            .await,
            "BAD_KEY"
        );
        assert_eq!(ask(&api, send, &[("api_key", &key)]).await, "BAD_ACTION");
        assert_eq!(
            ask(&api, send, &[("api_key", &key), ("action", "getRentList")]).await,
            "BAD_ACTION"
        );
        assert_eq!(
            ask(&api, send, &[("api_key", &key), ("action", "getBalance")]).await,
            "ACCESS_BALANCE:2"
        );
    }

    // Counts, prices, countries and operators of the pool (UAE is 95).
    assert_eq!(
        act(&api, &key, "getNumbersStatus", &[("country", "95")]).await,
        r#"{"ot_0":5}"#
    );
    assert_eq!(
        act(&api, &key, "getNumbersStatus", &[("country", "16")]).await,
        r#"{"ot_0":0}"#
    );
    assert_eq!(
        act(&api, &key, "getPrices", &[]).await,
        r#"{"95":{"ot":{"cost":0.0,"count":5}}}"#
    );
    assert_eq!(
        act(&api, &key, "getCountries", &[]).await,
        r#"{"95":{"id":95,"rus":"United Arab Emirates","eng":"United Arab Emirates","chn":"United Arab Emirates","visible":1,"retry":1,"rent":0,"multiService":0}}"#
    );
    assert_eq!(
        act(&api, &key, "getOperators", &[("country", "95")]).await,
        r#"{"status":"success","countryOperators":{"95":["any"]}}"#
    );
    assert_eq!(
        act(&api, &key, "getOperators", &[("country", "16")]).await,
        "OPERATORS_NOT_FOUND"
    );

    // Taking: a bad service, a country without numbers, then a number.
    for service in ["", "Telegram", "t"] {
        assert_eq!(
            act(
                &api,
                &key,
                "getNumber",
                &[("service", service), ("country", "95")]
            )
            .await,
            "BAD_SERVICE",
            "{service:?}"
        );
    }
    for country in ["16", "x"] {
        assert_eq!(
            act(
                &api,
                &key,
                "getNumber",
                &[("service", "tg"), ("country", country)]
            )
            .await,
            "NO_NUMBERS"
        );
    }
    let taken = act(
        &api,
        &key,
        "getNumber",
        &[("service", "tg"), ("country", "95")],
    )
    .await;
    let parts: Vec<&str> = taken.split(':').collect();
    assert_eq!(parts.len(), 3, "{taken}");
    assert_eq!(parts[0], "ACCESS_NUMBER");
    let (id, digits) = (parts[1].to_string(), parts[2].to_string());
    assert!(id.parse::<u64>().is_ok(), "{taken}");
    assert!(digits.starts_with("97150") && digits.len() == 12, "{taken}");
    assert_eq!(act(&api, &key, "getBalance", &[]).await, "ACCESS_BALANCE:1");

    // Waiting, a code, another code.
    assert_eq!(
        act(&api, &key, "getStatus", &[("id", &id)]).await,
        "STATUS_WAIT_CODE"
    );
    assert_eq!(
        act(&api, &key, "getStatusV2", &[("id", &id)]).await,
        r#"{"verificationType":0,"sms":null,"call":null}"#
    );
    assert_eq!(
        act(&api, &key, "setStatus", &[("id", &id), ("status", "1")]).await,
        "ACCESS_READY"
    );
    sms.deliver(&format!("+{digits}"), "ACME", "ACME: 481516 is your code");
    assert_eq!(code(&api, &key, &id).await, "481516");
    let v2: Value =
        serde_json::from_str(&act(&api, &key, "getStatusV2", &[("id", &id)]).await).unwrap();
    assert_eq!(v2["verificationType"], 0);
    assert_eq!(v2["sms"]["code"], "481516");
    assert_eq!(v2["sms"]["text"], "ACME: 481516 is your code");
    assert_eq!(v2["sms"]["dateTime"].as_str().unwrap().len(), 19, "{v2}");
    assert_eq!(
        act(&api, &key, "setStatus", &[("id", &id), ("status", "3")]).await,
        "ACCESS_RETRY_GET"
    );
    assert_eq!(
        act(&api, &key, "getStatus", &[("id", &id)]).await,
        "STATUS_WAIT_RETRY:481516"
    );
    sms.deliver(&format!("+{digits}"), "ACME", "ACME: 2342 is your code");
    assert_eq!(code(&api, &key, &id).await, "2342");

    // The other key sees nothing of it; bad ids and statuses.
    for (who, id, status, reply) in [
        (&other, id.as_str(), "6", "NO_ACTIVATION"),
        (&key, "99999999999", "6", "NO_ACTIVATION"),
        (&key, "abc", "6", "NO_ACTIVATION"),
        (&key, id.as_str(), "5", "BAD_STATUS"),
        (&key, id.as_str(), "", "BAD_STATUS"),
    ] {
        assert_eq!(
            act(&api, who, "setStatus", &[("id", id), ("status", status)]).await,
            reply,
            "{id} {status}"
        );
    }
    assert_eq!(
        act(&api, &other, "getStatus", &[("id", &id)]).await,
        "NO_ACTIVATION"
    );
    assert_eq!(act(&api, &key, "getStatus", &[]).await, "NO_ACTIVATION");

    let active: Value =
        serde_json::from_str(&act(&api, &key, "getActiveActivations", &[]).await).unwrap();
    assert_eq!(active["status"], "success");
    let list = active["activeActivations"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{active}");
    assert_eq!(list[0]["activationId"], id.as_str());
    assert_eq!(list[0]["phoneNumber"], digits.as_str());
    assert_eq!(list[0]["smsCode"], json!(["481516", "2342"]));
    assert_eq!(list[0]["countryCode"], "95");
    assert_eq!(list[0]["canGetAnotherSms"], "1");

    // Done, and done again: the same answer, nothing changed.
    for _ in 0..2 {
        assert_eq!(
            act(&api, &key, "setStatus", &[("id", &id), ("status", "6")]).await,
            "ACCESS_ACTIVATION"
        );
    }
    assert_eq!(
        act(&api, &key, "getStatus", &[("id", &id)]).await,
        "STATUS_OK:2342"
    );
    assert_eq!(
        act(&api, &key, "setStatus", &[("id", &id), ("status", "3")]).await,
        "NO_ACTIVATION",
        "no other code for an ended activation"
    );

    // getNumberV2, then the legacy cancel.
    let v2: Value = serde_json::from_str(
        &act(
            &api,
            &key,
            "getNumberV2",
            &[("service", "wa"), ("country", "95")],
        )
        .await,
    )
    .unwrap();
    let second = v2["activationId"]
        .as_u64()
        .expect("an integer id")
        .to_string();
    assert!(
        v2["phoneNumber"].as_str().unwrap().starts_with("97150"),
        "{v2}"
    );
    assert_eq!(v2["countryCode"], "95");
    assert_eq!(v2["activationCost"], 0.0);
    assert_eq!(v2["canGetAnotherSms"], "1");
    assert_eq!(v2["activationOperator"], "any");
    let time = v2["activationTime"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{time}"
    );
    assert_eq!(
        act(
            &api,
            &key,
            "setStatus",
            &[("id", &second), ("status", "-1")]
        )
        .await,
        "ACCESS_CANCEL"
    );
    assert_eq!(
        act(&api, &key, "getStatus", &[("id", &second)]).await,
        "STATUS_CANCEL"
    );
    assert_eq!(
        act(&api, &key, "getStatusV2", &[("id", &second)]).await,
        "STATUS_CANCEL"
    );

    // At the token's maximum: no balance.
    for _ in 0..2 {
        assert!(act(&api, &key, "getNumber", &[("service", "tg")])
            .await
            .starts_with("ACCESS_NUMBER:"));
    }
    assert_eq!(act(&api, &key, "getBalance", &[]).await, "ACCESS_BALANCE:0");
    assert_eq!(
        act(&api, &key, "getNumber", &[("service", "tg")]).await,
        "NO_BALANCE"
    );

    // Audited as the token's, as every front end's takes are.
    let audit = api.h.service.numbers().recent_audit(50).await.unwrap();
    let takes = audit
        .iter()
        .filter(|e| e.action.as_str() == "take" && e.detail.contains("api token qa"))
        .count();
    assert_eq!(takes, 4, "{audit:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_over_its_pace_is_banned_until_a_time() {
    let sms = FakeSms::start().await.unwrap();
    let api = started(&sms, |c| c.api.as_mut().unwrap().requests_per_second = 2).await;
    let key = api.token("busy", &[], None, 1).await;
    let mut replies = Vec::new();
    for _ in 0..6 {
        replies.push(act(&api, &key, "getBalance", &[]).await);
    }
    let banned: Vec<&String> = replies
        .iter()
        .filter(|r| r.starts_with("BANNED:"))
        .collect();
    assert!(!banned.is_empty(), "{replies:?}");
    let until = banned[0].strip_prefix("BANNED:").unwrap();
    let at = chrono::NaiveDateTime::parse_from_str(until, "%Y-%m-%d-%H-%M-%S")
        .unwrap_or_else(|e| panic!("{until}: {e}"));
    let ahead = at.and_utc().timestamp() - chrono::Utc::now().timestamp();
    assert!((0..=2).contains(&ahead), "{until} is {ahead}s ahead");
}

/// `[[api.sms_activate.map]]`: a service names its category; others fall
/// back to the file countries' `ot`. A bad entry stops the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_map_names_categories() {
    let sms = FakeSms::start().await.unwrap();
    let api = started(&sms, |c| {
        c.api.as_mut().unwrap().sms_activate.map = vec![ServiceMap {
            service: "tg".into(),
            country: Some(95),
            category: "UAE Telegram".into(),
        }];
    })
    .await;
    api.upload(100, 2, "UAE Telegram").await;
    let key = api.token("qa", &[], None, 3).await;
    assert_eq!(
        act(&api, &key, "getNumbersStatus", &[("country", "95")]).await,
        r#"{"ot_0":7,"tg_0":2}"#
    );
    for _ in 0..2 {
        let taken = act(
            &api,
            &key,
            "getNumber",
            &[("service", "tg"), ("country", "95")],
        )
        .await;
        assert!(
            taken.ends_with(":971500000100") || taken.ends_with(":971500000101"),
            "{taken}"
        );
    }
    assert_eq!(
        act(
            &api,
            &key,
            "getNumber",
            &[("service", "tg"), ("country", "95")]
        )
        .await,
        "NO_NUMBERS",
        "the map's category is empty: the service does not fall back"
    );
    let taken = act(
        &api,
        &key,
        "getNumber",
        &[("service", "wa"), ("country", "95")],
    )
    .await;
    assert!(taken.starts_with("ACCESS_NUMBER:"), "{taken}");

    let mut config = numbot::config::Config::default();
    config.telegram.token = "1:x".into();
    let mut bad = numbot_api::ApiConfig::new("127.0.0.1:0".parse().unwrap());
    bad.sms_activate.map = vec![ServiceMap {
        service: "Telegram".into(),
        country: None,
        category: "X".into(),
    }];
    config.api = Some(bad);
    let refused = config.checked().unwrap_err().to_string();
    assert!(refused.contains("[[api.sms_activate.map]]"), "{refused}");
}

/// aiosmsactivate (PyPI; a test-time dependency only) pointed at numbot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiosmsactivate_takes_a_number_and_reads_its_codes() {
    let sms = FakeSms::start().await.unwrap();
    let api = started(&sms, |_| {}).await;
    let key = api.token("python", &[], Some(100), 2).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/clients/sms_activate_flow.py");
    let base = api.base.clone();
    let sms = Arc::new(sms);
    let fake = sms.clone();
    let lines = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(crate::support::python())
            .args([script, &base, &key])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python");
        let mut stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        let mut number = String::new();
        for line in stdout.lines() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("NUMBER ") {
                number = format!("+{}", rest.split(' ').nth(1).unwrap());
            }
            if line.starts_with("STATUS ") {
                fake.deliver(&number, "ACME", "ACME: 777001 is your code");
                writeln!(stdin, "go").unwrap();
            }
            if line.starts_with("RETRY ") {
                fake.deliver(&number, "ACME", "Your ACME code: 777002");
                writeln!(stdin, "go").unwrap();
            }
            lines.push(line);
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{lines:#?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines
    })
    .await
    .unwrap();
    let number = lines[1].split(' ').collect::<Vec<_>>();
    assert_eq!(lines[0], "BALANCE 2.0");
    assert_eq!(number[0], "NUMBER");
    assert!(number[2].starts_with("97150"), "{lines:?}");
    assert_eq!(number[3], "95");
    assert_eq!(
        number[4], "20",
        "activationTime read as YYYY-MM-DD HH:MM:SS"
    );
    assert_eq!(
        lines[2..],
        [
            "STATUS WAIT",
            "CODE 777001",
            "V2 777001 ACME: 777001 is your code",
            "RETRY RETRY_GET RETRY 777001",
            "CODE 777002",
            "DONE ACTIVATED",
            "CANCEL CANCEL CANCEL",
            "BALANCE 2.0",
            "BADKEY BAD_KEY",
        ]
    );
}

/// Two replicas on one MongoDB: an activation taken on one is read and
/// ended on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activation_taken_on_one_replica_is_ended_on_the_other() {
    let server = crate::support::MongoServer::get();
    let database = server.fresh_database();
    let fake = FakeSms::start().await.unwrap();
    let a = crate::support::ApiReplica::start(&server.uri(), &database, &fake).await;
    let b = crate::support::ApiReplica::start(&server.uri(), &database, &fake).await;
    numbot_core::upload::import(
        &*crate::support::shared_plugins(),
        &*a.store,
        numbot_core::Upload {
            file_name: "uae.csv".into(),
            bytes: Arc::new(uae_csv(0, 2)),
            category: "UAE Mobile".into(),
            admin: 1,
            default_country: None,
        },
    )
    .await
    .unwrap();
    let new = NewToken {
        name: "ci".into(),
        categories: vec![],
        numbers_per_window: Some(100),
        max_uses: 1,
    };
    let (key, _) = a.numbers.issue_token(0, new).await.unwrap();
    let http = reqwest::Client::new();
    let call = |base: String, params: Vec<(&'static str, String)>| {
        let http = http.clone();
        async move {
            http.get(format!("{base}{PATH}"))
                .query(&params)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let with = |action: &'static str, more: &[(&'static str, String)]| {
        let mut p = vec![("api_key", key.clone()), ("action", action.to_string())];
        p.extend_from_slice(more);
        p
    };
    let taken = call(
        a.base(),
        with(
            "getNumber",
            &[("service", "tg".into()), ("country", "95".into())],
        ),
    )
    .await;
    let parts: Vec<String> = taken.split(':').map(String::from).collect();
    assert_eq!(parts[0], "ACCESS_NUMBER", "{taken}");
    let id = parts[1].clone();
    assert_eq!(
        call(b.base(), with("getStatus", &[("id", id.clone())])).await,
        "STATUS_WAIT_CODE"
    );
    fake.deliver(
        &format!("+{}", parts[2]),
        "ACME",
        "ACME: 909090 is your code",
    );
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let status = call(b.base(), with("getStatus", &[("id", id.clone())])).await;
        if status == "STATUS_OK:909090" {
            break;
        }
        assert!(Instant::now() < until, "{status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        call(
            b.base(),
            with("setStatus", &[("id", id.clone()), ("status", "8".into())])
        )
        .await,
        "ACCESS_CANCEL"
    );
    assert_eq!(
        call(a.base(), with("getActiveActivations", &[])).await,
        r#"{"status":"success","activeActivations":[]}"#
    );
    assert_eq!(
        call(a.base(), with("getStatus", &[("id", id.clone())])).await,
        "STATUS_OK:909090",
        "ended on a code"
    );
}
