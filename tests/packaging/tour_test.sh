#!/usr/bin/env bash
# The README's tour (packaging/tour.sh) against this build's programs, the way test-deb.sh runs it
# against the installed ones (TANDEM_BIN_DIR), so a broken tour shows in ctest, without root.
# Usage: tour_test.sh TANDEMD TANDEM SOURCE_DIR
set -euo pipefail
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$1" "$bin/tandemd"
ln -s "$2" "$bin/tandem"
TANDEM_BIN_DIR=$bin "$3/packaging/tour.sh"
