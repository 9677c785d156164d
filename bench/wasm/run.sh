#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/wasm/run.sh [WASM_RUN] - the engine's benchmark suite.
#
# Builds the C programs here for wasm32-wasi (clang -O2) and natively
# (cc -O2) and runs each natively, on our engine (WASM_RUN, the `bnity
# wasm` test driver; default build-wasi/tests/wasm/wasm_run), on node's V8
# with its default tiering (Liftoff, then TurboFan for hot code) and on
# V8 with Liftoff only.  Prints, per program, the best of BENCH_RUNS
# wall-clock times and the ratio to native, a geometric mean row per
# engine, a table of peak RSS, and a "load" section timing how fast a
# 1-2 MiB generated module (bigmod.sh) is decoded, validated and
# translated (wasm_load, built next to WASM_RUN) against V8's compile.
# Times include process start-up (and, for node, compiling the module).
# Figures are printed, never asserted; a program whose output differs
# from native is marked "MISMATCH(column)", one that exits non-zero
# "FAILED(column)".  See bench/wasm/README.md.
#
# Environment:
#   BENCH_RUNS     runs per program and column, best kept (default 3)
#   BENCH_ONLY     a space-separated subset of the programs: "int sql"
#   BENCH_MODES    engine modes, one bnity column each, run with
#                  `--engine MODE` ("jit interp"); unset: one column, no
#                  --engine
#   WASM_RUN_ARGS  extra arguments put right after `run` for every bnity
#                  run ("--engine interp", "--fuel 1000000000000")
#   BENCH_NODE     0 to leave out both node columns
#   BENCH_LOAD     0 to skip the load section
#   BENCH_BIGMOD   an existing module to use for the load section instead
#                  of generating one (generating takes ~30 s)
#   WASM_LOAD      the load driver (default: wasm_load beside WASM_RUN)
#   WASM_CC, NATIVE_CC  compilers (clang, cc)
#   BENCH_SCALE    build the programs with -DBENCH_SCALE=N: the programs
#                  that know it (hash, hashmap, nbody, vm, text) run N
#                  times longer (default 1)
#   WASM3          a wasm3 binary: adds its column (it runs each module
#                  with WASI, `wasm3 FILE.wasm`)
#   BENCH_CLOCK    cpu (default with GNU time: user+system seconds of
#                  the run, steady on a loaded machine) or wall
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
runner=${1:-$top/build-wasi/tests/wasm/wasm_run}
runs=${BENCH_RUNS:-3}
wasm_cc=${WASM_CC:-clang}
native_cc=${NATIVE_CC:-cc}
progs=${BENCH_ONLY:-int float mem call coremark vm sql compress hash nbody \
hashmap text}
run_args=${WASM_RUN_ARGS:-}
scale=${BENCH_SCALE:-1}
loader=${WASM_LOAD:-$(dirname "$runner")/wasm_load}
if [ ! -x "$runner" ]; then
	echo "wasm_run not found at $runner" >&2
	exit 2
fi
cols=native
if [ -n "${BENCH_MODES:-}" ]; then
	for m in $BENCH_MODES; do
		cols="$cols bnity:$m"
	done
else
	cols="$cols bnity"
fi
have_node=0
if [ "${BENCH_NODE:-1}" != 0 ] && command -v node >/dev/null 2>&1; then
	have_node=1
	cols="$cols node liftoff"
fi
if [ -n "${WASM3:-}" ]; then
	if [ -x "$WASM3" ]; then
		cols="$cols wasm3"
	else
		echo "WASM3=$WASM3 is not an executable; no wasm3 column" >&2
	fi
