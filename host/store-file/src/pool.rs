//! The pool in memory: numbers per file, who holds what, what cools down.
//! Every change goes through [`Pool::apply`], the same code for live
//! operations and for replaying the journal after a restart.

use std::{
    cmp::Reverse,
    collections::{BinaryHeap, HashMap, HashSet, VecDeque},
};

use numbot_core::{
    reuse::{AfterUse, End},
    NumberState as Status, ReuseRule, UseId,
};

use crate::journal::{Op, Record, MAX_RECORDS_AT_ONCE};

/// A number held by a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hold {
    /// The use.
    pub id: UseId,
    /// The file.
    pub file: u32,
    /// The number's index in the file.
    pub index: u32,
    /// The holder.
    pub user: i64,
    /// When it was assigned (Unix seconds).
    pub since: u32,
    /// When the lease ends (Unix seconds).
    pub until: u32,
}

/// One file's numbers and their states.
pub(crate) struct FilePool {
    /// E.164 digits (without `+`) as integers.
    pub numbers: Vec<u64>,
    pub status: Vec<Status>,
    pub uses: Vec<u32>,
    pub last_used: Vec<u32>,
    pub last_user: Vec<i64>,
    /// Indices of available numbers, in no order; `slot` of the policy indexes it.
    pub available: Vec<u32>,
    /// Position of each number in `available`, or `NOT_AVAILABLE`.
    position: Vec<u32>,
    /// (available again at, index): ends of cooldowns, in time order.
    cooling: VecDeque<(u32, u32)>,
    /// The end of each cooling number's current cooldown: a queue entry of an
    /// earlier cooldown (the number was claimed again since) must not end it.
    pub cool_until: Vec<u32>,
    /// Deleted: available numbers left; held ones drop when their use ends.
    pub deleted: bool,
    /// Assignments started from this file.
    pub usage_count: u64,
    /// Last assignment from this file.
    pub last_assigned: Option<u32>,
}

const NOT_AVAILABLE: u32 = u32::MAX;

impl FilePool {
    /// A file whose numbers are all available.
    pub(crate) fn new(numbers: Vec<u64>) -> FilePool {
        let n = numbers.len();
        FilePool {
            status: vec![Status::Available; n],
            uses: vec![0; n],
            last_used: vec![0; n],
            last_user: vec![0; n],
            available: (0..n as u32).collect(),
            position: (0..n as u32).collect(),
            cooling: VecDeque::new(),
            cool_until: vec![0; n],
            deleted: false,
            usage_count: 0,
            last_assigned: None,
            numbers,
        }
    }

    fn take(&mut self, index: u32) {
        let pos = self.position[index as usize];
        if pos == NOT_AVAILABLE {
            return;
        }
        let last = self.available.pop().expect("available is not empty");
        if last != index {
            self.available[pos as usize] = last;
            self.position[last as usize] = pos;
        }
        self.position[index as usize] = NOT_AVAILABLE;
    }

    fn put(&mut self, index: u32) {
        if self.position[index as usize] == NOT_AVAILABLE {
            self.position[index as usize] = self.available.len() as u32;
            self.available.push(index);
        }
        self.status[index as usize] = Status::Available;
    }

    /// Makes numbers whose cooldown ended by `now` available again.
    pub(crate) fn thaw(&mut self, now: u32) {
        while let Some(&(at, index)) = self.cooling.front() {
            if at > now {
                break;
            }
            self.cooling.pop_front();
            let i = index as usize;
            if self.status[i] == Status::Cooling && self.cool_until[i] == at {
                self.put(index);
            }
        }
    }

    /// Numbers that count towards usage: all but removed ones.
    pub(crate) fn total(&self) -> u64 {
        self.numbers.len() as u64
    }
}

/// Outcome of applying a record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    /// The record changed the pool.
    Done,
    /// The record does not fit the pool's state (replaying an old record).
    Ignored(&'static str),
}

/// The maps the claim path looks up on every claim, hashed with a fast
/// seeded hasher (SipHash was a tenth of the store thread's time). Their
/// keys are ids Telegram and the store assign, not values a client picks.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// All files, holds and the dedup set.
#[derive(Default)]
pub(crate) struct Pool {
    pub files: Vec<Option<FilePool>>,
    /// Active holds by user.
    pub holds: FastMap<i64, Hold>,
    /// The holder of each active use.
    pub by_use: FastMap<UseId, i64>,
    /// Lease ends, soonest first (leases of different lengths, clocks that
    /// step back); entries of holds already ended are skipped.
    leases: BinaryHeap<Reverse<(u32, u32, u32, i64)>>,
    /// Every number in the pool, for deduplication on upload.
    pub known: HashSet<u64>,
    pub rule: ReuseRule,
}

