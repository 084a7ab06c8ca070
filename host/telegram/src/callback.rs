//! The data behind inline buttons: one enum that writes and reads the
//! 64-byte callback strings, and one table that names every button's
//! action and says which are for admins, from the action alone, so that
//! damaged admin data is refused, not run.

use numbot_core::UseId;

use crate::render::key;

/// A button press numbot understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// A page of `/countries`.
    Page(usize),
    /// A category of `/countries`, by its key.
    Pick(String),
    /// "Change number" under use `id` (`None`: buttons written before
    /// they named their use: the number held now).
    Change(Option<UseId>),
    /// "Cancel" under use `id`.
    Cancel(Option<UseId>),
    /// "Done" under use `id` (its number, or a message relayed to it).
    Done(Option<UseId>),
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
    /// Delete the message showing a new token's secret.
    ForgetSecret,
}

/// What a button does, without its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Page,
    Pick,
    Change,
    Cancel,
    Done,
    Approve,
    Reject,
    Delete,
    DeleteYes,
    DeleteNo,
    UploadCategory,
    UploadCancel,
    BroadcastSend,
    BroadcastCancel,
    BroadcastStop,
    Language,
    ForgetSecret,
}

/// Every button: its action, its name in callback data, and whether only
/// admins may press it. The one place these are written.
const BUTTONS: [(Action, &str, bool); 17] = [
    (Action::Page, "pg", false),
    (Action::Pick, "pk", false),
    (Action::Change, "chg", false),
    (Action::Cancel, "cxl", false),
    (Action::Done, "dn", false),
    (Action::Approve, "ap", true),
    (Action::Reject, "rj", true),
    (Action::Delete, "del", true),
    (Action::DeleteYes, "delok", true),
    (Action::DeleteNo, "delno", true),
    (Action::UploadCategory, "upc", true),
    (Action::UploadCancel, "upx", true),
    (Action::BroadcastSend, "bcgo", true),
    (Action::BroadcastCancel, "bcno", true),
    (Action::BroadcastStop, "bcstop", true),
    (Action::Language, "lang", false),
    (Action::ForgetSecret, "sec", true),
];

impl Action {
    fn row(self) -> &'static (Action, &'static str, bool) {
        BUTTONS
            .iter()
            .find(|(a, _, _)| *a == self)
            .expect("every action is in the table")
    }

    fn named(name: &str) -> Option<Action> {
        BUTTONS
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(a, _, _)| *a)
    }
}

impl Callback {
    /// The button of category `name`.
    pub fn pick(name: &str) -> Callback {
        Callback::Pick(key(name))
    }

    /// Whether `data` names an admin button, read from its action alone, so
    /// that a non-admin's damaged or forged admin data is refused (and
    /// audited) rather than called stale.
    pub fn admin_action(data: &str) -> bool {
        let name = data.split(':').next().unwrap_or_default();
        Action::named(name).is_some_and(|a| a.row().2)
    }

    fn action(&self) -> Action {
        match self {
            Callback::Page(_) => Action::Page,
            Callback::Pick(_) => Action::Pick,
            Callback::Change(_) => Action::Change,
            Callback::Cancel(_) => Action::Cancel,
            Callback::Done(_) => Action::Done,
            Callback::Approve(_) => Action::Approve,
            Callback::Reject(_) => Action::Reject,
            Callback::Delete(_) => Action::Delete,
            Callback::DeleteYes(_) => Action::DeleteYes,
            Callback::DeleteNo => Action::DeleteNo,
            Callback::UploadCategory { .. } => Action::UploadCategory,
            Callback::UploadCancel(_) => Action::UploadCancel,
            Callback::BroadcastSend(_) => Action::BroadcastSend,
            Callback::BroadcastCancel(_) => Action::BroadcastCancel,
            Callback::BroadcastStop(_) => Action::BroadcastStop,
            Callback::Language(_) => Action::Language,
            Callback::ForgetSecret => Action::ForgetSecret,
        }
    }

