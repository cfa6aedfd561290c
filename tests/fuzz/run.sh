#!/usr/bin/env bash
# Builds tandem's libFuzzer targets with clang (ASan + UBSan, the modules under test instrumented
# for coverage) and runs each for SECONDS (default 60) on a scratch copy of its seed corpus.
# Fails if any target crashes, leaks, hits UB or times out; the reproducer is left in
# build-fuzz/findings/<target>/ (crash-*, leak-*, timeout-*).
#
#   tests/fuzz/run.sh [SECONDS]
#
# TANDEM_TESTS stays ON because tests/ (and so tests/fuzz/) is only entered when it is; only the
# fuzz targets are built.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${TANDEM_FUZZ_BUILD:-$root/build-fuzz}"
targets=(fuzz_api_json fuzz_api_frame fuzz_record_body)

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# Every module is built with coverage (fuzzer-no-link), ASan and UBSan. Not through
# TANDEM_SANITIZE: clang 14's -fsanitize=function cannot compile Asio coroutines ("Cannot
# represent a difference across sections"), so it is switched off after the group.
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function"
san="$san -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTANDEM_FUZZ=ON -DTANDEM_SANITIZE=OFF -DTANDEM_TESTS=ON -DTANDEM_BENCH=OFF \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" --target "${targets[@]}"

status=0
for t in "${targets[@]}"; do
  work="$build/findings/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$root/tests/fuzz/corpus/$t/"* "$work/corpus/"
  echo "== $t: ${seconds}s"
  if (cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 corpus >"$work/log.txt" 2>&1); then
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/log.txt" | sed "s/^/   /"
  else
    status=1
    echo "   FAILED: see $work/log.txt"
    grep -E "ERROR|SUMMARY|Test unit written" "$work/log.txt" | head -5 | sed "s/^/   /"
  fi
done
exit "$status"
