#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/server/run.sh - load test of POST /api/v1/skills/NAME/run with wrk,
# against a trivial untrusted WAT skill that echoes its input.  Prints
# requests/s and latency percentiles, fails on any error or non-2xx
# answer, and compares the server's RSS after a warm-up, after one load
# run and after a second (a leak shows as steady growth).  Then the
# median of 50 sequential calls in a warm pooled worker (curl's
# time_total, the X-Bnity-Worker header saying the worker was reused), of
# the same calls' time inside the server (Server-Timing), of 30 cold
# confined spawns (a server without spares: Server-Timing spawn, and with
# perf the CPU of that server's whole process tree per call: spawner,
# supervisors, workers) and of 15 cold one-shot `bnity skill run`s (with
# perf, their whole tree's CPU too); the server's CPU per request and the
# load average of each round.  On a shared machine the CPU figures are
# the ones to compare.  Never asserts timings.
# Usage: bench/server/run.sh [BNITY [SERVE]]   (env: DURATION=10s
# THREADS=2 CONNECTIONS=8)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bnity=$(realpath "${1:-$here/../../build/src/cli/bnity}")
serve=$(realpath "${2:-$bnity}")
duration=${DURATION:-10s}
threads=${THREADS:-2}
conns=${CONNECTIONS:-8}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 2; }

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "${cold_pid:-}" ] && kill "$cold_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$BNITY_HOME/skills" "$HOME"
cp -r "$here/echo" "$BNITY_HOME/skills/echo"
"$bnity" skill build echo >/dev/null

"$serve" serve --listen 127.0.0.1:0 >"$work/serve.log" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/serve.log" && break; sleep 0.1; done
base=$(sed -n 's|.*listening on \(http://[^ ]*\)/$|\1|p' "$work/serve.log")
export BNITY_TOKEN=$(tr -d '\n' <"$BNITY_HOME/api-token")
url=$base/api/v1/skills/echo/run
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
# cpu: the server's CPU time so far, in clock ticks (every thread)
cpu() { local s; s=$(cat "/proc/$pid/stat"); s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }

answer=$(curl -s -H "Authorization: Bearer $BNITY_TOKEN" --data '{"input": {"text": "x"}}' "$url")
case $answer in
  *'"ok":true'*'"tier":"untrusted"'*) ;;
  *) echo "bench: the echo skill does not run: $answer"; exit 1 ;;
esac
for _ in $(seq 200); do
  curl -s -o /dev/null -H "Authorization: Bearer $BNITY_TOKEN" --data '{"input": {}}' "$url"
done
rss0=$(rss)
fail=0
for round in 1 2; do
  echo "== round $round: wrk -t$threads -c$conns -d$duration POST $url"
  c0=$(cpu)
  wrk -t"$threads" -c"$conns" -d"$duration" --timeout 10s -s "$here/post.lua" "$url" \
    >"$work/wrk.$round" 2>&1 || fail=1
  c1=$(cpu)
  grep -E '^(requests|latency)' "$work/wrk.$round"
  n=$(sed -n 's/^requests: \([0-9]*\),.*/\1/p' "$work/wrk.$round")
  [ "${n:-0}" -gt 0 ] &&
    echo "server CPU per request (its threads, workers excluded): $(( (c1 - c0) * 1000000 / $(getconf CLK_TCK) / n )) us"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  if grep -q 'Non-2xx' "$work/wrk.$round" ||
     ! grep -q 'connect 0 read 0 write 0 status 0 timeout 0' "$work/wrk.$round"; then
    echo "bench: errors or non-2xx answers in round $round:"
    cat "$work/wrk.$round"
    fail=1
  fi
  eval "rss$round=\$(rss)"
done
echo "== RSS (KiB): after warm-up $rss0, after round 1 $rss1, after round 2 $rss2"
growth=$((rss2 - rss1))
echo "== RSS growth over round 2: $growth KiB"
if [ "$growth" -gt $((rss1 / 4 + 8192)) ]; then
  echo "bench: RSS kept growing: a leak?"
  fail=1