    fn argument(&self) -> Option<String> {
        match self {
            Callback::Page(n) => Some(n.to_string()),
            Callback::Pick(k) | Callback::Delete(k) | Callback::DeleteYes(k) => Some(k.clone()),
            Callback::Change(id) | Callback::Cancel(id) | Callback::Done(id) => {
                id.map(|id| id.to_string())
            }
            Callback::Approve(id) | Callback::Reject(id) => Some(id.to_string()),
            Callback::DeleteNo | Callback::ForgetSecret => None,
            Callback::UploadCategory { category, file } => Some(format!("{category}:{file}")),
            Callback::UploadCancel(file) => Some(file.clone()),
            Callback::BroadcastSend(id)
            | Callback::BroadcastCancel(id)
            | Callback::BroadcastStop(id) => Some(id.to_string()),
            Callback::Language(code) => Some(code.clone().unwrap_or_else(|| "auto".into())),
        }
    }

    /// The callback data (at most 64 bytes: names travel as keys).
    pub fn encode(&self) -> String {
        let name = self.action().row().1;
        match self.argument() {
            Some(arg) => format!("{name}:{arg}"),
            None => name.to_string(),
        }
    }

    /// Reads callback data; `None` for data numbot never wrote.
    pub fn parse(data: &str) -> Option<Callback> {
        let (name, arg) = match data.split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (data, None),
        };
        let text = || arg.filter(|a| !a.is_empty()).map(str::to_string);
        let use_id = || match arg {
            None => Some(None),
            Some(a) => a.parse().ok().map(Some),
        };
        Some(match Action::named(name)? {
            Action::Page => Callback::Page(arg?.parse().ok()?),
            Action::Pick => Callback::Pick(text()?),
            Action::Change => Callback::Change(use_id()?),
            Action::Cancel => Callback::Cancel(use_id()?),
            Action::Done => Callback::Done(use_id()?),
            Action::Approve => Callback::Approve(arg?.parse().ok()?),
            Action::Reject => Callback::Reject(arg?.parse().ok()?),
            Action::Delete => Callback::Delete(text()?),
            Action::DeleteYes => Callback::DeleteYes(text()?),
            Action::DeleteNo if arg.is_none() => Callback::DeleteNo,
            Action::DeleteNo => return None,
            Action::UploadCategory => {
                let (category, file) = arg?.split_once(':')?;
                Callback::UploadCategory {
                    category: category.to_string(),
                    file: file.to_string(),
                }
            }
            Action::UploadCancel => Callback::UploadCancel(text()?),
            Action::BroadcastSend => Callback::BroadcastSend(arg?.parse().ok()?),
            Action::BroadcastCancel => Callback::BroadcastCancel(arg?.parse().ok()?),
            Action::BroadcastStop => Callback::BroadcastStop(arg?.parse().ok()?),
            Action::ForgetSecret if arg.is_none() => Callback::ForgetSecret,
            Action::ForgetSecret => return None,
            Action::Language if arg == Some("auto") => Callback::Language(None),
            Action::Language => Callback::Language(Some(text()?)),
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
            Callback::Change(Some(UseId(4_294_967_328))),
            Callback::Cancel(Some(UseId(u64::MAX))),
            Callback::Done(Some(UseId(1))),
            Callback::Change(None),
            Callback::Cancel(None),
            Callback::Done(None),
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
            Callback::ForgetSecret,
        ];
        for c in all {
            let data = c.encode();
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Callback::parse(&data), Some(c));
        }
        assert_eq!(Callback::parse("pk:"), None);
        assert_eq!(Callback::parse("zz:1"), None);
        assert_eq!(Callback::parse("dn:x"), None);
        assert_eq!(Callback::parse("dn:+1"), None);
        for (action, name, _) in BUTTONS {
            assert_eq!(Action::named(name), Some(action), "{name}");
        }
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
            ("bcgo:1", true),
            ("bcno:1", true),
            ("bcstop:1", true),
            ("lang:ru", false),
            ("zz", false),
        ] {
            assert_eq!(Callback::admin_action(data), admin, "{data}");
        }
    }
}