fi
# GNU time gives the peak RSS of a child; without it RSS is "-"
have_time=0
/usr/bin/time -f %M -o /dev/null true >/dev/null 2>&1 && have_time=1
clock=${BENCH_CLOCK:-cpu}
[ $have_time = 1 ] || clock=wall
work=$(mktemp -d "${TMPDIR:-/tmp}/bn-bench-wasm.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# best "$@": run it $runs times (stdout to $work/out) and print
# "SECONDS RSS_KIB STATUS" for the fastest run (RSS "-" if unknown)
best() {
	b='' brss=- bst=0
	i=0
	while [ $i -lt "$runs" ]; do
		t0=$(date +%s%N)
		if [ $have_time = 1 ]; then
			/usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" \
				>"$work/out" 2>/dev/null
		else
			"$@" >"$work/out" 2>/dev/null
		fi
		st=$?
		t1=$(date +%s%N)
		t=$((t1 - t0))
		if [ $clock = cpu ]; then
			# user + system time of the child, in ns
			t=$(tail -n 1 "$work/rss" | awk '{
				printf "%.0f", ($2 + $3) * 1e9 }')
		fi
		if [ -z "$b" ] || [ $t -lt $b ]; then
			b=$t
			bst=$st
			[ $have_time = 1 ] &&
				brss=$(tail -n 1 "$work/rss" 2>/dev/null |
					awk '{ print $1 }')
		fi
		i=$((i + 1))
	done
	case $brss in ''|*[!0-9]*) brss=- ;; esac
	awk -v ns="$b" -v rss="$brss" -v st="$bst" \
		'BEGIN { printf "%.3f %s %d\n", ns / 1e9, rss, st }'
}

# run_col COLUMN PROGRAM: best of the runs of PROGRAM on COLUMN
run_col() {
	case $1 in
	native)
		best "$work/$2" ;;
	bnity)
		# shellcheck disable=SC2086 # WASM_RUN_ARGS is a word list
		best "$runner" run $run_args "$work/$2.wasm" ;;
	bnity:*)
		# shellcheck disable=SC2086
		best "$runner" run $run_args --engine "${1#bnity:}" \
			"$work/$2.wasm" ;;
	node)
		best node "$here/node_wasi.mjs" "$work/$2.wasm" ;;
	wasm3)
		best "$WASM3" "$work/$2.wasm" ;;
	liftoff)
		best node --liftoff-only --no-wasm-tier-up \
			"$here/node_wasi.mjs" "$work/$2.wasm" ;;
	esac
}

echo "# best of $runs, $clock time, BENCH_SCALE=$scale; engines: $cols${run_args:+; WASM_RUN_ARGS=$run_args}"
: >"$work/table"
for p in $progs; do
	"$wasm_cc" --target=wasm32-wasi -O2 -DBENCH_SCALE="$scale" \
		-o "$work/$p.wasm" "$here/$p.c" -lm || exit 1
	"$native_cc" -O2 -DBENCH_SCALE="$scale" -o "$work/$p" "$here/$p.c" \
		-lm || exit 1
	line=$p
	notes=
	for c in $cols; do
		# shellcheck disable=SC2046 # three words
		set -- $(run_col "$c" "$p")
		line="$line $c $1 $2 $3"
		if [ "$c" = native ]; then
			cp "$work/out" "$work/$p.native.out"
		elif ! cmp -s "$work/out" "$work/$p.native.out"; then
			notes="$notes MISMATCH($c)"
		fi
		[ "$3" = 0 ] || notes="$notes FAILED($c:$3)"
	done
	echo "$line$notes" >>"$work/table"
done

