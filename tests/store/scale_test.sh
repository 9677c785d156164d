#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/store/scale_test.sh BNITY - two `bnity serve` replicas on one
# PostgreSQL (run under tests/store/pg_cluster.sh), on loopback, each with
# its own BNITY_HOME and the same vault key:
# - a skill installed through replica A (its API only) runs through
#   replica B, whose home never had it: B writes it from the database,
#   by hash, and its copy is A's, byte for byte;
# - a skill whose rows in the database were deleted cannot reach B until
#   A's next start stores its files again; then B runs it;
# - a grant revoked through A is refused by B's next run, and a token
#   revoked through A by B's next request;
# - the audit rows of both replicas are the same through either;
# - under load across both, replica A killed (SIGKILL): B answers every
#   request it is sent, before and after;
# - under load, PostgreSQL restarted (pg_ctl restart -m fast): both
#   replicas answer 200 again by themselves, and every run answered 200
#   has its audit record, closed as ok.
# Correctness only: the figures (requests/s, error counts, recovery
# times) are bench/scale/run.sh's.
set -u
bnity=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/tap.sh"
. "$here/../server/serve.sh"
. "$here/replicas.sh"

if [ -z "${BNITY_TEST_PG_CTL:-}" ]; then
  echo "1..0 # SKIP not under tests/store/pg_cluster.sh"
  exit 0
fi
serve_test_home
# check prints these on failure (set -u; a failing expansion in its
# pipeline would run the EXIT trap there)
rc=0 out= errout=
# the load rounds' figures and commonest errors, as TAP comments
round_notes() {
  echo "# $1: $(python3 "$here/scale_load.py" --summary "$work/$1.log")"
  [ -s "$work/$1.log.errors" ] && cut -c1-200 "$work/$1.log.errors" | sort | uniq -c | sort -rn | head -n 3 | sed 's/^/# /'
  return 0
}
psql_q() { "$BNITY_TEST_PG_BIN/psql" -Atq "$BNITY_DATABASE_URL" -c "$1"; }

replicas_start
check "two replicas start on one database; echo and envy installed through A" '[ -n "${base_a:-}" ] && [ -n "${base_b:-}" ]'
[ -n "${base_b:-}" ] || { tap_done; exit 1; }

# --- installed through A, run through B ------------------------------------
check "B's home had no copy of any skill before B started" '[ -z "${b_had_skills:-}" ]'
out=$(api "$base_b" POST /skills/echo/run '{"input": {"text": "via b"}}')
check "a skill installed through A runs through B" '[ "$(status_of "$out")" = 200 ] && [ "$(json "j[\"ok\"]")" = True ] && [[ $out == *"via b"* ]]'
check "untrusted, so in a worker" '[ "$(json "j[\"tier\"]")" = untrusted ]'
check "B's copy was written from the database and is A's, byte for byte" \
  'diff -r "$work/a/skills/echo" "$work/b/skills/echo" >/dev/null && diff -r "$work/a/skills/envy" "$work/b/skills/envy" >/dev/null'
run env BNITY_HOME="$work/b" "$bnity" skill verify echo
check "B's copy verifies against the identity A installed" '[ $rc -eq 0 ]'
out=$(api "$base_a" POST /bots '{"slug": "helper"}')
out=$(api "$base_a" POST /bots/helper/skills '{"skill": "envy"}')
out=$(api "$base_a" POST /bots/helper/skills/envy/grants '{"capabilities": ["read_env=HOME"]}')
check "envy attached to a bot and granted read_env=HOME through A" '[ "$(status_of "$out")" = 201 ]'
out=$(api "$base_b" POST /skills/envy/run '{"bot": "helper"}')
check "the grant made through A holds on B" '[ "$(status_of "$out")" = 200 ] && [ "$(json "j[\"host_calls\"]")" = 1 ] && [ "$(json "j[\"host_denied\"]")" = 0 ]'

# --- revoked on A, refused on B's next call ---------------------------------
out=$(api "$base_a" DELETE "/bots/helper/skills/envy/grants?capability=read_env=HOME")
check "revoke through A" '[ "$(status_of "$out")" = 200 ] && [ "$(json "j[\"revoked\"]")" -ge 1 ]'
out=$(api "$base_b" POST /skills/envy/run '{"bot": "helper"}')
check "B refuses the revoked capability at its next run" '[ "$(status_of "$out")" = 200 ] && [ "$(json "j[\"host_denied\"]")" = 1 ]'
out=$(api "$base_a" POST /tokens '{"name": "alice", "role": "user"}')
alice=$(json 'j["token"]')
out=$(api "$base_b" GET /bots "" "$alice")
check "a token made through A is accepted by B" '[ "$(status_of "$out")" = 200 ]'
out=$(api "$base_a" DELETE /tokens/alice)
out=$(api "$base_b" GET /bots "" "$alice")
check "a token revoked through A is refused by B's next request" '[ "$(status_of "$out")" = 401 ]'

