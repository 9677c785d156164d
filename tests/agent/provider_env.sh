# SPDX-License-Identifier: MIT
# tests/agent/provider_env.sh - what the shell tests of `bnity chat` share:
# a scratch BNITY_HOME and tests/agent/provider_server.py running on
# loopback, with helpers to drive bnity against it.  Source it after
# tests/cli/tap.sh, with $bnity and $src set.  It sets $work (removed at
# exit with the server), $port, $base, test keys for both APIs and a 20 ms
# first retry wait, and defines:
#   chat_a SCRIPT ARGS...  `bnity chat ARGS` against SCRIPT, Anthropic's API
#   chat_o SCRIPT ARGS...  the same with the OpenAI API
#   get PATH               a GET to the server's control routes
#                          (count/NAME, log/NAME), in bash: a Python start
#                          costs seconds on a loaded machine
#   logq NAME EXPR         EXPR in Python over the requests NAME received
#                          (`log`)
#   jq_py EXPR             EXPR in Python over the JSON on stdin (`j`)

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME"
cd "$work" || exit 1
unset ANTHROPIC_BASE_URL OPENAI_BASE_URL BNITY_PROVIDER BNITY_MODEL
unset BNITY_HEADER_TIMEOUT_MS BNITY_IDLE_TIMEOUT_MS BNITY_TOKEN_FIELD
export ANTHROPIC_API_KEY=test-key OPENAI_API_KEY=test-key
export BNITY_RETRY_BASE_MS=20

mkfifo "$work/server-in"
python3 "$src/tests/agent/provider_server.py" <"$work/server-in" >"$work/port" &
server_pid=$!
exec 9>"$work/server-in"
for _ in $(seq 300); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -n1 "$work/port")
base=http://127.0.0.1:$port

chat_a() {
  local s=$1; shift
  run env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$base/$s" \
    "$bnity" chat "$@"
}
chat_o() {
  local s=$1; shift
  run env BNITY_PROVIDER=openai OPENAI_BASE_URL="$base/$s" \
    "$bnity" chat "$@"
}
get() {
  local body
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
  body=$(cat <&3)
  exec 3<&-
  printf '%s\n' "${body#*$'\r\n\r\n'}"
}
logq() {
  get "log/$1" | python3 -c 'import json, sys
log = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2"
}
jq_py() {
  python3 -c 'import json, sys
j = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}
