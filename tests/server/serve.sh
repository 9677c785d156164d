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
# serve_test_home   a scratch $work (removed at exit, with every pid in
#                   the array pids killed), $BNITY_HOME and $HOME in it
# start_provider    starts tests/agent/provider_server.py (the scripted
#                   model provider) and sets $prov_port; bails out of the
#                   test when it does not start; $src must be set
# descendants PID   "pid:starttime" of every process below PID
# alive PID:START   that very process still exists and is no zombie
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

serve_test_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
serve_test_home() {
  work=$(mktemp -d)
  pids=()
  trap serve_test_cleanup EXIT
  export BNITY_HOME=$work/home HOME=$work/user
  mkdir -p "$HOME"
  cd "$work" || exit 1
}

start_provider() {
  prov_port=
  mkfifo "$work/prov-in"
  python3 "$src/tests/agent/provider_server.py" <"$work/prov-in" >"$work/prov-port" &
  pids+=($!)
  exec 8>"$work/prov-in"
  for _ in $(seq 100); do [ -s "$work/prov-port" ] && break; sleep 0.1; done
  prov_port=$(head -n1 "$work/prov-port")
  if [ -z "$prov_port" ]; then
    echo "Bail out! tests/agent/provider_server.py did not start"
    exit 1
  fi
}

# descendants PID: "pid:starttime" of every process below PID
descendants() {
  python3 - "$1" <<'EOF'
import os, sys
procs = {}
for d in os.listdir('/proc'):
    if not d.isdigit():
        continue
    try:
        with open('/proc/%s/stat' % d) as f:
            st = f.read()
    except OSError:
        continue
    rest = st[st.rindex(')') + 2:].split()
    procs[int(d)] = (int(rest[1]), rest[19])   # ppid, starttime
todo, seen = [int(sys.argv[1])], []
while todo:
    p = todo.pop()
    for c, (pp, _) in procs.items():
        if pp == p and c not in seen:
            seen.append(c)
            todo.append(c)
print(' '.join('%d:%s' % (c, procs[c][1]) for c in seen))
EOF
}
# alive PID:STARTTIME: that very process still exists and is no zombie
alive() {
  local st
  st=$(cat "/proc/${1%%:*}/stat" 2>/dev/null) || return 1
  st=${st##*) }
  read -r -a f <<<"$st"
  [ "${f[19]}" = "${1#*:}" ] && [ "${f[0]}" != Z ]
}
