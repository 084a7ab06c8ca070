//! Plugin platform benchmarks: `cargo bench -p numbot-tests --bench plugins`.
//!
//! Needs the built plugins (`cargo build-plugins`). Figures go to BENCHMARKS.md.
//! `-- memory` runs only the formatter's memory over a long varied stream.

use std::{path::PathBuf, sync::Arc, time::Duration};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use numbot_plugin_host::{
    instance::RETIRE_AT_PERCENT,
    types::{Candidate, Request},
    worlds::FormatterWorld,
    Plugin, PluginHost, PluginHostConfig,
};

fn plugin_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/plugins"));
    assert!(dir.is_dir(), "run `cargo build-plugins` first");
    dir
}

fn host(cache_dir: Option<PathBuf>) -> Arc<PluginHost> {
    host_on(plugin_dir(), cache_dir)
}

fn host_on(dir: PathBuf, cache_dir: Option<PathBuf>) -> Arc<PluginHost> {
    let host = PluginHost::start(PluginHostConfig {
        dirs: vec![dir],
        cache_dir,
        ..Default::default()
    })
    .unwrap();
    assert!(host.load_errors().is_empty(), "{:?}", host.load_errors());
    host
}

fn bench_cache() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-plugin-cache"
    ))
}

fn policy(c: &mut Criterion) {
    let host = host(Some(bench_cache()));
    let policy = host.policy().unwrap();
    let candidates: Vec<Candidate> = (0..100u64)
        .map(|i| Candidate {
            id: i,
            name: format!("UAE_Mobile_20261124_{i:06}.csv"),
            total: 10_000,
            available: 1 + i * 37 % 5_000,
            used: i * 13,
            created_at: 1_790_000_000 + i as i64,
            last_used: (i % 3 != 0).then_some(1_790_100_000 + i as i64),
        })
        .collect();
    let mut request = Request {
        category: "UAE Mobile".into(),
        user: 42,
        seed: 0,
        candidates,
    };
    c.bench_function("policy/select 100 candidates", |b| {
        b.iter(|| {
            request.seed = request.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            policy.select(&request).unwrap()
        })
    });
}

/// A 1,000,000-row CSV in the IMS panel export shape.
fn million_row_csv() -> Vec<u8> {
    let mut csv = String::from(
        "\"\",\"Range\",\"Prefix\",\"Number\",\"My Payout\",\"Client\",\"Payout\",\"Limits\"\n",
    );
    for i in 0..1_000_000u64 {
        csv.push_str(&format!(
            "\"{i}\",\"UAE Mobile\",\"97150\",\"9715{:08}\",\"0.01\",\"team\",\"0.01\",\"10\"\n",
            i
        ));
    }
    csv.into_bytes()
}

fn validator(c: &mut Criterion) {
    let host = host(Some(bench_cache()));
    let validator = host.validator().unwrap();
    let csv = million_row_csv();
    let mut group = c.benchmark_group("validator");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("1,000,000-row CSV", |b| {
        b.iter(|| {
            let v = validator.validate("big.csv", &csv).unwrap();
            assert_eq!(v.numbers.len(), 1_000_000);
            v
        })
    });
    group.finish();
}

fn formatter(c: &mut Criterion) {
    let host = host(Some(bench_cache()));
    let formatter = host.formatter_for("GB").unwrap();
    // Real number plans of eight countries, the last four digits varied.
    let examples = [
        "+447400123456",
        "+4915123456789",
        "+33612345678",
        "+34612345678",
        "+971501234567",
        "+2348021234567",
        "+5511961234567",
        "+918123456789",
    ];
    let batch: Vec<String> = (0..10_000usize)
        .map(|i| {
            let example = examples[i % examples.len()];
            format!(
                "{}{:04}",
                &example[..example.len() - 4],
                (i * 7919) % 10_000
            )
        })
        .collect();
    let valid = formatter
        .format(&batch, None)
        .unwrap()
        .iter()
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(valid, batch.len(), "every number of the batch is valid");
    let mut group = c.benchmark_group("formatter");
    group.sample_size(10);
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("batch of 10,000 (8 countries)", |b| {
        b.iter(|| formatter.format(&batch, None).unwrap())
    });
    group.finish();
}

