#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Start-up of the CLI (issue 17: "bnity --version at most 2x git
# --version"): median wall time of `bnity --version`, `git --version`, and
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
