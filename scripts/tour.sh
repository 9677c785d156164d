#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A five-minute tour of what bnity does today, in a fresh BNITY_HOME:
# create skills, validate them, make a bot, attach, see its prompt, and run
# a WebAssembly program in the engine.
set -euo pipefail
bnity=$(realpath "${1:-build/src/cli/bnity}")
cd "$(dirname "$0")/.."
export BNITY_HOME=${TOUR_HOME:-$PWD/build/tour-home}
rm -rf "$BNITY_HOME"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "boternity tour: BNITY_HOME=$BNITY_HOME"
say "$bnity" --version
say "$bnity" skill create release-notes \
  --description "Write release notes from a list of merged changes. Use when asked for a changelog or release summary."
say "$bnity" skill create word-count --type tool \
  --description "Count the words of a text. Use when asked how long a text is."
say "$bnity" skill validate "$BNITY_HOME/skills/release-notes" "$BNITY_HOME/skills/word-count"
say "$bnity" skill validate examples/skills/*/
say "$bnity" skill list
say "$bnity" bot create helper --name "Helper" \
  --persona "You are Helper, a concise assistant for a software team."
say "$bnity" skill attach release-notes helper
say "$bnity" skill attach word-count helper
say "$bnity" bot prompt helper
# tool skills: build the examples, run one, see a refused capability
cp -r examples/skills/word-count examples/skills/fetch-page "$BNITY_HOME/skills/"
say "$bnity" skill build word-count
say "$bnity" skill run word-count --input '{"text": "the quick brown fox"}'
say "$bnity" skill build fetch-page
say "$bnity" skill run fetch-page --input '{"url": "https://example.org/"}' || true
say "$bnity" audit --limit 3
if "$bnity" help wasm >/dev/null 2>&1 && command -v clang >/dev/null; then
  prog=$(mktemp -d)/hello
  printf '#include <stdio.h>\nint main(int c, char **v) { printf("hello from WebAssembly, %%s\\n", c > 1 ? v[1] : "world"); return 0; }\n' >"$prog.c"
  clang --target=wasm32-wasi -O2 "$prog.c" -o "$prog.wasm"
  say "$bnity" wasm run --fuel 10000000 "$prog.wasm" tour
fi
echo
echo "Done. Try: BNITY_HOME=$BNITY_HOME $bnity help"
