//! The OTP monitor: watches the SMS provider for every number in use and
//! relays the code to its holder.
//!
//! The store's assignments are the watches: a restart resumes them, and a
//! watch ends when its assignment does (code relayed and the use completed,
//! cancelled by the user, or the lease ran out). One poll asks the provider
//! about every watch at once (providers that list messages answer in one
//! paged request). A message is relayed at most once, and only to the user
//! who holds the number when it is relayed: a user who cancels while a
//! message is in flight never gets it, nor does the next holder get the
//! previous one's. When the provider keeps failing, polls back off and admins
//! get one alert, then one when it recovers.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::StreamExt;

use crate::{
    plugin::PluginHost,
    sms::{Outcome, Provider, ProviderError, Sms, Watch},
    store::{Assignment, Store},
};

/// Characters of an SMS relayed (the rest is cut, marked with `…`).
const MAX_RELAYED_TEXT: usize = 3000;
/// Messages relayed at once within one poll.
const RELAYS_AT_ONCE: usize = 64;
/// Failed polls in a row before admins are alerted.
const ALERT_AFTER: u32 = 3;
/// The longest wait between polls while the provider fails.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How often the right to poll is renewed (its lease lasts longer: see
/// `MonitorShare`), from a task of its own, so that a slow poll or a long
/// back-off does not let it lapse.
const LEAD_RENEWAL: Duration = Duration::from_secs(5);
/// How long relayed message ids are remembered.
const SEEN_FOR_SECS: i64 = 2 * 24 * 3600;

/// Where the monitor's messages go (the Telegram bot, or a test).
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Tells a user something (HTML); returns whether it was delivered.
    async fn tell_user(&self, user: i64, html: String) -> bool;
    /// Tells every admin something (plain text).
    async fn tell_admins(&self, text: String);
}

/// What the monitors of several processes on one pool share (MongoDB): the
/// right to poll, held by one process at a time under a renewed lease; the
/// ids of messages relayed, so that a process taking over never relays one
/// again; and the leader's watches, so that it ends (and announces) the uses
/// that ended while nobody led.
#[async_trait::async_trait]
pub trait MonitorShare: Send + Sync {
    /// Takes or renews the right to poll; false while another process holds it.
    async fn lead(&self) -> bool;
    /// Records that a message (its hashed id) is being relayed: false when
    /// some process already did; an error when that cannot be known now.
    async fn first_relay(&self, id: &str, at: i64) -> Result<bool, String>;
    /// Forgets a message whose relay failed, so that it is tried again.
    async fn forget(&self, id: &str);
    /// The watches recorded by the leaders so far: a new leader starts from
    /// them.
    async fn watches(&self) -> Result<Vec<SharedWatch>, String>;
    /// Records new watches (one already recorded is left as it is).
    async fn add_watches(&self, watches: &[SharedWatch]) -> Result<(), String>;
    /// Removes an ended watch: true when this call removed it, and this
    /// process then tells the user, so that a use is announced once even
    /// while two processes briefly both lead.
    async fn end_watch(&self, watch: &SharedWatch) -> Result<bool, String>;
}

/// A watch as the leading monitor records it in a [`MonitorShare`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedWatch {
    /// The holder.
    pub user: i64,
    /// The number watched.
    pub number: String,
    /// The use's start (Unix seconds).
    pub since: i64,
    /// The use's lease end (Unix seconds).
    pub until: u32,
}

/// Stops a task when dropped (the monitor's lease renewal ends with it).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What one poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    /// Numbers watched during the poll.
    pub watched: usize,
    /// Messages relayed to users.
    pub relayed: usize,
    /// Watches that ended because the lease ran out.
    pub expired: usize,
}

struct Watching {
    watch: Watch,
    until: u32,
}

impl Watching {
    fn shared(&self, user: i64) -> SharedWatch {
        SharedWatch {
            user,
            number: self.watch.number.clone(),
            since: self.watch.since,
            until: self.until,
        }
    }
}

