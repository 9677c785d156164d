#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tool skills end to end, from an empty BNITY_HOME: create, build, run;
# the examples; grants that allow and refuse, with the audit log; HTTP to
# a server on loopback only when the grant names it; each limit stopping a
# hostile module with the limit named.
set -u
bnity=$(realpath "$1")
src=$(realpath "$(dirname "$0")/../..")
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME"
cd "$work"
has() { command -v "$1" >/dev/null 2>&1; }

# --- create, build, run ------------------------------------------------------
run "$bnity" skill create echo-tool --type tool
run "$bnity" skill run echo-tool --input '{"text":"x"}'
check "a tool skill without skill.wasm says to build it" '[ $rc -eq 1 ] && [[ $errout == *"skill build echo-tool"* ]]'
run "$bnity" skill build echo-tool
check "skill build compiles the C skeleton" '[ $rc -eq 0 ] && [ -f "$BNITY_HOME/skills/echo-tool/skill.wasm" ]'
run "$bnity" skill run echo-tool --input '{"text":"hello \"world\""}'
check "skill run prints the output" '[ $rc -eq 0 ] && [[ $out == *"\"text\": \"hello \\\"world\\\"\""* ]]'
run "$bnity" skill run echo-tool --json --input '{"text":"a"}'
check "run --json has the result fields" '[ $rc -eq 0 ] && [[ $out == *"\"ok\": true"* ]] && [[ $out == *"\"fuel_used\""* ]] && [[ $out == *"\"memory_peak\""* ]] && [[ $out == *"\"duration_ms\""* ]] && [[ $out == *"\"tier\": \"local\""* ]]'
printf '{"text":"from stdin"}' >in.json
run sh -c "\"$bnity\" skill run echo-tool < in.json"
check "input from stdin" '[ $rc -eq 0 ] && [[ $out == *"from stdin"* ]]'
run "$bnity" skill run echo-tool --input-file in.json
check "input from a file" '[ $rc -eq 0 ] && [[ $out == *"from stdin"* ]]'
run "$bnity" skill run echo-tool --input-file missing.json
check "a missing input file is named" '[ $rc -eq 1 ] && [[ $errout == *"missing.json"* ]]'
run "$bnity" skill run echo-tool --input '{}'
check "a skill error: exit 3 with its message" '[ $rc -eq 3 ] && [[ $errout == *"expected {\"text\""* ]]'
run "$bnity" skill create notes
run "$bnity" skill run notes --input '{}'
check "a prompt skill cannot run" '[ $rc -eq 1 ] && [[ $errout == *"prompt skill"* ]]'
mkdir -p "$BNITY_HOME/skills/empty-tool"
printf -- '---\nname: empty-tool\ndescription: nothing to run\nmetadata:\n  type: tool\n---\nx\n' >"$BNITY_HOME/skills/empty-tool/SKILL.md"
run "$bnity" skill build empty-tool
check "nothing to build is an error that says so" '[ $rc -eq 1 ] && [[ $errout == *"neither a skill.wasm nor sources"* ]]'
printf 'int main(void) { return undefined_thing; }\n' >"$BNITY_HOME/skills/empty-tool/main.c"
run "$bnity" skill build empty-tool
check "a compile error is shown" '[ $rc -eq 1 ] && [[ $errout == *"undefined_thing"* ]] && [ ! -e "$BNITY_HOME/skills/empty-tool/skill.wasm" ]'

# --- the examples -----------------------------------------------------------
for ex in code-review word-count fetch-page recall-notes shout; do
  cp -r "$src/examples/skills/$ex" "$BNITY_HOME/skills/"
done
for ex in word-count fetch-page recall-notes shout; do
  run "$bnity" skill build "$ex"
  check "example $ex builds" '[ $rc -eq 0 ]'
done
run "$bnity" skill run word-count --input '{"text":"one two three\nfour"}'
check "word-count counts" '[ $rc -eq 0 ] && [[ $out == *"\"words\": 4, \"lines\": 2"* ]]'
run "$bnity" skill run shout --input '{"text":"quiet"}'
check "shout (WAT) shouts" '[ $rc -eq 0 ] && [[ $out == *"QUIET"* ]]'

