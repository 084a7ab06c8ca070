#!/usr/bin/env bash
# Takes a number from numbot for a test, waits for the verification code
# that reaches it, prints the code and releases the number.
#
#   NUMBOT_URL=http://numbot:8080 NUMBOT_TOKEN=nbt_... \
#     bash take-number.sh "UAE Mobile" ./send-the-sms.sh
#
# The second argument is the command that makes the app under test send
# its SMS; it gets the number as its first argument. Needs curl and jq.
set -euo pipefail
category="$1"
trigger="$2"
api="${NUMBOT_URL:?set NUMBOT_URL}/v1"
auth=(-H "Authorization: Bearer ${NUMBOT_TOKEN:?set NUMBOT_TOKEN}")

use=$(curl -fsS "${auth[@]}" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg c "$category" '{category: $c}')" "$api/numbers")
use_id=$(jq -r .use_id <<<"$use")
number=$(jq -r .number <<<"$use")
# Release the number whatever happens next.
trap 'curl -fsS -X POST "${auth[@]}" "$api/uses/$use_id/cancel" >/dev/null || true' EXIT
echo "got $number" >&2

"$trigger" "$number"

after=0
deadline=$((SECONDS + 300))
while [ "$SECONDS" -lt "$deadline" ]; do
  messages=$(curl -fsS "${auth[@]}" "$api/uses/$use_id/messages?wait=60&after=$after")
  # A code from a sender the category does not expect may be forged: skipped.
  code=$(jq -r '[.[] | select(.code != null and (.unexpected_sender | not))][0].code // empty' <<<"$messages")
  if [ -n "$code" ]; then
    echo "$code"
    curl -fsS -X POST "${auth[@]}" "$api/uses/$use_id/done" >/dev/null
    trap - EXIT
    exit 0
  fi
  after=$(jq -r --argjson after "$after" 'map(.id) + [$after] | max' <<<"$messages")
done
echo "no code reached $number in 5 minutes" >&2
exit 1