#[derive(Default)]
struct State {
    /// By user.
    watches: HashMap<i64, Watching>,
    /// Watches not yet recorded in the share (it failed): recorded at the
    /// next poll; one that ends first is this process's to end. Kept while
    /// another process leads, and watched again if this one leads again.
    unrecorded: Vec<SharedWatch>,
    /// Records to remove from the share (a removal failed, or a record may
    /// have been half-written): tried again at every poll.
    unended: Vec<SharedWatch>,
    /// Message ids already relayed (or skipped), with their time.
    seen: HashMap<String, i64>,
    /// When each number last changed hands (the new holder's start): a
    /// message stamped then or before belongs to an earlier holder, or
    /// cannot be told apart from one, and goes to nobody.
    released: HashMap<String, i64>,
    /// Numbers watched before, with when: a new watch of one is a handover.
    known: HashMap<String, i64>,
    failures: u32,
    alerted: bool,
}

/// Message ids relayed, one line each (`id<TAB>unix seconds`), in the data
/// directory: a restart does not relay them again.
const RELAYED_FILE: &str = "relayed.log";

/// Reads the relayed ids still within the horizon; rewrites the file
/// without the older ones when they are many.
fn load_relayed(path: &std::path::Path) -> HashMap<String, i64> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let horizon = now() - SEEN_FOR_SECS;
    let mut lines = 0;
    let mut seen = HashMap::new();
    for line in text.lines() {
        lines += 1;
        if let Some((id, at)) = line.rsplit_once('\t') {
            if let Ok(at) = at.parse::<i64>() {
                if at >= horizon {
                    seen.insert(id.to_string(), at);
                }
            }
        }
    }
    if lines > 2 * seen.len() + 1000 {
        let mut kept = String::new();
        for (id, at) in &seen {
            kept.push_str(&format!("{id}\t{at}\n"));
        }
        if let Err(e) = crate::store::write_atomic(path, kept.as_bytes()) {
            tracing::warn!("{}: {e}", path.display());
        }
    }
    seen
}

