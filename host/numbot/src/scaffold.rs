//! `numbot plugins new`: a guest crate to start a plugin from. It depends
//! on the SDK by path, carries its manifest defaults, a working plugin of
//! its world with a unit test, and a README saying how to build and load it.
//!
//! The SDK comes from a numbot checkout: `--sdk`, else the checkout this
//! binary was built from, else one that holds the binary. The path is
//! relative when the crate is inside that checkout (they move together),
//! absolute otherwise (the crate's README says how to change it).

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use numbot_plugin_host::WorldKind;

/// Why no crate was written.
#[derive(Debug, thiserror::Error)]
pub enum NewPluginError {
    /// The name cannot be a crate name and plugin id.
    #[error("`{name}` cannot name a plugin: {why}")]
    BadName {
        /// The name given.
        name: String,
        /// The rule it breaks.
        why: String,
    },
    /// The target directory holds something already.
    #[error("{}: exists and is not empty; choose another --dir", path.display())]
    NotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// `--sdk` names something else.
    #[error("--sdk {}: no numbot-plugin-sdk there (give a numbot checkout or its plugins/sdk)", path.display())]
    NotSdk {
        /// The path given.
        path: PathBuf,
    },
    /// No checkout was found.
    #[error("no numbot checkout found to take the SDK from (this binary was built in {built_in}): pass --sdk PATH to a numbot checkout")]
    NoSdk {
        /// Where the binary was built.
        built_in: String,
    },
    /// A file could not be written.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        error: io::Error,
    },
}

/// What a new crate of one world starts with.
struct Kind {
    source: &'static str,
    memory_mib: u64,
    timeout_ms: u64,
    what: &'static str,
    try_it: &'static str,
}

fn kind(world: WorldKind) -> Kind {
    match world {
        WorldKind::Policy => Kind {
            source: include_str!("../templates/policy.rs"),
            memory_mib: 16,
            timeout_ms: 100,
            what: "the file with the most numbers available, a random number in it",
            try_it: r#"echo '{"category": "c", "candidates": [{"available": 3}, {"available": 9}]}' \
  | numbot plugins run policy --plugin __NAME__ --plugin-dir __DIR__/target/plugins"#,
        },
        WorldKind::Formatter => Kind {
            source: include_str!("../templates/formatter.rs"),
            memory_mib: 16,
            timeout_ms: 1000,
            what: "the numbers of one country (`COUNTRY` in the code) in a display style of its own",
            try_it: "echo '050 123 4567' \\\n  | numbot plugins run formatter --plugin __NAME__ --plugin-dir __DIR__/target/plugins",
        },
        WorldKind::Validator => Kind {
            source: include_str!("../templates/validator.rs"),
            memory_mib: 256,
            timeout_ms: 10_000,
            what: "uploaded files of one phone number a line",
            try_it: "numbot plugins run validator --plugin __NAME__ --plugin-dir __DIR__/target/plugins numbers.txt",
        },
        WorldKind::Extractor => Kind {
            source: include_str!("../templates/extractor.rs"),
            memory_mib: 16,
            timeout_ms: 100,
            what: "the verification code of an SMS, the first group of 4 to 8 digits",
            try_it: r#"echo '{"text": "Your code is 482913"}' \
  | numbot plugins run extractor --plugin __NAME__ --plugin-dir __DIR__/target/plugins"#,
        },
    }
}

/// Names Rust or Cargo reserve, refused as crate names.
const RESERVED: &str = "abstract alloc as async await become box break const continue core crate \
    do dyn else enum extern false final fn for gen if impl in let loop macro match mod move mut \
    override priv proc_macro pub ref return self static std struct super test trait true try type \
    typeof unsafe unsized use virtual where while yield";

