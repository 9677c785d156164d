#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The precision of the static scan from its hand-checked sample
# (tests/registry/scan_sample.tsv: repo, skill, file, line, rule, label
# "worth" a human's look or "not", reason): the share labelled worth a
# look.  When the mirrors of the sampled repositories are present
# ($SCAN_MIRRORS/OWNER+NAME/repo, git dirs; default /work/.mirror), it
# also scans those skills again and says which sampled findings the
# scanner still reports, and the precision over those.
# Usage: bench/skill/scan_precision.sh [BNITY]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tsv=$top/tests/registry/scan_sample.tsv
bnity=$(realpath "${1:-$top/build/src/cli/bnity}")
mirrors=${SCAN_MIRRORS:-/work/.mirror}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tail -n +2 "$tsv" | awk -F'\t' '
  { n++; if ($6 == "worth") w++ }
  END { printf "sample: %d findings, %d worth a look: precision %.0f%%\n",
               n, w, n ? 100 * w / n : 0 }'

[ -x "$bnity" ] || { echo "no bnity at $bnity: not re-scanning"; exit 0; }
still=0 gone=0 still_worth=0
while IFS=$'\t' read -r repo skill file line rule label _; do
  src=$mirrors/${repo/\//+}/repo
  co=$work/${repo/\//+}
  if [ ! -d "$co" ]; then
    [ -d "$src" ] || { echo "no mirror of $repo at $src: not re-scanning"; exit 0; }
    git clone -q "$src" "$co" || exit 1
  fi
  if "$bnity" skill scan --json "$co/$skill" |
     jq -e --arg f "$file" --argjson l "$line" --arg r "$rule" \
       '.findings | any(.file == $f and .line == $l and .kind == $r)' >/dev/null; then
    still=$((still + 1))
    [ "$label" = worth ] && still_worth=$((still_worth + 1))
  else
    gone=$((gone + 1))
    echo "no longer reported: $repo $skill $file:$line $rule ($label)"
  fi
done < <(tail -n +2 "$tsv")
printf 'still reported: %d, gone: %d; precision of those still reported: %d%%\n' \
  "$still" "$gone" $(( still ? 100 * still_worth / still : 0 ))
