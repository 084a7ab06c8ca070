//! The OTP monitor's events for holders that are API tokens go to the
//! inbox their long polls read; everyone else's go on to Telegram.

use std::sync::Arc;

use numbot_core::{inbox::InboxMessage, tokens::token_of, Numbers};
use numbot_otp::{Delivery, Notifier, OtpEvent};

/// Routes events: API holders' messages to the inbox, the rest to `next`.
pub struct ApiNotifier {
    numbers: Arc<Numbers>,
    next: Arc<dyn Notifier>,
}

impl ApiNotifier {
    /// Messages of API holders into their inbox, every other event to `next`.
    pub fn new(numbers: Arc<Numbers>, next: Arc<dyn Notifier>) -> ApiNotifier {
        ApiNotifier { numbers, next }
    }
}

#[async_trait::async_trait]
impl Notifier for ApiNotifier {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        match event {
            OtpEvent::Message {
                id,
                user,
                text,
                code,
                sender,
                unexpected_sender,
                received_at,
                ..
            } if token_of(user).is_some() => {
                let message = InboxMessage {
                    id: 0,
                    received_at,
                    sender,
                    text,
                    code,
                    unexpected_sender,
                };
                match self.numbers.deliver(id, user, message).await {
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
