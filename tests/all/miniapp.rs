//! The Mini App in a real browser: headless Chromium from Debian, driven
//! through chromedriver (WebDriver), against the real bot on the fake Bot
//! API. Launch data is signed in the test by Python's own HMAC, as
//! Telegram signs it. An admin sees the pool, deletes a file and bans a
//! user, and the bot's next answers reflect it; a user sees only their
//! own part and watches a code arrive; forged, stale and reused launch
//! data and a user on an admin page are refused; the Arabic page is right
//! to left with Arabic chart labels. Screenshots go to `target/miniapp/`.
//! Chromium never reaches past 127.0.0.1: background networking, component
//! updates and safe browsing are off.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{wd::Capabilities, Client, ClientBuilder, Locator};
use numbot_core::{UserStatus, Users};
use numbot_testing::{
    fake_sms::{FakeSms, Mode},
    fake_telegram::TestUser,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{uae_csv, BotHarness, ADMIN};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// An admin who reads Arabic.
const ARABIC_ADMIN: i64 = 2;
const USER: i64 = 100;
const TO_BAN: i64 = 200;

/// chromedriver on a port of its own; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    _profiles: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start() -> Driver {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(tool).exists(),
                "{tool} is missing: scripts/test.sh installs chromium and chromium-driver"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            port,
            _profiles: tempfile::tempdir().unwrap(),
        }
    }

    /// A new browser (its own profile: nothing shared between viewers).
    async fn browser(&self) -> Client {
        let profile = tempfile::tempdir_in(self._profiles.path()).unwrap().keep();
        let caps: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-default-apps",
                    "--safebrowsing-disable-auto-update", "--disable-client-side-phishing-detection",
                    "--disable-features=OptimizationHints,MediaRouter,Translate",
                    "--window-size=480,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }))
        .unwrap();
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        builder
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a browser session")
    }
}

/// The fragment Telegram opens the app with, signed by Python's hmac.
fn fragment(token: &str, user: i64, language: &str, auth_date: i64, tamper: Option<i64>) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/clients/telegram_launch.py");
    let mut command = Command::new(crate::support::python());
    command.args([
        script,
        token,
        &user.to_string(),
        language,
        &auth_date.to_string(),
    ]);
    if let Some(other) = tamper {
        command.arg(other.to_string());
    }
    let out = command.output().expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn shots() -> PathBuf {
    let dir = crate::support::target().join("miniapp");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

/// Waits for `css` and returns its text.
async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Waits for `css` and clicks it; again when a page's refresh replaced
/// it in between.
async fn click(c: &Client, css: &str) {
    for _ in 0..10 {
        let clicked = c
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await;
        match clicked {
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference => {}
            other => return other.unwrap(),
        }
    }
    panic!("{css}: replaced on every try");
}

/// Polls until `check` holds.
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < end, "{what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Clicks `css` and waits until a new `name` page replaced the one shown.
async fn replaced(c: &Client, css: &str, name: &str) -> fantoccini::elements::Element {
    c.execute(
        "document.querySelector('.page').dataset.before = '1'",
        vec![],
    )
    .await
    .unwrap();
    click(c, css).await;
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(&format!(
            ".page[data-page={name}]:not([data-before])"
        )))
        .await
        .unwrap()
}

/// Loads the page `name` from its tab and waits until it is shown.
async fn reload(c: &Client, name: &str) {
    replaced(c, &format!("a[data-page={name}]"), name).await;
}

