//! The data behind inline buttons: one enum that writes and reads the
//! 64-byte callback strings and says which buttons are for admins, from
//! the action alone, so that damaged admin data is refused, not run.

use crate::render::key;

/// A button press numbot understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// A page of `/countries`.
    Page(usize),
    /// A category of `/countries`, by its key.
    Pick(String),
    /// "Change number".
    Change,
    /// "Cancel" under a number.
    Cancel,
    /// "Done" under a number or a relayed message.
    Done,
    /// Approve a user waiting for access.
    Approve(i64),
    /// Reject (and ban) a user waiting for access.
    Reject(i64),
    /// Pick a file to delete, by its key.
    Delete(String),
    /// Confirm the deletion.
    DeleteYes(String),
    /// Keep the file.
    DeleteNo,
    /// The category of a waiting upload: the category's key and the file's.
    UploadCategory {
        /// The category's key.
        category: String,
        /// The waiting file's key.
        file: String,
    },
    /// Cancel a waiting upload (the file's key).
    UploadCancel(String),
    /// Send the previewed broadcast.
    BroadcastSend(u64),
    /// Drop the previewed broadcast.
    BroadcastCancel(u64),
    /// Stop the broadcast being sent.
    BroadcastStop(u64),
    /// A language from `/language` (its code), or `None`: Telegram's.
    Language(Option<String>),
}

/// The actions of the admin buttons (see [`Callback::encode`]).
const ADMIN_ACTIONS: [&str; 10] = [
    "ap", "rj", "del", "delok", "delno", "upc", "upx", "bcgo", "bcno", "bcstop",
];

impl Callback {
    /// The button of category `name`.
    pub fn pick(name: &str) -> Callback {
        Callback::Pick(key(name))
    }

    /// Whether `data` names an admin button, read from its action alone, so
    /// that a non-admin's damaged or forged admin data is refused (and
    /// audited) rather than called stale.
    pub fn admin_action(data: &str) -> bool {
        let action = data.split(':').next().unwrap_or_default();
        ADMIN_ACTIONS.contains(&action)
    }

    /// The callback data (at most 64 bytes: names travel as keys).
    pub fn encode(&self) -> String {
        match self {
            Callback::Page(n) => format!("pg:{n}"),
            Callback::Pick(k) => format!("pk:{k}"),
            Callback::Change => "chg".into(),
            Callback::Cancel => "cxl".into(),
            Callback::Done => "dn".into(),
            Callback::Approve(id) => format!("ap:{id}"),
            Callback::Reject(id) => format!("rj:{id}"),
            Callback::Delete(k) => format!("del:{k}"),
            Callback::DeleteYes(k) => format!("delok:{k}"),
            Callback::DeleteNo => "delno".into(),
            Callback::UploadCategory { category, file } => format!("upc:{category}:{file}"),
            Callback::UploadCancel(file) => format!("upx:{file}"),
            Callback::BroadcastSend(id) => format!("bcgo:{id}"),
            Callback::BroadcastCancel(id) => format!("bcno:{id}"),
            Callback::BroadcastStop(id) => format!("bcstop:{id}"),
            Callback::Language(Some(code)) => format!("lang:{code}"),
            Callback::Language(None) => "lang:auto".into(),
        }
    }

    /// Reads callback data; `None` for data numbot never wrote.
    pub fn parse(data: &str) -> Option<Callback> {
        let (action, arg) = data.split_once(':').unwrap_or((data, ""));
        let text = || (!arg.is_empty()).then(|| arg.to_string());
        Some(match action {
            "pg" => Callback::Page(arg.parse().ok()?),
            "pk" => Callback::Pick(text()?),
            "chg" => Callback::Change,
            "cxl" => Callback::Cancel,
            "dn" => Callback::Done,
            "ap" => Callback::Approve(arg.parse().ok()?),
            "rj" => Callback::Reject(arg.parse().ok()?),
            "del" => Callback::Delete(text()?),
            "delok" => Callback::DeleteYes(text()?),
            "delno" => Callback::DeleteNo,
            "upc" => {
                let (category, file) = arg.split_once(':')?;
                Callback::UploadCategory {
                    category: category.to_string(),
                    file: file.to_string(),
                }
            }
            "upx" => Callback::UploadCancel(text()?),
            "bcgo" => Callback::BroadcastSend(arg.parse().ok()?),
            "bcno" => Callback::BroadcastCancel(arg.parse().ok()?),
            "bcstop" => Callback::BroadcastStop(arg.parse().ok()?),
            "lang" if arg == "auto" => Callback::Language(None),
            "lang" => Callback::Language(Some(text()?)),
            _ => return None,
        })
    }
}

impl From<Callback> for String {
    fn from(c: Callback) -> String {
        c.encode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_button_round_trips_within_64_bytes() {
        let all = [
            Callback::Page(3),
            Callback::pick("UAE Mobile"),
            Callback::Change,
            Callback::Cancel,
            Callback::Done,
            Callback::Approve(-1001234567890),
            Callback::Reject(42),
            Callback::Delete(key("UAE_Mobile_20261124_030000.csv")),
            Callback::DeleteYes(key("x")),
            Callback::DeleteNo,
            Callback::UploadCategory {
                category: key("UAE Mobile"),
                file: key("BQACAgIAAxkBAAIBY2Z"),
            },
            Callback::UploadCancel(key("BQACAgIAAxkBAAIBY2Z")),
            Callback::BroadcastSend(1_764_590_400),
            Callback::BroadcastCancel(1),
            Callback::BroadcastStop(u64::MAX),
            Callback::Language(Some("ru".into())),
            Callback::Language(None),
        ];
        for c in all {
            let data = c.encode();
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Callback::parse(&data), Some(c));
        }
        assert_eq!(Callback::parse("pk:"), None);
        assert_eq!(Callback::parse("zz:1"), None);
        for (data, admin) in [
            ("pg:1", false),
            ("pk:x", false),
            ("chg", false),
            ("cxl", false),
            ("dn", false),
            ("ap:1", true),
            ("rj:1", true),
            ("del:x", true),
            ("delok:x", true),
            ("delno", true),
            ("upc:x", true),
            ("upx", true),
            ("lang:ru", false),
        ] {
            assert_eq!(Callback::admin_action(data), admin, "{data}");
        }
    }
}
