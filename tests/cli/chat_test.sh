#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bnity chat` end to end against a scripted provider on loopback
# (tests/agent/provider_server.py), for both the Anthropic Messages API and
# the OpenAI Chat Completions API: streaming, prompt skills activated,
# resources read within their folder only, tool skills run with their
# audit record, a refused capability handed back to the model, sessions
# continued and trimmed, the step bound, and provider failures (bad key,
# dropped stream, overload with retries, rate limits, malformed answers).
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$(dirname "$0")/tap.sh"
q=\'

# --- the provider, and helpers: chat_a, chat_o, get, logq, jq_py ---------------
. "$src/tests/agent/provider_env.sh"

# --- a bot with skills -------------------------------------------------------------
run "$bnity" bot create helper --persona "You are a careful helper."
for ex in code-review word-count fetch-page; do
  cp -r "$src/examples/skills/$ex" "$BNITY_HOME/skills/"
done
for ex in word-count fetch-page; do
  run "$bnity" skill build "$ex"
  check "example $ex builds" '[ $rc -eq 0 ]'
done
mkdir -p "$BNITY_HOME/skills/docs-helper/references"
printf -- '---\nname: docs-helper\ndescription: House style for docs. Use when writing documentation.\nmetadata:\n  type: prompt\n---\n# Docs helper\nRead references/guide.md first.\n' \
  >"$BNITY_HOME/skills/docs-helper/SKILL.md"
printf 'GUIDE-CONTENT: short sentences.\n' \
  >"$BNITY_HOME/skills/docs-helper/references/guide.md"
printf 'OUTSIDE-SECRET\n' >"$work/outside.txt"
ln -s "$work/outside.txt" "$BNITY_HOME/skills/docs-helper/references/escape.md"
for sk in code-review word-count fetch-page docs-helper; do
  run "$bnity" skill attach "$sk" helper
  check "attach $sk" '[ $rc -eq 0 ]'
done
run "$bnity" bot create other

