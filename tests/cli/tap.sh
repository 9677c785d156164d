# SPDX-License-Identifier: MIT
# tests/cli/tap.sh - a small TAP helper for the shell tests.  Source it.
# run CMD...        runs CMD, keeping its exit status in $rc, its stdout in
#                   $out and stderr in $errout
# check NAME COND   prints "ok N - NAME" or "not ok N - NAME" (COND is
#                   evaluated with eval) and, on failure, what was seen
# tap_home          makes a scratch folder $work, removed at exit, sets
#                   BNITY_HOME=$work/home and HOME=$work/user, and goes there
tap_n=0
tap_failed=0
run() {
  local o e
  o=$(mktemp); e=$(mktemp)
  "$@" >"$o" 2>"$e"; rc=$?
  out=$(cat "$o"); errout=$(cat "$e")
  rm -f "$o" "$e"
}
check() {
  local name=$1; shift
  tap_n=$((tap_n + 1))
  if eval "$@"; then
    echo "ok $tap_n - $name"
  else
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $name"
    echo "#   condition: $*"
    echo "#   rc=$rc"
    printf '%s\n' "$out" | head -n 20 | sed 's/^/#   out: /'
    printf '%s\n' "$errout" | head -n 20 | sed 's/^/#   err: /'
  fi
}
skip() {
  tap_n=$((tap_n + 1))
  echo "ok $tap_n - $1 # SKIP $2"
}
tap_home() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  export BNITY_HOME=$work/home HOME=$work/user
  mkdir -p "$HOME"
  cd "$work" || exit 1
}
tap_done() {
  echo "1..$tap_n"
  [ "$tap_failed" -eq 0 ]
}