# the table: time and ratio per column, geomeans, then peak RSS
# (a failed run shows its time but "fail" for its ratio, and is left out
# of the geomean)
awk -v ncols="$(echo "$cols" | wc -w)" '
{
	prog[NR] = $1
	for (c = 1; c <= ncols; c++) {
		name[c] = $(4 * c - 2)
		t[NR, c] = $(4 * c - 1)
		rss[NR, c] = $(4 * c)
		st[NR, c] = $(4 * c + 1)
	}
	note[NR] = ""
	for (i = 4 * ncols + 2; i <= NF; i++)
		note[NR] = note[NR] " " $i
}
END {
	printf "%-9s %9s", "program", name[1]
	for (c = 2; c <= ncols; c++)
		printf " %12s %7s", name[c], "x"
	printf "\n"
	for (r = 1; r <= NR; r++) {
		printf "%-9s %8.3fs", prog[r], t[r, 1]
		for (c = 2; c <= ncols; c++) {
			x = t[r, 1] > 0 ? t[r, c] / t[r, 1] : 0
			if (st[r, c] != 0 || st[r, 1] != 0 || x <= 0) {
				printf " %11.3fs %7s", t[r, c], "fail"
				continue
			}
			lx[c] += log(x)
			nx[c]++
			printf " %11.3fs %6.1fx", t[r, c], x
		}
		printf "%s\n", note[r]
	}
	printf "%-9s %9s", "geomean", ""
	for (c = 2; c <= ncols; c++)
		if (nx[c])
			printf " %12s %6.1fx", "", exp(lx[c] / nx[c])
		else
			printf " %12s %7s", "", "-"
	printf "\n\npeak RSS, MiB\n%-9s", "program"
	for (c = 1; c <= ncols; c++)
		printf " %12s", name[c]
	printf "\n"
	for (r = 1; r <= NR; r++) {
		printf "%-9s", prog[r]
		for (c = 1; c <= ncols; c++)
			if (rss[r, c] == "-")
				printf " %12s", "-"
			else
				printf " %12.1f", rss[r, c] / 1024
		printf "\n"
	}
}' "$work/table"

[ "${BENCH_LOAD:-1}" = 0 ] && exit 0
echo
if [ -n "${BENCH_BIGMOD:-}" ]; then
	big=$BENCH_BIGMOD
else
	big=$work/big.wasm
	WASM_CC=$wasm_cc sh "$here/bigmod.sh" "$big" || exit 1
fi
awk -v f="${BENCH_BIGMOD:-bigmod.sh}" -v b="$(wc -c <"$big")" 'BEGIN {
	printf "load: %s, %.2f MiB (best of 5)\n", f, b / 1048576
	printf "%-44s %9s %8s %10s\n", "", "ms", "MiB/s", "RSS MiB"
}'
if [ -x "$loader" ]; then
	"$loader" -n 5 "$big" >"$work/load" || echo "wasm_load failed" >&2
	awk '{
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			v[kv[1]] = kv[2]
		}
		printf "%-44s %9.2f %8.1f %10.1f\n",
		       "bnity decode+validate+translate", v["load_ms"],
		       v["mib_s"], v["rss_load_kib"] / 1024
		printf "%-44s %9.2f %8s %10.1f\n", "bnity instantiate (WASI)",
		       v["inst_ms"], "", v["rss_inst_kib"] / 1024
		printf "%-44s %9s %8s %10.1f\n", "  RSS with the file read, before loading",
		       "", "", v["rss_base_kib"] / 1024
	}' "$work/load"
else
	echo "(no wasm_load at $loader: ninja -C BUILD tests/wasm/wasm_load)"
fi
if [ $have_node = 1 ]; then
	node "$here/node_compile.mjs" "$big" >"$work/n1" 2>/dev/null
	node --no-wasm-lazy-compilation "$here/node_compile.mjs" "$big" \
		>"$work/n2" 2>/dev/null
	node --no-wasm-lazy-compilation --no-liftoff \
		"$here/node_compile.mjs" -n 3 "$big" >"$work/n3" 2>/dev/null
	for f in n1 n2 n3; do
		case $f in
		n1) what="node compile (default: lazy, validate only)" ;;
		n2) what="node compile, eager Liftoff" ;;
		n3) what="node compile, eager TurboFan" ;;
		esac
		awk -v what="$what" '{
			for (i = 1; i <= NF; i++) {
				split($i, kv, "=")
				v[kv[1]] = kv[2]
			}
			printf "%-44s %9.2f %8.1f %10s\n", what, v["compile_ms"],
			       v["mib_s"], "-"
		}' "$work/$f"
	done
fi
