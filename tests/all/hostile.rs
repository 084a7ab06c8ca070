//! Hostile plugins: each fails with its own typed error, the instance is
//! dropped, and good plugins go on answering.

use std::{sync::Arc, time::Instant};

use numbot_plugin_host::{
    worlds::FormatterWorld, AnyPlugin, LoadError, Manifest, Plugin, PluginError, WorldKind,
};

use crate::support::{capture_logs, defaults, engine, fixtures, load, shared_host};

fn fixture(name: &str) -> Arc<Plugin<FormatterWorld>> {
    match load(&fixtures(), name) {
        AnyPlugin::Formatter(p, _) => p,
        _ => panic!("{name} is not a formatter"),
    }
}

/// A good plugin still answers after a hostile one failed.
fn good_plugin_answers() {
    let out = shared_host()
        .format(&["+44 7400 123456".into()], None)
        .unwrap();
    assert_eq!(out[0].as_ref().unwrap().e164, "+447400123456");
}

#[test]
fn infinite_loop_times_out_at_its_deadline() {
    let plugin = fixture("fixture-loop");
    assert_eq!(plugin.manifest().limits.timeout_ms, 200);
    for round in 1..=2 {
        let started = Instant::now();
        let err = plugin.format(&["1".into()], None).unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(
            err,
            PluginError::Timeout {
                plugin: "fixture-loop".into(),
                timeout_ms: 200
            }
        );
        assert_eq!(
            err.to_string(),
            "plugin `fixture-loop` timed out after 200 ms"
        );
        // Interrupted at the deadline (ticks of 5 ms), not left running.
        assert!(
            elapsed.as_millis() >= 200 && elapsed.as_secs() < 5,
            "{elapsed:?}"
        );
        assert_eq!(plugin.instances_discarded(), round);
        good_plugin_answers();
    }
    // Each failed call ran on a fresh instance: the first came from load.
    assert_eq!(plugin.instances_created(), 2);
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    let plugin = fixture("fixture-oom");
    let err = plugin.format(&["1".into()], None).unwrap_err();
    match &err {
        PluginError::OutOfMemory {
            plugin,
            limit_mib,
            requested_mib,
        } => {
            assert_eq!(plugin, "fixture-oom");
            assert_eq!(*limit_mib, 32);
            assert!(*requested_mib > 32, "{err}");
        }
        other => panic!("expected OutOfMemory, got {other:?}"),
    }
    assert!(err
        .to_string()
        .starts_with("plugin `fixture-oom` exceeded its memory limit of 32 MiB"));
    assert_eq!(plugin.instances_discarded(), 1);
    good_plugin_answers();
    // The next call gets a fresh instance, which fails the same way.
    assert!(matches!(
        plugin.format(&["1".into()], None),
        Err(PluginError::OutOfMemory { .. })
    ));
    assert_eq!(plugin.instances_created(), 2);
}

#[test]
fn panic_is_a_trap_with_the_panic_message() {
    let plugin = fixture("fixture-panic");
    let err = plugin.format(&["1".into()], None).unwrap_err();
    match &err {
        PluginError::Trap { plugin, message } => {
            assert_eq!(plugin, "fixture-panic");
            assert!(message.contains("unreachable"), "{message}");
            assert!(
                message.contains("fixture panic on a batch of 1"),
                "{message}"
            );
        }
        other => panic!("expected Trap, got {other:?}"),
    }
    good_plugin_answers();
    // Never reused: the second call instantiates again and panics with its own count.
    let err = plugin.format(&["1".into(), "2".into()], None).unwrap_err();
    assert!(
        err.to_string().contains("fixture panic on a batch of 2"),
        "{err}"
    );
    assert_eq!(
        (plugin.instances_created(), plugin.instances_discarded()),
        (2, 2)
    );
}

#[test]
fn component_of_an_unknown_world_is_refused_at_load() {
    let err = engine()
        .load(&fixtures().join("fixture-wrong-world.wasm"), &[])
        .err()
        .unwrap();
    match &err {
        LoadError::WrongWorld {
            expected, found, ..
        } => {
            assert_eq!(*expected, WorldKind::Formatter);
            assert_eq!(*found, None);
        }
        other => panic!("expected WrongWorld, got {other:?}"),
    }
    assert!(
        err.to_string().contains(
            "manifest says world `formatter` but the component implements no numbot world"
        ),
        "{err}"
    );
    good_plugin_answers();
}

#[test]
fn component_of_another_numbot_world_is_named() {
    let bytes = std::fs::read(defaults().join("numbot-policy.wasm")).unwrap();
    let manifest = Manifest::parse(
        "id = \"liar\"\nversion = \"1.0.0\"\nworld = \"formatter\"\napi = \"0.1.0\"\n",
        std::path::Path::new("liar.toml"),
    )
    .unwrap();
    let err = engine()
        .load_bytes(std::path::Path::new("liar.wasm"), &bytes, manifest, &[])
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            LoadError::WrongWorld {
                found: Some(WorldKind::Policy),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("but the component implements `policy`"),
        "{err}"
    );
}