# --- audit rows of both, through either -------------------------------------
for _ in 1 2 3; do api "$base_a" POST /skills/echo/run '{"input": {}}' >/dev/null; done
ids() { out=$(api "$1" GET "/audit?skill=echo&limit=500"); json '" ".join(str(r["id"]) for r in j["runs"])'; }
ids_a=$(ids "$base_a"); ids_b=$(ids "$base_b")
check "the audit rows of both replicas (1 through B, 3 through A) are the same through either" '[ "$ids_a" = "$ids_b" ] && [ "$(wc -w <<<"$ids_a")" = 4 ]'

# --- a skill whose files the database lost: stored again by A's next start ---
mkdir -p "$work/src/late"
cp "$work/src/echo/skill.wat" "$work/src/late/"
sed 's/^name: echo$/name: late/' "$work/src/echo/SKILL.md" >"$work/src/late/SKILL.md"
out=$(api "$base_a" POST /skills/install "{\"source\": \"$work/src/late\"}")
check "late installed through A" '[ "$(status_of "$out")" = 201 ]'
late_files() { psql_q "SELECT COUNT(*) FROM skill_files f JOIN skill_index i ON f.tree_hash = i.tree_hash WHERE i.name = 'late'"; }
psql_q "DELETE FROM skill_files WHERE tree_hash = (SELECT tree_hash FROM skill_index WHERE name = 'late'); DELETE FROM skill_blobs b WHERE NOT EXISTS (SELECT 1 FROM skill_files f WHERE f.hash = b.hash)"
out=$(api "$base_b" POST /skills/late/run '{"input": {}}')
check "its rows deleted, B cannot write it nor run it" '[ "$(late_files)" = 0 ] && [ "$(status_of "$out")" != 200 ] && [ ! -e "$work/b/skills/late" ]'

# --- replica A killed under load ---------------------------------------------
export BNITY_TOKEN=$tok
load_start "$work/kill.log"
await_ok "$work/kill.log" 0 5
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null
killed_at=$(date +%s.%N)
for _ in $(seq 120); do   # until B answered 5 more (or 60 s)
  [ "$(tally "$work/kill.log" "$killed_at" 'r[1]["ok_after"]')" -ge 5 ] && break
  sleep 0.5
done
touch "$work/stop"; wait "$load_pid"
round_notes kill
check "A answered before it was killed" '[ "$(tally "$work/kill.log" 0 "r[0][\"ok\"]")" -gt 0 ]'
check "B answered every request sent to it (no error)" '[ "$(tally "$work/kill.log" 0 "r[1][\"errors\"]")" = 0 ] && [ "$(tally "$work/kill.log" 0 "r[1][\"ok\"]")" -gt 0 ]'
check "B went on after A died" '[ "$(tally "$work/kill.log" "$killed_at" "r[1][\"ok_after\"]")" -gt 0 ]'
check "A's requests after its death failed" '[ "$(tally "$work/kill.log" "$killed_at" "r[0][\"ok_after\"]")" = 0 ]'
replica_start a
check "A starts again on the same database" '[ -n "$base_a" ]'
check "A's start stored the files of late that the database lacked" '[ "$(late_files)" -gt 0 ]'
for _ in $(seq 20); do   # B's kept handles compare their folders again within 1 s
  out=$(api "$base_b" POST /skills/late/run '{"input": {"text": "late"}}')
  [ "$(status_of "$out")" = 200 ] && break
  sleep 0.5
done
check "then B writes late from the database and runs it" '[ "$(status_of "$out")" = 200 ] && [[ $out == *"late"* ]] && diff -r "$work/a/skills/late" "$work/b/skills/late" >/dev/null'

# --- PostgreSQL restarted under load -----------------------------------------
load_start "$work/restart.log"
await_ok "$work/restart.log" 0 5
"$BNITY_TEST_PG_CTL" restart -m fast
rc=$?
back_at=$(date +%s.%N)
[ $rc -eq 0 ] || tail -n 20 "$(dirname "$BNITY_TEST_PG_CTL")/server.log" | sed 's/^/# pg: /' 
# the load goes on until each replica has answered 200 again (or 60 s)
await_ok "$work/restart.log" "$back_at" 3
touch "$work/stop"; wait "$load_pid"
round_notes restart
check "pg_ctl restart -m fast" '[ $rc -eq 0 ]'
check "both replicas answer 200 again by themselves after PostgreSQL is back" \
  '[ "$(tally "$work/restart.log" "$back_at" "min(x[\"ok_after\"] for x in r)")" -ge 3 ]'
awk '$4 == 200 { print $5 }' "$work/kill.log" "$work/restart.log" | sort >"$work/answered"
psql_q "SELECT id FROM audit_runs WHERE skill = 'echo' AND outcome = 'ok'" | sort >"$work/recorded"
missing=$(comm -23 "$work/answered" "$work/recorded" | wc -l)
check "every run answered 200 under load ($(wc -l <"$work/answered")) has its audit record, closed as ok" \
  '[ -s "$work/answered" ] && [ "$missing" = 0 ]'
out=$(api "$base_b" POST /skills/echo/run '{"input": {}}')
check "after the load, B runs" '[ "$(status_of "$out")" = 200 ]'
out=$(api "$base_a" POST /skills/echo/run '{"input": {}}')
check "after the load, A runs" '[ "$(status_of "$out")" = 200 ]'
tap_done
