//! Hot reload: a replaced plugin serves the next call; a broken one leaves the old serving.

use std::time::{Duration, Instant};

use numbot_plugin_host::{
    types::{Candidate, Request},
    LoadError, PluginHost, PluginHostConfig,
};

use crate::support::{cache, copy_plugin, defaults, examples, fixtures};

fn candidates() -> Vec<Candidate> {
    // LRU always takes file 0 (never used); weighted random mostly file 1 (999 of 1000 numbers).
    vec![
        Candidate {
            id: 0,
            name: "a".into(),
            total: 1,
            available: 1,
            used: 0,
            created_at: 0,
            last_used: None,
        },
        Candidate {
            id: 1,
            name: "b".into(),
            total: 999,
            available: 999,
            used: 0,
            created_at: 0,
            last_used: Some(5),
        },
    ]
}

fn picks_of_first(host: &PluginHost) -> usize {
    (0..40u64)
        .filter(|&seed| {
            let request = Request {
                category: "c".into(),
                user: 1,
                seed,
                candidates: candidates(),
            };
            host.select(&request).unwrap().candidate == 0
        })
        .count()
}

fn start(dir: &std::path::Path) -> std::sync::Arc<PluginHost> {
    PluginHost::start(PluginHostConfig {
        dirs: vec![dir.to_path_buf()],
        cache_dir: Some(cache()),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn replaced_plugin_serves_the_next_call_and_corrupt_replacement_keeps_the_old() {
    let dir = tempfile::tempdir().unwrap();
    copy_plugin(&defaults(), "numbot-policy", dir.path(), "policy");
    let host = start(dir.path());
    assert_eq!(host.policy().unwrap().manifest().id, "numbot-policy");
    assert!(picks_of_first(&host) < 5);

    copy_plugin(&examples(), "lru-policy", dir.path(), "policy");
    let report = host.rescan();
    assert_eq!(report.replaced, ["lru-policy"]);
    assert_eq!(host.policy().unwrap().manifest().id, "lru-policy");
    assert_eq!(picks_of_first(&host), 40);

    // A corrupt replacement: the LRU policy keeps serving, the error says why.
    std::fs::write(dir.path().join("policy.wasm"), b"\0asm\x0d\0\x01\0garbage").unwrap();
    let report = host.rescan();
    assert!(!report.changed());
    assert!(
        matches!(&*report.failed[0].1, LoadError::Compile { .. }),
        "{:?}",
        report.failed
    );
    assert_eq!(host.policy().unwrap().manifest().id, "lru-policy");
    assert_eq!(picks_of_first(&host), 40);
    assert_eq!(host.load_errors().len(), 1);
    // A broken file is not retried until it changes again.
    assert!(host.rescan().failed.is_empty());

    // A valid component of the wrong world is refused the same way.
    std::fs::copy(
        fixtures().join("fixture-wrong-world.wasm"),
        dir.path().join("policy.wasm"),
    )
    .unwrap();
    let report = host.rescan();
    assert!(matches!(&*report.failed[0].1, LoadError::WrongWorld { .. }));
    assert_eq!(picks_of_first(&host), 40);

    // Removing the file removes the plugin.
    std::fs::remove_file(dir.path().join("policy.wasm")).unwrap();
    assert_eq!(host.rescan().removed, ["lru-policy"]);
    assert!(host.policy().is_err());
    assert!(host.load_errors().is_empty());
}

#[test]
fn watcher_picks_up_added_and_changed_plugins() {
    let dir = tempfile::tempdir().unwrap();
    copy_plugin(&defaults(), "numbot-policy", dir.path(), "policy");
    let host = start(dir.path());
    let _watch = host.watch(Duration::from_millis(20));
    assert!(host.formatter_for("AE").is_err());

    copy_plugin(&examples(), "ae-formatter", dir.path(), "ae");
    copy_plugin(&examples(), "lru-policy", dir.path(), "policy");
    let deadline = Instant::now() + Duration::from_secs(30);
    while host.policy().unwrap().manifest().id != "lru-policy" || host.formatter_for("AE").is_err()
    {
        assert!(
            Instant::now() < deadline,
            "the watcher did not reload: {:?}",
            host.plugins()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(picks_of_first(&host), 40);
    let out = host.format(&["+971501234567".into()], None);
    // No fallback formatter here: only the AE plugin, reached through the default country.
    assert!(out.is_err());
    let out = host.format(&["0501234567".into()], Some("AE")).unwrap();
    assert_eq!(out[0].as_ref().unwrap().display, "050 123 4567");
}

#[test]
fn duplicate_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_plugin(&defaults(), "numbot-policy", dir.path(), "a");
    copy_plugin(&defaults(), "numbot-policy", dir.path(), "b");
    let host = start(dir.path());
    let errors = host.load_errors();
    assert_eq!(errors.len(), 1);
    assert!(matches!(&*errors[0].1, LoadError::DuplicateId { id, .. } if id == "numbot-policy"));
    assert!(host.policy().is_ok());
}

#[test]
fn the_bot_serves_its_configured_plugin_and_reloads_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_plugin(&defaults(), "numbot-policy", dir.path(), "numbot-policy");
    copy_plugin(&examples(), "lru-policy", dir.path(), "lru-policy");
    let mut section = numbot::config::PluginsSection {
        policy: Some("lru-policy".into()),
        reload_ms: 20,
        ..Default::default()
    };
    let (plugins, watch) =
        numbot::compose::start_bot_plugins(&section, vec![dir.path().into()], Some(cache()))
            .unwrap();
    assert!(watch.is_some());
    let host = plugins.host();
    assert_eq!(host.policy().unwrap().manifest().id, "lru-policy");
    assert_eq!(picks_of_first(host), 40);

    // A new build of the plugin (its manifest says 0.2.0) serves without a restart.
    let manifest = dir.path().join("lru-policy.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while host.policy().unwrap().manifest().version != "0.2.0" {
        assert!(
            Instant::now() < deadline,
            "not reloaded: {:?}",
            host.plugins()
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    // A configured id that is not loaded stops the start, naming the key.
    section.policy = Some("busiest-first".into());
    section.reload_ms = 0;
    let err = numbot::compose::start_bot_plugins(&section, vec![dir.path().into()], Some(cache()))
        .err()
        .unwrap();
    assert!(
        err.to_string().contains(
            "plugins.policy = \"busiest-first\": no policy plugin with that id is loaded"
        ),
        "{err}"
    );
}
