# Numbered steps with the time each usually takes and the time spent so
# far, for the set-up scripts (sourced).
_steps_total=0
_steps_done=0
_steps_started=$(date +%s)

steps() {
    _steps_total=$1
}

elapsed() {
    local s=$(( $(date +%s) - _steps_started ))
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# step "what" "how long it usually takes"
step() {
    _steps_done=$((_steps_done + 1))
    echo "== [$_steps_done/$_steps_total] $1 (usually $2; $(elapsed) so far)"
}

# Links with lld when it is installed (the wasm32 toolchain brings it):
# linking the test binaries takes a fraction of the time. Set for the
# host's own target only, so the guests' wasm linker is untouched; both
# scripts set it alike, so each reuses the other's build. A plain `cargo`
# without it works, and rebuilds.
use_lld() {
    command -v ld.lld >/dev/null || return 0
    local host
    host=$(rustc -vV | sed -n 's/^host: //p' | tr '[:lower:]-' '[:upper:]_')
    local var="CARGO_TARGET_${host}_RUSTFLAGS"
    if [ -z "${!var:-}" ] && [ -z "${RUSTFLAGS:-}" ]; then
        export "$var=-C link-arg=-fuse-ld=lld"
        echo "== linking with lld ($var)"
    fi
}

# Compiles numbot's own crates through clippy's driver, with its lints as
# errors: the test command lints inside its one build instead of checking
# every dependency a second time (Cargo keys only the workspace's crates on
# the wrapper, so the dependencies stay shared with scripts/demo.sh, which
# does not lint: a newer clippy's lints must not stop a first run). Call
# it after the guests' build has started: the driver is the host's rustc
# and must not compile the guests.
lint_own_crates() {
    local driver
    driver="$(rustc --print sysroot)/bin/clippy-driver"
    [ -x "$driver" ] || return 1
    export RUSTC_WORKSPACE_WRAPPER="$driver"
    export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}
