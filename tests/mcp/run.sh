#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/mcp/run.sh - `bnity mcp serve` driven by the official MCP
# TypeScript SDK client (TAP).  Usage: run.sh BNITY.  Installs
# @modelcontextprotocol/sdk (pinned in package-lock.json) into
# tests/mcp/node_modules when it is missing, prepares a fresh BNITY_HOME
# with the test skills, then runs mcp_test.mjs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
bnity=$(realpath "$1")
if ! command -v node >/dev/null 2>&1; then
  echo "ok 1 - mcp # SKIP node not installed"
  echo "1..1"
  exit 0
fi
if [ ! -d "$here/node_modules/@modelcontextprotocol/sdk" ]; then
  if ! (cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>&1); then
    echo "not ok 1 - mcp: npm ci could not install @modelcontextprotocol/sdk"
    echo "1..1"
    exit 1
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BNITY_HOME=$work/home HOME=$work/user
mkdir -p "$HOME" "$work/project"
cd "$work/project"
fail() { echo "not ok 1 - mcp set-up: $*"; echo "1..1"; exit 1; }
skills=$BNITY_HOME/skills

# echo-tool: the C skeleton (echoes {"text"}, fails without it), local,
# with an output schema
"$bnity" skill create echo-tool --type tool >/dev/null || fail "skill create"
"$bnity" skill build echo-tool >/dev/null 2>&1 || fail "build echo-tool"
printf '{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}\n' \
  >"$skills/echo-tool/output-schema.json"
# shout: a second tool, attached during the session (list_changed)
cp -r "$src/examples/skills/shout" "$skills/"
"$bnity" skill build shout >/dev/null 2>&1 || fail "build shout"
# fetch-page: declares http_get, granted nothing -> refused
cp -r "$src/examples/skills/fetch-page" "$skills/"
"$bnity" skill build fetch-page >/dev/null 2>&1 || fail "build fetch-page"
# slow-tool: untrusted, so it runs in a confined worker; sleeps
mkdir -p "$skills/slow-tool/src"
printf -- '---\nname: slow-tool\ndescription: sleeps, for cancellation\nmetadata:\n  type: tool\n  tier: untrusted\n---\nSleeps.\n' \
  >"$skills/slow-tool/SKILL.md"
printf '#include <unistd.h>\nint main(void) { for (int i = 0; i < 30; i++) sleep(1); return 0; }\n' \
  >"$skills/slow-tool/src/main.c"
"$bnity" skill build slow-tool >/dev/null 2>&1 || fail "build slow-tool"
# notes: a prompt skill with a file
"$bnity" skill create notes --description "How we take notes" >/dev/null ||
  fail "create notes"
mkdir -p "$skills/notes/references"
printf '# Guide\nWrite short notes.\n' >"$skills/notes/references/guide.md"
"$bnity" bot create mcp >/dev/null || fail "bot create"
for s in echo-tool fetch-page slow-tool notes; do
  "$bnity" skill attach "$s" mcp >/dev/null || fail "attach $s"
done
exec node "$here/mcp_test.mjs" "$bnity" "$work"
