#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/scale/run.sh - two `bnity serve` replicas on one throw-away
# PostgreSQL (tests/store/pg_cluster.sh), on loopback, each with its own
# BNITY_HOME and the same vault key (tests/store/replicas.sh), running the
# trivial untrusted skill bench/server/echo.  Prints:
# - requests/s with wrk (-t$THREADS -c$CONNECTIONS -d$DURATION, the
#   bearer token of bench/server/post.lua) against one replica, then
#   against both (two wrk at once, half the threads and connections
#   each);
# - replica A killed (SIGKILL) mid-load: A's and B's requests and errors,
#   and B's 200s after A died;
# - PostgreSQL restarted mid-load (pg_ctl restart -m fast): the errors,
#   how long the restart took, each replica's first 200 after it (the
#   recovery time), and whether every run answered 200 has its audit
#   record closed as ok.
# The fault rounds use tests/store/scale_load.py (8 connections across
# both replicas, every request logged with its time) rather than wrk,
# which keeps no per-request times.  On one 2-core machine the replicas,
# their workers, PostgreSQL and the load share the same cores: this shows
# correctness under load, not capacity.  Never asserts timings; exits 1
# when a correctness check fails.
# Usage: bench/scale/run.sh [BNITY]  (env: DURATION=10s THREADS=2
# CONNECTIONS=8 FAULT_SECONDS=8)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bnity=$(realpath "${1:-$top/build/src/cli/bnity}")
duration=${DURATION:-10s}
threads=${THREADS:-2}
conns=${CONNECTIONS:-8}
fault_s=${FAULT_SECONDS:-8}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 2; }
if [ -z "${BNITY_SCALE_BENCH_INNER:-}" ]; then
  # again, inside a throw-away cluster
  BNITY_SCALE_BENCH_INNER=1 exec "$top/tests/store/pg_cluster.sh" "$0" "$bnity"
fi
[ -n "${BNITY_TEST_PG_CTL:-}" ] || { echo "bench: PostgreSQL's server programs are not installed (apt-get install postgresql)"; exit 2; }
. "$top/tests/server/serve.sh"
. "$top/tests/store/replicas.sh"
serve_test_home
fail=0
replicas_start || exit 1
export BNITY_TOKEN=$tok
echo "== two replicas on one PostgreSQL ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   (one machine: replicas, workers, PostgreSQL and the load share its cores;"
echo "    this shows correctness under load, not capacity)"
for b in "$base_a" "$base_b"; do
  for _ in $(seq 50); do
    curl -s -o /dev/null -H "Authorization: Bearer $tok" --data '{"input": {}}' "$b/api/v1/skills/echo/run"
  done
done

# wrk_round NAME URL T C: wrk into $work/wrk.NAME; its requests/s printed
wrk_round() {
  wrk -t"$3" -c"$4" -d"$duration" --timeout 10s -s "$top/bench/server/post.lua" "$2" \
    >"$work/wrk.$1" 2>&1
  if grep -q 'Non-2xx' "$work/wrk.$1" ||
     ! grep -q 'connect 0 read 0 write 0 status 0 timeout 0' "$work/wrk.$1"; then
    echo "bench: errors or non-2xx answers in $1:" >&2
    cat "$work/wrk.$1" >&2
    fail=1
  fi
}
rps() { sed -n 's/^requests\/s: \([0-9.]*\)/\1/p' "$work/wrk.$1"; }
p50() { sed -n 's/^latency p50: \([0-9.]*\) ms/\1/p' "$work/wrk.$1"; }
wrk_round one "$base_a/api/v1/skills/echo/run" "$threads" "$conns"
echo "== one replica: wrk -t$threads -c$conns -d$duration: $(rps one) requests/s, p50 $(p50 one) ms"
half_t=$(( threads > 1 ? threads / 2 : 1 )); half_c=$(( conns > 1 ? conns / 2 : 1 ))
wrk_round two-a "$base_a/api/v1/skills/echo/run" "$half_t" "$half_c" &
wa=$!
wrk_round two-b "$base_b/api/v1/skills/echo/run" "$half_t" "$half_c"
wait "$wa"
echo "== two replicas: two wrk -t$half_t -c$half_c -d$duration at once: A $(rps two-a) + B $(rps two-b) = $(echo "$(rps two-a) $(rps two-b)" | awk '{ printf "%.1f", $1 + $2 }') requests/s, p50 A $(p50 two-a) ms, B $(p50 two-b) ms"

