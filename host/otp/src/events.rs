//! What the OTP monitor tells people, as events: a front end (the
//! Telegram bot, an admins' channel, a test) renders and delivers them.

/// Something the monitor has to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpEvent {
    /// A message reached the number a user holds, with the code the
    /// extractor found in it, if any.
    Message {
        /// The holder.
        user: i64,
        /// The number, E.164.
        number: String,
        /// When the holder's use began (Unix seconds).
        since: i64,
        /// The message as received.
        text: String,
        /// The verification code in it.
        code: Option<String>,
        /// Who sent it, where the provider says.
        sender: Option<String>,
        /// When the provider received it (Unix seconds).
        received_at: i64,
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

/// Where the monitor's events go.
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers an event. For a message to a user, whether it reached them:
    /// false means try again at the next poll.
    async fn notify(&self, event: OtpEvent) -> bool;
}