/// A message id as `relayed.log` keeps it: hashed, so that ids holding a
/// code or line breaks are neither on disk nor broken by the format.
fn id_hash(id: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(id.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The monitor; [`OtpMonitor::run`] polls until the task is dropped.
pub struct OtpMonitor {
    store: Store,
    share: Option<Arc<dyn MonitorShare>>,
    plugins: Arc<PluginHost>,
    provider: Box<dyn Provider>,
    notifier: Arc<dyn Notifier>,
    interval: Duration,
    state: Mutex<State>,
    relayed_log: Mutex<Option<std::fs::File>>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn escape(text: &str) -> String {
    crate::bot::send::html(text)
}

impl OtpMonitor {
    /// A monitor polling `provider` every `interval` for the store's
    /// assignments; `dir` keeps its log of relayed messages.
    pub fn new(
        store: Store,
        dir: &std::path::Path,
        provider: Box<dyn Provider>,
        notifier: Arc<dyn Notifier>,
        interval: Duration,
    ) -> OtpMonitor {
        let path = dir.join(RELAYED_FILE);
        let state = State {
            seen: load_relayed(&path),
            ..State::default()
        };
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .inspect_err(|e| {
                tracing::warn!(
                    "{}: {e}: relayed messages are not remembered across restarts",
                    path.display()
                )
            })
            .ok();
        OtpMonitor {
            plugins: store.plugins().clone(),
            share: store.monitor_share(),
            store,
            provider,
            notifier,
            interval,
            state: Mutex::new(state),
            relayed_log: Mutex::new(log),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Polls forever: every interval while the provider answers, backing off
    /// (up to a minute) while it fails.
    /// With other processes on the pool, only the one holding the lease
    /// polls; one that loses it forgets its watches without telling anybody
    /// anything: they are recorded in the share, where the next holder
    /// starts from (but for those not yet recorded, kept for when this one
    /// leads again).
    pub async fn run(self: Arc<Self>) {
        let leading = self.share.clone().map(|share| {
            let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let set = flag.clone();
            let renewal = tokio::spawn(async move {
                loop {
                    set.store(share.lead().await, std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(LEAD_RENEWAL).await;
                }
            });
            (flag, AbortOnDrop(renewal))
        });
        let mut led = false;
        loop {
            let started = tokio::time::Instant::now();
            if let Some((flag, _)) = &leading {
                if !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    if led {
                        let mut st = self.lock();
                        st.watches.clear();
                        st.known.clear();
                        st.released.clear();
                        led = false;
                    }
                    tokio::time::sleep(self.interval.max(Duration::from_millis(200))).await;
                    continue;
                }
                if !led {
                    if let Err(e) = self.take_over().await {
                        tracing::warn!("monitor: cannot take over the watches recorded: {e}");
                        tokio::time::sleep(self.interval.max(Duration::from_millis(200))).await;
                        continue;
                    }
                }
                led = true;
            }
            let wait = match self.tick().await {
                // Polls start one interval apart, however long one took.
                Ok(_) => self.interval.saturating_sub(started.elapsed()),
                Err(e) => {
                    let failures = self.lock().failures;
                    tracing::warn!(
                        provider = self.provider.name(),
                        failures,
                        "poll failed: {e}"
                    );
                    (self.interval * 2u32.saturating_pow(failures.min(6))).min(MAX_BACKOFF)
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Starts leading from the watches the earlier leaders recorded (and
    /// this process's own not yet recorded), so that the first poll ends
    /// those whose use ended while nobody led. Of two for one user, the one
    /// of the current use stays (else the latest); the other is a record
    /// whose removal was lost, removed without a word.
    async fn take_over(&self) -> Result<(), String> {
        let Some(share) = &self.share else {
            return Ok(());
        };
        let mut candidates = share.watches().await?;
        let current: HashMap<i64, (String, i64)> = self
            .store
            .assignments()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|a| (a.user, (a.number, i64::from(a.since))))
            .collect();
        let mut st = self.lock();
        candidates.extend(st.unrecorded.iter().cloned());
        let mut chosen: HashMap<i64, SharedWatch> = HashMap::new();
        let mut stale = Vec::new();
        for w in candidates {
            let Some(other) = chosen.remove(&w.user) else {
                chosen.insert(w.user, w);
                continue;
            };
            let is_current = |x: &SharedWatch| {
                current
                    .get(&x.user)
                    .is_some_and(|(n, since)| *n == x.number && *since == x.since)
            };
            let (keep, drop) = if other == w {
                (other, None)
            } else if is_current(&w) || (!is_current(&other) && w.since > other.since) {
                (w, Some(other))
            } else {
                (other, Some(w))
            };
            chosen.insert(keep.user, keep);
            stale.extend(drop);
        }
        st.unrecorded.retain(|u| !stale.contains(u));
        st.unended.extend(stale);
        st.watches.clear();
        st.known.clear();
        for (user, w) in chosen {
            st.known.insert(w.number.clone(), w.since);
            st.watches.insert(
                user,
                Watching {
                    watch: Watch {
                        number: w.number,
                        since: w.since,
                    },
                    until: w.until,
                },
            );
        }
        Ok(())
    }

    /// The ended watches this process is to end: with a share, those whose
    /// record it removed, those never recorded, and those it could not ask
    /// about (their record is removed later; a takeover before that would
    /// announce one a second time: better twice than never).
    async fn claim_ended(&self, ended: Vec<(i64, Watching)>) -> Vec<(i64, Watching)> {
        let Some(share) = &self.share else {
            return ended;
        };
        futures::stream::iter(ended)
            .map(|(user, w)| async move {
                let shared = w.shared(user);
                if self.take_unrecorded(&shared) {
                    return Some((user, w));
                }
                match share.end_watch(&shared).await {
                    Ok(mine) => mine.then_some((user, w)),
                    Err(e) => {
                        tracing::warn!("monitor: a watch's end cannot be recorded: {e}");
                        self.lock().unended.push(shared);
                        Some((user, w))
                    }
                }
            })
            .buffer_unordered(RELAYS_AT_ONCE)
            .filter_map(std::future::ready)
            .collect()
            .await
    }

    /// Whether `w` was not recorded in the share; it never will be now (in
    /// case a failed write left it half-done, its removal is queued).
    fn take_unrecorded(&self, w: &SharedWatch) -> bool {
        let mut st = self.lock();
        let before = st.unrecorded.len();
        st.unrecorded.retain(|u| u != w);
        let was = st.unrecorded.len() != before;
        if was {
            st.unended.push(w.clone());
        }
        was
    }

    /// Ends a watch's record after its use completed.
    async fn end_record(&self, w: SharedWatch) {
        let Some(share) = &self.share else {
            return;
        };
        if !self.take_unrecorded(&w) {
            if let Err(e) = share.end_watch(&w).await {
                tracing::warn!(
                    "monitor: a watch's end cannot be recorded (tried again at the next poll): {e}"
                );
                self.lock().unended.push(w);
            }
        }
    }

    /// Brings the share up to date: removes the records whose removal
    /// failed, records the new watches and those an earlier poll could not.
    async fn record(&self, added: Vec<SharedWatch>) {
        let Some(share) = &self.share else {
            return;
        };
        let (unended, todo) = {
            let mut st = self.lock();
            st.unrecorded.extend(added);
            (
                std::mem::take(&mut st.unended),
                std::mem::take(&mut st.unrecorded),
            )
        };
        let failed: Vec<SharedWatch> = futures::stream::iter(unended)
            .map(|w| async move { share.end_watch(&w).await.err().map(|_| w) })
            .buffer_unordered(RELAYS_AT_ONCE)
            .filter_map(std::future::ready)
            .collect()
            .await;
        self.lock().unended.extend(failed);
        if todo.is_empty() {
            return;
        }
        if let Err(e) = share.add_watches(&todo).await {
            tracing::warn!(
                "monitor: new watches cannot be recorded (tried again at the next poll): {e}"
            );
            self.lock().unrecorded.extend(todo);
        }
    }

    /// The numbers being watched now.
    pub fn watching(&self) -> usize {
        self.lock().watches.len()
    }

    /// One poll: syncs the watches with the store, asks the provider, relays.
    pub async fn tick(&self) -> Result<Tick, ProviderError> {
        let assignments = match self.store.assignments().await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!("the store cannot list assignments; the monitor waits: {e}");
                return Ok(Tick::default());
            }
        };
        let mut tick = Tick::default();
        let (ended, added) = self.sync(&assignments);
        let ended = self.claim_ended(ended).await;
        self.record(added).await;
        let now = self.store.now();
        tick.expired = ended.iter().filter(|(_, w)| w.until <= now).count();
        let held: std::collections::HashSet<&str> =
            assignments.iter().map(|a| a.number.as_str()).collect();
        // Side by side: fifty expiries with a slow provider do not hold up the poll.
        futures::stream::iter(ended)
            .for_each_concurrent(RELAYS_AT_ONCE, |(user, watching)| {
                let handed_over = held.contains(watching.watch.number.as_str());
                async move {
                    if watching.until <= now {
                        let text = format!(
                            "No code reached <code>{}</code> before its time ran out; the number went back to the pool. Send /countries for another.",
                            escape(&watching.watch.number)
                        );
                        self.notifier.tell_user(user, text).await;
                    }
                    // A number already with its next holder keeps its activation.
                    if !handed_over {
                        if let Err(e) = self.provider.finished(&watching.watch, Outcome::Released).await {
                            tracing::warn!("could not tell the provider a watch ended: {e}");
                        }
                    }
                }
            })
            .await;
        let watches: Vec<Watch> = self
            .lock()
            .watches
            .values()
            .map(|w| w.watch.clone())
            .collect();
        tick.watched = watches.len();
        if watches.is_empty() {
            return Ok(tick);
        }
        let messages = match self.provider.poll(&watches).await {
            Ok(m) => m,
            Err(e) => {
                self.failed(&e).await;
                return Err(e);
            }
        };
        self.recovered().await;
        // Relays run side by side: a poll that brings a thousand codes does
        // not deliver them one after another.
        let relayed = std::sync::atomic::AtomicUsize::new(0);
        futures::stream::iter(messages)
            .for_each_concurrent(RELAYS_AT_ONCE, |sms| async {
                if self.relay(sms).await {
                    relayed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })
            .await;
        tick.relayed = relayed.into_inner();
        Ok(tick)
    }

    /// Adds the new assignments, drops the ended ones; returns both.
    fn sync(&self, assignments: &[Assignment]) -> (Vec<(i64, Watching)>, Vec<SharedWatch>) {
        let mut st = self.lock();
        let mut current: HashMap<i64, &Assignment> =
            assignments.iter().map(|a| (a.user, a)).collect();
        let mut ended = Vec::new();
        let mut added = Vec::new();
        let users: Vec<i64> = st.watches.keys().copied().collect();
        for user in users {
            let same = current.get(&user).is_some_and(|a| {
                let w = &st.watches[&user].watch;
                a.number == w.number && i64::from(a.since) == w.since
            });
            if same {
                current.remove(&user);
            } else if let Some(w) = st.watches.remove(&user) {
                ended.push((user, w));
            }
        }
        for (user, a) in current {
            let since = i64::from(a.since);
            if st.known.insert(a.number.clone(), since).is_some() {
                st.released.insert(a.number.clone(), since);
            }
            let watching = Watching {
                watch: Watch {
                    number: a.number.clone(),
                    since,
                },
                until: a.until,
            };
            added.push(watching.shared(user));
            st.watches.insert(user, watching);
        }
        let horizon = now() - SEEN_FOR_SECS;
        st.seen.retain(|_, at| *at >= horizon);
        st.released.retain(|_, at| *at >= horizon);
        st.known.retain(|_, at| *at >= horizon);
        (ended, added)
    }

    /// Relays one message to the number's holder; whether it was relayed.
    async fn relay(&self, sms: Sms) -> bool {
        let holder = {
            let mut st = self.lock();
            if st.seen.contains_key(&id_hash(&sms.id))
                || st
                    .released
                    .get(&sms.number)
                    .is_some_and(|at| sms.received_at <= *at)
            {
                return false;
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
        };
        let Some((user, watch)) = holder else {
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
        if let Some(share) = &self.share {
            match share.first_relay(&id, sms.received_at).await {
                Ok(true) => {}
                Ok(false) => return false,
                Err(e) => {
                    // Unknown: not relayed now, tried again at the next poll.
                    tracing::warn!("relayed messages: {e}");
                    self.lock().seen.remove(&id);
                    return false;
                }
            }
        }
        let code = match sms.code.clone() {
            Some(code) => Some(code),
            None => {
                let plugins = self.plugins.clone();
                let text = sms.text.clone();
                tokio::task::spawn_blocking(move || plugins.extract(&text))
                    .await
                    .ok()
                    .and_then(|r| r.inspect_err(|e| tracing::warn!("extractor: {e}")).ok())
                    .flatten()
            }
        };
        // A message holds 4,096 characters; an SMS rarely more than a few hundred.
        let body: String = if sms.text.chars().count() > MAX_RELAYED_TEXT {
            let mut cut: String = sms.text.chars().take(MAX_RELAYED_TEXT).collect();
            cut.push('…');
            cut
        } else {
            sms.text.clone()
        };
        let text = match &code {
            Some(code) => format!(
                "Code for <code>{}</code>: <code>{}</code>\n\n{}",
                escape(&watch.number),
                escape(code),
                escape(&body)
            ),
            None => format!(
                "A message reached <code>{}</code> (no code found in it):\n\n{}",
                escape(&watch.number),
                escape(&body)
            ),
        };
        if !self.notifier.tell_user(user, text).await {
            // Not delivered: forget it so that the next poll tries again.
            self.lock().seen.remove(&id);
            if let Some(share) = &self.share {
                share.forget(&id).await;
            }
            return false;
        }
        self.remember(&sms);
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

    /// Appends a relayed message's id to the data directory's log.
    fn remember(&self, sms: &Sms) {
        use std::io::Write;
        let mut log = self.relayed_log.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = log.as_mut() {
            if let Err(e) = writeln!(file, "{}\t{}", id_hash(&sms.id), sms.received_at) {
                tracing::warn!("{RELAYED_FILE}: {e}");
            }
        }
    }

    async fn failed(&self, e: &ProviderError) {
        let alert = {
            let mut st = self.lock();
            st.failures += 1;
            let alert = st.failures >= ALERT_AFTER && !st.alerted;
            st.alerted |= alert;
            alert
        };
        if alert {
            self.notifier
                .tell_admins(format!(
                    "The SMS provider ({}) keeps failing: {e}. Codes are not relayed until it answers again; numbot keeps retrying and will say when it recovers.",
                    self.provider.name()
                ))
                .await;
        }
    }

    async fn recovered(&self) {
        let (was_alerted, failures) = {
            let mut st = self.lock();
            let out = (st.alerted, st.failures);
            st.failures = 0;
            st.alerted = false;
            out
        };
        if was_alerted {
            self.notifier
                .tell_admins(format!(
                    "The SMS provider ({}) answers again after {failures} failed polls; codes are relayed again.",
                    self.provider.name()
                ))
                .await;
        }
    }
}
