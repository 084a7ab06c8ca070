//! Every use of a number, kept after it ends: who held which number of
//! which file, from when to when, how it ended, and the codes that reached
//! it. Each backend keeps them out of memory (the file store in an
//! append-only file, MongoDB in a collection) and streams them back, so an
//! export of millions of uses needs no more memory than one.

use serde::{Deserialize, Serialize};

use crate::{error::StoreError, model::UseId, reuse::End, tokens};

/// How a use ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ended {
    /// Done (the holder said so, or the first code ended it).
    Completed,
    /// Given back without a code.
    Cancelled,
    /// Given back for another number of the category.
    Changed,
    /// The lease ran out.
    Expired,
}

impl Ended {
    /// What the reuse rules make of it.
    pub fn end(self) -> End {
        match self {
            Ended::Completed => End::Complete,
            Ended::Cancelled | Ended::Changed => End::Cancel,
            Ended::Expired => End::Expire,
        }
    }

    /// Its name in exports and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Completed => "completed",
            Ended::Cancelled => "cancelled",
            Ended::Changed => "changed",
            Ended::Expired => "expired",
        }
    }
}

/// A message relayed during a use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSeen {
    /// When the provider received it (Unix seconds).
    pub at: i64,
    /// The code, when the configuration keeps code texts
    /// (`history.keep_codes`); otherwise only that one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A code relayed to the holder of `number` in the use `use_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// The use (0 in records kept before uses had ids: then the number and
    /// `start` name it).
    #[serde(rename = "use", default)]
    pub use_id: UseId,
    /// E.164.
    pub number: String,
    /// The holder (a Telegram user, or one of an API token's holders).
    pub holder: i64,
    /// When the use began (Unix seconds).
    pub start: u32,
    /// The message.
    #[serde(flatten)]
    pub seen: CodeSeen,
}

/// One use that ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseRecord {
    /// The use's id (0 in records kept before uses had ids).
    #[serde(default)]
    pub id: UseId,
    /// E.164.
    pub number: String,
    /// The holder (a Telegram user, or one of an API token's holders).
    pub holder: i64,
    /// The category it came from.
    pub category: String,
    /// The stored file it came from.
    pub file: String,
    /// Began (Unix seconds).
    pub start: u32,
    /// Ended (Unix seconds).
    pub end: u32,
    /// How.
    pub ended: Ended,
    /// The codes relayed during it, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeSeen>,
}

impl UseRecord {
    /// The API token whose holder this was, if any.
    pub fn token(&self) -> Option<i64> {
        tokens::token_of(self.holder)
    }
}

/// Which uses to read: those that ended in `[from, to)`, of one holder or
/// all, or a holder's last few.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Ended at or after (Unix seconds).
    pub from: Option<u32>,
    /// Ended before (Unix seconds).
    pub to: Option<u32>,
    /// Only this holder's.
    pub holder: Option<i64>,
    /// Only the holder's last this many (with `holder`): the stores read
    /// just those (an index, a sorted query), not the whole history.
    pub last: Option<usize>,
}

impl HistoryQuery {
    /// Whether `r` is one of the uses asked for.
    pub fn matches(&self, r: &UseRecord) -> bool {
        self.from.is_none_or(|from| r.end >= from)
            && self.to.is_none_or(|to| r.end < to)
            && self.holder.is_none_or(|h| r.holder == h)
    }
}

/// A search of the history as an admin's panel asks it: every filter
/// optional, the newest uses first, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySearch {
    /// Ended in this window, holder and the like (`last` is not used).
    pub query: HistoryQuery,
    /// Digits the number contains (`+` and separators dropped): a whole
    /// number or the few digits someone remembers.
    pub number: Option<String>,
    /// The category, exactly.
    pub category: Option<String>,
    /// At most this many, the newest (by end) first.
    pub limit: usize,
}

impl HistorySearch {
    /// The digits of `typed` (a number as someone types it), or `None`
    /// when there are none.
    pub fn digits(typed: &str) -> Option<String> {
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        (!digits.is_empty()).then_some(digits)
    }

    /// Whether `r` is one of the uses asked for (the limit aside).
    pub fn matches(&self, r: &UseRecord) -> bool {
        self.query.matches(r)
            && self.category.as_ref().is_none_or(|c| &r.category == c)
            && self
                .number
                .as_ref()
                .is_none_or(|d| r.number.contains(d.as_str()))
    }
}

/// The newest `search.limit` uses of `stream` that `search` matches,
/// newest first: the search of a backend with no index of its own.
pub async fn newest(
    mut stream: UseStream,
    search: &HistorySearch,
) -> Result<Vec<UseRecord>, StoreError> {
    let mut kept = std::collections::VecDeque::new();
    while let Some(r) = stream.recv().await {
        let r = r?;
        if search.matches(&r) {
            kept.push_back(r);
            if kept.len() > search.limit {
                kept.pop_front();
            }
        }
    }
    Ok(kept.into_iter().rev().collect())
}

