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
