//! The offline demo: a tour of numbot with nothing but this machine. The
//! default plugins read the sample CSV and format its numbers (UAE numbers
//! routed to the example country plugin); the file store imports it on a
//! temporary data directory and users claim, complete, cancel and change
//! numbers; then the real bot runs against the fake Telegram server and the
//! fake SMS provider: an admin uploads the CSV in a chat, a user gets a
//! number and changes it, an SMS reaches the provider and the code reaches
//! the user; last, a test suite's client takes a number through the HTTP
//! API and its waiting request returns the code. `scripts/demo.sh` runs it.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use clap::Parser;
use numbot::{compose, config::Config};
use numbot_core::{
    tokens::NewToken, upload, Finish, NumberStore, Numbers, Plugins, StoreConfig, Upload,
};
use numbot_otp::{ProviderConfig, SmsConfig};
use numbot_plugin_host::{dirs::default_plugin_dirs, PluginRunner};
use numbot_store_file::FileStore;
use numbot_telegram::callback::Callback;
use numbot_testing::{
    fake_sms::{self, FakeSms},
    fake_telegram::{Entry, FakeTelegram, TestUser},
};

/// The offline demo of numbot.
#[derive(Parser)]
struct Args {
    /// The CSV to upload.
    #[arg(long, default_value = "examples/sample.csv")]
    csv: PathBuf,
    /// Plugin directory (repeatable); default: the built defaults and examples.
    #[arg(long = "plugin-dir")]
    plugin_dirs: Vec<PathBuf>,
    /// Keep the fake servers and the bot running after the script (Ctrl-C stops).
    #[arg(long)]
    keep_running: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(run(args)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The default plugins and, beside them, the example ones.
fn plugin_dirs(args: &Args) -> Vec<PathBuf> {
    if !args.plugin_dirs.is_empty() {
        return args.plugin_dirs.clone();
    }
    let mut dirs = default_plugin_dirs();
    let examples: Vec<PathBuf> = dirs
        .iter()
        .map(|d| d.with_file_name("plugins-examples"))
        .filter(|d| d.is_dir())
        .collect();
    dirs.extend(examples);
    dirs
}

async fn run(args: Args) -> Result<()> {
    let csv = args.csv.clone();
    println!(
        "numbot demo: plugins and the file store at work, offline, on {}",
        csv.display()
    );
    println!();
    let started = Instant::now();
    let dirs = plugin_dirs(&args);
    let plugins = tokio::task::spawn_blocking(move || compose::start_plugins(dirs, None)).await??;
    let inventory = plugins.inventory();
    anyhow::ensure!(
        !inventory.plugins.is_empty(),
        "no plugins found: run `cargo build-plugins` first"
    );
    println!(
        "1. Loaded {} plugins in {:.1?}:",
        inventory.plugins.len(),
        started.elapsed()
    );
    for p in &inventory.plugins {
        let countries = p
            .countries
            .as_ref()
            .map(|c| format!(" (claims {})", c.join(",")))
            .unwrap_or_default();
        println!(
            "   {:<18} {:<9} {}{countries}",
            p.id,
            p.world.as_str(),
            p.version
        );
    }
    for (_, error) in &inventory.refused {
        println!("   refused: {error}");
    }
    let bytes = std::fs::read(&csv).with_context(|| format!("read {}", csv.display()))?;
    let file_name = csv
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_and_format(&plugins, &file_name, &bytes).await?;
    store_tour(&plugins, &file_name, &bytes).await?;

    println!();
    println!("6. The Telegram bot, offline: a fake Bot API server and a fake SMS provider (Twilio protocol)");
    println!(
        "   on 127.0.0.1, the real bot (teloxide, long polling) and the OTP monitor on a fresh"
    );
    println!("   data directory; admin 1 and user 101 chat.");
    println!(
        "   Messages to one chat are paced at 1/s (Telegram's per-chat limit), so some replies"
    );
    println!("   wait for the previous one; edits are not paced.");
    let bot_dir = std::env::temp_dir().join(format!("numbot-demo-bot-{}", std::process::id()));
    let result = telegram_tour(plugins, &bot_dir, &file_name, bytes, args.keep_running).await;
    let _ = std::fs::remove_dir_all(&bot_dir);
    result?;
    println!();
    println!(
        "Demo complete: the code reached the user in Telegram and the test suite through the API."
    );
    Ok(())
}

/// Steps 2 and 3: the validator and the formatters on the sample.
async fn read_and_format(plugins: &Arc<PluginRunner>, file_name: &str, bytes: &[u8]) -> Result<()> {
    let started = Instant::now();
    let validation = plugins
        .validate(file_name.to_string(), Arc::new(bytes.to_vec()))
        .await?;
    println!();
    println!(
        "2. Validated {file_name} in {:.1?}: {} numbers, {} rejected, {} duplicates",
        started.elapsed(),
        validation.numbers.len(),
        validation.rejected.len(),
        validation.duplicates.len()
    );
    for r in &validation.rejected {
        println!(
            "   line {:>3} rejected: {} ({})",
            r.line, r.reason, r.content
        );
    }
    for d in &validation.duplicates {
        println!(
            "   line {:>3} duplicate of line {}: {}",
            d.line, d.first_line, d.number
        );
    }
    let numbers: Vec<String> = validation
        .numbers
        .iter()
        .map(|n| n.number.clone())
        .collect();
    let started = Instant::now();
    let formatted = plugins.format(numbers.clone(), None).await?;
    println!();
    println!(
        "3. Formatted {} numbers in {:.1?}:",
        numbers.len(),
        started.elapsed()
    );
    let host = plugins.host();
    for (row, result) in validation.numbers.iter().zip(&formatted) {
        let category = row.category.clone().unwrap_or_else(|| "(none)".into());
        match result {
            Ok(f) => {
                let by = host
                    .formatter_for(&f.country)
                    .map(|p| p.manifest().id.clone())
                    .unwrap_or_default();
                println!(
                    "   {:<16} {:<16} {:<20} {}  [{by}]",
                    category, f.e164, f.display, f.country
                );
            }
            Err(reason) => println!("   {:<16} {:<16} invalid: {reason}", category, row.number),
        }
    }
    Ok(())
}

/// Steps 4 and 5: the file store imports the sample and users take numbers.
async fn store_tour(plugins: &Arc<PluginRunner>, file_name: &str, bytes: &[u8]) -> Result<()> {
    println!();
    let data_dir = std::env::temp_dir().join(format!("numbot-demo-{}", std::process::id()));
    let opened = {
        let (dir, plugins) = (data_dir.clone(), plugins.clone());
        tokio::task::spawn_blocking(move || FileStore::open(StoreConfig::new(dir), plugins))
            .await??
    };
    let store: Arc<dyn NumberStore> = Arc::new(opened);
    let started = Instant::now();
    let report = upload::import(
        &**plugins,
        &*store,
        Upload {
            file_name: file_name.to_string(),
            bytes: Arc::new(bytes.to_vec()),
            category: "Team Pool".into(),
            admin: 1,
            default_country: None,
        },
    )
    .await?;
    println!(
        "4. Admin 1 uploads it to the store as `{}` in {:.1?}: {} numbers in the pool, {} rejected, {} duplicates",
        report.file,
        started.elapsed(),
        report.accepted,
        report.rejected_count,
        report.duplicates_in_file
    );
    println!();
    println!(
        "5. Users ask for numbers (policy `{}`; every claim is on disk before the answer):",
        plugins.host().policy()?.manifest().id
    );
    let mut uses = Vec::new();
    for user in 101..=104 {
        let started = Instant::now();
        let a = store.claim("Team Pool", user).await?;
        println!(
            "   user {user} gets {} as use {} ({:.1?})",
            a.number,
            a.id,
            started.elapsed()
        );
        uses.push(a.id);
    }
    store.end(uses[0], Finish::Done).await?;
    println!("   user 101: code received, use complete (the number cools down for 24 h)");
    store.end(uses[1], Finish::Cancel).await?;
    println!("   user 102: cancelled, the number is available again at once");
    let changed = store.change(uses[2]).await?;
    println!("   user 103: change number -> {}", changed.number);
    let stats = store.stats().await?;
    let u = &stats.categories["Team Pool"];
    println!(
        "   stats: {} numbers, {} available, {} in use, {} cooling, {} assignments, {:.1}% used",
        u.total, u.available, u.assigned, u.cooling, u.assignments, u.used_percent
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(())
}

/// Prints the chat entries after the first `seen`, stamped with the fake
/// server's clock (milliseconds since it started).
fn print_chat(entries: &[Entry], seen: &mut usize, who: &str) {
    for e in &entries[*seen..] {
        let speaker = if e.from == "bot" { "bot" } else { who };
        let what = match (e.method.as_str(), &e.text, &e.data, &e.file) {
            ("callback_query", _, Some(data), _) => format!("presses [{data}]"),
            ("document", caption, _, Some((name, size))) => format!(
                "sends {name} ({size} bytes){}",
                caption
                    .as_deref()
                    .map(|c| format!(", caption {c:?}"))
                    .unwrap_or_default()
            ),
            ("editmessagetext", Some(t), _, _) => format!("(edits) {t}"),
            (_, Some(t), _, _) => t.clone(),
            _ => e.method.clone(),
        };
        let mut what = plain(&what).replace('\n', "\n                       ");
        for row in &e.buttons {
            let labels: Vec<String> = row.iter().map(|(l, _)| format!("[{l}]")).collect();
            what.push_str(&format!("\n                       {}", labels.join(" ")));
        }
        println!(
            "   {:>7.1} ms  {speaker:<5} {what}",
            e.at_us as f64 / 1000.0
        );
    }
    *seen = entries.len();
}

/// Telegram HTML as a terminal shows it: tags dropped, entities decoded.
fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The bot over the fake server: an upload, a number, change, cancel, a refusal.
async fn telegram_tour(
    plugins: Arc<PluginRunner>,
    dir: &Path,
    file_name: &str,
    bytes: Vec<u8>,
    keep_running: bool,
) -> Result<()> {
    let tg = FakeTelegram::start().await?;
    let sms = FakeSms::start().await?;
    let mut config = Config::default();
    config.telegram.token = tg.token().into();
    config.telegram.api_url = tg.api_url();
    config.access.admins = vec![1];
    config.store.data_dir = dir.to_path_buf();
    let mut provider = SmsConfig::new(ProviderConfig::Twilio {
        url: sms.url(),
        account: fake_sms::ACCOUNT.into(),
        token: fake_sms::TOKEN.into(),
    });
    provider.poll_interval_ms = 250;
    config.sms = Some(provider);
    config.api = Some(numbot_api::ApiConfig::new("127.0.0.1:0".parse()?));
    let config = config.checked()?;
    let backends =
        compose::open_backends(&config.store, config.store.store_config(), plugins.clone()).await?;
    let service = compose::serve(&config, backends, plugins).await?;
    let (admin, user) = (TestUser::new(1), TestUser::new(101));
    let (mut seen_admin, mut seen_user) = (0, 0);
    let wait = Duration::from_secs(10);

    // The admin uploads the sample without a caption: the bot asks for the category.
    tg.send_document(&admin, file_name, bytes, None);
    let question = next_bot(&tg, 1, seen_admin, wait).await?;
    tg.send_text(&admin, "Team Pool");
    next_bot(&tg, 1, question.1 + 1, wait).await?;
    print_chat(&tg.transcript(1), &mut seen_admin, "admin");

    tg.send_text(&user, "/start");
    next_bot(&tg, 101, 0, wait).await?;
    tg.send_text(&user, "/countries");
    let (keyboard, at) = next_bot(&tg, 101, 2, wait).await?;
    let pick = keyboard
        .buttons
        .first()
        .and_then(|r| r.first())
        .map(|b| b.1.clone())
        .context("a category button")?;
    tg.press_button(&user, keyboard.message_id.unwrap_or(0), &pick);
    let (number, at) = next_bot(&tg, 101, at + 1, wait).await?;
    let number_message = number.message_id.unwrap_or(0);
    let change = number
        .buttons
        .iter()
        .flatten()
        .map(|b| b.1.clone())
        .find(|data| matches!(Callback::parse(data), Some(Callback::Change(_))))
        .context("a Change button")?;
    tg.press_button(&user, number_message, &change);
    let (_, at) = next_bot(&tg, 101, at + 1, wait).await?;
    // The service the user is testing sends its SMS to the number.
    let held = held_number(&tg, 101).context("the user's number")?;
    sms.deliver(
        &held,
        "Google",
        "G-482913 is your Google verification code. Don't share it with anyone.",
    );
    let sent = Instant::now();
    let (code, at) = next_bot(&tg, 101, at + 1, wait).await?;
    let relayed_after = sent.elapsed();
    anyhow::ensure!(
        code.text
            .as_deref()
            .is_some_and(|t| t.contains("Code for") && t.contains("482913")),
        "the code did not reach the user: {:?}",
        code.text
    );
    tg.send_text(&user, "/csvdelete");
    next_bot(&tg, 101, at + 1, wait).await?;
    print_chat(&tg.transcript(101), &mut seen_user, "user");
    println!(
        "   The code reached the user {relayed_after:.1?} after the SMS reached the provider (the monitor"
    );
    println!(
        "   polls every 250 ms here, one request for every number in use; the chat is paced)."
    );
    println!(
        "   Bot API calls: {} sendMessage, {} editMessageText, {} answerCallbackQuery, {} getFile",
        tg.calls("sendMessage"),
        tg.calls("editMessageText"),
        tg.calls("answerCallbackQuery"),
        tg.calls("getFile")
    );
    let api = service.api_addr().context("the API listens")?;
    api_tour(&format!("http://{api}"), service.numbers(), &sms).await?;
    if keep_running {
        print_playground(&tg, &sms);
        tokio::signal::ctrl_c().await?;
    }
    service.stop(Duration::from_secs(2)).await;
    Ok(())
}

/// Step 7: what a CI job does through the HTTP API (examples/api has it
/// as a script): take a number, wait for its message while the app under
/// test sends the SMS, read the code, release the number.
async fn api_tour(base: &str, numbers: &Numbers, sms: &FakeSms) -> Result<()> {
    println!();
    println!("7. The HTTP API, as a test suite in CI uses it (on {base}):");
    let new = NewToken {
        name: "ci".into(),
        categories: vec![],
        numbers_per_window: None,
        max_uses: 1,
    };
    let (secret, _) = numbers.issue_token(0, new).await?;
    println!("   numbot token create ci            -> a secret shown once (stored hashed)");
    let http = reqwest::Client::new();
    let taken: serde_json::Value = http
        .post(format!("{base}/v1/numbers"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({ "category": "Team Pool" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let (use_id, number) = (
        taken["use_id"].as_str().context("a use id")?.to_string(),
        taken["number"].as_str().context("a number")?.to_string(),
    );
    println!("   POST /v1/numbers {{\"category\":\"Team Pool\"}} -> 201 {number} (use {use_id})");
    let waiting = {
        let (http, url, secret) = (
            http.clone(),
            format!("{base}/v1/uses/{use_id}/messages?wait=30"),
            secret.clone(),
        );
        tokio::spawn(async move {
            let answer = http.get(url).bearer_auth(secret).send().await?;
            answer.error_for_status()?.json::<serde_json::Value>().await
        })
    };
    // A real SMS takes seconds to arrive. This one is sent in the next
    // second at the earliest: a message stamped in the very second a number
    // changed hands cannot be told apart from the previous holder's, and
    // goes to nobody.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    tokio::time::sleep(
        Duration::from_millis(1000 - u64::from(now.subsec_millis())) + Duration::from_millis(50),
    )
    .await;
    println!("   GET /v1/uses/{use_id}/messages?wait=30 waits; the app under test sends its SMS");
    sms.deliver(
        &number,
        "Acme",
        "Your Acme sign-in code is 730 118. It expires in 10 minutes.",
    );
    let sent = Instant::now();
    let messages = tokio::time::timeout(Duration::from_secs(30), waiting).await???;
    let answered_after = sent.elapsed();
    let code = messages[0]["code"]
        .as_str()
        .with_context(|| format!("no code in the answer after {answered_after:.1?}: {messages}"))?;
    anyhow::ensure!(code == "730118", "the API answered {messages}");
    println!("   -> 200 [{{\"sender\":\"Acme\",\"code\":\"{code}\", ...}}] {answered_after:.1?} after the SMS reached the provider");
    http.post(format!("{base}/v1/uses/{use_id}/done"))
        .bearer_auth(&secret)
        .send()
        .await?
        .error_for_status()?;
    println!("   POST /v1/uses/{use_id}/done      -> 200: the number's use is over");
    Ok(())
}

/// How to talk to the fake servers left running.
fn print_playground(tg: &FakeTelegram, sms: &FakeSms) {
    println!();
    println!("   Still running (Ctrl-C stops). Play with it over HTTP:");
    println!(
        "     fake Telegram: {}  (bot token {})",
        tg.api_url(),
        tg.token()
    );
    println!("       curl -s -XPOST {}control/users/101/text -H 'content-type: application/json' -d '{{\"text\":\"/countries\"}}'", tg.api_url());
    println!(
        "       curl -s {}control/chats/101/transcript",
        tg.api_url()
    );
    println!("     fake SMS provider: {}", sms.url());
    println!("       curl -s -XPOST {}/control/sms -H 'content-type: application/json' -d '{{\"to\":\"+971501234568\",\"text\":\"Your code is 123456\"}}'", sms.url());
}

/// The number shown in the last "Your number" message or edit of `chat`.
fn held_number(tg: &FakeTelegram, chat: i64) -> Option<String> {
    let text = tg
        .transcript(chat)
        .into_iter()
        .rev()
        .filter_map(|e| e.text)
        .find(|t| t.starts_with("Your number: "))?;
    let start = text.find("<code>")? + 6;
    let end = text[start..].find("</code>")? + start;
    Some(text[start..end].to_string())
}

/// Waits for the first bot entry of `chat` at or after index `from`; it and its index.
async fn next_bot(
    tg: &FakeTelegram,
    chat: i64,
    from: usize,
    wait: Duration,
) -> Result<(Entry, usize)> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let found = tg
            .transcript(chat)
            .into_iter()
            .enumerate()
            .skip(from)
            .find(|(_, e)| e.from == "bot");
        if let Some((i, e)) = found {
            return Ok((e, i));
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the bot did not answer in chat {chat}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
