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

tap_home
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
  echo "Bail out! bnity skill build could not build a WAT module"
  exit 1
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

# --- grants die with their skill ---------------------------------------------
grants_of() { db "SELECT count(*) FROM grants WHERE skill='$1'"; }
run "$bnity" skill remove notes
check "remove takes the skill's grants with it" '[ $rc -eq 0 ] && [ "$(grants_of notes)" = 0 ]'
tool "$work/src/notes2" notes "read_env=SECRET_X" "$work/env.wasm" "Another notes skill."
run "$bnity" skill install "$work/src/notes2"
run "$bnity" skill run notes --input '{}'
check "a different skill of the same name inherits no grant" '[[ $out == *denied* ]] && [[ $out != *the-env-value* ]] && [ "$(grants_of notes)" = 0 ]'
run "$bnity" bot create b1
run "$bnity" skill install "$work/src/notes2" --force --grant read_env=SECRET_X --bot b1
check "(a grant for bot b1)" '[ $rc -eq 0 ] && [ "$(db "SELECT count(*) FROM grants WHERE skill=\"notes\" AND bot=\"b1\"")" = 1 ]'
tool "$work/src/notes3" notes "read_env=SECRET_X" "$work/env.wasm" "Changed instructions, same capabilities."
run "$bnity" skill install "$work/src/notes3" --force
check "a forced reinstall keeps a grant whose scope is unchanged, for the new content" '[ $rc -eq 0 ] && [ "$(db "SELECT skill_hash FROM grants WHERE skill=\"notes\" AND bot=\"b1\"")" = "$(db "SELECT tree_hash FROM skill_index WHERE name=\"notes\"")" ]'
tool "$work/src/notes4" notes "read_env=SECRET_*" "$work/env.wasm" "Asks for more."
run "$bnity" skill install "$work/src/notes4" --force
check "a forced reinstall without --bot drops the per-bot grant whose scope changed" '[ $rc -eq 0 ] && [ "$(grants_of notes)" = 0 ]'

# --- a copy of the same name is another skill --------------------------------
run "$bnity" skill install "$work/src/notes" --force --grant read_env=SECRET_X
run "$bnity" skill run notes --input '{}'
check "(the installed notes reads the variable)" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]]'

# --- migration: name-keyed grants move to the skill installed now -------------
# (rows migrated from the name-keyed table have no identity yet)
db "UPDATE grants SET skill_hash = ''; INSERT INTO grants (skill, bot, capability, scope, granted_at) VALUES ('gone', '*', 'read_env', 'X', 0)"
run "$bnity" skill list
check "the next open binds them to the installed hash and drops those of skills not installed" '[ "$(db "SELECT count(*) FROM grants WHERE length(skill_hash) = 0")" = 0 ] && [ "$(grants_of gone)" = 0 ] && [ "$(db "SELECT skill_hash FROM grants WHERE skill=\"notes\" LIMIT 1")" = "$(db "SELECT tree_hash FROM skill_index WHERE name=\"notes\"")" ]'

