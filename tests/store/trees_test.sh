#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/store/trees_test.sh BNITY - skill trees content-addressed in the
# database (src/store/trees.c).  Under tests/store/pg_cluster.sh (which
# sets BNITY_DATABASE_URL) two homes share one PostgreSQL database: a
# skill installed and built through one is written into the other's
# skills folder from the database, verified and run there with its grant;
# updated through one, the other takes the new files; removed through
# one, it leaves the other.  A skill made by `skill create`, and one
# whose files the database lost, reach the other home too: the home that
# has the skill stores its files (at create, or at its next open), only
# while its folder hashes to the identity its row names.  Without it, the same code on SQLite: one
# home whose folder of an installed skill is gone, and which never had
# it, writes it back from its database.  Either way a blob changed in
# the database, or a path that climbs out of the folder, is refused
# naming the file, and nothing is written.
set -u
bnity=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/tap.sh"
tap_home
count() { python3 -c "import json,sys; print(len(json.load(sys.stdin)))"; }
if [ -n "${BNITY_DATABASE_URL:-}" ]; then
  command -v psql >/dev/null || { echo "1..0 # SKIP no psql"; exit 0; }
  sql() { psql -qAt "$BNITY_DATABASE_URL" -c "$1"; }
  other=$work/home2
else
  sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); [print("|".join(map(str,r))) for r in c.execute(sys.argv[2])]; c.commit()' "$BNITY_HOME/boternity.db" "$1"; }
  other=$BNITY_HOME
fi
# forget that OTHER ever had skill NAME (on SQLite: it is the same home)
never_had() { rm -rf "$other/skills/$1" "$other/skills-had/$1"; }

mkdir -p "$work/src/envy/lib"
printf -- '---\nname: envy\ndescription: reads one environment variable\nmetadata:\n  type: tool\n  capabilities:\n    - read_env\n---\nx\n' >"$work/src/envy/SKILL.md"
printf '%s\n' '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 1) (data (i32.const 0) "HOME") (func (export "_start") (drop (call $e (i32.const 0) (i32.const 4)))))' >"$work/src/envy/skill.wat"
printf '#!/bin/sh\necho helper\n' >"$work/src/envy/lib/run.sh"
chmod 755 "$work/src/envy/lib/run.sh"
run "$bnity" skill install "$work/src/envy" -y
check "install" '[ $rc -eq 0 ]'
"$bnity" skill build envy >/dev/null 2>&1
"$bnity" skill grant envy read_env=HOME >/dev/null
tree=$(sql "SELECT tree_hash FROM skill_index WHERE name = 'envy'")
check "the installed tree's files are in the database, by hash" \
  '[ "$(sql "SELECT COUNT(*) FROM skill_files WHERE tree_hash = '"'$tree'"'")" = 5 ] && [ "$(sql "SELECT COUNT(*) FROM skill_blobs")" -ge 5 ]'

never_had envy
mkdir -p "$other"
export BNITY_HOME=$other
run "$bnity" skill list --json
check "a home that never had the skill lists it" '[ $rc -eq 0 ] && [[ $out == *"\"name\": \"envy\""* ]]'
check "its files were written from the database, modes kept" \
  'cmp "$work/src/envy/SKILL.md" "$other/skills/envy/SKILL.md" && [ -x "$other/skills/envy/lib/run.sh" ] && [ -f "$other/skills/envy/skill.wasm" ] && [ -f "$other/skills/envy/.bnity-install.json" ]'
run "$bnity" skill verify envy
check "it verifies against the installed identity" '[ $rc -eq 0 ]'
run "$bnity" skill run envy --json --input '{}'
check "it runs with the grant made for that identity" '[ $rc -eq 0 ] && [[ $out == *"\"host_calls\": 1"* ]] && [[ $out == *"\"host_denied\": 0"* ]]'

# a blob changed in the database: refused, naming the file
body=$(sql "SELECT hash FROM skill_files WHERE tree_hash = '$tree' AND path = 'SKILL.md'")
if [ -n "${BNITY_DATABASE_URL:-}" ]; then
  sql "UPDATE skill_blobs SET body = body || '\\x0a'::bytea WHERE hash = '$body'"
else
  sql "UPDATE skill_blobs SET body = body || x'0a' WHERE hash = '$body'"
fi
never_had envy
run "$bnity" skill list
check "a tampered blob is refused, naming the file" '[ $rc -ne 0 ] && [[ $errout == *"file '"'"'SKILL.md'"'"' does not match its hash"* ]]'
check "and nothing of it is written" '[ ! -e "$other/skills/envy" ]'
if [ -n "${BNITY_DATABASE_URL:-}" ]; then
  sql "UPDATE skill_blobs SET body = substring(body from 1 for length(body) - 1) WHERE hash = '$body'"
else
  sql "UPDATE skill_blobs SET body = substr(body, 1, length(body) - 1) WHERE hash = '$body'"
