#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a command loads at start (issue 17): bnity does not link libcurl,
# libgit2, libarchive or libmicrohttpd, and the commands that do not
# fetch, clone, unpack or serve never load them; the ones that do load
# them on first use.  The dynamic loader reports each library it maps
# (LD_DEBUG=files), so the checks do not depend on timing.
set -u
bnity=$(realpath "$1")
. "$(dirname "$0")/tap.sh"

tap_home
heavy='libcurl|libgit2|libarchive|libmicrohttpd'

# loaded CMD...: run CMD under LD_DEBUG=files; $maps lists what it mapped
loaded() {
  run env LD_DEBUG=files LD_DEBUG_OUTPUT="$work/ld" "$@"
  maps=$(cat "$work"/ld.* 2>/dev/null | sed -nE 's/.*file=([^ ]+) .*/\1/p' | sort -u)
  rm -f "$work"/ld.*
}

if command -v readelf >/dev/null 2>&1; then
  run readelf -d "$bnity"
  needed=$(sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p' <<<"$out")
  check "bnity does not link the heavy libraries" \
    '[ $rc -eq 0 ] && [ -n "$needed" ] && ! grep -Eq "$heavy" <<<"$needed"'
else
  skip "bnity does not link the heavy libraries" "no readelf"
fi

# the worker image beside bnity (docs/sandbox.md, "The spawner")
wimg=$(dirname "$bnity")/bnity-worker
if [ -x "$wimg" ] && command -v readelf >/dev/null 2>&1; then
  run readelf -d "$wimg"
  wneeded=$(sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p' <<<"$out")
  check "the worker image links none of the heavy libraries" \
    '[ $rc -eq 0 ] && ! grep -Eq "$heavy" <<<"$wneeded"'
  run "$wimg"
  check "the worker image run by hand says who starts it" \
    '[ $rc -eq 2 ] && [[ $errout == *spawner* ]]'
else
  skip "the worker image links none of the heavy libraries" "no bnity-worker or readelf"
  skip "the worker image run by hand says who starts it" "no bnity-worker"
fi

loaded "$bnity" --version
check "the loader reports what bnity --version maps" '[ $rc -eq 0 ] && grep -q "libc.so" <<<"$maps"'
check "bnity --version loads none of the heavy libraries" '! grep -Eq "$heavy" <<<"$maps"'
loaded "$bnity" skill list
check "skill list loads none of them" '[ $rc -eq 0 ] && ! grep -Eq "$heavy" <<<"$maps"'

"$bnity" bot create helper >/dev/null
"$bnity" skill create notes --description "Take notes. Use when asked." >/dev/null
"$bnity" skill attach notes helper >/dev/null
loaded "$bnity" bot prompt helper
check "bot prompt loads none of them" '[ $rc -eq 0 ] && [[ $out == *notes* ]] && ! grep -Eq "$heavy" <<<"$maps"'

for tier in untrusted local; do
  mkdir -p "$BNITY_HOME/skills/quiet-$tier"
  printf -- '---\nname: quiet-%s\ndescription: does nothing\nmetadata:\n  type: tool\n  tier: %s\n---\nx\n' "$tier" "$tier" >"$BNITY_HOME/skills/quiet-$tier/SKILL.md"
  printf '(module (func (export "_start")))\n' >"$BNITY_HOME/skills/quiet-$tier/skill.wat"
  "$bnity" skill build "quiet-$tier" >/dev/null
  loaded "$bnity" skill run "quiet-$tier" --json --input '{}'
  check "skill run ($tier tier) loads none of them" '[ $rc -eq 0 ] && [[ $out == *"\"tier\": \"$tier\""* ]] && ! grep -Eq "$heavy" <<<"$maps"'
done

# the commands that need a library load it when they need it
export BNITY_RETRY_BASE_MS=1
loaded env ANTHROPIC_API_KEY=test-key ANTHROPIC_BASE_URL=http://127.0.0.1:9 \
  BNITY_PROVIDER=anthropic "$bnity" chat helper -m hi
check "chat loads libcurl" '[ $rc -eq 1 ] && grep -q "^libcurl" <<<"$maps"'
check "chat loads only libcurl" '! grep -Eq "libgit2|libarchive|libmicrohttpd" <<<"$maps"'
loaded "$bnity" skill install http://127.0.0.1:9/none.git --yes
check "a git source loads libgit2" '[ $rc -ne 0 ] && grep -q "^libgit2" <<<"$maps"'
mkdir -p pack/packed && printf -- '---\nname: packed\ndescription: from an archive\n---\nx\n' >pack/packed/SKILL.md
tar -C pack -czf packed.tar.gz packed
loaded "$bnity" skill install ./packed.tar.gz --yes
check "an archive loads libarchive" '[ $rc -eq 0 ] && grep -q "^libarchive" <<<"$maps"'

tap_done
