#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/wasm/run.sh [WASM_RUN] - the engine's first benchmark.
#
# Builds the programs here (integer, float, memory and call-heavy) for
# wasm32-wasi at -O2 and natively at -O2, runs each natively, on our
# engine (WASM_RUN, the `bnity wasm` test driver; default
# build-wasi/tests/wasm/wasm_run) and on node's V8 (node_wasi.mjs), and
# prints the best of BENCH_RUNS wall-clock times, the ratio to native and
# the geometric mean of the ratios.  Times include process start-up (and,
# for node, compiling the module).  Figures are printed, never asserted;
# a program whose output differs from native is marked "MISMATCH".
#
# Environment: BENCH_RUNS (default 3), WASM_CC (clang), NATIVE_CC (cc),
# BENCH_ONLY (a space-separated subset: "int call").
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
runner=${1:-$top/build-wasi/tests/wasm/wasm_run}
runs=${BENCH_RUNS:-3}
wasm_cc=${WASM_CC:-clang}
native_cc=${NATIVE_CC:-cc}
progs=${BENCH_ONLY:-int float mem call}
if [ ! -x "$runner" ]; then
	echo "wasm_run not found at $runner" >&2
	exit 2
fi
have_node=0
command -v node >/dev/null 2>&1 && have_node=1
work=$(mktemp -d "${TMPDIR:-/tmp}/bn-bench-wasm.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# best SECONDS of $runs runs of "$@" (stdout to $work/out)
best() {
	b=
	i=0
	while [ $i -lt "$runs" ]; do
		t0=$(date +%s%N)
		"$@" >"$work/out" 2>/dev/null
		t1=$(date +%s%N)
		t=$((t1 - t0))
		if [ -z "$b" ] || [ $t -lt $b ]; then
			b=$t
		fi
		i=$((i + 1))
	done
	awk -v ns="$b" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

printf '%-8s %10s %10s %9s %10s %9s\n' program native bnity x-native \
	node x-native
for p in $progs; do
	"$wasm_cc" --target=wasm32-wasi -O2 -o "$work/$p.wasm" "$here/$p.c" \
		-lm || exit 1
	"$native_cc" -O2 -o "$work/$p" "$here/$p.c" -lm || exit 1
	tn=$(best "$work/$p")
	cp "$work/out" "$work/$p.native.out"
	tb=$(best "$runner" run "$work/$p.wasm")
	note=
	cmp -s "$work/out" "$work/$p.native.out" || note=" MISMATCH(bnity)"
	tv=-
	if [ $have_node = 1 ]; then
		tv=$(best node "$here/node_wasi.mjs" "$work/$p.wasm")
		cmp -s "$work/out" "$work/$p.native.out" ||
			note="$note MISMATCH(node)"
	fi
	echo "$p $tn $tb $tv$note" >>"$work/table"
done
awk '
function r(a, b) { return b > 0 ? a / b : 0 }
{
	rb = r($3, $2); lb += log(rb > 0 ? rb : 1); n++
	if ($4 != "-") { rv = r($4, $2); lv += log(rv > 0 ? rv : 1); nv++ }
	rest = ""
	for (i = 5; i <= NF; i++) rest = rest " " $i
	printf "%-8s %9.3fs %9.3fs %8.1fx %9s%s %8s%s\n", $1, $2, $3, rb,
	       $4, ($4 == "-" ? " " : "s"),
	       ($4 == "-" ? "-" : sprintf("%.1fx", r($4, $2))), rest
}
END {
	printf "%-8s %10s %10s %8.1fx %10s %8s\n", "geomean", "", "",
	       exp(lb / n), "", (nv ? sprintf("%.1fx", exp(lv / nv)) : "-")
}' "$work/table"