mkdir -p "$work/proj/.git"
tool "$work/proj/.claude/skills/notes" notes "" "$work/env.wasm" "A repository's own notes."
cd "$work/proj"
run "$bnity" skill run notes --input '{}'
check "a project copy with other content does not get the installed grants" '[[ $out == *denied* ]] && [[ $out != *the-env-value* ]]'
check "stderr says which copy ran and that it is not the installed one" '[[ $errout == *"$work/proj/.claude/skills/notes"* ]] && [[ $errout == *"not the installed"* ]]'
id=$(db "SELECT max(id) FROM audit_runs WHERE skill='notes'")
check "its audit record is untrusted, read_env denied" '[ "$(db "SELECT tier FROM audit_runs WHERE id=$id")" = untrusted ] && [ "$(db "SELECT allowed FROM audit_calls WHERE run_id=$id AND capability=\"read_env\"")" = 0 ]'
check "its audit record names the copy" '[ "$(db "SELECT scope FROM audit_calls WHERE run_id=$id AND capability=\"identity\"")" = "$work/proj/.claude/skills/notes" ]'
rm -rf "$work/proj/.claude/skills/notes"
mkdir -p "$work/proj/.claude/skills"
cp -r "$BNITY_HOME/skills/notes" "$work/proj/.claude/skills/notes"
rm "$work/proj/.claude/skills/notes/.bnity-install.json"
run "$bnity" skill run notes --input '{}'
check "an identical copy in .claude/skills is the installed skill: its grants apply" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]] && [[ $errout != *"not the installed"* ]]'
echo "edited" >>"$work/proj/.claude/skills/notes/SKILL.md"
run "$bnity" skill run notes --input '{}'
check "one changed byte makes it another skill" '[[ $out == *denied* ]] && [[ $errout == *"not the installed"* ]]'
run "$bnity" skill grant notes read_env=SECRET_X
run "$bnity" skill run notes --input '{}'
check "a grant given to the copy holds for that copy" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]]'
cd "$work"
run "$bnity" skill run notes --input '{}'
check "(and the installed skill still has its own)" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]] && [[ $errout != *"not the installed"* ]]'
tool "$HOME/.agents/skills/notes" notes "read_env=SECRET_X" "$work/env.wasm" "A user folder's notes."
run "$bnity" skill run notes --input '{}'
check "a copy in ~/.agents/skills with other content gets no grant" '[[ $out == *denied* ]] && [[ $out != *the-env-value* ]] && [[ $errout == *"$HOME/.agents/skills/notes"* ]]'
run "$bnity" skill list
check "skill list shows the user copy untrusted" '[[ $out == *notes*untrusted*user* ]]'

# --- the hash is of the bytes that run ---------------------------------------
# A racing process swaps skill.wasm between the check of the skill's
# identity and the read of its module (BNITY_FAULT=run-before-load renames
# $BNITY_FAULT_TARGET over it there): the bytes read must not run under
# the grants of the content that was checked.
rm -rf "$HOME/.agents/skills/notes"
swapmod=$(printf '%s\n' "$envmod" | sed 's/"denied"/"DENIED"/')
wasm "$work/swapped.wasm" "$swapmod"
check "(a second module that reads the variable)" '[ -s "$work/swapped.wasm" ] && ! cmp -s "$work/swapped.wasm" "$work/env.wasm"'
run "$bnity" skill run notes --input '{}'
check "(the installed notes reads the variable before the swap)" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]]'
swap_run() {
  cp "$work/swapped.wasm" "$work/swap-in.wasm"
  run env BNITY_FAULT=run-before-load BNITY_FAULT_TARGET="$work/swap-in.wasm" \
    "$bnity" skill run notes --input '{}'
}
last_run() { db "SELECT $1 FROM audit_runs WHERE skill='notes' ORDER BY id DESC LIMIT 1"; }
swap_run
check "a module swapped in after the check does not run with the grants" '[ $rc -ne 0 ] && [[ $out != *the-env-value* ]]'
check "the refusal says the files changed on disk" '[[ $errout == *"changed on disk"* ]] && [[ $errout == *"$BNITY_HOME/skills/notes"* ]]'
check "the audit records the run as denied, with why" '[ "$(last_run outcome)" = denied ] && [[ "$(last_run error)" == *"changed on disk"* ]]'
run "$bnity" skill run notes --input '{}'
check "the module left in place of the installed one is caught on the next run too" '[ $rc -ne 0 ] && [[ $out != *the-env-value* ]] && [[ $errout == *"changed on disk"* ]]'
cp "$work/env.wasm" "$BNITY_HOME/skills/notes/skill.wasm"
run "$bnity" skill run notes --input '{}'
check "the installed bytes back in place run with their grants" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]]'

