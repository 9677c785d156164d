#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Slow clients cannot starve `bnity serve`: connections that dribble their
# request headers (slow_clients.py) while GET /api/v1/health must still
# answer.  The per-client limit keeps 70 of them from one address to
# --max-per-client (default 16); the header deadline (--header-timeout)
# closes those that fill every slot from many addresses; a slow but
# complete request inside the deadline is still answered.  Every address
# is on loopback (127.0.0.0/8); every wait is bounded.
# Usage: slow_clients_test.sh BNITY
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME"
cd "$work"
slow=$src/tests/server/slow_clients.py

. "$src/tests/server/serve.sh"
stop_server() {
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
}
# slow_start N SOURCES INTERVAL LIFETIME: slow clients in the background,
# their output in $work/slow.out; returns once they are all open
slow_start() {
  python3 "$slow" "$port" "$@" >"$work/slow.out" 2>&1 &
  slow_pid=$!
  pids+=("$slow_pid")
  for _ in $(seq 100); do grep -qs ready "$work/slow.out" && break; sleep 0.1; done
}
slow_wait() { # their summary in $summary (they end by themselves)
  wait "$slow_pid" 2>/dev/null
  summary=$(grep opened= "$work/slow.out")
  out=$summary
}
field() { sed -En "s/(^|.* )$1=([0-9.-]*).*/\2/p" <<<"$summary"; }
# health_within S: retry GET /health until it answers 200 or S seconds pass;
# $health_ms is how long it took
health_within() {
  local t0 now code
  t0=$(date +%s%N)
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$base/api/v1/health")
    now=$(date +%s%N)
    health_ms=$(( (now - t0) / 1000000 ))
    [ "$code" = 200 ] && return 0
    [ "$health_ms" -ge $(( $1 * 1000 )) ] && return 1
    sleep 0.1
  done
}

# --- options ----------------------------------------------------------------
for bad in "--max-per-client 0" "--max-connections 0" "--header-timeout 0" \
           "--header-timeout 3601" "--max-connections 1001" "--max-per-client x"; do
  # shellcheck disable=SC2086
  run "$bnity" serve --listen 127.0.0.1:0 $bad
  check "serve $bad is a usage error (exit 2)" '[ $rc -eq 2 ]'
done

# --- one address cannot take every slot ------------------------------------------
start_server "$work/serve1.log"
check "serve starts with the default limits" '[ -n "$base" ]'
slow_start 70 same:127.0.0.2 1 7
health_within 5; rc=$?
errout="health did not answer within ${health_ms} ms"
check "70 slow clients from one address: health answers within 5 s" '[ $rc -eq 0 ]'
echo "# health answered in ${health_ms} ms beside 70 slow clients from one address"
slow_wait
check "that address keeps 16 connections, the other 54 are closed at once" \
  '[ "$(field early)" = 54 ] && [ "$(field open)" = 16 ]'
stop_server

# --- the per-client limit at limit and limit+1 ------------------------------------
start_server "$work/serve2.log" -- --max-per-client 4
slow_start 4 same:127.0.0.3 1 1.5
slow_wait
check "--max-per-client 4: 4 connections from one address stay open" \
  '[ "$(field early)" = 0 ] && [ "$(field open)" = 4 ]'
sleep 0.3
slow_start 5 same:127.0.0.3 1 1.5
slow_wait
check "--max-per-client 4: the 5th is closed at once" \
  '[ "$(field early)" = 1 ] && [ "$(field open)" = 4 ]'
stop_server

# --- every slot taken from many addresses: the header deadline frees them -----------
start_server "$work/serve3.log" -- --header-timeout 2
slow_start 70 spread:127.0.1 1 8
health_within 8; rc=$?
errout="health did not answer within ${health_ms} ms"
check "70 slow clients from 70 addresses: health answers again within 8 s" '[ $rc -eq 0 ]'
echo "# health answered in ${health_ms} ms beside 70 slow clients from 70 addresses (header timeout 2 s)"
slow_wait
# 64 take every slot, 6 wait in the listen queue until slots free up
check "all 70 were closed at the header deadline (2 s after they were accepted), none before, none left open" \
  '[ "$(field early)" = 0 ] && [ "$(field cut)" = 70 ] && [ "$(field open)" = 0 ] && awk "BEGIN { exit !($(field first_cut) >= 1.9 && $(field last_cut) < 7) }"'

# a slow but complete request inside the deadline is answered
run python3 - "$port" <<'EOF'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
for part in (b'GET /api/v1/health HTTP/1.1\r\n', b'Host: 127.0.0.1\r\n',
             b'Connection: close\r\n', b'\r\n'):
    s.sendall(part)
    time.sleep(0.4)
data = b''
while True:
    d = s.recv(4096)
    if not d:
        break
    data += d
print(data.split(b'\r\n')[0].decode())
EOF
check "headers sent over 1.2 s, inside the 2 s deadline, are answered" '[[ $out == "HTTP/1.1 200"* ]]'
stop_server
check "no sanitizer report" '! grep -q "Sanitizer\|runtime error" "$work"/serve*.log.err'

tap_done
