//! The operator's maintenance of the embedded store's data directory:
//! backups, restores and repairs work on its files, with numbot stopped
//! (repair) or beside it (backup).

use std::{path::Path, process::ExitCode};

use anyhow::{bail, Context, Result};
use numbot_core::clock::rfc3339;
use numbot_store_file::{FileStore, PossiblyUsed};

use super::Cli;
use crate::{compose, config::Config};

/// `numbot backup`: a consistent archive of the data directory.
pub(super) fn backup(cli: &Cli, out: &Path, config: Option<&Path>) -> Result<ExitCode> {
    let section = match config {
        Some(path) => Config::load(path)?.store,
        None => cli.store_section(),
    };
    if section.mongodb_uri.is_some() {
        bail!("numbot backup copies the file store; back a MongoDB pool up with the database's own tools (mongodump)");
    }
    let store_config = section.store_config();
    let manifest = numbot_store_file::backup::backup(&store_config, out)
        .with_context(|| format!("backing up {}", store_config.data_dir.display()))?;
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    println!(
        "{}: {} uploads, {} numbers held, {} files ({bytes} bytes before compression)",
        out.display(),
        manifest.uploads,
        manifest.held,
        manifest.files.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `numbot restore`: the archive into a new data directory, opened once.
pub(super) fn restore(cli: &Cli, from: &Path) -> Result<ExitCode> {
    let manifest = numbot_store_file::backup::restore(from, &cli.data_dir)
        .with_context(|| format!("restoring {}", from.display()))?;
    // Opened once: the restored directory is a store numbot can run on.
    let store_config = cli.store_section().store_config();
    let plugins = compose::start_plugins(cli.plugin_dirs(), cli.cache_dir())?;
    let stats = FileStore::open(store_config, plugins)
        .and_then(|store| store.stats())
        .with_context(|| format!("opening the restored {}", cli.data_dir.display()))?;
    let numbers: u64 = stats.categories.values().map(|u| u.total).sum();
    println!(
        "restored {} (taken {}) into {}: {} uploads, {numbers} numbers, {} held",
        from.display(),
        manifest.created_at,
        cli.data_dir.display(),
        manifest.uploads,
        stats.categories.values().map(|u| u.assigned).sum::<u64>()
    );
    Ok(ExitCode::SUCCESS)
}

/// `numbot repair`: the journal salvaged, and what it cost, printed.
pub(super) fn repair(cli: &Cli, config: Option<&Path>, retire: bool) -> Result<ExitCode> {
    let section = match config {
        Some(path) => Config::load(path)?.store,
        None => cli.store_section(),
    };
    let store_config = section.store_config();
    let possibly_used = if retire {
        PossiblyUsed::Retire
    } else {
        PossiblyUsed::Keep
    };
    let report = FileStore::repair(&store_config, possibly_used)
        .with_context(|| format!("repairing {}", store_config.data_dir.display()))?;
    for journal in &report.journals {
        println!("{}: {} records kept", journal.path.display(), journal.kept);
        for (offset, len) in &journal.dropped {
            let records = len.div_ceil(32);
            let plural = if records == 1 { "" } else { "s" };
            println!(
                "  dropped {len} damaged bytes at byte {offset} (about {records} record{plural})"
            );
        }
        if journal.torn_tail > 0 {
            println!("  dropped a torn tail of {} bytes", journal.torn_tail);
        }
        if let Some(backup) = &journal.backup {
            println!("  the damaged original is kept as {}", backup.display());
        }
    }
    for line in &report.dropped_lines {
        println!(
            "{}: dropped damaged line {} (it read: {}); the original is kept as {}.damaged",
            line.path.display(),
            line.line,
            line.text,
            line.path.display()
        );
    }
    if !report.repaired() {
        println!("no damaged records: nothing to repair");
        return Ok(ExitCode::SUCCESS);
    }
    if !report.damaged() {
        println!("repaired: numbot can start (re-apply what the dropped lines said, if needed)");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "holds ended (a dropped record may have ended them): {}",
        report.holds_ended.len()
    );
    for user in &report.holds_ended {
        println!("  user {user}");
    }
    let which = if report.identified {
        "the damaged records name them"
    } else {
        "the damage does not read as records: any free number"
    };
    println!(
        "numbers possibly used by a dropped record ({which}): {}",
        report.quarantined.len()
    );
    for q in &report.quarantined {
        let until = q.until.map_or_else(
            || "retired".to_string(),
            |t| format!("until {}", rfc3339(t.into())),
        );
        println!("  {} ({}) {until}", q.number, q.file);
    }
    println!("repaired: numbot can start");
    Ok(ExitCode::SUCCESS)
}
