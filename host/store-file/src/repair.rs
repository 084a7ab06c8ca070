//! `numbot repair`: salvaging a journal with damaged records in its middle.
//!
//! Every valid record is kept; damaged bytes are dropped. A dropped record
//! may have been a claim, or the end of a use. When the damaged bytes
//! still read as records (a flipped bit in a field that is not the number),
//! the numbers they name are the ones whose state is unknown; otherwise any
//! free number may be in someone's hands. Those "possibly used" numbers are
//! kept out of the free pool until any lease a dropped claim began has
//! ended (the lease horizon), then come back — or, when the operator says
//! so, are treated as used under the reuse rule (cooling, or retired under
//! `once`). Repair ends holds that a dropped record may have ended, and
//! writes the result as a snapshot with a fresh journal. The damaged
//! journals are kept beside it (`.damaged`) for inspection.

use std::{
    collections::{HashMap, HashSet},
    fs,
    path::{Path, PathBuf},
};

use numbot_core::{
    reuse::{AfterUse, End},
    NumberState as Status, ReuseRule, StoreConfig, StoreError,
};

use crate::{
    journal::{self, Record, Scan, RECORD_SIZE},
    metadata,
    open::{finish, journal_path, load_base, take_lock, Base},
    pool::{Applied, Pool},
    private, snapshot,
    users::{repair_records, DroppedLine},
    FileStore,
};

/// What to do with the numbers a dropped record may have used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PossiblyUsed {
    /// Back in the pool once the lease horizon passed (the default: a
    /// flipped bit does not cost numbers).
    #[default]
    Keep,
    /// Treated as used at the lease horizon: cooling under `cooldown`,
    /// retired under `once`.
    Retire,
}

/// What `numbot repair` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Each journal read, in order.
    pub journals: Vec<JournalReport>,
    /// Numbers kept out of the free pool, since their state cannot be known.
    pub quarantined: Vec<Quarantined>,
    /// Users whose hold was ended, since a dropped record may have ended it.
    pub holds_ended: Vec<i64>,
    /// Whether the damaged bytes still read as records, so that only the
    /// numbers they name are possibly used (else every free number is).
    pub identified: bool,
    /// Damaged lines dropped from the records files.
    pub dropped_lines: Vec<DroppedLine>,
}

/// One journal file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalReport {
    /// The file.
    pub path: PathBuf,
    /// Valid records kept.
    pub kept: u64,
    /// Damaged regions dropped: byte offset and length (32 bytes a record).
    pub dropped: Vec<(u64, u64)>,
    /// Bytes after the last valid record (a torn tail), dropped.
    pub torn_tail: u64,
    /// Where the original was kept, when it was damaged.
    pub backup: Option<PathBuf>,
}

/// A number repair keeps out of the free pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The number, `+` and digits.
    pub number: String,
    /// Its file's stored name.
    pub file: String,
    /// Available again from this time (Unix seconds); `None`: retired.
    pub until: Option<u32>,
}

impl RepairReport {
    /// Whether any journal had damage that valid records follow.
    pub fn damaged(&self) -> bool {
        self.journals.iter().any(|j| !j.dropped.is_empty())
    }

    /// Whether anything was repaired: a journal or a records file.
    pub fn repaired(&self) -> bool {
        self.damaged() || !self.dropped_lines.is_empty()
    }
}

