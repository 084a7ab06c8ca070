//! The commands numbot understands, per role: what users see in their
//! menu and what admins see in theirs.

use teloxide::{types::BotCommand, utils::command::BotCommands};

/// Commands every user has.
#[derive(Debug, Clone, PartialEq, Eq, BotCommands)]
#[command(rename_rule = "lowercase")]
pub enum UserCommand {
    /// Welcome, and the user's access.
    #[command(description = "Start, and see your access")]
    Start,
    /// The categories with numbers available.
    #[command(description = "Pick a category and get a number")]
    Countries,
    /// Numbers available and the user's own use.
    #[command(description = "Numbers available and your own use")]
    Stats,
    /// The user's last numbers and the codes they got.
    #[command(description = "Your last numbers and codes")]
    History,
    /// What numbot does.
    #[command(description = "What numbot does")]
    Help,
}

/// Commands only admins have (in addition to the users' ones).
#[derive(Debug, Clone, PartialEq, Eq, BotCommands)]
#[command(rename_rule = "lowercase")]
pub enum AdminCommand {
    /// Per-file usage, with a chart.
    #[command(description = "Per-file usage, with a chart")]
    Csvstats,
    /// Uploaded files.
    #[command(description = "Uploaded files")]
    Csvlist,
    /// Pick a file to delete.
    #[command(description = "Delete an uploaded file")]
    Csvdelete,
    /// The users waiting, or approve one: `/approve [id]`.
    #[command(description = "Approve users waiting for access")]
    Approve(String),
    /// `/ban <id> [reason]`.
    #[command(description = "Ban a user: /ban <id> [reason]")]
    Ban(String),
    /// `/unban <id>`.
    #[command(description = "Lift a ban: /unban <id>")]
    Unban(String),
    /// Loaded plugins and refused files.
    #[command(description = "Loaded plugins")]
    Plugins,
    /// The last audit events.
    #[command(description = "Recent admin actions and refusals")]
    Audit,
    /// `/broadcast TEXT`: a message to every active user, after a preview.
    #[command(description = "Message every active user: /broadcast TEXT")]
    Broadcast(String),
    /// `/export [from] [to]`: every use in the period as CSV and XLSX.
    #[command(description = "Uses as CSV and XLSX: /export [from] [to] (YYYY-MM-DD)")]
    Export(String),
    /// API tokens: `/token create|list|revoke`.
    #[command(description = "API tokens: /token create|list|revoke")]
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

/// `setMyCommands` lists: users', or users' and admins'.
pub fn menu(admin: bool) -> Vec<BotCommand> {
    let mut commands = UserCommand::bot_commands();
    if admin {
        commands.extend(AdminCommand::bot_commands());
    }
    commands
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
        assert_eq!(menu(false).len(), 5);
        assert_eq!(menu(true).len(), 5 + 11);
    }
}
