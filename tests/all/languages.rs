//! Every command and button in two languages: the same script runs once
//! with an English user and admin and once with users whose Telegram app
//! is in Russian, then in Arabic (right to left); every answer must be in
//! the user's script and differ from the English one. `/language` then
//! overrides Telegram's language, for replies and for the command menu.

use numbot_core::Users;
use numbot_testing::fake_telegram::{Entry, TestUser};

use crate::support::{uae_csv, BotHarness, ADMIN};

/// A user and the admin, in `language`.
fn people(language: &str) -> (TestUser, TestUser) {
    (
        TestUser::new(100).speaking(Some(language)),
        TestUser::new(ADMIN).speaking(Some(language)),
    )
}

fn text(e: &Entry) -> String {
    e.text.clone().unwrap_or_default()
}

fn labels(e: &Entry) -> String {
    e.buttons
        .iter()
        .flatten()
        .map(|(label, _)| label.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Every bot entry of `user`'s chat after the first `from`, once `least`
/// have come and none has followed for 150 ms (a command may answer with
/// several messages, and a ban also tells the user).
async fn settled(h: &BotHarness, user: &TestUser, from: usize, least: usize) -> Vec<Entry> {
    let mut seen = h.bot_entries(user.id, from, |e| e.len() >= least).await;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let now = h.bot_entries(user.id, from, |_| true).await;
        if now.len() == seen.len() {
            return now;
        }
        seen = now;
    }
}

/// Sends `text` as `user`: everything the bot answered.
async fn ask(h: &BotHarness, user: &TestUser, text: &str) -> Vec<Entry> {
    ask_for(h, user, text, 1).await
}

/// [`ask`] for a command that answers with at least `least` messages.
async fn ask_for(h: &BotHarness, user: &TestUser, text: &str, least: usize) -> Vec<Entry> {
    let from = h.tg.transcript(user.id).len();
    h.tg.send_text(user, text);
    settled(h, user, from, least).await
}

/// Presses a button as `user`: everything the bot answered.
async fn tap(h: &BotHarness, user: &TestUser, message: i64, data: &str) -> Vec<Entry> {
    let from = h.tg.transcript(user.id).len();
    h.tg.press_button(user, message, data);
    settled(h, user, from, 1).await
}

/// The texts and captions of `entries`, one per line.
fn texts(entries: &[Entry]) -> String {
    entries.iter().map(text).collect::<Vec<_>>().join("\n")
}

/// Runs every command and button once; what the bot answered, step by step.
async fn run_script(language: &str) -> Vec<(&'static str, String)> {
    // Telegram's pace of one message per second per chat is not what this
    // test is about.
    let h = BotHarness::start(|c| c.telegram.throttle = false).await;
    let (user, admin) = people(language);
    let mut out = Vec::new();
    let mut note = |step: &'static str, answer: String| out.push((step, answer));

    note("/start", texts(&ask(&h, &user, "/start").await));
    note(
        "/countries, empty",
        texts(&ask(&h, &user, "/countries").await),
    );
    note("/help", texts(&ask(&h, &user, "/help").await));
    note("/help, admin", texts(&ask(&h, &admin, "/help").await));
    note("/start, admin", texts(&ask(&h, &admin, "/start").await));
    let upload = h
        .upload(&admin, "numbers.csv", uae_csv(0, 3), Some("UAE Mobile"))
        .await;
    note("upload", text(&upload));
    let asked = h.upload(&admin, "more.csv", uae_csv(10, 2), None).await;
    note("upload, category question", text(&asked));
    note("upload, category buttons", labels(&asked));
    let cancel_upload = asked.buttons.last().unwrap().last().unwrap().1.clone();
    let cancelled = tap(&h, &admin, asked.message_id.unwrap(), &cancel_upload).await;
    note("upload, cancelled", texts(&cancelled));

    let list = ask(&h, &user, "/countries").await.remove(0);
    note("/countries", text(&list));
    let pick = list.buttons[0][0].1.clone();
    let number = tap(&h, &user, list.message_id.unwrap(), &pick)
        .await
        .remove(0);
    note("number", text(&number));
    note("number buttons", labels(&number));
    let id = number.message_id.unwrap();
    let again = tap(&h, &user, list.message_id.unwrap(), &pick).await;
    note("a second number while holding one", texts(&again));
    note(
        "change",
        h.toast(&user, id, "chg").await.unwrap_or_default(),
    );
    note(
        "cancel",
        h.toast(&user, id, "cxl").await.unwrap_or_default(),
    );
    let edited =
        h.tg.transcript(user.id)
            .into_iter()
            .rev()
            .find(|e| e.message_id == Some(id) && e.from == "bot")
            .unwrap();
    note("cancel, edited", text(&edited));
    note(
        "cancel, nothing held",
        h.toast(&user, id, "cxl").await.unwrap_or_default(),
    );
    let number = tap(&h, &user, list.message_id.unwrap(), &pick)
        .await
        .remove(0);
    note(
        "done",
        h.toast(&user, number.message_id.unwrap(), "dn")
            .await
            .unwrap_or_default(),
    );
    note("/stats", texts(&ask(&h, &user, "/stats").await));
    note("/history", texts(&ask(&h, &user, "/history").await));
    let languages = ask(&h, &user, "/language").await.remove(0);
    note("/language", text(&languages));
    note(
        "/language, automatic button",
        languages.buttons.last().unwrap()[0].0.clone(),
    );
    note(
        "unknown command",
        texts(&ask(&h, &user, "/frobnicate").await),
    );
    note("plain text", texts(&ask(&h, &user, "hello").await));
    note(
        "admin command, refused",
        texts(&ask(&h, &user, "/plugins").await),
    );
    note(
        "admin button, refused",
        h.toast(&user, id, "delno").await.unwrap_or_default(),
    );
    note(
        "stale button",
        h.toast(&user, id, "zz:1").await.unwrap_or_default(),
    );

    note(
        "/csvstats",
        texts(&ask_for(&h, &admin, "/csvstats", 3).await),
    );
    note("/csvlist", texts(&ask(&h, &admin, "/csvlist").await));
    let delete = ask(&h, &admin, "/csvdelete").await.remove(0);
    assert!(!delete.buttons.is_empty(), "{delete:?}");
    note("/csvdelete", text(&delete));
    let confirm = tap(
        &h,
        &admin,
        delete.message_id.unwrap(),
        &delete.buttons[0][0].1,
    )
    .await
    .remove(0);
    note("/csvdelete, confirm", text(&confirm));
    note("/csvdelete, confirm buttons", labels(&confirm));
    let kept = tap(&h, &admin, confirm.message_id.unwrap(), "delno").await;
    note("/csvdelete, kept", texts(&kept));
    note("/approve", texts(&ask(&h, &admin, "/approve").await));
    note("/ban", texts(&ask(&h, &admin, "/ban 100 spam").await));
    note("banned", texts(&ask(&h, &user, "/start").await));
    note("/unban", texts(&ask(&h, &admin, "/unban 100").await));
    note("/ban, no id", texts(&ask(&h, &admin, "/ban").await));
    note("/plugins", texts(&ask(&h, &admin, "/plugins").await));
    note("/audit", texts(&ask(&h, &admin, "/audit").await));
    let preview = ask(&h, &admin, "/broadcast Maintenance at 18:00")
        .await
        .remove(0);
    note("/broadcast", text(&preview));
    note("/broadcast buttons", labels(&preview));
    let cancel = preview.buttons[0].last().unwrap().1.clone();
    let cancelled = tap(&h, &admin, preview.message_id.unwrap(), &cancel).await;
    note("/broadcast, cancelled", texts(&cancelled));
    note(
        "/export, bad date",
        texts(&ask(&h, &admin, "/export 2026-13-01").await),
    );
    note(
        "/export, empty",
        texts(&ask(&h, &admin, "/export 2020-01-01 2020-01-31").await),
    );
    // The CSV and the XLSX, with their captions.
    note("/export", texts(&ask_for(&h, &admin, "/export", 2).await));
    let preview = ask(&h, &admin, "/broadcast New numbers are in")
        .await
        .remove(0);
    let send = preview.buttons[0][0].1.clone();
    let from = h.tg.transcript(ADMIN).len();
    h.tg.press_button(&admin, preview.message_id.unwrap(), &send);
    let finished = h
        .bot_entries(ADMIN, from, |e| {
            e.iter()
                .any(|e| e.buttons.is_empty() && e.method == "editmessagetext")
        })
        .await;
    let finished = finished
        .iter()
        .rev()
        .find(|e| e.buttons.is_empty())
        .unwrap();
    note("/broadcast, sent", text(finished));
    note("/token", texts(&ask(&h, &admin, "/token").await));
    note(
        "/token create",
        texts(&ask(&h, &admin, "/token create ci --max-uses 2").await),
    );
    note("/token list", texts(&ask(&h, &admin, "/token list").await));
    note(
        "/token revoke",
        texts(&ask(&h, &admin, "/token revoke ci").await),
    );
    out
}

/// Whether `answer` is written in the script `script`: at least one letter of it.
fn written_in(answer: &str, script: fn(char) -> bool) -> bool {
    answer.chars().any(script)
}

async fn every_answer_in(language: &str, script: fn(char) -> bool) {
    let english = run_script("en").await;
    let other = run_script(language).await;
    assert_eq!(english.len(), other.len());
    let mut wrong = Vec::new();
    for ((step, en), (_, answer)) in english.iter().zip(&other) {
        assert!(!en.is_empty(), "{step}: no English answer");
        if answer == en || !written_in(answer, script) {
            wrong.push(format!("{step}: {answer:?}"));
        }
    }
    assert!(wrong.is_empty(), "not in {language}:\n{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_and_button_answers_in_russian() {
    every_answer_in("ru", |c| ('\u{0400}'..='\u{04FF}').contains(&c)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_and_button_answers_in_arabic() {
    every_answer_in("ar", |c| ('\u{0600}'..='\u{06FF}').contains(&c)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_overrides_telegram_and_is_kept() {
    let h = BotHarness::start(|_| {}).await;
    // Menus in every language, each with its own descriptions.
    let menus = h.tg.menus();
    let russian = menus
        .iter()
        .find(|p| p["language_code"] == "ru")
        .expect("a Russian menu");
    assert_eq!(russian["commands"][0]["command"], "start");
    assert!(russian["commands"][0]["description"]
        .as_str()
        .unwrap()
        .chars()
        .any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)));
    for code in ["en", "ar", "es", "pt", "hi", "bn", "id"] {
        assert!(menus.iter().any(|p| p["language_code"] == code), "{code}");
    }

    // A user whose Telegram speaks German gets the default, English.
    let user = TestUser::new(100).speaking(Some("de"));
    let start = text(&h.say(&user, "/start").await);
    assert!(start.contains("You have access"), "{start}");

    // `/language es` overrides it: the answer, later replies, the menu.
    let set = text(&h.say(&user, "/language es").await);
    assert_eq!(set, "A partir de ahora te escribo en Español.");
    let start = text(&h.say(&user, "/start").await);
    assert!(
        start.contains("Tienes acceso") || !start.contains("You have"),
        "{start}"
    );
    let menu = h.tg.last_params("setMyCommands").unwrap();
    assert_eq!(menu["scope"]["chat_id"], 100);
    assert_eq!(
        menu["commands"][0]["description"],
        "Empezar y ver tu acceso"
    );
    assert_eq!(
        h.users.get(100).await.unwrap().unwrap().language.as_deref(),
        Some("es")
    );

    // The buttons: Russian, then back to Telegram's language (the default).
    let list = h.say(&user, "/language").await;
    assert!(labels(&list).contains("Русский") && labels(&list).contains("العربية"));
    let ru = BotHarness::button(&list, "Русский");
    let edited = h.press(&user, list.message_id.unwrap(), &ru).await;
    assert_eq!(text(&edited), "Теперь я пишу вам на языке: Русский.");
    assert!(text(&h.say(&user, "/stats").await).contains("Доступно"));
    let auto = list.buttons.last().unwrap()[0].1.clone();
    let edited = h.press(&user, list.message_id.unwrap(), &auto).await;
    assert_eq!(
        text(&edited),
        "I will write to you in your Telegram app's language: English."
    );
    assert_eq!(h.users.get(100).await.unwrap().unwrap().language, None);
    // Automatic: the user's own menu goes, the one of their app's language shows.
    assert_eq!(h.tg.calls("deleteMyCommands"), 1);

    let unknown = text(&h.say(&user, "/language xx").await);
    assert!(
        unknown.contains("“xx”") && unknown.contains("ru, ar"),
        "{unknown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_is_relayed_in_the_holders_language() {
    let fake = numbot_testing::fake_sms::FakeSms::start().await.unwrap();
    let sms = crate::otp::config("twilio", &fake);
    let h = BotHarness::start(|c| c.sms = Some(sms.clone())).await;
    let (user, admin) = people("ru");
    h.upload(&admin, "n.csv", uae_csv(0, 3), Some("UAE Mobile"))
        .await;
    let list = h.say(&user, "/countries").await;
    h.press(&user, list.message_id.unwrap(), &list.buttons[0][0].1)
        .await;
    let number = h.store.holding(100).unwrap().unwrap().number;
    fake.deliver(&number, "Telegram", "Telegram code: 72915");
    let relayed =
        h.tg.wait_for(100, crate::support::REPLY, |e| {
            e.text.as_deref().is_some_and(|t| t.contains("72915"))
        })
        .await
        .expect("the code reaches the holder");
    let cyrillic = |t: &str| t.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    assert!(cyrillic(&text(&relayed)), "{relayed:?}");
    assert!(cyrillic(&labels(&relayed)), "{relayed:?}");
    assert!(text(&relayed).contains("<code>72915</code>"), "{relayed:?}");
}
