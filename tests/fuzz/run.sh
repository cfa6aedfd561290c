#!/usr/bin/env bash
# Builds tandem's libFuzzer targets with clang (ASan + UBSan, the modules under test instrumented
# for coverage) and runs every target for SECONDS (default 60) on a scratch copy of its seed
# corpus and regressions, TANDEM_FUZZ_JOBS targets at a time (default: the number of cores; each
# target is one process on one core). Fails if any target crashes, leaks, hits UB, times out or
# runs out of memory; the reproducer is left in build-fuzz/findings/<target>/ (crash-*, leak-*,
# timeout-*, oom-*) — copy it into tests/fuzz/regressions/<target>/ with the fix.
#
#   tests/fuzz/run.sh [SECONDS]         # CI runs it with 60; a long run: tests/fuzz/run.sh 3600
#
# Prints one line per target (executions, libFuzzer's final cov/ft, corpus size) and writes the
# same as a Markdown table to build-fuzz/findings/summary.md. Only the fuzz targets and the
# modules they link are built. TANDEM_TESTS stays ON because tests/ (and so tests/fuzz/) is only
# entered when it is.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${TANDEM_FUZZ_BUILD:-$root/build-fuzz}"
jobs="${TANDEM_FUZZ_JOBS:-$(nproc)}"

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
mapfile -t targets < "$build/tests/fuzz/fuzz_targets.txt"
start=$(date +%s)
cmake --build "$build" --parallel "$jobs" --target "${targets[@]}"
echo "== fuzz build: $(($(date +%s) - start)) s; running ${#targets[@]} targets for ${seconds} s each, $jobs at a time"

findings="$build/findings"
run_one() {  # run_one TARGET: fuzzes one target; its exit status is the verdict
  local t="$1" work="$findings/$1"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$root/tests/fuzz/corpus/$t/"* "$work/corpus/"
  if [[ -d "$root/tests/fuzz/regressions/$t" ]]; then
    cp "$root/tests/fuzz/regressions/$t/"* "$work/corpus/" 2>/dev/null || true
  fi
  (cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/" corpus >"$work/log.txt" 2>&1)
}

running=0
for t in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait || true

status=0
summary="$findings/summary.md"
{
  echo "| target | executions | exec/s | cov | ft | corpus | crashes |"
  echo "|---|---|---|---|---|---|---|"
} > "$summary"
for t in "${targets[@]}"; do
  log="$findings/$t/log.txt"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's|.* corp: \([0-9]*/[0-9a-zA-Z]*\).*|\1|p' <<<"$last")
  artifacts=$(find "$findings/$t" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if ((artifacts > 0)) || ! grep -q '^Done [0-9]* runs' "$log"; then
    status=1
    echo "FAIL $t: see $log"
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5 | sed "s/^/   /"
    artifacts=$((artifacts > 0 ? artifacts : 1))
  else
    printf 'ok   %-22s %12s execs %8s/s  cov %-5s ft %-6s corpus %s\n' \
      "$t" "$execs" "$rate" "$cov" "$ft" "$corp"
  fi
  echo "| \`$t\` | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | $artifacts |" >> "$summary"
done
echo "== fuzz: $(($(date +%s) - start)) s in all; table in $summary"
exit "$status"
