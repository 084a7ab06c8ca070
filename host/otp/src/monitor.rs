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

use numbot_core::{
    clock::unix_now, text::sha256_hex, Assignment, Coordination, SharedPlugins, Store, UseId,
    WatchRecord,
};

use crate::{
    events::{Notifier, OtpEvent},
    providers::{Outcome, Provider, ProviderError, Watch},
    rules::RelayRules,
};

/// Messages relayed at once within one poll.
pub(crate) const RELAYS_AT_ONCE: usize = 64;
/// Failed polls in a row before admins are alerted.
const ALERT_AFTER: u32 = 3;
/// The longest wait between polls while the provider fails.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How often the right to poll is renewed (its lease lasts longer: see
/// [`Coordination`]), from a task of its own, so that a slow poll or a long
/// back-off does not let it lapse.
const LEAD_RENEWAL: Duration = Duration::from_secs(5);
/// How long relayed message ids are remembered.
const SEEN_FOR_SECS: i64 = 2 * 24 * 3600;

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

pub(crate) struct Watching {
    /// The use watched.
    pub(crate) id: UseId,
    pub(crate) watch: Watch,
    pub(crate) until: u32,
    /// The category the number came from (its expected senders); empty
    /// until the store lists a watch taken over from another process.
    pub(crate) category: String,
}

impl Watching {
    pub(crate) fn shared(&self, user: i64) -> WatchRecord {
        WatchRecord {
            id: self.id,
            user,
            number: self.watch.number.clone(),
            since: self.watch.since,
            until: self.until,
        }
    }
}

#[derive(Default)]
pub(crate) struct State {
    /// By user.
    pub(crate) watches: HashMap<i64, Watching>,
    /// Watches not yet recorded in the coordination (it failed): recorded at the
    /// next poll; one that ends first is this process's to end. Kept while
    /// another process leads, and watched again if this one leads again.
    pub(crate) unrecorded: Vec<WatchRecord>,
    /// Records to remove from the coordination (a removal failed, or a record may
    /// have been half-written): tried again at every poll.
    pub(crate) unended: Vec<WatchRecord>,
    /// Message ids already relayed (or skipped), with their time.
    pub(crate) seen: HashMap<String, i64>,
    /// When each number last changed hands (the new holder's start): a
    /// message stamped then or before belongs to an earlier holder, or
    /// cannot be told apart from one (providers stamp whole seconds), and
    /// goes to nobody.
    pub(crate) released: HashMap<String, i64>,
    /// Numbers watched before, with when: a new watch of one is a handover.
    pub(crate) known: HashMap<String, i64>,
    pub(crate) failures: u32,
    pub(crate) alerted: bool,
}

/// A message id as the coordination keeps it: hashed, so that ids holding
/// a code or line breaks are neither stored nor break a format.
pub(crate) fn id_hash(id: &str) -> String {
    sha256_hex(id.as_bytes(), 16)
}

/// The monitor; [`OtpMonitor::run`] polls until the task is dropped.
pub struct OtpMonitor {
    pub(crate) store: Store,
    pub(crate) coordination: Arc<dyn Coordination>,
    pub(crate) plugins: SharedPlugins,
    pub(crate) provider: Box<dyn Provider>,
    pub(crate) notifier: Arc<dyn Notifier>,
    interval: Duration,
    pub(crate) rules: RelayRules,
    state: Mutex<State>,
    status: Arc<MonitorStatus>,
}

/// What health checks and admins' pages read of the monitor.
#[derive(Debug, Default)]
pub struct MonitorStatus {
    failing: std::sync::atomic::AtomicBool,
    health: Mutex<ProviderHealth>,
}

/// The SMS provider as this process's monitor saw it last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderHealth {
    /// The provider's protocol (`twilio`, …); empty before the first poll.
    pub provider: String,
    /// Whether this process polls (with replicas, one of them does).
    pub leading: bool,
    /// Numbers watched at the last poll.
    pub watched: usize,
    /// When the provider last answered (Unix seconds).
    pub last_ok: Option<i64>,
    /// When a poll last failed, and why.
    pub last_failure: Option<(i64, String)>,
    /// Polls failed in a row since the last answer.
    pub failures: u32,
    /// Polls answered and failed since this process started.
    pub polls: (u64, u64),
}

