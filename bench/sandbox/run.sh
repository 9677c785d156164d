#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/sandbox/run.sh [BNITY] - what confinement costs: the median wall
# time of `bnity sandbox run -- /bin/true` over 50 runs (against /bin/true
# unconfined), and the median of each confinement step over 20 traced runs
# (BNITY_SANDBOX_TRACE=1 prints "sandbox: STEP N us" on stderr).
# Prints figures only; never asserts a timing.
# BNITY (first argument) defaults to build/src/cli/bnity.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bnity=${1:-}
if [ -z "$bnity" ]; then
  for c in "$top/build/src/cli/bnity" "$top/build-ci/src/cli/bnity"; do
    if [ -x "$c" ] && "$c" sandbox status >/dev/null 2>&1; then
      bnity=$c
      break
    fi
  done
fi
if [ -z "$bnity" ]; then
  echo "no bnity with \`sandbox\` found; build first or pass its path" >&2
  exit 2
fi
runs=${RUNS:-50}

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-";
  else if (NR % 2) print v[(NR + 1) / 2];
  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

time_runs() {
  local i t0 t1
  for ((i = 0; i < runs; i++)); do
    # bash's clock: `date` would add two process starts to each run
    t0=${EPOCHREALTIME//[.,]/}; "$@" >/dev/null 2>&1; t1=${EPOCHREALTIME//[.,]/}
    echo $((t1 - t0))
  done
}

echo "bnity: $bnity ($(nproc) cores, $(uname -r))"
base=$(time_runs /bin/true | median)
conf=$(time_runs "$bnity" sandbox run -- /bin/true | median)
echo "/bin/true unconfined:             median ${base} us over $runs runs"
echo "bnity sandbox run -- /bin/true:   median ${conf} us over $runs runs"

echo "per-step medians over 20 traced runs (us):"
trace=$(mktemp)
for ((i = 0; i < 20; i++)); do
  BNITY_SANDBOX_TRACE=1 "$bnity" sandbox run -- /bin/true 2>>"$trace" >/dev/null
done
grep '^sandbox: ' "$trace" | grep -v '^sandbox: run:' |
  sed -E 's/^sandbox: (.*[^ ]) +([0-9]+) us$/\1\t\2/' |
  awk -F '\t' '{ print $1 }' | awk '!seen[$0]++' |
  while IFS= read -r step; do
    m=$(grep -F "sandbox: $step " "$trace" | sed -E 's/.* ([0-9]+) us$/\1/' | median)
    printf '  %-28s %8s\n' "$step" "$m"
  done
rm -f "$trace"