# --- HTTP: refused without a grant, allowed only where granted ---------------
mkfifo "$work/server-in"
python3 "$src/tests/exec/http_server.py" <"$work/server-in" >"$work/port" &
server_pid=$!
exec 9>"$work/server-in"
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -n1 "$work/port" | cut -d" " -f1)
run "$bnity" skill run fetch-page --json --input "{\"url\":\"http://127.0.0.1:$port/hello\"}"
check "http_get without a grant is refused (exit 4)" '[ $rc -eq 4 ] && [[ $out == *"not granted"* ]]'
check "the refusal names the grant and the command that allows it" '[ "$(printf %s "$out" | python3 -c "import json,sys; g = json.load(sys.stdin).get(\"grant\") or {}; print(g.get(\"capability\"), \"|\", g.get(\"command\"))")" = "http_get=http://127.0.0.1:$port | bnity skill grant fetch-page http_get=http://127.0.0.1:$port" ]'
# the same module under a skill that declares only another origin: no
# grant could allow the call, so no command is offered
cp -r "$BNITY_HOME/skills/fetch-page" "$BNITY_HOME/skills/narrow-fetch"
sed -i -e 's/^name: fetch-page/name: narrow-fetch/' -e 's|^  capabilities: http_get$|  capabilities: http_get=https://example.org|' "$BNITY_HOME/skills/narrow-fetch/SKILL.md"
run "$bnity" skill run narrow-fetch --json --input "{\"url\":\"http://127.0.0.1:$port/hello\"}"
check "a call beyond what the skill declares is refused with no command offered" '[ $rc -eq 4 ] && [[ $out == *"not granted"* ]] && [[ $out != *"\"grant\""* ]]'
run "$bnity" audit --skill fetch-page --json
check "the refusal is in the audit log" '[[ $out == *"\"capability\": \"http_get\""* ]] && [[ $out == *"\"allowed\": false"* ]]'
run "$bnity" skill grant fetch-page "http_get=http://localhost:$port"
run "$bnity" skill run fetch-page --input "{\"url\":\"http://localhost:$port/hello\"}"
check "a name that resolves to loopback is refused" '[ $rc -ne 0 ] && [[ $errout == *"loopback"* || $out$errout == *"refused"* ]]'
run "$bnity" skill grant fetch-page "http_get=http://127.0.0.1:$port"
check "grant http_get for the loopback address" '[ $rc -eq 0 ] && [[ $out == *"granted http_get=http://127.0.0.1:$port"* ]]'
run "$bnity" skill run fetch-page --input "{\"url\":\"http://127.0.0.1:$port/hello\"}"
check "granted http_get reaches the server" '[ $rc -eq 0 ] && [[ $out == *"\"status\": 200"* ]]'
run "$bnity" skill run fetch-page --input "{\"url\":\"http://127.0.0.1:$port/redirect-other\"}"
check "a redirect to an origin not granted is refused" '[ $rc -ne 0 ]'
run "$bnity" skill run fetch-page --input "{\"url\":\"http://127.0.0.1:1/\"}"
check "another port on the same host is refused" '[ $rc -eq 4 ]'
run "$bnity" audit --skill fetch-page
check "audit shows allowed and denied calls" '[[ $out == *"allowed http_get"* ]] && [[ $out == *"DENIED  http_get"* ]]'
run "$bnity" skill revoke fetch-page http_get
run "$bnity" skill run fetch-page --input "{\"url\":\"http://127.0.0.1:$port/hello\"}"
check "after revoke it is refused again" '[ $rc -eq 4 ]'
check "and the CLI says which command allows it" '[[ $errout == *"to allow it: bnity skill grant fetch-page http_get=http://127.0.0.1:$port"* ]]'
run bash -c "\"$bnity\"${errout##*to allow it: bnity}"
run "$bnity" skill run fetch-page --input "{\"url\":\"http://127.0.0.1:$port/hello\"}"
check "running that command allows the call" '[ $rc -eq 0 ] && [[ $out == *"\"status\": 200"* ]]'
run "$bnity" skill revoke fetch-page http_get
run "$bnity" skill grant code-review http_get=https://example.org
check "a grant the manifest does not declare is refused" '[ $rc -eq 1 ] && [[ $errout == *"does not declare http_get"* ]]'

