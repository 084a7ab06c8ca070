#!/usr/bin/env bash
# What the tests drive, installed on a fresh machine (test.sh runs it in the
# background, beside the build): curl and jq (the API client examples),
# Chromium with its WebDriver and the Noto fonts (the Mini App's browser
# tests: Arabic, Devanagari and Bengali render), and in .venv the
# MongoDB-wire server (SecantusDB), libphonenumber (the formatter's
# oracle) and the clients the API tests run. Each is pinned.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_get() {
    # Another install (the wasm32 toolchain) may hold apt's lock: wait.
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 "$@"
}

missing=()
for tool in curl jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
python3 -m venv --help >/dev/null 2>&1 && python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== Python test tools in .venv"
SECANTUS_VERSION="0.7.0b3"
[ -x .venv/bin/python ] || python3 -m venv .venv
# A real MongoDB-wire server for the MongoDB tests: a test dependency, never linked.
# libphonenumber, the formatter's oracle (plugins/formatter/tests/oracle.rs):
# the release whose metadata the phonenumber crate embeds.
# The clients people already have, as the tests drive them (none is vendored):
# an SMS-Activate library (tests/all/sms_activate.rs), and an OpenAPI
# validator, fuzzer and client generator (tests/all/openapi.rs).
.venv/bin/pip install --quiet --disable-pip-version-check \
    "SecantusDB==$SECANTUS_VERSION" "phonenumbers==9.0.33" "aiosmsactivate==1.5.1" \
    "openapi-spec-validator==0.9.0" "schemathesis==4.32.5" "openapi-python-client==0.29.1"
test -x .venv/bin/secantusd-py
echo "== test tools ready"
