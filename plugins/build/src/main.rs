//! `cargo build-plugins`: compiles every guest crate of the workspace (those
//! with `[package.metadata.numbot]`) to wasm32, turns each core module into a
//! component and writes it beside a manifest:
//!
//! - `plugins/*`        -> `target/plugins/`          (the defaults numbot loads)
//! - `examples/*`       -> `target/plugins-examples/`
//! - `tests/fixtures/*` -> `target/plugins-fixtures/`
//!
//! `--no-fixtures` leaves the hostile test fixtures out (the demo needs
//! only the defaults and the examples).
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
    meta: NumbotMeta,
    out_dir: PathBuf,
}

fn main() -> Result<()> {
    let no_fixtures = std::env::args().skip(1).any(|a| a == "--no-fixtures");
    let metadata = cargo_metadata()?;
    let mut guests = guests(&metadata)?;
    if no_fixtures {
        let fixtures = metadata.target_directory.join("plugins-fixtures");
        guests.retain(|g| g.out_dir != fixtures);
    }
    if guests.is_empty() {
        bail!("no crate with [package.metadata.numbot] in the workspace");
    }
    let toolchain = toolchain::detect()?;
    eprintln!(
        "building {} plugins with {}",
        guests.len(),
        toolchain.describe()
    );
    let wasm_target = metadata.target_directory.join("wasm");
    let names: Vec<&str> = guests.iter().map(|g| g.crate_name.as_str()).collect();
    toolchain.build(&metadata.workspace_root, &wasm_target, &names)?;

    for guest in &guests {
        let core = wasm_target
            .join("wasm32-unknown-unknown/plugin")
            .join(format!("{}.wasm", guest.crate_name.replace('-', "_")));
        let module = fs::read(&core).with_context(|| format!("read {}", core.display()))?;
        let component = wit_component::ComponentEncoder::default()
            .module(&module)
            .and_then(|e| e.validate(true).encode())
            .with_context(|| format!("componentize {}", guest.crate_name))?;
        fs::create_dir_all(&guest.out_dir)?;
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
            wasm_path
                .strip_prefix(&metadata.workspace_root)
                .unwrap_or(&wasm_path)
                .display()
        );
    }
    Ok(())
}

fn cargo_metadata() -> Result<Metadata> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("run cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn guests(metadata: &Metadata) -> Result<Vec<Guest>> {
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
