#!/usr/bin/env bash
# Runs every check and test of numbot on a fresh machine: installs what the
# tests drive (the MongoDB-wire server, Python clients and tools, Chromium)
# in the background while the Rust build runs, builds the plugins, checks
# formatting, builds everything once with clippy's lints on, runs the tests
# and a demo smoke run. Each step says how long it usually takes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh
mkdir -p target
steps 6

# A one-off build gains nothing from incremental caches, which cost ~1.4 GiB.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# The whole run needs about 6 GiB of disk (see README); say so before a
# build dies of ENOSPC halfway through.
free_kib=$(df -Pk . | awk 'NR == 2 { print $4 }')
echo "== disk: $((free_kib / 1024)) MiB free here"
if [ "$free_kib" -lt $((6 * 1024 * 1024)) ]; then
    echo "warning: less than 6 GiB free; the build may run out of disk" >&2
fi

step "install the test tools in the background" "2 min; its log: target/setup.log"
# Downloads and installs (network- and disk-bound) run while the build
# keeps the cores busy; the tests wait for them.
bash scripts/test-tools.sh > target/setup.log 2>&1 &
tools=$!

step "cargo fmt --check" "seconds"
cargo fmt --all -- --check

step "build the plugins in the background, and everything else with clippy's lints as errors" \
    "8 min on a fresh clone; the plugins' log: target/plugins.log"
use_lld
# The guests have a target directory of their own: the two builds run
# side by side, each filling the cores the other leaves idle. The plugin
# builder itself builds here in the shared target directory (not in its
# own, as `cargo build-plugins` does for the demo): the workspace's build
# below compiles the same crates, so they are compiled once.
cargo run -p numbot-plugin-build -- > target/plugins.log 2>&1 &
plugins=$!
# Clippy's lints run inside the one build (its driver wraps rustc for the
# workspace's own crates), so the dependencies are compiled once, not once
# to check and again to build. The tests below run with the same settings
# and reuse every artifact; scripts/demo.sh afterwards reuses every
# dependency.
if ! lint_own_crates; then
    echo "clippy is not installed: rustup component add clippy" >&2
    exit 1
fi
cargo build --workspace --bins --tests
# The benches are linted too, compiled like the tests (the bench profile
# would build every dependency again, optimised).
cargo build --workspace --benches --profile dev
if ! wait "$plugins"; then
    cat target/plugins.log >&2
    echo "building the plugins failed (target/plugins.log)" >&2
    exit 1
fi

step "wait for the test tools" "done by now"
if ! wait "$tools"; then
    cat target/setup.log >&2
    echo "installing the test tools failed (target/setup.log)" >&2
    exit 1
fi

step "cargo test" "6 min"
cargo test --workspace 2>&1 | tee target/test-output.txt
test "${PIPESTATUS[0]}" -eq 0

step "demo smoke run" "20 s"
./target/debug/numbot-demo > target/demo-transcript.txt
cat target/demo-transcript.txt
grep -q "Demo complete" target/demo-transcript.txt

# The full-disk test needs root to mount its tmpfs: whether it ran, said plainly.
cat target/full-disk-test.txt 2>/dev/null && echo || echo "full-disk test: did not report"

# One closing line for the whole run: the sum of every test binary's results.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' target/test-output.txt
echo "== disk: target/ holds $(du -sh target | cut -f1); $(elapsed) in all"
