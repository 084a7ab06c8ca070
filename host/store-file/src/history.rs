//! `history.jsonl`: every use that ended and every code relayed, one JSON
//! object a line, appended (group-committed) as they happen and never held
//! in memory. A code comes before the end of its use, so a reader joins
//! them in one pass, holding only the codes of uses still open.
//!
//! It is read without the store's lock (`numbot export` beside a running
//! bot): lines are appended whole, and a torn last line is skipped.

use std::{
    collections::HashMap,
    fs::File,
    io::{BufRead, BufReader},
    path::Path,
};

use numbot_core::{
    history::STREAM_BUFFER, CodeRecord, CodeSeen, HistoryQuery, StoreError, UseRecord, UseStream,
};
use serde::{Deserialize, Serialize};

/// The file, in the data directory.
pub const HISTORY_FILE: &str = "history.jsonl";

/// One line of the file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Line {
    /// A use ended (its codes are the `Code` lines before it).
    Use(UseRecord),
    /// A code relayed during a use.
    Code(CodeRecord),
}

impl Line {
    /// The line's bytes, newline included.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).expect("history lines serialize");
        out.push(b'\n');
        out
    }
}

/// Streams the uses `query` asks for from `dir`'s history, oldest first,
/// reading on a blocking thread. Needs a tokio runtime.
pub fn read(dir: &Path, query: HistoryQuery) -> UseStream {
    let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER);
    let path = dir.join(HISTORY_FILE);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = read_into(&path, query, |r| tx.blocking_send(Ok(r)).is_ok()) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

/// Reads `path` (missing: no uses), handing each use asked for to `each`
/// until it returns false. Blocking.
pub fn read_into(
    path: &Path,
    query: HistoryQuery,
    mut each: impl FnMut(UseRecord) -> bool,
) -> Result<(), StoreError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(path)(e)),
    };
    let mut open: HashMap<(String, u32), Vec<CodeSeen>> = HashMap::new();
    let mut skipped = 0u64;
    for line in BufReader::with_capacity(1 << 20, file).split(b'\n') {
        let line = line.map_err(StoreError::io(path))?;
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Line>(&line) {
            Ok(Line::Code(c)) => {
                let codes = open.entry((c.number, c.start)).or_default();
                // A message tried again is kept again.
                if !codes.contains(&c.seen) {
                    codes.push(c.seen);
                }
            }
            Ok(Line::Use(mut r)) => {
                if let Some(codes) = open.remove(&(r.number.clone(), r.start)) {
                    r.codes = codes;
                }
                if query.matches(&r) && !each(r) {
                    return Ok(());
                }
            }
            Err(_) => skipped += 1,
        }
    }
    if skipped > 0 {
        tracing::warn!("{}: {skipped} unreadable line(s) skipped", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use numbot_core::Ended;

    use super::*;

    fn ended(number: &str, start: u32, end: u32) -> UseRecord {
        UseRecord {
            number: number.into(),
            holder: 5,
            category: "UAE".into(),
            file: "a.csv".into(),
            start,
            end,
            ended: Ended::Completed,
            codes: vec![],
        }
    }

    fn code(number: &str, start: u32, at: i64) -> Line {
        Line::Code(CodeRecord {
            number: number.into(),
            holder: 5,
            start,
            seen: CodeSeen {
                at,
                code: Some(format!("{at}")),
            },
        })
    }

    #[test]
    fn codes_join_their_use_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HISTORY_FILE);
        let mut bytes = Vec::new();
        for line in [
            code("+1", 10, 11),
            code("+1", 10, 11),
            code("+2", 10, 12),
            code("+1", 10, 13),
            Line::Use(ended("+1", 10, 14)),
            // The same number again: a new use, its own codes.
            code("+1", 20, 21),
            Line::Use(ended("+1", 20, 22)),
            Line::Use(ended("+2", 10, 30)),
        ] {
            bytes.extend(line.bytes());
        }
        bytes.extend_from_slice(b"{\"use\":{\"number\":\"+3\"");
        std::fs::write(&path, bytes).unwrap();
        let mut got = Vec::new();
        read_into(&path, HistoryQuery::default(), |r| {
            got.push(r);
            true
        })
        .unwrap();
        let codes: Vec<(u32, Vec<i64>)> = got
            .iter()
            .map(|r| (r.end, r.codes.iter().map(|c| c.at).collect()))
            .collect();
        assert_eq!(codes, [(14, vec![11, 13]), (22, vec![21]), (30, vec![12])]);
        let mut window = Vec::new();
        read_into(
            &path,
            HistoryQuery {
                from: Some(20),
                to: Some(30),
                holder: None,
            },
            |r| {
                window.push(r.end);
                true
            },
        )
        .unwrap();
        assert_eq!(window, [22]);
    }
}
