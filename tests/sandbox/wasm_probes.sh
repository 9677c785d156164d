#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The WebAssembly half of the escape suite: hostile modules run as
# UNTRUSTED skills (so in the confined worker, behind the engine's own
# checks), one probe per attack.  Prints a result table and TAP; a probe
# that escapes fails.  First argument: the bnity binary.
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME" "$work/allowed" "$work/outside"
# as root, the worker runs as nobody: the granted folder must be readable
# by it (and so is the secret next to it, which only confinement guards)
chmod 755 "$work" "$work/allowed" "$work/outside"
echo "top secret" >"$work/outside/secret.txt"
echo "fine" >"$work/allowed/ok.txt"
ln -s "$work/outside/secret.txt" "$work/allowed/link-out"
"$bnity" skill list >/dev/null
table=()

# probe NAME KIND(wat|c) SOURCE [INPUT] ; then judge with contained NAME EXPECTED COND
probe() {
  local name=$1 kind=$2 text=$3
  mkdir -p "$BNITY_HOME/skills/$name"
  printf -- '---\nname: %s\ndescription: escape probe\nmetadata:\n  type: tool\n  tier: untrusted\n  capabilities: "read_file=%s write_file=%s"\n---\nx\n' \
    "$name" "$work/allowed" "$work/allowed" >"$BNITY_HOME/skills/$name/SKILL.md"
  if [ "$kind" = wat ]; then
    printf '%s\n' "$text" >"$BNITY_HOME/skills/$name/skill.wat"
  else
    printf '%s\n' "$text" >"$BNITY_HOME/skills/$name/main.c"
  fi
  "$bnity" skill build "$name" >/dev/null 2>&1
}
judge() { # judge NAME EXPECTED COND
  local name=$1 expected=$2; shift 2
  local observed
  observed=$(printf '%s' "$out" | tr '\n' ' ' | sed 's/  */ /g' | cut -c1-60)
  [ -z "$observed" ] && observed=$(printf '%s' "$errout" | tr '\n' ' ' | cut -c1-60)
  if eval "$@"; then verdict=yes; else verdict=NO; fi
  table+=("$(printf '%-22s %-34s %-62s %s' "$name" "$expected" "$observed" "$verdict")")
  check "wasm probe $name is contained" "$@"
}

probe oob-memory wat '(module (memory 1) (func (export "_start") (drop (i32.load (i32.const 65535)))))'
run "$bnity" skill run oob-memory --json --input '{}'
judge oob-memory "trap: out of bounds memory" '[ $rc -eq 6 ] && [[ $out == *"out of bounds memory"* ]]'

probe oob-table wat '(module (type $t (func)) (table 1 funcref) (func (export "_start") (call_indirect (type $t) (i32.const 5))))'
run "$bnity" skill run oob-table --json --input '{}'
judge oob-table "trap: undefined element" '[ $rc -eq 6 ] && [[ $out == *"undefined element"* || $out == *"out of bounds table"* ]]'

probe runaway wat '(module (func (export "_start") (loop $l (br $l))))'
"$bnity" skill grant runaway --fuel 50000000 >/dev/null
run "$bnity" skill run runaway --json --input '{}'
judge runaway "limit: fuel" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"fuel\""* ]]'

probe recursion wat '(module (func $f (param i32) (call $f (i32.add (local.get 0) (i32.const 1)))) (func (export "_start") (call $f (i32.const 0))))'
run "$bnity" skill run recursion --json --input '{}'
judge recursion "limit: stack" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"stack\""* ]]'

probe huge-grow wat '(module (memory 1) (func (export "_start") (if (i32.ne (memory.grow (i32.const 65535)) (i32.const -1)) (then unreachable))))'
run "$bnity" skill run huge-grow --json --input '{}'
judge huge-grow "memory.grow refused (-1)" '[ $rc -eq 0 ] && [[ $out == *"\"memory_peak\": 65536"* ]]'

probe bad-pointer wat '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 1) (func (export "_start") (if (i32.ne (call $e (i32.const -16) (i32.const 100)) (i32.const -2)) (then unreachable)) (if (i32.ne (call $e (i32.const 0) (i32.const 2147483647)) (i32.const -2)) (then unreachable))))'
run "$bnity" skill run bad-pointer --json --input '{}'
judge bad-pointer "EINVAL for ptr/len outside memory" '[ $rc -eq 0 ]'

probe result-overrun wat '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (import "bnity" "last_error" (func $l (param i32 i32) (result i32))) (memory 1) (func (export "_start") (drop (call $e (i32.const -16) (i32.const 100))) (if (i32.ne (call $l (i32.const 65530) (i32.const 100)) (i32.const -2)) (then unreachable))))'
run "$bnity" skill run result-overrun --json --input '{}'
judge result-overrun "EINVAL for an output buffer outside" '[ $rc -eq 0 ]'

probe ungranted wat '(module (import "bnity" "http_get" (func $g (param i32 i32 i32 i32) (result i32))) (memory 1) (data (i32.const 0) "http://127.0.0.1:9/") (func (export "_start") (if (i32.ne (call $g (i32.const 0) (i32.const 19) (i32.const 0) (i32.const 0)) (i32.const -1)) (then unreachable))))'
run "$bnity" skill run ungranted --json --input '{}'
judge ungranted "EDENIED, audited" '[ $rc -eq 0 ] && [[ $out == *"\"host_denied\": 1"* ]]'

probe flood wat '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))) (memory 2) (func (export "_start") (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const 65536)) (loop $l (br_if $l (i32.eqz (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))))'
run "$bnity" skill run flood --json --input '{}'
judge flood "limit: output" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"output\""* ]]'

if command -v clang >/dev/null; then
  probe paths c "#include <stdio.h>
#include <string.h>
static int try(const char *p) { FILE *f = fopen(p, \"r\"); char b[64] = \"\"; if (!f) return 0; fgets(b, sizeof b, f); fclose(f); return strstr(b, \"secret\") != NULL; }
int main(void) {
	int leaked = 0;
	leaked |= try(\"$work/allowed/../outside/secret.txt\");
	leaked |= try(\"$work/outside/secret.txt\");
	leaked |= try(\"$work/allowed/link-out\");
	leaked |= try(\"/etc/passwd\");
	FILE *ok = fopen(\"$work/allowed/ok.txt\", \"r\");
	printf(\"leaked=%d readable_grant=%d\\n\", leaked, ok != NULL);
	return 0;
}"
  "$bnity" skill grant paths "read_file=$work/allowed" >/dev/null
  run "$bnity" skill run paths --input '{}'
  judge path-escape ".. / absolute / symlink refused" '[ $rc -eq 0 ] && [[ $out == *"leaked=0 readable_grant=1"* ]]'

  probe ro-write c "#include <stdio.h>
int main(void) { FILE *f = fopen(\"$work/allowed/new.txt\", \"w\"); printf(\"opened=%d\\n\", f != NULL); return 0; }"
  "$bnity" skill grant ro-write "read_file=$work/allowed" >/dev/null
  run "$bnity" skill run ro-write --input '{}'
  judge ro-write "write to a read-only grant fails" '[ $rc -eq 0 ] && [[ $out == *"opened=0"* ]] && [ ! -e "$work/allowed/new.txt" ]'
else
  skip "wasm probe path-escape" "clang is not installed"
  skip "wasm probe ro-write" "clang is not installed"
fi

echo "# probe                  expected                           observed                                                       contained"
for row in "${table[@]}"; do echo "# $row"; done
tap_done
