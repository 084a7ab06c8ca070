//! The commands numbot understands, per role: what users see in their
//! menu and what admins see in theirs.

use teloxide::{types::BotCommand, utils::command::BotCommands};

use crate::i18n::Lang;

/// Commands every user has.
#[derive(Debug, Clone, PartialEq, Eq, BotCommands)]
#[command(rename_rule = "lowercase")]
pub enum UserCommand {
    /// Welcome, and the user's access.
    Start,
    /// The categories with numbers available.
    Countries,
    /// Numbers available and the user's own use.
    Stats,
    /// The user's last numbers and the codes they got.
    History,
    /// What numbot does.
    Help,
    /// `/language [code]`: the language numbot writes to the user in.
    Language(String),
    /// The Mini App (`[web]`), opened from a button.
    Dashboard,
}

/// Commands only admins have (in addition to the users' ones).
#[derive(Debug, Clone, PartialEq, Eq, BotCommands)]
#[command(rename_rule = "lowercase")]
pub enum AdminCommand {
    /// Per-file usage, with a chart.
    Csvstats,
    /// Uploaded files.
    Csvlist,
    /// Pick a file to delete.
    Csvdelete,
    /// The users waiting, or approve one: `/approve [id]`.
    Approve(String),
    /// `/ban <id> [reason]`.
    Ban(String),
    /// `/unban <id>`.
    Unban(String),
    /// Loaded plugins and refused files.
    Plugins,
    /// The last audit events.
    Audit,
    /// `/broadcast TEXT`: a message to every active user, after a preview.
    Broadcast(String),
    /// `/export [from] [to]`: every use in the period as CSV and XLSX.
    Export(String),
    /// API tokens: `/token create|list|revoke`.
    Token(String),
}

/// What a command message is, once its name is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A user command.
    User(UserCommand),
    /// An admin command (the caller may not be an admin).
    Admin(AdminCommand),
    /// `/something` numbot does not know (its name, lower case).
    Unknown(String),
}

/// Reads `/Name[@bot] args` (names in any case): `None` for plain text and
/// for a command addressed to another bot.
pub fn parse(text: &str, bot_username: &str) -> Option<Parsed> {
    let rest = text.strip_prefix('/')?;
    let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = match head.split_once('@') {
        Some((name, to)) if to.eq_ignore_ascii_case(bot_username) => name,
        Some(_) => return None,
        None => head,
    };
    if name.is_empty() {
        return None;
    }
    let name = name.to_ascii_lowercase();
    let normalized = format!("/{name} {}", args.trim());
    let normalized = normalized.trim_end();
    if let Ok(c) = UserCommand::parse(normalized, bot_username) {
        return Some(Parsed::User(c));
    }
    if let Ok(c) = AdminCommand::parse(normalized, bot_username) {
        return Some(Parsed::Admin(c));
    }
    Some(Parsed::Unknown(name))
}

/// One command as the menus show it.
struct Entry {
    /// Its name, as the enums parse it.
    name: &'static str,
    /// Whether only admins have it.
    admin: bool,
    /// Its menu description in a language.
    describe: fn(Lang) -> String,
}

