#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The skill index lists what the folders hold, whatever was done to them
# behind bnity's back (docs/store.md, "The index"): an open compares the
# folders with the index only when the skills folder changed, and a
# listing takes a skill's manifest from the index only while its SKILL.md
# is the file the index saw (same folder, inode, size, mtime and ctime).
# Keys younger than a second are never trusted, so the tests wait a
# second where they need the cache to be in use.
set -u
bnity=$(realpath "$1")
. "$(dirname "$0")/tap.sh"
tap_home
mkdir -p "$BNITY_HOME/skills"
db() { sqlite3 "$BNITY_HOME/boternity.db" "$1"; }
skills=$BNITY_HOME/skills
settle() { sleep 1.2; }
# mk NAME DESCRIPTION: a skill folder written by hand
mk() {
  mkdir -p "$skills/$1"
  printf -- '---\nname: %s\ndescription: %s\n---\n# %s\n' "$1" "$2" "$1" \
    >"$skills/$1/SKILL.md"
}
listed() { # listed NAME: skill list shows NAME
  printf '%s\n' "$out" | grep -q "^$1 "
}

mk alpha "first text"
touch -d '@1000000000' "$skills/alpha/SKILL.md"
settle
run "$bnity" skill list
check "a folder written by hand is listed" '[ $rc -eq 0 ] && listed alpha && [[ $out == *"first text"* ]]'
check "its row keeps what its SKILL.md looked like" \
  '[ "$(db "SELECT seen IS NOT NULL AND manifest IS NOT NULL FROM skill_index WHERE name = '"'alpha'"'")" = 1 ]'
check "the open recorded the skills folder's key" \
  '[ "$(db "SELECT count(*) FROM store_state WHERE key = '"'skills_dir'"'")" = 1 ]'
run "$bnity" skill list
check "the cached listing says the same" '[ $rc -eq 0 ] && [[ $out == *"first text"* ]]'

# An edit in place (same inode, same size) with the mtime put back.
cp -p "$skills/alpha/SKILL.md" "$work/ref"
ino=$(stat -c %i "$skills/alpha/SKILL.md")
sed 's/first text/other text/' "$work/ref" >"$work/new"
cat "$work/new" >"$skills/alpha/SKILL.md"
touch -r "$work/ref" "$skills/alpha/SKILL.md"
check "the edit kept inode, size and mtime" \
  '[ "$(stat -c %i:%s:%Y "$skills/alpha/SKILL.md")" = "$ino:$(stat -c %s:%Y "$work/ref")" ]'
run "$bnity" skill list
check "an edit behind bnity's back (same size, mtime put back) shows" \
  '[ $rc -eq 0 ] && [[ $out == *"other text"* ]] && [[ $out != *"first text"* ]]'
settle
run "$bnity" skill list
check "and shows again once cached" '[[ $out == *"other text"* ]]'
run "$bnity" skill list --json
check "the index's description follows the edit" \
  '[ "$(db "SELECT description FROM skill_index WHERE name = '"'alpha'"'")" = "other text" ]'

# A cache record that does not decode is a miss, not a crash.
db "UPDATE skill_index SET manifest = x'00ff' WHERE name = 'alpha'"
run "$bnity" skill list
check "a damaged cache record is read past" '[ $rc -eq 0 ] && [[ $out == *"other text"* ]]'
# and so is a record cut short, one with a byte after its end, one whose
# first length runs past its end, and one whose last list claims more
# entries than it could hold (the listing packs a record into one block
# sized from the record itself)
damage() { # damage HOW: rewrite alpha's cache record
  python3 - "$BNITY_HOME/boternity.db" "$1" <<'PY'
import sqlite3, struct, sys
c = sqlite3.connect(sys.argv[1])
m = bytes(c.execute("SELECT manifest FROM skill_index WHERE name = 'alpha'").fetchone()[0])
m = {'short': m[:-3], 'long': m + b'\0',
     'length': struct.pack('<I', 0x7fffffff) + m[4:],
     'count': m[:-4] + struct.pack('<I', 0x0fffffff)}[sys.argv[2]]
c.execute("UPDATE skill_index SET manifest = ? WHERE name = 'alpha'", (m,))
c.commit()
PY
}
for how in short long length count; do
  settle
  run "$bnity" skill list
  damage "$how"
  run "$bnity" skill list --json
  check "a damaged cache record is read past ($how)" '[ $rc -eq 0 ] && [[ $out == *"other text"* ]]'