fi
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", v[int((NR + 1) / 2)] }'; }
# timing NAME: the Server-Timing duration NAME of the headers in $work/hdr
timing() { tr -d '\r' <"$work/hdr" | sed -n "s/^Server-Timing:.*\\b$1;dur=\\([0-9.]*\\).*/\\1/p"; }
: >"$work/warm"; : >"$work/inside"
for _ in $(seq 50); do
  curl -s -o /dev/null -D "$work/hdr" -w '%{time_total}\n' -H "Authorization: Bearer $BNITY_TOKEN" \
    --data '{"input": {}}' "$url" | awk '{ print $1 * 1000 }' >"$work/t"
  if ! grep -q '^X-Bnity-Worker: [0-9]*/1\b' "$work/hdr"; then
    cat "$work/t" >>"$work/warm"
    timing run >>"$work/inside"
  fi
done
echo "== warm pooled call over HTTP: median $(median <"$work/warm") ms ($(wc -l <"$work/warm") reused calls)"
echo "== warm pooled call inside the server (Server-Timing run, spawn excluded): median $(median <"$work/inside") ms"
# cold confined spawns: a second server without spares whose workers
# serve one call each, so every call starts its worker (Server-Timing spawn)
# (under perf stat where installed: the tree's CPU, counted until it exits)
perf=()
command -v perf >/dev/null 2>&1 && perf=(perf stat -x, -e task-clock -o "$work/cold.perf" --)
BNITY_POOL_SPARES=0 BNITY_POOL_CALLS=1 "${perf[@]}" "$serve" serve --listen 127.0.0.1:0 >"$work/cold.log" 2>"$work/cold.err" &
cold_pid=$!
for _ in $(seq 100); do grep -q listening "$work/cold.log" && break; sleep 0.1; done
cold_url=$(sed -n 's|.*listening on \(http://[^ ]*\)/$|\1|p' "$work/cold.log")/api/v1/skills/echo/run
: >"$work/spawn"
n_cold=30
for _ in $(seq $n_cold); do
  curl -s -o /dev/null -D "$work/hdr" -H "Authorization: Bearer $BNITY_TOKEN" \
    --data '{"input": {}}' "$cold_url"
  timing spawn >>"$work/spawn"
done
# under perf, the server is perf's child: SIGTERM to it, and perf writes
# its count once the whole tree has exited
if [ ${#perf[@]} -gt 0 ]; then
  kill $(pgrep -P "$cold_pid") 2>/dev/null || true
else
  kill "$cold_pid" 2>/dev/null || true
fi
wait "$cold_pid" 2>/dev/null || true
echo "== cold confined spawn (Server-Timing spawn, BNITY_POOL_SPARES=0): median $(median <"$work/spawn") ms ($(wc -l <"$work/spawn") spawns)"
[ -s "$work/cold.perf" ] &&
  awk -F, '/task-clock/ { printf "== whole tree CPU per cold call (perf task-clock, server start included): %.2f ms\n", $1 / n }' n=$n_cold "$work/cold.perf"
for _ in $(seq 15); do
  # bash's clock: a `date` on each side would add two process starts
  s=${EPOCHREALTIME//[.,]/}
  "$bnity" skill run echo --input '{}' >/dev/null
  e=${EPOCHREALTIME//[.,]/}
  echo $(( e - s )) | awk '{ print $1 / 1000 }'
done >"$work/cold"
echo "== cold one-shot bnity skill run (CLI): median $(median <"$work/cold") ms"
if command -v perf >/dev/null 2>&1; then
  c=$(perf stat -x, -e task-clock -r 15 "$bnity" skill run echo --input '{}' 2>&1 >/dev/null |
      awk -F, '/task-clock/ { print $1 }')
  echo "== cold one-shot bnity skill run, whole tree CPU (perf task-clock, mean of 15): $c ms"
fi
last=$(curl -s -H "Authorization: Bearer $BNITY_TOKEN" "$base/api/v1/audit?skill=echo&limit=1")
echo "== newest audit record: $(printf '%s' "$last" | sed -n 's/.*"runs":\[{"id":\([0-9]*\).*/#\1/p')"
exit $fail