/// A plugin name is its crate name and its id: lower-case ASCII letters,
/// digits, `-` and `_`, a letter first; `numbot-` is for numbot's own.
pub fn check_name(name: &str) -> Result<(), NewPluginError> {
    let bad = |why: &str| {
        Err(NewPluginError::BadName {
            name: name.to_string(),
            why: why.to_string(),
        })
    };
    if name.is_empty() || name.len() > 64 {
        return bad("a name has 1 to 64 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return bad("it must start with a lower-case letter");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return bad("use lower-case ASCII letters, digits, `-` and `_`");
    }
    if name.starts_with("numbot-") || name.starts_with("numbot_") {
        return bad("`numbot-` names are numbot's own plugins");
    }
    if RESERVED
        .split_whitespace()
        .any(|w| w == name.replace('-', "_"))
    {
        return bad("Rust or Cargo reserves it");
    }
    Ok(())
}

/// The Rust type of the plugin: the name in CamelCase, with `Plugin` after
/// it when that is a name the template already uses (`Policy`, `Request`).
fn type_name(name: &str) -> String {
    let camel: String = name
        .split(['-', '_'])
        .flat_map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect();
    const USED: &str = "Candidate Choice Countries DuplicateRow Extractor Formatted Formatter \
        HashMap NumberRow Policy RejectedRow Request SplitMix64 Validation Validator";
    if USED.split_whitespace().any(|w| w == camel) {
        camel + "Plugin"
    } else {
        camel
    }
}

fn is_sdk(dir: &Path) -> bool {
    fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|t| t.contains("name = \"numbot-plugin-sdk\""))
}

/// The SDK's directory: `explicit` (a checkout or its `plugins/sdk`), else
/// the checkout this binary was built from, else one that holds the binary.
pub fn find_sdk(explicit: Option<&Path>) -> Result<PathBuf, NewPluginError> {
    let found = match explicit {
        Some(path) => [path.to_path_buf(), path.join("plugins/sdk")]
            .into_iter()
            .find(|p| is_sdk(p))
            .ok_or_else(|| NewPluginError::NotSdk {
                path: path.to_path_buf(),
            })?,
        None => {
            let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let holding_binary = std::env::current_exe().ok().and_then(|exe| {
                exe.ancestors()
                    .map(|dir| dir.join("plugins/sdk"))
                    .find(|p| is_sdk(p))
            });
            Some(built_in.join("plugins/sdk"))
                .filter(|p| is_sdk(p))
                .or(holding_binary)
                .ok_or_else(|| NewPluginError::NoSdk {
                    built_in: built_in.display().to_string(),
                })?
        }
    };
    found.canonicalize().map_err(|error| NewPluginError::Io {
        path: found.clone(),
        error,
    })
}

/// How the crate in `dir` names the SDK: relative inside the SDK's
/// checkout, absolute elsewhere. Both paths are canonical.
fn sdk_path_for(dir: &Path, sdk: &Path) -> PathBuf {
    let checkout = sdk.parent().and_then(Path::parent);
    let Some((checkout, below)) = checkout.and_then(|c| Some((c, dir.strip_prefix(c).ok()?)))
    else {
        return sdk.to_path_buf();
    };
    let mut path: PathBuf = below.components().map(|_| "..").collect();
    path.push(sdk.strip_prefix(checkout).unwrap_or(sdk));
    path
}

/// Creates `dir`, refusing one that exists with anything in it.
fn make_empty_dir(dir: &Path) -> Result<PathBuf, NewPluginError> {
    let failed = |error| NewPluginError::Io {
        path: dir.to_path_buf(),
        error,
    };
    match fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => {
            return Err(NewPluginError::NotEmpty {
                path: dir.to_path_buf(),
            })
        }
        Ok(false) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(dir).map_err(failed)?,
        Err(e) => return Err(failed(e)),
    }
    dir.canonicalize().map_err(failed)
}

