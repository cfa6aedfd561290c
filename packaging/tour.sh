#!/usr/bin/env bash
# The tandem tour: installs what is missing, builds, then runs a real tandemd on a temporary data
# directory and drives it through the real CLI: a journal is started, a handful of entries of
# different kinds are recorded, listed and shown, the report printed, a second daemon (the
# partner's device) pairs with the first over loopback, and both stop cleanly.
# Usage: packaging/tour.sh                        (installs what is missing, builds ./build)
#        TANDEM_BIN_DIR=/usr/bin packaging/tour.sh (no install, no build: tours the tandemd and
#                                                  tandem in that directory, e.g. the .deb's;
#                                                  needs only bash, coreutils and grep)
set -euo pipefail
if [[ -n "${TANDEM_BIN_DIR:-}" ]]; then
  tandemd="$TANDEM_BIN_DIR/tandemd"
  tandem="$TANDEM_BIN_DIR/tandem"
else
  here=$(cd "$(dirname "$0")/.." && pwd)
  "$here/packaging/install-deps.sh"
  "$here/packaging/build.sh" "$here/build" >/dev/null
  tandemd="$here/build/daemon/tandemd"
  tandem="$here/build/client/tandem"
fi
for b in "$tandemd" "$tandem"; do [[ -x "$b" ]] || { echo "tour.sh: no $b" >&2; exit 1; }; done
# A JSON document's first string (or number) value for KEY; enough for the two the tour reads,
# without asking for python3 or jq where only the package is installed.
json_field() { grep -o "\"$1\":\(\"[^\"]*\"\|[0-9]*\)" | head -n1 | cut -d: -f2 | tr -d '"'; }

tmp=$(mktemp -d /tmp/tandem-tour-XXXXXX)
export TANDEM_SOCKET="$tmp/run/tandemd.sock"
sam_socket="$tmp/run/sam.sock"
daemon_pid=""
sam_pid=""
cleanup() {
  for pid in "$daemon_pid" "$sam_pid"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Alex starts tandemd on a fresh data directory"
# The tour stays on loopback: peers on 127.0.0.1, no LAN beacons, no config file.
local_only=(--listen 127.0.0.1:0 --no-discovery --config /dev/null)
"$tandemd" --data-dir "$tmp/alex" --socket "$TANDEM_SOCKET" "${local_only[@]}" 2>"$tmp/tandemd.log" &
daemon_pid=$!
for _ in $(seq 100); do [[ -S "$TANDEM_SOCKET" ]] && break; sleep 0.05; done
run "$tandem" status

say "A journal for Alex (Sam will pair later; until then Sam is 'partner')"
run "$tandem" init --name Alex --partner-name Sam

say "A few entries of different kinds"
run "$tandem" add contribution --dimension household --by me --effort 2 --phase execute --on yesterday "cooked dinner"
run "$tandem" add contribution --dimension household --by partner --effort 3 --phase anticipate --on 3d "noticed we were out of school lunches and planned the week"
run "$tandem" add bid --bidder partner --response toward --heard 4 "asked about my day, phone away"
run "$tandem" add conflict --raised-by me --repair partner:apology:accepted --apologised-first partner --outcome compromise "the money worry"
run "$tandem" add support --needed partner --gave me --form presence --helpful 5 "sat with Sam after the hospital call"
run "$tandem" add checkin --fairness household=fair --fairness support=unfair-to-me --appreciated 4 --loaded 3 --satisfaction 4
id=$("$tandem" list --kind contribution --by partner --json | json_field id)
run "$tandem" thanks "$id" "thank you for thinking of the lunches"

say "What the journal holds"
run "$tandem" list
run "$tandem" show "$id"

say "Entries are signed, hash-chained and sealed at rest: no note is readable on disk"
if grep -rq "school lunches" "$tmp/alex"; then echo "a note was found in plaintext!"; exit 1; else echo "grep -r 'school lunches' $tmp/alex: nothing found"; fi

say "The report: patterns over weeks (a few entries are not enough to tell yet)"
run "$tandem" report | head -40

say "Sam starts tandemd on a laptop of their own, and the two devices pair with a short code"
"$tandemd" --data-dir "$tmp/sam" --socket "$sam_socket" "${local_only[@]}" 2>"$tmp/sam.log" &
sam_pid=$!
for _ in $(seq 100); do [[ -S "$sam_socket" ]] && break; sleep 0.05; done
printf '$ %s\n' "$tandem pair invite"
"$tandem" pair invite --json >"$tmp/invite.out" 2>/dev/null &
invite_pid=$!
for _ in $(seq 100); do [[ -s "$tmp/invite.out" ]] && break; sleep 0.05; done
code=$(head -n1 "$tmp/invite.out" | json_field code)
port=$(head -n1 "$tmp/invite.out" | json_field port)
echo "code: $code   (Alex reads it aloud)"
run "$tandem" --socket "$sam_socket" pair join "$code" --name Sam --device-name sam-laptop --address "127.0.0.1:$port"
wait "$invite_pid"

say "Each daemon now knows the other device and connects to it (Noise XXpsk0, the roster checked)"
connected=0
for _ in $(seq 300); do "$tandem" peers --json | grep -q '"connected":true' && { connected=1; break; }; sleep 0.1; done
((connected)) || { "$tandem" peers; echo "the two daemons did not connect within 30 s"; exit 1; }
run "$tandem" peers
run "$tandem" --socket "$sam_socket" status

say "Both daemons stop cleanly on SIGTERM"
kill -TERM "$daemon_pid" "$sam_pid"; wait "$daemon_pid" "$sam_pid"; daemon_pid=""; sam_pid=""
echo "both exited with status 0"
