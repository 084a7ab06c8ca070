//! `numbot demo`: an offline tour of what is built so far. The default
//! plugins read the sample CSV, format its numbers (UAE numbers routed to the
//! example country plugin) and the policy picks numbers for a few requests.

use std::{collections::BTreeMap, path::Path, time::Instant};

use anyhow::{Context, Result};

use crate::plugin::{
    types::{Candidate, Request},
    PluginHost, PluginHostConfig,
};

/// Runs the demo and prints a transcript to stdout.
pub fn run(config: PluginHostConfig, csv: &Path) -> Result<()> {
    println!(
        "numbot demo: the plugin platform at work, offline, on {}",
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
    let mut per_category: BTreeMap<String, u64> = BTreeMap::new();
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
                *per_category.entry(category).or_default() += 1;
            }
            Err(reason) => println!("   {:<16} {:<16} invalid: {reason}", category, row.number),
        }
    }

    println!();
    println!(
        "4. Selection with the `{}` policy:",
        host.policy()?.manifest().id
    );
    let candidates: Vec<Candidate> = per_category
        .iter()
        .enumerate()
        .map(|(i, (name, count))| Candidate {
            id: i as u64,
            name: name.clone(),
            total: *count,
            available: *count,
            used: 0,
            created_at: 0,
            last_used: None,
        })
        .collect();
    for seed in 1..=4u64 {
        let request = Request {
            category: "demo".into(),
            user: 1000 + seed as i64,
            seed: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            candidates: candidates.clone(),
        };
        let choice = host.select(&request)?;
        let picked = &candidates[choice.candidate as usize];
        println!(
            "   user {} gets slot {} of `{}` ({} available)",
            request.user, choice.slot, picked.name, picked.available
        );
    }
    println!();
    println!("Demo complete. The Telegram bot and the OTP monitor build on these plugins.");
    Ok(())
}
