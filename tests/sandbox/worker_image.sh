#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/sandbox/worker_image.sh - a confined worker starts from a clean
# image (issue 17), on both paths that start one: the CLI's one-shot run
# (`bnity skill run`, whose worker starts while the run gets ready: a
# spare, exec_int.h) and the warm pool of `bnity serve`.  A CLI run that
# no spare can serve (a grant above a spare's limits) starts its own.  While an
# untrusted skill sleeps in its worker, with canaries in the broker's
# environment (ANTHROPIC_API_KEY, BNITY_VAULT_PASSPHRASE) and heap (the
# skill's description, which the broker loads and the worker never gets):
#   - the worker's /proc/PID/environ is empty;
#   - no canary is anywhere in the worker's memory (every readable
#     mapping, read through /proc/PID/mem), while the same scan finds both
#     in the broker's memory (so the scan can fail);
#   - the worker is a fresh image: bnity-worker beside bnity (or bnity
#     itself without it), not a fork of the broker;
#   - ending the broker ends the worker.
# TAP.  Usage: worker_image.sh BNITY
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"
. "$src/tests/server/serve.sh"
serve_test_home
rc=0 out= errout=       # what check shows on a failure
env_canary=bnity-canary-env-$RANDOM$RANDOM
heap_canary=bnity-canary-heap-$RANDOM$RANDOM
image=$(dirname "$bnity")/bnity-worker
[ -x "$image" ] || image=$bnity
mkdir -p "$BNITY_HOME/skills/nap"

cat >"$BNITY_HOME/skills/nap/SKILL.md" <<MD
---
name: nap
description: Sleep 55 seconds in poll_oneoff, then exit ($heap_canary).
license: MIT
metadata:
  type: tool
  tier: untrusted
  version: "1.0.0"
---
# Nap
MD
# one clock subscription (48 bytes at 0): tag 0 = clock, relative 55 s
cat >"$BNITY_HOME/skills/nap/skill.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i64.store (i32.const 24) (i64.const 55000000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1)
                      (i32.const 128)))))
WAT
"$bnity" skill build nap >/dev/null 2>&1 || { echo "Bail out! skill build nap"; exit 1; }
"$bnity" skill grant nap --timeout-ms 60000 >/dev/null 2>&1 ||
  { echo "Bail out! skill grant nap --timeout-ms"; exit 1; }

