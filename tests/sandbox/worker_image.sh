#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/sandbox/worker_image.sh - a confined worker starts from a clean
# image (issue 17): while an untrusted skill sleeps in its worker, the
# worker's /proc/PID/environ is empty although the broker holds secrets in
# its environment, its command line is bnity's worker entry point and its
# exe is bnity; ending the broker ends the worker.  TAP.
# Usage: worker_image.sh BNITY
set -u
bnity=$(realpath "$1")
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$BNITY_HOME/skills/nap" "$HOME"
. "$(dirname "$0")/../cli/tap.sh"
rc=0 out= errout=       # what check shows on a failure; no command here sets them

cat >"$BNITY_HOME/skills/nap/SKILL.md" <<'MD'
---
name: nap
description: Sleep five seconds in poll_oneoff, then exit.
license: MIT
metadata:
  type: tool
  tier: untrusted
  version: "1.0.0"
---
# Nap
MD
# one clock subscription (48 bytes at 0): tag 0 = clock, relative 5 s
cat >"$BNITY_HOME/skills/nap/skill.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i64.store (i32.const 24) (i64.const 5000000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1)
                      (i32.const 128)))))
WAT
"$bnity" skill build nap >/dev/null 2>&1 || { echo "Bail out! skill build nap"; exit 1; }

ANTHROPIC_API_KEY=bnity-canary-api-key BNITY_VAULT_PASSPHRASE=bnity-canary-pass \
  "$bnity" skill run nap --input '{}' >/dev/null 2>&1 &
pid=$!

# Is $1 a descendant of $pid?
descends() {
  local p=$1 pp
  while [ "$p" -gt 1 ]; do
    [ "$p" = "$pid" ] && return 0
    pp=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || return 1
    [ -n "$pp" ] || return 1
    p=$pp
  done
  return 1
}
# The worker: a descendant whose command line is "bnity __worker ...".
find_worker() {
  local f d c
  for f in $(grep -laF __worker /proc/[0-9]*/cmdline 2>/dev/null); do
    d=${f%/cmdline}
    c=$({ tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
    case $c in
      "bnity __worker "*) descends "${d#/proc/}" && { echo "${d#/proc/}"; return 0; } ;;
    esac
  done
  return 1
}
w=
for _ in $(seq 100); do w=$(find_worker) && break; sleep 0.05; done
check "the untrusted run has a worker started as bnity's worker entry point" '[ -n "$w" ]'
[ -n "$w" ] || w=0
env_bytes=$({ wc -c <"/proc/$w/environ"; } 2>/dev/null || echo missing)
check "the worker's environ is empty (broker had ANTHROPIC_API_KEY, BNITY_VAULT_PASSPHRASE)" \
  '[ "$env_bytes" = 0 ]'
check "no canary in the worker's environ" \
  '! grep -qa canary "/proc/$w/environ" 2>/dev/null && [ -e "/proc/$w" ]'
check "the worker's exe is bnity" '[ "$(readlink -f "/proc/$w/exe" 2>/dev/null)" = "$bnity" ]'
check "the worker is not the broker's fork (its parent is not the broker)" \
  '[ "$(awk "{ print \$4 }" "/proc/$w/stat" 2>/dev/null)" != "$pid" ]'
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
gone=no
for _ in $(seq 100); do [ -e "/proc/$w" ] || { gone=yes; break; }; sleep 0.05; done
check "ending the broker ends its worker" '[ "$gone" = yes ]'
tap_done
