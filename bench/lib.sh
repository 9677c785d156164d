# SPDX-License-Identifier: MIT
# bench/lib.sh - what the bench scripts share.  Source it.
# bench_init BNITY N  sets $top (the repository), $bnity (absolute), $n,
#                     $work (a scratch folder removed on exit) and
#                     BNITY_HOME=$work/home
# median              the median of the numbers on stdin, one a line
# time_runs CMD...    runs CMD $n times, printing microseconds per run
#                     (read from $EPOCHREALTIME: a `date` on each side
#                     would count two process starts, ~10 ms here)
set -u
bench_init() {
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  bnity=$(realpath "${1:-$top/build/src/cli/bnity}")
  n=${2:-$n}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  export BNITY_HOME=$work/home
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_runs() {
  for _ in $(seq "$n"); do
    s=${EPOCHREALTIME//[.,]/}
    "$@" >/dev/null
    e=${EPOCHREALTIME//[.,]/}
    echo $(( e - s ))
  done
}
