//! `history.find`: what a search of the history and the overview's trend
//! need of each history line, in a fixed-size entry, so that neither reads
//! `history.jsonl` through. In memory: one small record per ended use
//! (holder, number, a hash of the category, start and end, where its line
//! and its codes are) and the day counts; a search scans the records
//! newest first and reads only the lines of the uses it shows.
//!
//! Entries are written without waiting, like the holders' index: a crash
//! can leave the file behind the history, and opening catches it up.

use std::collections::{BTreeMap, HashMap};

use numbot_core::{history::DAY, DayCounts, HistoryQuery, HistorySearch};

use crate::history::Line;

/// The file, in the data directory.
pub(crate) const FIND_FILE: &str = "history.find";

/// Bytes per entry.
pub(crate) const ENTRY: usize = 40;

const USE: u8 = 1;
const CODE: u8 = 2;

/// What the index keeps of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Where the line starts in `history.jsonl`.
    pub(crate) offset: u64,
    holder: i64,
    /// The number's digits (0: not a number numbot wrote).
    number: u64,
    /// [`category_hash`] of a use's category (0 for a code).
    category: u32,
    start: u32,
    /// A use's end, a code's arrival.
    time: u32,
    kind: u8,
}

/// The digits of an E.164 number as one integer (0 when it is not one).
fn digits(number: &str) -> u64 {
    number
        .strip_prefix('+')
        .filter(|d| (1..=19).contains(&d.len()))
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

/// A category's hash in the index (a search compares the names after).
pub(crate) fn category_hash(name: &str) -> u32 {
    crc32fast::hash(name.as_bytes())
}

impl Entry {
    /// The entry of `line`, which starts at `offset`.
    pub(crate) fn of(line: &Line, offset: u64) -> Entry {
        match line {
            Line::Use(u) => Entry {
                offset,
                holder: u.holder,
                number: digits(&u.number),
                category: category_hash(&u.category),
                start: u.start,
                time: u.end,
                kind: USE,
            },
            Line::Code(c) => Entry {
                offset,
                holder: c.holder,
                number: digits(&c.number),
                category: 0,
                start: c.start,
                time: u32::try_from(c.seen.at.max(0)).unwrap_or(u32::MAX),
                kind: CODE,
            },
        }
    }

    /// The entry of a line read back lightly (opening a store whose index
    /// is behind its history).
    pub(crate) fn of_head(head: &Head<'_>, offset: u64) -> Entry {
        match head {
            Head::Use {
                holder,
                number,
                category,
                start,
                end,
            } => Entry {
                offset,
                holder: *holder,
                number: digits(number),
                category: category_hash(category),
                start: *start,
                time: *end,
                kind: USE,
            },
            Head::Code {
                holder,
                number,
                start,
                at,
            } => Entry {
                offset,
                holder: *holder,
                number: digits(number),
                category: 0,
                start: *start,
                time: u32::try_from((*at).max(0)).unwrap_or(u32::MAX),
                kind: CODE,
            },
        }
    }

    pub(crate) fn bytes(&self) -> [u8; ENTRY] {
        let mut out = [0; ENTRY];
        out[..8].copy_from_slice(&self.offset.to_le_bytes());
        out[8..16].copy_from_slice(&self.holder.to_le_bytes());
        out[16..24].copy_from_slice(&self.number.to_le_bytes());
        out[24..28].copy_from_slice(&self.category.to_le_bytes());
        out[28..32].copy_from_slice(&self.start.to_le_bytes());
        out[32..36].copy_from_slice(&self.time.to_le_bytes());
        out[36] = self.kind;
        out
    }

    /// The entry in `b` (`ENTRY` bytes), if it is one.
    pub(crate) fn read(b: &[u8]) -> Option<Entry> {
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        let kind = b[36];
        (kind == USE || kind == CODE).then(|| Entry {
            offset: u64_at(0),
            holder: u64_at(8) as i64,
            number: u64_at(16),
            category: u32_at(24),
            start: u32_at(28),
            time: u32_at(32),
            kind,
        })
    }
}

/// A history line with just what the index keeps.
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Head<'a> {
    Use {
        holder: i64,
        #[serde(borrow)]
        number: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        category: std::borrow::Cow<'a, str>,
        start: u32,
        end: u32,
    },
    Code {
        holder: i64,
        #[serde(borrow)]
        number: std::borrow::Cow<'a, str>,
        start: u32,
        at: i64,
    },
}

impl Head<'_> {
    pub(crate) fn holder(&self) -> i64 {
        match self {
            Head::Use { holder, .. } | Head::Code { holder, .. } => *holder,
        }
    }
}