fi
# a path out of the folder: refused, nothing written outside
sql "INSERT INTO skill_files (tree_hash, path, mode, hash) VALUES ('$tree', '../escaped', 420, '$body')"
run "$bnity" skill list
check "a path that climbs out of the skill folder is refused" '[ $rc -ne 0 ] && [[ $errout == *"'"'"'../escaped'"'"' that cannot be below"* ]]'
check "and nothing is written outside" '[ ! -e "$other/skills/escaped" ] && [ ! -e "$other/skills/envy" ]'
sql "DELETE FROM skill_files WHERE path = '../escaped'"
run "$bnity" skill list --json
check "with the database right again, the skill is written" '[ $rc -eq 0 ] && [[ $out == *"\"name\": \"envy\""* ]] && [ -f "$other/skills/envy/SKILL.md" ]'

# removed by hand in a home that had it: gone from the index, as before
if [ -z "${BNITY_DATABASE_URL:-}" ]; then
  rm -rf "$BNITY_HOME/skills/envy"
  run "$bnity" skill list --json
  check "a folder this home had, removed by hand, leaves the index" '[ $rc -eq 0 ] && [[ $out != *envy* ]] && [ "$(sql "SELECT COUNT(*) FROM skill_index")" = 0 ]'
  tap_done
  exit
fi

# updated through the first home: the other takes the new files
export BNITY_HOME=$work/home
at=$(sql "SELECT installed_at FROM skill_index WHERE name = 'envy'")
printf '#!/bin/sh\necho helper two\n' >"$work/src/envy/lib/run.sh"
run "$bnity" skill install "$work/src/envy" -y --force
check "an update through the first home" '[ $rc -eq 0 ]'
# as if in the same second as the install before: the index keeps its
# count and newest time, and still the other home must look again
sql "UPDATE skill_index SET installed_at = $at WHERE name = 'envy'"
export BNITY_HOME=$other
run "$bnity" skill verify envy
check "the other home takes the update from the database" '[ $rc -eq 0 ] && cmp "$work/src/envy/lib/run.sh" "$other/skills/envy/lib/run.sh"'

# removed through the first home: rows gone, the other drops its copy
export BNITY_HOME=$work/home
run "$bnity" skill remove envy
check "remove through the first home" '[ $rc -eq 0 ]'
check "the tree leaves the database" '[ "$(sql "SELECT COUNT(*) FROM skill_files")" = 0 ] && [ "$(sql "SELECT COUNT(*) FROM skill_blobs")" = 0 ]'
export BNITY_HOME=$other
run "$bnity" skill list --json
check "the other home no longer lists it" '[ $rc -eq 0 ] && [[ $out != *envy* ]]'
check "and dropped its copy" '[ ! -e "$other/skills/envy" ]'

# made by `skill create` through the first home: its files are stored
# too, and the other home writes, builds and runs it
files_of() { sql "SELECT COUNT(*) FROM skill_files f JOIN skill_index i ON f.tree_hash = i.tree_hash WHERE i.name = '$1'"; }
export BNITY_HOME=$work/home
run "$bnity" skill create made --type tool
check "skill create through the first home" '[ $rc -eq 0 ]'
check "the created skill's files are in the database" '[ "$(files_of made)" = 3 ]'
export BNITY_HOME=$other
run "$bnity" skill list --json
check "the other home, which never had it, writes it from the database" \
  '[ $rc -eq 0 ] && [[ $out == *"\"name\": \"made\""* ]] && diff -r "$work/home/skills/made" "$other/skills/made"'
run "$bnity" skill build made
run "$bnity" skill run made --input '{"text": "made here"}'
check "and builds and runs it" '[ $rc -eq 0 ] && [[ $out == *"made here"* ]]'

# a skill whose files the database lost (as one installed before the
# trees were kept): the home that has it stores them at its next open
export BNITY_HOME=$work/home
run "$bnity" skill install "$work/src/envy" -y
"$bnity" skill build envy >/dev/null 2>&1
tree=$(sql "SELECT tree_hash FROM skill_index WHERE name = 'envy'")
sql "DELETE FROM skill_files WHERE tree_hash = '$tree'; DELETE FROM skill_blobs b WHERE NOT EXISTS (SELECT 1 FROM skill_files f WHERE f.hash = b.hash)"
check "envy's rows are gone from the database" '[ "$(files_of envy)" = 0 ]'
export BNITY_HOME=$other
never_had envy
run "$bnity" skill list --json
check "a home that never had it cannot write it then" '[ $rc -eq 0 ] && [ ! -e "$other/skills/envy" ]'
export BNITY_HOME=$work/home
run "$bnity" skill list --json
check "the next open of the home that has it stores its files again" '[ $rc -eq 0 ] && [ "$(files_of envy)" = 5 ]'
export BNITY_HOME=$other
run "$bnity" skill run envy --json --input '{}'
check "and the other home writes and runs it" '[ $rc -eq 0 ] && [[ $out == *"\"host_calls\": 1"* ]] && cmp "$work/home/skills/envy/skill.wasm" "$other/skills/envy/skill.wasm"'

# a folder changed by hand is not stored as the identity its row names
export BNITY_HOME=$work/home
sql "DELETE FROM skill_files WHERE tree_hash = '$tree'"
printf 'changed\n' >>"$work/home/skills/envy/SKILL.md"
run "$bnity" skill list --json
check "a folder that no longer hashes to its identity is not stored" '[ $rc -eq 0 ] && [ "$(files_of envy)" = 0 ]'
tap_done
