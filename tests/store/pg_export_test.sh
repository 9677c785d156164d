#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/store/pg_export_test.sh BNITY - `bnity store export` / `import`
# moving a home from SQLite to PostgreSQL and back (run under
# tests/store/pg_cluster.sh, which sets BNITY_DATABASE_URL): bots, a
# skill and its grant, audit rows, memories, a token, a vault secret come
# across whole (the skill's files too: a new home writes it from them),
# the three exports hold the same rows, and a truncated or
# corrupt file is refused with a non-zero exit and nothing imported.
set -u
. "$(dirname "$0")/pg_tap.sh"
url=$BNITY_DATABASE_URL
unset BNITY_DATABASE_URL
tap_home
count() { python3 -c "import json,sys; print(len(json.load(sys.stdin)))"; }
# the rows of an export, sorted, without its header line
rows() { tail -n +2 "$1" | sort; }
same_rows() { # same_rows A B: the two exports hold the same rows
  diff <(rows "$1") <(rows "$2") | head -n 20 | sed 's/^/#   diff: /'
  [ "$(rows "$1" | md5sum)" = "$(rows "$2" | md5sum)" ]
}

# a home on SQLite with a row in most tables
mkdir -p "$work/src/envy"
printf -- '---\nname: envy\ndescription: reads one environment variable\nmetadata:\n  type: tool\n  capabilities:\n    - read_env\n---\nx\n' >"$work/src/envy/SKILL.md"
printf '%s\n' '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 1) (data (i32.const 0) "HOME") (func (export "_start") (drop (call $e (i32.const 0) (i32.const 4)))))' >"$work/src/envy/skill.wat"
"$bnity" bot create helper --name Helper >/dev/null
"$bnity" skill install "$work/src/envy" -y >/dev/null 2>&1
"$bnity" skill build envy >/dev/null 2>&1
"$bnity" skill grant envy read_env=HOME >/dev/null
"$bnity" skill run envy --json --input '{}' >/dev/null
"$bnity" memory add --bot helper "rivers run to the sea" >/dev/null
"$bnity" memory add --bot helper "mountains stand still" >/dev/null
printf 's3cret' | "$bnity" secret set API_KEY >/dev/null
tok=$("$bnity" token create ops --role admin --json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"token\"])")

run "$bnity" store export "$work/sqlite.jsonl" --json
check "export from SQLite" '[ $rc -eq 0 ] && [ "$(stat -c %a "$work/sqlite.jsonl")" = 600 ]'
n1=$(printf "%s" "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"rows\"])")

# the same home moves to PostgreSQL
run "$bnity" store import "$work/sqlite.jsonl" --database "$url" --json
check "import into PostgreSQL with the same counts" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"rows\"])")" = "$n1" ]'
export BNITY_DATABASE_URL=$url
mv "$BNITY_HOME/boternity.db" "$work/old.db"
run "$bnity" store export "$work/pg.jsonl"
check "export from PostgreSQL" '[ $rc -eq 0 ]'
check "PostgreSQL's export holds the same rows as SQLite's" 'same_rows "$work/sqlite.jsonl" "$work/pg.jsonl"'
run "$bnity" bot list --json
check "the bot came across" '[[ $out == *"\"slug\": \"helper\""* ]]'
run "$bnity" skill list --json
check "the skill came across, with its tier" '[[ $out == *"\"name\": \"envy\""* ]]'
run "$bnity" audit --skill envy --json
check "the audit row came across" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | count)" = 1 ]'
run "$bnity" skill run envy --json --input '{}'
check "the grant came across (the call is allowed)" '[ $rc -eq 0 ] && [[ $out == *"\"host_denied\": 0"* ]] && [[ $out == *"\"host_calls\": 1"* ]]'
run "$bnity" audit --skill envy --json
check "new audit rows follow the imported ones" '[ "$(printf "%s" "$out" | count)" = 2 ]'
run "$bnity" memory search --bot helper rivers --json
check "memories are searchable after the import" '[ $rc -eq 0 ] && [[ $out == *rivers* ]] && [[ $out != *mountains* ]]'
run "$bnity" secret list --json
check "the secret came across" '[[ $out == *API_KEY* ]]'
check "no SQLite file was written" '[ ! -e "$BNITY_HOME/boternity.db" ]'

