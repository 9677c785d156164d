#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The warm worker pool of `bnity serve` (exec/pool.h), through the HTTP
# API.  The server names the worker of each confined run in the
# X-Bnity-Worker header ("PID/N": its Nth call).  A worker is reused for
# the same skill, bot and grants, never for another skill, another bot or
# other grants; it is retired after a trap, a limit, its wall clock or a
# refused capability; a call never sees the linear memory or globals of
# the call before it in the same worker; past the concurrency cap and the queue a
# call gets 503 with Retry-After; SIGTERM with busy workers leaves no
# worker process.  No timing is asserted; every wait is bounded.
# Usage: pool_test.sh BNITY
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"
. "$src/tests/server/serve.sh"
serve_test_home
unset BNITY_CORS_ORIGIN BNITY_PROVIDER BNITY_MODEL BNITY_POOL

# skill NAME WAT: an untrusted tool skill made of WAT
skill() {
  mkdir -p "$BNITY_HOME/skills/$1"
  printf -- '---\nname: %s\ndescription: A pool test skill.\nmetadata:\n  type: tool\n  tier: untrusted\n---\nx\n' \
    "$1" >"$BNITY_HOME/skills/$1/SKILL.md"
  printf '%s\n' "$2" >"$BNITY_HOME/skills/$1/skill.wat"
  run "$bnity" skill build "$1"
  check "skill $1 builds" '[ $rc -eq 0 ]'
}
wasi_write='(import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))'
# counts: a mutable global, a byte its data segment sets and a byte
# nothing sets, each incremented and printed: "1 1 1" from a fresh instance
skill counts "(module $wasi_write (memory (export \"memory\") 1)
  (global \$g (mut i32) (i32.const 0)) (data (i32.const 100) \"0 0 0\")
  (func (export \"_start\")
    (global.set \$g (i32.add (global.get \$g) (i32.const 1)))
    (i32.store8 (i32.const 100) (i32.add (i32.const 48) (global.get \$g)))
    (i32.store8 (i32.const 102) (i32.add (i32.load8_u (i32.const 102)) (i32.const 1)))
    (i32.store8 (i32.const 200) (i32.add (i32.load8_u (i32.const 200)) (i32.const 1)))
    (i32.store8 (i32.const 104) (i32.add (i32.const 48) (i32.load8_u (i32.const 200))))
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 5))
    (drop (call \$w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"
cp -r "$BNITY_HOME/skills/counts" "$BNITY_HOME/skills/counts-too"
sed -i 's/^name: counts$/name: counts-too/' "$BNITY_HOME/skills/counts-too/SKILL.md"
skill trapper '(module (func (export "_start") unreachable))'
skill spinner '(module (func (export "_start") (loop $l (br $l))))'
run "$bnity" skill grant spinner --fuel 100000
check "the spinner gets a small fuel limit" '[ $rc -eq 0 ]'
skill asker '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32)))
  (memory (export "memory") 1) (data (i32.const 0) "HOME")
  (func (export "_start") (drop (call $e (i32.const 0) (i32.const 4)))))'
skill sleeper '(module (func (export "_start") (loop $l (br $l))))'
skill slowpoke '(module (func (export "_start") (loop $l (br $l))))'
run "$bnity" skill grant slowpoke --fuel 100000000000000 --timeout-ms 300
check "the slow skill gets a 300 ms wall clock" '[ $rc -eq 0 ]'
run "$bnity" skill grant sleeper --fuel 100000000000000 --timeout-ms 600000
run "$bnity" bot create one
run "$bnity" bot create two
run "$bnity" skill attach counts one
run "$bnity" skill attach counts two
check "two bots with the counts skill" '[ $rc -eq 0 ]'

# call SKILL [BOT]: POST a run; sets $code, $worker (PID), $nth, $body
call() {
  local data='{"input": {}}' hdr
  [ $# -gt 1 ] && data="{\"input\": {}, \"bot\": \"$2\"}"
  hdr=$(curl -s --max-time 60 -D - -o "$work/body" -H "Authorization: Bearer $token" \
        -d "$data" "$base/api/v1/skills/$1/run")
  code=$(printf '%s' "$hdr" | sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p')
  worker=$(printf '%s' "$hdr" | tr -d '\r' | sed -n 's/^X-Bnity-Worker: \([0-9]*\)\/.*/\1/p')
  nth=$(printf '%s' "$hdr" | tr -d '\r' | sed -n 's/^X-Bnity-Worker: [0-9]*\/\([0-9]*\)/\1/p')
  retry=$(printf '%s' "$hdr" | tr -d '\r' | sed -n 's/^Retry-After: \(.*\)/\1/p')
  body=$(cat "$work/body")
  out="$code worker=$worker/$nth $body"
}

start_server "$work/serve1.log" BNITY_POOL_SPARES=2
token=$(tr -d '\n' <"$BNITY_HOME/api-token" 2>/dev/null)
check "serve starts" '[ -n "$base" ] && [ -n "$token" ]'

# --- reuse for the same identity, fresh memory each call ----------------------
call counts; first=$worker
check "a confined run names its worker" '[ "$code" = 200 ] && [ -n "$worker" ]'
check "a fresh instance counts 1 1 1" 'case $body in *"\"output\":\"1 1 1\""*) true;; *) false;; esac'
call counts
check "the same skill and grants reuse the worker" '[ "$worker" = "$first" ] && [ "$nth" = 2 ]'
check "the second call in it sees fresh globals and memory (1 1 1, not 2 2 2)" \
  'case $body in *"\"output\":\"1 1 1\""*) true;; *) false;; esac'
call counts
check "and the third" '[ "$worker" = "$first" ] && [ "$nth" = 3 ] && case $body in *"1 1 1"*) true;; *) false;; esac'

# --- never for another skill, bot or grants ------------------------------------
call counts-too
check "another skill (same module bytes) gets another worker" '[ -n "$worker" ] && [ "$worker" != "$first" ]'
call counts one; bot_one=$worker
check "another bot gets another worker" '[ -n "$worker" ] && [ "$worker" != "$first" ]'
call counts two
check "a second bot gets yet another" '[ -n "$worker" ] && [ "$worker" != "$first" ] && [ "$worker" != "$bot_one" ]'
call counts one
check "each bot keeps its own worker" '[ "$worker" = "$bot_one" ]'
run "$bnity" skill grant counts --timeout-ms 5000
call counts
check "other grants get another worker" '[ -n "$worker" ] && [ "$worker" != "$first" ]'

# --- retired at once after a trap, a limit (fuel; the wall clock, enforced
# from outside the worker), a refused capability ------------------------------
for s in trapper spinner asker slowpoke; do
  call $s; a=$worker
  case $s in
    trapper) what='"outcome":"trap"' ;;
    spinner) what='"limit":"fuel"' ;;
    asker) what='"host_denied":1' ;;
    slowpoke) what='"limit":"time"' ;;
  esac
  check "$s: the run ends as expected ($what)" 'case $body in *"$what"*) true;; *) false;; esac'
  call $s
  check "$s: its worker is not used again" '[ -n "$a" ] && [ -n "$worker" ] && [ "$worker" != "$a" ] && [ "$nth" = 1 ]'
