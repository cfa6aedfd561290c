#!/usr/bin/env bash
# The example frontends (packaging/examples/) against a real tandemd: the Python one (JSON lines,
# standard library only) watches and adds; the Node one (Cap'n Proto via capnp-es) asks for the
# status and the list. Each checks what it printed.
#
# Usage: frontends_test.sh python|capnp TANDEMD TANDEM SOURCE_DIR [PYTHON]
# Exit 77 (ctest SKIP_RETURN_CODE) when the capnp frontend's library is not installed
# (cd packaging/examples/capnp_frontend && npm ci) or node is missing.
set -euo pipefail
which=$1 tandemd=$2 tandem=$3 src=$4 python=${5:-python3}
frontend_dir="$src/packaging/examples/capnp_frontend"

if [[ $which == capnp ]]; then
  if ! command -v node >/dev/null || [[ ! -d $frontend_dir/node_modules/capnp-es ||
        ! -d $frontend_dir/node_modules/typescript ]]; then
    echo "SKIP: capnp-es not installed (cd $frontend_dir && npm ci)"
    exit 77
  fi
  if ! command -v capnp >/dev/null; then echo "SKIP: the capnp tool is missing"; exit 77; fi
fi

tmp=$(mktemp -d /tmp/tandem-frontends-XXXXXX)
sock="$tmp/tandemd.sock"
daemon_pid="" watcher_pid=""
cleanup() {
  [[ -n $watcher_pid ]] && kill "$watcher_pid" 2>/dev/null || true
  if [[ -n $daemon_pid ]]; then kill -TERM "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- tandemd log"; cat "$tmp/tandemd.log"; exit 1; }
expect() {  # expect FILE REGEX
  grep -Eq -- "$2" "$1" || { echo "--- $1"; cat "$1"; fail "no line matching '$2'"; }
}

: >"$tmp/empty.toml"
"$tandemd" --config "$tmp/empty.toml" --data-dir "$tmp/data" --socket "$sock" \
  --listen 127.0.0.1:0 --no-discovery 2>"$tmp/tandemd.log" &
daemon_pid=$!
for _ in $(seq 200); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || fail "tandemd did not create its socket"
"$tandem" --socket "$sock" init --name Alex --partner-name Sam >/dev/null

case $which in
  python)
    out="$tmp/watch.out"
    "$python" "$src/packaging/examples/watch_and_add.py" --socket "$sock" --count 2 \
      --effort 2 "made tea" >"$out" 2>&1 &
    watcher_pid=$!
    for _ in $(seq 200); do grep -q '^added ' "$out" && break; sleep 0.05; done
    expect "$out" '^added [0-9a-f]+-[0-9]+$'
    "$tandem" --socket "$sock" add bid --bidder partner --response toward "asked about my day" >/dev/null
    for _ in $(seq 200); do kill -0 "$watcher_pid" 2>/dev/null || break; sleep 0.05; done
    wait "$watcher_pid" || fail "watch_and_add.py exited $?"
    watcher_pid=""
    expect "$out" '^new [0-9a-f]+-[0-9]+ contribution [0-9-]{10} household by Alex: made tea$'
    expect "$out" '^new [0-9a-f]+-[0-9]+ bid [0-9-]{10} affection by Alex: asked about my day$'
    # Unreachable daemon: exit code 3, as the CLI.
    set +e; "$python" "$src/packaging/examples/watch_and_add.py" --socket "$tmp/nope.sock" --count 0 2>/dev/null
    rc=$?; set -e
    [[ $rc == 3 ]] || fail "watch_and_add.py on a missing socket exited $rc, not 3"
    ;;
  capnp)
    "$tandem" --socket "$sock" add contribution --effort 2 "made tea" >/dev/null
    "$tandem" --socket "$sock" add bid --bidder partner --response toward "asked about my day" >/dev/null
    out="$tmp/capnp.out"
    node "$frontend_dir/frontend.mjs" --socket "$sock" --proto "$src/proto" >"$out" 2>&1 ||
      { cat "$out"; fail "frontend.mjs exited $?"; }
    expect "$out" '^status: apiVersion 1 version [0-9.]+ initialized true member Alex partner Sam entries [0-9]+$'
    expect "$out" '^list: 2 entries$'
    expect "$out" '^entry [0-9a-f]+-[0-9]+ contribution [0-9-]{10} by Alex: made tea$'
    expect "$out" '^entry [0-9a-f]+-[0-9]+ bid [0-9-]{10} by Alex: asked about my day$'
    ;;
  *) echo "usage: $0 python|capnp TANDEMD TANDEM SOURCE_DIR [PYTHON]"; exit 2 ;;
esac
echo "ok: the $which frontend"
