//! What the OTP monitor tells people, as events: a front end (the
//! Telegram bot, an admins' channel, a test) renders and delivers them.

/// Something the monitor has to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpEvent {
    /// A message reached the number a user holds, with the code the
    /// extractor found in it, if any.
    Message {
        /// The use it reached.
        id: numbot_core::UseId,
        /// The holder.
        user: i64,
        /// The number, E.164.
        number: String,
        /// The category it came from (empty when not known yet).
        category: String,
        /// When the holder's use began (Unix seconds).
        since: i64,
        /// The message as received.
        text: String,
        /// The verification code in it.
        code: Option<String>,
        /// Who sent it, where the provider says.
        sender: Option<String>,
        /// The category expects other senders: show it as suspect; it
        /// never ends the use.
        unexpected_sender: bool,
        /// When the provider received it (Unix seconds).
        received_at: i64,
        /// The holder ends the use themselves (Done), so the message may
        /// offer that.
        awaits_done: bool,
    },
    /// A lease ran out before any code came; the number went back.
    LeaseEnded {
        /// The holder.
        user: i64,
        /// The number, E.164.
        number: String,
    },
    /// The provider keeps failing: codes wait until it answers.
    ProviderDown {
        /// The provider's name.
        provider: String,
        /// The last failure.
        error: String,
    },
    /// The provider answers again after failing.
    ProviderRecovered {
        /// The provider's name.
        provider: String,
        /// Failed polls in a row before it answered.
        failures: u32,
    },
}

/// What became of an event sent to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The front end accepted it.
    Delivered,
    /// It failed for now (a network error, a 5xx, a flood wait): the next
    /// poll tries again.
    Retry,
    /// The front end refused it for good (the user blocked the bot): the
    /// holder cannot be told, so the watch ends and the number goes back.
    Refused(String),
}

/// Where the monitor's events go.
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers an event; for events to admins the answer is not used.
    async fn notify(&self, event: OtpEvent) -> Delivery;
}
