//! `numbot demo`: an offline tour of what is built so far. The default
//! plugins read the sample CSV and format its numbers (UAE numbers routed to
//! the example country plugin); the file store imports it on a temporary
//! data directory and users claim, complete, cancel and change numbers.

use std::{path::Path, time::Instant};

use anyhow::{Context, Result};

use crate::{
    plugin::{PluginHost, PluginHostConfig},
    store::{FileStore, StoreConfig},
};

/// Runs the demo and prints a transcript to stdout.
pub fn run(config: PluginHostConfig, csv: &Path) -> Result<()> {
    println!(
        "numbot demo: plugins and the file store at work, offline, on {}",
        csv.display()
    );
    println!();

    let started = Instant::now();
    let host = PluginHost::start(config)?;
    let plugins = host.plugins();
    anyhow::ensure!(
        !plugins.is_empty(),
        "no plugins found: run `cargo build-plugins` first"
    );
    println!(
        "1. Loaded {} plugins in {:.1?}:",
        plugins.len(),
        started.elapsed()
    );
    for p in &plugins {
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
    for (_, error) in host.load_errors() {
        println!("   refused: {error}");
    }

    let bytes = std::fs::read(csv).with_context(|| format!("read {}", csv.display()))?;
    let started = Instant::now();
    let file_name = csv
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let validation = host.validate(&file_name, &bytes)?;
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
    let formatted = host.format(&numbers, None)?;
    println!();
    println!(
        "3. Formatted {} numbers in {:.1?}:",
        numbers.len(),
        started.elapsed()
    );
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

    println!();
    let data_dir = std::env::temp_dir().join(format!("numbot-demo-{}", std::process::id()));
    let store = FileStore::open(StoreConfig::new(&data_dir), host.clone())?;
    let started = Instant::now();
    let report = store.upload(&file_name, &bytes, "Team Pool", 1, None)?;
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
        host.policy()?.manifest().id
    );
    for user in 101..=104 {
        let started = Instant::now();
        let a = store.claim("Team Pool", user)?;
        println!(
            "   user {user} gets {} ({:.1?})",
            a.number,
            started.elapsed()
        );
    }
    store.complete(101)?;
    println!("   user 101: code received, use complete (the number cools down for 24 h)");
    store.cancel(102)?;
    println!("   user 102: cancelled, the number is available again at once");
    let changed = store.change(103)?;
    println!("   user 103: change number -> {}", changed.number);
    let stats = store.stats()?;
    let u = &stats.categories["Team Pool"];
    println!(
        "   stats: {} numbers, {} available, {} in use, {} cooling, {} assignments, {:.1}% used",
        u.total, u.available, u.assigned, u.cooling, u.assignments, u.used_percent
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&data_dir);
    println!();
    println!("Demo complete. The Telegram bot and the OTP monitor build on these pieces.");
    Ok(())
}