# --- secrets: used in a header without entering the module, revealed only
# under reveal: ----------------------------------------------------------------
mkdir -p "$BNITY_HOME/skills/secret-user"
printf -- '---\nname: secret-user\ndescription: uses a secret\nmetadata:\n  type: tool\n  capabilities: "http_post=http://127.0.0.1:%s get_secret=API_KEY get_secret=reveal:API_KEY"\n---\nx\n' "$port" >"$BNITY_HOME/skills/secret-user/SKILL.md"
cat >"$BNITY_HOME/skills/secret-user/main.c" <<EOC
#include <string.h>
#include "bnity.h"
int main(void)
{
	char *in = bnity_read_input(NULL);
	if (strstr(in, "reveal")) {
		int32_t n = bnity_get_secret("API_KEY", 7);
		if (n < 0) { bnity_perror("get_secret"); return 3; }
		char *v = bnity_take_result(n);
		printf("revealed=%s\\n", v);
		return 0;
	}
	const char *url = "http://127.0.0.1:$port/echo";
	const char *h = "{\\"X-Api-Key\\": {\\"secret\\": \\"API_KEY\\", \\"prefix\\": \\"k-\\"}}";
	int32_t n = bnity_http_post(url, strlen(url), h, strlen(h), "hi", 2);
	if (n < 0) { bnity_perror("http_post"); return 3; }
	char *body = bnity_take_result(n);
	fputs(body, stdout);
	return 0;
}
EOC
run "$bnity" skill build secret-user
check "a skill using secrets builds" '[ $rc -eq 0 ]'
printf 'hunter2\n' | "$bnity" secret set API_KEY >/dev/null 2>&1
"$bnity" skill grant secret-user "http_post=http://127.0.0.1:$port" >/dev/null
run "$bnity" skill run secret-user --input '{}'
check "a secret header without get_secret is refused" '[ $rc -eq 4 ] && [[ $errout == *"get_secret"* ]]'
run "$bnity" skill grant secret-user get_secret=API_KEY
check "an unbound get_secret grant is refused with the form to write" '[ $rc -ne 0 ] && [[ $errout == *"get_secret=API_KEY@https://api.example.com"* ]]'
run "$bnity" skill grant secret-user get_secret=API_KEY@http://127.0.0.1:1
run "$bnity" skill run secret-user --input '{}'
check "a secret bound to another origin is not sent" '[ $rc -eq 4 ] && [[ $errout == *"get_secret"* ]]'
run "$bnity" skill grant secret-user "get_secret=API_KEY@http://127.0.0.1:$port"
run "$bnity" skill run secret-user --input '{}'
check "with get_secret=NAME@ORIGIN the host sends the secret as a header, and its echo is scrubbed" '[ $rc -eq 0 ] && [[ $out == *"x-api-key=k-*******"* ]] && [[ $out != *hunter2* ]] && [[ $out == *"body=hi"* ]]'
run "$bnity" skill run secret-user --input '{"reveal":1}'
check "revealing it needs get_secret=reveal:NAME" '[ $rc -eq 4 ]'
run "$bnity" skill grant secret-user get_secret=reveal:API_KEY
run "$bnity" skill run secret-user --input '{"reveal":1}'
check "with reveal:NAME the module may read it" '[ $rc -eq 0 ] && [[ $out == *"revealed=hunter2"* ]]'
run "$bnity" audit --skill secret-user --json
check "the secret's value is in no audit record" '[[ $out != *hunter2* ]] && [[ $out == *"get_secret"* ]]'

# --- memory: per bot, under a grant -------------------------------------------
run "$bnity" bot create helper
run "$bnity" skill attach recall-notes helper
run "$bnity" skill run recall-notes --input '{"query":"deploy"}'
check "recall_memory without a bot is refused" '[ $rc -eq 4 ]'
if "$bnity" help memory >/dev/null 2>&1; then
  run "$bnity" memory add --bot helper "The deploy key rotates every 90 days."
  run "$bnity" skill run recall-notes --bot helper --input '{"query":"deploy"}'
  check "recall_memory without a grant is refused" '[ $rc -eq 4 ]'
  run "$bnity" skill grant recall-notes recall_memory --bot helper
  run "$bnity" skill run recall-notes --bot helper --input '{"query":"deploy key"}'
  check "granted recall_memory finds the bot's memory" '[ $rc -eq 0 ] && [[ $out == *"rotates every 90 days"* ]]'
