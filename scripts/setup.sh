#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# boternity set-up for a fresh Debian 12 machine (run as root).
#
#   bash scripts/setup.sh         install, build, and run the main job:
#                                 the example skills installed, a demo bot,
#                                 and the web UI served on 127.0.0.1:8737
#   bash scripts/setup.sh test    install, build with ASan+UBSan, run every
#                                 test (C, CLI, spec, programs, fuzzers);
#                                 the last line is "tests: N passed, N failed"
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-run}

packages=(
  build-essential meson ninja-build pkg-config python3
  clang lld llvm libclang-rt-14-dev libclang-rt-14-dev-wasm32 wasi-libc wabt
  libyaml-dev libsqlite3-dev libjansson-dev libsodium-dev libutf8proc-dev
  libcurl4-openssl-dev libseccomp-dev libmicrohttpd-dev libarchive-dev
  libgit2-dev sqlite3 chromium wrk git curl
  zsh fish    # the CLI test parses and runs `bnity completion zsh|fish`
  libpq-dev postgresql  # the store's PostgreSQL back end; its tests run a
                        # throw-away cluster (tests/store/pg_cluster.sh)
)
# node and npm (the browser tests and a second WebAssembly engine): take
# Debian's only where none is installed, so a NodeSource node is kept
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

build() { # build DIR [meson options...]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir"
}

case "$mode" in
run)
  install_packages
  build build -Dbuildtype=release -Db_ndebug=true -Dwerror=true
  exec bash scripts/demo.sh build/src/cli/bnity
  ;;
test)
  install_packages
  exec bash scripts/test-all.sh
  ;;
*)
  echo "usage: bash scripts/setup.sh [run|test]" >&2
  exit 2
  ;;
esac
