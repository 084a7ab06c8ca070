//! The OTP monitor's events for holders that are API tokens go to the
//! inbox their long polls read; everyone else's go on to Telegram.

use std::sync::Arc;

use numbot_core::{inbox::InboxMessage, tokens::token_of, Numbers, UseId};
use numbot_otp::{Delivery, Notifier, OtpEvent};

use crate::webhooks::MessageEvent;

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

impl ApiNotifier {
    /// Queues the message for the token's webhook, if it has one. A
    /// failure here is logged: the message is in the inbox, and the relay
    /// is not tried again for it.
    async fn queue_webhook(
        &self,
        id: UseId,
        holder: i64,
        number: &str,
        mut message: InboxMessage,
        message_id: u64,
    ) {
        let Some(token) = token_of(holder) else {
            return;
        };
        message.id = message_id;
        let event = MessageEvent::new(id, number, crate::routes::message(message));
        let body = serde_json::to_string(&event).unwrap_or_default();
        if let Err(e) = self.numbers.queue_webhook(token, event.event, body).await {
            tracing::warn!(token, "webhook not queued: {e}");
        }
    }
}

#[async_trait::async_trait]
impl Notifier for ApiNotifier {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        match event {
            OtpEvent::Message {
                id,
                user,
                number,
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
                match self.numbers.deliver(id, user, message.clone()).await {
                    Ok(message_id) => {
                        self.queue_webhook(id, user, &number, message, message_id)
                            .await;
                        Delivery::Delivered
                    }
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
