#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Journalled chat turns end to end against the scripted provider
# (tests/agent/provider_server.py), both APIs: a provider failure after a
# tool ran leaves the turn incomplete, a new message is refused over it,
# --resume finishes it without running the tool again (counted in the
# audit log), --drop discards it; audit records link back to their
# session, turn and tool call; sessions are listed and shown, on the CLI
# and over the API (list, read, resume, delete); Ctrl-C in a terminal
# cancels a turn while it streams and while a tool runs, and a second one
# leaves; rows of a killed process are closed as abandoned while a live
# one's are left alone; the smaller failure paths (piped mode, --json
# errors, an unknown --provider).
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$(dirname "$0")/tap.sh"
q=\'


. "$src/tests/server/serve.sh"
serve_test_home
unset ANTHROPIC_BASE_URL OPENAI_BASE_URL BNITY_PROVIDER BNITY_MODEL
export ANTHROPIC_API_KEY=test-key OPENAI_API_KEY=test-key
export BNITY_RETRY_BASE_MS=20

# --- the provider ------------------------------------------------------------
mkfifo "$work/server-in"
python3 "$src/tests/agent/provider_server.py" <"$work/server-in" >"$work/port" &
pids+=($!)
exec 9>"$work/server-in"
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
pbase=http://127.0.0.1:$(head -n1 "$work/port")

# chat_x API SCRIPT ARGS...: `bnity chat ARGS` against SCRIPT on API (a, o)
chat_x() {
  local api=$1 s=$2; shift 2
  if [ "$api" = a ]; then
    run env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$pbase/$s" \
      "$bnity" chat "$@"
  else
    run env BNITY_PROVIDER=openai OPENAI_BASE_URL="$pbase/$s" \
      "$bnity" chat "$@"
  fi
}
# py EXPR: EXPR in Python over the JSON in $out (as j)
py() {
  python3 -c 'import json, sys
j = json.loads(sys.argv[2])
print(eval(sys.argv[1]))' "$1" "$out" 2>/dev/null
}
# runs_of SID SKILL: how many audit records of SKILL session SID has
runs_of() {
  "$bnity" audit --session "$1" --skill "$2" --json | python3 -c \
    'import json, sys; print(len(json.load(sys.stdin)))'
}
sid_of() { sed -n 's/.*\[session \([0-9]*\)\].*/\1/p' <<<"$errout" | tail -n1; }

# --- a bot with skills ---------------------------------------------------------
run "$bnity" bot create helper
cp -r "$src/examples/skills/word-count" "$BNITY_HOME/skills/"
run "$bnity" skill build word-count
check "word-count builds" '[ $rc -eq 0 ]'
mkdir -p "$BNITY_HOME/skills/spin"
printf -- '---\nname: spin\ndescription: loops until stopped\nmetadata:\n  type: tool\n  tier: untrusted\n---\nx\n' \
  >"$BNITY_HOME/skills/spin/SKILL.md"
printf '(module (func (export "_start") (loop $l (br $l))))\n' \
  >"$BNITY_HOME/skills/spin/skill.wat"
run "$bnity" skill build spin
check "spin builds" '[ $rc -eq 0 ]'
run "$bnity" skill grant spin --fuel 100000000000000 --timeout-ms 4000
for sk in word-count spin; do
  run "$bnity" skill attach "$sk" helper
  check "attach $sk" '[ $rc -eq 0 ]'
done