impl MonitorStatus {
    /// Whether the provider has failed enough polls in a row to alert.
    pub fn failing(&self) -> bool {
        self.failing.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The provider's health as of the last poll.
    pub fn health(&self) -> ProviderHealth {
        self.health
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn update(&self, change: impl FnOnce(&mut ProviderHealth)) {
        change(&mut self.health.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

impl OtpMonitor {
    /// A monitor polling `provider` every `interval` for the store's
    /// assignments, sharing its work with the other processes on the pool
    /// through `coordination`; codes are found with `plugins`' extractor.
    pub fn new(
        store: Store,
        coordination: Arc<dyn Coordination>,
        plugins: SharedPlugins,
        provider: Box<dyn Provider>,
        notifier: Arc<dyn Notifier>,
        interval: Duration,
    ) -> OtpMonitor {
        OtpMonitor {
            store,
            coordination,
            plugins,
            provider,
            notifier,
            interval,
            rules: RelayRules::default(),
            state: Mutex::default(),
            status: Arc::default(),
        }
    }

    /// The monitor with `rules` for what a relayed message does.
    pub fn with_rules(mut self, rules: RelayRules) -> OtpMonitor {
        self.rules = rules;
        self
    }

    /// The monitor reporting to `status` (shared with the front ends
    /// that start before it).
    pub fn with_status(mut self, status: Arc<MonitorStatus>) -> OtpMonitor {
        self.status = status;
        self
    }

    /// The monitor's health, for `/readyz` and admins' pages.
    pub fn status(&self) -> Arc<MonitorStatus> {
        self.status.clone()
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Polls forever: every interval while the provider answers, backing off
    /// (up to a minute) while it fails.
    /// With other processes on the pool, only the one holding the lease
    /// polls; one that loses it forgets its watches without telling anybody
    /// anything: they are recorded in the coordination, where the next holder
    /// starts from (but for those not yet recorded, kept for when this one
    /// leads again).
    pub async fn run(self: Arc<Self>) {
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let _renewal = {
            let (coordination, set) = (self.coordination.clone(), flag.clone());
            AbortOnDrop(tokio::spawn(async move {
                loop {
                    set.store(
                        coordination.lead().await,
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    tokio::time::sleep(LEAD_RENEWAL).await;
                }
            }))
        };
        let mut led = false;
        loop {
            let started = tokio::time::Instant::now();
            let leading = flag.load(std::sync::atomic::Ordering::Relaxed);
            self.status.update(|h| h.leading = leading);
            if !leading {
                if led {
                    self.forget_watches();
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

    /// Another process leads now: this one forgets its watches without
    /// telling anybody anything (but for those not yet recorded).
    fn forget_watches(&self) {
        let mut st = self.lock();
        st.watches.clear();
        st.known.clear();
        st.released.clear();
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
                        let ended = OtpEvent::LeaseEnded {
                            user,
                            number: watching.watch.number.clone(),
                        };
                        self.notifier.notify(ended).await;
                    }
                    // A number already with its next holder keeps its activation.
                    if !handed_over {
                        if let Err(e) = self
                            .provider
                            .finished(&watching.watch, Outcome::Released)
                            .await
                        {
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
        let polled = self.provider.poll(&watches).await;
        let at = unix_now();
        self.status.update(|h| {
            h.provider = self.provider.name().to_string();
            h.watched = watches.len();
            match &polled {
                Ok(_) => {
                    h.last_ok = Some(at);
                    h.failures = 0;
                    h.polls.0 += 1;
                }
                Err(e) => {
                    h.last_failure = Some((at, e.to_string()));
                    h.failures += 1;
                    h.polls.1 += 1;
                }
            }
        });
        let outcome = if polled.is_ok() { "ok" } else { "failed" };
        metrics::counter!("numbot_provider_polls_total", "provider" => self.provider.name().to_string(), "outcome" => outcome)
            .increment(1);
        let messages = match polled {
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
    fn sync(&self, assignments: &[Assignment]) -> (Vec<(i64, Watching)>, Vec<WatchRecord>) {
        let mut st = self.lock();
        let mut current: HashMap<i64, &Assignment> =
            assignments.iter().map(|a| (a.user, a)).collect();
        let mut ended = Vec::new();
        let mut added = Vec::new();
        let users: Vec<i64> = st.watches.keys().copied().collect();
        for user in users {
            let same = current
                .get(&user)
                .is_some_and(|a| a.id == st.watches[&user].id);
            if same {
                if let (Some(a), Some(w)) = (current.remove(&user), st.watches.get_mut(&user)) {
                    if w.category.is_empty() {
                        w.category = a.category.clone();
                    }
                }
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
                id: a.id,
                watch: Watch {
                    number: a.number.clone(),
                    since,
                },
                until: a.until,
                category: a.category.clone(),
            };
            added.push(watching.shared(user));
            st.watches.insert(user, watching);
        }
        let horizon = unix_now() - SEEN_FOR_SECS;
        st.seen.retain(|_, at| *at >= horizon);
        st.released.retain(|_, at| *at >= horizon);
        st.known.retain(|_, at| *at >= horizon);
        (ended, added)
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
            self.status
                .failing
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if alert {
            let down = OtpEvent::ProviderDown {
                provider: self.provider.name().to_string(),
                error: e.to_string(),
            };
            self.notifier.notify(down).await;
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
        self.status
            .failing
            .store(false, std::sync::atomic::Ordering::Relaxed);
        if was_alerted {
            let recovered = OtpEvent::ProviderRecovered {
                provider: self.provider.name().to_string(),
                failures,
            };
            self.notifier.notify(recovered).await;
        }
    }
}
