#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A skill's identity is its content (docs/security.md, "Identity rule"):
# the tier comes from the store's database, never from the marker file in
# the skill folder; grants die with their skill; a copy of the same name
# in .claude/skills, .agents/skills or a user folder that is not the
# installed content runs untrusted, without the installed skill's grants,
# and says which copy ran.
set -u
bnity=$(realpath "$1")
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME"
cd "$work"
db() { sqlite3 "$BNITY_HOME/boternity.db" "$1"; }
has() { command -v "$1" >/dev/null 2>&1; }

# A module that prints the value of SECRET_X when read_env gives it, and
# "denied" when it does not.
envmod='(module
 (import "bnity" "read_env" (func $e (param i32 i32) (result i32)))
 (import "bnity" "result_read" (func $rr (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 0) "SECRET_X")
 (data (i32.const 40) "denied")
 (func (export "_start") (local $n i32)
  (local.set $n (call $e (i32.const 0) (i32.const 8)))
  (if (i32.ge_s (local.get $n) (i32.const 0))
   (then (local.set $n (call $rr (i32.const 100) (i32.const 64)))
         (i32.store (i32.const 16) (i32.const 100)))
   (else (local.set $n (i32.const 6))
         (i32.store (i32.const 16) (i32.const 40))))
  (i32.store (i32.const 20) (local.get $n))
  (drop (call $w (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))'

# wasm OUT WAT: compile WAT into OUT through a scratch store skill
wasm() {
  mkdir -p "$BNITY_HOME/skills/wat-scratch"
  printf -- '---\nname: wat-scratch\ndescription: builds a module\nmetadata:\n  type: tool\n---\nx\n' >"$BNITY_HOME/skills/wat-scratch/SKILL.md"
  printf '%s\n' "$2" >"$BNITY_HOME/skills/wat-scratch/skill.wat"
  "$bnity" skill build wat-scratch >/dev/null &&
    cp "$BNITY_HOME/skills/wat-scratch/skill.wasm" "$1"
  "$bnity" skill remove wat-scratch >/dev/null
}
# tool DIR NAME CAPS WASM [BODY]: a tool skill folder
tool() {
  mkdir -p "$1"
  printf -- '---\nname: %s\ndescription: The %s skill, for tests.\nmetadata:\n  type: tool\n  capabilities: "%s"\n---\n%s\n' \
    "$2" "$2" "$3" "${5:-Run it.}" >"$1/SKILL.md"
  cp "$4" "$1/skill.wasm"
}
if ! wasm "$work/env.wasm" "$envmod" || [ ! -s "$work/env.wasm" ]; then
  echo "1..0 # SKIP no WAT build in this bnity"
  exit 0
fi
export SECRET_X=the-env-value

# --- provenance lives in the database ----------------------------------------
tool "$work/src/notes" notes "read_env=SECRET_X" "$work/env.wasm"
run "$bnity" skill install "$work/src/notes" --grant read_env=SECRET_X
check "a local folder installs untrusted" '[ $rc -eq 0 ] && [ "$(db "SELECT tier FROM skill_index WHERE name=\"notes\"")" = untrusted ]'
check "the store records its tree hash" '[[ "$(db "SELECT tree_hash FROM skill_index WHERE name=\"notes\"")" == sha256:* ]]'
run "$bnity" skill run notes --json --input '{}'
check "the granted run reads the variable, tier untrusted" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]] && [[ $out == *"\"tier\": \"untrusted\""* ]]'
marker=$BNITY_HOME/skills/notes/.bnity-install.json
sed -i 's/"tier": "untrusted"/"tier": "local"/' "$marker"
run grep -q "\"tier\": \"local\"" "$marker"
check "(the marker now claims local)" '[ $rc -eq 0 ]'
run "$bnity" skill run notes --json --input '{}'
check "an edited marker does not raise the tier" '[[ $out == *"\"tier\": \"untrusted\""* ]] && [ "$(db "SELECT tier FROM skill_index WHERE name=\"notes\"")" = untrusted ]'
check "the audit records the run as untrusted" '[ "$(db "SELECT tier FROM audit_runs WHERE skill=\"notes\" ORDER BY id DESC LIMIT 1")" = untrusted ]'
run "$bnity" skill verify notes
check "verify reports the edited marker" '[ $rc -eq 1 ] && [[ $errout == *".bnity-install.json says tier '"'"'local'"'"'"* ]]'
sed -i 's/"tier": "local"/"tier": "untrusted"/' "$marker"
run "$bnity" skill verify notes
check "verify passes once the marker is as installed" '[ $rc -eq 0 ]'

tap_done
