#!/usr/bin/env bash
# The main job: builds the plugins (installing the wasm32 toolchain when
# missing) and runs numbot's offline demo on the embedded default. Each
# step says how long it usually takes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh
steps 3
# A one-off build gains nothing from incremental caches.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
step "build the plugins (the first run installs the wasm32 toolchain)" "3 min" >&2
cargo build-plugins --no-fixtures
step "build the demo (numbot, its fakes of Telegram and an SMS provider)" "7 min on a fresh clone" >&2
cargo build -p numbot-testing --bin numbot-demo
step "run the demo" "20 s" >&2
exec ./target/debug/numbot-demo "$@"