done

# --- SIGTERM with busy workers: none remains ----------------------------------
for _ in 1 2; do
  curl -s --max-time 60 -o /dev/null -H "Authorization: Bearer $token" \
    -d '{"input": {}}' "$base/api/v1/skills/sleeper/run" &
  pids+=($!)
done
sleep 1
all=$(descendants "$server_pid")
read -r -a procs <<<"$all"
out=$all
check "busy and idle workers run below the server" '[ "${#procs[@]}" -ge 4 ]'
kill -TERM "$server_pid"
for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
wait "$server_pid"; rc=$?
check "SIGTERM: serve exits 0" '[ $rc -eq 0 ]'
left=0
for p in "${procs[@]}"; do alive "$p" && left=$((left + 1)); done
out="left: $left of ${#procs[@]}"
check "no worker, supervisor or spawner remains" '[ $left -eq 0 ]'

# --- back-pressure: the cap, the queue, then 503 with Retry-After ------------
# busy_then_call: one sleeper runs (in the background), then call it
# again until the answer is 503 (at most 10 s)
busy_then_call() {
  curl -s --max-time 60 -o /dev/null -H "Authorization: Bearer $token" \
    -d '{"input": {}}' "$base/api/v1/skills/sleeper/run" &
  pids+=($!)
  code=
  for _ in $(seq 50); do
    call sleeper
    [ "$code" = 503 ] && break
    sleep 0.2
  done
}
start_server "$work/serve2.log" BNITY_POOL_SKILL_BUSY=1 BNITY_POOL_QUEUE=0
call counts
check "a call under the cap runs" '[ "$code" = 200 ]'
busy_then_call
check "a second call of a busy skill, with no room to queue: 503" '[ "$code" = 503 ]'
check "... with Retry-After" '[ -n "$retry" ]'
check "... and a message that says why" 'case $body in *"try again"*) true;; *) false;; esac'
call counts
check "another skill still runs" '[ "$code" = 200 ]'
kill -TERM "$server_pid"; wait "$server_pid"

start_server "$work/serve3.log" BNITY_POOL_SKILL_BUSY=1 BNITY_POOL_QUEUE=1 BNITY_POOL_QUEUE_WAIT_MS=300
busy_then_call
check "a queued call that waits past the queue's limit: 503" '[ "$code" = 503 ] && [ -n "$retry" ]'
kill -TERM "$server_pid"; wait "$server_pid"
tap_done