/// Searches the history page for uses of numbers with `digits`.
async fn search_history(c: &Client, digits: &str) {
    reload(c, "history").await;
    let field = c.find(Locator::Css("#search-number")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(digits).await.unwrap();
    // The answer is a new page, its field holding the digits searched.
    let answer = replaced(c, "#search-go", "history").await;
    let field = answer.find(Locator::Css("#search-number")).await.unwrap();
    assert_eq!(field.prop("value").await.unwrap().as_deref(), Some(digits));
}

/// The session the page keeps: `{token, csrf, …}`.
async fn session_of(c: &Client) -> Value {
    let kept = c
        .execute("return sessionStorage.getItem('numbot-session')", vec![])
        .await
        .unwrap();
    serde_json::from_str(kept.as_str().unwrap()).unwrap()
}

async fn open(c: &Client, web: SocketAddr, fragment: &str) {
    // From another page: a change of the fragment alone loads nothing.
    c.goto("about:blank").await.unwrap();
    c.goto(&format!("http://{web}/app#{fragment}"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_and_users_use_the_mini_app_in_a_real_browser() {
    let sms = FakeSms::start().await.unwrap();
    let h = BotHarness::start(|c| {
        c.access.admins = vec![ADMIN, ARABIC_ADMIN];
        c.web = Some(numbot_telegram::WebConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            url: "http://127.0.0.1/app".into(),
            launch_max_age_secs: 3600,
            session_secs: 3600,
            login_link_secs: 600,
        });
        c.sms = Some({
            let mut s = numbot_otp::SmsConfig::new(numbot_otp::ProviderConfig::Twilio {
                url: sms.url(),
                account: numbot_testing::fake_sms::ACCOUNT.into(),
                token: numbot_testing::fake_sms::TOKEN.into(),
            });
            s.poll_interval_ms = 50;
            // The history keeps code texts: the search shows them.
            s.keep_codes = true;
            s
        });
    })
    .await;
    let web = h.service.bot.web_addr.expect("the Mini App listens");
    let token = h.tg.token().to_string();
    let admin = TestUser::new(ADMIN);
    for id in [ARABIC_ADMIN, USER, TO_BAN] {
        h.say(&TestUser::new(id), "/start").await;
    }
    h.service
        .numbers()
        .set_language(ARABIC_ADMIN, Some("ar"))
        .await
        .unwrap();
    h.upload(&admin, "uae.csv", uae_csv(0, 6), Some("UAE Mobile"))
        .await;
    h.upload(&admin, "spare.csv", uae_csv(100, 3), Some("Spare"))
        .await;
    let spare = h
        .store
        .files()
        .unwrap()
        .into_iter()
        .find(|f| f.meta.country_name == "Spare")
        .unwrap()
        .name;
    // The menu button opens the app; /dashboard answers with a button.
    let menu =
        h.tg.last_params("setchatmenubutton")
            .expect("the menu button is set");
    assert_eq!(menu["menu_button"]["type"], "web_app", "{menu}");
    let dashboard = h.say(&admin, "/dashboard").await;
    assert!(!dashboard.buttons.is_empty(), "{dashboard:?}");

    let driver = Driver::start();

    // The admin: the pool, a file deleted, a user banned.
    let c = driver.browser().await;
    open(&c, web, &fragment(&token, ADMIN, "en", now(), None)).await;
    let table = text_of(&c, "table#categories").await;
    assert!(
        table.contains("UAE Mobile") && table.contains("Spare"),
        "{table}"
    );
    let chart = text_of(&c, "#pool-chart").await;
    assert!(chart.contains("The pool by category"), "{chart}");
    screenshot(&c, "admin-overview").await;
    click(&c, "a[data-page=files]").await;
    let button = format!("button[data-act=delete][data-arg=\"{spare}\"]");
    click(&c, &button).await;
    click(&c, &button).await;
    until("the file deleted", async || {
        h.store
            .files()
            .unwrap()
            .iter()
            .any(|f| f.name == spare && f.meta.deleted)
    })
    .await;
    let listed = h.say(&admin, "/csvlist").await;
    assert!(
        !listed.text.as_deref().unwrap_or("").contains(&spare),
        "{listed:?}"
    );
    screenshot(&c, "admin-files").await;
    click(&c, "a[data-page=users]").await;
    click(
        &c,
        &format!("tr[data-user=\"{TO_BAN}\"] button[data-act=ban]"),
    )
    .await;
    until("the user banned", async || {
        h.users.get(TO_BAN).await.unwrap().unwrap().status == UserStatus::Banned
    })
    .await;
    let refused = h.say(&TestUser::new(TO_BAN), "/countries").await;
    assert!(
        refused.text.as_deref().unwrap_or("").contains("banned"),
        "{refused:?}"
    );
    screenshot(&c, "admin-users").await;
    click(&c, "a[data-page=audit]").await;
    let audit = text_of(&c, "table#audit").await;
    assert!(audit.contains("ban") && audit.contains("delete"), "{audit}");

    // An upload: previewed with its refused rows and nothing stored, then
    // imported on the admin's go-ahead.
    let files = tempfile::tempdir().unwrap();
    let csv = files.path().join("preview.csv");
    let mut rows = uae_csv(200, 4);
    rows.extend_from_slice(b"not a number\n");
    std::fs::write(&csv, rows).unwrap();
    click(&c, "a[data-page=files]").await;
    let picker = c
        .wait()
        .for_element(Locator::Css("#upload-file"))
        .await
        .unwrap();
    picker.send_keys(csv.to_str().unwrap()).await.unwrap();
    let category = c.find(Locator::Css("#upload-category")).await.unwrap();
    category.send_keys("Previewed").await.unwrap();
    click(&c, "button[data-upload]").await;
    let summary = text_of(&c, "#preview-summary").await;
    assert!(
        summary.contains("4 numbers to import") && summary.contains("1 refused"),
        "{summary}"
    );
    let refused_rows = text_of(&c, "#preview-lines").await;
    assert!(refused_rows.contains("not a number"), "{refused_rows}");
    let stored = |category: &str| {
        h.store
            .files()
            .unwrap()
            .into_iter()
            .filter(|f| f.meta.country_name == category && !f.meta.deleted)
            .count()
    };
    assert_eq!(stored("Previewed"), 0, "a preview stores nothing");
    screenshot(&c, "admin-upload-preview").await;
    click(&c, "#import").await;
    until("the previewed file imported", async || {
        stored("Previewed") == 1
    })
    .await;
    let listed = h.say(&admin, "/csvlist").await;
    assert!(
        listed.text.as_deref().unwrap_or("").contains("Previewed"),
        "{listed:?}"
    );
    click(&c, "a[data-page=audit]").await;
    let audit = text_of(&c, "table#audit").await;
    assert!(audit.contains("upload"), "{audit}");
    c.close().await.unwrap();

    // A user: their number, a code arriving, nothing of the pool's.
    let c = driver.browser().await;
    open(&c, web, &fragment(&token, USER, "en", now(), None)).await;
    text_of(&c, "#holding-none").await;
    click(&c, "a[data-page=categories]").await;
    let search = c.wait().for_element(Locator::Css("#search")).await.unwrap();
    search.send_keys("uae").await.unwrap();
    screenshot(&c, "user-categories").await;
    click(&c, "button[data-act=take][data-arg=\"UAE Mobile\"]").await;
    let number = text_of(&c, "#number").await;
    let held = h
        .store
        .holding(USER)
        .unwrap()
        .expect("the user holds a number");
    sms.deliver(&held.number, "ACME", "ACME: 551177 is your code");
    until("the code on the page", async || {
        matches!(c.find(Locator::Css("#codes")).await, Ok(e) if e.text().await.unwrap_or_default().contains("551177"))
    })
    .await;
    screenshot(&c, "user-number").await;
    assert!(!number.is_empty());
    // Done: the use joins the user's history, found by a few of its digits.
    click(&c, "button[data-act=done]").await;
    text_of(&c, "#holding-none").await;
    assert!(h.store.holding(USER).unwrap().is_none());
    let digits = held.number[held.number.len() - 4..].to_string();
    search_history(&c, &digits).await;
    let found = text_of(&c, "table#history").await;
    assert!(found.contains("551177"), "{found}");
    assert!(
        c.find(Locator::Css("#search-holder")).await.is_err(),
        "a user searches only their own uses"
    );
    screenshot(&c, "user-history").await;
    // Another number, which the SMS provider is watched for below.
    click(&c, "a[data-page=categories]").await;
    click(&c, "button[data-act=take][data-arg=\"UAE Mobile\"]").await;
    text_of(&c, "#number").await;
    assert!(h.store.holding(USER).unwrap().is_some());
    let session = session_of(&c).await;
    let http = reqwest::Client::new();
    for page in ["overview", "files", "users", "audit"] {
        let r = http
            .get(format!("http://{web}/page/{page}"))
            .header(
                "Authorization",
                format!("Session {}", session["token"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "a user on {page}");
    }
    let r = http
        .post(format!("http://{web}/act/ban"))
        .header(
            "Authorization",
            format!("Session {}", session["token"].as_str().unwrap()),
        )
        .header("X-CSRF-Token", session["csrf"].as_str().unwrap())
        .json(&json!({"arg": ADMIN.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a user banning");
    let r = http
        .post(format!("http://{web}/upload"))
        .header(
            "Authorization",
            format!("Session {}", session["token"].as_str().unwrap()),
        )
        .header("X-CSRF-Token", session["csrf"].as_str().unwrap())
        .body(uae_csv(300, 2))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a user uploading");
    let r = http
        .post(format!("http://{web}/act/take"))
        .header(
            "Authorization",
            format!("Session {}", session["token"].as_str().unwrap()),
        )
        .json(&json!({"arg": "UAE Mobile"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a POST without the CSRF token"
    );
    let export = |session: &Value, query: &str| {
        http.get(format!("http://{web}/export?{query}"))
            .header(
                "Authorization",
                format!("Session {}", session["token"].as_str().unwrap()),
            )
            .send()
    };
    // The user's export: their own uses, whoever they name.
    let mine = export(&session, &format!("format=csv&holder={ADMIN}"))
        .await
        .unwrap();
    assert_eq!(mine.status(), StatusCode::OK);
    let csv = mine.text().await.unwrap();
    assert!(
        csv.contains(&held.number) && csv.contains("551177"),
        "{csv}"
    );
    let headers = http.get(format!("http://{web}/app")).send().await.unwrap();
    let csp = headers.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    c.close().await.unwrap();

    // Forged, stale and reused launch data, and a banned user.
    let c = driver.browser().await;
    for (name, fragment) in [
        ("forged", fragment(&token, USER, "en", now(), Some(ADMIN))),
        ("stale", fragment(&token, USER, "en", now() - 7200, None)),
        ("banned", fragment(&token, TO_BAN, "en", now(), None)),
    ] {
        open(&c, web, &fragment).await;
        let refused = text_of(&c, "#refused").await;
        assert!(!refused.is_empty(), "{name}");
        assert!(
            c.find(Locator::Css("nav.tabs")).await.is_err(),
            "{name}: nothing shown"
        );
        screenshot(&c, &format!("refused-{name}")).await;
    }
    c.close().await.unwrap();
    let once = fragment(&token, USER, "en", now(), None);
    let first = driver.browser().await;
    open(&first, web, &once).await;
    text_of(&first, "nav.tabs").await;
    first.close().await.unwrap();
    let again = driver.browser().await;
    open(&again, web, &once).await;
    let refused = text_of(&again, "#refused").await;
    assert!(refused.contains("used already"), "{refused}");
    again.close().await.unwrap();

    // Arabic: right to left, the chart's words in Arabic.
    let c = driver.browser().await;
    open(&c, web, &fragment(&token, ARABIC_ADMIN, "ar", now(), None)).await;
    let chart = text_of(&c, "#pool-chart").await;
    let dir = c
        .execute("return document.documentElement.dir", vec![])
        .await
        .unwrap();
    assert_eq!(dir, "rtl");
    assert!(
        chart
            .chars()
            .any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch)),
        "Arabic chart labels: {chart}"
    );
    screenshot(&c, "admin-overview-ar").await;
    c.close().await.unwrap();

    // The admin's overview again, with a number held and taken today, and
    // the SMS provider answering the monitor's polls, then failing them.
    let c = driver.browser().await;
    open(&c, web, &fragment(&token, ADMIN, "en", now(), None)).await;
    let table = text_of(&c, "table#categories").await;
    assert!(table.contains("UAE Mobile"), "{table}");
    let provider = text_of(&c, "#provider").await;
    assert!(
        provider.contains("SMS provider") && provider.contains("Answering"),
        "{provider}"
    );
    screenshot(&c, "admin-overview-after").await;
    // The history searched by digits nobody's number has, then by the
    // user's, with the holder shown; what is shown exported.
    search_history(&c, "8888888").await;
    text_of(&c, "#history-empty").await;
    search_history(&c, &digits).await;
    let found = text_of(&c, "table#history").await;
    assert!(
        found.contains("551177") && found.contains(&USER.to_string()),
        "{found}"
    );
    screenshot(&c, "admin-history-search").await;
    // From the users page: one user's history.
    reload(&c, "users").await;
    click(
        &c,
        &format!("tr[data-user=\"{USER}\"] a[data-page=history]"),
    )
    .await;
    let holder = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("#search-holder"))
        .await
        .unwrap();
    assert_eq!(
        holder.prop("value").await.unwrap(),
        Some(USER.to_string()),
        "the search is the user's"
    );
    let found = text_of(&c, "table#history").await;
    assert!(found.contains("551177"), "{found}");
    let admin_session = session_of(&c).await;
    let csv = export(&admin_session, &format!("format=csv&number={digits}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 2, "a header and the one use: {csv}");
    assert!(
        csv.contains(&held.number) && csv.contains("551177"),
        "{csv}"
    );
    let xlsx = export(&admin_session, &format!("format=xlsx&holder={USER}"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX workbook");
    for bad in [
        "format=pdf",
        "format=csv&from=yesterday",
        "format=csv&holder=me",
    ] {
        let r = export(&admin_session, bad).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    click(&c, "a[data-page=audit]").await;
    let audit = text_of(&c, "table#audit").await;
    assert!(audit.contains("search"), "the export audited: {audit}");
    sms.set_mode(Mode::Down);
    // Each round reloads the page, which replaces what an earlier round found.
    let failing = async || {
        reload(&c, "overview").await;
        matches!(c.find(Locator::Css("#provider")).await, Ok(e) if e.text().await.unwrap_or_default().contains("Failing"))
    };
    until("the provider failing on the overview", failing).await;
    let provider = text_of(&c, "#provider").await;
    assert!(provider.contains("in a row"), "{provider}");
    screenshot(&c, "admin-provider-failing").await;
    sms.set_mode(Mode::Normal);
    c.close().await.unwrap();

    // Outside Telegram: /dashboard's one-time link, in a plain browser.
    let dashboard = h.say(&TestUser::new(USER), "/dashboard").await;
    let link = dashboard
        .buttons
        .iter()
        .flatten()
        .find_map(|(_, url)| url.split_once("#login="))
        .map(|(_, secret)| format!("login={secret}"))
        .unwrap_or_else(|| panic!("a login link: {dashboard:?}"));
    let c = driver.browser().await;
    open(&c, web, &link).await;
    let tabs = text_of(&c, "nav.tabs").await;
    assert!(
        tabs.contains("My number") && !tabs.contains("Pool"),
        "{tabs}"
    );
    text_of(&c, "#number").await;
    let hash = c.execute("return location.hash", vec![]).await.unwrap();
    assert_eq!(hash, "", "the secret leaves the address bar");
    screenshot(&c, "user-login-link").await;
    c.close().await.unwrap();
    let c = driver.browser().await;
    open(&c, web, &link).await;
    let refused = text_of(&c, "#refused").await;
    assert!(refused.contains("used already"), "{refused}");
    let expired = numbot_telegram::miniapp::login::issue(USER, now() - 1, &token);
    open(&c, web, &format!("login={expired}")).await;
    until("the expired link refused", async || {
        text_of(&c, "#refused").await.contains("expired")
    })
    .await;
    let forged = link.replacen(&USER.to_string(), &ADMIN.to_string(), 1);
    open(&c, web, &forged).await;
    until("the forged link refused", async || {
        text_of(&c, "#refused")
            .await
            .contains("not opened from the bot")
    })
    .await;
    c.close().await.unwrap();
}
