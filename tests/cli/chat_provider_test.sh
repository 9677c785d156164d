#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bnity chat` against tests/agent/provider_server.py, for both wire
# formats and for streamed and whole (non-streamed) answers: what is
# retried (408, 409, 429, 5xx, a refused connection; Retry-After in
# seconds, as a date and as retry-after-ms; a wait over 60 s given up at
# once), silent providers timed out, token budgets (max_completion_tokens,
# per-chat and per-bot caps, a tool call cut at the cap, text continued),
# the daily spend cap, prompt-cache breakpoints and usage with cache
# counts.  Prints the share of a 10-turn conversation's input read from
# the cache.
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$(dirname "$0")/tap.sh"
q=\'

# the provider, and helpers: chat_a, chat_o, get, logq, jq_py
. "$src/tests/agent/provider_env.sh"

# chat API SCRIPT ARGS...: chat_a or chat_o
chat() {
  local api=$1; shift
  "chat_$api" "$@"
}

run "$bnity" bot create helper --persona "You are a careful helper."
cp -r "$src/examples/skills/word-count" "$BNITY_HOME/skills/"
run "$bnity" skill build word-count
check "example word-count builds" '[ $rc -eq 0 ]'
run "$bnity" skill attach word-count helper
check "word-count attached" '[ $rc -eq 0 ]'

