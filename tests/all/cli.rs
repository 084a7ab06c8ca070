//! The `numbot` command line (`plugins list|check|run`, the store
//! commands), run as a user would.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use crate::support::{cache, defaults, examples, fixtures};

pub(crate) fn numbot(args: &[&str]) -> (bool, String, String) {
    numbot_with_input(args, b"")
}

/// Runs numbot with `input` on its standard input.
fn numbot_with_input(args: &[&str], input: &[u8]) -> (bool, String, String) {
    let mut child = Command::new(crate::support::binary("numbot"))
        .args(args)
        .env("NUMBOT_CACHE_DIR", cache())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run numbot");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread: numbot answers while it reads.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("numbot's output");
    writer.join().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `numbot plugins run` on the default and example plugins.
fn run_plugin(args: &[&str], input: &[u8]) -> (bool, Vec<serde_json::Value>, String) {
    let (d, e) = (defaults(), examples());
    let dirs = [
        "--plugin-dir",
        d.to_str().unwrap(),
        "--plugin-dir",
        e.to_str().unwrap(),
    ];
    let (ok, stdout, stderr) =
        numbot_with_input(&[&["plugins", "run"][..], args, &dirs].concat(), input);
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (ok, lines, stderr)
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

/// `numbot import` without `--category` reads it as the bot does: the one
/// category every row names (a Range column), else it says so.
#[test]
fn import_takes_the_category_the_rows_name() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let plugins = defaults();
    let common = [
        "--data-dir",
        data,
        "--plugin-dir",
        plugins.to_str().unwrap(),
    ];
    let ranged = dir.path().join("ranged.csv");
    std::fs::write(&ranged, crate::support::ranged_csv("UAE Mobile", 0, 3)).unwrap();
    let (ok, stdout, stderr) =
        numbot(&[&["import", ranged.to_str().unwrap()][..], &common].concat());
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("category `UAE Mobile`: every row of the file names it"),
        "{stderr}"
    );
    assert!(stdout.contains("into `UAE Mobile`"), "{stdout}");

    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sample.csv");
    let (ok, _, stderr) = numbot(&[&["import", sample][..], &common].concat());
    assert!(!ok, "the sample's rows name four categories");
    assert!(stderr.contains("its rows name 4 categories"), "{stderr}");

    let plain = dir.path().join("plain.csv");
    std::fs::write(&plain, crate::support::uae_csv(10, 3)).unwrap();
    let (ok, _, stderr) = numbot(&[&["import", plain.to_str().unwrap()][..], &common].concat());
    assert!(!ok, "no category, none named");
    assert!(
        stderr.contains("its rows name no category; say which with --category NAME"),
        "{stderr}"
    );
}

#[test]
fn plugins_run_formats_every_line_in_order_across_batches() {
    // 1,203 lines: three batches of 500 and a short one, valid and not.
    let inputs: Vec<String> = (0..1203)
        .map(|i| match i % 3 {
            0 => format!("050{:07}", i),
            1 => format!("+44 7400 {:06}", i),
            _ => format!("nonsense {i}"),
        })
        .collect();
    let (ok, lines, stderr) = run_plugin(
        &["formatter", "--country", "ae"],
        inputs.join("\n").as_bytes(),
    );
    assert!(ok, "{stderr}");
    assert_eq!(lines.len(), inputs.len());
    for (input, line) in inputs.iter().zip(&lines) {
        assert_eq!(line["input"], input.as_str(), "{line}");
    }
    // Routed: AE to the example country plugin, GB to the default.
    assert_eq!(
        lines[0],
        serde_json::json!({"input": "0500000000", "e164": "+971500000000",
            "display": "050 000 0000", "country": "AE"})
    );
    assert_eq!(lines[1]["display"], "+44 7400 000001");
    assert!(lines[2]["error"].is_string(), "{}", lines[2]);

    // One plugin by id: the default formatter's own display, no routing.
    let (ok, lines, stderr) = run_plugin(
        &[
            "formatter",
            "--plugin",
            "numbot-formatter",
            "--country",
            "AE",
        ],
        b"0500000000\n",
    );
    assert!(ok, "{stderr}");
    assert_eq!(lines[0]["display"], "+971 50 000 0000");
}