# find_worker ROOT: the pid of a worker below ROOT (its command line is
# "bnity __worker ..."), walking down the process tree only
find_worker() {
  local todo=("$1") p argv
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}
    todo=("${todo[@]:1}")
    argv=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
    case $argv in *" __worker "*) echo "$p"; return 0 ;; esac
    todo+=($(cat /proc/"$p"/task/*/children 2>/dev/null))
  done
  return 1
}
# holds PID WORD...: prints each WORD found in PID's readable memory
# (every readable mapping up to 64 MiB, read through /proc/PID/mem; the
# larger ones are reservations such as a sanitizer's shadow memory)
holds() {
  local pid=$1 range perm lo hi w found=() f=$work/mem.$1
  shift
  while read -r range perm _; do
    [ "${perm:0:1}" = r ] || continue
    lo=$((16#${range%-*})) hi=$((16#${range#*-}))
    [ $((hi - lo)) -le $((64 << 20)) ] || continue
    dd if="/proc/$pid/mem" of="$f" bs=64K iflag=skip_bytes,count_bytes \
      skip="$lo" count=$((hi - lo)) status=none 2>/dev/null
    for w in "$@"; do
      grep -qaF -- "$w" "$f" 2>/dev/null && found+=("$w")
    done
  done <"/proc/$pid/maps"
  rm -f "$f"
  printf '%s\n' "${found[@]}" | sort -u | tr '\n' ' '
}
# worker_checks WHERE BROKER: the checks on the worker below BROKER
worker_checks() {
  local where=$1 broker=$2 w= env_bytes seen
  for _ in $(seq 200); do w=$(find_worker "$broker") && break; sleep 0.05; done
  check "$where: the untrusted run has a worker started as the worker entry point" '[ -n "$w" ]'
  [ -n "$w" ] || w=0
  env_bytes=$({ wc -c <"/proc/$w/environ"; } 2>/dev/null || echo missing)
  check "$where: the worker's environ is empty (the broker's holds the canaries)" \
    '[ "$env_bytes" = 0 ]'
  check "$where: the worker's image is $(basename "$image")" \
    '[ "$(readlink -f "/proc/$w/exe" 2>/dev/null)" = "$image" ]'
  check "$where: the worker is not the broker's fork (its parent is not the broker)" \
    '[ "$(awk "{ print \$4 }" "/proc/$w/stat" 2>/dev/null)" != "$broker" ]'
  seen=$(holds "$w" "$env_canary" "$heap_canary" 2>&1)
  check "$where: no canary in the worker's memory" '[ -z "${seen// /}" ] && [ -e "/proc/$w" ]'
  seen=$(holds "$broker" "$env_canary" "$heap_canary" 2>&1)
  check "$where: the same scan finds both canaries in the broker's memory" \
    '[[ $seen == *"$env_canary"* && $seen == *"$heap_canary"* ]]'
  worker=$w
}
# gone PID: PID ends within 5 s
gone() {
  for _ in $(seq 100); do [ -e "/proc/$1" ] || return 0; sleep 0.05; done
  return 1
}

# the CLI: a one-shot worker
ANTHROPIC_API_KEY=$env_canary BNITY_VAULT_PASSPHRASE=$env_canary \
  "$bnity" skill run nap --input '{}' >/dev/null 2>&1 &
pid=$!
pids+=("$pid")
worker_checks "skill run" "$pid"
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "skill run: ending the broker ends its worker" 'gone "$worker"'

# a grant above a spare's memory: the worker started ahead is ended and
# the run starts one of its own, with the grant's limits
cp -r "$src/bench/server/echo" "$BNITY_HOME/skills/echo"
"$bnity" skill build echo >/dev/null 2>&1
run "$bnity" skill grant echo --max-memory 512M
run "$bnity" skill run echo --json --input '{"a": 1}'
check "skill run: a run no spare fits gets a worker of its own" \
  '[ $rc -eq 0 ] && [[ $out == *"\"tier\": \"untrusted\""* ]] && [[ $out == *"\"output\": \"{\\\"a\\\": 1}\""* ]]'

# the server: a pooled worker
start_server "$work/serve.log" "ANTHROPIC_API_KEY=$env_canary" \
  "BNITY_VAULT_PASSPHRASE=$env_canary" BNITY_POOL_SPARES=1
token=$(tr -d '\n' <"$BNITY_HOME/api-token" 2>/dev/null)
check "serve starts" '[ -n "$base" ] && [ -n "$token" ]'
curl -s --max-time 30 -o /dev/null -H "Authorization: Bearer $token" \
  -d '{"input": {}}' "$base/api/v1/skills/nap/run" &
pids+=("$!")
worker_checks "serve" "$server_pid"
kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
check "serve: ending the server ends its worker" 'gone "$worker"'

# without bnity-worker beside it, bnity is its own worker image
if [ "$image" != "$bnity" ]; then
  mkdir -p "$work/alone" "$BNITY_HOME/skills/quick"
  cp "$bnity" "$work/alone/bnity"
  printf -- '---\nname: quick\ndescription: Does nothing.\nmetadata:\n  type: tool\n  tier: untrusted\n---\nx\n' \
    >"$BNITY_HOME/skills/quick/SKILL.md"
  printf '(module (func (export "_start")))\n' >"$BNITY_HOME/skills/quick/skill.wat"
  "$bnity" skill build quick >/dev/null 2>&1
  run "$work/alone/bnity" skill run quick --json --input '{}'
  check "bnity alone starts its worker from itself" \
    '[ $rc -eq 0 ] && [[ $out == *"\"tier\": \"untrusted\""* ]]'
  printf 'not a program\n' >"$work/alone/bnity-worker"
  chmod 644 "$work/alone/bnity-worker"
  run "$work/alone/bnity" skill run quick --json --input '{}'
  check "a bnity-worker it cannot execute is passed over" \
    '[ $rc -eq 0 ] && [[ $out == *"\"tier\": \"untrusted\""* ]]'
else
  skip "bnity alone starts its worker from itself" "no bnity-worker here"
  skip "a bnity-worker it cannot execute is passed over" "no bnity-worker here"
fi
tap_done
