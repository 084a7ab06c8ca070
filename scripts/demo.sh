#!/usr/bin/env bash
# The main job: builds the plugins (installing the wasm32 toolchain when
# missing) and runs numbot's offline demo on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building the plugins (the first run installs the wasm32 toolchain and compiles for a few minutes)" >&2
cargo build-plugins --no-fixtures
echo "== building and running the demo" >&2
cargo run -p numbot-testing --bin numbot-demo -- "$@"
