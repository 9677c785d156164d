#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bnity serve` stops within seconds of SIGTERM or SIGINT and leaves no
# worker behind, even while an untrusted skill that spins for ever (its
# time limit raised to 10 minutes) runs in a confined worker: once started
# by POST /skills/NAME/run (then SIGTERM), once as the tool of a chat turn
# against the scripted provider (then SIGINT).  The workers are found as
# the server's descendants in /proc before the signal and must all be gone
# after; the server must exit 0 within 10 s.  A local skill spinning runs
# in a worker too and is killed the same way.  After a load of 200 runs
# from 8 clients at once, serve answers at once and SIGTERM leaves no
# warm worker.  Every wait is bounded.
# Usage: shutdown_test.sh BNITY
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"

work=$(mktemp -d)
pids=()
workers=()
cleanup() {
  local w
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  # workers a server that failed to stop left behind (by pid, if still
  # the same process): killing their PID 1 ends their namespace
  for w in "${workers[@]}"; do alive "$w" && kill -KILL "${w%%:*}" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME"
cd "$work"
unset BNITY_CORS_ORIGIN BNITY_PROVIDER BNITY_MODEL

. "$src/tests/server/serve.sh"
# wait_for_workers: up to 10 s for the server to have its worker (PID 1 of
# the run and the module's process); their list in $running
wait_for_workers() {
  local n
  running=
  for _ in $(seq 100); do
    running=$(descendants "$server_pid")
    read -r -a n <<<"$running"
    [ "${#n[@]}" -ge 2 ] && break
    sleep 0.1
  done
  read -r -a n <<<"$running"
  workers+=("${n[@]}")
  sleep 0.5 # let it spin
}
# signal_and_wait SIG: send SIG, wait at most 15 s (then SIGKILL); sets
# $rc (the server's exit status) and $stop_ms
signal_and_wait() {
  local t0 t1 wd
  t0=$(date +%s%N)
  kill "-$1" "$server_pid"
  ( while [ $(( $(date +%s%N) - t0 )) -lt 15000000000 ]; do
      kill -0 "$server_pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null ) &
  wd=$!
  wait "$server_pid"; rc=$?
  t1=$(date +%s%N)
  wait "$wd" 2>/dev/null
  stop_ms=$(( (t1 - t0) / 1000000 ))
}
none_alive() { # none_alive PID:START...: all of them are gone
  local w
  for w in "$@"; do alive "$w" && return 1; done
  return 0
}

# --- a skill that spins for ever, untrusted, with 10 minutes to do it ------------
mkdir -p "$BNITY_HOME/skills/word-count"
printf -- '---\nname: word-count\ndescription: Spins for ever. Use to count words.\nmetadata:\n  type: tool\n  tier: untrusted\n---\nx\n' \
  >"$BNITY_HOME/skills/word-count/SKILL.md"
echo '(module (func (export "_start") (loop $l (br $l))))' \
  >"$BNITY_HOME/skills/word-count/skill.wat"
run "$bnity" skill build word-count
check "the spinning skill builds" '[ $rc -eq 0 ]'
run "$bnity" skill grant word-count --fuel 100000000000000 --timeout-ms 600000
check "its fuel and time limits are raised" '[ $rc -eq 0 ]'

# --- SIGTERM while a run is in progress ---------------------------------------------
start_server "$work/serve1.log"
token=$(tr -d '\n' <"$BNITY_HOME/api-token" 2>/dev/null)
check "serve starts" '[ -n "$base" ] && [ -n "$token" ]'
curl -s --max-time 30 -o "$work/run.out" -H "Authorization: Bearer $token" \
  -d '{"input": {}}' "$base/api/v1/skills/word-count/run" &
pids+=($!)
wait_for_workers
out=$running
check "the run is in progress in a confined worker (PID 1 and the module)" '[ "${#workers[@]}" -ge 2 ]'
signal_and_wait TERM
out=$(cat "$work/serve1.log.err"); errout="stopped in $stop_ms ms"
check "SIGTERM: serve exits 0 within 10 s" '[ $rc -eq 0 ] && [ "$stop_ms" -lt 10000 ]'
echo "# SIGTERM with a spinning run: serve exited $rc after $stop_ms ms"
check "no worker of it remains" 'none_alive "${workers[@]}"'

# --- SIGINT while a chat turn runs the spinning skill as a tool -------------------
start_provider
run "$bnity" bot create helper
run "$bnity" skill attach word-count helper
check "a bot with the spinning skill" '[ $rc -eq 0 ]'
first=${#workers[@]}
start_server "$work/serve2.log" ANTHROPIC_API_KEY=test-key BNITY_PROVIDER=anthropic \
  ANTHROPIC_BASE_URL="http://127.0.0.1:${prov_port:-9}/tool"
curl -s -N --max-time 30 -o "$work/chat.out" -H "Authorization: Bearer $token" \
  -d '{"message": "count the words"}' "$base/api/v1/bots/helper/chat" &
pids+=($!)
wait_for_workers
out=$running
check "the chat turn runs the tool in a confined worker" '[ "${#workers[@]}" -ge $((first + 2)) ]'
signal_and_wait INT
out=$(cat "$work/serve2.log.err"); errout="stopped in $stop_ms ms"
check "SIGINT: serve exits 0 within 10 s" '[ $rc -eq 0 ] && [ "$stop_ms" -lt 10000 ]'
echo "# SIGINT with a chat turn running a spinning tool: serve exited $rc after $stop_ms ms"
check "no worker of it remains" 'none_alive "${workers[@]:$first}"'

# --- SIGTERM while a local skill spins ------------------------------------------------
# (in serve local skills run in workers too, so SIGTERM kills it like any other)
mkdir -p "$BNITY_HOME/skills/spin-here"
printf -- '---\nname: spin-here\ndescription: Spins for ever.\nmetadata:\n  type: tool\n---\nx\n' \
  >"$BNITY_HOME/skills/spin-here/SKILL.md"
cp "$BNITY_HOME/skills/word-count/skill.wat" "$BNITY_HOME/skills/spin-here/"
run "$bnity" skill build spin-here
run "$bnity" skill grant spin-here --fuel 100000000000000 --timeout-ms 600000
check "a local spinning skill" '[ $rc -eq 0 ]'
start_server "$work/serve3.log"
curl -s --max-time 30 -o /dev/null -H "Authorization: Bearer $token" \
  -d '{"input": {}}' "$base/api/v1/skills/spin-here/run" &
pids+=($!)
for _ in $(seq 100); do
  out=$(curl -s --max-time 2 -H "Authorization: Bearer $token" \
    "$base/api/v1/audit?skill=spin-here&outcome=running")
  [[ $out == *'"skill":"spin-here"'* ]] && break
  sleep 0.1
done
check "the local run is in progress" '[[ $out == *"\"skill\":\"spin-here\""* ]]'
signal_and_wait TERM
out=$(cat "$work/serve3.log.err"); errout="stopped in $stop_ms ms"
check "SIGTERM: the local run's worker is killed and serve exits 0 within 10 s" \
  '[ $rc -eq 0 ] && [ "$stop_ms" -lt 10000 ] && [[ $out == *"stopping ("[1-9]*" running worker"* ]] && [[ $out != *"exiting without waiting"* ]]'
echo "# SIGTERM with a local run: serve exited $rc after $stop_ms ms"
# --- SIGTERM after a load like bench/server's: 8 clients at once ------------------
mkdir -p "$BNITY_HOME/skills/echo"
printf -- '---\nname: echo\ndescription: Does nothing quickly.\nmetadata:\n  type: tool\n  tier: untrusted\n---\nx\n' \
  >"$BNITY_HOME/skills/echo/SKILL.md"
echo '(module (func (export "_start")))' >"$BNITY_HOME/skills/echo/skill.wat"
run "$bnity" skill build echo
check "a trivial untrusted skill" '[ $rc -eq 0 ]'
start_server "$work/serve4.log"
load=()
for c in 1 2 3 4 5 6 7 8; do
  ( for _ in $(seq 25); do
      curl -s --max-time 30 -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" \
        -d '{"input": {}}' "$base/api/v1/skills/echo/run"
    done >"$work/load.$c" ) &
  load+=($!)
done
wait "${load[@]}"
codes=$(cat "$work"/load.* | sort | uniq -c | tr -s ' \n' ' ')
out=$codes
check "200 runs from 8 clients at once all answered 200" '[ "$codes" = " 200 200 " ]'
h=$(curl -s --max-time 5 "$base/api/v1/health")
out=$h
check "after the load serve answers at once" '[[ $h == *"\"status\":\"ok\""* ]]'
after=$(descendants "$server_pid")
read -r -a left_after <<<"$after"
out=$after
check "its warm workers run below it" '[ "${#left_after[@]}" -ge 2 ]'
signal_and_wait TERM
out=$(cat "$work/serve4.log.err"); errout="stopped in $stop_ms ms"
check "SIGTERM after the load: serve exits 0 within 10 s" '[ $rc -eq 0 ] && [ "$stop_ms" -lt 10000 ]'
echo "# SIGTERM after 200 runs from 8 clients: serve exited $rc after $stop_ms ms"
check "no warm worker, supervisor or spawner remains" 'none_alive "${left_after[@]}"'

check "no sanitizer report" '! grep -q "Sanitizer\|runtime error" "$work"/serve*.log.err'

tap_done
