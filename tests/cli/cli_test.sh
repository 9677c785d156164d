#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CLI as a user drives it, from an empty BNITY_HOME: help and exit
# codes, create -> validate -> attach -> bot prompt, discovery of other
# agents' skills, interrupted writes, and bad input.
set -u
bnity=$(realpath "$1")
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME"
cd "$work"

# --- help, version, exit codes --------------------------------------------
run "$bnity" --version
check "--version prints the version" '[ $rc -eq 0 ] && [[ $out == "bnity "* ]]'
run "$bnity" --help
check "--help lists the commands" '[ $rc -eq 0 ] && [[ $out == *"skill validate"* ]] && [[ $out == *"bot prompt"* ]]'
run "$bnity" help skill create
check "help of one command" '[ $rc -eq 0 ] && [[ $out == *"--type prompt|tool"* ]]'
run "$bnity"
check "no command is a usage error (2)" '[ $rc -eq 2 ]'
run "$bnity" frobnicate
check "unknown command: exit 2, named" '[ $rc -eq 2 ] && [[ $errout == *frobnicate* ]]'
run "$bnity" skill list --bogus
check "unknown option: exit 2, named" '[ $rc -eq 2 ] && [[ $errout == *--bogus* ]]'
run "$bnity" skill create
check "missing argument: exit 2" '[ $rc -eq 2 ]'
run "$bnity" skill create x --type wizard
check "bad --type value: exit 2, named" '[ $rc -eq 2 ] && [[ $errout == *wizard* ]]'

# --- create and validate ---------------------------------------------------
run "$bnity" skill list
check "empty store lists nothing" '[ $rc -eq 0 ] && [[ $out == *"no skills yet"* ]]'
run "$bnity" skill create pdf-notes --description 'Summarise PDF files: key "points" & tables.'
check "create a prompt skill" '[ $rc -eq 0 ] && [ -f "$BNITY_HOME/skills/pdf-notes/SKILL.md" ]'
run "$bnity" skill validate "$BNITY_HOME/skills/pdf-notes"
check "the skeleton validates unchanged" '[ $rc -eq 0 ] && [[ $out == *": valid"* ]]'
run "$bnity" skill create word-count --type tool
check "create a tool skill with sources" '[ $rc -eq 0 ] && [ -f "$BNITY_HOME/skills/word-count/src/main.c" ] && [ -f "$BNITY_HOME/skills/word-count/schema.json" ]'
run "$bnity" skill validate --json "$BNITY_HOME/skills/word-count/SKILL.md"
check "validate --json shape" '[ $rc -eq 0 ] && [[ $out == *"\"valid\": true"* || $out == *"\"valid\":true"* ]] && [[ $out == *"\"errors\""* ]] && [[ $out == *"\"warnings\""* ]]'
run "$bnity" skill create pdf-notes
check "creating an existing skill fails (1)" '[ $rc -eq 1 ] && [[ $errout == *"already exists"* ]]'
run "$bnity" skill create Bad--Name
check "an invalid name is refused (1), named" '[ $rc -eq 1 ] && [[ $errout == *"Bad--Name"* ]]'
run "$bnity" skill list --json
check "list --json has both skills with type and tier" '[ $rc -eq 0 ] && [[ $out == *"\"word-count\""* ]] && [[ $out == *"\"tool\""* ]] && [[ $out == *"\"local\""* ]]'
run "$bnity" skill inspect word-count
check "inspect shows the skill" '[ $rc -eq 0 ] && [[ $out == *"type:         tool"* ]]'
run "$bnity" skill inspect nope
check "inspect of a missing skill fails (1), named" '[ $rc -eq 1 ] && [[ $errout == *"nope"* ]]'

