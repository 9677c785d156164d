#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: make the example skills available in BNITY_HOME (default
# ~/.boternity), give a newcomer a bot to try them with, and serve the web
# UI on 127.0.0.1.  Idempotent: what is already there is left alone.
set -euo pipefail
bnity=$(realpath "${1:-build/src/cli/bnity}")
cd "$(dirname "$0")/.."
listen=${BNITY_LISTEN:-127.0.0.1:8737}

echo "boternity: BNITY_HOME=${BNITY_HOME:-$HOME/.boternity}"
for ex in examples/skills/*/; do
  name=$(basename "$ex")
  if ! "$bnity" skill inspect "$name" >/dev/null 2>&1; then
    # --local: these came with bnity, from this checkout
    "$bnity" skill install "$ex" --local --yes
  fi
done
if ! "$bnity" bot show helper >/dev/null 2>&1; then
  "$bnity" bot create helper --name "Helper" \
    --persona "You are Helper, a concise assistant for a software team."
  for s in code-review word-count shout; do
    "$bnity" skill attach "$s" helper
  done
fi
"$bnity" skill list
echo
echo "Open http://$listen/ and sign in with the token below (kept in"
echo "${BNITY_HOME:-$HOME/.boternity}/api-token). Ctrl-C stops the server."
exec "$bnity" serve --listen "$listen"