#[test]
fn components_that_want_the_outside_world_are_refused() {
    // Plugins get no clock, entropy, files or network: a WASI import cannot be satisfied.
    let wat = r#"(component
        (import "wasi:random/random@0.2.0" (instance
            (export "get-random-u64" (func (result u64)))))
    )"#;
    let bytes = wat::parse_str(wat).unwrap();
    let manifest = Manifest::parse(
        "id = \"sneaky\"\nversion = \"1.0.0\"\nworld = \"policy\"\napi = \"0.1.0\"\n",
        std::path::Path::new("sneaky.toml"),
    )
    .unwrap();
    let err = engine()
        .load_bytes(std::path::Path::new("sneaky.wasm"), &bytes, manifest, &[])
        .err()
        .unwrap();
    assert!(
        matches!(err, LoadError::WrongWorld { found: None, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("wasi:random/random@0.2.0"),
        "{err}"
    );
}

#[test]
fn corrupt_bytes_and_bad_manifests_are_refused() {
    let manifest = |text: &str| Manifest::parse(text, std::path::Path::new("m.toml"));
    let good = "id = \"x\"\nversion = \"1\"\nworld = \"policy\"\napi = \"0.1.0\"\n";
    let err = engine()
        .load_bytes(
            std::path::Path::new("junk.wasm"),
            b"\0asm junk",
            manifest(good).unwrap(),
            &[],
        )
        .err()
        .unwrap();
    assert!(matches!(err, LoadError::Compile { .. }), "{err:?}");

    let newer =
        manifest("id = \"x\"\nversion = \"1\"\nworld = \"policy\"\napi = \"0.2.0\"\n").unwrap_err();
    assert_eq!(
        newer.to_string(),
        "m.toml: built for numbot:plugin@0.2.0, this host implements @0.1.0"
    );
    let world = manifest("id = \"x\"\nversion = \"1\"\nworld = \"printer\"\napi = \"0.1.0\"\n")
        .unwrap_err();
    assert!(
        world.to_string().contains("unknown variant `printer`"),
        "{world}"
    );
    let id = manifest("id = \"../x\"\nversion = \"1\"\nworld = \"policy\"\napi = \"0.1.0\"\n")
        .unwrap_err();
    assert!(id.to_string().contains("id `../x` must be"), "{id}");
    let limits = manifest(&format!(
        "{good}[limits]\nmemory_mib = 999999\ntimeout_ms = 10\n"
    ))
    .unwrap_err();
    assert!(limits.to_string().contains("limits.memory_mib"), "{limits}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        defaults().join("numbot-policy.wasm"),
        dir.path().join("orphan.wasm"),
    )
    .unwrap();
    let err = engine()
        .load(&dir.path().join("orphan.wasm"), &[])
        .err()
        .unwrap();
    assert!(matches!(err, LoadError::MissingManifest { .. }), "{err:?}");
}

#[test]
fn concurrent_calls_share_a_plugin_safely() {
    let host = shared_host();
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let host = host.clone();
            s.spawn(move || {
                for i in 0..200u64 {
                    let n = format!("+4474001{:05}", t * 1000 + i);
                    let out = host.format(std::slice::from_ref(&n), None).unwrap();
                    assert_eq!(out[0].as_ref().unwrap().e164, n);
                }
            });
        }
    });
}

#[test]
fn results_cannot_make_the_host_copy_more_than_the_plugin_holds() {
    let plugin = fixture("fixture-amplify");
    // 64 numbers x 3 spans x 1 MiB = 192 MiB of copies from 1 MiB of text.
    let batch: Vec<String> = (0..64).map(|i| i.to_string()).collect();
    let err = plugin.format(&batch, None).unwrap_err();
    assert_eq!(
        err,
        PluginError::Contract {
            plugin: "fixture-amplify".into(),
            message: "its spans add up to more than its memory limit".into()
        }
    );
    good_plugin_answers();
}

