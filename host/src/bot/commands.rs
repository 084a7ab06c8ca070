//! The commands numbot understands, per role, and their parsing.

use teloxide::types::BotCommand;

/// A command and what follows it.
#[derive(Debug, PartialEq, Eq)]
pub struct Command<'a> {
    /// Lower case, without `/` and `@botname`.
    pub name: String,
    /// The rest of the message, trimmed.
    pub args: &'a str,
}

/// Parses `/name[@bot] args`; `None` for plain text or a command addressed
/// to another bot.
pub fn parse<'a>(text: &'a str, bot_username: &str) -> Option<Command<'a>> {
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
    Some(Command {
        name: name.to_ascii_lowercase(),
        args: args.trim(),
    })
}

/// Commands every user sees.
pub const USER: &[(&str, &str)] = &[
    ("start", "Start, and see your access"),
    ("countries", "Pick a category and get a number"),
    ("stats", "Numbers available and your own use"),
    ("help", "What numbot does"),
];

/// Commands only admins see (in addition to the users' ones).
pub const ADMIN: &[(&str, &str)] = &[
    ("csvstats", "Per-file usage, with a chart"),
    ("csvlist", "Uploaded files"),
    ("csvdelete", "Delete an uploaded file"),
    ("approve", "Approve users waiting for access"),
    ("ban", "Ban a user: /ban <id> [reason]"),
    ("unban", "Lift a ban: /unban <id>"),
    ("plugins", "Loaded plugins"),
    ("audit", "Recent admin actions and refusals"),
];

/// Whether `name` is an admin command.
pub fn is_admin(name: &str) -> bool {
    ADMIN.iter().any(|(n, _)| *n == name)
}

/// `setMyCommands` lists.
pub fn menu(admin: bool) -> Vec<BotCommand> {
    let admin_part = if admin { ADMIN } else { &[] };
    USER.iter()
        .chain(admin_part)
        .map(|(n, d)| BotCommand::new(*n, *d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_with_and_without_the_bot_name() {
        let c = parse("/Ban@NumBot 42 spam", "numbot").unwrap();
        assert_eq!((c.name.as_str(), c.args), ("ban", "42 spam"));
        assert_eq!(parse("/start", "numbot").unwrap().name, "start");
        assert!(parse("/start@otherbot", "numbot").is_none());
        assert!(parse("hello", "numbot").is_none());
        assert!(parse("/", "numbot").is_none());
        assert!(is_admin("csvdelete") && !is_admin("countries"));
        assert_eq!(menu(false).len(), USER.len());
        assert_eq!(menu(true).len(), USER.len() + ADMIN.len());
    }
}
