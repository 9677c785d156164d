#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/wasm/programs/run.sh - real C programs, native against the engine.
#
# Builds each program here with `clang --target=wasm32-wasi -O2` and with
# the native compiler, runs both (the wasm one under WASM_RUN, the
# `bnity wasm` test driver), and compares stdout and exit status.  Then
# runs the wasm-only checks: the WASI sandbox (sandbox.c), and the exit
# statuses of `wasm run` for traps, limits, usage and load errors
# (docs/wasm-run.md), and every WASI call (wasi_calls.c).  Prints TAP.
#
# usage: run.sh WASM_RUN
# env:   WASM_CC (clang), NATIVE_CC (cc), BN_TEST_NODE=1 to also check each
#        program under node's WASI (bench/wasm/node_wasi.mjs).
set -u
runner=${1:?usage: run.sh WASM_RUN}
here=$(cd "$(dirname "$0")" && pwd)
node_wasi=$here/../../../bench/wasm/node_wasi.mjs
wasm_cc=${WASM_CC:-clang}
native_cc=${NATIVE_CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/bn-wasm-programs.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}

# show FILE: a failing test's evidence, as TAP comments.
show() {
	[ -s "$1" ] && head -n 15 "$1" | sed 's/^/#   /'
	return 0
}

if ! printf 'int main(void){return 0;}\n' |
	"$wasm_cc" --target=wasm32-wasi -O2 -x c - -o "$work/probe.wasm" \
		2>/dev/null; then
	echo "1..0 # SKIP no wasm32-wasi C toolchain ($wasm_cc)"
	exit 0
fi

# build NAME [wasm-only]
build() {
	"$wasm_cc" --target=wasm32-wasi -O2 -Wl,-z,stack-size=1048576 \
		-o "$work/$1.wasm" "$here/$1.c" -lm 2>"$work/$1.cc.err" ||
		return 1
	[ "${2:-}" = wasm-only ] && return 0
	"$native_cc" -O2 -o "$work/$1" "$here/$1.c" -lm 2>>"$work/$1.cc.err"
}

# same NAME TAG: compare $work/TAG.{nat,wasm} stdout and status.
same() {
	if [ "$(cat "$work/$2.nat.st")" != "$(cat "$work/$2.wasm.st")" ]; then
		not_ok "$1" "exit status native $(cat "$work/$2.nat.st")," \
			"wasm $(cat "$work/$2.wasm.st")"
		show "$work/$2.wasm.err"
	elif ! cmp -s "$work/$2.nat.out" "$work/$2.wasm.out"; then
		not_ok "$1" "stdout differs (native vs wasm):"
		diff "$work/$2.nat.out" "$work/$2.wasm.out" > "$work/$2.diff"
		show "$work/$2.diff"
		show "$work/$2.wasm.err"
	else
		ok "$1"
	fi
}

# run_both TAG STDIN NAME [ARGS...]: native and wasm, same args and stdin.
# Environment for both comes from $nat_env / $wasm_env.
nat_env=
wasm_env=
run_both() {
	tag=$1 input=$2 prog=$3
	shift 3
	(cd "$work" && env -i $nat_env "./$prog" "$@") <"$input" \
		>"$work/$tag.nat.out" 2>"$work/$tag.nat.err"
	echo $? >"$work/$tag.nat.st"
	"$runner" run $wasm_env "$work/$prog.wasm" "$@" <"$input" \
		>"$work/$tag.wasm.out" 2>"$work/$tag.wasm.err"
	echo $? >"$work/$tag.wasm.st"
	if [ "${BN_TEST_NODE:-0}" = 1 ]; then
		node "$node_wasi" $wasm_env "$work/$prog.wasm" "$@" \
			<"$input" >"$work/$tag.node.out" 2>/dev/null
		if cmp -s "$work/$tag.nat.out" "$work/$tag.node.out"; then
			echo "# node agrees: $tag"
		else
			echo "# node differs: $tag"
		fi
	fi
}

# ---- native against wasm ------------------------------------------------

printf 'hello world\nfoo  bar\tbaz\n\n   leading blanks\n' >"$work/input.txt"
i=0
while [ $i -lt 200 ]; do
	echo "line $i of the generated input, with some words to count"
	i=$((i + 1))