for api in a o; do
  name=$([ $api = a ] && echo anthropic || echo openai)
  for mode in "" whole-; do
    tag="$name${mode:+ (whole answers)}"
    sfx=".$api"

    # --- retries ----------------------------------------------------------------
    chat $api ${mode}flaky-408-2-secs$sfx helper -m hi
    check "$tag: 408 is retried, and the wait is shown" '[ $rc -eq 0 ] && [[ $out == *"Recovered after 2."* ]] && [[ $errout == *"retrying in 0.0 s (408)"* ]] && [ "$(get count/${mode}flaky-408-2-secs$sfx)" = 3 ]'
    chat $api ${mode}flaky-409-1-none$sfx helper -m hi
    check "$tag: 409 is retried with backoff" '[ $rc -eq 0 ] && [[ $errout == *"(409)"* ]] && [ "$(get count/${mode}flaky-409-1-none$sfx)" = 2 ]'
    # an HTTP date (whole seconds) may mean a wait of a second: streams only
    form=$([ -z "$mode" ] && echo date || echo secs)
    chat $api ${mode}flaky-429-1-$form$sfx helper -m hi
    check "$tag: 429 is retried (Retry-After: $form)" '[ $rc -eq 0 ] && [[ $errout == *"s (429)"* ]] && [ "$(get count/${mode}flaky-429-1-$form$sfx)" = 2 ]'

    chat $api ${mode}flaky-503-2-ms$sfx helper -m hi
    check "$tag: retry-after-ms wins over Retry-After" '[ $rc -eq 0 ] && [[ $errout == *"retrying in 0.0 s (503)"* ]] && [[ $errout != *"30.0 s"* ]]'
    chat $api ${mode}flaky-500-9-secs$sfx helper -m hi
    check "$tag: 500 is retried a bounded number of times" '[ $rc -eq 1 ] && [[ $errout == *"server error (HTTP 500"* ]] && [[ $errout == *"after 4 attempts"* ]] && [ "$(get count/${mode}flaky-500-9-secs$sfx)" = 4 ]'
    chat $api ${mode}longwait$sfx helper -m hi
    check "$tag: a Retry-After over 60 s is given up at once, saying why" '[ $rc -eq 1 ] && [[ $errout == *"asks to wait 120 s"* ]] && [[ $errout == *"longer than the 60 s"* ]] && [ "$(get count/${mode}longwait$sfx)" = 1 ]'

    # --- token limits --------------------------------------------------------------
    chat $api ${mode}cuttool$sfx helper -m count --max-tokens 600
    check "$tag: a tool call cut at the cap is asked again with twice the cap" '[ $rc -eq 0 ] && [[ $out == *"RESULT: {\"words\": 4"* ]] && [ "$(logq ${mode}cuttool$sfx "[r.get(\"max_tokens\", r.get(\"max_completion_tokens\")) for r in log]")" = "[600, 1200, 600]" ]'
    chat $api ${mode}cutalways$sfx helper -m count --max-tokens 600
    check "$tag: a tool call still cut is reported as cut, not as bad JSON" '[ $rc -eq 0 ] && [[ $out == *"ERROR "*"word-count: the model${q}s tool call was cut"* ]] && [[ $out == *"cut at the 1200-token limit"* ]] && [[ $out != *"not a JSON object"* ]]'
    chat $api ${mode}cuttext$sfx helper -m story
    check "$tag: text cut at the cap is continued" '[ $rc -eq 0 ] && [[ $out == *"The answer begins and goes on and ends."* ]] && [ "$(get count/${mode}cuttext$sfx)" = 3 ]'
    chat $api ${mode}cutforever$sfx helper -m story
    check "$tag: continuing stops after 3 more requests" '[ $rc -eq 0 ] && [ "$(get count/${mode}cutforever$sfx)" = 4 ] && [[ $errout == *"cut at the model${q:-}"* ]]'
  done

  # --- a refused connection, silent providers (streams only) ------------------------
  dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ $api = a ]; then
    run env BNITY_PROVIDER=anthropic ANTHROPIC_BASE_URL="http://127.0.0.1:$dead" "$bnity" chat helper -m hi
  else
    run env BNITY_PROVIDER=openai OPENAI_BASE_URL="http://127.0.0.1:$dead" "$bnity" chat helper -m hi
  fi
  check "$name: a refused connection is retried, then reported" '[ $rc -eq 1 ] && [[ $errout == *"(connection refused)"* ]] && [[ $errout == *"cannot reach"* ]] && [[ $errout == *"after 4 attempts"* ]]'
  chat $api cutnocontinue.$api helper -m story
  check "$name: a server that refuses to continue leaves the cut answer" '[ $rc -eq 0 ] && [[ $out == *"A partial answer"* ]] && [[ $errout == *"cut at the model${q}s token limit"* ]] && [ "$(get count/cutnocontinue.$api)" = 2 ]'
  BNITY_HEADER_TIMEOUT_MS=1500 chat $api silent.$api helper -m hi
  check "$name: a provider that never answers fails, saying so" '[ $rc -eq 1 ] && [[ $errout == *"connected to"* ]] && [[ $errout == *"but no answer for 1 s"* ]] && [ "$(get count/silent.$api)" = 1 ]'
  BNITY_IDLE_TIMEOUT_MS=1500 chat $api stall.$api helper -m hi
  check "$name: a stream that goes silent fails, saying so" '[ $rc -eq 1 ] && [[ $errout == *"no data for 1 s"* ]]'

  # --- what a request asks for --------------------------------------------------------
  chat $api hello.cap$api helper -m hi
  chat $api hello.cap$api helper -m hi --max-tokens 500
  run "$bnity" bot set helper --max-tokens 700
  chat $api hello.cap$api helper -m hi
  chat $api hello.cap$api helper -m hi --max-tokens 300
  run "$bnity" bot set helper --max-tokens default
  want=$([ $api = a ] && echo "[16384, 500, 700, 300]" || echo "[32768, 500, 700, 300]")
  check "$name: the cap: the model's default, the chat's, the bot's, the chat's over the bot's" '[ "$(logq hello.cap$api "[r.get(\"max_tokens\", r.get(\"max_completion_tokens\")) for r in log]")" = "$want" ]'
  if [ $api = o ]; then
    check "openai: max_completion_tokens is sent, and usage is asked for" '[ "$(logq hello.capo "[sorted(k for k in (\"max_tokens\", \"max_completion_tokens\") if k in r) for r in log][0]")" = "[${q:-}max_completion_tokens${q:-}]" ] && [ "$(logq hello.capo "log[0][\"stream_options\"]")" = "{${q:-}include_usage${q:-}: True}" ]'
    run "$bnity" bot set helper --token-field max_tokens
    chat o hello.legacy helper -m hi
    check "openai: a bot set to the older field sends max_tokens only" '[ "$(logq hello.legacy "sorted(k for k in (\"max_tokens\", \"max_completion_tokens\") if k in log[0])")" = "[${q:-}max_tokens${q:-}]" ]'
    run "$bnity" bot set helper --token-field default
    BNITY_TOKEN_FIELD=max_tokens chat o hello.envfield helper -m hi
    check "openai: BNITY_TOKEN_FIELD=max_tokens does the same for every bot" '[ "$(logq hello.envfield "sorted(k for k in (\"max_tokens\", \"max_completion_tokens\") if k in log[0])")" = "[${q}max_tokens${q}]" ]'
  fi
done

