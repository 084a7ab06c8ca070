//! OTP monitor benchmark: `cargo bench -p numbot-tests --bench otp`.
//!
//! 10,000 users hold numbers; the real bot runs with the OTP monitor on the
//! fake SMS provider and the fake Telegram server (each on a runtime of its
//! own, like the remote services they stand for). The bench measures the
//! requests per second the monitor sends to the provider while it watches
//! every number, and the time from an SMS reaching the provider to the
//! user's message reaching Telegram. Throttle is off (Telegram's limits
//! would be measured instead). Needs the built plugins (`cargo build-plugins`).
//! `-- --watches N --interval-ms MS --protocol twilio|json|sms-activate`;
//! `--no-activation-list` makes the SMS-Activate fake answer
//! `getActiveActivations` with `BAD_ACTION`, as services without it do.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

mod common;

use common::{percentile_ms as percentile, plugins, remote};
use numbot::{compose, config::Config};
use numbot_core::NumberStore;
use numbot_otp::{JsonConfig, ProviderConfig, SmsConfig};
use numbot_store_file::{FileStore, FileUsers, LocalCoordination};
use numbot_testing::{
    fake_sms::{self, FakeSms},
    fake_telegram::FakeTelegram,
};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let watches: u64 = arg(&args, "--watches")
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let interval: u64 = arg(&args, "--interval-ms")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let protocol = arg(&args, "--protocol").unwrap_or_else(|| "twilio".into());
    let codes: u64 = 1_000.min(watches);
    let no_list = args.iter().any(|a| a == "--no-activation-list");

    let tg = remote("fake-telegram", || async {
        FakeTelegram::start().await.unwrap()
    });
    let sms = remote("fake-sms", || async { FakeSms::start().await.unwrap() });
    let dir = tempfile::tempdir_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")).unwrap();
    let mut config = Config::default();
    config.telegram.token = tg.token().into();
    config.telegram.api_url = tg.api_url();
    config.telegram.throttle = false;
    config.access.admins = vec![1];
    config.store.data_dir = dir.path().to_path_buf();
    let mut provider = SmsConfig::new(match protocol.as_str() {
        "json" => {
            let mut c = JsonConfig::new(
                &format!("{}/api/messages?since={{since}}", sms.url()),
                fake_sms::TOKEN,
            );
            c.messages = "data.messages".into();
            c.id = "id".into();
            ProviderConfig::Json(c)
        }
        "sms-activate" => ProviderConfig::SmsActivate {
            url: sms.url(),
            token: fake_sms::TOKEN.into(),
        },
        _ => ProviderConfig::Twilio {
            url: sms.url(),
            account: fake_sms::ACCOUNT.into(),
            token: fake_sms::TOKEN.into(),
        },
    });
    provider.poll_interval_ms = interval;
    provider.concurrency = 64;
    // Each code ends its use, so that the count of completed uses checks
    // that every code was relayed.
    provider.complete_on = numbot_otp::CompleteOn::FirstCode;
    config.sms = Some(provider);
    let config = config.checked().unwrap();

    let plugins = plugins();
    let store = FileStore::open(config.store.store_config(), plugins.clone()).unwrap();
    let mut csv = String::from("Number\n");
    for i in 0..watches {
        csv.push_str(&format!("97150{i:07}\n"));
    }
    common::import(&plugins, &store, "pool.csv", csv.into_bytes(), "UAE Mobile").await;
    let mut held = Vec::with_capacity(watches as usize);
    for user in 0..watches as i64 {
        held.push((
            100_000 + user,
            NumberStore::claim(&store, "UAE Mobile", 100_000 + user)
                .await
                .unwrap()
                .number,
        ));
    }
    if protocol == "sms-activate" {
        // The account holds an activation for every number of the pool.
        let numbers: Vec<&str> = held.iter().map(|(_, n)| n.as_str()).collect();
        sms.activate(&numbers);
        sms.set_activation_list(!no_list);
    }
    let backends = compose::Backends {
        store: Arc::new(store.clone()),
        records: numbot_core::Records::all(Arc::new(FileUsers::open(dir.path()).unwrap())),
        coordination: Arc::new(LocalCoordination::open(dir.path()).unwrap()),
        inbox: Arc::new(numbot_core::inbox::MemoryInbox::default()),
    };
    let service = compose::serve(&config, backends, plugins).await.unwrap();

    // Watching: let the monitor settle, then count requests over 10 s.
    tokio::time::sleep(Duration::from_millis(3 * interval + 500)).await;
    let (r0, t0) = (sms.requests(), Instant::now());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let watching_rps = (sms.requests() - r0) as f64 / t0.elapsed().as_secs_f64();

    // Codes: `codes` SMS spread over two seconds, each to a different holder.
    let before_sms = sms.requests();
    let started = Instant::now();
    let mut sent_at = Vec::with_capacity(codes as usize);
    let step = Duration::from_secs(2) / codes as u32;
    for (i, (user, number)) in held.iter().take(codes as usize).enumerate() {
        tokio::time::sleep_until(tokio::time::Instant::from_std(started + step * i as u32)).await;
        sent_at.push((*user, tg.clock_us()));
        sms.deliver(
            number,
            "Bench",
            &format!("Your verification code is {:06}", 100_000 + i),
        );
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut latencies = Vec::with_capacity(codes as usize);
    for (user, at) in &sent_at {
        loop {
            let got = tg
                .transcript(*user)
                .into_iter()
                .find(|e| e.text.as_deref().is_some_and(|t| t.starts_with("Code for")));
            if let Some(e) = got {
                latencies.push(e.at_us.saturating_sub(*at));
                break;
            }
            assert!(
                Instant::now() < deadline,
                "a code never reached user {user}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let relay_span = started.elapsed().as_secs_f64();
    let relay_rps = (sms.requests() - before_sms) as f64 / relay_span;
    latencies.sort_unstable();
    let completed = watches as usize - store.assignments().unwrap().len();

    println!("| protocol | watches | poll interval | provider requests/s while watching | provider requests/s while {codes} codes arrive | SMS → user's message p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {protocol} | {watches} | {interval} ms | {watching_rps:.1} | {relay_rps:.1} | {:.0} ms | **{:.0} ms** | {:.0} ms |",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    println!(
        "\n{} codes relayed, {completed} uses completed; Throttle off",
        latencies.len()
    );
    assert_eq!(completed, codes as usize);
    service.stop(Duration::from_secs(5)).await;
}