# --- both APIs, the same conversation shapes ------------------------------------------
for api in a o; do
  name=$([ $api = a ] && echo anthropic || echo openai)
  chat=chat_$api
  $chat hello.$api helper -m "hi"
  check "$name: a streamed answer" '[ $rc -eq 0 ] && [ "$out" = "Hello from the model." ]'
  $chat crlf.$api helper -m "hi"
  check "$name: CRLF, comments, split data lines and 3-byte writes" '[ $rc -eq 0 ] && [ "$out" = "Hello from the model." ]'
  $chat catalog.$api helper -m "what can you do"
  check "$name: the tools and the skill catalog are offered" '[ $rc -eq 0 ] && [[ $out == *"TOOLS: activate_skill,read_skill_resource,"* ]] && [[ $out == *"word-count"* ]] && [[ $out == *"fetch-page"* ]] && [[ $out == *"CATALOG: yes"* ]]'
  if [ $api = a ]; then
    r=$(logq catalog.a 'log[0]["tools"][2]["input_schema"]["required"]')
    check "$name: a tool's input_schema is its schema.json" '[ "$r" = "[${q}url${q}]" ] || [ "$r" = "[${q}text${q}]" ]'
  else
    r=$(logq catalog.o 'log[0]["tools"][3]["function"]["parameters"]["type"]')
    check "$name: a tool's parameters are its schema.json" '[ "$r" = object ]'
  fi

  $chat activate.$api helper -m "review my diff"
  check "$name: a prompt skill is activated and its instructions reach the model" '[ $rc -eq 0 ] && [[ $out == *"ACTIVATED:"* ]] && [[ $out == *"# Code review"* ]] && [[ $errout == *"[tool] activate_skill"* ]]'

  $chat tool.$api helper -m "count my words" --json
  check "$name: a tool skill runs and the model answers with its result" '[ $rc -eq 0 ] && [[ $out == *"RESULT: {\\\"words\\\": 4"* ]]'
  r=$(printf '%s' "$out" | jq_py '(j["tool_calls"][0]["name"], j["tool_calls"][0]["is_error"], j["steps"])')
  check "$name: --json has the tool call, its result and the steps" '[ "$r" = "(${q}word-count${q}, False, 2)" ]'
  run "$bnity" audit --skill word-count --json --limit 1
  check "$name: the tool run is in the audit log, with the bot" '[[ $out == *"\"bot\": \"helper\""* ]] && [[ $out == *"\"outcome\": \"ok\""* ]]'

  $chat fetch.$api helper -m "is the page up"
  check "$name: a refused capability goes back to the model as the tool result" '[ $rc -eq 0 ] && [[ $out == *"RESULT: ERROR"* ]] && [[ $out == *"not granted"* ]]'
  if [ $api = a ]; then
    r=$(logq fetch.a '[b for b in log[1]["messages"][-1]["content"] if b["type"] == "tool_result"][0]["is_error"]')
    check "$name: the refusal is sent as is_error" '[ "$r" = True ]'
  else
    r=$(logq fetch.o 'log[1]["messages"][-1]["role"] + " " + str("tool_call_id" in log[1]["messages"][-1])')
    check "$name: the refusal is sent as a tool message" '[ "$r" = "tool True" ]'
  fi
  run "$bnity" audit --skill fetch-page --json --limit 1
  check "$name: the refused call is in the audit log" '[[ $out == *"\"allowed\": false"* ]]'

  $chat resource.$api helper -m "write docs"
  check "$name: a resource is read from an activated skill" '[ $rc -eq 0 ] && [[ $out == *"GUIDE-CONTENT"* ]] && [[ $out == *"references/guide.md"* ]]'
  check "$name: '..' is refused" '[[ $out == *"path ${q}../../etc/passwd${q} refused"* ]]'
  check "$name: a symbolic link out of the folder is refused" '[[ $out == *"outside the skill${q}s folder"* ]] && [[ $out != *"OUTSIDE-SECRET"* ]]'

  $chat memory.$api helper -m "first message" --json
  sid=$(printf '%s' "$out" | jq_py 'j["session"]')
  check "$name: a new session gets an id" '[ $rc -eq 0 ] && [ "$sid" -gt 0 ]'
  $chat memory.$api helper --session "$sid" -m "second message"
  check "$name: --session continues the conversation" '[ $rc -eq 0 ] && [ "$out" = "You said: first message | second message" ]'

  $chat loop.$api helper -m "loop" --max-steps 3
  check "$name: the step bound ends a turn that keeps calling tools" '[ $rc -eq 0 ] && [[ $errout == *"step limit"* ]] && [ "$(get count/loop.$api)" = 3 ]'

  key_var=$([ $api = a ] && echo ANTHROPIC_API_KEY || echo OPENAI_API_KEY)
  run env "$key_var=wrong-key-123456789" BNITY_PROVIDER=$name \
    ANTHROPIC_BASE_URL="$base/hello.$api" OPENAI_BASE_URL="$base/hello.$api" \
    "$bnity" chat helper -m "hi"
  check "$name: a refused key (401) is a clear error naming what to set" '[ $rc -eq 1 ] && [[ $errout == *"key was refused"* ]] && [[ $errout == *"$key_var"* ]]'
  check "$name: the key never appears in the message" '[[ $errout != *"wrong-key"* ]] && [[ $errout != *"6789"* ]]'

  $chat drop.$api helper -m "hi"
  check "$name: a dropped stream is an error" '[ $rc -eq 1 ] && [[ $errout == *"stream was dropped"* ]]'
  $chat badjson.$api helper -m "hi"
  check "$name: a malformed answer is an error" '[ $rc -eq 1 ] && [[ $errout == *"malformed answer"* ]]'
  $chat overloaded.$api helper -m "hi"
  check "$name: overloaded is retried" '[ $rc -eq 0 ] && [ "$out" = "Recovered." ] && [ "$(get count/overloaded.$api)" = 2 ]'
  $chat midstream.$api helper -m "hi"
  check "$name: an overload error in the stream is retried" '[ $rc -eq 0 ] && [ "$out" = "Recovered." ] && [ "$(get count/midstream.$api)" = 2 ]'
  $chat rate.$api helper -m "hi"
  check "$name: 429 is retried a bounded number of times, then named" '[ $rc -eq 1 ] && [[ $errout == *"rate limited"* ]] && [ "$(get count/rate.$api)" = 4 ]'
  $chat badreq.$api helper -m "hi"
  check "$name: other 4xx are never retried" '[ $rc -eq 1 ] && [[ $errout == *"HTTP 400"* ]] && [ "$(get count/badreq.$api)" = 1 ]'
done

# --- sessions --------------------------------------------------------------------
chat_a memory helper --session "$sid" -m "x"
check "a session of another API continues too" '[ $rc -eq 0 ] && [[ $out == "You said: first message | second message | x" ]]'
chat_a memory other --session "$sid" -m "x"
check "another bot's session is refused" '[ $rc -eq 1 ] && [[ $errout == *"belongs to bot ${q}helper${q}"* ]]'
chat_a memory helper --session 99999 -m "x"
check "an unknown session is named" '[ $rc -eq 1 ] && [[ $errout == *"no session 99999"* ]]'
chat_a memory helper --session abc -m "x"
check "a malformed session id is a usage error" '[ $rc -eq 2 ]'
chat_a memory nobody -m "x"
check "an unknown bot is named" '[ $rc -eq 1 ] && [[ $errout == *"nobody"* ]]'

# trimming: an old turn that activated a skill is dropped, its
# instructions stay in the system prompt
chat_a activate helper -m "review" --json
tsid=$(printf '%s' "$out" | jq_py 'j["session"]')
big=$(python3 -c 'print("word " * 1500)')
chat_a memory helper --session "$tsid" -m "$big"
chat_a catalog helper --session "$tsid" -m "now" --context-tokens 1000
check "trimmed turns keep activated instructions in the system prompt" '[ $rc -eq 0 ] && [[ $out == *"ACTIVE: yes"* ]] && [[ $out == *"MESSAGES: 1"* ]]'
chat_a catalog helper --session "$tsid" -m "again"
check "with room, nothing is trimmed" '[ $rc -eq 0 ] && [[ $out == *"ACTIVE: no"* ]] && [[ $out == *"MESSAGES: 9"* ]]'

