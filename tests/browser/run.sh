#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/browser/run.sh - the web UI in headless Chromium (TAP).
# Usage: run.sh BNITY SERVE OUTDIR [TEST].  Installs playwright-core
# (pinned in package-lock.json) into tests/browser/node_modules when it is
# missing, then runs TEST (default ui_test.mjs; also flows_test.mjs),
# which leaves its screenshots in OUTDIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x /usr/bin/chromium ]; then
  echo "ok 1 - browser # SKIP chromium not installed"
  echo "1..1"
  exit 0
fi
if ! command -v node >/dev/null 2>&1; then
  echo "ok 1 - browser # SKIP node not installed"
  echo "1..1"
  exit 0
fi
# the browser tests start side by side: one installs while the others
# wait on the lock (a half-written node_modules made one fail)
exec 8>"$here/.npm-install.lock"
flock 8
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  if ! (cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>&1 ||
        npm install --no-audit --no-fund >/dev/null 2>&1); then
    echo "not ok 1 - browser: npm could not install playwright-core"
    echo "1..1"
    exit 1
  fi
fi
flock -u 8
exec 8>&-
mkdir -p "$3"
exec node "$here/${4:-ui_test.mjs}" "$(realpath "$1")" "$(realpath "$2")" "$(realpath "$3")"
