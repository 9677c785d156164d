#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Start-up of the CLI (issue 17: "bnity --version at most 2x git
# --version"): with hyperfine, the median and best wall time and the mean
# CPU time (user + system, the figure to compare on a loaded machine) of
# both; then the median wall time of `bnity --version`, `git --version`, and
# `bnity skill list` and `bnity bot prompt` on a one-bot store, over N
# runs each.  Prints figures; asserts nothing.  The trivial `skill run`
# is bench/skill/run.sh.
# Usage: bench/cli/run.sh [BNITY] [N]
n=100
. "$(dirname "$0")/../lib.sh"
bench_init "$@"
"$bnity" bot create helper >/dev/null
"$bnity" skill create notes --description "Take notes. Use when asked." >/dev/null
"$bnity" skill attach notes helper >/dev/null

# hyperfine, where installed, also gives the best run (the figure least
# disturbed by other load: the issue's "best of several runs")
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N -w 10 -r "$n" --export-json "$work/hf.json" \
    "$bnity --version" "git --version" >/dev/null 2>&1
  python3 - "$work/hf.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['results']
print('hyperfine, %d runs (milliseconds):' % len(r[0]['times']))
cpu = [(x['user'] + x['system']) * 1e3 for x in r]
for x, c in zip(r, cpu):
    print('  %-24s median %6.2f  best %6.2f  cpu %5.2f' % (
          x['command'].split('/')[-1], x['median'] * 1e3, x['min'] * 1e3, c))
print('  ratio                    median %6.2f  best %6.2f  cpu %5.2f' % (
    r[0]['median'] / r[1]['median'], r[0]['min'] / r[1]['min'],
    cpu[0] / cpu[1]))
PY
fi
v=$(time_runs "$bnity" --version | median)
g=$(time_runs git --version | median)
l=$(time_runs "$bnity" skill list | median)
p=$(time_runs "$bnity" bot prompt helper | median)
printf 'start-up, median of %d (microseconds):\n' "$n"
printf '  bnity --version          %8.0f\n' "$v"
printf '  git --version            %8.0f\n' "$g"
printf '  ratio                    %8.2f\n' "$(echo "$v / $g" | bc -l)"
printf '  bnity skill list         %8.0f\n' "$l"
printf '  bnity bot prompt helper  %8.0f\n' "$p"
