//! `numbot plugins list` and `numbot plugins check`, run as a user would.

use std::process::Command;

use crate::support::{cache, defaults, examples, fixtures};

fn numbot(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(crate::support::binary("numbot"))
        .args(args)
        .env("NUMBOT_CACHE_DIR", cache())
        .output()
        .expect("run numbot");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn plugins_list_shows_id_version_world_countries_and_source() {
    let (d, e) = (defaults(), examples());
    let (ok, stdout, stderr) = numbot(&[
        "plugins",
        "list",
        "--plugin-dir",
        d.to_str().unwrap(),
        "--plugin-dir",
        e.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let line = |id: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} missing:\n{stdout}"))
            .to_string()
    };
    let ae: Vec<String> = line("ae-formatter")
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(&ae[..4], ["ae-formatter", "0.1.0", "formatter", "AE"]);
    assert!(ae[4].ends_with("ae-formatter.wasm"));
    assert!(line("numbot-formatter").contains(" all "));
    assert!(line("numbot-validator").contains("validator"));
    assert!(line("lru-policy").contains("policy"));
}

#[test]
fn plugins_list_by_default_finds_the_built_defaults() {
    let (ok, stdout, stderr) = numbot(&["plugins", "list"]);
    assert!(ok, "{stderr}");
    for id in ["numbot-validator", "numbot-formatter", "numbot-policy"] {
        assert!(stdout.contains(id), "{id} missing:\n{stdout}");
    }
}

#[test]
fn plugins_check_accepts_good_and_explains_bad_components() {
    let good = examples().join("ae-formatter.wasm");
    let (ok, stdout, stderr) = numbot(&["plugins", "check", good.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "ok: ae-formatter 0.1.0 implements numbot:plugin@0.1.0/formatter, claims AE (limits: 16 MiB, 1000 ms)");

    let bad = fixtures().join("fixture-wrong-world.wasm");
    let (ok, _, stderr) = numbot(&["plugins", "check", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        stderr.contains(
            "manifest says world `formatter` but the component implements no numbot world"
        ),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.toml");
    std::fs::write(
        &wrong,
        "id = \"p\"\nversion = \"1.0.0\"\nworld = \"validator\"\napi = \"0.1.0\"\n",
    )
    .unwrap();
    let policy = defaults().join("numbot-policy.wasm");
    let (ok, _, stderr) = numbot(&[
        "plugins",
        "check",
        policy.to_str().unwrap(),
        "--manifest",
        wrong.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("manifest says world `validator` but the component implements `policy`"),
        "{stderr}"
    );
}

#[test]
fn store_commands_import_list_report_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let plugins = defaults();
    let plugins = plugins.to_str().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sample.csv");
    let common = ["--data-dir", data, "--plugin-dir", plugins];

    let (ok, stdout, stderr) = numbot(
        &[
            &["import", sample, "--category", "UAE Mobile", "--admin", "5"][..],
            &common,
        ]
        .concat(),
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("accepted:            8"), "{stdout}");
    assert!(stdout.contains("rejected:            3"), "{stdout}");
    assert!(
        stdout.contains("line      9: a formula, not a number"),
        "{stdout}"
    );
    let stored = stdout
        .split(" as ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert!(
        stored.starts_with("UAE_Mobile_") && stored.ends_with(".csv"),
        "{stored}"
    );

    let (ok, stdout, _) = numbot(&[&["files"][..], &common].concat());
    assert!(ok);
    let row = stdout
        .lines()
        .find(|l| l.starts_with(&stored))
        .unwrap_or_else(|| panic!("{stdout}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&cols[1..6], ["UAE", "Mobile", "8", "8", "0"], "{row}");

    let (ok, stdout, _) = numbot(&[&["stats"][..], &common].concat());
    assert!(ok);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("UAE Mobile") && l.contains(" 8 ")),
        "{stdout}"
    );

    let (ok, stdout, stderr) = numbot(&[&["delete", &stored][..], &common].concat());
    assert!(ok, "{stderr}");
    assert!(stdout.contains("deleted"), "{stdout}");
    let (_, stdout, _) = numbot(&[&["files"][..], &common].concat());
    assert!(stdout.contains("(deleted)"), "{stdout}");
    let (ok, _, stderr) = numbot(&[&["delete", "nope.csv"][..], &common].concat());
    assert!(!ok && stderr.contains("no file `nope.csv`"), "{stderr}");
}
