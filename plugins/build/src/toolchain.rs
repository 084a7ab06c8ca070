//! Finding (or installing) a compiler that targets wasm32-unknown-unknown.

use std::{
    path::Path,
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};

const TARGET: &str = "wasm32-unknown-unknown";
/// Debian's packages that carry a wasm32-capable rustc, its std sources and wasm-ld.
const DEBIAN_PACKAGES: &[&str] = &["rustc-web", "cargo-web", "rust-web-src", "lld"];

/// apt-get waits for the package lock instead of failing while another
/// install holds it.
const APT_WAITS: [&str; 2] = ["-o", "DPkg::Lock::Timeout=900"];

/// How guests get compiled on this machine.
pub enum Toolchain {
    /// rustup with the wasm32 target installed: plain `cargo build --target`.
    Rustup,
    /// Debian's rustc-web: nightly features unlocked to build std from source.
    Debian,
}

/// Picks the rustup target when installed, else Debian's toolchain (installing it when possible).
pub fn detect() -> Result<Toolchain> {
    if rustup_has_target() {
        return Ok(Toolchain::Rustup);
    }
    if debian_ready() {
        return Ok(Toolchain::Debian);
    }
    if is_root() && which("apt-get") {
        eprintln!(
            "no wasm32 target: installing {} with apt-get",
            DEBIAN_PACKAGES.join(" ")
        );
        // Another install (the test tools) may hold apt's lock: wait for it.
        let update = Command::new("apt-get")
            .args(APT_WAITS)
            .args(["update", "-qq"])
            .status()?;
        if !update.success() {
            bail!("apt-get update failed");
        }
        let install = Command::new("apt-get")
            .args(APT_WAITS)
            .args(["install", "-y", "-qq"])
            .args(DEBIAN_PACKAGES)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()?;
        if install.success() && debian_ready() {
            return Ok(Toolchain::Debian);
        }
    }
    bail!(
        "no compiler for {TARGET}: run `rustup target add {TARGET}`, or on Debian \
         `apt-get install {}`",
        DEBIAN_PACKAGES.join(" ")
    )
}

impl Toolchain {
    /// A short description for the build log.
    pub fn describe(&self) -> &'static str {
        match self {
            Toolchain::Rustup => "rustup's wasm32-unknown-unknown target",
            Toolchain::Debian => "Debian's rustc-web (-Zbuild-std)",
        }
    }

    /// Builds the given crates for wasm32 with `profile`.
    pub fn build(
        &self,
        workspace: &Path,
        target_dir: &Path,
        profile: &str,
        crates: &[&str],
    ) -> Result<()> {
        let mut cmd = match self {
            Toolchain::Rustup => {
                let mut cmd = Command::new("cargo");
                cmd.arg("build");
                cmd
            }
            Toolchain::Debian => {
                let mut cmd = Command::new("/usr/bin/cargo");
                cmd.arg("build")
                    .arg("-Zbuild-std=std,panic_abort")
                    .env("RUSTC_BOOTSTRAP", "1")
                    .env("RUSTC", "/usr/bin/rustc")
                    .env("RUSTFLAGS", "-C linker=wasm-ld")
                    .env_remove("RUSTUP_TOOLCHAIN")
                    .env_remove("CARGO");
                cmd
            }
        };
        cmd.current_dir(workspace)
            .args(["--profile", profile, "--target", TARGET])
            .arg("--target-dir")
            .arg(target_dir)
            .env_remove("CARGO_TARGET_DIR")
            // A wrapper set for the host's build (clippy's driver, sccache)
            // is a host rustc: it would compile the guests against the
            // host's sysroot, where Debian's toolchain has no library source.
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove("CLIPPY_ARGS");
        for name in crates {
            cmd.args(["-p", name]);
        }
        let status = cmd.status().context("run cargo for wasm32")?;
        if !status.success() {
            bail!("building the plugins for {TARGET} failed ({status})");
        }
        Ok(())
    }
}

fn rustup_has_target() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .stderr(Stdio::null())
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
        })
        .unwrap_or(false)
}

fn debian_ready() -> bool {
    Path::new("/usr/bin/rustc").exists()
        && Path::new("/usr/bin/cargo").exists()
        && Path::new("/usr/lib/rustlib/src/rust/library").exists()
        && which("wasm-ld")
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