impl Pool {
    /// An empty pool under a reuse rule.
    pub(crate) fn new(rule: ReuseRule) -> Pool {
        Pool {
            rule,
            ..Pool::default()
        }
    }

    /// Adds a file's numbers (already deduplicated against `known`).
    pub(crate) fn add_file(&mut self, id: u32, numbers: Vec<u64>) {
        self.known.extend(numbers.iter().copied());
        let slot = id as usize;
        if self.files.len() <= slot {
            self.files.resize_with(slot + 1, || None);
        }
        self.files[slot] = Some(FilePool::new(numbers));
    }

    /// The file, if loaded.
    pub(crate) fn file(&self, id: u32) -> Option<&FilePool> {
        self.files.get(id as usize).and_then(Option::as_ref)
    }

    fn file_mut(&mut self, id: u32) -> Option<&mut FilePool> {
        self.files.get_mut(id as usize).and_then(Option::as_mut)
    }

    /// Deleting a file: available and cooling numbers leave at once, held ones
    /// when their use ends. Its numbers may then be uploaded again.
    pub(crate) fn delete_file(&mut self, id: u32) {
        let Some(file) = self.files.get_mut(id as usize).and_then(Option::as_mut) else {
            return;
        };
        file.deleted = true;
        for index in std::mem::take(&mut file.available) {
            file.position[index as usize] = NOT_AVAILABLE;
        }
        file.cooling.clear();
        for (status, number) in file.status.iter_mut().zip(&file.numbers) {
            if *status != Status::Assigned {
                *status = Status::Removed;
                self.known.remove(number);
            }
        }
    }

    /// Ends leases due by `now`, at most [`MAX_RECORDS_AT_ONCE`] (one
    /// append): the records to journal.
    pub(crate) fn due_expiries(&mut self, now: u32) -> Vec<Record> {
        let mut out = Vec::new();
        while let Some(&Reverse((until, file, index, user))) = self.leases.peek() {
            if until > now || out.len() == MAX_RECORDS_AT_ONCE {
                break;
            }
            self.leases.pop();
            let current = self.holds.get(&user);
            if current.is_some_and(|h| h.file == file && h.index == index && h.until == until) {
                out.push(Record {
                    op: Op::Expire,
                    file,
                    index,
                    at: now,
                    user,
                    until: 0,
                });
            }
        }
        out
    }

    /// Applies one journal record, `id` being the use a claim begins
    /// (its place in the journal): live, or on replay.
    pub(crate) fn apply(&mut self, r: &Record, id: UseId) -> Applied {
        let rule = self.rule;
        match r.op {
            Op::Claim => {
                if self.holds.contains_key(&r.user) {
                    return Applied::Ignored("user already holds a number");
                }
                let Some(file) = self.file_mut(r.file) else {
                    return Applied::Ignored("no such file");
                };
                let i = r.index as usize;
                if i >= file.numbers.len() {
                    return Applied::Ignored("no such number");
                }
                // Live claims only take available numbers. On replay the record is
                // authoritative (it was acknowledged): a cooldown that the live run
                // ended earlier by its own clock, or a changed reuse rule, must not
                // drop it.
                if matches!(file.status[i], Status::Assigned | Status::Removed) {
                    return Applied::Ignored("number held or removed");
                }
                file.take(r.index);
                file.status[i] = Status::Assigned;
                file.uses[i] += 1;
                file.last_used[i] = r.at;
                file.last_user[i] = r.user;
                file.usage_count += 1;
                file.last_assigned = Some(r.at);
                self.by_use.insert(id, r.user);
                self.holds.insert(
                    r.user,
                    Hold {
                        id,
                        file: r.file,
                        index: r.index,
                        user: r.user,
                        since: r.at,
                        until: r.until,
                    },
                );
                self.leases
                    .push(Reverse((r.until, r.file, r.index, r.user)));
                Applied::Done
            }
            Op::Complete | Op::Cancel | Op::Expire => {
                let Some(held) = self
                    .holds
                    .get(&r.user)
                    .copied()
                    .filter(|h| h.file == r.file && h.index == r.index)
                else {
                    return Applied::Ignored("not held by this user");
                };
                self.holds.remove(&r.user);
                self.by_use.remove(&held.id);
                let Some(file) = self.files.get_mut(r.file as usize).and_then(Option::as_mut)
                else {
                    return Applied::Ignored("no such file");
                };
                let i = r.index as usize;
                if file.deleted {
                    file.status[i] = Status::Removed;
                    self.known.remove(&file.numbers[i]);
                    return Applied::Done;
                }
                let end = match r.op {
                    Op::Complete => End::Complete,
                    Op::Cancel => End::Cancel,
                    _ => End::Expire,
                };
                match rule.after(end, r.at) {
                    AfterUse::Retired => file.status[i] = Status::Retired,
                    AfterUse::Cooling(until) => {
                        file.status[i] = Status::Cooling;
                        file.cool_until[i] = until;
                        file.cooling.push_back((until, r.index));
                    }
                    AfterUse::Free => file.put(r.index),
                }
                Applied::Done
            }
        }
    }

