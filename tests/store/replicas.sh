# SPDX-License-Identifier: MIT
# tests/store/replicas.sh - two `bnity serve` replicas on one PostgreSQL
# database, for tests/store/scale_test.sh and bench/scale/run.sh.  Source
# it (bash) after tests/server/serve.sh, with $bnity, $work, the array
# pids and BNITY_DATABASE_URL set (tests/store/pg_cluster.sh).
#
# replicas_start   the skills echo (bench/server/echo: a trivial
#                  untrusted tool) and envy (reads $HOME when granted
#                  read_env=HOME) in $work/src; an admin token $tok made
#                  through the CLI (the database holds it); replica A
#                  (home $work/a) started, echo and envy installed through
#                  its API only; home $work/b given A's vault key and
#                  nothing else (no skill folder: B writes the skills
#                  from the database, by hash), then replica B started.
#                  Sets $base_a, $base_b, $pid_a, $pid_b, and $b_had_skills
#                  (what B's skills folder held before B started); returns
#                  non-zero, saying why, when a step fails.
# replica_start H  (re)start the replica of home $work/H (a or b) on a
#                  new port: sets $base_H and $pid_H
# api BASE METHOD PATH [BODY] [TOKEN]
#                  the answer's body, then a line with its HTTP status
# status_of TEXT   the status line api printed last
# json EXPR        EXPR (Python, on `j`, the JSON body of $out) printed
# load_start LOG   tests/store/scale_load.py on both replicas (8
#                  connections, $BNITY_TOKEN) logging to LOG until
#                  $work/stop exists (removed first): sets $load_pid
# tally LOG T EXPR EXPR (Python, on `r`, scale_load.py's summary of LOG
#                  after time T) printed
# await_ok LOG T N until each replica has answered N requests begun at
#                  or after time T with 200 (at most 60 s); non-zero if not
replicas_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

api() {
  curl -s -w '\n%{http_code}' -X "$2" -H "Authorization: Bearer ${5:-$tok}" \
    -H 'Content-Type: application/json' ${4:+--data "$4"} "$1/api/v1$3"
}
status_of() { printf '%s' "${1##*$'\n'}"; }
json() {
  printf '%s' "${out%$'\n'*}" | python3 -c "import json,sys; j = json.load(sys.stdin); print($1)"
}

replica_start() {
  start_server "$work/serve-$1.log" BNITY_HOME="$work/$1" BNITY_DATABASE_URL= \
    -- --database "$BNITY_DATABASE_URL" --install-root "$work/src"
  # a loaded machine may take longer than serve.sh's 10 s
  for _ in $(seq 100); do
    [ -n "$base" ] || ! kill -0 "$server_pid" 2>/dev/null && break
    sleep 0.3
    base=$(sed -n 's|.*listening on \(http://[^ ]*\)/$|\1|p' "$work/serve-$1.log")
  done
  eval "base_$1=\$base pid_$1=\$server_pid"
  [ -n "$base" ] || { echo "# replica $1 did not start:"; sed 's/^/#   /' "$work/serve-$1.log.err"; return 1; }
}

replicas_start() {
  mkdir -p "$work/src/envy" "$work/a" "$work/b"
  cp -r "$replicas_root/bench/server/echo" "$work/src/echo"
  printf -- '---\nname: envy\ndescription: reads one environment variable\nmetadata:\n  type: tool\n  capabilities:\n    - read_env\n---\nx\n' >"$work/src/envy/SKILL.md"
  printf '%s\n' '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 1) (data (i32.const 0) "HOME") (func (export "_start") (drop (call $e (i32.const 0) (i32.const 4)))))' >"$work/src/envy/skill.wat"
  out=$(BNITY_HOME=$work/a "$bnity" token create scale --role admin --json) || { echo "# token create failed"; return 1; }
  tok=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  replica_start a || return 1
  out=$(api "$base_a" POST /skills/install "{\"source\": \"$work/src/echo\"}")
  [ "$(status_of "$out")" = 201 ] || { echo "# install of echo through A: $out"; return 1; }
  out=$(api "$base_a" POST /skills/install "{\"source\": \"$work/src/envy\"}")
  [ "$(status_of "$out")" = 201 ] || { echo "# install of envy through A: $out"; return 1; }
  # one vault key for every replica (never in the database)
  printf 'shared' | BNITY_HOME=$work/a "$bnity" secret set scale-probe >/dev/null || return 1
  cp -p "$work/a/vault.key" "$work/b/vault.key" || return 1
  b_had_skills=$(ls -A "$work/b/skills" "$work/b/skills-had" 2>/dev/null)
  replica_start b
}

load_start() {
  rm -f "$work/stop"
  python3 "$replicas_root/tests/store/scale_load.py" --url "$base_a" \
    --url "$base_b" --until "$work/stop" --conns 8 --log "$1" \
    --errors "$1.errors" &
  load_pid=$!
}
tally() {
  python3 "$replicas_root/tests/store/scale_load.py" --summary "$1" --after "$2" |
    python3 -c "import json,sys; r = json.load(sys.stdin); print($3)"
}
await_ok() {
  for _ in $(seq 120); do
    [ "$(tally "$1" "$2" 'min(x["ok_after"] for x in r)')" -ge "$3" ] && return 0
    sleep 0.5
  done
  return 1
}
