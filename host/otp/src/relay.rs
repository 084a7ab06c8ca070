//! Relaying one message: to the holder of this very use only, once, with
//! the code the extractor finds, marked when its sender is not one the
//! category expects. The rules say whether a code ends the use; a relay
//! counts only once the front end accepted it.

use numbot_core::{CodeRecord, CodeSeen, Finish, UseId};

use crate::{
    events::OtpEvent,
    monitor::id_hash,
    providers::{Outcome, Sms, Watch},
    Delivery, OtpMonitor,
};

impl OtpMonitor {
    /// Relays one message to the number's holder; whether it was relayed.
    pub(crate) async fn relay(&self, sms: Sms) -> bool {
        let Some((user, id, watch, category)) = self.holder_of(&sms) else {
            return false;
        };
        // The user may have cancelled (or changed number) while the message
        // was on its way: only the current holder of this very use gets it.
        let still_held = self
            .store
            .current(id)
            .await
            .ok()
            .flatten()
            .is_some_and(|a| a.user == user && a.number == watch.number);
        if !still_held {
            return false;
        }
        // Another process may have relayed it before this one took over.
        let message_id = id_hash(&sms.id);
        match self
            .coordination
            .first_relay(&message_id, sms.received_at)
            .await
        {
            Ok(true) => {}
            Ok(false) => return false,
            Err(e) => {
                // Unknown: not relayed now, tried again at the next poll.
                tracing::warn!("relayed messages: {e}");
                self.lock().seen.remove(&message_id);
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
        let unexpected_sender = self.rules.unexpected(&category, sms.sender.as_deref());
        let completes = self.rules.completes(code.is_some(), unexpected_sender);
        let kept = code.as_ref().map(|code| CodeRecord {
            use_id: id,
            number: watch.number.clone(),
            holder: user,
            start: watch.since as u32,
            seen: CodeSeen {
                at: sms.received_at,
                code: self.rules.keep_codes.then(|| code.clone()),
            },
        });
        let message = OtpEvent::Message {
            id,
            user,
            number: watch.number.clone(),
            category: category.clone(),
            since: watch.since,
            text: sms.text.clone(),
            code,
            sender: sms.sender.clone(),
            unexpected_sender,
            received_at: sms.received_at,
            awaits_done: !completes,
        };
        // Kept before the holder sees it (and may press Done), so that it
        // joins its use; a message tried again is kept again, and readers
        // drop the repeat.
        if let Some(kept) = kept {
            if let Err(e) = self.store.record_code(kept).await {
                tracing::warn!("a relayed code was not kept in the history: {e}");
            }
        }
        match self.notifier.notify(message).await {
            Delivery::Delivered => {}
            Delivery::Retry => {
                // Not delivered: forget it so that the next poll tries again.
                self.lock().seen.remove(&message_id);
                self.coordination.forget(&message_id).await;
                return false;
            }
            Delivery::Refused(reason) => {
                tracing::warn!(user, number = %watch.number, "the holder cannot be told ({reason}): the number goes back");
                self.end_watch(user, id, &watch, Finish::Cancel).await;
                return false;
            }
        }
        if let Err(e) = self
            .coordination
            .relayed(&message_id, sms.received_at)
            .await
        {
            tracing::warn!("a relayed message could not be recorded: {e}");
        }
        let latency = (numbot_core::clock::unix_now() - sms.received_at).max(0);
        metrics::histogram!("numbot_relay_latency_seconds").record(latency as f64);
        if completes {
            self.end_watch(user, id, &watch, Finish::Done).await;
        }
        true
    }

    /// Ends `user`'s use of the watched number (completed, or given back
    /// when the holder cannot be told) and the watch with it.
    async fn end_watch(&self, user: i64, id: UseId, watch: &Watch, how: Finish) {
        let ended = self.store.end(id, how).await.is_ok_and(|a| a.is_some());
        if !ended {
            return;
        }
        let gone = self.lock().watches.remove(&user);
        if let Some(w) = gone {
            self.end_record(w.shared(user)).await;
        }
        let outcome = if how == Finish::Done {
            Outcome::Completed
        } else {
            Outcome::Released
        };
        if let Err(e) = self.provider.finished(watch, outcome).await {
            tracing::warn!("could not tell the provider a watch ended: {e}");
        }
    }

    /// The user watching the number a message reached, if it is theirs: not
    /// relayed yet, not stamped at or before the second the number changed
    /// hands, not before the use began; with the category it came from.
    /// Marks it seen.
    fn holder_of(&self, sms: &Sms) -> Option<(i64, UseId, Watch, String)> {
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
            .map(|(user, w)| (*user, w.id, w.watch.clone(), w.category.clone()));
        if holder.is_some() {
            st.seen.insert(id_hash(&sms.id), sms.received_at);
        }
        holder
    }
}