fi
run "$bnity" skill run word-count --bot nobody --input '{"text":"x"}'
check "an unknown bot is named" '[ $rc -eq 1 ] && [[ $errout == *"nobody"* ]]'
run "$bnity" skill run word-count --bot helper --input '{"text":"x"}'
check "a skill not attached to the bot is refused" '[ $rc -eq 1 ] && [[ $errout == *"not attached"* ]]'
run "$bnity" audit --skill word-count --bot helper --json
check "the refusal (not attached) is in the audit log, denied, with why" '[[ $out == *"\"outcome\": \"denied\""* ]] && [[ $out == *"not attached to bot"* ]] && [[ $out == *"\"bot\": \"helper\""* ]]'
run "$bnity" skill attach word-count helper
run "$bnity" skill disable word-count helper
run "$bnity" skill run word-count --bot helper --input '{"text":"x"}'
check "a skill disabled for the bot is refused" '[ $rc -eq 1 ] && [[ $errout == *"disabled"* ]]'
run "$bnity" audit --skill word-count --bot helper --outcome denied --limit 1 --json
check "the refusal (disabled) is in the audit log, denied, with why" '[[ $out == *"\"outcome\": \"denied\""* ]] && [[ $out == *"disabled for bot"* ]]'
run "$bnity" skill enable word-count helper
run "$bnity" skill run word-count --bot helper --input '{"text":"x"}'
check "enabled again, it runs for the bot" '[ $rc -eq 0 ]'

