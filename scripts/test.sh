#!/usr/bin/env bash
# Runs every check and test of numbot on a fresh machine: installs the wasm32
# toolchain when missing (through `cargo build-plugins`), builds the plugins,
# then formatting, clippy, the tests and a demo smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build plugins (default, examples, hostile fixtures)"
cargo build-plugins

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test"
cargo test --workspace

echo "== demo smoke run"
# The binary the tests built (same features: no second build of the dependencies).
./target/debug/numbot demo > target/demo-transcript.txt
cat target/demo-transcript.txt
grep -q "Demo complete" target/demo-transcript.txt
