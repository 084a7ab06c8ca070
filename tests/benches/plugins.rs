//! Plugin platform benchmarks: `cargo bench -p numbot-tests --bench plugins`.
//!
//! Needs the built plugins (`cargo build-plugins`). Figures go to BENCHMARKS.md.

use std::{path::PathBuf, sync::Arc, time::Duration};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use numbot_plugin_host::{
    types::{Candidate, Request},
    PluginHost, PluginHostConfig,
};

fn plugin_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/plugins"));
    assert!(dir.is_dir(), "run `cargo build-plugins` first");
    dir
}

fn host(cache_dir: Option<PathBuf>) -> Arc<PluginHost> {
    let host = PluginHost::start(PluginHostConfig {
        dirs: vec![plugin_dir()],
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

criterion_group!(benches, policy, validator, formatter, cold_start);
criterion_main!(benches);
