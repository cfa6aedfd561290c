#!/usr/bin/env bash
# Installs what is missing, builds tandem and runs the whole test suite: the normal build and the
# AddressSanitizer/UndefinedBehaviorSanitizer build, each under ctest, then every fuzz target for a
# bounded time (tests/fuzz/run.sh); as root, the .deb test (packaging/test-deb.sh) after the first.
# Usage: packaging/test.sh            (both builds)
#        TANDEM_TEST_QUICK=1 packaging/test.sh   (normal build only)
#        TANDEM_FUZZ_SECONDS=N packaging/test.sh (seconds per fuzz target; default 60)
#        TANDEM_TEST_DEB=0 packaging/test.sh     (without the .deb test)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/packaging/install-deps.sh" --test
# Pinned npm packages for the interop test (an independent Noise implementation) and the
# Cap'n Proto example frontend.
for dir in tests/interop packaging/examples/capnp_frontend; do
  if [[ -f "$here/$dir/package-lock.json" ]]; then
    npm ci --prefix "$here/$dir" --no-audit --no-fund >/dev/null
  fi
done
jobs=$(nproc)
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" --parallel "$jobs"
(cd "$here/build" && ctest --output-on-failure --timeout 600 -j "$jobs")
# The .deb from this build, installed, upgraded, toured and removed in a fresh Debian root
# (packaging/test-deb.sh: two to three minutes, bounded at 15). TANDEM_TEST_DEB=0 skips it; without
# root, a reachable Debian mirror or permission to mount it reports itself skipped.
if [[ ${TANDEM_TEST_DEB:-1} != 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test-deb.sh: SKIPPED (needs root: sudo packaging/test-deb.sh)"
  else
    rm -f "$here/build"/tandem_*.deb
    (cd "$here/build" && cpack -G DEB >/dev/null)
    rc=0
    TANDEM_DEB=$(ls "$here/build"/tandem_*.deb) timeout --kill-after=30 900 "$here/packaging/test-deb.sh" || rc=$?
    case $rc in
      0) ;;
      77) echo "test-deb.sh: SKIPPED (see the reason above)" ;;
      124) echo "test-deb.sh: FAILED: timed out after 900 s" >&2; exit 1 ;;
      *) echo "test-deb.sh: FAILED (exit $rc)" >&2; exit "$rc" ;;
    esac
  fi
fi
if [[ -z "${TANDEM_TEST_QUICK:-}" ]]; then
  cmake -S "$here" -B "$here/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTANDEM_SANITIZE=ON \
    -DTANDEM_BENCH=OFF >/dev/null
  cmake --build "$here/build-asan" --parallel "$jobs"
  (cd "$here/build-asan" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure --timeout 900 -j "$jobs")
  # Every fuzz target for 60 s under ASan + UBSan with libFuzzer (a clang build of the fuzz
  # targets and the modules they link; about 8 minutes on 2 cores). Fails on any crash.
  "$here/tests/fuzz/run.sh" "${TANDEM_FUZZ_SECONDS:-60}"
fi