# --- bots, attach, prompt --------------------------------------------------
run "$bnity" bot create helper --name "Helper" --persona "You are a careful assistant."
check "create a bot" '[ $rc -eq 0 ]'
run "$bnity" bot create helper
check "a duplicate bot is refused" '[ $rc -eq 1 ] && [[ $errout == *"already exists"* ]]'
run "$bnity" bot create "No Spaces"
check "an invalid slug is refused, named" '[ $rc -eq 1 ] && [[ $errout == *"No Spaces"* ]]'
run "$bnity" bot create other --persona-file /nonexistent/persona.txt
check "a missing persona file is named" '[ $rc -eq 1 ] && [[ $errout == *"/nonexistent/persona.txt"* ]]'
run "$bnity" bot prompt helper
check "a bot without skills has no catalog" '[ $rc -eq 0 ] && [[ $out == *"careful assistant"* ]] && [[ $out != *"<available_skills>"* ]]'
run "$bnity" skill attach pdf-notes helper
check "attach" '[ $rc -eq 0 ]'
run "$bnity" skill attach pdf-notes helper
check "attaching twice is refused" '[ $rc -eq 1 ]'
run "$bnity" skill attach missing-skill helper
check "attaching an unknown skill is refused, named" '[ $rc -eq 1 ] && [[ $errout == *"missing-skill"* ]]'
run "$bnity" skill attach pdf-notes ghost
check "attaching to an unknown bot is refused, named" '[ $rc -eq 1 ] && [[ $errout == *"ghost"* ]]'
run "$bnity" bot prompt helper
flat=${out//$'\n'/}
check "the prompt has the persona then the catalog" '[ $rc -eq 0 ] && [[ $flat == "You are a careful assistant."*"<available_skills>"*"<name>pdf-notes</name>"*"</available_skills>"* ]]'
check "the catalog escapes XML" '[[ $out == *"&quot;points&quot; &amp; tables"* ]]'
check "the catalog gives the location of SKILL.md" '[[ $flat == *"<location>$BNITY_HOME/skills/pdf-notes/SKILL.md</location>"* ]]'
run "$bnity" skill disable pdf-notes helper
run "$bnity" bot prompt helper
check "a disabled skill leaves the catalog" '[ $rc -eq 0 ] && [[ $out != *"<available_skills>"* ]]'
run "$bnity" skill enable pdf-notes helper
run "$bnity" bot show helper --json
check "bot show --json lists its skills" '[ $rc -eq 0 ] && [[ $out == *"\"skill\": \"pdf-notes\""* ]]'
run "$bnity" skill detach pdf-notes helper
run "$bnity" skill detach pdf-notes helper
check "detaching what is not attached fails" '[ $rc -eq 1 ] && [[ $errout == *"not attached"* ]]'
run "$bnity" bot prompt ghost
check "prompt of an unknown bot fails, named" '[ $rc -eq 1 ] && [[ $errout == *"ghost"* ]]'

# --- interrupted writes leave the store as before --------------------------
BNITY_FAULT=create-before-commit "$bnity" skill create half-made >/dev/null 2>&1
rc=$?
run "$bnity" skill list --json
check "an interrupted create leaves no skill" '[ $rc -eq 0 ] && [[ $out != *"half-made"* ]]'
check "and no leftovers in the store" '[ -z "$(ls -A "$BNITY_HOME/skills" | grep "^\.")" ]'
BNITY_FAULT=remove-before-commit "$bnity" skill remove word-count >/dev/null 2>&1
run "$bnity" skill list --json
check "an interrupted remove keeps the skill" '[[ $out == *"\"word-count\""* ]]'
BNITY_FAULT=remove-after-commit "$bnity" skill remove word-count >/dev/null 2>&1
run "$bnity" skill list --json
check "a remove interrupted after its commit is complete" '[[ $out != *"\"word-count\""* ]] && [ ! -e "$BNITY_HOME/skills/word-count" ]'
run "$bnity" skill attach pdf-notes helper
run "$bnity" skill remove pdf-notes
check "remove a skill" '[ $rc -eq 0 ] && [ ! -e "$BNITY_HOME/skills/pdf-notes" ]'
run "$bnity" bot show helper
check "a removed skill is detached from its bots" '[[ $out == *"skills:   none"* ]]'
run "$bnity" skill remove pdf-notes
check "removing it again fails, named" '[ $rc -eq 1 ] && [[ $errout == *"pdf-notes"* ]]'

# --- discovery of other agents' skills -------------------------------------
mk() { # mk DIR NAME DESCRIPTION
  mkdir -p "$1/$2"
  printf -- '---\nname: %s\ndescription: %s\n---\nBody of %s.\n' "$2" "$3" "$2" >"$1/$2/SKILL.md"
}
mk "$HOME/.claude/skills" shared "the user's copy"
mk "$HOME/.agents/skills" user-only "a user skill"
mkdir -p "$work/repo/.git" "$work/repo/sub/dir"
mk "$work/repo/.agents/skills" shared "the project's copy"
mk "$work/repo/sub/.claude/skills" nested "a nested project skill"
cd "$work/repo/sub/dir"
run "$bnity" skill list --json
check "user skills are found" '[[ $out == *"\"user-only\""* ]]'
check "project skills up to the repository root are found" '[[ $out == *"\"nested\""* ]] && [[ $out == *"the project'"'"'s copy"* ]]'
check "a project skill overrides a user skill, with a warning" '[[ $out != *"the user'"'"'s copy"* ]] && [[ $errout == *"overrides"* ]]'
run "$bnity" skill list
check "list shows where each came from" '[[ $out == *"project"* ]] && [[ $out == *"user"* ]]'
cd "$work"

# --- bad input ---------------------------------------------------------------
mkdir -p bad/empty bad/binary bad/nofm
: >bad/empty/SKILL.md
printf '\x00\x01\x02\xff\xfe' >bad/binary/SKILL.md
printf 'just text\n' >bad/nofm/SKILL.md
run "$bnity" skill validate bad/empty bad/binary bad/nofm
check "malformed files are invalid (1), each named" '[ $rc -eq 1 ] && [[ $out == *"bad/empty: invalid"* ]] && [[ $out == *"bad/binary: invalid"* ]] && [[ $out == *"bad/nofm: invalid"* ]]'
run "$bnity" skill validate does/not/exist
check "a missing folder is named" '[ $rc -eq 1 ] && [[ $out$errout == *"does/not/exist"* ]]'
run "$bnity" skill to-prompt bad/empty
check "to-prompt of a broken skill fails, named" '[ $rc -eq 1 ] && [[ $errout == *"bad/empty"* ]]'
run env -u BNITY_HOME -u HOME "$bnity" skill list
check "no BNITY_HOME and no HOME is a clear error" '[ $rc -eq 1 ] && [[ $errout == *"BNITY_HOME"* ]]'
printf 'not a folder' >"$work/file-home"
run env BNITY_HOME="$work/file-home" "$bnity" skill list
check "a BNITY_HOME that is a file is a clear error" '[ $rc -eq 1 ] && [[ $errout == *"file-home"* ]]'
run "$bnity" skill read-properties "$HOME/.agents/skills/user-only"
check "read-properties prints JSON" '[ $rc -eq 0 ] && [[ $out == *"\"name\": \"user-only\""* ]]'

# More words than a command has room for: a usage error that says so,
# whatever the count, never a write past the command's arrays (chat kept
# 16, and ASan builds aborted on the 17th).
words=(); for i in $(seq 1 20); do words+=("w$i"); done
run "$bnity" chat helper "${words[@]}"
check "chat with 20 words: usage error (2), says too many" '[ $rc -eq 2 ] && [[ $errout == *"too many arguments"* ]]'
many=(); for i in $(seq 1 300); do many+=("p$i"); done
run "$bnity" skill validate "${many[@]}"
check "validate of 300 paths: usage error (2), says the limit" '[ $rc -eq 2 ] && [[ $errout == *"too many arguments"*"at most"* ]]'
run "$bnity" bot show helper extra1 extra2
check "bot show with extra words: usage error (2), named" '[ $rc -eq 2 ] && [[ $errout == *"name one BOT"* ]]'
for cmd in "skill run" "skill grant" "skill install" "skill remove" "audit" "memory add" "secret set" "serve"; do
  run "$bnity" $cmd "${many[@]}"
  check "$cmd with 300 words: usage error (2), with a message" '[ $rc -eq 2 ] && [ -n "$errout" ]'
done

# --- nothing written outside BNITY_HOME --------------------------------------
check "HOME holds only what the test put there" '[ -z "$(find "$HOME" -newer "$HOME/.agents/skills/user-only/SKILL.md" -type f)" ]'

tap_done
