#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end time of a trivial tool skill through `bnity skill run`
# (spawn, confine, load, run, answer, audit): median over N runs for an
# untrusted skill (confined worker) and the same skill as local
# (in-process), and the median cost of each confinement step
# (BNITY_SANDBOX_TRACE=1).  Prints figures; asserts nothing.
# Usage: bench/skill/run.sh [BNITY] [N]
n=50
. "$(dirname "$0")/../lib.sh"
bench_init "$@"
"$bnity" skill list >/dev/null
mk() { # mk NAME TIER
  mkdir -p "$BNITY_HOME/skills/$1"
  printf -- '---\nname: %s\ndescription: echo for the bench\nmetadata:\n  type: tool\n  tier: %s\n---\nx\n' "$1" "$2" >"$BNITY_HOME/skills/$1/SKILL.md"
  cp "$top/bench/server/echo/skill.wat" "$BNITY_HOME/skills/$1/skill.wat"
  "$bnity" skill build "$1" >/dev/null
}
mk echo-untrusted untrusted
mk echo-local local

u=$(time_runs "$bnity" skill run echo-untrusted --input '{"text":"hi"}' | median)
l=$(time_runs "$bnity" skill run echo-local --input '{"text":"hi"}' | median)
printf 'skill run, median of %d (microseconds):\n' "$n"
printf '  untrusted (confined worker)  %8.0f\n' "$u"
printf '  local (in-process)           %8.0f\n' "$l"
printf '  confinement share            %7.0f%%\n' "$(echo "($u - $l) * 100 / $u" | bc -l)"
# hyperfine, where installed: the best run; perf, where installed: the
# CPU time of the whole process tree (spawner, supervisor and worker
# included), the figure to compare on a loaded machine
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N -w 3 -r "$n" --export-json "$work/hf.json" \
    "$bnity skill run echo-untrusted --input {}" \
    "$bnity skill run echo-local --input {}" >/dev/null 2>&1
  python3 - "$work/hf.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['results']
print('hyperfine, %d runs (milliseconds):' % len(r[0]['times']))
for x, name in zip(r, ('untrusted', 'local')):
    print('  %-28s median %7.1f  best %6.1f' % (name, x['median'] * 1e3,
          x['min'] * 1e3))
PY
fi
if command -v perf >/dev/null 2>&1; then
  echo "CPU of the process tree, mean of $n (perf stat task-clock, ms):"
  for t in untrusted local; do
    c=$(perf stat -x, -e task-clock -r "$n" "$bnity" skill run "echo-$t" \
          --input '{}' 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }')
    printf '  %-28s %7.1f\n' "$t" "$c"
  done
fi
echo "confinement steps, median of $n (microseconds):"
for _ in $(seq "$n"); do
  BNITY_SANDBOX_TRACE=1 "$bnity" skill run echo-untrusted --input '{}' 2>&1 >/dev/null |
    sed -nE 's/^sandbox: (.*[^ ]) +([0-9]+) us$/\1|\2/p'
done >"$work/steps"
cut -d'|' -f1 "$work/steps" | awk '!seen[$0]++' | while read -r step; do
  printf '  %-34s %8s\n' "$step" \
    "$(grep -F "$step|" "$work/steps" | cut -d'|' -f2 | median)"
done