done

# Folders added and removed by hand.
settle
run "$bnity" skill list
mk beta "second skill"
run "$bnity" skill list
check "a folder added by hand appears" '[ $rc -eq 0 ] && listed beta'
check "and is indexed with its tree hash" \
  '[ -n "$(db "SELECT tree_hash FROM skill_index WHERE name = '"'beta'"'")" ]'
run "$bnity" bot create helper
run "$bnity" skill attach beta helper
check "a folder added by hand can be attached" '[ $rc -eq 0 ]'
rm -rf "$skills/beta"
run "$bnity" skill list
check "a folder removed by hand disappears" '[ $rc -eq 0 ] && ! listed beta && listed alpha'
check "and leaves the index" \
  '[ "$(db "SELECT count(*) FROM skill_index WHERE name = '"'beta'"'")" = 0 ]'

# A folder made empty first and filled later: the skills folder does not
# change when its SKILL.md comes, yet it is listed and indexed.
mkdir "$skills/gamma"
settle
run "$bnity" skill list
check "an empty folder is not a skill" '[ $rc -eq 0 ] && ! listed gamma'
check "the skills folder's key is recorded" \
  '[ "$(db "SELECT count(*) FROM store_state WHERE key = '"'skills_dir'"'")" = 1 ]'
mk gamma "filled later"
run "$bnity" skill list
check "a SKILL.md written into an existing folder shows" \
  '[ $rc -eq 0 ] && listed gamma && [[ $out == *"filled later"* ]]'
check "and the folder is indexed with its tree hash" \
  '[ -n "$(db "SELECT tree_hash FROM skill_index WHERE name = '"'gamma'"'")" ]'

# Half-written folders are not listed as valid skills.
mkdir -p "$skills/delta"
printf -- '---\nname: delta\ndescrip' >"$skills/delta/SKILL.md"
mkdir -p "$skills/eps/src"
echo 'int main(void) { return 0; }' >"$skills/eps/src/main.c"
run "$bnity" skill list
check "a half-written SKILL.md is not listed" \
  '[ $rc -eq 0 ] && ! listed delta && [[ $errout == *delta* ]]'
check "a folder without its SKILL.md yet is not listed" '! listed eps'
check "neither is indexed" \
  '[ "$(db "SELECT count(*) FROM skill_index WHERE name IN ('"'delta', 'eps'"')")" = 0 ]'
# a cached skill cut short in place stops being listed
settle
run "$bnity" skill list
head -c 20 "$work/new" >"$skills/alpha/SKILL.md"
run "$bnity" skill list
check "a cached skill whose SKILL.md is cut short is no longer listed" \
  '[ $rc -eq 0 ] && ! listed alpha && [[ $errout == *alpha* ]]'
cp "$work/new" "$skills/alpha/SKILL.md"
run "$bnity" skill list
check "and is listed again once whole" '[ $rc -eq 0 ] && listed alpha'

# A skill replaced by another folder of the same name (a new inode).
settle
run "$bnity" skill list
mkdir "$work/alpha2"
printf -- '---\nname: alpha\ndescription: replacement\n---\n# alpha\n' \
  >"$work/alpha2/SKILL.md"
touch -r "$skills/alpha/SKILL.md" "$work/alpha2/SKILL.md"
rm -rf "$skills/alpha" && mv "$work/alpha2" "$skills/alpha"
run "$bnity" skill list
check "a folder swapped for another of the same name shows its content" \
  '[ $rc -eq 0 ] && [[ $out == *replacement* ]]'