cd "$work/proj"
rm -rf "$work/proj/.claude/skills/notes"
cp -r "$BNITY_HOME/skills/notes" "$work/proj/.claude/skills/notes"
rm "$work/proj/.claude/skills/notes/.bnity-install.json"
run "$bnity" skill run notes --input '{}'
check "(an identical project copy is the installed skill)" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]]'
swap_run
check "a module swapped into that copy after its hash was taken does not get the grants" '[ $rc -ne 0 ] && [[ $out != *the-env-value* ]] && [[ $errout == *"$work/proj/.claude/skills/notes"* ]] && [[ $errout == *"changed on disk"* ]]'
check "(its audit row says so)" '[ "$(last_run outcome)" = denied ] && [[ "$(last_run error)" == *"changed on disk"* ]]'
cd "$work"

# A hand-run build of an installed skill makes a new module from the files
# installed: the store records the new content, and its grants follow.
tool "$work/src/rebuilt" rebuilt "read_env=SECRET_X" "$work/swapped.wasm"
printf '%s\n' "$envmod" >"$work/src/rebuilt/skill.wat"
run "$bnity" skill install "$work/src/rebuilt" --grant read_env=SECRET_X
before=$(db "SELECT tree_hash FROM skill_index WHERE name='rebuilt'")
run "$bnity" skill build rebuilt
check "skill build of an installed skill builds it confined" '[ $rc -eq 0 ] && [[ $errout == *"OS sandbox"* ]] && cmp -s "$BNITY_HOME/skills/rebuilt/skill.wasm" "$work/env.wasm"'
check "the store records the rebuilt content" '[ "$(db "SELECT tree_hash FROM skill_index WHERE name=\"rebuilt\"")" != "$before" ] && "$bnity" skill verify rebuilt >/dev/null'
run "$bnity" skill run rebuilt --input '{}'
check "the rebuilt module runs, with the grants of the skill it was built from" '[ $rc -eq 0 ] && [[ $out == *the-env-value* ]]'
echo "edited" >>"$BNITY_HOME/skills/rebuilt/SKILL.md"
run "$bnity" skill build rebuilt
check "an installed skill edited in place is not rebuilt (nor recorded)" '[ $rc -ne 0 ] && [[ $errout == *"not built"* ]] && [[ $errout == *"changed since it was installed"* ]]'

# the same for a script: the private copy that runs is what is checked
mkdir -p "$work/src/scripted/scripts"
printf -- '---\nname: scripted\ndescription: has a script\nmetadata:\n  capabilities: "exec_command=show.sh"\n---\nx\n' >"$work/src/scripted/SKILL.md"
echo 'echo installed-script' >"$work/src/scripted/scripts/show.sh"
run "$bnity" skill install "$work/src/scripted" --grant exec_command=show.sh
run "$bnity" skill script scripted show.sh
check "(the installed script runs with its grant)" '[ $rc -eq 0 ] && [[ $out == *installed-script* ]]'
echo 'echo swapped-script' >"$work/swap-in.sh"
run env BNITY_FAULT=run-before-load BNITY_FAULT_TARGET="$work/swap-in.sh" \
  "$bnity" skill script scripted show.sh
check "a script swapped in after the check does not run with the grant" '[ $rc -ne 0 ] && [[ $out != *swapped-script* ]] && [[ $errout == *"changed on disk"* ]]'
check "(the audit row says why)" '[[ "$(db "SELECT error FROM audit_runs WHERE skill='"'"'scripted'"'"' ORDER BY id DESC LIMIT 1")" == *"changed on disk"* ]]'

# a project copy of the script skill that differs: its own skill, said so
mkdir -p "$work/proj2/.git" "$work/proj2/.agents/skills/scripted/scripts"
cp "$work/src/scripted/SKILL.md" "$work/proj2/.agents/skills/scripted/"
echo 'echo shadow-script' >"$work/proj2/.agents/skills/scripted/scripts/show.sh"
cd "$work/proj2"
run "$bnity" skill script scripted show.sh
cd "$work"
check "a shadowing script copy runs without the installed grant and says which copy ran" '[ $rc -ne 0 ] && [[ $out != *shadow-script* ]] && [[ $errout == *"not the installed content"* ]]'

tap_done
