//! `/export [from] [to]`: every use that ended in the period, sent as a
//! CSV and an XLSX file. The files are written from the history's stream
//! to a temporary directory, never held in memory.

use std::path::Path;

use numbot_core::HistoryQuery;
use numbot_export::{period, Format};
use teloxide::{prelude::*, types::InputFile, RequestError};

use super::failed;
use crate::{app::App, app::Caller, Tg};

/// How a period without its first (last) day is named in file names
/// and the audit trail.
const FIRST: &str = "beginning";
const LAST: &str = "now";

/// Telegram refuses documents a bot sends above 50 MB.
const MAX_DOCUMENT: u64 = 50 * 1024 * 1024;

pub(crate) async fn export(
    bot: &Tg,
    app: &App,
    me: &Caller,
    args: &str,
) -> Result<(), RequestError> {
    let words: Vec<&str> = args.split_whitespace().collect();
    if words.len() > 2 {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "export-usage")))
            .await?;
        return Ok(());
    }
    let (from, to) = (words.first().copied(), words.get(1).copied());
    let query = match period(from, to) {
        Ok(q) => q,
        Err(bad) => {
            let text = format!(
                "{}\n{}",
                tr!(me.lang, "export-bad-date", date = format!("{:?}", bad.0)),
                tr!(me.lang, "export-usage")
            );
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(());
        }
    };
    let dir = match tokio::task::spawn_blocking(tempfile::tempdir).await {
        Ok(Ok(dir)) => dir,
        other => {
            tracing::error!("export: no temporary directory: {other:?}");
            bot.send(bot.send_message(me.chat, tr!(me.lang, "export-no-tempdir")))
                .await?;
            return Ok(());
        }
    };
    let (first, last) = (from.unwrap_or(FIRST), to.unwrap_or(LAST));
    let stem = format!("uses_{first}_{last}");
    let sent = send(bot, app, me, query, &dir.path().join(stem)).await;
    // Removing the files is blocking work.
    tokio::task::spawn_blocking(move || drop(dir));
    let uses = sent?;
    if uses > 0 {
        let period = format!("{first} to {last}");
        app.numbers
            .exported(me.id, &format!("{period}: {uses} uses"))
            .await;
    }
    Ok(())
}

/// Writes and sends each format (`stem` with its extension); how many
/// uses the period holds.
async fn send(
    bot: &Tg,
    app: &App,
    me: &Caller,
    query: HistoryQuery,
    stem: &Path,
) -> Result<u64, RequestError> {
    let mut uses = 0;
    for format in [Format::Csv, Format::Xlsx] {
        let stream = match app.numbers.history(query).await {
            Ok(s) => s,
            Err(e) => return failed(bot, me, e).await.map(|()| 0),
        };
        let path = stem.with_extension(format.extension());
        uses = match numbot_export::write(stream, format, &path).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(admin = me.id, "export: {e}");
                let text = tr!(me.lang, "export-failed", error = e.to_string());
                bot.send(bot.send_message(me.chat, text)).await?;
                continue;
            }
        };
        if uses == 0 {
            bot.send(bot.send_message(me.chat, tr!(me.lang, "export-none")))
                .await?;
            return Ok(0);
        }
        let size = tokio::fs::metadata(&path).await.map_or(0, |m| m.len());
        if size > MAX_DOCUMENT {
            let text = tr!(
                me.lang,
                "export-too-big",
                format = format.extension(),
                mb = size / (1024 * 1024)
            );
            bot.send(bot.send_message(me.chat, text)).await?;
            continue;
        }
        let caption = tr!(
            me.lang,
            "export-caption",
            n = uses,
            format = format.extension().to_uppercase()
        );
        bot.send(
            bot.send_document(me.chat, InputFile::file(path))
                .caption(caption),
        )
        .await?;
    }
    Ok(uses)
}