    /// Recomputes the dedup set: every number not removed with its file.
    /// Called after a restart has applied snapshot, journal and deletions.
    pub(crate) fn rebuild_known(&mut self) {
        self.known.clear();
        for file in self.files.iter().flatten() {
            for (status, number) in file.status.iter().zip(&file.numbers) {
                if *status != Status::Removed {
                    self.known.insert(*number);
                }
            }
        }
    }

    /// Keeps a number out of the free pool after a repair: cooling until
    /// `until`, or retired for good (`None`). A hold on it ends; a deleted
    /// file's number leaves.
    pub(crate) fn quarantine(&mut self, file: u32, index: u32, until: Option<u32>) {
        let by_use = &mut self.by_use;
        self.holds.retain(|_, h| {
            let keep = !(h.file == file && h.index == index);
            if !keep {
                by_use.remove(&h.id);
            }
            keep
        });
        let Some(f) = self.file_mut(file) else { return };
        let i = index as usize;
        if i >= f.numbers.len() || matches!(f.status[i], Status::Removed | Status::Retired) {
            return;
        }
        f.take(index);
        if f.deleted {
            f.status[i] = Status::Removed;
            let number = f.numbers[i];
            self.known.remove(&number);
            return;
        }
        match until {
            None => f.status[i] = Status::Retired,
            Some(until) => {
                let until = if f.status[i] == Status::Cooling {
                    until.max(f.cool_until[i])
                } else {
                    until
                };
                f.status[i] = Status::Cooling;
                f.cool_until[i] = until;
                f.cooling.push_back((until, index));
            }
        }
    }

    /// Restores a hold read from a snapshot.
    pub(crate) fn restore_hold(&mut self, hold: Hold) {
        self.by_use.insert(hold.id, hold.user);
        self.holds.insert(hold.user, hold);
        self.leases
            .push(Reverse((hold.until, hold.file, hold.index, hold.user)));
    }

    /// Restores a file's usage counters read from a snapshot.
    pub(crate) fn restore_file_usage(
        &mut self,
        file: u32,
        usage_count: u64,
        last_assigned: Option<u32>,
    ) {
        if let Some(f) = self.file_mut(file) {
            f.usage_count = usage_count;
            f.last_assigned = last_assigned;
        }
    }

    /// Restores a number's state read from a snapshot.
    pub(crate) fn restore_number(
        &mut self,
        file: u32,
        index: u32,
        status: Status,
        cooling_until: u32,
        (uses, last_used, last_user): (u32, u32, i64),
    ) {
        let Some(f) = self.file_mut(file) else { return };
        let i = index as usize;
        if i >= f.numbers.len() {
            return;
        }
        if status != Status::Available {
            f.take(index);
        }
        f.status[i] = status;
        f.uses[i] = uses;
        f.last_used[i] = last_used;
        f.last_user[i] = last_user;
        if status == Status::Cooling {
            f.cool_until[i] = cooling_until;
            f.cooling.push_back((cooling_until, index));
        }
    }

    /// Puts restored cooldown queues back in time order.
    pub(crate) fn sort_queues(&mut self) {
        for file in self.files.iter_mut().flatten() {
            file.cooling.make_contiguous().sort_unstable();
        }
    }
}