done >>"$work/input.txt"
printf 'last line without a newline' >>"$work/input.txt"

for prog in strings floats sort alloc recurse stdio args files; do
	if ! build "$prog"; then
		not_ok "$prog builds"
		show "$work/$prog.cc.err"
		continue
	fi
	case $prog in
	stdio)
		run_both stdio "$work/input.txt" stdio
		same "stdio: stdin to stdout" stdio
		;;
	args)
		nat_env="BN_TEST_A=alpha BN_TEST_B=beta=gamma"
		wasm_env="--env BN_TEST_A=alpha --env BN_TEST_B=beta=gamma"
		run_both args /dev/null args 7 "two words" "" "ünïcødé"
		same "args: argv, environment, status 7" args
		run_both args-exit /dev/null args exit-via-exit 42
		same "args: exit(42)" args-exit
		nat_env= wasm_env=
		run_both args-none /dev/null args
		same "args: no arguments, no environment" args-none
		;;
	files)
		mkdir -p "$work/nat-dir" "$work/wasm-dir"
		(cd "$work" && ./files "$work/nat-dir") >"$work/files.nat.out" \
			2>"$work/files.nat.err"
		echo $? >"$work/files.nat.st"
		"$runner" run --dir "$work/wasm-dir::/sandbox" \
			"$work/files.wasm" /sandbox >"$work/files.wasm.out" \
			2>"$work/files.wasm.err"
		echo $? >"$work/files.wasm.st"
		same "files: through a preopen" files
		;;
	*)
		run_both "$prog" /dev/null "$prog"
		same "$prog" "$prog"
		;;
	esac
done

# ---- the sandbox (wasm only) --------------------------------------------

sb=$work/sandbox
mkdir -p "$sb/sb/sub" "$sb/ro"
echo inner >"$sb/sb/inner.txt"
echo secret >"$sb/outside.txt"
ln -s .. "$sb/sb/up"
ln -s /etc "$sb/sb/abs"
printf 'read-only data\n' >"$sb/ro/data.txt"
if build sandbox wasm-only; then
	"$runner" run --dir "$sb/sb::/sb" --dir "$sb/ro::/ro:ro" \
		"$work/sandbox.wasm" </dev/null >"$work/sandbox.out" \
		2>"$work/sandbox.err"
	st=$?
	if [ $st -eq 0 ] && grep -q ' 0 failed' "$work/sandbox.out"; then
		ok "$(tail -n 1 "$work/sandbox.out")"
	else
		not_ok "sandbox: status $st"
		grep -v '^PASS' "$work/sandbox.out" | sed 's/^/#   /'
		show "$work/sandbox.err"
	fi
	leaked=$(cd "$sb" && find . -name 'stolen*' -o -name 'evil*' \
		-o -path './ro/*' ! -name data.txt)
	if [ -z "$leaked" ] && [ "$(cat "$sb/outside.txt")" = secret ] &&
		[ "$(cat "$sb/ro/data.txt")" = "read-only data" ]; then
		ok "sandbox: host files untouched"
	else
		not_ok "sandbox: host files changed" "$leaked"
	fi
else
	not_ok "sandbox builds"
	show "$work/sandbox.cc.err"
fi

# ---- every WASI call (wasm only) ----------------------------------------

mkdir -p "$work/wc"
if build wasi_calls wasm-only; then
	"$runner" run --env WC=1 --dir "$work/wc::/wc" "$work/wasi_calls.wasm" \
		one two </dev/null >"$work/wasi_calls.out" 2>"$work/wasi_calls.err"
	st=$?
	if [ $st -eq 0 ] && grep -q ' 0 failed' "$work/wasi_calls.out"; then
		ok "$(tail -n 1 "$work/wasi_calls.out")"
	else
		not_ok "wasi_calls: status $st"
		sed 's/^/#   /' "$work/wasi_calls.out"
		show "$work/wasi_calls.err"
	fi
else
	not_ok "wasi_calls builds"
	show "$work/wasi_calls.cc.err"
fi

# ---- exit statuses of `wasm run` ----------------------------------------

