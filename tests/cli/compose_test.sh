#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Skill inheritance through the CLI: inspect --resolved, dependencies and
# conflicts at attach, a bad graph left out of the prompt, and a child
# running its nearest ancestor's tool module.
set -u
bnity=$(realpath "$1")
. "$(dirname "$0")/tap.sh"
tap_home
"$bnity" skill list >/dev/null
S=$BNITY_HOME/skills
mk() { # mk NAME METADATA-LINES...
  local name=$1; shift
  mkdir -p "$S/$name"
  {
    printf -- '---\nname: %s\ndescription: skill %s for tests\nmetadata:\n' "$name" "$name"
    for l in "$@"; do printf '  %s\n' "$l"; done
    printf -- '---\nInstructions of %s.\n' "$name"
  } >"$S/$name/SKILL.md"
}
mk base 'type: tool' 'version: "1.4.0"' 'capabilities: "read_env=LANG"'
printf '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))) (memory 1) (data (i32.const 16) "from base\\n") (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 10)) (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))\n' >"$S/base/skill.wat"
mk middle 'parents: "base"' 'capabilities: "recall_memory"'
mk child 'parents: "middle"' 'dependencies: "base@^1.2"'
mk needs-new 'dependencies: "base@>=2.0.0"'
mk needs-absent 'dependencies: "nowhere"'
mk tabs 'conflicts-with: "base"'
mk loop-a 'parents: "loop-b"'
mk loop-b 'parents: "loop-a"'
mk lost 'parents: "ghost"'
mk g1 'parents: "child"'
mk g2 'parents: "g1"'

run "$bnity" skill inspect child --resolved
check "resolved: ancestors first, child last" '[ $rc -eq 0 ] && [[ $out == *"base -> middle -> child"* ]]'
check "resolved: capabilities with their origin" '[[ $out == *"read_env=LANG (from base)"* ]] && [[ $out == *"recall_memory (from middle)"* ]]'
check "resolved: the tool module of the nearest ancestor" '[[ $out == *"tool module:  base"* ]]'
check "resolved: instruction blocks marked with origin" '[[ $out == *"from skill '"'"'base'"'"'"*"Instructions of base."*"Instructions of child."* ]]'
run "$bnity" skill inspect child --resolved --json
check "resolved --json" '[ $rc -eq 0 ] && [[ $out == *"\"chain\""* ]] && [[ $out == *"\"origin\": \"middle\""* ]]'
run "$bnity" skill inspect g1 --resolved
check "a chain of four resolves" '[ $rc -eq 0 ]'
run "$bnity" skill inspect g2 --resolved
check "a fifth generation is an error" '[ $rc -eq 1 ] && [[ $errout == *"too deep"* ]]'
run "$bnity" skill inspect loop-a --resolved
check "a cycle is printed" '[ $rc -eq 1 ] && [[ $errout == *"loop-a -> loop-b -> loop-a"* ]]'
run "$bnity" skill inspect lost --resolved
check "a missing parent is named" '[ $rc -eq 1 ] && [[ $errout == *"ghost"* ]]'

"$bnity" bot create b1 >/dev/null
run "$bnity" skill attach child b1
check "attach checks dependencies and passes" '[ $rc -eq 0 ]'
run "$bnity" skill attach needs-new b1
check "a version clash is refused, named" '[ $rc -eq 1 ] && [[ $errout == *"base@>=2.0.0"* ]] && [[ $errout == *"1.4.0"* ]]'
run "$bnity" skill attach needs-absent b1
check "a missing dependency is refused, named" '[ $rc -eq 1 ] && [[ $errout == *"nowhere"* ]]'
run "$bnity" skill attach tabs b1
check "a conflict with an ancestor of an attached skill is refused" '[ $rc -eq 1 ] && [[ $errout == *"conflicts with"* ]]'
"$bnity" bot create b2 >/dev/null
"$bnity" skill attach tabs b2 >/dev/null
run "$bnity" skill attach base b2
check "conflicts are refused in the other direction too" '[ $rc -eq 1 ] && [[ $errout == *"conflicts with"* ]]'
"$bnity" skill attach lost b2 >/dev/null 2>&1
run "$bnity" skill attach loop-a b2
check "a skill that does not resolve cannot be attached" '[ $rc -eq 1 ] && [[ $errout == *"cycle"* ]]'

run "$bnity" skill build base
run "$bnity" skill run child --input '{}'
check "the child runs its ancestor's module" '[ $rc -eq 0 ] && [[ $out == *"from base"* ]]'
run "$bnity" skill grant child read_env=LANG
check "a grant may cover what an ancestor declares" '[ $rc -eq 0 ]'
run "$bnity" skill grant child read_env=HOME
check "but not beyond it" '[ $rc -eq 1 ] && [[ $errout == *"exceeds"* ]]'
tap_done
