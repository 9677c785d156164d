# SPDX-License-Identifier: MIT
# tests/store/pg_tap.sh - sourced by the CLI tests run under
# tests/store/pg_cluster.sh with the bnity binary as $1: sets $bnity and
# $here, loads tests/cli/tap.sh, and skips the whole test when
# BNITY_DATABASE_URL is not set.
bnity=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/tap.sh"

if [ -z "${BNITY_DATABASE_URL:-}" ]; then
  echo "1..0 # SKIP BNITY_DATABASE_URL is not set (run under pg_cluster.sh)"
  exit 0
fi