# expect NAME STATUS STDERR-WORD [run args...]
expect() {
	name=$1 want=$2 word=$3
	shift 3
	"$runner" "$@" </dev/null >"$work/expect.out" 2>"$work/expect.err"
	st=$?
	if [ $st -ne "$want" ]; then
		not_ok "$name: status $want" "got $st"
		show "$work/expect.err"
	elif [ -n "$word" ] && ! grep -qi -- "$word" "$work/expect.err"; then
		not_ok "$name: stderr names '$word'"
		show "$work/expect.err"
	else
		ok "$name: status $want"
	fi
}

build trap wasm-only || not_ok "trap builds"
t=$work/trap.wasm
expect "trap: unreachable" 125 unreachable run "$t"
# out of bounds: the same trap, at the same place, with guard pages and
# with explicit checks, on machine code and on the interpreter
for mode in "--bounds auto" "--bounds check" "--engine interp"; do
	# shellcheck disable=SC2086 # two words
	expect "trap: out of bounds ($mode)" 125 "out of bounds" \
		run --verbose $mode "$t" oob
	grep -v '^bnity wasm run: engine=' "$work/expect.err" \
		>"$work/oob.$(echo $mode | tr -d ' -')"
done
if cmp -s "$work/oob.boundsauto" "$work/oob.boundscheck" &&
   cmp -s "$work/oob.boundsauto" "$work/oob.engineinterp"; then
	ok "trap: out of bounds reported alike in every mode"
else
	not_ok "trap: out of bounds reported alike in every mode"
	show "$work/oob.boundsauto"
	show "$work/oob.boundscheck"
fi
# --verbose says which mode ran: guard pages where there is machine code
"$runner" run --verbose "$t" oob >/dev/null 2>"$work/mode.auto"
"$runner" run --verbose --bounds check "$t" oob >/dev/null \
	2>"$work/mode.check"
case $(uname -m)-$(uname -s) in
x86_64-Linux) want="engine=jit bounds=guard pages" ;;
*) want="engine=interp bounds=checked" ;;
esac
if grep -q "$want" "$work/mode.auto" &&
   grep -q "bounds=checked" "$work/mode.check"; then
	ok "--verbose names the bounds mode ($want)"
else
	not_ok "--verbose names the bounds mode" \
		"$(cat "$work/mode.auto" "$work/mode.check")"
fi
# an address-space limit refuses the reservation: checks, same trap
if (ulimit -v 4000000 && "$runner" run --verbose "$t" oob) \
	>/dev/null 2>"$work/mode.rlimit"; then
	not_ok "RLIMIT_AS: falls back to bounds checks" "no trap"
elif grep -q "Sanitizer" "$work/mode.rlimit"; then
	ok "RLIMIT_AS: falls back to bounds checks # SKIP sanitizer build"
elif grep -q "bounds=checked" "$work/mode.rlimit" &&
     grep -q "out of bounds" "$work/mode.rlimit"; then
	ok "RLIMIT_AS: falls back to bounds checks"
else
	not_ok "RLIMIT_AS: falls back to bounds checks" \
		"$(cat "$work/mode.rlimit")"
fi
expect "limit: fuel" 124 fuel run --fuel 1000000 "$t" spin
expect "limit: fuel=N form" 124 fuel run --fuel=1000000 "$t" spin
expect "limit: timeout" 124 interrupt run --timeout 1 "$t" spin
expect "limit: timeout wakes a sleeper" 124 interrupt \
	run --timeout 1 "$t" sleep
# The pipe's writer stays silent for 4 s; time the reader alone.
sleep 4 | {
	t0=$(date +%s)
	"$runner" run --timeout 1 "$t" read >/dev/null 2>&1
	echo "$? $(($(date +%s) - t0))" >"$work/read.st"
}
read -r st secs <"$work/read.st"
if [ "$st" -eq 124 ] && [ "$secs" -lt 3 ]; then
	ok "limit: timeout wakes a blocked stdin read: status 124"
else
	not_ok "limit: timeout wakes a blocked stdin read" \
		"status $st after ${secs}s"
