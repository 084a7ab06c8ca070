//! The README's plugin guide, end to end with the real binaries: `numbot
//! plugins new policy` writes a crate, `cargo build-plugins --dir` builds
//! it, numbot lists, checks and runs it, and after an edit and a build into
//! the plugin directory the bot's plugins serve the new version without a
//! restart. It compiles a guest crate (about a minute the first time).

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use numbot_plugin_host::types::{Candidate, Request};

use crate::support::{binary, cache};

/// Runs a binary of the workspace from the workspace's root; its stdout.
fn run(name: &str, args: &[&str], input: Option<&str>) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = Command::new(binary(name));
    command
        .args(args)
        .current_dir(&root)
        .env("NUMBOT_CACHE_DIR", cache());
    let out = match input {
        Some(text) => {
            use std::io::Write;
            let mut child = command
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
        None => command.output().unwrap(),
    };
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "{name} {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

/// Two files: 3 numbers left in the first, 9 in the second.
const REQUEST: &str =
    r#"{"category": "UAE Mobile", "seed": 1, "candidates": [{"available": 3}, {"available": 9}]}"#;

fn candidate_picked(dir: &Path) -> u64 {
    let out = run(
        "numbot",
        &[
            "plugins",
            "run",
            "policy",
            "--plugin",
            "drain-smallest",
            "--plugin-dir",
            dir.to_str().unwrap(),
        ],
        Some(REQUEST),
    );
    let choice: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    choice["candidate"].as_u64().unwrap()
}

#[test]
fn a_new_policy_is_built_loaded_reloaded_and_run() {
    let tmp = tempfile::tempdir().unwrap();
    let crate_dir = tmp.path().join("drain-smallest");
    let crate_arg = crate_dir.to_str().unwrap();
    run(
        "numbot",
        &[
            "plugins",
            "new",
            "policy",
            "drain-smallest",
            "--dir",
            crate_arg,
        ],
        None,
    );
    run("numbot-plugin-build", &["--dir", crate_arg], None);
    let built = crate_dir.join("target/plugins");
    assert!(built.join("drain-smallest.toml").is_file());

    let list = run(
        "numbot",
        &["plugins", "list", "--plugin-dir", built.to_str().unwrap()],
        None,
    );
    assert!(
        list.lines().any(|l| l.split_whitespace().take(3).eq([
            "drain-smallest",
            "0.1.0",
            "policy"
        ])),
        "{list}"
    );
    let wasm = built.join("drain-smallest.wasm");
    let check = run(
        "numbot",
        &["plugins", "check", wasm.to_str().unwrap()],
        None,
    );
    assert_eq!(
        check.trim(),
        "ok: drain-smallest 0.1.0 implements numbot:plugin@0.1.0/policy (limits: 16 MiB, 100 ms)"
    );
    // The template picks the file with the most numbers left.
    assert_eq!(candidate_picked(&built), 1);

    // The bot's plugins on a directory of their own, this policy chosen.
    let live = tmp.path().join("live");
    let live_arg = live.to_str().unwrap();
    run(
        "numbot-plugin-build",
        &["--dir", crate_arg, "--out", live_arg],
        None,
    );
    let section = numbot::config::PluginsSection {
        policy: Some("drain-smallest".into()),
        reload_ms: 50,
        ..Default::default()
    };
    let (plugins, _reload) =
        numbot::compose::start_bot_plugins(&section, vec![live.clone()], Some(cache())).unwrap();
    let picked = || {
        let candidates = [3, 9].map(|available| Candidate {
            id: available,
            name: format!("{available}.csv"),
            total: 10,
            available,
            used: 0,
            created_at: 0,
            last_used: None,
        });
        let request = Request {
            category: "UAE Mobile".into(),
            user: 1,
            seed: 1,
            candidates: candidates.to_vec(),
        };
        plugins.host().select(&request).unwrap().candidate
    };
    assert_eq!(picked(), 1);

    // The guide's edit: the file with the fewest numbers left goes first.
    let lib = crate_dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    assert!(source.contains(".max_by_key("), "{source}");
    std::fs::write(&lib, source.replace(".max_by_key(", ".min_by_key(")).unwrap();
    run(
        "numbot-plugin-build",
        &["--dir", crate_arg, "--out", live_arg],
        None,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while picked() != 0 {
        assert!(
            Instant::now() < deadline,
            "the new build was not loaded: {:?}",
            plugins.host().load_errors()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(candidate_picked(&live), 0);
}