# the token made on SQLite opens a server on PostgreSQL
. "$here/../server/serve.sh"
pids=()
trap serve_test_cleanup EXIT
start_server "$work/serve.log"
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$base/api/v1/bots")
check "the imported token is accepted by serve on PostgreSQL" '[ "$out" = 200 ]'
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer nope" "$base/api/v1/bots")
check "and a wrong one is not" '[ "$out" = 401 ]'
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()

# and back to SQLite (this home's own file, new)
run "$bnity" store export "$work/pg2.jsonl"
run "$bnity" store import "$work/pg2.jsonl" --database ''
check "import into SQLite" '[ $rc -eq 0 ] && [ -e "$BNITY_HOME/boternity.db" ]'
run "$bnity" store export "$work/back.jsonl" --database ''
check "SQLite's export holds PostgreSQL's rows" 'same_rows "$work/pg2.jsonl" "$work/back.jsonl"'
run env BNITY_DATABASE_URL= "$bnity" memory search --bot helper rivers --json
check "memories are searchable in SQLite again" '[[ $out == *rivers* ]]'

# bad files: a non-zero exit naming what is wrong, nothing imported
export BNITY_HOME=$work/home4
mkdir -p "$BNITY_HOME"
head -c 700 "$work/pg2.jsonl" >"$work/cut.jsonl"
run "$bnity" store import "$work/cut.jsonl" --database ''
check "a truncated file is refused" '[ $rc -eq 1 ] && [[ $errout == *truncated* ]] && [[ $errout == *"nothing imported"* ]]'
head -n -1 "$work/pg2.jsonl" >"$work/notrailer.jsonl"
run "$bnity" store import "$work/notrailer.jsonl" --database ''
check "a file without its trailer is refused" '[ $rc -eq 1 ] && [[ $errout == *"ends before its trailer"* ]]'
sed 's/"rivers run/"rivers\x01run/' "$work/pg2.jsonl" >"$work/corrupt.jsonl"
run "$bnity" store import "$work/corrupt.jsonl" --database ''
check "a corrupt line is refused, naming it" '[ $rc -eq 1 ] && [[ $errout == *"corrupt.jsonl:"*"not a line"* ]]'
sed 's/"bots":1,/"bots":2,/' "$work/pg2.jsonl" >"$work/count.jsonl"
run "$bnity" store import "$work/count.jsonl" --database ''
check "a count that differs is refused, naming the table" '[ $rc -eq 1 ] && [[ $errout == *"table '"'"'bots'"'"'"* ]]'
sed '1s/"schema":[0-9]*/"schema":999/' "$work/pg2.jsonl" >"$work/newer.jsonl"
run "$bnity" store import "$work/newer.jsonl" --database ''
check "a newer schema is refused" '[ $rc -eq 1 ] && [[ $errout == *"upgrade bnity"* ]]'
run env BNITY_DATABASE_URL= "$bnity" bot list --json
check "nothing was imported" '[ "$(printf "%s" "$out" | count)" = 0 ]'
run "$bnity" store import "$work/pg2.jsonl"
check "the PostgreSQL database has rows: refused without --replace" '[ $rc -eq 1 ] && [[ $errout == *--replace* ]]'

# the skill's files came across with the rows: a new home on the
# PostgreSQL database writes the skill from them, as installed
mkdir -p "$work/home5"
run env BNITY_HOME="$work/home5" "$bnity" skill verify envy
check "a new home on the imported database has the skill, verified" '[ $rc -eq 0 ] && [ -f "$work/home5/skills/envy/skill.wasm" ]'
tap_done
