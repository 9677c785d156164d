#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What the static scan (`bnity skill scan`) finds in every skill of a
# checkout (each folder holding a SKILL.md): the totals, the findings per
# rule and the skills with the most findings.  With --list, one finding a
# line instead, tab-separated: skill folder, file, line, rule, count, what
# (the input of a hand-checked sample, tests/registry/scan_sample.tsv).
# Prints figures; asserts nothing.
# Usage: bench/skill/scan.sh [--list] CHECKOUT [BNITY]
set -u
list=false
if [ "${1:-}" = --list ]; then list=true; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [--list] CHECKOUT [BNITY]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$(realpath "$1")
bnity=$(realpath "${2:-$top/build/src/cli/bnity}")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

(cd "$src" && find . -name SKILL.md -type f -printf '%h\n' | sed 's|^\./||' |
  sort | tr '\n' '\0' | xargs -0 "$bnity" skill scan --json) >"$out" ||
  { echo "$0: bnity skill scan failed" >&2; exit 1; }

if $list; then
  jq -r '.path as $p | .findings[] |
    [$p, .file, .line, .kind, (.count // 1), .what] | @tsv' "$out"
  exit 0
fi
jq -rs '
  (map(.findings | length) | add) as $n |
  "skills        \(length)",
  "with findings \(map(select(.findings | length > 0)) | length)",
  "findings      \($n)",
  "occurrences   \([.[].findings[] | (.count // 1)] | add // 0)",
  "per rule:",
  ([.[].findings[]] | group_by(.kind) | sort_by(-length)[] |
    "  \(.[0].kind)\t\(length)"),
  "most findings:",
  (sort_by(-(.findings | length)) | .[:10][] | select(.findings | length > 0) |
    "  \(.path)\t\(.findings | length)")
' "$out"