#[test]
fn compiled_cache_is_keyed_by_content_and_survives_damage() {
    use numbot_plugin_host::{engine::CacheOutcome, PluginEngine};
    let cache = tempfile::tempdir().unwrap();
    let engine = PluginEngine::new(Some(cache.path().to_path_buf())).unwrap();
    let path = defaults().join("numbot-policy.wasm");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        engine.compile(&path, &bytes).unwrap().1,
        CacheOutcome::Compiled
    );
    assert_eq!(engine.compile(&path, &bytes).unwrap().1, CacheOutcome::Hit);
    // Another component gets its own entry.
    let other = std::fs::read(defaults().join("numbot-validator.wasm")).unwrap();
    assert_eq!(
        engine.compile(&path, &other).unwrap().1,
        CacheOutcome::Compiled
    );
    // A damaged entry is compiled again, and replaced.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"not a compiled component").unwrap();
    }
    assert_eq!(
        engine.compile(&path, &bytes).unwrap().1,
        CacheOutcome::Compiled
    );
    assert_eq!(engine.compile(&path, &bytes).unwrap().1, CacheOutcome::Hit);
    // One flipped bit in a cached artifact: its checksum says so, and it is
    // compiled again, never deserialized.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        let entry = entry.unwrap().path();
        let mut cached = std::fs::read(&entry).unwrap();
        let middle = cached.len() / 2;
        cached[middle] ^= 0x10;
        std::fs::write(&entry, &cached).unwrap();
    }
    let (outcome, logs) = capture_logs(|| engine.compile(&path, &bytes).unwrap().1);
    assert_eq!(outcome, CacheOutcome::Compiled);
    assert!(logs.contains("checksum does not match"), "{logs}");
    assert_eq!(engine.compile(&path, &bytes).unwrap().1, CacheOutcome::Hit);
    // A cache others can write to is refused: it holds native code.
    use std::os::unix::fs::PermissionsExt;
    let open = tempfile::tempdir().unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    assert!(PluginEngine::new(Some(open.path().to_path_buf())).is_err());
}

/// A plugin directory, or a plugin in it, that others may write to is not
/// loaded from: what a hot reload picks up is the owner's.
#[test]
fn plugins_others_can_write_are_not_loaded() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_plugin(&defaults(), "numbot-policy", dir.path(), "policy");
    let wasm = dir.path().join("policy.wasm");
    let set = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    assert!(crate::support::engine().load(&wasm, &[]).is_ok());
    set(&wasm, 0o666);
    let refused = crate::support::engine().load(&wasm, &[]).err().unwrap();
    assert!(refused.to_string().contains("world-writable"), "{refused}");
    set(&wasm, 0o644);
    set(dir.path(), 0o777);
    let refused = crate::support::engine().load(&wasm, &[]).err().unwrap();
    assert!(refused.to_string().contains("world-writable"), "{refused}");
    set(dir.path(), 0o755);
    assert!(crate::support::engine().load(&wasm, &[]).is_ok());
}

#[test]
fn concurrent_callers_share_at_most_eight_instances() {
    let host = crate::support::host(vec![defaults()]);
    let policy = host.policy().unwrap();
    let request = numbot_plugin_host::types::Request {
        category: "c".into(),
        user: 1,
        seed: 9,
        candidates: vec![numbot_plugin_host::types::Candidate {
            id: 1,
            name: "f".into(),
            total: 10,
            available: 10,
            used: 0,
            created_at: 0,
            last_used: None,
        }],
    };
    std::thread::scope(|s| {
        for _ in 0..24 {
            s.spawn(|| {
                for _ in 0..50 {
                    assert!(policy.select(&request).unwrap().slot < 10);
                }
            });
        }
    });
    let created = policy.instances_created();
    assert!((1..=8).contains(&created), "{created} instances");
}

#[test]
fn compiled_cache_is_private_and_refuses_entries_others_can_write() {
    use numbot_plugin_host::{engine::CacheOutcome, PluginEngine};
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let set = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    let root = tempfile::tempdir().unwrap();
    let cache = root.path().join("cache");
    let engine = PluginEngine::new(Some(cache.clone())).unwrap();
    let path = defaults().join("numbot-policy.wasm");
    let bytes = std::fs::read(&path).unwrap();
    let compile = || engine.compile(&path, &bytes).unwrap().1;
    assert_eq!(compile(), CacheOutcome::Compiled);
    assert_eq!(mode(&cache), 0o700);
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(mode(entry), 0o600);
    assert_eq!(compile(), CacheOutcome::Hit);

    // An entry the group could have written is not loaded: compiled again,
    // and replaced by a private one.
    set(entry, 0o660);
    let (outcome, logs) = capture_logs(compile);
    assert_eq!(outcome, CacheOutcome::Compiled);
    assert!(logs.contains("cached compiled plugin refused"), "{logs}");
    assert_eq!(mode(entry), 0o600);
    assert_eq!(compile(), CacheOutcome::Hit);

    // A directory others may write to is not trusted at all.
    set(&cache, 0o777);
    let (outcome, logs) = capture_logs(compile);
    assert_eq!(outcome, CacheOutcome::Compiled);
    assert!(logs.contains("compiled-plugin cache not used"), "{logs}");
    assert_eq!(compile(), CacheOutcome::Compiled);
    set(&cache, 0o700);
    assert_eq!(compile(), CacheOutcome::Hit);
}
