#!/usr/bin/env bash
# Regenerates every generated seed in tests/fuzz/corpus/ with fuzz_make_seeds (tests/fuzz/
# make_seeds.cpp) from a normal build (TANDEM_BUILD_DIR, default build/): local API requests of
# every kind as JSON lines and as Cap'n Proto frames, record bodies, entries, a roster and a real
# signed header, Noise handshake steps, transport frames, sync batches, pairing steps, beacons,
# config files and text fields. One tool writes them all, so the ctest "fuzz seeds are up to date"
# covers every one of them. Run from anywhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${TANDEM_BUILD_DIR:-$here/../../build}"
cmake --build "$build" --target fuzz_make_seeds >/dev/null
"$build/tests/fuzz/fuzz_make_seeds" "$here/corpus"
echo "corpus written to $here/corpus"
