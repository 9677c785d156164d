#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Named API tokens and roles (`bnity token`, server/auth.c): the token
# `serve` makes is the admin token "serve"; a user's token reads, chats
# and runs but may not install, grant, revoke, change bots or tokens; a
# token revoked by the CLI is refused by the running server on its next
# request; the audit row of a run names the token that asked (or
# "local" for the CLI); bad names and roles are usage errors; a token's
# text is never stored.
# Usage: tokens_test.sh BNITY
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$src/tests/cli/tap.sh"
. "$src/tests/server/serve.sh"
serve_test_home
unset BNITY_CORS_ORIGIN BNITY_PROVIDER BNITY_MODEL

# api TOKEN METHOD PATH [BODY]: $code and $body
api() {
  local args=(-s -o "$work/body" -w '%{http_code}' -X "$2"
              -H "Authorization: Bearer $1")
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' -d "$4")
  code=$(curl "${args[@]}" "$base$3")
  body=$(cat "$work/body")
}

mkdir -p "$BNITY_HOME/skills/hello"
printf -- '---\nname: hello\ndescription: Says hello, for tests.\nmetadata:\n  type: tool\n  tier: untrusted\n---\nx\n' \
  >"$BNITY_HOME/skills/hello/SKILL.md"
printf '%s\n' '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1) (data (i32.const 16) "hi")
  (func (export "_start") (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 2))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))' \
  >"$BNITY_HOME/skills/hello/skill.wat"
run "$bnity" skill build hello
check "the test skill builds" '[ $rc -eq 0 ]'
run "$bnity" bot create helper
run "$bnity" skill attach hello helper

# --- the CLI -------------------------------------------------------------------
run "$bnity" token create Bad/Name
check "a bad token name is refused, naming the rule" \
  '[ $rc -ne 0 ] && printf "%s\n" "$errout" | grep -q "a-z, 0-9"'
run "$bnity" token create serve
check "the name serve is reserved" \
  '[ $rc -ne 0 ] && printf "%s\n" "$errout" | grep -q "reserved"'
run "$bnity" token create bob --role root
check "an unknown role is a usage error" \
  '[ $rc -eq 2 ] && printf "%s\n" "$errout" | grep -q "admin or user"'
run "$bnity" token create alice --json
alice=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)
check "token create prints a 64-digit token once, user role by default" \
  '[ $rc -eq 0 ] && [ ${#alice} -eq 64 ] && printf "%s\n" "$out" | grep -q "\"role\": \"user\""'
run "$bnity" token create alice
check "a second token of the same name is refused" \
  '[ $rc -ne 0 ] && printf "%s\n" "$errout" | grep -q "exists already"'
run "$bnity" token create ops --role admin --json
ops=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)
check "an admin token is made" '[ $rc -eq 0 ] && [ ${#ops} -eq 64 ]'
check "no token's text is in the database or the home" \
  '! grep -rqa "$alice" "$BNITY_HOME" && ! grep -rqa "$ops" "$BNITY_HOME"'

# --- the server ----------------------------------------------------------------
start_server "$work/serve.log"
check "serve starts" '[ -n "$base" ]'
serve_tok=$(cat "$BNITY_HOME/api-token")
run "$bnity" token list --json
check "serve registered its file token as the admin token serve" \
  '[ $rc -eq 0 ] && printf "%s\n" "$out" | python3 -c "
