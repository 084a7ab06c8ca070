#!/usr/bin/env bash
# The main job: builds the plugins (installing the wasm32 toolchain when
# missing) and runs numbot's offline demo on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build-plugins
cargo run --quiet -p numbot -- demo "$@"