# --- prompt caching -------------------------------------------------------------------
persona=$(python3 -c 'print(" ".join("Rule %d: answer in plain words and keep it short." % i for i in range(120)))')
run "$bnity" bot create reader --persona "$persona"
run "$bnity" skill attach word-count reader
for api in a o; do
  name=$([ $api = a ] && echo anthropic || echo openai)
  chat $api memory.cache$api reader -m "turn 1" --json
  sid=$(printf '%s' "$out" | jq_py 'j["session"]')
  for i in 2 3 4 5 6 7 8 9 10; do
    chat $api memory.cache$api reader -m "turn $i of a longer talk about caching" --session "$sid" --json
  done
  check "$name: ten turns answered" '[ $rc -eq 0 ] && [ "$(get count/memory.cache$api)" = 10 ]'
  ratio=$(printf '%s' "$out" | jq_py 'round(100 * j["session_usage"]["cache_read_tokens"] / (j["session_usage"]["input_tokens"] + j["session_usage"]["cache_read_tokens"] + j["session_usage"]["cache_write_tokens"]))')
  echo "# $name: $ratio% of a 10-turn conversation's input read from the cache"
  check "$name: most of a 10-turn conversation's input is read from the cache" '[ "$ratio" -gt 50 ]'
  check "$name: the turn's usage has the cache counts" '[ "$(printf "%s" "$out" | jq_py "sorted(j[\"usage\"])")" = "[${q:-}cache_read_tokens${q:-}, ${q:-}cache_write_tokens${q:-}, ${q:-}input_tokens${q:-}, ${q:-}output_tokens${q:-}]" ] && [ "$(printf "%s" "$out" | jq_py "j[\"usage\"][\"cache_read_tokens\"] > 0")" = True ]'
  if [ $api = a ]; then
    check "anthropic: breakpoints on the last tool, the system prompt, the prefix and the last message" '[ "$(logq memory.cachea "[json.dumps(r).count(\"cache_control\") for r in log]")" = "[3, 4, 4, 4, 4, 4, 4, 4, 4, 4]" ] && [ "$(logq memory.cachea "(\"cache_control\" in log[1][\"tools\"][-1], \"cache_control\" in log[1][\"system\"][0], \"cache_control\" in log[1][\"messages\"][-2][\"content\"][-1], \"cache_control\" in log[1][\"messages\"][-1][\"content\"][-1])")" = "(True, True, True, True)" ]'
  fi
  chat $api memory.cache$api reader -m "and once more" --session "$sid" --verbose
  check "$name: --verbose prints the turn's usage" '[ $rc -eq 0 ] && [[ $errout == *"[usage] input "*", cache read "*"; session "* ]]'
  chat $api whole-memory.w$api reader -m "turn 1" --json
  sid=$(printf '%s' "$out" | jq_py 'j["session"]')
  chat $api whole-memory.w$api reader -m "turn 2" --session "$sid" --json
  check "$name (whole answers): usage has the cache counts" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq_py "j[\"usage\"][\"cache_read_tokens\"] > 1000")" = True ]'
done

# the fake provider holds requests to Anthropic's limit of four breakpoints
# (so the conversations above, which it answered, kept to it)
five=$(python3 -c 'import json, sys, urllib.error, urllib.request
cc = {"type": "ephemeral"}
body = {"model": "m", "max_tokens": 10, "system": [dict(type="text", text="s", cache_control=cc)],
        "messages": [{"role": "user", "content": [dict(type="text", text=str(i), cache_control=cc) for i in range(4)]}]}
req = urllib.request.Request(sys.argv[1] + "/v1/messages", json.dumps(body).encode(),
    {"x-api-key": "test-key", "anthropic-version": "2023-06-01", "content-type": "application/json"})
try:
    urllib.request.urlopen(req)
    print("accepted")
except urllib.error.HTTPError as e:
    print(e.code, json.load(e)["error"]["message"])' "$base/hello.five")
check "the fake provider refuses a fifth breakpoint (400)" '[[ $five == "400 A maximum of 4 blocks with cache_control"* ]]'

# --- the daily spend cap -----------------------------------------------------------------
run "$bnity" bot create capped
run "$bnity" bot set capped --daily-tokens 10
check "a cap is set and shown" '[ $rc -eq 0 ] && [[ $out == *"daily tokens: 10"* ]]'
chat a hello.capped capped -m hi
check "a turn under the cap runs" '[ $rc -eq 0 ]'
chat a hello.capped capped -m "hi again"
check "a turn over the daily cap is refused, naming the cap and how to raise it" '[ $rc -eq 1 ] && [[ $errout == *"its cap is 10 tokens per day"* ]] && [[ $errout == *"bnity bot set capped --daily-tokens N"* ]] && [ "$(get count/hello.capped)" = 1 ]'
chat o hello.capped capped -m "hi again"
check "the cap holds for either API" '[ $rc -eq 1 ] && [[ $errout == *"tokens per day"* ]]'
run "$bnity" bot set capped --json
check "the bot's usage of the last 24 hours is shown" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq_py "j[\"tokens_last_24h\"] >= 10")" = True ]'
run "$bnity" bot set capped --daily-tokens off
chat a hello.capped capped -m "hi again"
check "with the cap off the turn runs" '[ $rc -eq 0 ]'
run "$bnity" bot set capped --daily-tokens -5
check "a bad cap is a usage error" '[ $rc -eq 2 ] && [[ $errout == *"--daily-tokens"* ]]'
run "$bnity" bot set nobody --daily-tokens 5
check "an unknown bot is named" '[ $rc -eq 1 ] && [[ $errout == *"nobody"* ]]'
run "$bnity" chat capped -m hi --max-tokens 0
check "--max-tokens 0 is a usage error" '[ $rc -eq 2 ] && [[ $errout == *"--max-tokens"* ]]'

tap_done
