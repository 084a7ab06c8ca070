//! The pool's commands: a front end like the bot and the API, on the use
//! cases only (the composition root opens what they run on). Each change
//! is audited under `--admin`.

use std::{path::Path, process::ExitCode, sync::Arc};

use anyhow::{bail, Context, Result};
use numbot_core::{clock::rfc3339, tokens::NewToken, CategoryHint, Numbers};

use super::{Cli, TokenCommand};
use crate::compose;

/// The use cases over the pool and records the options name, and the
/// runtime their calls run on.
fn open(cli: &Cli) -> Result<(tokio::runtime::Runtime, Arc<Numbers>)> {
    let runtime = tokio::runtime::Runtime::new()?;
    let plugins = compose::start_plugins(cli.plugin_dirs(), cli.cache_dir())?;
    let numbers = runtime.block_on(compose::open_use_cases(&cli.store_section(), plugins))?;
    Ok((runtime, numbers))
}

/// `numbot import`: one inspection of the file, the category given or the
/// one its rows name (as the bot reads them), the import.
pub(super) fn import(
    cli: &Cli,
    file: &Path,
    category: Option<&str>,
    country: Option<String>,
) -> Result<ExitCode> {
    let (runtime, numbers) = open(cli)?;
    let bytes = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = runtime.block_on(async {
        let inspection = numbers.inspect(&name, Arc::new(bytes)).await?;
        let category = match (category, &inspection.hint) {
            (Some(c), _) => c.to_string(),
            (None, CategoryHint::One(c)) => {
                eprintln!("category `{c}`: every row of the file names it (its Range column)");
                c.clone()
            }
            (None, CategoryHint::Unclear(0)) => bail!(
                "{name}: its rows name no category; say which with --category NAME"
            ),
            (None, CategoryHint::Unclear(n)) => bail!(
                "{name}: its rows name {n} categories, or only some rows name one; say which with --category NAME"
            ),
        };
        Ok(numbers
            .import(cli.admin, &inspection, &category, country)
            .await?)
    })?;
    println!(
        "imported {} into `{}` as {}",
        name, report.category, report.file
    );
    println!("  accepted:            {}", report.accepted);
    println!("  duplicates in file:  {}", report.duplicates_in_file);
    println!("  already in the pool: {}", report.duplicates_in_pool);
    println!("  rejected:            {}", report.rejected_count);
    for (reason, count) in &report.rejected_by_reason {
        println!("    {count:>6}  {reason}");
    }
    for r in report.rejected.iter().take(20) {
        println!("    line {:>6}: {} ({})", r.line, r.reason, r.content);
    }
    Ok(ExitCode::SUCCESS)
}

/// `numbot files`.
pub(super) fn files(cli: &Cli) -> Result<ExitCode> {
    let (runtime, numbers) = open(cli)?;
    println!(
        "{:<36} {:<18} {:>9} {:>9} {:>9} {:>7}  CREATED",
        "FILE", "CATEGORY", "NUMBERS", "AVAILABLE", "USES", "USED%"
    );
    for f in runtime.block_on(numbers.files())? {
        let deleted = if f.meta.deleted { "  (deleted)" } else { "" };
        println!(
            "{:<36} {:<18} {:>9} {:>9} {:>9} {:>6.1}%  {}{deleted}",
            f.name,
            f.meta.country_name,
            f.usage.total,
            f.usage.available,
            f.usage.assignments,
            f.usage.used_percent,
            f.meta.created_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `numbot stats`.
pub(super) fn stats(cli: &Cli) -> Result<ExitCode> {
    let (runtime, numbers) = open(cli)?;
    let stats = runtime.block_on(numbers.stats())?;
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "CATEGORY", "NUMBERS", "AVAILABLE", "IN USE", "COOLING", "USES", "USED%"
    );
    for (category, u) in &stats.categories {
        println!(
            "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6.1}%",
            category, u.total, u.available, u.assigned, u.cooling, u.assignments, u.used_percent
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `numbot delete`.
pub(super) fn delete(cli: &Cli, file: &str) -> Result<ExitCode> {
    let (runtime, numbers) = open(cli)?;
    let meta = runtime.block_on(numbers.delete_file(cli.admin, file))?;
    println!(
        "deleted {file} ({} numbers of `{}`); its history stays in the statistics",
        meta.number_count, meta.country_name
    );
    Ok(ExitCode::SUCCESS)
}

/// `numbot token create|list|revoke`.
pub(super) fn token(cli: &Cli, command: &TokenCommand) -> Result<ExitCode> {
    let (runtime, numbers) = open(cli)?;
    match command {
        TokenCommand::Create {
            name,
            categories,
            numbers_per_window,
            max_uses,
        } => {
            let new = NewToken {
                name: name.clone(),
                categories: categories.clone(),
                numbers_per_window: *numbers_per_window,
                max_uses: *max_uses,
            };
            let (secret, token) = runtime.block_on(numbers.issue_token(cli.admin, new))?;
            eprintln!(
                "token `{}` (id {}) made; its secret, shown this once:",
                token.name, token.id
            );
            println!("{secret}");
        }
        TokenCommand::List => {
            println!(
                "{:<4} {:<20} {:<8} {:<10} {:<24} {:<20} STATE",
                "ID", "NAME", "MAX USES", "PER WINDOW", "CATEGORIES", "CREATED"
            );
            for t in runtime.block_on(numbers.tokens())? {
                let categories = if t.categories.is_empty() {
                    "all".to_string()
                } else {
                    t.categories.join(",")
                };
                let per_window = t
                    .numbers_per_window
                    .map_or("default".to_string(), |n| n.to_string());
                let state = t
                    .revoked_at
                    .map_or("live".to_string(), |at| format!("revoked {}", rfc3339(at)));
                println!(
                    "{:<4} {:<20} {:<8} {:<10} {:<24} {:<20} {state}",
                    t.id,
                    t.name,
                    t.max_uses,
                    per_window,
                    categories,
                    rfc3339(t.created_at)
                );
            }
        }
        TokenCommand::Revoke { name } => {
            match runtime.block_on(numbers.revoke_token(cli.admin, name))? {
                Some(t) => println!("revoked `{}` (id {})", t.name, t.id),
                None => {
                    eprintln!("no live token named `{name}`");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `numbot export`: works beside a running numbot (the composition root
/// reads the file store's history from its file, without the lock).
pub(super) fn export(
    cli: &Cli,
    out: &Path,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<ExitCode> {
    let Some(format) = numbot_export::Format::of(out) else {
        bail!("{}: name the file .csv or .xlsx", out.display());
    };
    let query = numbot_export::period(from, to)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let written = runtime.block_on(async {
        let uses = compose::history(&cli.store_section(), query, || {
            compose::start_plugins(cli.plugin_dirs(), cli.cache_dir())
        })
        .await?;
        anyhow::Ok(numbot_export::write(uses, format, out).await?)
    })?;
    println!("{written} uses written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}
