#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The audit log is bounded and literal: a skill that floods it with host
# calls of 1 MiB names grows the database by a bounded amount, and the
# calls past the cap are counted, not lost.
set -u
bnity=$(realpath "$1")
. "$(dirname "$0")/tap.sh"

tap_home

mkwat() { # mkwat NAME WAT: a tool skill with no grants, from WAT text
  mkdir -p "$BNITY_HOME/skills/$1"
  printf -- '---\nname: %s\ndescription: an audit flood test module\nmetadata:\n  type: tool\n---\nx\n' "$1" >"$BNITY_HOME/skills/$1/SKILL.md"
  printf '%s\n' "$2" >"$BNITY_HOME/skills/$1/skill.wat"
  "$bnity" skill build "$1" >/dev/null
}
db_bytes() { du -cb "$BNITY_HOME"/boternity.db* 2>/dev/null | tail -1 | cut -f1; }

# --- a flood of denied read_env calls with 1 MiB names ----------------------
# 4,000 calls (4 GiB of names) of read_env with a 1 MiB name ('A' repeated), none granted
mkwat flood '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 17) (func (export "_start") (local $i i32) (memory.fill (i32.const 0) (i32.const 65) (i32.const 1048576)) (loop $l (drop (call $e (i32.const 0) (i32.const 1048576))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 4000))))))'
"$bnity" audit >/dev/null
before=$(db_bytes)
run "$bnity" skill run flood --json --input '{}'
check "the flood runs to its end" '[[ $out == *"\"host_calls\": 4000"* ]] && [[ $out == *"\"host_denied\": 4000"* ]]'
after=$(db_bytes)
check "the database grows by less than 4 MB for 4,000 calls of 1 MiB" '[ $((after - before)) -lt 4000000 ]'
run "$bnity" audit --skill flood --json --limit 1
flood_id=$(printf "%s" "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"id\"])")
run "$bnity" audit --run "$flood_id" --limit 500 --json
check "256 single rows and one summary row" '[ "$(printf "%s" "$out" | python3 -c "import json,sys; c=json.load(sys.stdin)[\"calls\"]; print(len(c), sum(1 for x in c if x[\"summary\"]))")" = "257 1" ]'
check "the counts add up to the calls made" '[ "$(printf "%s" "$out" | python3 -c "import json,sys; print(sum(x[\"count\"] for x in json.load(sys.stdin)[\"calls\"]))")" = 4000 ]'
check "the summary says what it counts" '[ "$(printf "%s" "$out" | python3 -c "import json,sys; s=[x for x in json.load(sys.stdin)[\"calls\"] if x[\"summary\"]][0]; print(s[\"capability\"], s[\"allowed\"], s[\"count\"], s[\"scope\"])")" = "read_env False 3744 None" ]'
check "a 1 MiB scope is kept as 512 bytes and a note of its length" '[ "$(printf "%s" "$out" | python3 -c "import json,sys; s=json.load(sys.stdin)[\"calls\"][0][\"scope\"]; print(len(s), s.startswith(\"A\"*512), s.endswith(\"... [truncated, 1048576 bytes]\"))")" = "542 True True" ]'

# --- text output is literal ---------------------------------------------------
# denied scopes that would forge a run line and retitle the terminal
mkwat forge '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 1) (data (i32.const 0) "X\0a#99 x tier=local ok") (data (i32.const 100) "\1b]0;pwn\07") (data (i32.const 200) "\c2\9b2J") (func (export "_start") (drop (call $e (i32.const 0) (i32.const 21))) (drop (call $e (i32.const 100) (i32.const 8))) (drop (call $e (i32.const 200) (i32.const 4)))))'
run "$bnity" skill run forge --input '{}'
run "$bnity" audit --skill forge
esc=$'\x1b' bel=$'\a' csi=$'\xc2\x9b'
check "no raw ESC, BEL or C1 CSI reaches the terminal" '[ $rc -eq 0 ] && [[ $out != *"$esc"* ]] && [[ $out != *"$bel"* ]] && [[ $out != *"$csi"* ]]'
check "a newline in a scope forges no line" '! printf "%s\n" "$out" | grep -q "^#99"'
check "the scopes are shown with visible escapes" '[[ $out == *"read_env X\\n#99 x tier=local ok"* ]] && [[ $out == *"\\x1b]0;pwn\\x07"* ]] && [[ $out == *"\\u009b2J"* ]]'
run "$bnity" audit --run "$flood_id" --after 256
check "the summary row shows its count in text" '[[ $out == *"DENIED  read_env (3744 calls)"* ]]'

# --- paging through runs and through a run's calls ---------------------------
run "$bnity" audit --skill flood --json --limit 1
flood_id=$(printf "%s" "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"id\"])")
check "a run shows only the first page of its calls, with a cursor" '[ "$(printf "%s" "$out" | python3 -c "import json,sys; r=json.load(sys.stdin)[0]; print(len(r[\"calls\"]), r[\"calls_next_after\"] == r[\"calls\"][-1][\"id\"])")" = "50 True" ]'
run "$bnity" audit --skill flood --limit 1
check "the text says how to see more calls" '[[ $out == *"more calls: bnity audit --run $flood_id --after "* ]]'
after=0 pages=0 rows=0 total=0
while [ $pages -lt 20 ]; do
  run "$bnity" audit --run "$flood_id" --after "$after" --limit 100 --json
  [ $rc -eq 0 ] || break
  read -r n c next < <(printf "%s" "$out" | python3 -c "import json,sys; o=json.load(sys.stdin); print(len(o[\"calls\"]), sum(x[\"count\"] for x in o[\"calls\"]), o[\"next_after\"] or 0)")
  pages=$((pages + 1)) rows=$((rows + n)) total=$((total + c))
  [ "$next" = 0 ] && break
  after=$next
done
check "--run pages through every call row of a run, 100 at a time" '[ $pages -eq 3 ] && [ $rows -eq 257 ] && [ $total -eq 4000 ]'
run "$bnity" audit --run 999999
check "an unknown run is named" '[ $rc -eq 1 ] && [[ $errout == *"#999999"* ]]'
run "$bnity" audit --after 3
check "--after without --run is a usage error" '[ $rc -eq 2 ] && [[ $errout == *"--run"* ]]'
run "$bnity" audit --run "$flood_id" --skill flood
check "--run takes no run filters" '[ $rc -eq 2 ]'

tap_done