# Listing is sorted by name, and finds every skill by name.
for n in zeta eta theta; do mk "$n" "skill $n"; done
run "$bnity" skill list
names=$(printf '%s\n' "$out" | awk 'NR > 1 { print $1 }')
check "skills are listed by name" '[ "$names" = "$(printf "%s\n" "$names" | LC_ALL=C sort)" ]'
for n in zeta eta theta alpha gamma; do
  run "$bnity" skill inspect "$n"
  check "skill inspect $n finds it" '[ $rc -eq 0 ]'
done

# A bot's prompt and an attach read only the bot's skills and what they
# need, with the same precedence as the full list: a project copy wins,
# and its parent comes from the store.
p=$work/proj/.agents/skills
mkdir -p "$work/proj/.git" "$p/kid" "$p/zeta" "$skills/mom"
printf -- '---\nname: mom\ndescription: the store parent\n---\nmom\n' \
  >"$skills/mom/SKILL.md"
printf -- '---\nname: zeta\ndescription: project zeta\n---\nz\n' \
  >"$p/zeta/SKILL.md"
printf -- '---\nname: kid\ndescription: project kid\nmetadata:\n  parents: "mom"\n---\nk\n' \
  >"$p/kid/SKILL.md"
cd "$work/proj"
run "$bnity" skill attach kid helper
check "a project skill whose parent is in the store attaches" '[ $rc -eq 0 ]'
run "$bnity" skill attach zeta helper
check "a project copy of a store name attaches" '[ $rc -eq 0 ]'
run "$bnity" bot prompt helper
check "the prompt has the project's copy, not the store's" \
  '[ $rc -eq 0 ] && [[ $out == *"project zeta"* ]] && [[ $out != *"skill zeta"* ]] && [[ $out == *"project kid"* ]]'
# a name is a folder of the store, never a path out of it
mkdir -p "$BNITY_HOME/outside" "$p/kid2"
printf -- '---\nname: outside\ndescription: not a store skill\n---\no\n' \
  >"$BNITY_HOME/outside/SKILL.md"
printf -- '---\nname: kid2\ndescription: project kid2\nmetadata:\n  parents: "../outside"\n---\nk\n' \
  >"$p/kid2/SKILL.md"
run "$bnity" skill attach kid2 helper
check "a parent named by a path out of the store is missing" \
  '[ $rc -ne 0 ] && [[ $errout == *missing* ]]'
cd "$work"
run "$bnity" bot prompt helper
check "outside the project the store's copy is in the prompt, the missing one left out" \
  '[ $rc -eq 0 ] && [[ $out == *"skill zeta"* ]] && [[ $out != *"project kid"* ]] && [[ $errout == *kid* ]]'


# the index is for listing only: a tool skill whose module is replaced
# behind bnity's back (same size class, mtime put back) runs the new bytes
# and its listing follows the change (issue 17)
cd "$work"
say() { # say NAME WORD: a local tool skill printing WORD
  mkdir -p "$skills/$1"
  printf -- '---\nname: %s\ndescription: says %s\nmetadata:\n  type: tool\n  tier: local\n---\nx\n' \
    "$1" "$2" >"$skills/$1/SKILL.md"
  printf '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1) (data (i32.const 16) "%s")
    (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
      (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))\n' "$2" >"$skills/$1/skill.wat"
  "$bnity" skill build "$1" >/dev/null 2>&1
}
say sayer one
say other two
settle
run "$bnity" skill list
run "$bnity" skill list
check "a tool skill is listed from the cache" '[ $rc -eq 0 ] && listed sayer'
run "$bnity" skill run sayer --input '{}'
check "it runs its module" '[ $rc -eq 0 ] && [ "$out" = one ]'
cp --preserve=timestamps "$skills/other/skill.wasm" "$skills/sayer/skill.wasm"
touch -r "$skills/other/skill.wasm" "$skills/sayer"
run "$bnity" skill run sayer --input '{}'
check "a module replaced behind the index's back runs its new bytes, never the indexed ones" \
  '[ $rc -eq 0 ] && [ "$out" = two ]'
sed -i 's/says one/says ONE/' "$skills/sayer/SKILL.md"
run "$bnity" skill list
check "a SKILL.md changed behind its back (new mtime) is listed as it is now" \
  '[ $rc -eq 0 ] && [[ $out == *"says ONE"* ]]'

tap_done
