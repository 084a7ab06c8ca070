//! The documents numbot keeps in MongoDB, typed: what a query returns is
//! read into these, and a document that does not fit is an error, never a
//! guess. Field names used in filters and updates are the serde names here.

use futures::TryStreamExt;
use mongodb::{
    bson::{oid::ObjectId, Bson},
    error::{Error as DbError, ErrorKind, WriteFailure},
    Cursor,
};
use numbot_core::{NumberState, StoreError};
use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize};

/// MongoDB's duplicate-key error.
const DUPLICATE_KEY: i32 = 11000;

/// Where a number document is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum State {
    /// Free to claim.
    Free,
    /// Held by `user` until `until`.
    Held,
    /// Reserved by a "change number" of `user` until `until`.
    Reserved,
    /// Free again at `free_at`.
    Cooling,
    /// Used under the `once` rule.
    Retired,
    /// Its file was deleted.
    Gone,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Free => "free",
            State::Held => "held",
            State::Reserved => "reserved",
            State::Cooling => "cooling",
            State::Retired => "retired",
            State::Gone => "gone",
        }
    }

    /// The state as the statistics count it at `now`.
    pub(crate) fn counted(self, free_at: i64, now: i64) -> NumberState {
        match self {
            State::Free => NumberState::Available,
            State::Cooling if free_at <= now => NumberState::Available,
            State::Cooling => NumberState::Cooling,
            State::Held | State::Reserved => NumberState::Assigned,
            State::Retired => NumberState::Retired,
            State::Gone => NumberState::Removed,
        }
    }
}

impl From<State> for Bson {
    fn from(state: State) -> Bson {
        Bson::String(state.as_str().to_string())
    }
}

/// One number of the pool (collection `numbers`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NumberDoc {
    #[serde(rename = "_id")]
    pub(crate) id: ObjectId,
    /// E.164 digits.
    #[serde(deserialize_with = "int")]
    pub(crate) n: i64,
    /// The file id.
    #[serde(deserialize_with = "int")]
    pub(crate) file: i64,
    pub(crate) state: State,
    /// The holder (held, reserved).
    #[serde(default, deserialize_with = "opt_int")]
    pub(crate) user: Option<i64>,
    /// The use's start (held).
    #[serde(default, deserialize_with = "opt_int")]
    pub(crate) since: Option<i64>,
    /// The use's id (held).
    #[serde(default, rename = "use", deserialize_with = "opt_int")]
    pub(crate) use_id: Option<i64>,
    /// The lease's or the reservation's end.
    #[serde(default, deserialize_with = "opt_int")]
    pub(crate) until: Option<i64>,
}

impl NumberDoc {
    /// The number as users see it.
    pub(crate) fn e164(&self) -> String {
        format!("+{}", self.n)
    }

    pub(crate) fn file_id(&self) -> u32 {
        self.file as u32
    }
}

/// The usage fields of a number, for statistics.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UsageDoc {
    #[serde(deserialize_with = "int")]
    pub(crate) file: i64,
    pub(crate) state: State,
    #[serde(default, deserialize_with = "int")]
    pub(crate) free_at: i64,
    #[serde(default, deserialize_with = "int")]
    pub(crate) uses: i64,
    #[serde(default, deserialize_with = "int")]
    pub(crate) last_used: i64,
}

/// The fields of a `files` document claims need.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FileDoc {
    #[serde(rename = "_id")]
    pub(crate) name: String,
    #[serde(deserialize_with = "int")]
    pub(crate) id: i64,
    pub(crate) country_name: String,
    #[serde(default, deserialize_with = "int")]
    pub(crate) created_unix: i64,
    #[serde(default)]
    pub(crate) deleted: bool,
    #[serde(default, deserialize_with = "int")]
    pub(crate) number_count: i64,
    #[serde(default, deserialize_with = "int")]
    pub(crate) usage_count: i64,
    #[serde(default, deserialize_with = "int")]
    pub(crate) last_used: i64,
}

/// Just the name and id of a file: all an unfinished upload is sure to have.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FileRef {
    #[serde(rename = "_id")]
    pub(crate) name: String,
    #[serde(deserialize_with = "int")]
    pub(crate) id: i64,
}

/// A watch the OTP monitor's leader recorded (collection `watches`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WatchDoc {
    /// The use watched (0 in records written before uses had ids).
    #[serde(default, rename = "use", deserialize_with = "int")]
    pub(crate) use_id: i64,
    #[serde(deserialize_with = "int")]
    pub(crate) user: i64,
    pub(crate) number: String,
    #[serde(deserialize_with = "int")]
    pub(crate) since: i64,
    #[serde(deserialize_with = "int")]
    pub(crate) until: i64,
}

/// An integer however the server encoded it (servers that store numbers
/// in a dynamic language send small ones as 32-bit, some as doubles).
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Bson::deserialize(d)? {
        Bson::Int32(v) => Ok(i64::from(v)),
        Bson::Int64(v) => Ok(v),
        Bson::Double(v) if v.fract() == 0.0 => Ok(v as i64),
        other => Err(serde::de::Error::custom(format!(
            "expected an integer, found {other}"
        ))),
    }
}

fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Bson::deserialize(d)? {
        Bson::Null => Ok(None),
        Bson::Int32(v) => Ok(Some(i64::from(v))),
        Bson::Int64(v) => Ok(Some(v)),
        Bson::Double(v) if v.fract() == 0.0 => Ok(Some(v as i64)),
        other => Err(serde::de::Error::custom(format!(
            "expected an integer, found {other}"
        ))),
    }
}

/// A driver's error as the store reports it (never with the connection
/// string: the driver leaves it out of its errors).
pub(crate) fn db(context: &'static str) -> impl FnOnce(DbError) -> StoreError {
    StoreError::database(context)
}

/// Every document a `find` returns, typed.
pub(crate) async fn all<T: DeserializeOwned + Send + Sync + Unpin>(
    context: &'static str,
    find: impl std::future::IntoFuture<Output = mongodb::error::Result<Cursor<T>>>,
) -> Result<Vec<T>, StoreError> {
    find.await
        .map_err(db(context))?
        .try_collect()
        .await
        .map_err(db(context))
}

/// The server's error code for a write, if any.
fn write_code(e: &DbError) -> Option<i32> {
    match &*e.kind {
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        ErrorKind::Command(c) => Some(c.code),
        _ => None,
    }
}

/// Whether a write failed on a unique index.
pub(crate) fn is_duplicate(e: &DbError) -> bool {
    write_code(e) == Some(DUPLICATE_KEY)
}

/// For an unordered `insert_many` that failed only on documents already
/// there: how many those were.
pub(crate) fn only_duplicates(e: &DbError) -> Option<u64> {
    match &*e.kind {
        ErrorKind::InsertMany(m) if m.write_concern_error.is_none() => m
            .write_errors
            .as_ref()
            .filter(|w| w.iter().all(|w| w.code == DUPLICATE_KEY))
            .map(|w| w.len() as u64),
        _ => None,
    }
}

/// A well-spread 32-bit key from a number and its file (splitmix64).
pub(crate) fn spread(n: u64, file: u32) -> i64 {
    let mut z = n ^ (u64::from(file) << 40) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) & 0xFFFF_FFFF) as i64
}