import json, sys
t = {x[\"name\"]: x[\"role\"] for x in json.load(sys.stdin)}
assert t == {\"serve\": \"admin\", \"alice\": \"user\", \"ops\": \"admin\"}, t"'
api "$alice" GET /api/v1/whoami
check "whoami names the caller and role" \
  '[ "$code" = 200 ] && printf "%s" "$body" | grep -q "\"name\":\"alice\"" &&
   printf "%s" "$body" | grep -q "\"role\":\"user\""'
api "$alice" GET /api/v1/skills
check "a user reads" '[ "$code" = 200 ]'
api "$alice" POST /api/v1/skills/hello/run '{"input": "", "bot": "helper"}'
check "a user runs a skill" '[ "$code" = 200 ] && printf "%s" "$body" | grep -q "hi"'
api "$alice" POST /api/v1/bots '{"slug": "other", "persona": "x"}'
check "a user may not make a bot (403 naming the role)" \
  '[ "$code" = 403 ] && printf "%s" "$body" | grep -q "user role"'
api "$alice" POST /api/v1/bots/helper/skills/hello/grants '{"capabilities": ["read_env:HOME"]}'
check "a user may not grant" '[ "$code" = 403 ]'
api "$alice" DELETE /api/v1/skills/hello
check "a user may not remove a skill" \
  '[ "$code" = 403 ] && [ -d "$BNITY_HOME/skills/hello" ]'
api "$alice" GET /api/v1/tokens
check "a user may not list tokens" '[ "$code" = 403 ]'
api "$alice" POST /api/v1/tokens '{"name": "mine", "role": "admin"}'
check "a user may not make tokens" '[ "$code" = 403 ]'
api "$ops" POST /api/v1/tokens '{"name": "carol"}'
carol=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null)
check "an admin makes a token over the API" '[ "$code" = 201 ] && [ ${#carol} -eq 64 ]'
api "$ops" GET /api/v1/tokens
check "the list shows names and roles, never a token" \
  '[ "$code" = 200 ] && printf "%s" "$body" | grep -q "carol" &&
   ! printf "%s" "$body" | grep -q "$carol" && ! printf "%s" "$body" | grep -q "hash"'
api "$carol" GET /api/v1/whoami
check "the new token works at once" '[ "$code" = 200 ]'
api "$ops" DELETE /api/v1/tokens/carol
api "$carol" GET /api/v1/whoami
check "a token revoked over the API is refused on its next request" '[ "$code" = 401 ]'
api "$ops" DELETE /api/v1/tokens/nobody
check "revoking an unknown token is a 404 naming it" \
  '[ "$code" = 404 ] && printf "%s" "$body" | grep -q "nobody"'
run "$bnity" token revoke alice
api "$alice" GET /api/v1/skills
check "a token revoked by the CLI is refused by the running server" \
  '[ "$code" = 401 ] && printf "%s" "$body" | grep -q "revoked"'
api "0000000000000000000000000000000000000000000000000000000000000000" GET /api/v1/skills
check "an unknown token is refused" '[ "$code" = 401 ]'
api "$serve_tok" GET /api/v1/whoami
check "the serve token is an admin's" \
  '[ "$code" = 200 ] && printf "%s" "$body" | grep -q "\"role\":\"admin\""'

# --- the audit names who asked ------------------------------------------------
"$bnity" skill run hello >/dev/null 2>&1
run "$bnity" audit --json
check "audit rows name the token of an API run and local for the CLI" \
  '[ $rc -eq 0 ] && printf "%s\n" "$out" | python3 -c "
import json, sys
rows = json.load(sys.stdin)
actors = sorted(r[\"actor\"] for r in rows if r[\"skill\"] == \"hello\")
assert actors == [\"alice\", \"local\"], actors"'
run "$bnity" audit
check "the text audit shows by=NAME" \
  'printf "%s\n" "$out" | grep -q "by=alice" && printf "%s\n" "$out" | grep -q "by=local"'

# --- revoking serve retires its file ------------------------------------------
run "$bnity" token revoke serve
api "$serve_tok" GET /api/v1/whoami
check "revoking serve refuses its token and removes the file" \
  '[ $rc -eq 0 ] && [ "$code" = 401 ] && [ ! -e "$BNITY_HOME/api-token" ]'
kill "$server_pid"; wait "$server_pid" 2>/dev/null
start_server "$work/serve2.log"
new_tok=$(cat "$BNITY_HOME/api-token" 2>/dev/null)
api "$new_tok" GET /api/v1/whoami
check "the next serve makes and registers a new admin token" \
  '[ -n "$new_tok" ] && [ "$new_tok" != "$serve_tok" ] && [ "$code" = 200 ] &&
   grep -q "$new_tok" "$work/serve2.log"'
tap_done
