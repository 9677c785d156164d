#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# In `bnity serve` a local skill runs out of process too (exec/executor.h,
# local_in_worker): in a worker of the pool, with its tier's limits, so a
# local skill that traps, spins forever or eats memory ends as that run's
# outcome while the server goes on answering.  The same holds for a local
# tool skill the model calls during a chat (POST /bots/NAME/chat, against
# the scripted provider of tests/agent): its call runs in a pool worker,
# which a later run of the same skill for the same bot reuses.  The CLI
# keeps running it in-process.  No timing is asserted; every wait is
# bounded.
# Usage: local_worker_test.sh BNITY
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"
. "$src/tests/server/serve.sh"
serve_test_home
unset BNITY_CORS_ORIGIN BNITY_PROVIDER BNITY_MODEL BNITY_POOL

# skill NAME WAT: a local tool skill (made in the store, no tier written)
skill() {
  mkdir -p "$BNITY_HOME/skills/$1"
  printf -- '---\nname: %s\ndescription: A local worker test skill.\nmetadata:\n  type: tool\n---\nx\n' \
    "$1" >"$BNITY_HOME/skills/$1/SKILL.md"
  printf '%s\n' "$2" >"$BNITY_HOME/skills/$1/skill.wat"
  run "$bnity" skill build "$1"
  check "skill $1 builds" '[ $rc -eq 0 ]'
}
skill hello '(module (import "wasi_snapshot_preview1" "fd_write"
    (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1) (data (i32.const 100) "hello")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 5))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))'
skill crasher '(module (func (export "_start") unreachable))'
skill looper '(module (func (export "_start") (loop $l (br $l))))'
run "$bnity" skill grant looper --fuel 100000000000000 --timeout-ms 500
check "the looper gets a 500 ms wall clock and fuel it never exhausts" '[ $rc -eq 0 ]'
skill hog '(module (memory 1)
  (func (export "_start")
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable))'
run "$bnity" skill grant hog --max-memory 32M
check "the hog gets a 32 MiB memory cap" '[ $rc -eq 0 ]'

run "$bnity" skill run hello --json
check "the CLI runs the local skill (in-process, as before)" '[ $rc -eq 0 ] && [[ $out == *"\"tier\": \"local\""* ]] && [[ $out == *"\"output\": \"hello\""* ]]'

# call SKILL: POST a run; sets $code, $worker (PID), $body
call() {
  local hdr
  hdr=$(curl -s --max-time 60 -D - -o "$work/body" -H "Authorization: Bearer $token" \
        -d '{"input": {}}' "$base/api/v1/skills/$1/run")
  code=$(printf '%s' "$hdr" | sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p')
  worker=$(printf '%s' "$hdr" | tr -d '\r' | sed -n 's/^X-Bnity-Worker: \([0-9]*\)\/.*/\1/p')
  body=$(cat "$work/body")
  out="$code worker=$worker $body"
}
# healthy: the server answers, and a local skill still runs
healthy() {
  local h
  h=$(curl -s --max-time 10 "$base/api/v1/health")
  call hello
  out="health: $h; $out"
  [[ $h == *'"status":"ok"'* ]] && [ "$code" = 200 ] &&
    [[ $body == *'"output":"hello"'* ]]
}

# the scripted provider: its "tool" script calls word-count, then quotes it
start_provider
hello_wat=$(cat "$BNITY_HOME/skills/hello/skill.wat")
skill word-count "$hello_wat"
run "$bnity" bot create helper
run "$bnity" skill attach word-count helper
check "word-count is attached to the chat's bot" '[ $rc -eq 0 ]'

start_server "$work/serve.log" ANTHROPIC_API_KEY=test-key \
  BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="http://127.0.0.1:${prov_port:-9}/tool"
token=$(tr -d '\n' <"$BNITY_HOME/api-token" 2>/dev/null)
check "serve starts" '[ -n "$base" ] && [ -n "$token" ]'

call hello
check "serve runs a local skill in a worker (X-Bnity-Worker), as local" \
  '[ "$code" = 200 ] && [ -n "$worker" ] && [ "$worker" != "$server_pid" ] && [[ $body == *"\"tier\":\"local\""* ]] && [[ $body == *"\"output\":\"hello\""* ]]'

call crasher
check "a local skill that traps: outcome trap, in a worker" \
  '[ "$code" = 200 ] && [ -n "$worker" ] && [[ $body == *"\"outcome\":\"trap\""* ]]'
check "the server still answers after the trap" healthy

call looper; spun=$worker
check "a local skill that loops forever: the wall clock (from outside) ends it" \
  '[ "$code" = 200 ] && [ -n "$worker" ] && [[ $body == *"\"limit\":\"time\""* ]]'
check "the server still answers after the runaway loop" healthy
check "the looping worker is gone" '[ -n "$spun" ] && ! kill -0 "$spun" 2>/dev/null'

call hog
check "a local skill that exhausts its memory: limit memory" \
  '[ "$code" = 200 ] && [ -n "$worker" ] && [[ $body == *"\"limit\":\"memory\""* ]]'
check "the server still answers after the memory hog" healthy

# a skill made while the server runs is found by its reused store handles
skill late '(module (func (export "_start")))'
call late
check "a skill built while serve runs is run by it (reused store handles see it)" \
  '[ "$code" = 200 ] && [[ $body == *"\"outcome\":\"ok\""* ]]'
rm -rf "$BNITY_HOME/skills/late"
call late
check "and a skill removed meanwhile is gone for it (404)" '[ "$code" = 404 ]'

# --- a local tool skill called during a chat ------------------------------------
# chat: one turn of bot helper; $out holds the event stream
chat() {
  out=$(curl -sN --max-time 60 -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data '{"message": "count please"}' \
        "$base/api/v1/bots/helper/chat")
}
chat
check "a chat's local tool call runs and the turn ends" \
  '[[ $out == *"event: tool_call"*"word-count"* ]] && [[ $out == *"event: tool_result"*"hello"* ]] && [[ $out == *"event: done"* ]]'
# the pool keeps the worker that served the chat's call, bound to the
# skill, the bot and its grants: the same run over HTTP is its 2nd call
hdr=$(curl -s --max-time 60 -D - -o "$work/body" -H "Authorization: Bearer $token" \
      -d '{"input": {}, "bot": "helper"}' "$base/api/v1/skills/word-count/run")
out="$hdr $(cat "$work/body")"
check "the chat's call ran in a pool worker (the next run is its 2nd call)" \
  '[[ $(printf "%s" "$hdr" | tr -d "\r") == *"X-Bnity-Worker: "*"/2"* ]]'
# the same tool now traps: the turn goes on with the error as the
# tool's result, and the server keeps answering
printf '%s\n' '(module (func (export "_start") unreachable))' \
  >"$BNITY_HOME/skills/word-count/skill.wat"
run "$bnity" skill build word-count
chat
check "a local tool that traps during a chat: an error result, the turn ends" \
  '[[ $out == *"event: tool_result"*"trap"* ]] && [[ $out == *"event: done"* ]]'
check "the server still answers after the chat's crashing tool" healthy

# a runaway local skill while others run: the server keeps answering
curl -s --max-time 60 -o /dev/null -H "Authorization: Bearer $token" \
  -d '{"input": {}}' "$base/api/v1/skills/looper/run" &
pids+=($!)
sleep 0.1
check "the server answers while a local skill spins" healthy
kill -0 "$server_pid" 2>/dev/null
check "serve is still running" '[ $? -eq 0 ]'
tap_done
