#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build with clang, AddressSanitizer + UndefinedBehaviorSanitizer and run
# every test; build with gcc (release) and run every test again; then
# build the libFuzzer targets and run each for a bounded time.
# Prints one summary line at the end: "tests: N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
out=build-ci
fuzz_seconds=${BNITY_FUZZ_SECONDS:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fail_build() { echo "$1"; echo "tests: 0 passed, 1 failed"; exit 1; }

if [ ! -f "$out/build.ninja" ]; then
  # -O1: the usual level for sanitizer builds, and the interpreter's one
  # big dispatch function compiles in a fraction of the -O2 time
  CC=clang meson setup "$out" -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Doptimization=1 >/dev/null ||
    fail_build "meson setup failed"
fi
ninja -C "$out" || fail_build "build failed"

meson test -C "$out" --print-errorlogs --num-processes 2 \
  --timeout-multiplier 3 >"$out/meson-test.out" 2>&1
tail -n 25 "$out/meson-test.out"

# The same suite built by gcc (a release build, no sanitizers, to fit CI's
# time): the engine's results and every test must not depend on the
# compiler.  BNITY_GCC=0 leaves it out (a quick local run).
gcc_log=
if [ "${BNITY_GCC:-1}" != 0 ]; then
  gcc_out=build-gcc
  gcc_log="gcc=$gcc_out/meson-logs/testlog.json"
  rm -f "$gcc_out/meson-logs/testlog.json"
  if [ ! -f "$gcc_out/build.ninja" ]; then
    CC=gcc meson setup "$gcc_out" -Dbuildtype=release -Dwerror=true \
      >/dev/null || echo "gcc: meson setup failed"
  fi
  if ninja -C "$gcc_out" >"$gcc_out.log" 2>&1; then
    meson test -C "$gcc_out" --print-errorlogs --num-processes 2 \
      --timeout-multiplier 3 >"$gcc_out/meson-test.out" 2>&1
    echo "--- gcc build:"
    tail -n 12 "$gcc_out/meson-test.out"
  else
    echo "gcc: build failed (see $gcc_out.log)"
    tail -n 30 "$gcc_out.log"
  fi
fi

# Fuzzers: their own build (libFuzzer wants -fsanitize=fuzzer everywhere).
fuzz_tap="$out/fuzz.tap"
: >"$fuzz_tap"
if [ "$fuzz_seconds" != 0 ]; then
  fz=build-fuzz
  if [ ! -f "$fz/build.ninja" ]; then
    CC=clang meson setup "$fz" -Dfuzz=true -Db_lundef=false \
      -Doptimization=1 >/dev/null
  fi
  if ninja -C "$fz" >"$fz.log" 2>&1; then
    n=0
    for f in $(find "$fz/tests" -maxdepth 2 -type f -name 'fuzz_*' \
                 -perm -u+x | sort); do
      n=$((n + 1))
      name=$(basename "$f")
      corpus="$fz/corpus-$name"; mkdir -p "$corpus"
      seeds=tests/fuzz/seeds/${name#fuzz_}
      if [ "$name" = fuzz_wasm ]; then
        # seeded with every spec-suite module and the C test programs;
        # each input runs on both engines, which must agree
        rm -rf "$fz/wasm-out"
        run_fuzz() { FUZZ_SECONDS="$fuzz_seconds" FUZZ_OUT="$fz/wasm-out" \
                     sh tests/fuzz/run.sh "$f"; }
      else
        run_fuzz() { "$f" -max_total_time="$fuzz_seconds" -timeout=10 \
                     -rss_limit_mb=2048 "$corpus" \
                     $( [ -d "$seeds" ] && echo "$seeds" ); }
      fi
      if run_fuzz >"$fz/$name.log" 2>&1; then
        echo "ok $n - $name ran ${fuzz_seconds}s clean" >>"$fuzz_tap"
      else
        echo "not ok $n - $name (see $fz/$name.log)" >>"$fuzz_tap"
        tail -n 30 "$fz/$name.log"
      fi
    done
  else
    echo "not ok 1 - fuzz build failed (see $fz.log)" >>"$fuzz_tap"
    tail -n 30 "$fz.log"
  fi
fi

python3 scripts/tap-summary.py "$out/meson-logs/testlog.json" $gcc_log \
  "$fuzz_tap"
