//! The architecture checks itself (rust-analyzer's `tidy` is the model):
//! the crate graph from `cargo metadata`, and the sources of the front
//! ends, against the rules ARCHITECTURE.md states. Each rule names what
//! broke it.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Each workspace crate's normal (not dev, not build) dependencies.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

/// The crate graph's rules: `(crate, forbidden dependencies, why)`.
const GRAPH: &[(&str, &[&str], &str)] = &[
    (
        "numbot-core",
        &[
            "numbot-plugin-host",
            "numbot-store-file",
            "numbot-store-mongo",
            "numbot-otp",
            "numbot-telegram",
            "numbot-api",
            "numbot-export",
            "numbot-testing",
            "teloxide",
            "axum",
            "hyper",
            "reqwest",
            "mongodb",
            "wasmtime",
        ],
        "the domain knows no backend, front end, network or runtime",
    ),
    (
        "numbot-store-file",
        &[
            "numbot-telegram",
            "numbot-api",
            "numbot-otp",
            "numbot-plugin-host",
        ],
        "a store knows no front end, OTP monitor or plugin host",
    ),
    (
        "numbot-store-mongo",
        &[
            "numbot-telegram",
            "numbot-api",
            "numbot-otp",
            "numbot-plugin-host",
        ],
        "a store knows no front end, OTP monitor or plugin host",
    ),
    (
        "numbot-otp",
        &[
            "numbot-telegram",
            "numbot-api",
            "numbot-store-file",
            "numbot-store-mongo",
        ],
        "the monitor knows no front end and no backend but the traits",
    ),
    (
        "numbot-telegram",
        &[
            "numbot-api",
            "numbot-store-file",
            "numbot-store-mongo",
            "numbot-plugin-host",
        ],
        "a front end reaches backends through the use cases only",
    ),
    (
        "numbot-api",
        &[
            "numbot-telegram",
            "numbot-store-file",
            "numbot-store-mongo",
            "numbot-plugin-host",
        ],
        "a front end reaches backends through the use cases only",
    ),
    (
        "numbot-plugin-host",
        &[
            "numbot-store-file",
            "numbot-store-mongo",
            "numbot-telegram",
            "numbot-api",
        ],
        "the plugin host knows no store",
    ),
    (
        "numbot",
        &["numbot-testing"],
        "no test fake in the production binary",
    ),
];