# the fault rounds: scale_load.py across both, FAULT 2 s after both
# replicas answered 5 requests, until
# $fault_s seconds after it (and, after a restart, both answered again)
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
errors_seen() { # errors_seen LOG: the commonest error answers
  [ -s "$1.errors" ] && cut -c1-160 "$1.errors" | sort | uniq -c | sort -rn | head -n 3 | sed 's/^/     /'
}
load_start "$work/kill.log"
await_ok "$work/kill.log" 0 5   # the load is on at both
sleep 2
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null
killed_at=$(date +%s.%N)
sleep "$fault_s"
touch "$work/stop"; wait "$load_pid"
b_err=$(tally "$work/kill.log" 0 'r[1]["errors"]')
b_after=$(tally "$work/kill.log" "$killed_at" 'r[1]["ok_after"]')
echo "== replica A killed (SIGKILL) 2 s into the load (both answering), load on for ${fault_s} s after:"
echo "   A: $(tally "$work/kill.log" 0 'r[0]["ok"]') x 200, $(tally "$work/kill.log" 0 'r[0]["errors"]') failed (connections refused once it was gone)"
echo "   B: $(tally "$work/kill.log" 0 'r[1]["requests"]') requests, $b_err errors, $b_after x 200 after A died"
[ "$b_err" = 0 ] && [ "$b_after" -gt 0 ] || { echo "bench: B did not go on without errors" >&2; fail=1; }
replica_start a || exit 1

load_start "$work/restart.log"
await_ok "$work/restart.log" 0 5
sleep 2
down_at=$(date +%s.%N)
"$BNITY_TEST_PG_CTL" restart -m fast || { echo "bench: pg_ctl restart failed" >&2; fail=1; }
back_at=$(date +%s.%N)
sleep "$fault_s"
await_ok "$work/restart.log" "$back_at" 1
touch "$work/stop"; wait "$load_pid"
echo "== PostgreSQL restarted (pg_ctl restart -m fast) 2 s into the load (both answering): the restart took $(ms "$down_at" "$back_at") ms"
for i in 0 1; do
  name=$([ $i = 0 ] && echo A || echo B)
  first=$(tally "$work/restart.log" "$back_at" "r[$i][\"first_ok_after\"]")
  echo "   $name: $(tally "$work/restart.log" 0 "r[$i][\"requests\"]") requests, $(tally "$work/restart.log" 0 "r[$i][\"errors\"]") errors ($(tally "$work/restart.log" "$back_at" "r[$i][\"errors_after\"]") begun after PostgreSQL was back), first 200 $(if [ "$first" = None ]; then echo "never"; else echo "$(ms "$back_at" "$first") ms"; fi) after it was back"
  [ "$first" != None ] || fail=1
done
echo "   the commonest error answers:"
errors_seen "$work/restart.log"
awk '$4 == 200 { print $5 }' "$work/kill.log" "$work/restart.log" | sort >"$work/answered"
"$BNITY_TEST_PG_BIN/psql" -Atq "$BNITY_DATABASE_URL" -c \
  "SELECT id FROM audit_runs WHERE skill = 'echo' AND outcome = 'ok'" | sort >"$work/recorded"
missing=$(comm -23 "$work/answered" "$work/recorded" | wc -l)
echo "== audit: $(wc -l <"$work/answered") runs answered 200 in the fault rounds, $missing of them without an audit record closed as ok"
[ "$missing" = 0 ] || fail=1
exit $fail