/// Writes a `world` plugin crate named `name` into `dir` (created; it must
/// not hold anything), depending on the SDK at `sdk`. The files written.
pub fn write_crate(
    world: WorldKind,
    name: &str,
    dir: &Path,
    sdk: &Path,
) -> Result<Vec<PathBuf>, NewPluginError> {
    check_name(name)?;
    let dir = make_empty_dir(dir)?;
    let kind = kind(world);
    let sdk_path = sdk_path_for(&dir, sdk).display().to_string();
    let fill = |template: &str| {
        template
            .replace("__TRY__", kind.try_it)
            .replace("__WHAT__", kind.what)
            .replace("__NAME__", name)
            .replace("__TYPE__", &type_name(name))
            .replace("__WORLD__", world.as_str())
            .replace(
                "__SDK__",
                &toml::Value::String(sdk_path.clone()).to_string(),
            )
            .replace("__MEMORY__", &kind.memory_mib.to_string())
            .replace("__TIMEOUT__", &kind.timeout_ms.to_string())
            .replace("__DIR__", &dir.display().to_string())
    };
    let mut files = vec![
        (
            "Cargo.toml",
            fill(include_str!("../templates/Cargo.toml.in")),
        ),
        ("src/lib.rs", fill(kind.source)),
        ("README.md", fill(include_str!("../templates/README.md.in"))),
        (".gitignore", "/target\n".to_string()),
    ];
    // numbot's lockfile: the versions numbot is built and tested with.
    if let Some(lock) = sdk.ancestors().nth(2).map(|c| c.join("Cargo.lock")) {
        if let Ok(text) = fs::read_to_string(&lock) {
            files.push(("Cargo.lock", text));
        }
    }
    let mut written = Vec::new();
    for (file, text) in files {
        let path = dir.join(file);
        let write = |path: &Path| {
            fs::create_dir_all(path.parent().unwrap_or(&dir))?;
            fs::write(path, text)
        };
        write(&path).map_err(|error| NewPluginError::Io {
            path: path.clone(),
            error,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_crate_names_and_plugin_ids() {
        for good in ["busiest-first", "ae_local", "p2"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("", "1 to 64"),
            ("Busiest", "lower-case letter"),
            ("2fast", "lower-case letter"),
            ("my policy", "ASCII letters"),
            ("../escape", "lower-case letter"),
            ("numbot-policy", "numbot's own"),
            ("fn", "reserves"),
        ] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn type_names_never_clash_with_the_templates() {
        assert_eq!(type_name("busiest-first"), "BusiestFirst");
        assert_eq!(type_name("ae_local2"), "AeLocal2");
        assert_eq!(type_name("policy"), "PolicyPlugin");
    }

    #[test]
    fn the_sdk_path_is_relative_inside_its_checkout() {
        let sdk = Path::new("/src/numbot/plugins/sdk");
        assert_eq!(
            sdk_path_for(Path::new("/src/numbot/examples/mine"), sdk),
            Path::new("../../plugins/sdk")
        );
        assert_eq!(sdk_path_for(Path::new("/home/me/mine"), sdk), sdk);
    }

    #[test]
    fn a_crate_is_written_with_its_manifest_defaults() {
        let sdk = find_sdk(None).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("busiest-first");
        let files = write_crate(WorldKind::Policy, "busiest-first", &dir, &sdk).unwrap();
        assert_eq!(files.len(), 5, "{files:?}");
        let cargo: toml::Table = fs::read_to_string(dir.join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
        let meta = &cargo["package"]["metadata"]["numbot"];
        assert_eq!(meta["id"].as_str(), Some("busiest-first"));
        assert_eq!(meta["world"].as_str(), Some("policy"));
        assert_eq!(meta["memory_mib"].as_integer(), Some(16));
        let sdk_path = cargo["dependencies"]["numbot-plugin-sdk"]["path"]
            .as_str()
            .unwrap();
        assert!(is_sdk(Path::new(sdk_path)), "{sdk_path}");
        let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(lib.contains("export_policy!(BusiestFirst);"));
        for file in ["Cargo.toml", "src/lib.rs", "README.md"] {
            let text = fs::read_to_string(dir.join(file)).unwrap();
            assert!(!text.contains("__"), "a placeholder left in {file}: {text}");
        }

        let again = write_crate(WorldKind::Policy, "busiest-first", &dir, &sdk).unwrap_err();
        assert!(matches!(again, NewPluginError::NotEmpty { .. }), "{again}");
    }
}