# --- scripts: exec_command runs a skill's scripts/ under the OS sandbox -----
mkdir -p "$BNITY_HOME/skills/scripted/scripts"
printf -- '---\nname: scripted\ndescription: has scripts\nmetadata:\n  capabilities: "exec_command=probe.sh"\n---\nx\n' >"$BNITY_HOME/skills/scripted/SKILL.md"
cat >"$BNITY_HOME/skills/scripted/scripts/probe.sh" <<'EOS'
echo "args=$*"
cat
echo ok >"$HOME/out.txt" && echo "work folder writable"
echo no >"$SKILL_DIR/SKILL.md" 2>/dev/null || echo "skill folder read-only"
cat /etc/shadow >/dev/null 2>&1 || echo "no shadow"
(exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null || echo "no network"
EOS
run "$bnity" skill script scripted probe.sh "$port" --input 'from stdin'
check "a script without exec_command is refused (4), audited" '[ $rc -eq 4 ] && [[ $errout == *"exec_command=probe.sh is not granted"* ]]'
run "$bnity" skill grant scripted exec_command=probe.sh
run "$bnity" skill script scripted probe.sh "$port" --input 'from stdin'
check "a granted script runs confined" '[ $rc -eq 0 ] && [[ $out == *"args=$port"* ]] && [[ $out == *"from stdin"* ]] && [[ $out == *"work folder writable"* ]] && [[ $out == *"skill folder read-only"* ]] && [[ $out == *"no shadow"* ]] && [[ $out == *"no network"* ]]'
check "the skill itself is untouched" '[[ $(cat "$BNITY_HOME/skills/scripted/SKILL.md") == ---* ]]'
run "$bnity" skill grant scripted --timeout-ms 4294967297
run "$bnity" skill script scripted probe.sh "$port" --input 'x'
check "a script timeout past 32 bits is kept whole (not cut to 1 ms)" '[ $rc -eq 0 ] && [[ $out == *"args=$port"* ]]'
run "$bnity" skill script scripted probe.sh --bot helper --input 'x'
check "a script of a skill not attached to the bot is refused" '[ $rc -eq 1 ] && [[ $errout == *"not attached"* ]]'
run "$bnity" audit --skill scripted --bot helper --json
check "that refusal is in the audit log, denied, with why" '[[ $out == *"\"outcome\": \"denied\""* ]] && [[ $out == *"not attached to bot"* ]]'
run "$bnity" skill script scripted ../SKILL.md
check "a script name cannot leave scripts/" '[ $rc -eq 1 ] && [[ $errout == *"scripts/"* ]]'
run "$bnity" skill script scripted nothere.sh
check "a missing script is named" '[ $rc -eq 1 ] && [[ $errout == *"nothere.sh"* ]]'

# --- limits: each stops a hostile module and is named -----------------------
mkwat() { # mkwat NAME WAT: an untrusted tool skill from WAT text
  mkdir -p "$BNITY_HOME/skills/$1"
  printf -- '---\nname: %s\ndescription: a hostile test module\nmetadata:\n  type: tool\n  tier: untrusted\n---\nx\n' "$1" >"$BNITY_HOME/skills/$1/SKILL.md"
  printf '%s\n' "$2" >"$BNITY_HOME/skills/$1/skill.wat"
  "$bnity" skill build "$1" >/dev/null
}
mkwat spin '(module (func (export "_start") (loop $l (br $l))))'
run "$bnity" skill grant spin --fuel 20000000
run "$bnity" skill run spin --json --input '{}'
check "a runaway loop stops on fuel (exit 5)" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"fuel\""* ]] && [[ $out == *"\"tier\": \"untrusted\""* ]]'
run "$bnity" skill grant spin --timeout-ms 20000
run "$bnity" skill run spin --json --input '{}'
check "a later --timeout-ms keeps the earlier --fuel (still stops on fuel)" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"fuel\""* ]]'
run "$bnity" skill inspect spin --json
check "the grant shows both limits" '[[ $out == *"\"fuel\": 20000000,"* ]] && [[ $out == *"\"timeout_ms\": 20000,"* ]]'
run "$bnity" skill revoke spin limits
run "$bnity" skill inspect spin --json
check "revoke SKILL limits clears the limits" '[ $rc -eq 0 ] && [[ $out != *"\"fuel\": 20000000"* ]]'
run "$bnity" skill grant spin --fuel 100000000000 --timeout-ms 300
run "$bnity" skill run spin --json --input '{}'
check "with fuel to spare, the wall clock stops it" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"time\""* ]]'
run "$bnity" skill grant spin --max-memory 17179869184G
check "a size that overflows 64 bits is out of range, naming the option and its maximum" '[ $rc -eq 2 ] && [[ $errout == *"--max-memory"* ]] && [[ $errout == *"out of range"* ]] && [[ $errout != *"not a whole number"* ]]'
run "$bnity" skill grant spin --fuel 99999999999999999999999
check "a count past 64 bits is out of range, not \"not a whole number\"" '[ $rc -eq 2 ] && [[ $errout == *"--fuel"* ]] && [[ $errout == *"out of range"* ]]'
run "$bnity" skill grant spin --max-output 1G
check "a size at its maximum (1G of output) is taken" '[ $rc -eq 0 ]'
run "$bnity" skill grant spin --max-output 1073741825
check "one byte more is out of range (exit 2)" '[ $rc -eq 2 ] && [[ $errout == *"--max-output"* ]] && [[ $errout == *"1073741824"* ]]'
run "$bnity" skill grant spin --timeout-ms 31536000001
check "a timeout over a year is out of range (exit 2)" '[ $rc -eq 2 ] && [[ $errout == *"--timeout-ms"* ]] && [[ $errout == *"31536000000"* ]]'
run "$bnity" skill grant spin --fuel 0
check "a zero limit is refused, not taken as the default" '[ $rc -eq 2 ] && [[ $errout == *"--fuel"* ]]'
run "$bnity" skill grant spin --fuel -1
check "a negative limit is refused" '[ $rc -eq 2 ] && [[ $errout == *"--fuel"* ]]'
mkwat quick '(module (func (export "_start")))'
run "$bnity" skill grant quick --timeout-ms 4294965297
run "$bnity" skill run quick --json --input '{}'
check "a timeout past 32 bits is kept whole (the confined run is not cut to 1 ms)" '[ $rc -eq 0 ] && [[ $out == *"\"ok\": true"* ]]'
run "$bnity" skill grant quick --timeout-ms 5000000000
run "$bnity" skill run quick --json --input '{}'
check "a timeout of 5,000,000,000 ms is taken and the run completes" '[ $rc -eq 0 ] && [[ $out == *"\"ok\": true"* ]]'
mkwat grow '(module (memory 1) (func (export "_start") (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable))'
run "$bnity" skill run grow --json --input '{}'
check "a memory bomb stops at the memory cap" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"memory\""* ]]'
# a local prompt skill whose parent is an untrusted tool runs the
# parent's module: the run takes the lowest tier of the code it runs
# (untrusted limits, a confined worker), whatever the wrapper's own tier
mkdir -p "$BNITY_HOME/skills/growwrap"
printf -- '---\nname: growwrap\ndescription: a local wrapper of an untrusted tool\nmetadata:\n  parents: "grow"\n---\nWrap it.\n' >"$BNITY_HOME/skills/growwrap/SKILL.md"
run "$bnity" skill run growwrap --json --input '{}'
check "a local wrapper runs its untrusted parent's module as untrusted" '[ $rc -eq 5 ] && [[ $out == *"\"tier\": \"untrusted\""* ]] && [[ $out == *"\"limit\": \"memory\""* ]]'
check "a local wrapper's run is held at the untrusted memory cap" '[[ $out =~ \"memory_peak\":\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -le 67108864 ]'
run "$bnity" audit --skill growwrap
check "the audit records the wrapper's run as untrusted" '[[ $out == *"tier=untrusted"* ]] && [[ $out != *"tier=local"* ]]'
# tables are memory too: forty tables of a million entries (320 MB of
# pointers) do not instantiate under the untrusted 64 MiB cap, and
# table.grow is refused at the cap as memory.grow is
tables="(module"
for _ in $(seq 40); do tables="$tables (table 1000000 funcref)"; done
mkwat tables "$tables (func (export \"_start\")))"
run "$bnity" skill run tables --json --input '{}'
check "tables past the memory cap are the memory limit (exit 5)" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"memory\""* ]]'
mkwat tgrow '(module (table 0 funcref) (func (export "_start") (loop $l (br_if $l (i32.ne (table.grow 0 (ref.null func) (i32.const 1000000)) (i32.const -1)))) unreachable))'
run "$bnity" skill run tgrow --json --input '{}'
check "a table.grow bomb stops at the memory cap" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"memory\""* ]]'
mkwat deep '(module (func $f (call $f)) (func (export "_start") (call $f)))'
run "$bnity" skill run deep --json --input '{}'
check "deep recursion stops on the stack limit" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"stack\""* ]]'
mkwat flood '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))) (memory 2) (func (export "_start") (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const 65536)) (loop $l (br_if $l (i32.eqz (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))))'
run "$bnity" skill run flood --json --input '{}'
check "an output flood stops at the output cap" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"output\""* ]]'
mkwat oob '(module (memory 1) (func (export "_start") (drop (i32.load (i32.const 70000)))))'
run "$bnity" skill run oob --json --input '{}'
check "an out-of-bounds access is a trap (exit 6)" '[ $rc -eq 6 ] && [[ $out == *"out of bounds"* ]]'
mkwat badptr '(module (import "bnity" "read_env" (func $e (param i32 i32) (result i32))) (memory 1) (func (export "_start") (if (i32.ne (call $e (i32.const 65530) (i32.const 100)) (i32.const -2)) (then unreachable))))'
run "$bnity" skill run badptr --input '{}'
check "a host call with an out-of-range pointer gets EINVAL, not a crash" '[ $rc -eq 0 ]'

