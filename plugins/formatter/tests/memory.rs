//! One formatter instance fed a long varied stream stays within a memory
//! bound: every region's numbers (non-geographic codes included), in batches
//! of 500 read in a rotating default country, as uploads of many countries
//! reach one plugin instance.
//!
//! `cargo test --release -p numbot-formatter --test memory -- --nocapture`

use std::{
    alloc::{GlobalAlloc, Layout, System},
    sync::atomic::{AtomicUsize, Ordering},
};

use numbot_formatter::{plans::Plans, Libphonenumber};
use numbot_plugin_sdk::Formatter;
use phonenumber::metadata::DATABASE;

/// Counts the bytes allocated and not yet freed, and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1 << 20;

/// Numbers fed to the instance.
const NUMBERS: usize = 200_000;

/// Inputs per `format` call.
const BATCH: usize = 500;

/// The bound on the bytes the instance holds on top of the metadata. It
/// keeps one compiled plan per calling code (254), each regex's lazy DFA
/// capped: about 32 MiB natively once this stream has used them all (less
/// on wasm32, with 4-byte pointers). Twice that, and a quarter of the
/// plugin's 256 MiB; the code before the cap held 336 MiB on this stream.
const BOUND: usize = 64 * MIB;

/// What the second half of the stream may add: nothing is left to compile.
const SECOND_HALF: usize = MIB;

/// An example number of every type of every region: (region, code, national number).
fn examples() -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    for code in 1..1000u16 {
        for meta in DATABASE.by_code(&code).unwrap_or_default() {
            let d = meta.descriptors();
            for desc in [
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ]
            .into_iter()
            .flatten()
            {
                if let Some(example) = desc.example() {
                    out.push((meta.id().to_string(), code, example.to_string()));
                }
            }
        }
    }
    out
}

/// The `i`th input of a batch read in `default`: numbers of every region in
/// several shapes, their last digits varied.
fn input(examples: &[(String, u16, String)], default: &str, i: usize) -> String {
    let (region, code, national) = &examples[(i * 7919) % examples.len()];
    let keep = national.len().saturating_sub(3);
    let national = format!("{}{:03}", &national[..keep], i % 1000);
    match i % 5 {
        0 => format!("+{code} {national}"),
        1 => format!("00{code}{national}"),
        2 => format!("{code}{national}"),
        3 if region == default => format!("0{national}"),
        3 => format!("+{code}-{national}"),
        _ => format!("({code}) {national}"),
    }
}

#[test]
fn memory_stays_bounded_over_a_long_varied_stream() {
    let examples = examples();
    let defaults: Vec<&str> = examples
        .iter()
        .map(|(region, _, _)| region.as_str())
        .filter(|r| *r != "001")
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // The metadata is loaded once per process, not per instance: load it first.
    assert!(Plans::has_code(44));
    let mut formatter = Libphonenumber::default();
    formatter.configure(&Vec::new()).unwrap();
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);

    let (mut valid, mut fed) = (0, 0);
    let mut halfway = 0;
    for (b, batch_start) in (0..NUMBERS).step_by(BATCH).enumerate() {
        let default = defaults[(b * 7) % defaults.len()];
        let batch: Vec<String> = (batch_start..batch_start + BATCH)
            .map(|i| input(&examples, default, i))
            .collect();
        fed += batch.len();
        valid += formatter
            .format(batch, Some(default.to_string()))
            .iter()
            .filter(|r| r.is_ok())
            .count();
        if fed == NUMBERS / 2 {
            halfway = LIVE.load(Ordering::Relaxed);
        }
    }
    let end = LIVE.load(Ordering::Relaxed);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    println!(
        "{fed} numbers ({valid} valid), {} default countries: held {:.1} MiB halfway, \
         {:.1} MiB at the end, peak {:.1} MiB over the metadata",
        defaults.len(),
        (halfway - base) as f64 / MIB as f64,
        (end - base) as f64 / MIB as f64,
        peak as f64 / MIB as f64,
    );
    assert!(
        valid > fed / 10,
        "only {valid} of {fed} valid: the stream is not exercising validation"
    );
    assert!(
        end.saturating_sub(halfway) < SECOND_HALF,
        "the second half of the stream added {} bytes",
        end - halfway
    );
    assert!(
        peak < BOUND,
        "peak {:.1} MiB over the metadata, bound {} MiB",
        peak as f64 / MIB as f64,
        BOUND / MIB
    );
}
