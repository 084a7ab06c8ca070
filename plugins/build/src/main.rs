//! `cargo build-plugins`: compiles every guest crate of the workspace (those
//! with `[package.metadata.numbot]`) to wasm32, turns each core module into a
//! component and writes it beside a manifest:
//!
//! - `plugins/*`        -> `target/plugins/`          (the defaults numbot loads)
//! - `examples/*`       -> `target/plugins-examples/`
//! - `tests/fixtures/*` -> `target/plugins-fixtures/`
//!
//! `--no-fixtures` leaves the hostile test fixtures out (the demo needs
//! only the defaults and the examples). Guests build in the `plugin-quick`
//! profile (optimised, no LTO, parallel code generation: quick to build);
//! `--release` builds them in the `plugin` profile (LTO, one code
//! generation unit: smaller and faster) for images and benchmarks. `--dir DIR` builds only the guest
//! crates in DIR: a crate of its own outside the workspace (such as `numbot
//! plugins new` writes) goes to `DIR/target/plugins/`, compiled in this
//! workspace's `target/wasm` so that the standard library and the SDK are
//! built once for both. `--out OUT` writes the components there instead, a
//! plugin directory a running numbot watches for example: each manifest is
//! written before its component, both through a rename.
//!
//! The wasm32 toolchain is detected: a rustup toolchain with the
//! `wasm32-unknown-unknown` target is used when present; otherwise Debian's
//! `rustc-web` with `-Zbuild-std`, installed with apt-get when missing and
//! running as root.

mod toolchain;

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// The WIT package version every plugin built here implements.
const API_VERSION: &str = "0.1.0";

const USAGE: &str = "usage: cargo build-plugins [--release] [--no-fixtures] [--dir DIR] [--out OUT]
  --release      the `plugin` profile (LTO): for images and benchmarks
  --no-fixtures  leave out the hostile test fixtures
  --dir DIR      only the guest crates in DIR (a crate of its own goes to DIR/target/plugins)
  --out OUT      write the components and manifests to OUT";

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_root: PathBuf,
    target_directory: PathBuf,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    manifest_path: PathBuf,
    metadata: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct NumbotMeta {
    id: String,
    world: String,
    memory_mib: u64,
    timeout_ms: u64,
}

struct Guest {
    crate_name: String,
    version: String,
    manifest_path: PathBuf,
    meta: NumbotMeta,
    out_dir: PathBuf,
}

