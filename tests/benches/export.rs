//! History export benchmark: `cargo bench -p numbot-tests --bench export`.
//!
//! Writes a file store history of 1,000,000 uses (each with one code), then
//! exports it as CSV and as XLSX, each in a fresh process so that its peak
//! RSS is its own. The baseline, in the same run: reading the same history
//! into memory whole, as an export that does not stream would.

use std::{path::PathBuf, time::Instant};

mod common;

use common::rss_peak_mib;
use numbot_core::HistoryQuery;
use numbot_export::Format;

const USES: u32 = 1_000_000;

fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-export"
    ))
}

/// In a fresh process: one scenario; prints seconds, uses, peak RSS.
fn child(scenario: &str) {
    let dir = dir();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let uses = runtime.block_on(async {
        let stream = numbot_store_file::history::read(&dir, HistoryQuery::default());
        match scenario {
            "csv" => numbot_export::write(stream, Format::Csv, &dir.join("uses.csv"))
                .await
                .unwrap(),
            "xlsx" => numbot_export::write(stream, Format::Xlsx, &dir.join("uses.xlsx"))
                .await
                .unwrap(),
            _ => {
                let mut all = Vec::new();
                let mut stream = stream;
                while let Some(r) = stream.recv().await {
                    all.push(r.unwrap());
                }
                all.len() as u64
            }
        }
    });
    println!(
        "{} {uses} {}",
        started.elapsed().as_secs_f64(),
        rss_peak_mib()
    );
}

fn main() {
    if let Ok(scenario) = std::env::var("NUMBOT_BENCH_EXPORT") {
        child(&scenario);
        return;
    }
    let dir = dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    eprintln!("writing a history of {USES} uses...");
    let bytes = common::write_history(&dir, USES, 5_000);
    let mut out = vec![
        format!(
            "history: {USES} uses, one code each; history.jsonl {:.0} MB",
            bytes as f64 / 1e6
        ),
        "| scenario | time | peak RSS | file |".to_string(),
        "| --- | --- | --- | --- |".to_string(),
    ];
    for (scenario, label, file) in [
        (
            "baseline",
            "baseline: the history read into memory whole",
            None,
        ),
        ("csv", "export as CSV (streamed)", Some("uses.csv")),
        (
            "xlsx",
            "export as XLSX (streamed, constant-memory sheet)",
            Some("uses.xlsx"),
        ),
    ] {
        eprintln!("running {scenario}...");
        let run = std::process::Command::new(std::env::current_exe().unwrap())
            .env("NUMBOT_BENCH_EXPORT", scenario)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let report = String::from_utf8_lossy(&run.stdout);
        let mut parts = report.split_whitespace();
        let secs: f64 = parts.next().unwrap().parse().unwrap();
        let uses: u64 = parts.next().unwrap().parse().unwrap();
        let rss: f64 = parts.next().unwrap().parse().unwrap();
        assert_eq!(uses, u64::from(USES), "{scenario}: every use");
        let size = file.map_or(String::new(), |f| {
            format!(
                "{:.0} MB",
                std::fs::metadata(dir.join(f)).unwrap().len() as f64 / 1e6
            )
        });
        out.push(format!(
            "| {label} | {secs:.2} s ({:.0} k uses/s) | {rss:.0} MiB | {size} |",
            uses as f64 / secs / 1e3
        ));
        eprintln!("{}", out.last().unwrap());
    }
    println!("{}", out.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
