#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/store/pg_cli_test.sh BNITY - the CLI as a user drives it, with
# every table in PostgreSQL (run under tests/store/pg_cluster.sh, which
# sets BNITY_DATABASE_URL): bots, a skill installed from a local folder,
# grants, runs and their audit rows, memory search, API tokens; nothing
# of it lands in an SQLite file, and a second BNITY_HOME on the same
# database sees the same rows.
set -u
. "$(dirname "$0")/pg_tap.sh"
tap_home

# a tool skill in a local folder that reads $HOME when granted
mkdir -p "$work/src/envy"
printf -- '---\nname: envy\ndescription: reads one environment variable\nmetadata:\n  type: tool\n  capabilities:\n    - read_env\n---\nx\n' >"$work/src/envy/SKILL.md"
printf '%s\n' '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 1) (data (i32.const 0) "HOME") (func (export "_start") (drop (call $e (i32.const 0) (i32.const 4)))))' >"$work/src/envy/skill.wat"

run "$bnity" bot create helper --name Helper
check "bot create" '[ $rc -eq 0 ]'
run "$bnity" bot list --json
check "bot list shows it" '[ $rc -eq 0 ] && [[ $out == *"\"slug\": \"helper\""* ]]'
run "$bnity" skill install "$work/src/envy" -y
check "skill install from a local folder" '[ $rc -eq 0 ]'
run "$bnity" skill build envy
check "skill build" '[ $rc -eq 0 ]'
run "$bnity" skill list --json
check "skill list shows it" '[ $rc -eq 0 ] && [[ $out == *"\"name\": \"envy\""* ]]'
run "$bnity" skill run envy --json --input '{}'
check "an ungranted call is denied" '[[ $out == *"\"host_denied\": 1"* ]]'
run "$bnity" skill grant envy read_env=HOME
check "skill grant" '[ $rc -eq 0 ]'
run "$bnity" skill run envy --json --input '{}'
check "the granted call is allowed" '[ $rc -eq 0 ] && [[ $out == *"\"host_calls\": 1"* ]] && [[ $out == *"\"host_denied\": 0"* ]]'
run "$bnity" audit --skill envy --json
check "audit has both runs" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 2 ]'
id=$(printf "%s" "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"id\"])")
run "$bnity" audit --run "$id" --json
check "audit --run shows the allowed call" '[ $rc -eq 0 ] && [[ $out == *"\"capability\": \"read_env\""* ]] && [[ $out == *"\"allowed\": true"* ]]'

run "$bnity" memory add --bot helper "rivers run to the sea"
check "memory add" '[ $rc -eq 0 ]'
run "$bnity" memory add --bot helper "mountains stand still"
run "$bnity" memory search --bot helper rivers --json
check "memory search finds the one that matches" '[ $rc -eq 0 ] && [[ $out == *rivers* ]] && [[ $out != *mountains* ]]'
run "$bnity" memory search --bot helper nothing-like-this --json
check "memory search with no match" '[ $rc -eq 0 ] && [[ $out != *rivers* ]]'

run "$bnity" token create ops --role user --json
check "token create" '[ $rc -eq 0 ] && [[ $out == *"\"token\""* ]]'
run "$bnity" token list --json
check "token list shows it" '[ $rc -eq 0 ] && [[ $out == *"\"name\": \"ops\""* ]]'

# a second home on the same database (another replica): the same bots,
# grants, audit and tokens, and the skill, written into its skills
# folder from the database (docs/scale.md) without installing it again.
export BNITY_HOME=$work/home2
run "$bnity" bot list --json
check "another home sees the bot" '[ $rc -eq 0 ] && [[ $out == *"\"slug\": \"helper\""* ]]'
run "$bnity" audit --skill envy --json
check "another home sees the audit rows" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 2 ]'
run "$bnity" skill verify envy
check "another home has the skill from the database, as installed" '[ $rc -eq 0 ] && [ -f "$BNITY_HOME/skills/envy/skill.wasm" ]'
run "$bnity" skill run envy --json --input '{}'
check "the grant made through the first home holds in the second" '[ $rc -eq 0 ] && [[ $out == *"\"host_denied\": 0"* ]]'
run "$bnity" skill revoke envy read_env=HOME
check "skill revoke through the second home" '[ $rc -eq 0 ]'
export BNITY_HOME=$work/home
run "$bnity" skill run envy --json --input '{}'
check "the first home's next run is refused the call" '[[ $out == *"\"host_denied\": 1"* ]]'
run "$bnity" audit --skill envy --json
check "the first home sees the runs of both" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 4 ]'
export BNITY_HOME=$work/home2
run "$bnity" token revoke ops
check "token revoke through another home" '[ $rc -eq 0 ]'
export BNITY_HOME=$work/home
run "$bnity" token list --json
check "the first home sees it revoked" '[ $rc -eq 0 ] && [[ $out != *"\"name\": \"ops\""* ]]'
check "no SQLite file was written" '[ ! -e "$work/home/boternity.db" ] && [ ! -e "$work/home2/boternity.db" ]'

# two serve replicas, one per home, given the database by --database:
# a token made through the CLI is accepted by both, a bot made through
# one is listed by the other, and a memory added through one is found
# through the other
url=$BNITY_DATABASE_URL
run "$bnity" token create replicas --role admin --json
tok=$(printf "%s" "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"token\"])")
. "$here/../server/serve.sh"
pids=()
trap serve_test_cleanup EXIT
serve_on() { # serve_on HOME LOG: a replica; its base URL in $base
  start_server "$2" BNITY_HOME="$1" BNITY_DATABASE_URL= -- --database "$url"
}
api() { # api BASE METHOD PATH [BODY]
  curl -s -X "$2" -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/json' ${4:+--data "$4"} "$1/api/v1$3"
}
serve_on "$work/home" "$work/serve1.log"; base1=$base
serve_on "$work/home2" "$work/serve2.log"; base2=$base
check "two replicas start on one database" '[ -n "$base1" ] && [ -n "$base2" ]'
out=$(api "$base1" POST /bots '{"slug": "shared", "name": "Shared"}')
out=$(api "$base2" GET /bots)
check "a bot made through one replica is listed by the other" '[[ $out == *"\"slug\": \"shared\""* ]] || [[ $out == *"\"slug\":\"shared\""* ]]'
out=$(api "$base2" POST /bots/shared/memories '{"text": "the harbour opens at dawn"}')
out=$(api "$base1" GET "/bots/shared/memories?q=harbour")
check "a memory added through one replica is found through the other" '[[ $out == *harbour* ]]'
out=$(api "$base1" GET "/audit?skill=envy")
check "either replica lists the audit rows" '[ "$(printf "%s" "$out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)[\"runs\"]))")" = 4 ]'
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()

# a wrong URL fails with a message naming it, without its password
run env BNITY_DATABASE_URL="postgresql://bn:hunter2@127.0.0.1:1/none?connect_timeout=5&password=hunter3" "$bnity" bot list
check "an unreachable database: exit 1, named without the password" '[ $rc -eq 1 ] && [[ $errout == *"postgresql://bn@127.0.0.1:1/none"* ]] && [[ $errout != *hunter2* ]] && [[ $errout != *hunter3* ]] && [[ $errout == *"password=***"* ]]'
run env BNITY_DATABASE_URL="mysql://x" "$bnity" bot list
check "a URL that is not PostgreSQL's is refused" '[ $rc -ne 0 ] && [[ $errout == *postgresql://* ]]'
tap_done