# --- a 500 after a tool ran, then resume -------------------------------------------
for api in a o; do
  name=$([ $api = a ] && echo anthropic || echo openai)
  chat_x $api fail500.$api helper -m "count the side effect"
  sid=$(sid_of)
  check "$name: a 500 after a tool ran fails the turn" '[ $rc -eq 1 ] && [[ $errout == *"HTTP 500"* ]] && [ -n "$sid" ]'
  check "$name: and says how to resume or drop it" '[[ $errout == *"turn 1 is incomplete"* ]] && [[ $errout == *"--session $sid --resume"* ]] && [[ $errout == *"--session $sid --drop"* ]]'
  check "$name: the tool ran once" '[ "$(runs_of "$sid" word-count)" = 1 ]'
  run "$bnity" chat --show "$sid" --json
  check "$name: the user message, the call and its result are stored" '[ "$(py "(j[\"history\"][0][\"state\"], j[\"history\"][0][\"user\"], len(j[\"history\"][0][\"tool_calls\"]), j[\"history\"][0][\"tool_calls\"][0][\"result\"] is not None)")" = "(${q}incomplete${q}, ${q}count the side effect${q}, 1, True)" ]'
  chat_x $api tool.$api helper --session "$sid" -m "a new question"
  check "$name: a new message over the incomplete turn is refused" '[ $rc -eq 1 ] && [[ $errout == *"turn 1 is incomplete"* ]] && [[ $errout == *"--resume"* ]]'
  chat_x $api tool.$api helper --session "$sid" --resume --json
  check "$name: --resume finishes the turn from the stored result" '[ $rc -eq 0 ] && [[ "$(py "j[\"reply\"]")" == *"RESULT: {\"words\": 2"* ]] && [ "$(py "(j[\"state\"], j[\"resumed\"], len(j[\"tool_calls\"]))")" = "(${q}complete${q}, True, 0)" ]'
  check "$name: the tool did not run again" '[ "$(runs_of "$sid" word-count)" = 1 ]'
  chat_x $api tool.$api helper --session "$sid" --resume
  check "$name: nothing left to resume" '[ $rc -eq 1 ] && [[ $errout == *"no unfinished turn"* ]]'
  chat_x $api memory.$api helper --session "$sid" -m "next"
  check "$name: the session goes on" '[ $rc -eq 0 ] && [[ $out == *"count the side effect | next"* ]]'
done

# --- audit links -----------------------------------------------------------------
run "$bnity" audit --session "$sid" --json
check "audit rows carry the session, the turn and the tool call id" '[ "$(py "(j[0][\"session\"], j[0][\"turn\"], j[0][\"kind\"], j[0][\"tool_call_id\"].startswith(\"call_\"))")" = "($sid, 1, ${q}run${q}, True)" ]'
run "$bnity" audit --session "$sid"
check "bnity audit shows the link" '[ $rc -eq 0 ] && [[ $out == *"session=$sid turn=1 call=call_"* ]]'
run "$bnity" chat --show "$sid" --json
aid=$(py 'j["history"][0]["tool_calls"][0]["audit"][0]')
run "$bnity" audit --run "$aid" --json
check "the show's audit link names that run" '[ $rc -eq 0 ] && [ -n "$aid" ]'
run "$bnity" chat --show "$sid"
check "chat --show prints turns, tool calls and audit links" '[ $rc -eq 0 ] && [[ $out == *"turn 1: complete"* ]] && [[ $out == *"[tool] word-count call_"*"ok (audit #$aid)"* ]] && [[ $out == *"turn 2: complete"* ]]'

chat_x a activate.a helper -m "activate"
asid=$(sid_of)
run "$bnity" audit --session "$asid" --json
check "activate_skill and an unknown tool get records of their own kind" '[ "$(py "sorted(r[\"kind\"] for r in j)")" = "[${q}activate_skill${q}]" ] || [ "$(py "sorted(r[\"kind\"] for r in j)")" = "[${q}unknown_tool${q}]" ]'

# --- drop ---------------------------------------------------------------------------
chat_x a fail500.a helper -m "will be dropped"
dsid=$(sid_of)
chat_x a tool.a helper --session "$dsid" --drop
check "--drop discards the incomplete turn" '[ $rc -eq 0 ] && [[ $errout == *"discarded"* ]]'
run "$bnity" chat --show "$dsid" --json
check "the dropped turn is gone" '[ "$(py "(j[\"turns\"], j[\"messages\"])")" = "(0, 0)" ]'
chat_x a memory.a helper --session "$dsid" -m "fresh"
check "a new turn after the drop" '[ $rc -eq 0 ] && [ "$out" = "You said: fresh" ]'
chat_x a tool.a helper --session "$dsid" --drop
check "--drop with nothing to drop fails" '[ $rc -eq 1 ] && [[ $errout == *"no unfinished turn"* ]]'
chat_x a tool.a helper --resume
check "--resume needs --session" '[ $rc -eq 2 ]'

# --- sessions --------------------------------------------------------------------------
run "$bnity" chat --sessions helper
check "chat --sessions lists id, bot, turns, state, last use" '[ $rc -eq 0 ] && [[ $out == *"ID"*"BOT"*"TURNS"*"STATE"*"LAST USED"* ]] && [[ $out == *"$sid "*"helper"*" 2 complete"* ]]'
run "$bnity" chat --sessions --json
check "chat --sessions --json" '[ $rc -eq 0 ] && [ "$(py "sorted(j[0].keys())")" = "[${q}bot${q}, ${q}created_at${q}, ${q}id${q}, ${q}last_used${q}, ${q}messages${q}, ${q}state${q}, ${q}title${q}, ${q}turns${q}]" ]'
run "$bnity" chat --sessions nobody
check "sessions of a missing bot fail" '[ $rc -eq 1 ] && [[ $errout == *"nobody"* ]]'
run "$bnity" chat --show 99999
check "show of a missing session fails" '[ $rc -eq 1 ] && [[ $errout == *"no session 99999"* ]]'
run "$bnity" chat --show abc
check "show of a bad id is a usage error" '[ $rc -eq 2 ]'