# --- output that is not valid UTF-8: kept, with U+FFFD, and said so ---------
mkwat badbytes '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))) (import "wasi_snapshot_preview1" "proc_exit" (func $x (param i32))) (memory (export "memory") 1) (data (i32.const 100) "ok \ff\fe end\n") (data (i32.const 200) "bad \c3( byte") (func (export "_start") (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 10)) (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 11)) (drop (call $w (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8))) (call $x (i32.const 1))))'
fffd=$'\xef\xbf\xbd'
run "$bnity" skill run badbytes --json --input '{}'
check "invalid UTF-8 output is kept in --json, replaced by U+FFFD, marked lossy" '[ $rc -eq 3 ] && [[ $out == *"\"output\": \"ok $fffd$fffd end\\n\""* ]] && [[ $out == *"\"output_lossy\": true"* ]]'
check "its invalid UTF-8 stderr is kept as the error, with a note" '[[ $out == *"\"error\": \"bad $fffd( byte [1 invalid UTF-8 sequence replaced by U+FFFD]\""* ]]'
run "$bnity" skill run echo-tool --json --input '{"text":"a"}'
check "valid output is not marked lossy" '[ $rc -eq 0 ] && [[ $out == *"\"output_lossy\": false"* ]]'
run "$bnity" skill run badbytes --input '{}'
raw=$'ok \xff\xfe end'
check "without --json the output bytes are printed as they are" '[ $rc -eq 3 ] && [[ $out == "$raw" ]]'
run "$bnity" audit --skill badbytes --json
check "the audit record keeps the error, made valid UTF-8" '[ $rc -eq 0 ] && [[ $out == *"\"error\": \"bad $fffd( byte [1 invalid UTF-8"* ]] && [[ $out == *"\"outcome\": \"error\""* ]]'