fn cold_start(c: &mut Criterion) {
    let mut group = c.benchmark_group("cold start, 3 default plugins");
    group.sample_size(10);
    // Warm the cache once, then every start deserializes.
    drop(host(Some(bench_cache())));
    group.bench_function("with compiled cache", |b| {
        b.iter_batched(
            || (),
            |()| host(Some(bench_cache())),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("without cache (compile)", |b| {
        b.iter_batched(|| (), |()| host(None), BatchSize::PerIteration)
    });
    group.finish();
}

/// An example number of every type of every region, from libphonenumber's
/// metadata: (region, calling code, national number).
fn region_examples() -> Vec<(String, u16, String)> {
    use phonenumber::metadata::DATABASE;
    let mut out = Vec::new();
    for code in 1..1000u16 {
        for meta in DATABASE.by_code(&code).unwrap_or_default() {
            let d = meta.descriptors();
            let types = [
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
            ];
            for example in types.into_iter().flatten().filter_map(|t| t.example()) {
                out.push((meta.id().to_string(), code, example.to_string()));
            }
        }
    }
    out
}

/// Numbers of every region in batches of 500, each batch read in the next
/// region as its default country, in five written shapes, the last three
/// digits varied: uploads of many countries reaching one instance.
fn varied_stream(numbers: usize) -> Vec<(String, Vec<String>)> {
    let examples = region_examples();
    let mut regions: Vec<&str> = examples
        .iter()
        .map(|(r, _, _)| r.as_str())
        .filter(|r| *r != "001")
        .collect();
    regions.sort_unstable();
    regions.dedup();
    (0..numbers)
        .step_by(500)
        .enumerate()
        .map(|(b, start)| {
            let default = regions[(b * 7) % regions.len()];
            let batch = (start..start + 500)
                .map(|i| {
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
                })
                .collect();
            (default.to_string(), batch)
        })
        .collect()
}

/// Feeds the stream to one formatter, one batch after another (so one
/// instance serves it unless it is retired); the peak after each batch.
fn feed(formatter: &Plugin<FormatterWorld>, stream: &[(String, Vec<String>)]) -> Vec<usize> {
    stream
        .iter()
        .map(|(country, batch)| {
            formatter.format(batch, Some(country)).unwrap();
            formatter.peak_memory()
        })
        .collect()
}

/// The default formatter on a copy of its manifest with `memory_mib`.
fn formatter_with_limit(dir: &std::path::Path, memory_mib: u64) -> Arc<PluginHost> {
    for ext in ["wasm", "toml"] {
        let from = plugin_dir().join(format!("numbot-formatter.{ext}"));
        let to = dir.join(format!("numbot-formatter.{ext}"));
        let mut bytes = std::fs::read(from).unwrap();
        if ext == "toml" {
            let text = String::from_utf8(bytes).unwrap();
            let at = text.find("memory_mib = ").expect("a memory limit");
            let end = at + text[at..].find('\n').unwrap();
            bytes =
                format!("{}memory_mib = {memory_mib}{}", &text[..at], &text[end..]).into_bytes();
        }
        std::fs::write(to, bytes).unwrap();
    }
    host_on(dir.to_path_buf(), Some(bench_cache()))
}

/// Peak memory per formatter instance over 200,000 numbers of every region
/// (at checkpoints of a first pass, then over every pass criterion times),
/// and the instances retired for passing half their limit: at the
/// manifest's limit, and at a quarter of it, where retirement comes into play.
fn formatter_memory(c: &mut Criterion) {
    const MIB: f64 = (1 << 20) as f64;
    let stream = std::cell::OnceCell::new();
    let stream = || stream.get_or_init(|| varied_stream(200_000));
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("formatter memory");
    group.sample_size(10);
    group.throughput(Throughput::Elements(200_000));
    for limit in [256, 64] {
        // Started on first use: nothing runs when a filter leaves this out.
        let mut first: Option<(Arc<Plugin<FormatterWorld>>, Vec<usize>)> = None;
        let name = format!("200,000 numbers of every region, limit {limit} MiB");
        group.bench_function(name, |b| {
            let (formatter, _) = first.get_or_insert_with(|| {
                let host = formatter_with_limit(dir.path(), limit);
                let formatter = host.formatter_for("GB").unwrap();
                let peaks = feed(&formatter, stream());
                (formatter, peaks)
            });
            b.iter(|| feed(formatter, stream()))
        });
        let Some((formatter, peaks)) = first else {
            continue;
        };
        let at = |numbers: usize| peaks[numbers / 500 - 1] as f64 / MIB;
        eprintln!(
            "formatter, limit {limit} MiB (retired above {} MiB): peak per instance after \
             500 numbers {:.1} MiB, 50,000 {:.1}, 100,000 {:.1}, 200,000 {:.1}; after every \
             pass {:.1} MiB; instances created {}, retired {}, dropped after a failure {}",
            limit * RETIRE_AT_PERCENT as u64 / 100,
            at(500),
            at(50_000),
            at(100_000),
            at(200_000),
            formatter.peak_memory() as f64 / MIB,
            formatter.instances_created(),
            formatter.instances_retired(),
            formatter.instances_discarded(),
        );
        assert_eq!(formatter.instances_discarded(), 0, "no call failed");
    }
    group.finish();
}

criterion_group!(
    benches,
    policy,
    validator,
    formatter,
    cold_start,
    formatter_memory
);
criterion_main!(benches);
