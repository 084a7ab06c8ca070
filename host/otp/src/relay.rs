//! Relaying one message: to the holder of this very use only, once, with
//! the code the extractor finds; a code completes the use.

use crate::{
    events::OtpEvent,
    monitor::id_hash,
    providers::{Outcome, Sms, Watch},
    OtpMonitor,
};

impl OtpMonitor {
    /// Relays one message to the number's holder; whether it was relayed.
    pub(crate) async fn relay(&self, sms: Sms) -> bool {
        let Some((user, watch)) = self.holder_of(&sms) else {
            return false;
        };
        // The user may have cancelled (or changed number) while the message
        // was on its way: only the current holder of this very use gets it.
        let still_held = self
            .store
            .holding(user)
            .await
            .ok()
            .flatten()
            .is_some_and(|a| a.number == watch.number && i64::from(a.since) == watch.since);
        if !still_held {
            return false;
        }
        // Another process may have relayed it before this one took over.
        let id = id_hash(&sms.id);
        match self.coordination.first_relay(&id, sms.received_at).await {
            Ok(true) => {}
            Ok(false) => return false,
            Err(e) => {
                // Unknown: not relayed now, tried again at the next poll.
                tracing::warn!("relayed messages: {e}");
                self.lock().seen.remove(&id);
                return false;
            }
        }
        let code = match sms.code.clone() {
            Some(code) => Some(code),
            None => self
                .plugins
                .extract(sms.text.clone())
                .await
                .inspect_err(|e| tracing::warn!("extractor: {e}"))
                .ok()
                .flatten(),
        };
        let message = OtpEvent::Message {
            user,
            number: watch.number.clone(),
            since: watch.since,
            text: sms.text.clone(),
            code: code.clone(),
            sender: sms.sender.clone(),
            received_at: sms.received_at,
        };
        if !self.notifier.notify(message).await {
            // Not delivered: forget it so that the next poll tries again.
            self.lock().seen.remove(&id);
            self.coordination.forget(&id).await;
            return false;
        }
        if let Err(e) = self.coordination.relayed(&id, sms.received_at).await {
            tracing::warn!("a relayed message could not be recorded: {e}");
        }
        let latency = (crate::monitor::now() - sms.received_at).max(0);
        metrics::histogram!("numbot_relay_latency_seconds").record(latency as f64);
        if code.is_some() {
            let completed = self
                .store
                .complete_use(user, &watch.number, watch.since as u32)
                .await
                .unwrap_or(false);
            if completed {
                let ended = self.lock().watches.remove(&user);
                if let Some(w) = ended {
                    self.end_record(w.shared(user)).await;
                }
                if let Err(e) = self.provider.finished(&watch, Outcome::Completed).await {
                    tracing::warn!("could not tell the provider a watch completed: {e}");
                }
            }
        }
        true
    }

    /// The user watching the number a message reached, if it is theirs: not
    /// relayed yet, not stamped at or before the number changed hands, not
    /// before the use began. Marks it seen.
    fn holder_of(&self, sms: &Sms) -> Option<(i64, Watch)> {
        let mut st = self.lock();
        if st.seen.contains_key(&id_hash(&sms.id))
            || st
                .released
                .get(&sms.number)
                .is_some_and(|at| sms.received_at <= *at)
        {
            return None;
        }
        let holder = st
            .watches
            .iter()
            .find(|(_, w)| w.watch.number == sms.number && sms.received_at >= w.watch.since)
            .map(|(user, w)| (*user, w.watch.clone()));
        if holder.is_some() {
            st.seen.insert(id_hash(&sms.id), sms.received_at);
        }
        holder
    }
}