/// An ended use as a search scans it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ended {
    /// Its line.
    pub(crate) offset: u64,
    holder: i64,
    number: u64,
    category: u32,
    /// How far before its line its first code's line starts (0: none;
    /// `u32::MAX`: farther).
    codes_back: u32,
    end: u32,
}

impl Ended {
    /// Where its codes' lines may start: `None` when it had none.
    pub(crate) fn codes_from(&self) -> Option<u64> {
        match self.codes_back {
            0 => None,
            u32::MAX => Some(0),
            back => Some(self.offset - u64::from(back)),
        }
    }
}

/// The index in memory.
#[derive(Default)]
pub(crate) struct Finder {
    /// Ended uses in the order of their lines.
    uses: Vec<Ended>,
    /// Uses not ended yet that had codes, by number and start: where the
    /// first code's line is and when each code came.
    open: HashMap<(u64, u32), (u64, Vec<u32>)>,
    /// By UTC day (Unix seconds / 86,400).
    days: BTreeMap<i64, DayCounts>,
}

/// Uses that may end out of the order of their lines by this much (a
/// line queued a moment after another's clock read): a search for uses
/// that ended since a time scans back this much further.
const END_SKEW: u32 = 60;

impl Finder {
    /// Takes in the next line's entry.
    pub(crate) fn note(&mut self, e: Entry) {
        let day = |t: u32| i64::from(t).div_euclid(DAY);
        match e.kind {
            CODE => {
                let (_, ats) = self
                    .open
                    .entry((e.number, e.start))
                    .or_insert((e.offset, Vec::new()));
                // A message tried again is kept once.
                if !ats.contains(&e.time) {
                    ats.push(e.time);
                }
            }
            _ => {
                let codes = self.open.remove(&(e.number, e.start));
                self.days.entry(day(e.start)).or_default().began += 1;
                let codes_back = match &codes {
                    None => 0,
                    Some((first, ats)) => {
                        for &at in ats {
                            self.days.entry(day(at)).or_default().codes += 1;
                        }
                        u32::try_from(e.offset.saturating_sub(*first))
                            .unwrap_or(u32::MAX)
                            .max(1)
                    }
                };
                self.uses.push(Ended {
                    offset: e.offset,
                    holder: e.holder,
                    number: e.number,
                    category: e.category,
                    codes_back,
                    end: e.time,
                });
            }
        }
    }

    /// The day counts of the `days` days from `first` (a UTC midnight).
    pub(crate) fn days(&self, first: i64, days: usize) -> Vec<DayCounts> {
        let first_day = first.div_euclid(DAY);
        (0..days as i64)
            .map(|i| self.days.get(&(first_day + i)).copied().unwrap_or_default())
            .collect()
    }

    /// Scans at most `budget` records below the `upto`th (newest first),
    /// pushing those `filter` may match onto `out` until it holds `want`:
    /// the position to go on from, 0 when nothing older can match. The
    /// caller checks each line (a category's hash is not its name) and
    /// scans in slices, so that appends wait for no whole scan.
    pub(crate) fn scan(
        &self,
        filter: &Filter,
        upto: usize,
        budget: usize,
        want: usize,
        out: &mut Vec<Ended>,
    ) -> usize {
        let upto = upto.min(self.uses.len());
        let mut i = upto;
        while i > 0 && upto - i < budget && out.len() < want {
            i -= 1;
            let u = &self.uses[i];
            if filter.floor.is_some_and(|f| u.end < f) {
                return 0;
            }
            if filter.matches(u) {
                out.push(*u);
            }
        }
        i
    }
}

/// A search as the index compares it.
pub(crate) struct Filter {
    query: HistoryQuery,
    category: Option<u32>,
    number: Option<Digits>,
    /// Uses that ended before this cannot match, nor any before them.
    floor: Option<u32>,
}

impl Filter {
    pub(crate) fn new(search: &HistorySearch) -> Filter {
        Filter {
            query: search.query,
            category: search.category.as_deref().map(category_hash),
            number: search.number.as_deref().map(Digits::new),
            floor: search.query.from.map(|f| f.saturating_sub(END_SKEW)),
        }
    }

    fn matches(&self, u: &Ended) -> bool {
        let q = &self.query;
        q.from.is_none_or(|f| u.end >= f)
            && q.to.is_none_or(|t| u.end < t)
            && q.holder.is_none_or(|h| u.holder == h)
            && self.category.is_none_or(|c| u.category == c)
            && self.number.as_ref().is_none_or(|d| d.in_(u.number))
    }
}

/// Digits a number must contain.
struct Digits {
    whole: Option<u64>,
    /// The smallest number with as many digits (`None`: more than any).
    low: Option<u64>,
    /// The smallest number with more digits (`None`: more than any).
    high: Option<u64>,
    part: memchr::memmem::Finder<'static>,
}

