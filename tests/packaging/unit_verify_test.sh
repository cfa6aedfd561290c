#!/usr/bin/env bash
# packaging/tandemd.service passes `systemd-analyze verify` (as a user unit), with ExecStart
# pointed at the built tandemd since /usr/bin/tandemd is not installed here.
# Usage: unit_verify_test.sh UNIT TANDEMD. Exit 77 (skip) without systemd-analyze.
set -euo pipefail
unit=$1 tandemd=$2
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed (Debian: systemd)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#^ExecStart=/usr/bin/tandemd#ExecStart=$tandemd#" "$unit" >"$tmp/tandemd.service"
grep -q "^ExecStart=$tandemd" "$tmp/tandemd.service"
mkdir -m 700 "$tmp/run"
XDG_RUNTIME_DIR=$tmp/run systemd-analyze --user verify --man=no "$tmp/tandemd.service"
systemd-analyze verify --man=no "$tmp/tandemd.service"
echo "ok: systemd-analyze verify"
