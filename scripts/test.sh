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
cargo test --workspace 2>&1 | tee target/test-output.txt
test "${PIPESTATUS[0]}" -eq 0

echo "== demo smoke run"
# The binary the tests built (same features: no second build of the dependencies).
./target/debug/numbot demo > target/demo-transcript.txt
cat target/demo-transcript.txt
grep -q "Demo complete" target/demo-transcript.txt

# One closing line for the whole run: the sum of every test binary's results.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' target/test-output.txt
