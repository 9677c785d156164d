# SPDX-License-Identifier: MIT
# tests/server/serve.sh - start `bnity serve` on a free loopback port for
# the server tests.  Source it after setting $bnity (or $serve, a binary
# to run instead) and the array pids (killed by the test's clean-up).
#
# start_server LOG [NAME=VALUE...] [-- SERVE OPTIONS...]
#   runs serve with those environment variables and options, stdout in
#   LOG and stderr in LOG.err; waits up to 10 s for it to listen (less if
#   it dies); sets $server_pid, $base (http://127.0.0.1:PORT, empty when
#   it never listened) and $port.
start_server() {
  local log=$1 env=() opts=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  opts=("$@")
  env "${env[@]}" "${serve:-$bnity}" serve --listen 127.0.0.1:0 \
    "${opts[@]}" >"$log" 2>"$log.err" &
  server_pid=$!
  pids+=("$server_pid")
  base=
  for _ in $(seq 100); do
    grep -qs listening "$log" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  base=$(sed -n 's|.*listening on \(http://[^ ]*\)/$|\1|p' "$log")
  port=${base##*:}
}