#[test]
fn plugins_run_extracts_codes_from_json_lines() {
    let input = concat!(
        r#"{"text": "Your WhatsApp code is 482-913", "sender": "WhatsApp"}"#,
        "\n\n",
        r#"{"text": "Lunch at noon?"}"#,
        "\n"
    );
    let (ok, lines, stderr) = run_plugin(&["extractor"], input.as_bytes());
    assert!(ok, "{stderr}");
    assert_eq!(
        lines,
        [
            serde_json::json!({"code": "482913"}),
            serde_json::json!({"code": null})
        ]
    );
}

#[test]
fn plugins_run_asks_a_policy_and_lists_what_the_validator_read() {
    let request = r#"{"category": "UAE Mobile", "seed": 7, "candidates": [
        {"id": 10, "name": "a.csv", "available": 40, "last_used": 1790000000},
        {"id": 11, "name": "b.csv", "available": 5}]}"#;
    let (ok, lines, stderr) = run_plugin(&["policy", "--plugin", "lru-policy"], request.as_bytes());
    assert!(ok, "{stderr}");
    assert_eq!(lines.len(), 1);
    // The least recently used file: b.csv was never used.
    assert_eq!(
        (&lines[0]["id"], &lines[0]["name"]),
        (&11.into(), &"b.csv".into())
    );
    assert!(lines[0]["slot"].as_u64().unwrap() < 5);
    assert_eq!(lines[0]["seed"], 7);

    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sample.csv");
    let (ok, lines, stderr) = run_plugin(&["validator", sample], b"");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("plugin `numbot-validator`: numbers 8, rejected 3, duplicates 1"),
        "{stderr}"
    );
    let kinds: Vec<(u64, &str)> = lines
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds.len(), 12);
    assert!(
        kinds.windows(2).all(|w| w[0].0 < w[1].0),
        "file order: {kinds:?}"
    );
    assert_eq!(kinds[4], (6, "duplicate"));
    assert_eq!(lines[4]["first_line"], 2);
    assert_eq!(kinds[7], (9, "rejected"));
    assert_eq!(lines[0]["category"], "UAE Mobile");
}

#[test]
fn plugins_run_errors_name_the_plugin_and_what_happened() {
    let (ok, _, stderr) = run_plugin(&["formatter", "--plugin", "nope"], b"1\n");
    assert!(!ok);
    assert!(stderr.contains("no plugin `nope` is loaded"), "{stderr}");

    let (ok, _, stderr) = run_plugin(&["formatter", "--plugin", "lru-policy"], b"1\n");
    assert!(!ok);
    assert!(
        stderr.contains("plugin `lru-policy` is a policy plugin, not a formatter"),
        "{stderr}"
    );

    let input = b"{\"text\": \"code 1234\"}\n{\"text\": 5}\n";
    let (ok, lines, stderr) = run_plugin(&["extractor"], input);
    assert!(!ok);
    assert_eq!(lines.len(), 1, "the lines before the bad one are answered");
    assert!(
        stderr.contains("plugin `numbot-extractor`: input line 2: expected a JSON object"),
        "{stderr}"
    );

    let f = fixtures();
    let (ok, stdout, stderr) = numbot_with_input(
        &[
            "plugins",
            "run",
            "formatter",
            "--plugin",
            "fixture-panic",
            "--plugin-dir",
            f.to_str().unwrap(),
        ],
        b"+971501234567\n",
    );
    assert!(!ok && stdout.is_empty());
    assert!(
        stderr.contains("input line 1: plugin `fixture-panic` crashed"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("crashed").count(), 1, "said once: {stderr}");
}

/// The production binary links no test fake: its symbols name no part of
/// `numbot-testing`, while the demo, built on it, does (so the check can
/// tell).
#[test]
fn the_numbot_binary_holds_no_fake_server() {
    let holds = |name: &str, needle: &[u8]| {
        let bytes = std::fs::read(crate::support::binary(name)).unwrap();
        memchr::memmem::find(&bytes, needle).is_some()
    };
    assert!(holds("numbot-demo", b"numbot_testing"));
    assert!(holds("numbot-demo", b"FakeTelegram"));
    assert!(!holds("numbot", b"numbot_testing"));
    assert!(!holds("numbot", b"FakeTelegram"));
    assert!(!holds("numbot", b"FakeSms"));
}

/// Modes of the data directory and everything in it, by name.
fn modes(dir: &std::path::Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut out = vec![(".".to_string(), mode(dir))];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push((
            path.file_name().unwrap().to_string_lossy().into(),
            mode(&path),
        ));
    }
    out.sort();
    out
}