#[test]
fn the_crate_graph_points_one_way() {
    let deps = dependencies();
    let core: BTreeSet<&str> = deps["numbot-core"]
        .iter()
        .map(String::as_str)
        .filter(|d| d.starts_with("numbot-"))
        .collect();
    assert_eq!(
        core,
        BTreeSet::from(["numbot-plugin-types"]),
        "numbot-core depends on no numbot crate but the plugin types"
    );
    let mut broken = Vec::new();
    for (krate, forbidden, why) in GRAPH {
        let have = deps
            .get(*krate)
            .unwrap_or_else(|| panic!("no crate {krate} in the workspace"));
        for f in *forbidden {
            if have.contains(*f) {
                broken.push(format!("{krate} depends on {f}: {why}"));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

/// Rust files under `dir`, with their text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its `#[cfg(test)]` module (tests may build
/// what the rules keep out of production code).
fn production(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// What only the composition root and the stores may name: the backend
/// traits and the types that hold them.
const BACKEND_NAMES: &[&str] = &[
    "NumberStore",
    "dyn Users",
    "SharedUsers",
    "AuditLog",
    "TokenStore",
    "PendingUploads",
    "dyn Jobs",
    "dyn Inbox",
    "SharedPlugins",
    "dyn Plugins",
    "numbot_store_file",
    "numbot_store_mongo",
    "numbot_plugin_host",
    "Backends",
];

#[test]
fn front_ends_hold_no_backend() {
    let root = root();
    let mut front: Vec<(PathBuf, String)> = sources(&root.join("host/telegram/src"));
    front.extend(sources(&root.join("host/api/src")));
    let cli = root.join("host/numbot/src/cli/pool.rs");
    front.push((cli.clone(), std::fs::read_to_string(&cli).unwrap()));
    let mut broken = Vec::new();
    for (path, text) in &front {
        for name in BACKEND_NAMES {
            if production(text).contains(name) {
                broken.push(format!("{} names `{name}`", path.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "front ends call the use cases (`numbot_core::Numbers`), never a backend: {broken:#?}"
    );
}

/// The argument of a call starting at `from` (just after its `(`), split
/// at its top-level commas.
fn arguments(text: &str, from: usize) -> Vec<String> {
    let mut args = vec![String::new()];
    let mut depth = 0;
    let mut quoted = false;
    let mut chars = text[from..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                args.last_mut().unwrap().push(c);
                if let Some(n) = chars.next() {
                    args.last_mut().unwrap().push(n);
                }
                continue;
            }
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            ',' if !quoted && depth == 0 => {
                args.push(String::new());
                continue;
            }
            _ => {}
        }
        args.last_mut().unwrap().push(c);
    }
    args.into_iter().map(|a| a.trim().to_string()).collect()
}

/// Whether an argument is text written in Rust: a literal, or a format
/// string with words outside its placeholders.
fn literal_text(arg: &str) -> bool {
    let literal = arg.strip_prefix("format!(").unwrap_or(arg).trim_start();
    let Some(body) = literal.strip_prefix('"') else {
        return false;
    };
    let mut depth = 0;
    body.chars().take_while(|&c| c != '"').any(|c| {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        depth == 0 && c.is_alphabetic()
    })
}

/// The calls that put text in front of a Telegram user, and which argument
/// is the text.
const TEXT_CALLS: &[(&str, usize)] = &[
    ("send_message(", 1),
    ("edit_message_text(", 2),
    ("InlineKeyboardButton::callback(", 0),
    ("InlineKeyboardButton::url(", 0),
    ("InlineKeyboardButton::web_app(", 0),
    ("BotCommand::new(", 1),
    (".text(", 0),
    (".caption(", 0),
];

#[test]
fn every_text_a_telegram_user_reads_is_a_fluent_message() {
    let mut broken = Vec::new();
    for (path, text) in sources(&root().join("host/telegram/src")) {
        let code = production(&text);
        for (call, index) in TEXT_CALLS {
            for (at, _) in code.match_indices(call) {
                let args = arguments(code, at + call.len());
                if args.get(*index).is_some_and(|a| literal_text(a)) {
                    let line = code[..at].lines().count();
                    broken.push(format!("{}:{line}: {call}{}", path.display(), args[*index]));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "text for users goes through `tr!` (locales/<code>/*.ftl): {broken:#?}"
    );
}

#[test]
fn command_and_button_names_come_from_one_table() {
    let dir = root().join("host/telegram/src");
    let table = |file: &str, start: &str| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let block = &text[text.find(start).unwrap()..];
        let block = &block[..block.find("];").unwrap()];
        block
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| !s.contains(' ') && !s.contains('-'))
            .map(str::to_string)
            .collect()
    };
    let commands = table("commands.rs", "const COMMANDS");
    let buttons = table("callback.rs", "const BUTTONS");
    assert!(
        commands.len() >= 17 && buttons.len() >= 16,
        "{commands:?} {buttons:?}"
    );
    let mut broken = Vec::new();
    // The Mini App's pages and actions are named in its own routes, not
    // in the bot's command and button tables.
    let bot_sources = sources(&dir)
        .into_iter()
        .filter(|(path, _)| !path.components().any(|c| c.as_os_str() == "miniapp"));
    for (path, text) in bot_sources {
        let code = production(&text);
        let name = path.file_name().unwrap().to_string_lossy();
        for command in &commands {
            if name != "commands.rs" && code.contains(&format!("\"{command}\"")) {
                broken.push(format!(
                    "{} writes the command name {command:?}",
                    path.display()
                ));
            }
        }
        let outside_table = if name == "callback.rs" {
            let start = code.find("const BUTTONS").unwrap();
            let end = start + code[start..].find("];").unwrap();
            format!("{}{}", &code[..start], &code[end..])
        } else {
            code.to_string()
        };
        for button in &buttons {
            for written in [format!("\"{button}\""), format!("\"{button}:")] {
                if outside_table.contains(&written) {
                    broken.push(format!(
                        "{} writes the button name {written}",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_rules_catch_what_they_are_for() {
    assert!(literal_text(r#""Hello""#));
    assert!(literal_text(r#"format!("Hello {name}")"#));
    assert!(!literal_text(r#"format!("{name} ({n})")"#));
    assert!(!literal_text(r#"format!("{}/{pages}", page + 1)"#));
    assert!(!literal_text(r#"tr!(lang, "user-welcome")"#));
    assert!(!literal_text("text"));
    let code = r#"bot.send_message(me.chat, format!("a, b {x}")).reply_markup(k)"#;
    let at = code.find("send_message(").unwrap() + "send_message(".len();
    assert_eq!(arguments(code, at), ["me.chat", r#"format!("a, b {x}")"#]);
    let unit = |features: &str| -> Unit {
        (
            "tokio@1.0.0".into(),
            "\"tokio\"".into(),
            "\"build\"".into(),
            features.into(),
            "{}".into(),
        )
    };
    let tests = BTreeSet::from([unit(r#"["net","process"]"#)]);
    let demo = BTreeSet::from([unit(r#"["net"]"#)]);
    assert_eq!(built_twice(&demo, &tests), [&unit(r#"["net"]"#)]);
    assert!(built_twice(&tests, &tests).is_empty());
    let both: BTreeSet<Unit> = demo.union(&tests).cloned().collect();
    assert_eq!(compiled_twice(&both).len(), 1);
    assert!(compiled_twice(&tests).is_empty());
}

/// A unit Cargo compiles: package (`name@version`), target, mode, and its
/// features and profile as Cargo prints them.
type Unit = (String, String, String, String, String);

/// The dependency units `cargo build <args>` would compile, from Cargo's
/// unit graph. The unit graph is unstable; `RUSTC_BOOTSTRAP` opens it on
/// the pinned toolchain.
fn dependency_units(args: &[&str]) -> BTreeSet<Unit> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .arg("build")
        .args(args)
        .args(["--offline", "--unit-graph", "-Z", "unstable-options"])
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(root())
        .output()
        .expect("cargo build --unit-graph runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let graph: Value = serde_json::from_slice(&out.stdout).unwrap();
    graph["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| !u["pkg_id"].as_str().unwrap().starts_with("path+"))
        .map(|u| {
            let id = u["pkg_id"].as_str().unwrap();
            (
                id.rsplit('#').next().unwrap().to_string(),
                u["target"]["name"].to_string(),
                u["mode"].to_string(),
                u["features"].to_string(),
                u["profile"].to_string(),
            )
        })
        .collect()
}

/// The units of `demo` that `tests` does not build: each one is compiled
/// again when one command runs after the other.
fn built_twice<'a>(demo: &'a BTreeSet<Unit>, tests: &BTreeSet<Unit>) -> Vec<&'a Unit> {
    demo.iter().filter(|u| !tests.contains(*u)).collect()
}

/// Packages one build compiles more than once, with other features (for
/// its build scripts and macros, and for the program), with those features.
fn compiled_twice(units: &BTreeSet<Unit>) -> BTreeMap<String, Vec<String>> {
    let mut seen: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for (package, target, mode, features, _) in units {
        if mode == "\"build\"" && target != "\"build-script-build\"" {
            seen.entry((package, target))
                .or_default()
                .push(features.clone());
        }
    }
    seen.into_iter()
        .filter(|(_, f)| f.len() > 1)
        .map(|((package, _), f)| (package.to_string(), f))
        .collect()
}

#[test]
fn the_demo_builds_with_the_workspaces_features() {
    let demo = dependency_units(&["-p", "numbot-testing", "--bin", "numbot-demo"]);
    let tests = dependency_units(&["--workspace", "--bins", "--tests"]);
    assert!(
        !demo.iter().any(|u| u.0.starts_with("mongodb@")),
        "the demo builds no MongoDB client (numbot's `mongodb` feature stays off in numbot-testing)"
    );
    let again = built_twice(&demo, &tests);
    assert!(
        again.is_empty(),
        "scripts/demo.sh would compile these again after scripts/test.sh (and the other way \
         round): add the workspace's features for them to host/workspace-hack/Cargo.toml:\n{again:#?}"
    );
    let twice = compiled_twice(&demo);
    assert!(
        twice.is_empty(),
        "the demo compiles these more than once: give each the union of its features in \
         both lists of host/workspace-hack/Cargo.toml:\n{twice:#?}"
    );
}