# --- the smaller items ------------------------------------------------------------------
chat_x a rate.a helper -m x --json
check "--json prints a JSON error object on failure" '[ $rc -eq 1 ] && [[ "$(py "j[\"error\"]")" == *"rate limited"* ]]'
chat_x a hello.a helper -m x --provider foo
check "--provider foo exits 2" '[ $rc -eq 2 ] && [[ $errout == *"anthropic or openai"* ]]'
run env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$pbase/badreq.a" \
  sh -c 'printf "one\ntwo\n" | "$1" chat helper' sh "$bnity"
check "piped mode exits non-zero when every turn failed" '[ $rc -eq 1 ]'
run env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$pbase/hello.a" \
  sh -c 'printf "one\n" | "$1" chat helper' sh "$bnity"
check "piped mode exits 0 when a turn answered" '[ $rc -eq 0 ] && [[ $out == *"Hello from the model."* ]]'

chat_x a catalog.t helper -m "what can you do"
sysp=$(python3 -c 'import json, sys, urllib.request
print(json.dumps(json.load(urllib.request.urlopen(sys.argv[1]))[0]))' "$pbase/log/catalog.t")
check "the system prompt has one way to read a skill and no absolute store path" '[ $rc -eq 0 ] && [[ $sysp != *"$BNITY_HOME"* ]] && [[ $sysp == *"call the activate_skill tool"* ]] && [[ $sysp == *"not a path for you to open"* ]]'

# --- owner leases: a killed process's rows are abandoned -----------------------------------
run "$bnity" skill grant spin --fuel 100000000000000 --timeout-ms 120000
"$bnity" skill run spin --input '{}' >/dev/null 2>&1 &
spid=$!
for _ in $(seq 100); do
  "$bnity" audit --skill spin --outcome running --json | grep -q '"id"' && break
  sleep 0.1
done
run "$bnity" audit --skill spin --json --limit 1
check "a live owner's running row is left alone" '[ "$(py "j[0][\"outcome\"]")" = running ]'
kill -9 "$spid"; wait "$spid" 2>/dev/null
run "$bnity" skill grant spin --fuel 100000000000000 --timeout-ms 4000
run "$bnity" audit --skill spin --json --limit 1
check "kill -9 mid-run: the row becomes abandoned" '[ "$(py "j[0][\"outcome\"]")" = abandoned ] && [[ "$(py "j[0][\"error\"]")" == *"process $spid"* ]]'

env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$pbase/slow.a" \
  "$bnity" chat helper -m "a long answer" >/dev/null 2>&1 &
cpid=$!
for _ in $(seq 100); do
  "$bnity" chat --sessions --json | grep -q running && break
  sleep 0.1
done
kill -9 "$cpid"; wait "$cpid" 2>/dev/null
run "$bnity" chat --sessions --json
ksid=$(py 'j[0]["id"]')
check "kill -9 mid-turn: the turn becomes incomplete" '[ "$(py "j[0][\"state\"]")" = incomplete ]'
chat_x a hello.a helper --session "$ksid" --resume
check "and is resumed" '[ $rc -eq 0 ] && [ "$out" = "Hello from the model." ]'

# --- Ctrl-C in a terminal ---------------------------------------------------------------
ptyc() { # ptyc SCRIPT STEPS: interactive chat in a pty
  run env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$pbase/$1" \
    python3 "$src/tests/agent/pty_chat.py" "$2" -- "$bnity" chat helper
}
ptyc slow.a '[["expect", "helper> "], ["send", "tell me\r"], ["expect", "takes"], ["send", "\u0003"], ["expect", "cancelled"], ["expect", "helper> "], ["send", "/session\r"], ["expect", "session "], ["expect", "helper> "], ["send", "/exit\r"]]'
psid=$(sed -n 's/^session \([0-9]*\).*/\1/p' <<<"$out" | tr -d '\r' | tail -n1)
check "Ctrl-C while streaming cancels the turn and keeps the session" '[ $rc -eq 0 ] && [[ $out == *"EXIT 0"* ]] && [ -n "$psid" ]'
run "$bnity" chat --show "$psid" --json
check "the cancelled turn is journalled as cancelled" '[ "$(py "j[\"history\"][0][\"state\"]")" = cancelled ]'

ptyc slow.a '[["expect", "helper> "], ["send", "tell me\r"], ["expect", "takes"], ["send", "\u0003"], ["sleep", 0.05], ["send", "\u0003"]]'
check "a second Ctrl-C leaves" '[[ $out == *"EXIT 130"* ]]'

# the second press lands after the cancelled turn gave the prompt back
ptyc slow.a '[["expect", "helper> "], ["send", "tell me\r"], ["expect", "takes"], ["send", "\u0003"], ["expect", "cancelled"], ["expect", "helper> "], ["send", "\u0003"]]'
check "a second Ctrl-C leaves even when the prompt is back" '[[ $out == *"EXIT 130"* ]]'

ptyc hello.a '[["expect", "helper> "], ["send", "half a line"], ["expect", "half a line"], ["send", "\u0003"], ["expect", "^C"], ["expect", "helper> "], ["send", "\u0003"], ["expect", "again to leave"], ["expect", "helper> "], ["send", "\u0003"]]'
check "Ctrl-C drops a typed line; on an empty line it says how to leave; the next one leaves" '[[ $out == *"again to leave"* ]] && [[ $out == *"EXIT 130"* ]] && [[ $out != *"Hello from the model"* ]]'

ptyc hello.a '[["expect", "helper> "], ["send", "\u0003"], ["expect", "again to leave"], ["sleep", 2.5], ["send", "\u0003"], ["expect", "again to leave"], ["expect", "helper> "], ["send", "hi\r"], ["expect", "Hello from the model."], ["expect", "helper> "], ["send", "/exit\r"]]'
check "two Ctrl-C far apart do not leave" '[[ $out == *"EXIT 0"* ]] && [[ $out == *"Hello from the model."* ]]'

# spin_ctrl_c: grant spin a long run, ask for it in a pty chat, press Ctrl-C
# while it runs, and leave; $spin_sid is the chat's session
spin_ctrl_c() {
  run "$bnity" skill grant spin --fuel 100000000000000 --timeout-ms 60000
  ptyc spinner.a '[["expect", "helper> "], ["send", "spin\r"], ["expect", "[tool] spin"], ["sleep", 0.5], ["send", "\u0003"], ["expect", "cancelled"], ["expect", "helper> "], ["send", "/session\r"], ["expect", "session "], ["expect", "helper> "], ["send", "/exit\r"]]'
  spin_sid=$(sed -n 's/^session \([0-9]*\).*/\1/p' <<<"$out" | tr -d '\r' | tail -n1)
}
spin_ctrl_c
ssid=$spin_sid
check "Ctrl-C during a tool run cancels the turn" '[ $rc -eq 0 ] && [[ $out == *"EXIT 0"* ]] && [ -n "$ssid" ]'
run "$bnity" audit --session "$ssid" --skill spin --json
check "Ctrl-C ends the tool's worker: its run is closed as cancelled, linked to the session" '[ "$(py "(j[0][\"outcome\"], \"cancelled\" in j[0][\"error\"], j[0][\"duration_ms\"] < 60000, j[0][\"session\"])")" = "(${q}cancelled${q}, True, True, $ssid)" ]'
run "$bnity" chat --show "$ssid" --json
check "the turn is cancelled with the call's result journalled" '[ "$(py "(j[\"history\"][0][\"state\"], j[\"history\"][0][\"tool_calls\"][0][\"result\"] is not None)")" = "(${q}cancelled${q}, True)" ]'
# the same skill as the user's own (local tier) runs inside the chat's
# process: Ctrl-C interrupts the engine there too
sed -i '/^  tier: untrusted$/d' "$BNITY_HOME/skills/spin/SKILL.md"
spin_ctrl_c
lsid=$spin_sid
check "Ctrl-C during an in-process (local) tool run cancels the turn" '[ $rc -eq 0 ] && [[ $out == *"EXIT 0"* ]] && [ -n "$lsid" ]'
run "$bnity" audit --session "$lsid" --skill spin --json
check "the local run is interrupted at once and closed as cancelled" '[ "$(py "(j[0][\"tier\"], j[0][\"outcome\"], j[0][\"duration_ms\"] < 60000)")" = "(${q}local${q}, ${q}cancelled${q}, True)" ]'

# --- the API ---------------------------------------------------------------------------------
start_server "$work/serve.log" ANTHROPIC_API_KEY=test-key BNITY_PROVIDER=anthropic \
  ANTHROPIC_BASE_URL="$pbase/apimix.api"
token=$(tr -d '\n' <"$BNITY_HOME/api-token" 2>/dev/null)
req() {
  local m=$1 p=$2; shift 2
  local data=()
  if [ $# -gt 0 ]; then data=(--data-binary "$1"); shift; fi
  rc=$(curl -s -o "$work/resp" -w '%{http_code}' -X "$m" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    "${data[@]}" "$@" "$base/api/v1$p")
  out=$(cat "$work/resp"); errout=
}
if [ -n "$base" ]; then
  req GET /bots/helper/sessions
  check "GET /bots/B/sessions lists them" '[ $rc = 200 ] && [ "$(py "$sid in [s[\"id\"] for s in j[\"sessions\"]]")" = True ]'
  req GET /bots/nobody/sessions
  check "sessions of a missing bot: 404" '[ $rc = 404 ]'
  req GET "/sessions/$sid"
  check "GET /sessions/N: turns, tool calls, audit ids" '[ $rc = 200 ] && [ "$(py "(len(j[\"history\"]), j[\"history\"][0][\"tool_calls\"][0][\"audit\"] == [$aid])")" = "(2, True)" ]'
  cli=$("$bnity" chat --show "$sid" --json)
  check "the CLI and the API print the same session JSON" '[ "$(py "json.dumps(j, sort_keys=True)")" = "$(out=$cli py "json.dumps(j, sort_keys=True)")" ]'
  req GET /sessions/99999
  check "a missing session: 404" '[ $rc = 404 ]'
  req GET /sessions/abc
  check "a bad session id: 400" '[ $rc = 400 ]'
  env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$pbase/fail500.api" \
    "$bnity" chat helper -m "api resume" >/dev/null 2>"$work/f.err"
  fsid=$(sed -n 's/.*\[session \([0-9]*\)\].*/\1/p' "$work/f.err" | tail -n1)
  req POST /bots/helper/chat "{\"message\": \"hi\", \"session\": $fsid}"
  check "chat over an incomplete turn: 409 naming the resume route" '[ $rc = 409 ] && [[ $out == *"/api/v1/sessions/$fsid/resume"* ]]'
  req POST "/sessions/$fsid/resume" '{}' -N --max-time 60
  check "POST /sessions/N/resume streams the finished turn" '[ $rc = 200 ] && [[ $out == *"event: done"* ]] && [[ $out == *"RESULT: {"* ]] && [[ $out != *"event: tool_call"* ]]'
  check "the resumed turn did not rerun the tool" '[ "$(runs_of "$fsid" word-count)" = 1 ]'
  req POST "/sessions/$fsid/resume" '{}'
  check "resume with nothing to resume: 409" '[ $rc = 409 ]'
  # a request's own cap of one answer, as `chat --max-tokens`
  req POST /bots/helper/chat '{"message": "capped", "max_tokens": 321}' -N --max-time 60
  check "POST /bots/B/chat with max_tokens streams the turn" '[ $rc = 200 ] && [[ $out == *"event: done"* ]]'
  out=$(curl -s "$pbase/log/apimix.api")
  check "its max_tokens is the cap sent to the model, for each request of the turn" '[ "$(py "sorted(set(r[\"max_tokens\"] for r in j if \"capped\" in json.dumps(r[\"messages\"])))")" = "[321]" ]'
  req POST /bots/helper/chat '{"message": "capped", "max_tokens": 0}'
  check "max_tokens 0: 400 naming the field" '[ $rc = 400 ] && [[ $out == *"max_tokens"* ]]'
  req POST /bots/helper/chat '{"message": "capped", "max_tokens": "many"}'
  check "max_tokens not a number: 400" '[ $rc = 400 ] && [[ $out == *"max_tokens"* ]]'
  # a client that hangs up cancels its turn
  curl -s -N --max-time 1.5 -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data '{"message": "slowly"}' \
    "$base/api/v1/bots/helper/chat" -o /dev/null 2>/dev/null
  for _ in $(seq 100); do
    out=$("$bnity" chat --sessions --json)
    [ "$(py 'j[0]["state"]')" != running ] && break
    sleep 0.1
  done
  check "the turn of a client that went away is cancelled" '[ "$(py "(j[0][\"state\"], j[0][\"title\"])")" = "(${q}cancelled${q}, ${q}slowly${q})" ]'
  req DELETE "/sessions/$fsid"
  check "DELETE /sessions/N" '[ $rc = 200 ] && [ "$(py "j[\"removed\"]")" = "$fsid" ]'
  req GET "/sessions/$fsid"
  check "the deleted session is gone" '[ $rc = 404 ]'
else
  skip "the API" "bnity serve did not start"
fi

tap_done
