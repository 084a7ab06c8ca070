//! The formatter against libphonenumber itself (PyPI `phonenumbers`, pinned
//! in `scripts/test.sh` to the release whose metadata the `phonenumber` crate
//! embeds): `oracle/generate.py` writes every region's and non-geographic
//! code's example numbers in nine shapes with one-digit mutations, each with
//! libphonenumber's answer, and every input goes through the formatter.
//!
//! Python is `NUMBOT_PYTHON`, else the workspace's `.venv/bin/python`
//! (`scripts/test.sh` installs `phonenumbers` there); with neither, the test
//! says so and passes.
//!
//! `cargo test -p numbot-formatter --test oracle -- --nocapture`

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use numbot_formatter::Libphonenumber;
use numbot_plugin_sdk::Formatter;

/// Share of inputs that must get libphonenumber's answer (or numbot's reading).
const REQUIRED_AGREEMENT: f64 = 0.999;

/// Inputs per `format` call, as the host's upload path batches them.
const BATCH: usize = 500;

struct Case {
    shape: String,
    default: Option<String>,
    input: String,
    oracle: Option<String>,
    /// The answer under readings (a) or (b), where one applies.
    reading: Option<Option<String>>,
}

fn python() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("NUMBOT_PYTHON") {
        return Ok(path.into());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    if venv.exists() {
        Ok(venv)
    } else {
        Err(format!(
            "NUMBOT_PYTHON is not set and {} does not exist (scripts/test.sh creates it)",
            venv.display()
        ))
    }
}

fn answer(field: &str) -> Option<String> {
    (field != "-").then(|| field.to_string())
}

fn corpus(python: &Path) -> Vec<Case> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("oracle/generate.py");
    let output = Command::new(python)
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("running {} {}: {e}", python.display(), script.display()));
    assert!(
        output.status.success(),
        "{} failed (is phonenumbers installed? scripts/test.sh installs it):\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("corpus is UTF-8")
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 5, "corpus line `{line}`");
            Case {
                shape: f[0].to_string(),
                default: (f[1] != "-").then(|| f[1].to_string()),
                input: f[2].to_string(),
                oracle: answer(f[3]),
                reading: (!f[4].is_empty()).then(|| answer(f[4])),
            }
        })
        .collect()
}

/// What a disagreement is: which way the formatter is wrong.
fn class(got: &Option<String>, want: &Option<String>) -> &'static str {
    match (got, want) {
        (Some(_), None) => "accepted, libphonenumber refuses",
        (None, Some(_)) => "refused, libphonenumber accepts",
        (Some(g), Some(w)) if g.split('|').take(2).eq(w.split('|').take(2)) => {
            "same number and region, other display"
        }
        _ => "other number or region",
    }
}

#[test]
fn formatter_agrees_with_libphonenumber() {
    let python = match python() {
        Ok(python) => python,
        Err(why) => {
            println!("skipped: no Python with phonenumbers: {why}");
            return;
        }
    };
    let cases = corpus(&python);
    assert!(cases.len() > 50_000, "only {} inputs", cases.len());

    let mut formatter = Libphonenumber::default();
    formatter.configure(&Vec::new()).unwrap();
    let mut by_default: BTreeMap<Option<&str>, Vec<&Case>> = BTreeMap::new();
    for case in &cases {
        by_default
            .entry(case.default.as_deref())
            .or_default()
            .push(case);
    }

    let (mut agree, mut by_reading, mut display_differs) = (0usize, 0usize, 0usize);
    let mut disagreements: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for (default, group) in &by_default {
        for chunk in group.chunks(BATCH) {
            let inputs = chunk.iter().map(|c| c.input.clone()).collect();
            let results = formatter.format(inputs, default.map(str::to_string));
            for (case, result) in chunk.iter().zip(results) {
                let got = result
                    .ok()
                    .map(|f| format!("{}|{}|{}", f.e164, f.country, f.display));
                let same = |want: &Option<String>| {
                    class(&got, want) == "same number and region, other display" || got == *want
                };
                if same(&case.oracle) || case.reading.as_ref().is_some_and(same) {
                    agree += 1;
                    if !same(&case.oracle) {
                        by_reading += 1;
                    }
                    let exact = got == case.oracle || case.reading.as_ref() == Some(&got);
                    if !exact {
                        display_differs += 1;
                    }
                    continue;
                }
                let want = case.reading.as_ref().unwrap_or(&case.oracle);
                disagreements
                    .entry((class(&got, want), case.shape.as_str()))
                    .or_default()
                    .push(format!(
                        "{:?} in {}: formatter {}, libphonenumber {}{}",
                        case.input,
                        default.unwrap_or("no country"),
                        got.as_deref().unwrap_or("refuses"),
                        case.oracle.as_deref().unwrap_or("refuses"),
                        match &case.reading {
                            Some(r) =>
                                format!(", numbot's reading {}", r.as_deref().unwrap_or("refuses")),
                            None => String::new(),
                        }
                    ));
            }
        }
    }

    let total = cases.len();
    let share = agree as f64 / total as f64;
    let valid = cases.iter().filter(|c| c.oracle.is_some()).count();
    println!(
        "{agree} of {total} inputs ({valid} valid for libphonenumber) agree: {:.3} %; \
         {by_reading} of them by numbot's readings (a) and (b); \
         {display_differs} with another display form",
        share * 100.0
    );
    for ((class, shape), examples) in &disagreements {
        println!("{class}, {shape}: {}", examples.len());
        for example in examples.iter().take(5) {
            println!("    {example}");
        }
    }
    assert!(
        share >= REQUIRED_AGREEMENT,
        "agreement {:.3} % is under {:.1} %",
        share * 100.0,
        REQUIRED_AGREEMENT * 100.0
    );
}
