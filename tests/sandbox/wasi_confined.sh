#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every WASI preview 1 call the engine defines, made by an UNTRUSTED skill
# (so in the confined worker, under its seccomp allow-list and Landlock)
# with a write_file grant on an empty folder: tests/wasm/programs/
# wasi_calls.c built as that skill.  A call whose system call the
# allow-list lacks kills the worker with SIGSYS ("stopped by the sandbox
# (seccomp)"); here every call must give the result the spec promises,
# and the folder must hold what the calls left on the host.
# First argument: the bnity binary.  Needs clang with wasm32-wasi.
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME" "$work/scratch"
# the worker runs as nobody (or as the caller): it must reach and write
# the granted folder whoever runs the test
chmod 755 "$work"
chmod 777 "$work/scratch"
name=wasi-calls

if ! printf 'int main(void){return 0;}\n' |
  clang --target=wasm32-wasi -O2 -x c - -o "$work/probe.wasm" 2>/dev/null; then
  skip "every WASI call in the confined worker" "no wasm32-wasi C toolchain (clang)"
  tap_done
  exit
fi

"$bnity" skill list >/dev/null
mkdir -p "$BNITY_HOME/skills/$name"
printf -- '---\nname: %s\ndescription: every WASI call\nmetadata:\n  type: tool\n  tier: untrusted\n  capabilities: "write_file=%s"\n---\nx\n' \
  "$name" "$work/scratch" >"$BNITY_HOME/skills/$name/SKILL.md"
run clang --target=wasm32-wasi -O2 "-DWC_SKILL=\"$name\"" \
  "-DWC_DIR=\"$work/scratch\"" -o "$BNITY_HOME/skills/$name/skill.wasm" \
  "$src/tests/wasm/programs/wasi_calls.c"
check "wasi_calls.c builds as a skill" '[ $rc -eq 0 ]'
run "$bnity" skill grant "$name" "write_file=$work/scratch"
check "grant write_file on the scratch folder" '[ $rc -eq 0 ]'

run "$bnity" skill run "$name" --json --input '{}'
if [[ $errout == *"confined worker it requires is not available"* ]]; then
  skip "every WASI call in the confined worker" "this kernel cannot confine untrusted skills (bnity sandbox status)"
  tap_done
  exit
fi
check "the untrusted run is confined" '[[ $out == *"\"tier\": \"untrusted\""* ]]'
check "no call is killed by seccomp" '[[ $out != *seccomp* ]] && [[ $out != *"stopped by the sandbox"* ]]'
check "every WASI call gives the spec result" '[ $rc -eq 0 ] && [[ $out == *"\"outcome\": \"ok\""* ]] && [[ $out == *"wasi_calls: "*" passed, 0 failed"* ]] && [[ $out != *FAIL* ]]'
# what the calls leave behind, seen from the host
check "path_rename moved the file on the host" '[ -f "$work/scratch/d/moved" ] && [ ! -e "$work/scratch/hard" ]'
check "path_symlink made the link on the host" '[ "$(readlink "$work/scratch/l")" = f.txt ]'
check "path_unlink_file and path_remove_directory removed on the host" '[ ! -e "$work/scratch/f.txt" ] && [ ! -e "$work/scratch/empty" ] && [ ! -e "$work/scratch/p.txt" ]'
check "path_open created files on the host" '[ -f "$work/scratch/d/entry-11" ]'
tap_done
