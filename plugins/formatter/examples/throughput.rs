//! Native throughput of the formatter, in the shape of the host's formatter
//! bench (`cargo bench -p numbot --bench plugins -- formatter`): batches of
//! 10,000 international numbers of eight countries, the last four digits
//! varied. A second batch writes the same numbers nationally, read in their
//! default country. Machines vary a lot from day to day: compare two builds
//! in the same session, not against a figure from another day. Time is the
//! thread's CPU time, so that other work on a shared machine counts less.
//!
//! `cargo run --release -p numbot-formatter --example throughput`

use std::time::Duration;

use numbot_formatter::Libphonenumber;
use numbot_plugin_sdk::Formatter;

const EXAMPLES: [(&str, &str, &str); 8] = [
    ("+447400123456", "GB", "07400123456"),
    ("+4915123456789", "DE", "015123456789"),
    ("+33612345678", "FR", "0612345678"),
    ("+34612345678", "ES", "612345678"),
    ("+971501234567", "AE", "0501234567"),
    ("+2348021234567", "NG", "08021234567"),
    ("+5511961234567", "BR", "011961234567"),
    ("+918123456789", "IN", "08123456789"),
];

fn vary(example: &str, i: usize) -> String {
    format!(
        "{}{:04}",
        &example[..example.len() - 4],
        (i * 7919) % 10_000
    )
}

/// CPU time this thread has used.
fn thread_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Numbers per second over `rounds` timed calls, the best round kept.
fn best_rate(formatter: &mut Libphonenumber, batch: &[String], country: Option<&str>) -> f64 {
    let rounds = 20;
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let start = thread_time();
        let results = formatter.format(batch.to_vec(), country.map(str::to_string));
        best = best.min(thread_time() - start);
        assert!(results.iter().all(Result::is_ok), "every number is valid");
    }
    batch.len() as f64 / best.as_secs_f64()
}

fn main() {
    let mut formatter = Libphonenumber::default();
    formatter.configure(&Vec::new()).unwrap();
    let international: Vec<String> = (0..10_000)
        .map(|i| vary(EXAMPLES[i % EXAMPLES.len()].0, i))
        .collect();
    let rate = best_rate(&mut formatter, &international, None);
    println!("international, 8 countries: {:.0} k numbers/s", rate / 1e3);
    for (_, country, national) in EXAMPLES {
        let batch: Vec<String> = (0..10_000 / EXAMPLES.len())
            .map(|i| vary(national, i))
            .collect();
        let rate = best_rate(&mut formatter, &batch, Some(country));
        println!("national, {country}: {:.0} k numbers/s", rate / 1e3);
    }
}
