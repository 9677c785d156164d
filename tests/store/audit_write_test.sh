#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/store/audit_write_test.sh BNITY - a run whose audit record cannot
# be closed reports an error, never success: `bnity skill run` and
# `skill script` exit non-zero and POST /api/v1/skills/NAME/run answers
# 500, each naming the audit log and why; once the log can be written
# again, runs succeed and are recorded, and the server's run whose record
# failed is closed as the error it reported (without waiting for the
# server to exit).  The write is made to fail by a
# trigger refusing to close a record with an outcome (a full disk or a
# lost database would fail it the same way; the sweep that marks the
# records of dead processes abandoned still works), on SQLite, or on PostgreSQL when run under
# tests/store/pg_cluster.sh.
set -u
bnity=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/../cli/tap.sh"
. "$here/../server/serve.sh"
serve_test_home

# sql SQLITE_SQL PG_SQL: run on the store's database
sql() {
  if [ -n "${BNITY_DATABASE_URL:-}" ]; then
    "$BNITY_TEST_PG_BIN/psql" -q -v ON_ERROR_STOP=1 "$BNITY_DATABASE_URL" -c "$2"
  else
    sqlite3 "$BNITY_HOME/boternity.db" "$1"
  fi
}
why='no room left for the audit record (test)'
refuse_end() {
  sql "CREATE TRIGGER bn_test_no_end BEFORE UPDATE ON audit_runs
         WHEN NEW.outcome NOT IN ('running', 'abandoned') BEGIN SELECT RAISE(ABORT, '$why'); END;" \
      "CREATE FUNCTION bn_test_no_end() RETURNS trigger LANGUAGE plpgsql AS
         \$\$ BEGIN RAISE EXCEPTION '$why'; END \$\$;
       CREATE TRIGGER bn_test_no_end BEFORE UPDATE ON audit_runs FOR EACH ROW
         WHEN (NEW.outcome NOT IN ('running', 'abandoned')) EXECUTE FUNCTION bn_test_no_end();"
}
allow_end() {
  sql "DROP TRIGGER bn_test_no_end;" \
      "DROP TRIGGER bn_test_no_end ON audit_runs; DROP FUNCTION bn_test_no_end();"
}

mkdir -p "$BNITY_HOME/skills/scripted/scripts"
cp -r "$src/bench/server/echo" "$BNITY_HOME/skills/echo"
printf -- '---\nname: scripted\ndescription: has a script\nmetadata:\n  capabilities: "exec_command=hello.sh"\n---\nx\n' \
  >"$BNITY_HOME/skills/scripted/SKILL.md"
printf 'echo hello\n' >"$BNITY_HOME/skills/scripted/scripts/hello.sh"
run "$bnity" skill build echo
check "the echo skill builds" '[ $rc -eq 0 ]'
run "$bnity" skill grant scripted exec_command=hello.sh
run "$bnity" skill run echo --input '{"a": 1}'
check "a run succeeds while its record can be closed" '[ $rc -eq 0 ] && [[ $out == *'"'"'"a"'"'"'* ]]'

run refuse_end
check "the test's trigger is in place" '[ $rc -eq 0 ]'
run "$bnity" skill run echo --input '{"a": 2}'
check "skill run: a record that cannot be closed is an error (exit 1) naming the audit log and why" \
  '[ $rc -eq 1 ] && [[ $errout == *"audit log"* ]] && [[ $errout == *"$why"* ]] && [[ $out != *'"'"'"a"'"'"'* ]]'
run "$bnity" skill script scripted hello.sh
check "skill script: the same, and the script's output is not given as a result" \
  '[ $rc -eq 1 ] && [[ $errout == *"audit log"* ]] && [[ $errout == *"$why"* ]] && [[ $out != *hello* ]]'

start_server "$work/serve.log"
tok=$(tr -d '\n' <"$BNITY_HOME/api-token")
post() { # post NAME BODY: "STATUS BODY" of a run through the server
  curl -s -w '\n%{http_code}' -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/json' --data "$2" "$base/api/v1/skills/$1/run"
}
out=$(post echo '{"input": {"a": 3}}')
check "POST run: 500 naming the audit log and why, not the skill's output" \
  '[[ ${out##*$'"'"'\n'"'"'} == 500 ]] && [[ $out == *"audit log"* ]] && [[ $out == *"$why"* ]] && [[ $out != *'"'"'\"a\"'"'"'* ]]'

run allow_end
check "the trigger is gone" '[ $rc -eq 0 ]'
out=$(post echo '{"input": {"a": 4}}')
check "POST run: 200 once the record can be closed again" '[[ ${out##*$'"'"'\n'"'"'} == 200 ]]'
run "$bnity" skill run echo --input '{"a": 5}'
check "skill run: succeeds again" '[ $rc -eq 0 ]'
run "$bnity" audit --skill echo --outcome ok --json
check "the three runs that succeeded are the ones recorded as ok" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 3 ]'
run "$bnity" audit --skill echo --outcome abandoned --json
check "the CLI's run whose record could not be closed is marked abandoned by the next open" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 1 ]'
run "$bnity" audit --skill echo --outcome error --json
check "the server's run whose record could not be closed is closed as the error it reported once the log can be written, the server still running" \
  '[ $rc -eq 0 ] && kill -0 "$server_pid" && [ "$(printf "%s" "$out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 1 ] && [[ $out == *"could not be closed when the run ended (ok)"* ]] && [[ $out == *"$why"* ]]'
tap_done
