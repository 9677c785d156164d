#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How a command's cost grows with the store: for stores of 1, 1,000 and
# 10,000 skills (or the sizes given), the median wall time and CPU time
# (user + system, 10 ms steps) of
#   bnity skill list                 (every skill, with its tier)
#   bnity skill attach SKILL BOT     (one attachment; detached again)
#   bnity bot prompt BOT             (a bot with 300 skills attached)
# The skills are written as folders straight into $BNITY_HOME/skills and
# indexed by one `skill list` (the first open reconciles them), and a
# second one a second later fills the listing cache as any later command
# would; the 300 attachments of the prompt bot go straight into the
# database with sqlite3, since only the prompt is timed.  On a loaded
# machine the CPU column is the one to compare.  Prints figures; asserts
# nothing.
# Usage: bench/store/run.sh [BNITY] [RUNS] [SIZES...]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bnity=$(realpath "${1:-$top/build/src/cli/bnity}")
runs=${2:-11}
shift 2 2>/dev/null || shift $#
sizes=${*:-1 1000 10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# ms CMD... -> "WALL CPU" of one run in microseconds (output dropped); CPU
# (user + system) tells the cost apart from waiting on a loaded machine
ms() {
  local s e t
  t=$(mktemp)
  s=${EPOCHREALTIME//[.,]/}
  /usr/bin/time -f '%U %S' -o "$t" "$@" >/dev/null 2>&1
  e=${EPOCHREALTIME//[.,]/}
  echo "$(( e - s )) $(awk '{ printf "%d", ($1 + $2) * 1000000 }' "$t")"
  rm -f "$t"
}
# both: the medians of the WALL and CPU columns, as "WALL/CPU" in ms
both() {
  local f
  f=$(mktemp)
  cat >"$f"
  printf '%.0f/%.0f' "$(cut -d' ' -f1 "$f" | median | awk '{ print $1 / 1000 }')" \
    "$(cut -d' ' -f2 "$f" | median | awk '{ print $1 / 1000 }')"
  rm -f "$f"
}
fill() { # fill N: write skills s0..s(N-1) as folders
  seq 0 $(( $1 - 1 )) | sed "s|^|$BNITY_HOME/skills/s|" | xargs mkdir -p
  awk -v n="$1" -v d="$BNITY_HOME/skills" 'BEGIN {
    for (i = 0; i < n; i++) {
      f = d "/s" i "/SKILL.md"
      printf "---\nname: s%d\ndescription: skill %d of the store bench\n" \
        "metadata:\n  type: prompt\n  version: \"0.1.0\"\n---\n" \
        "# s%d\n\nDo step %d.\n", i, i, i, i > f
      close(f)
    }
  }'
}

printf '%-8s %14s %14s %14s   (median of %d: wall/cpu ms)\n' \
  skills "skill list" "skill attach" "bot prompt" "$runs"
for n in $sizes; do
  export BNITY_HOME=$work/home-$n
  mkdir -p "$BNITY_HOME/skills"
  fill "$n"
  "$bnity" skill list >/dev/null 2>&1           # index them
  "$bnity" bot create prompt-bot >/dev/null
  "$bnity" bot create attach-bot >/dev/null
  k=$(( n < 300 ? n : 300 ))
  {
    echo "BEGIN;"
    for i in $(seq 0 $((k - 1))); do
      echo "INSERT INTO bot_skills (bot, skill, enabled, attached_at) VALUES ('prompt-bot', 's$i', 1, 0);"
    done
    echo "COMMIT;"
  } | sqlite3 "$BNITY_HOME/boternity.db"
  sleep 1.1   # keys younger than a second are not cached
  "$bnity" skill list >/dev/null 2>&1           # fill the cache
  l=$(for _ in $(seq "$runs"); do ms "$bnity" skill list; done | both)
  a=$(for _ in $(seq "$runs"); do
        ms "$bnity" skill attach s0 attach-bot
        "$bnity" skill detach s0 attach-bot >/dev/null 2>&1
      done | both)
  p=$(for _ in $(seq "$runs"); do ms "$bnity" bot prompt prompt-bot; done | both)
  printf '%-8s %14s %14s %14s\n' "$n" "$l" "$a" "$p"
  rm -rf "$BNITY_HOME"
done