# --- the wall clock bounds blocking host calls --------------------------------
# A call may wait only for the time the run has left: a slow granted server
# or a long WASI sleep cannot stretch a run past its limit, and a run whose
# deadline passes during a call ends with the time limit.  Both tiers: the
# broker serving a confined worker, and the in-process engine.
mktier() { # mktier NAME TIER CAPS WAT
  mkdir -p "$BNITY_HOME/skills/$1"
  { printf -- '---\nname: %s\ndescription: waits\nmetadata:\n  type: tool\n' "$1"
    [ "$2" = untrusted ] && printf '  tier: untrusted\n'
    [ -n "$3" ] && printf '  capabilities: "%s"\n' "$3"
    printf -- '---\nx\n'; } >"$BNITY_HOME/skills/$1/SKILL.md"
  printf '%s\n' "$4" >"$BNITY_HOME/skills/$1/skill.wat"
  "$bnity" skill build "$1" >/dev/null
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# 4 s on a first call, then a server that answers after 10 s, under a 5 s
# limit: the second call gets the second left, not a request timeout of
# its own (which let the run last 4 + 5 s)
first="http://127.0.0.1:$port/sleep?s=4"
second="http://127.0.0.1:$port/sleep?s=10"
slow_wat="(module (import \"bnity\" \"http_get\" (func \$g (param i32 i32 i32 i32) (result i32))) (memory 1) (data (i32.const 0) \"$first\") (data (i32.const 256) \"$second\") (func (export \"_start\") (drop (call \$g (i32.const 0) (i32.const ${#first}) (i32.const 0) (i32.const 0))) (drop (call \$g (i32.const 256) (i32.const ${#second}) (i32.const 0) (i32.const 0)))))"
# a 10 s WASI sleep (poll_oneoff on the monotonic clock) under a 1 s limit
sleep_wat='(module (import "wasi_snapshot_preview1" "poll_oneoff" (func $p (param i32 i32 i32 i32) (result i32))) (memory 1) (func (export "_start") (i32.store (i32.const 16) (i32.const 1)) (i64.store (i32.const 24) (i64.const 10000000000)) (drop (call $p (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))'
for tier in untrusted local; do
  mktier "slow-$tier" "$tier" "http_get=http://127.0.0.1:$port" "$slow_wat"
  "$bnity" skill grant "slow-$tier" "http_get=http://127.0.0.1:$port" --timeout-ms 5000 >/dev/null
  t0=$(date +%s%N)
  run "$bnity" skill run "slow-$tier" --json --input '{}'
  ms=$(ms_since "$t0")
  check "$tier: a slow granted server ends the run at its time limit (${ms} ms of 5000)" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"time\""* ]] && [[ $out == *"\"tier\": \"$tier\""* ]] && [ "$ms" -lt 8000 ]'
  mktier "sleeper-$tier" "$tier" "" "$sleep_wat"
  "$bnity" skill grant "sleeper-$tier" --timeout-ms 1000 >/dev/null
  t0=$(date +%s%N)
  run "$bnity" skill run "sleeper-$tier" --json --input '{}'
  ms=$(ms_since "$t0")
  check "$tier: a long WASI sleep ends at the time limit (${ms} ms of 1000)" '[ $rc -eq 5 ] && [[ $out == *"\"limit\": \"time\""* ]] && [[ $out == *"\"tier\": \"$tier\""* ]] && [ "$ms" -lt 4000 ]'
done

run "$bnity" audit --outcome limit --json
check "limits are recorded in the audit log" '[[ $out == *"\"outcome\": \"limit\""* ]] && [[ $out == *"\"skill\": \"spin\""* ]]'
run "$bnity" audit --since yesterday
check "a bad --since is a usage error" '[ $rc -eq 2 ] && [[ $errout == *"yesterday"* ]]'

tap_done
