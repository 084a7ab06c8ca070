//! The OTP monitor's events for holders that are API tokens go to the
//! inbox their long polls read; everyone else's go on to Telegram.

use std::sync::Arc;

use numbot_core::{
    inbox::{Inbox, InboxMessage, UseKey},
    tokens::token_of,
};
use numbot_otp::{Delivery, Notifier, OtpEvent};

/// Routes events: API holders' messages to the inbox, the rest to `next`.
pub struct ApiNotifier {
    inbox: Arc<dyn Inbox>,
    next: Arc<dyn Notifier>,
}

impl ApiNotifier {
    /// Messages of API holders into `inbox`, every other event to `next`.
    pub fn new(inbox: Arc<dyn Inbox>, next: Arc<dyn Notifier>) -> ApiNotifier {
        ApiNotifier { inbox, next }
    }
}

#[async_trait::async_trait]
impl Notifier for ApiNotifier {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        match event {
            OtpEvent::Message {
                user,
                since,
                text,
                code,
                sender,
                unexpected_sender,
                received_at,
                ..
            } if token_of(user).is_some() => {
                let key = UseKey {
                    holder: user,
                    since: u32::try_from(since).unwrap_or_default(),
                };
                let message = InboxMessage {
                    id: 0,
                    received_at,
                    sender,
                    text,
                    code,
                    unexpected_sender,
                };
                match self.inbox.put(key, message).await {
                    Ok(_) => Delivery::Delivered,
                    Err(e) => {
                        tracing::warn!("inbox: {e}");
                        Delivery::Retry
                    }
                }
            }
            // A lease that ended shows in the API as the use being gone.
            OtpEvent::LeaseEnded { user, .. } if token_of(user).is_some() => Delivery::Delivered,
            other => self.next.notify(other).await,
        }
    }
}
