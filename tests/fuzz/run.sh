#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh [FUZZ_WASM] - run the engine's libFuzzer target for a
# bounded time with a seed corpus: every module of the WebAssembly 2.0 spec
# suite (converted with wast2json) and the test C programs built for
# wasm32-wasi.  Crashes land in $FUZZ_OUT/artifacts; exits non-zero if the
# fuzzer found one.
#
# Build first:  CC=clang meson setup build-fuzz -Dengine_only=true \
#                   -Dfuzz=true && ninja -C build-fuzz
# Environment:  FUZZ_SECONDS (default 60), FUZZ_JOBS (default 1),
#               FUZZ_OUT (corpus and artifacts; default a temporary dir,
#               kept when something was found), SPEC_DIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
fuzzer=${1:-$top/build-fuzz/tests/fuzz/fuzz_wasm}
spec=${SPEC_DIR:-$top/../shared/wasm-spec-2.0}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
if [ ! -x "$fuzzer" ]; then
	echo "fuzz_wasm not found at $fuzzer (build with -Dfuzz=true)" >&2
	exit 2
fi
out=${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bn-fuzz-wasm.XXXXXX")}
mkdir -p "$out/seeds" "$out/corpus" "$out/artifacts" "$out/json"

if command -v wast2json >/dev/null 2>&1 && [ -d "$spec" ]; then
	for w in "$spec"/*.wast; do
		b=$(basename "$w" .wast)
		wast2json --enable-all "$w" -o "$out/json/$b.json" \
			>/dev/null 2>&1 || continue
	done
	for m in "$out/json"/*.wasm; do
		[ -f "$m" ] && cp "$m" "$out/seeds/"
	done
fi
if command -v clang >/dev/null 2>&1; then
	for c in "$top"/tests/wasm/programs/*.c; do
		b=$(basename "$c" .c)
		clang --target=wasm32-wasi -O2 -o "$out/seeds/prog-$b.wasm" \
			"$c" -lm >/dev/null 2>&1 || true
	done
fi
echo "fuzz_wasm: $(ls "$out/seeds" | wc -l) seeds, ${seconds}s, in $out"

"$fuzzer" -max_total_time="$seconds" -max_len=262144 -timeout=20 \
	-rss_limit_mb=4096 -jobs="$jobs" -workers="$jobs" \
	-artifact_prefix="$out/artifacts/" -print_final_stats=1 \
	"$out/corpus" "$out/seeds" 2>"$out/fuzz.log"
status=$?
tail -n 25 "$out/fuzz.log"
found=$(ls "$out/artifacts" | wc -l)
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
	echo "fuzz_wasm: FOUND $found artifact(s) in $out/artifacts" >&2
	exit 1
fi
echo "fuzz_wasm: nothing found"
[ -n "${FUZZ_OUT:-}" ] || rm -rf "$out"