fi
expect "limit: call depth" 124 stack run --max-call-depth 5000 \
	"$work/recurse.wasm"
expect "limit: memory below the module's minimum" 124 limit \
	run --max-memory 64K "$t" grow
expect "limit: memory.grow refused, malloc fails" 0 "" \
	run --max-memory 4M "$t" grow
if grep -q '^got [0-3] MiB' "$work/expect.out"; then
	ok "limit: memory capped at 4M ($(tail -n 1 "$work/expect.out"))"
else
	not_ok "limit: memory capped at 4M" "$(cat "$work/expect.out")"
fi
"$runner" run --max-output 10 "$work/strings.wasm" >"$work/capped.out" \
	2>/dev/null
if [ "$(wc -c <"$work/capped.out")" -eq 10 ]; then
	ok "limit: --max-output 10 writes 10 bytes"
else
	not_ok "limit: --max-output 10" "wrote $(wc -c <"$work/capped.out")"
fi

expect "usage: bad --fuel" 2 fuel run --fuel abc "$t"
expect "usage: --fuel without value" 2 fuel run --fuel
expect "usage: unknown option" 2 --bogus run --bogus 1 "$t"
expect "usage: missing FILE" 2 missing run
expect "usage: bad --dir" 2 /nonexistent run --dir /nonexistent/x "$t"
expect "usage: bad --env" 2 env run --env NOEQUALS "$t"
expect "usage: unknown subcommand" 2 unknown frob
expect "help" 0 "" help

printf 'not wasm at all' >"$work/garbage.wasm"
expect "load: garbage" 126 magic run "$work/garbage.wasm"
expect "load: missing file" 126 "no such file" run "$work/nope.wasm"
# (module (import "env" "f" (func))) with no _start
printf '\000asm\001\000\000\000\001\004\001\140\000\000\002\011\001\003env\001f\000\000' \
	>"$work/import.wasm"
expect "load: unresolved import" 126 env run "$work/import.wasm"
printf '\000asm\001\000\000\000' >"$work/empty.wasm"
expect "load: no _start" 126 _start run "$work/empty.wasm"
if command -v wat2wasm >/dev/null 2>&1; then
	cat >"$work/start.wat" <<'EOF'
(module
 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
 (memory (export "memory") 1)
 (func $s (call $exit (i32.const 265)))
 (start $s)
 (func (export "_start") unreachable))
EOF
	wat2wasm "$work/start.wat" -o "$work/start.wasm"
	expect "proc_exit(265) in a start function" 9 "" run \
		"$work/start.wasm"
	# tables count against --max-memory as linear memory does: forty
	# tables of ten million entries (3.2 GB of pointers) under 64M do
	# not instantiate
	{
		printf '(module'
		i=0
		while [ $i -lt 40 ]; do
			printf ' (table 10000000 funcref)'
			i=$((i + 1))
		done
		printf ' (func (export "_start")))\n'
	} >"$work/tables.wat"
	wat2wasm "$work/tables.wat" -o "$work/tables.wasm"
	expect "limit: tables over --max-memory" 124 limit \
		run --max-memory 64M "$work/tables.wasm"
	# table.grow is refused (-1) at the cap: eight steps of 1Mi entries
	# (8 MiB of pointers each) fit in 64M, the ninth does not
	cat >"$work/tgrow.wat" <<'EOF'
(module
 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
 (table 0 funcref)
 (func (export "_start") (local $n i32)
  (block $full
   (loop $l
    (br_if $full (i32.eq (table.grow 0 (ref.null func)
                                      (i32.const 1048576))
                         (i32.const -1)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $l)))
  (call $exit (local.get $n))))
EOF
	wat2wasm "$work/tgrow.wat" -o "$work/tgrow.wasm"
	expect "limit: table.grow refused at --max-memory (8 grows)" 8 "" \
		run --max-memory 64M "$work/tgrow.wasm"
else
	ok "proc_exit in a start function # SKIP wat2wasm not found"
	ok "limit: tables over --max-memory # SKIP wat2wasm not found"
	ok "limit: table.grow refused at --max-memory # SKIP wat2wasm not found"
fi

echo "1..$n"
[ $failed -eq 0 ]