#[test]
fn the_data_directory_is_private_whatever_the_umask() {
    let plugins = defaults();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sample.csv");
    for umask in ["022", "000"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let common = format!(
            "--data-dir '{}' --plugin-dir '{}'",
            data.display(),
            plugins.display()
        );
        let script = format!(
            "umask {umask} && \"$NUMBOT\" import '{sample}' --category 'UAE Mobile' {common} \
             && \"$NUMBOT\" token create ci {common} && \"$NUMBOT\" stats {common}"
        );
        let out = Command::new("sh")
            .args(["-c", &script])
            .env("NUMBOT", crate::support::binary("numbot"))
            .env("NUMBOT_CACHE_DIR", cache())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("go-rwx"), "umask {umask}: {stderr}");
        // The relayed-ids log, from the library (this process's umask).
        drop(numbot_store_file::LocalCoordination::open(&data).unwrap());
        let modes = modes(&data);
        for name in [
            ".lock",
            "metadata.json",
            "journal.000001",
            "users.jsonl",
            "audit.jsonl",
            "tokens.jsonl",
            "relayed.log",
        ] {
            assert!(modes.iter().any(|(n, _)| n == name), "no {name}: {modes:?}");
        }
        assert!(modes.iter().any(|(n, _)| n.ends_with(".csv")), "{modes:?}");
        assert!(
            modes.iter().any(|(n, _)| n.ends_with(".numbers")),
            "{modes:?}"
        );
        for (name, mode) in &modes {
            let want = if name == "." { 0o700 } else { 0o600 };
            assert_eq!(*mode, want, "umask {umask}: {name} is {mode:o}");
        }
    }
}

#[test]
fn a_data_directory_open_to_others_is_reported_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let plugins = defaults();
    let common = [
        "--data-dir",
        data.to_str().unwrap(),
        "--plugin-dir",
        plugins.to_str().unwrap(),
    ];
    let (ok, _, stderr) = numbot(&[&["stats"][..], &common].concat());
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("go-rwx"), "{stderr}");
    // As an older numbot (or a copy made with a loose umask) left it.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let journal = data.join("journal.000001");
    std::fs::set_permissions(&journal, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, _, stderr) = numbot(&[&["stats"][..], &common].concat());
    assert!(ok, "{stderr}");
    let fix = format!("chmod -R go-rwx {}", data.display());
    for path in [&data, &journal] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(&fix) && l.contains(&format!("path={}", path.display()))),
            "no warning for {}: {stderr}",
            path.display()
        );
    }
}

/// A damaged line in the middle of `users.jsonl` stops numbot (a ban may be
/// in it, and skipping it would lift the ban); `numbot repair` drops it,
/// says what it held, keeps the original, and numbot opens again.
#[test]
fn a_damaged_record_line_stops_open_and_repair_drops_it() {
    use numbot_core::{UserStatus, Users};
    let dir = tempfile::tempdir().unwrap();
    {
        let users = numbot_store_file::FileUsers::open(dir.path()).unwrap();
        futures::executor::block_on(async {
            users
                .set_status(7, UserStatus::Banned, 1, Some("spam".into()))
                .await
                .unwrap();
            users
                .set_status(8, UserStatus::Active, 1, None)
                .await
                .unwrap();
        });
    }
    let path = dir.path().join("users.jsonl");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] = b'x';
    std::fs::write(&path, &bytes).unwrap();
    let refused = numbot_store_file::FileUsers::open(dir.path())
        .err()
        .unwrap();
    let message = refused.to_string();
    assert!(message.contains("damaged line 1 at byte 0"), "{message}");
    assert!(message.contains("numbot repair --data-dir"), "{message}");

    let data = dir.path().to_str().unwrap();
    let (ok, stdout, stderr) = numbot(&["repair", "--data-dir", data]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("dropped damaged line 1"), "{stdout}");
    assert!(stdout.contains("banned"), "what it held is shown: {stdout}");
    assert!(dir.path().join("users.jsonl.damaged").exists());
    let users = numbot_store_file::FileUsers::open(dir.path()).unwrap();
    let eight = futures::executor::block_on(users.get(8)).unwrap();
    assert_eq!(eight.unwrap().status, UserStatus::Active);
}