# --- configuration -------------------------------------------------------------------
run "$bnity" bot create oabot --provider openai --model gpt-test
run env -u BNITY_PROVIDER OPENAI_BASE_URL="$base/hello.bot" "$bnity" chat oabot -m "hi"
check "a bot's provider and model are used" '[ $rc -eq 0 ] && [ "$(logq hello.bot "log[0][\"model\"]")" = gpt-test ]'
run env ANTHROPIC_BASE_URL="$base/hello.over" "$bnity" chat oabot --provider anthropic --model claude-test -m "hi"
check "--provider and --model override the bot's" '[ $rc -eq 0 ] && [ "$(logq hello.over "log[0][\"model\"]")" = claude-test ]'
run env BNITY_MODEL=env-model ANTHROPIC_BASE_URL="$base/hello.env" "$bnity" chat helper -m "hi"
check "BNITY_MODEL sets the model" '[ $rc -eq 0 ] && [ "$(logq hello.env "log[0][\"model\"]")" = env-model ]'
run env ANTHROPIC_BASE_URL=http://example.com "$bnity" chat helper -m "hi"
check "plain http to a host that is not loopback is refused" '[ $rc -eq 1 ] && [[ $errout == *"https"* ]]'
run env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY BNITY_PROVIDER=anthropic "$bnity" chat helper -m "hi"
check "no key: the message names the variable and the secret" '[ $rc -eq 1 ] && [[ $errout == *"ANTHROPIC_API_KEY"* ]] && [[ $errout == *"secret set"* ]]'
printf 'test-key\n' | "$bnity" secret set ANTHROPIC_API_KEY >/dev/null
run env ANTHROPIC_API_KEY=wrong-key-123456789 BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$base/hello.vault" "$bnity" chat helper -m "hi"
check "the vault's key is used before the environment's" '[ $rc -eq 0 ] && [ "$out" = "Hello from the model." ]'
"$bnity" secret remove ANTHROPIC_API_KEY >/dev/null
run env ANTHROPIC_API_KEY="$(printf 'test-key\r\nx-evil: 1')" BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="$base/hello.evil" "$bnity" chat helper -m "hi"
check "a key that would break the header line is refused, unsent" '[ $rc -eq 1 ] && [[ $errout == *"control characters"* ]] && [ "$(get count/hello.evil)" = 0 ]'
run env BNITY_PROVIDER=nope "$bnity" chat helper -m "hi"
check "an unknown provider is named" '[ $rc -eq 1 ] && [[ $errout == *"nope"* ]]'
run "$bnity" chat helper --json
check "--json without -m is a usage error" '[ $rc -eq 2 ]'

# --- a tool whose output is not valid UTF-8: the model still sees it ---------------
mkdir -p "$BNITY_HOME/skills/badbytes"
printf -- '---\nname: badbytes\ndescription: prints invalid UTF-8. Use to test.\nmetadata:\n  type: tool\n---\nx\n' \
  >"$BNITY_HOME/skills/badbytes/SKILL.md"
printf '%s\n' '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))) (memory (export "memory") 1) (data (i32.const 100) "ok \ff\fe end") (func (export "_start") (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 9)) (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))' \
  >"$BNITY_HOME/skills/badbytes/skill.wat"
run "$bnity" skill build badbytes
run "$bnity" bot create lossy
run "$bnity" skill attach badbytes lossy
fffd=$'\xef\xbf\xbd'
chat_a badbytes.a lossy -m "go"
check "a tool result that is not UTF-8 reaches the model with U+FFFD and a note" '[ $rc -eq 0 ] && [[ $out == *"RESULT: ok $fffd$fffd end"* ]] && [[ $out == *"[2 invalid UTF-8 sequences replaced by U+FFFD]"* ]]'

# --- interactive, from a pipe ------------------------------------------------------------
run sh -c "printf '/skills\nhello there\n/session\n/reset\n/session\n/nope\n/exit\nnever sent\n' | env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL=$base/hello.tty \"$bnity\" chat helper"
check "interactive: /skills lists the skills" '[ $rc -eq 0 ] && [[ $out == *"code-review"* ]] && [[ $out == *"word-count"* ]]'
check "interactive: a line is answered" '[[ $out == *"Hello from the model."* ]]'
check "interactive: /session, /reset" '[[ $out == *"session "[0-9]* ]] && [[ $out == *"new conversation"* ]] && [[ $out == *"no session yet"* ]]'
check "interactive: an unknown command is named, /exit leaves" '[[ $out == *"unknown command ${q}/nope${q}"* ]] && [ "$(get count/hello.tty)" = 1 ]'

tap_done
