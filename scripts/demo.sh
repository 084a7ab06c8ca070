#!/usr/bin/env bash
# The main job: builds the plugins (installing the wasm32 toolchain when
# missing) and numbot's demo side by side, then runs the offline demo on
# the embedded default. Each step says how long it usually takes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh
steps 3
mkdir -p target
# A one-off build gains nothing from incremental caches.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
use_lld >&2

step "build the plugins, in the background (the first run installs the wasm32 toolchain)" \
    "4 min; its log: target/plugins.log" >&2
# The two builds are independent (the guests have a target directory of
# their own); side by side, each fills the cores the other leaves idle.
cargo build-plugins --no-fixtures > target/plugins.log 2>&1 &
plugins=$!

step "build the demo (numbot, its fakes of Telegram and an SMS provider)" "7 min on a fresh clone, 30 s after scripts/test.sh" >&2
# The same features as scripts/test.sh builds every dependency with (see
# host/workspace-hack): after the tests only numbot's own crates compile
# (the tests compiled them through clippy's driver), and the tests after
# the demo reuse every dependency.
cargo build -p numbot-testing --bin numbot-demo
if ! wait "$plugins"; then
    cat target/plugins.log >&2
    echo "building the plugins failed (target/plugins.log)" >&2
    exit 1
fi

step "run the demo" "10 s" >&2
exec ./target/debug/numbot-demo "$@"