/// What the command line asks for.
#[derive(Default)]
struct Args {
    no_fixtures: bool,
    release: bool,
    dir: Option<PathBuf>,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args::default();
    let mut words = std::env::args_os().skip(1);
    while let Some(word) = words.next() {
        let mut value = |flag: &str| {
            words
                .next()
                .map(PathBuf::from)
                .with_context(|| format!("{flag} needs a directory\n{USAGE}"))
        };
        match word.to_str() {
            Some("--no-fixtures") => args.no_fixtures = true,
            Some("--release") => args.release = true,
            Some("--dir") => args.dir = Some(value("--dir")?),
            Some("--out") => args.out = Some(value("--out")?),
            Some("-h" | "--help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => bail!("unknown argument {word:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let home = cargo_metadata(None)?;
    let (root, mut guests) = match &args.dir {
        Some(dir) => dir_guests(&home, dir)?,
        None => (home.workspace_root.clone(), guests(&home, true)?),
    };
    if args.no_fixtures {
        let fixtures = home.target_directory.join("plugins-fixtures");
        guests.retain(|g| g.out_dir != fixtures);
    }
    if let Some(out) = &args.out {
        for guest in &mut guests {
            guest.out_dir = out.clone();
        }
    }
    if guests.is_empty() {
        bail!(
            "no crate with [package.metadata.numbot] in {}",
            root.display()
        );
    }
    let toolchain = toolchain::detect()?;
    let profile = if args.release {
        "plugin"
    } else {
        "plugin-quick"
    };
    eprintln!(
        "building {} plugins with {} (profile {profile})",
        guests.len(),
        toolchain.describe()
    );
    let wasm_target = home.target_directory.join("wasm");
    let names: Vec<&str> = guests.iter().map(|g| g.crate_name.as_str()).collect();
    toolchain.build(&root, &wasm_target, profile, &names)?;

    for guest in &guests {
        let core = wasm_target
            .join("wasm32-unknown-unknown")
            .join(profile)
            .join(format!("{}.wasm", guest.crate_name.replace('-', "_")));
        write_plugin(guest, &core, &home.workspace_root)?;
    }
    Ok(())
}

/// Componentizes one guest's core module and writes it with its manifest
/// (the path printed relative to numbot's workspace, `root`).
fn write_plugin(guest: &Guest, core: &Path, root: &Path) -> Result<()> {
    let module = fs::read(core).with_context(|| format!("read {}", core.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .with_context(|| format!("componentize {}", guest.crate_name))?;
    fs::create_dir_all(&guest.out_dir)
        .with_context(|| format!("create {}", guest.out_dir.display()))?;
    let wasm_path = guest.out_dir.join(format!("{}.wasm", guest.meta.id));
    // Manifest first: a host that reloads on a changed `.wasm` then reads
    // the new code with its own limits.
    write_atomic(
        &guest.out_dir.join(format!("{}.toml", guest.meta.id)),
        manifest(guest).as_bytes(),
    )?;
    write_atomic(&wasm_path, &component)?;
    eprintln!(
        "  {:<22} {:>9} bytes  {}",
        guest.meta.id,
        component.len(),
        wasm_path.strip_prefix(root).unwrap_or(&wasm_path).display()
    );
    Ok(())
}

/// The workspace of `manifest` (else of the current directory).
fn cargo_metadata(manifest: Option<&Path>) -> Result<Metadata> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(path) = manifest {
        command.arg("--manifest-path").arg(path);
    }
    let out = command.output().context("run cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// The guest crates under `dir` and the root of the workspace they build
/// in. A crate of numbot's workspace keeps its usual output directory; one
/// of its own may not take the name of one of numbot's (they share the
/// compiled `target/wasm`).
fn dir_guests(home: &Metadata, dir: &Path) -> Result<(PathBuf, Vec<Guest>)> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("--dir {}", dir.display()))?;
    let metadata = cargo_metadata(Some(&dir.join("Cargo.toml")))?;
    let in_home = metadata.workspace_root == home.workspace_root;
    let mut guests = guests(&metadata, in_home)?;
    guests.retain(|g| g.manifest_path.starts_with(&dir));
    if !in_home {
        if let Some(taken) = guests
            .iter()
            .find(|g| home.packages.iter().any(|p| p.name == g.crate_name))
        {
            bail!(
                "{}: the crate name `{}` is taken by numbot's workspace; rename the crate",
                taken.manifest_path.display(),
                taken.crate_name
            );
        }
    }
    Ok((metadata.workspace_root, guests))
}

/// The workspace's guest crates; in numbot's own (`home`) each goes to the
/// output directory of where it lives, in another to its `target/plugins`.
fn guests(metadata: &Metadata, home: bool) -> Result<Vec<Guest>> {
    let target = &metadata.target_directory;
    let mut guests = Vec::new();
    for package in &metadata.packages {
        let Some(numbot) = package.metadata.as_ref().and_then(|m| m.get("numbot")) else {
            continue;
        };
        let meta: NumbotMeta = serde_json::from_value(numbot.clone())
            .with_context(|| format!("[package.metadata.numbot] of {}", package.name))?;
        let relative = package
            .manifest_path
            .strip_prefix(&metadata.workspace_root)
            .unwrap_or(&package.manifest_path);
        let out_dir = match relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
        {
            _ if !home => metadata.workspace_root.join("target").join("plugins"),
            Some("plugins") => target.join("plugins"),
            Some("examples") => target.join("plugins-examples"),
            Some("tests") => target.join("plugins-fixtures"),
            _ => bail!(
                "{}: guest crates live under plugins/, examples/ or tests/",
                package.name
            ),
        };
        guests.push(Guest {
            crate_name: package.name.clone(),
            version: package.version.clone(),
            manifest_path: package.manifest_path.clone(),
            meta,
            out_dir,
        });
    }
    guests.sort_by(|a, b| a.crate_name.cmp(&b.crate_name));
    Ok(guests)
}

fn manifest(guest: &Guest) -> String {
    format!(
        "# Written by `cargo build-plugins` from the {crate_name} crate.\n\
         id = \"{id}\"\nversion = \"{version}\"\nworld = \"{world}\"\napi = \"{API_VERSION}\"\n\n\
         [limits]\nmemory_mib = {memory}\ntimeout_ms = {timeout}\n",
        crate_name = guest.crate_name,
        id = guest.meta.id,
        version = guest.version,
        world = guest.meta.world,
        memory = guest.meta.memory_mib,
        timeout = guest.meta.timeout_ms,
    )
}

/// Writes through a temporary file and a rename, so that a running host's
/// hot reload never reads a half-written plugin.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).with_context(|| format!("write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("rename to {}", path.display()))?;
    Ok(())
}