impl FileStore {
    /// Salvages the journals of a data directory that `open` refused with
    /// [`StoreError::JournalDamaged`] (see the module's documentation). Takes
    /// the directory's lock: numbot must not be running. Does nothing but
    /// report when no journal is damaged.
    pub fn repair(
        config: &StoreConfig,
        possibly_used: PossiblyUsed,
    ) -> Result<RepairReport, StoreError> {
        let dir = &config.data_dir;
        let _lock = take_lock(dir)?;
        let dropped_lines = repair_records(dir).map_err(|e| StoreError::Corrupt {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let Base {
            mut pool,
            meta,
            generation: first,
            ..
        } = load_base(config)?;
        let mut replay = Replay::new(config.lease_secs, config.reuse, possibly_used);
        let mut report = RepairReport {
            dropped_lines,
            ..RepairReport::default()
        };
        let mut generation = first;
        loop {
            let path = journal_path(dir, generation);
            let (scan, len) = Scan::read(&path)?;
            let tail = len - scan.valid_len;
            let mut journal = JournalReport {
                path: path.clone(),
                kept: scan.records.len() as u64,
                dropped: scan.damaged.clone(),
                torn_tail: tail,
                backup: None,
            };
            replay.journal(&mut pool, &scan, generation);
            replay.identify(&pool, &path, &scan)?;
            if tail > journal::MAX_TORN {
                // Longer than any write a crash can tear: damage, whose
                // records may reach up to now.
                journal.dropped.push((scan.valid_len, tail));
                journal.torn_tail = 0;
                replay.damaged_tail(config.clock.now());
            }
            report.journals.push(journal);
            if !journal_path(dir, generation + 1).exists() {
                break;
            }
            generation += 1;
        }
        finish(&mut pool, &meta);
        if !report.damaged() {
            return Ok(report);
        }
        let until = replay.worst_case();
        let trusted: HashSet<(u32, u32)> = pool
            .holds
            .values()
            .filter(|h| replay.trusted.get(&h.user) == Some(&h.since))
            .map(|h| (h.file, h.index))
            .collect();
        report.identified = replay.named.is_some();
        for (file_id, file) in pool.files.iter().enumerate() {
            let Some(file) = file else { continue };
            let file_id = file_id as u32;
            for index in 0..file.numbers.len() as u32 {
                let touched = replay
                    .named
                    .as_ref()
                    .is_none_or(|named| named.contains(&(file_id, index)));
                let suspect = touched
                    && match file.status[index as usize] {
                        Status::Available | Status::Cooling => true,
                        Status::Assigned => !trusted.contains(&(file_id, index)),
                        Status::Retired | Status::Removed => false,
                    };
                let later = replay.later.get(&(file_id, index)).copied();
                if suspect || later.is_some() {
                    replay
                        .quarantine
                        .push((file_id, index, worst(until, later)));
                }
            }
        }
        // A hold on a number in doubt ends with the quarantine.
        let doubted: HashSet<(u32, u32)> = replay
            .quarantine
            .iter()
            .map(|&(file, index, _)| (file, index))
            .collect();
        for (user, hold) in &pool.holds {
            if doubted.contains(&(hold.file, hold.index)) {
                report.holds_ended.push(*user);
            }
        }
        report.holds_ended.sort_unstable();
        for &(file, index, until) in &replay.quarantine {
            pool.quarantine(file, index, until);
            let name = meta.name_of(file).unwrap_or_default().to_string();
            let number = pool
                .file(file)
                .map(|f| format!("+{}", f.numbers[index as usize]))
                .unwrap_or_default();
            report.quarantined.push(Quarantined {
                number,
                file: name,
                until,
            });
        }
        pool.sort_queues();
        write(dir, &pool, first, generation, &mut report)?;
        Ok(report)
    }
}

/// The later of two quarantine ends (`None`: retired, the latest of all).
fn worst(a: Option<u32>, b: Option<Option<u32>>) -> Option<u32> {
    match (a, b) {
        (None, _) | (_, Some(None)) => None,
        (Some(a), Some(Some(b))) => Some(a.max(b)),
        (Some(a), None) => Some(a),
    }
}

/// The salvaged records replayed, and what the damage leaves unknown.
struct Replay {
    /// The longest lease seen (or configured).
    lease: u32,
    /// The latest time up to the first valid record after the last damage.
    horizon: u32,
    /// Whether damage was passed and no record after it seen yet.
    after_damage: bool,
    /// Whether any damage was passed.
    damaged: bool,
    /// The latest time seen so far.
    latest: u32,
    /// Users whose claim (by its time) was replayed after the last damage.
    trusted: HashMap<i64, u32>,
    /// Numbers named by a record that no longer fit after damage: the end
    /// of their worst case (`Some(None)`: retired).
    later: HashMap<(u32, u32), Option<u32>>,
    /// What to keep out of the free pool, and until when.
    quarantine: Vec<(u32, u32, Option<u32>)>,
    /// When used numbers come back.
    rule: ReuseRule,
    /// What becomes of numbers possibly used.
    possibly_used: PossiblyUsed,
    /// The numbers the damaged bytes name, when they still read as records;
    /// `None` once some damage does not.
    named: Option<HashSet<(u32, u32)>>,
}

impl Replay {
    fn new(lease: u32, rule: ReuseRule, possibly_used: PossiblyUsed) -> Replay {
        Replay {
            lease,
            horizon: 0,
            after_damage: false,
            damaged: false,
            latest: 0,
            trusted: HashMap::new(),
            later: HashMap::new(),
            quarantine: Vec::new(),
            rule,
            possibly_used,
            named: Some(HashSet::new()),
        }
    }

    /// Damage at a journal's end: its records, if any, may reach up to `now`,
    /// and what they were cannot be told.
    fn damaged_tail(&mut self, now: u32) {
        self.damaged = true;
        self.horizon = self.horizon.max(now);
        self.trusted.clear();
        self.named = None;
    }

    /// Reads what the damaged bytes of a journal most likely were: whole
    /// records of the right shape, naming numbers of files that exist.
    /// Damage that does not read so (bytes lost or added, garbage) leaves
    /// every free number in doubt.
    fn identify(&mut self, pool: &Pool, path: &Path, scan: &Scan) -> Result<(), StoreError> {
        if scan.damaged.is_empty() {
            return Ok(());
        }
        let bytes = fs::read(path).map_err(StoreError::io(path))?;
        for &(offset, len) in &scan.damaged {
            let region = &bytes[offset as usize..(offset + len) as usize];
            let records: Option<Vec<Record>> = if region.len() % RECORD_SIZE == 0 {
                region
                    .chunks_exact(RECORD_SIZE)
                    .map(Record::decode_unchecked)
                    .collect()
            } else {
                None
            };
            let exists = |r: &Record| {
                pool.file(r.file)
                    .is_some_and(|f| (r.index as usize) < f.numbers.len())
            };
            match (records, &mut self.named) {
                (Some(records), Some(named)) if records.iter().all(exists) => {
                    named.extend(records.iter().map(|r| (r.file, r.index)));
                }
                _ => self.named = None,
            }
        }
        Ok(())
    }

    /// Replays one journal's valid records, noting where damage lies.
    fn journal(&mut self, pool: &mut Pool, scan: &Scan, generation: u64) {
        let mut damage = scan.damaged.iter().peekable();
        for (offset, r) in &scan.records {
            if damage.next_if(|(d, _)| d < offset).is_some() {
                while damage.next_if(|(d, _)| d < offset).is_some() {}
                self.damaged = true;
                self.after_damage = true;
                self.trusted.clear();
            }
            self.latest = self.latest.max(r.at);
            if self.after_damage {
                self.horizon = self.horizon.max(self.latest);
                self.after_damage = false;
            }
            if r.op == journal::Op::Claim {
                self.lease = self.lease.max(r.until.saturating_sub(r.at));
            }
            match pool.apply(r, journal::use_id(generation, *offset)) {
                Applied::Done if r.op == journal::Op::Claim && self.damaged => {
                    self.trusted.insert(r.user, r.at);
                }
                Applied::Done => {}
                Applied::Ignored(why) if self.damaged => {
                    tracing::debug!(?r, why, "record does not fit after damage");
                    let end = self.after_use(r.until.max(r.at));
                    let slot = self.later.entry((r.file, r.index)).or_insert(end);
                    *slot = worst(*slot, Some(end));
                    if r.op == journal::Op::Claim {
                        // The user's earlier hold ended in a dropped record.
                        self.trusted.remove(&r.user);
                    }
                }
                Applied::Ignored(_) => {}
            }
        }
    }

    /// When a use that may have gone on until `end` stops mattering: at
    /// its end; or, when possibly used numbers count as used, as the reuse
    /// rule says (`None`: retired).
    fn after_use(&self, end: u32) -> Option<u32> {
        if self.possibly_used == PossiblyUsed::Keep {
            return Some(end);
        }
        match self.rule.after(End::Complete, end) {
            AfterUse::Retired => None,
            AfterUse::Cooling(until) => Some(until),
            AfterUse::Free => Some(end),
        }
    }

    /// The end of the worst case for a number a dropped record named: a
    /// claim just before the first record after the damage, with the
    /// longest lease.
    fn worst_case(&self) -> Option<u32> {
        self.after_use(self.horizon.saturating_add(self.lease))
    }
}

/// Writes the repaired state: the damaged journals copied aside, a snapshot
/// that covers everything, a fresh journal, the old journals removed.
fn write(
    dir: &Path,
    pool: &Pool,
    first: u64,
    last: u64,
    report: &mut RepairReport,
) -> Result<(), StoreError> {
    for journal in report.journals.iter_mut().filter(|j| !j.dropped.is_empty()) {
        let backup = journal.path.with_extension(format!(
            "{}.damaged",
            journal
                .path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default()
        ));
        let bytes = fs::read(&journal.path).map_err(StoreError::io(&journal.path))?;
        metadata::write_atomic(&backup, &bytes)?;
        journal.backup = Some(backup);
    }
    let next = last + 1;
    let fresh = journal_path(dir, next);
    private::options()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&fresh)
        .and_then(|f| f.sync_all())
        .map_err(StoreError::io(&fresh))?;
    metadata::write_atomic(&dir.join("snapshot.bin"), &snapshot::encode(pool, next))?;
    for generation in first..=last {
        let path = journal_path(dir, generation);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&path)(e)),
        }
    }
    journal::sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_case_follows_the_reuse_rule_when_asked() {
        for (rule, until) in [
            (ReuseRule::Unlimited, Some(1_600)),
            (ReuseRule::Cooldown(100), Some(1_700)),
            (ReuseRule::Once, None),
        ] {
            let mut replay = Replay::new(600, rule, PossiblyUsed::Retire);
            replay.horizon = 1_000;
            assert_eq!(replay.worst_case(), until, "{rule:?}");
            let mut kept = Replay::new(600, rule, PossiblyUsed::Keep);
            kept.horizon = 1_000;
            assert_eq!(
                kept.worst_case(),
                Some(1_600),
                "{rule:?}: the lease horizon"
            );
        }
        assert_eq!(worst(Some(5), Some(Some(9))), Some(9));
        assert_eq!(worst(Some(5), Some(None)), None);
        assert_eq!(worst(Some(5), None), Some(5));
    }
}
