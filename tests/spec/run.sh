#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/spec/run.sh [DIR] - convert every .wast in DIR (default: the shared
# WebAssembly 2.0 suite) with wast2json into a temporary folder and run
# spec_runner on each.  Prints TAP ("1..N", one "ok N - file.wast" per
# file, failures as "#" lines) and, last, "# spec: N passed, N failed, N
# skipped".  Exits non-zero when anything failed.
#
# Environment: SPEC_RUNNER (path of spec_runner; default: look in the
# build-engine and build folders), SPEC_ONLY (shell globs of files to
# run, space-separated, e.g. 'simd_* memory*'), SPEC_NO_SIMD=1 (leave out simd_* files),
# SPEC_TMP (folder for the converted files; default: mktemp -d).
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../../shared/wasm-spec-2.0}
runner=${SPEC_RUNNER:-}
if [ ! -d "$dir" ]; then
	echo "1..0 # SKIP the spec tests are not at $dir (pass DIR)"
	exit 0
fi
if [ -z "$runner" ]; then
	for b in build-engine build; do
		if [ -x "$here/../../$b/tests/spec/spec_runner" ]; then
			runner=$here/../../$b/tests/spec/spec_runner
			break
		fi
	done
fi
if [ -z "$runner" ] || [ ! -x "$runner" ]; then
	echo "Bail out! spec_runner not found (set SPEC_RUNNER)"
	exit 2
fi
if ! command -v wast2json >/dev/null 2>&1; then
	echo "Bail out! wast2json (wabt) not found"
	exit 2
fi
if [ -n "${SPEC_TMP:-}" ]; then
	tmp=$SPEC_TMP
	mkdir -p "$tmp"
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/bn-spec.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT INT TERM
fi

files=
for f in "$dir"/*.wast; do
	b=$(basename "$f")
	want=0
	set -f
	for g in ${SPEC_ONLY:-*}; do
		# shellcheck disable=SC2254 # a pattern from SPEC_ONLY
		case "$b" in $g) want=1 ;; esac
	done
	set +f
	[ $want = 1 ] || continue
	if [ -n "${SPEC_NO_SIMD:-}" ]; then
		case "$b" in simd_*) continue ;; esac
	fi
	files="$files $f"
done
n=0
for f in $files; do n=$((n + 1)); done
echo "1..$n"

i=0 tp=0 tf=0 ts=0 bad=0
for f in $files; do
	i=$((i + 1))
	b=$(basename "$f" .wast)
	out="$tmp/$b"
	mkdir -p "$out"
	if ! (cd "$out" && wast2json "$f" -o "$b.json" >/dev/null 2>"$b.err"); then
		echo "not ok $i - $b.wast # wast2json failed"
		sed 's/^/# /' "$out/$b.err" | head -5
		tf=$((tf + 1)); bad=1
		continue
	fi
	"$runner" "$out/$b.json" >"$out/log" 2>&1
	rc=$?
	counts=$(grep '^counts: ' "$out/log" | tail -1)
	if [ -z "$counts" ]; then
		echo "not ok $i - $b.wast # runner crashed (status $rc)"
		tail -5 "$out/log" | sed 's/^/# /'
		tf=$((tf + 1)); bad=1
		continue
	fi
	set -- $counts
	p=$2 fl=$3 sk=$4
	tp=$((tp + p)); tf=$((tf + fl)); ts=$((ts + sk))
	if [ "$rc" -eq 0 ] && [ "$fl" -eq 0 ]; then
		echo "ok $i - $b.wast # $p passed, $fl failed, $sk skipped"
	else
		echo "not ok $i - $b.wast # $p passed, $fl failed, $sk skipped"
		grep '^#' "$out/log" | head -20
		bad=1
	fi
	rm -rf "$out"
done
echo "# spec: $tp passed, $tf failed, $ts skipped"
exit $bad
