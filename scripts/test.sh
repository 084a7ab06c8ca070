#!/usr/bin/env bash
# Runs every check and test of numbot on a fresh machine: installs the wasm32
# toolchain when missing (through `cargo build-plugins`) and the MongoDB-wire
# test server (SecantusDB, in .venv), builds the plugins, then formatting,
# clippy, the tests and a demo smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

# A one-off build gains nothing from incremental caches, which cost ~1.4 GiB.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# The whole run needs about 4 GiB of disk (see README); say so before a build
# dies of ENOSPC halfway through.
free_kib=$(df -Pk . | awk 'NR == 2 { print $4 }')
echo "== disk: $((free_kib / 1024)) MiB free here"
if [ "$free_kib" -lt $((4 * 1024 * 1024)) ]; then
    echo "warning: less than 4 GiB free; the build may run out of disk" >&2
fi

# The API client examples' test runs them as a CI job would: curl and jq.
missing=""
for tool in curl jq; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
if [ -n "$missing" ]; then
    echo "== installing$missing"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq $missing >/dev/null;
    else sudo apt-get update -qq && sudo apt-get install -y -qq $missing >/dev/null; fi
fi

echo "== MongoDB-wire test server (SecantusDB, pinned) in .venv"
# A real MongoDB-wire server for the MongoDB tests: a test dependency, never linked.
SECANTUS_VERSION="0.7.0b3"
if ! .venv/bin/python -c "import importlib.metadata as m; assert m.version('SecantusDB') == '$SECANTUS_VERSION'" 2>/dev/null; then
    if ! python3 -m venv .venv 2>/dev/null; then
        # Debian's python3 ships venv separately.
        rm -rf .venv
        if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null;
        else sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv >/dev/null; fi
        python3 -m venv .venv
    fi
    .venv/bin/pip install --quiet --disable-pip-version-check "SecantusDB==$SECANTUS_VERSION"
fi
test -x .venv/bin/secantusd-py
# libphonenumber, the formatter's oracle (plugins/formatter/tests/oracle.rs): the release whose metadata the phonenumber crate embeds.
# The clients people already have, as the tests drive them (tests only; none
# is vendored): an SMS-Activate library (tests/all/sms_activate.rs), and an
# OpenAPI validator, fuzzer and client generator (tests/all/openapi.rs).
.venv/bin/pip install --quiet --disable-pip-version-check "phonenumbers==9.0.33" \
    "aiosmsactivate==1.5.1" "openapi-spec-validator==0.9.0" "schemathesis==4.32.5" \
    "openapi-python-client==0.29.1"

echo "== build plugins (default, examples, hostile fixtures)"
cargo build-plugins

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "== build the binaries (numbot, claim-loop, numbot-demo) and the tests"
# The tests run the binaries as users would. Built together with the tests,
# the dependencies get the tests' features and are built once.
cargo build --workspace --bins --tests

echo "== cargo test"
cargo test --workspace 2>&1 | tee target/test-output.txt
test "${PIPESTATUS[0]}" -eq 0

echo "== demo smoke run"
./target/debug/numbot-demo > target/demo-transcript.txt
cat target/demo-transcript.txt
grep -q "Demo complete" target/demo-transcript.txt

# The full-disk test needs root to mount its tmpfs: whether it ran, said plainly.
cat target/full-disk-test.txt 2>/dev/null && echo || echo "full-disk test: did not report"

# One closing line for the whole run: the sum of every test binary's results.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' target/test-output.txt
echo "== disk: target/ holds $(du -sh target | cut -f1)"