impl Digits {
    fn new(digits: &str) -> Digits {
        let k = u32::try_from(digits.len()).unwrap_or(u32::MAX);
        Digits {
            whole: digits.parse().ok(),
            low: 10u64.checked_pow(k.saturating_sub(1)),
            high: 10u64.checked_pow(k),
            part: memchr::memmem::Finder::new(digits.as_bytes()).into_owned(),
        }
    }

    /// Whether `number` (digits as the index keeps them) may contain them.
    fn in_(&self, number: u64) -> bool {
        match (self.low, self.high) {
            // A number the index could not read is checked on its line.
            _ if number == 0 => true,
            (None, _) => false,
            (Some(low), _) if number < low => false,
            // As many digits: only the number itself.
            (_, Some(high)) if number < high => Some(number) == self.whole,
            _ => {
                let mut buf = itoa::Buffer::new();
                self.part.find(buf.format(number).as_bytes()).is_some()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use numbot_core::{CodeRecord, CodeSeen, UseId, UseRecord};

    use super::*;

    fn ended(number: &str, category: &str, holder: i64, start: u32, end: u32) -> Line {
        Line::Use(UseRecord {
            id: UseId(u64::from(end)),
            number: number.into(),
            holder,
            category: category.into(),
            file: "a.csv".into(),
            start,
            end,
            ended: numbot_core::Ended::Completed,
            codes: vec![],
        })
    }

    fn code(number: &str, start: u32, at: i64) -> Line {
        Line::Code(CodeRecord {
            use_id: UseId(0),
            number: number.into(),
            holder: 1,
            start,
            seen: CodeSeen { at, code: None },
        })
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        for line in [
            ended("+971501234567", "UAE", -42, 10, 20),
            code("+971501234567", 10, 15),
        ] {
            let e = Entry::of(&line, 12_345);
            assert_eq!(Entry::read(&e.bytes()), Some(e));
            let json = line.bytes();
            let head: Head = serde_json::from_slice(&json[..json.len() - 1]).unwrap();
            assert_eq!(Entry::of_head(&head, 12_345), e);
        }
        assert_eq!(Entry::read(&[0; ENTRY]), None, "zeros are no entry");
    }

    #[test]
    fn candidates_come_newest_first_through_every_filter() {
        let mut f = Finder::default();
        let lines = [
            ended("+971501111111", "UAE", 1, 100, 200),
            code("+971502222222", 150, 160),
            code("+971502222222", 150, 160),
            ended("+971502222222", "UAE", 2, 150, 300),
            ended("+447700900123", "UK", 1, 250, 400),
        ];
        let mut offset = 0;
        for line in &lines {
            f.note(Entry::of(line, offset));
            offset += line.bytes().len() as u64;
        }
        let scan = |search: &HistorySearch| {
            let mut out = Vec::new();
            // A slice of two at a time, as a search goes on between appends.
            let mut upto = usize::MAX;
            loop {
                upto = f.scan(&Filter::new(search), upto, 2, 10, &mut out);
                if upto == 0 {
                    return out;
                }
            }
        };
        let found =
            |search: HistorySearch| -> Vec<u32> { scan(&search).iter().map(|u| u.end).collect() };
        let all = HistorySearch {
            limit: 10,
            ..HistorySearch::default()
        };
        assert_eq!(found(all.clone()), [400, 300, 200]);
        let by_digits = HistorySearch {
            number: Some("2222".into()),
            ..all.clone()
        };
        assert_eq!(found(by_digits), [300]);
        let whole = HistorySearch {
            number: Some("447700900123".into()),
            ..all.clone()
        };
        assert_eq!(found(whole), [400]);
        for (digits, ends) in [
            ("971501111111", vec![200]),
            ("9715011111110", vec![]),
            ("1", vec![400, 300, 200]),
            ("123456789012345678901", vec![]),
        ] {
            let search = HistorySearch {
                number: Some(digits.into()),
                ..all.clone()
            };
            assert_eq!(found(search), ends, "{digits}");
        }
        let uae_of_one = HistorySearch {
            category: Some("UAE".into()),
            query: HistoryQuery {
                holder: Some(1),
                ..HistoryQuery::default()
            },
            ..all.clone()
        };
        assert_eq!(found(uae_of_one), [200]);
        let window = HistorySearch {
            query: HistoryQuery {
                from: Some(250),
                to: Some(400),
                ..HistoryQuery::default()
            },
            ..all.clone()
        };
        assert_eq!(found(window), [300]);
        let with_codes: Vec<bool> = scan(&all)
            .iter()
            .map(|u| u.codes_from().is_some())
            .collect();
        assert_eq!(with_codes, [false, true, false]);
        let days = f.days(0, 1);
        assert_eq!(days[0].began, 3);
        assert_eq!(days[0].codes, 1, "a message tried again counts once");
    }
}
