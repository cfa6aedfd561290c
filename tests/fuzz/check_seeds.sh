#!/usr/bin/env bash
# Checks that the committed seeds written by fuzz_make_seeds are what it writes today (so they
# stay real, valid messages when a protocol or a fixture changes). Fix with:
#   build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
# Usage: check_seeds.sh FUZZ_MAKE_SEEDS CORPUS_DIR
set -euo pipefail
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$1" "$tmp" >/dev/null
status=0
while IFS= read -r f; do
  # A sealed seed (*-sealed.*) has a random nonce: only its presence is checked.
  if [[ "$f" == *-sealed.* && -f "$2/$f" ]]; then continue; fi
  if ! cmp -s "$tmp/$f" "$2/$f"; then
    echo "stale or missing seed: tests/fuzz/corpus/$f (regenerate: fuzz_make_seeds tests/fuzz/corpus)"
    status=1
  fi
done < <(cd "$tmp" && find . -type f | sed 's|^\./||' | sort)
exit "$status"