/// Uses that ended and codes received by UTC day: what the overview's
/// trend draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// Uses that began this day and ended since.
    pub began: u64,
    /// Codes received this day during uses that ended since.
    pub codes: u64,
}

/// [`DayCounts`] for the `days` days from `first` (Unix seconds, a UTC
/// midnight) from the history streamed from `first` on: the count of a
/// backend with no index of its own.
pub async fn count_days(
    mut stream: UseStream,
    first: i64,
    days: usize,
) -> Result<Vec<DayCounts>, StoreError> {
    let mut out = vec![DayCounts::default(); days];
    let slot = |t: i64| {
        let i = (t - first).div_euclid(DAY);
        usize::try_from(i).ok().filter(|&i| i < days)
    };
    while let Some(r) = stream.recv().await {
        let r = r?;
        if let Some(i) = slot(i64::from(r.start)) {
            out[i].began += 1;
        }
        for c in &r.codes {
            if let Some(i) = slot(c.at) {
                out[i].codes += 1;
            }
        }
    }
    Ok(out)
}

/// A day in seconds.
pub const DAY: i64 = 86_400;

/// Uses streamed oldest first; an error ends the stream.
pub type UseStream = tokio::sync::mpsc::Receiver<Result<UseRecord, StoreError>>;

/// Uses a stream holds at once: a reader that falls behind holds up the
/// backend's reader, not memory.
pub const STREAM_BUFFER: usize = 1024;

/// The last `n` uses of a stream (a user's `/history`).
pub async fn last(mut stream: UseStream, n: usize) -> Result<Vec<UseRecord>, StoreError> {
    let mut kept = std::collections::VecDeque::with_capacity(n.min(STREAM_BUFFER) + 1);
    while let Some(r) = stream.recv().await {
        kept.push_back(r?);
        if kept.len() > n {
            kept.pop_front();
        }
    }
    Ok(kept.into())
}

/// Two streams merged by end time (the migration pool's two backends).
pub fn merge(mut a: UseStream, mut b: UseStream) -> UseStream {
    let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER);
    tokio::spawn(async move {
        let (mut x, mut y) = (a.recv().await, b.recv().await);
        loop {
            let take_x = match (&x, &y) {
                (None, None) => return,
                (Some(Ok(p)), Some(Ok(q))) => p.end <= q.end,
                (Some(_), None) | (Some(Err(_)), _) => true,
                (None, Some(_)) | (_, Some(Err(_))) => false,
            };
            let next = if take_x {
                std::mem::replace(&mut x, a.recv().await)
            } else {
                std::mem::replace(&mut y, b.recv().await)
            };
            let Some(next) = next else { continue };
            if tx.send(next).await.is_err() {
                return;
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(end: u32) -> UseRecord {
        UseRecord {
            id: UseId(u64::from(end)),
            number: format!("+9715{end:08}"),
            holder: 7,
            category: "UAE".into(),
            file: "a.csv".into(),
            start: end - 1,
            end,
            ended: Ended::Completed,
            codes: vec![],
        }
    }

    fn stream(ends: &[u32]) -> UseStream {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        for &e in ends {
            tx.try_send(Ok(used(e))).unwrap();
        }
        rx
    }

    #[tokio::test]
    async fn merged_streams_come_out_by_end_time() {
        let merged = merge(stream(&[1, 4, 5, 9]), stream(&[2, 3, 10]));
        let ends: Vec<u32> = last(merged, 100)
            .await
            .unwrap()
            .iter()
            .map(|r| r.end)
            .collect();
        assert_eq!(ends, [1, 2, 3, 4, 5, 9, 10]);
    }

    #[tokio::test]
    async fn last_keeps_the_newest() {
        let ends: Vec<u32> = last(stream(&[1, 2, 3, 4]), 2)
            .await
            .unwrap()
            .iter()
            .map(|r| r.end)
            .collect();
        assert_eq!(ends, [3, 4]);
    }

    #[test]
    fn a_query_is_a_half_open_window() {
        let q = HistoryQuery {
            from: Some(10),
            to: Some(20),
            holder: Some(7),
            last: None,
        };
        assert!(q.matches(&used(10)));
        assert!(!q.matches(&used(20)));
        assert!(!q.matches(&used(9)));
        assert!(!q.matches(&UseRecord {
            holder: 8,
            ..used(12)
        }));
    }

    #[test]
    fn a_code_record_is_one_flat_object() {
        let r = CodeRecord {
            use_id: UseId(9),
            number: "+971500000001".into(),
            holder: 7,
            start: 100,
            seen: CodeSeen {
                at: 105,
                code: None,
            },
        };
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"use":9,"number":"+971500000001","holder":7,"start":100,"at":105}"#
        );
        assert_eq!(serde_json::from_str::<CodeRecord>(&json).unwrap(), r);
        let before_ids = r#"{"number":"+971500000001","holder":7,"start":100,"at":105}"#;
        assert_eq!(
            serde_json::from_str::<CodeRecord>(before_ids)
                .unwrap()
                .use_id,
            UseId(0)
        );
    }
}