/// Every command: its name, its role, its description; in menu order. The
/// one place names are written for menus, `/help` and the audit trail
/// (the enums above parse them; a test holds the two together).
const COMMANDS: [Entry; 18] = [
    Entry {
        name: "start",
        admin: false,
        describe: |l| tr!(l, "command-start"),
    },
    Entry {
        name: "countries",
        admin: false,
        describe: |l| tr!(l, "command-countries"),
    },
    Entry {
        name: "stats",
        admin: false,
        describe: |l| tr!(l, "command-stats"),
    },
    Entry {
        name: "history",
        admin: false,
        describe: |l| tr!(l, "command-history"),
    },
    Entry {
        name: "language",
        admin: false,
        describe: |l| tr!(l, "command-language"),
    },
    Entry {
        name: "dashboard",
        admin: false,
        describe: |l| tr!(l, "command-dashboard"),
    },
    Entry {
        name: "help",
        admin: false,
        describe: |l| tr!(l, "command-help"),
    },
    Entry {
        name: "csvstats",
        admin: true,
        describe: |l| tr!(l, "command-csvstats"),
    },
    Entry {
        name: "csvlist",
        admin: true,
        describe: |l| tr!(l, "command-csvlist"),
    },
    Entry {
        name: "csvdelete",
        admin: true,
        describe: |l| tr!(l, "command-csvdelete"),
    },
    Entry {
        name: "approve",
        admin: true,
        describe: |l| tr!(l, "command-approve"),
    },
    Entry {
        name: "ban",
        admin: true,
        describe: |l| tr!(l, "command-ban"),
    },
    Entry {
        name: "unban",
        admin: true,
        describe: |l| tr!(l, "command-unban"),
    },
    Entry {
        name: "plugins",
        admin: true,
        describe: |l| tr!(l, "command-plugins"),
    },
    Entry {
        name: "audit",
        admin: true,
        describe: |l| tr!(l, "command-audit"),
    },
    Entry {
        name: "broadcast",
        admin: true,
        describe: |l| tr!(l, "command-broadcast"),
    },
    Entry {
        name: "export",
        admin: true,
        describe: |l| tr!(l, "command-export"),
    },
    Entry {
        name: "token",
        admin: true,
        describe: |l| tr!(l, "command-token"),
    },
];

/// The command menu in `lang` (`setMyCommands`, `/help`): users', or
/// users' then admins'.
pub fn menu(lang: Lang, admin: bool) -> Vec<BotCommand> {
    COMMANDS
        .iter()
        .filter(|c| admin || !c.admin)
        .map(|c| BotCommand::new(c.name, (c.describe)(lang)))
        .collect()
}

/// The name an admin command is known by (for the audit trail): its
/// variant's name, as the enum's lower-case rule names it, checked against
/// the table by a test.
pub fn admin_name(command: &AdminCommand) -> String {
    let debug = format!("{command:?}");
    debug
        .split(['(', ' '])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_with_and_without_the_bot_name() {
        assert_eq!(
            parse("/Ban@NumBot 42 spam", "numbot"),
            Some(Parsed::Admin(AdminCommand::Ban("42 spam".into())))
        );
        assert_eq!(
            parse("/start", "numbot"),
            Some(Parsed::User(UserCommand::Start))
        );
        assert_eq!(
            parse("/approve", "numbot"),
            Some(Parsed::Admin(AdminCommand::Approve(String::new())))
        );
        assert!(parse("/start@otherbot", "numbot").is_none());
        assert!(parse("hello", "numbot").is_none());
        assert!(parse("/", "numbot").is_none());
        assert_eq!(
            parse("/frobnicate now", "numbot"),
            Some(Parsed::Unknown("frobnicate".into()))
        );
    }

    #[test]
    fn the_table_names_what_the_enums_parse() {
        for c in &COMMANDS {
            let parsed = parse(&format!("/{} x", c.name), "numbot");
            match parsed {
                Some(Parsed::Admin(a)) => {
                    assert!(c.admin, "{}", c.name);
                    assert_eq!(admin_name(&a), c.name);
                }
                Some(Parsed::User(_)) => assert!(!c.admin, "{}", c.name),
                other => panic!("/{} parses as {other:?}", c.name),
            }
        }
    }

    #[test]
    fn the_menu_lists_every_command_once_in_every_language() {
        let names = |commands: Vec<BotCommand>| -> Vec<String> {
            commands
                .into_iter()
                .map(|c| c.command.trim_start_matches('/').to_string())
                .collect()
        };
        let mut users = names(UserCommand::bot_commands());
        let mut all = users.clone();
        all.extend(names(AdminCommand::bot_commands()));
        users.sort();
        all.sort();
        for lang in Lang::all() {
            let mut menu_users = names(menu(lang, false));
            let mut menu_all = names(menu(lang, true));
            menu_users.sort();
            menu_all.sort();
            assert_eq!(menu_users, users, "{}", lang.code());
            assert_eq!(menu_all, all, "{}", lang.code());
            assert!(menu(lang, true).iter().all(|c| !c.description.is_empty()));
        }
        let ru = Lang::from_tag("ru").unwrap();
        assert_ne!(
            menu(ru, false)[0].description,
            menu(Lang::EN, false)[0].description
        );
    }
}
