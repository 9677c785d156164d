#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bnity secret` and `bnity memory` as a user drives them, from an empty
# BNITY_HOME: values read from stdin and never shown, the key file's
# checks, limits, bots' memories kept apart, hostile queries, exit codes.
set -u
bnity=$(realpath "$1")
. "$(dirname "$0")/tap.sh"

tap_home
unset BNITY_VAULT_PASSPHRASE

canary='s3cr3t-CANARY-9d2f'

# --- secret: usage ---------------------------------------------------------
run "$bnity" secret
check "secret with no command is a usage error (2)" '[ $rc -eq 2 ]'
run "$bnity" secret frob
check "unknown secret command: exit 2, named" '[ $rc -eq 2 ] && [[ $errout == *frob* ]]'
run "$bnity" secret set </dev/null
check "secret set without NAME: exit 2" '[ $rc -eq 2 ]'
run "$bnity" secret list --bogus
check "unknown option: exit 2, named" '[ $rc -eq 2 ] && [[ $errout == *--bogus* ]]'
run "$bnity" secret --help
check "secret --help lists its commands" '[ $rc -eq 0 ] && [[ $out == *"secret set"* ]] && [[ $out == *"secret remove"* ]]'

# --- secret: set, list, remove --------------------------------------------
run "$bnity" secret list
check "an empty vault lists nothing" '[ $rc -eq 0 ] && [[ $out == *"no secrets yet"* ]]'
check "listing creates no key" '[ ! -e "$BNITY_HOME/vault.key" ]'
run "$bnity" secret set GITHUB_TOKEN <<<"$canary"
check "set reads the value from stdin" '[ $rc -eq 0 ] && [[ $out == *"stored secret '\''GITHUB_TOKEN'\''"* ]]'
check "set never echoes the value" '[[ $out != *"$canary"* ]] && [[ $errout != *"$canary"* ]]'
check "the key file is created with mode 600" '[ "$(stat -c %a "$BNITY_HOME/vault.key")" = 600 ] && [ "$(stat -c %s "$BNITY_HOME/vault.key")" = 32 ]'
printf 'second\r\n' >"$work/crlf"
run "$bnity" secret set api.key-2 <"$work/crlf"
check "set of a second secret" '[ $rc -eq 0 ]'
run "$bnity" secret set GITHUB_TOKEN <<<"$canary-2"
check "set overwrites" '[ $rc -eq 0 ]'
run "$bnity" secret list
check "list shows names and times, never values" '[ $rc -eq 0 ] && [[ $out == *GITHUB_TOKEN*UTC* ]] && [[ $out == *api.key-2* ]] && [[ $out != *"$canary"* ]] && [[ $out != *second* ]]'
run "$bnity" secret list --json
check "list --json has name and updated_at" '[ $rc -eq 0 ] && [[ $out == *"\"name\": \"GITHUB_TOKEN\""* ]] && [[ $out == *"\"updated_at\""* ]] && [[ $out != *"$canary"* ]]'
found=0
for f in "$BNITY_HOME"/boternity.db*; do
  if grep -q -a -- "$canary" "$f"; then found=1; fi
done
check "no value in the clear in the database files" '[ $found -eq 0 ]'
run "$bnity" secret set "bad name" <<<"x"
check "an invalid name is refused (1), named" '[ $rc -eq 1 ] && [[ $errout == *"bad name"* ]]'
run "$bnity" secret set empty </dev/null
check "an empty value is allowed" '[ $rc -eq 0 ]'

# --- secret: size limit (64 KiB after one newline is dropped) ----------------
head -c 65536 /dev/zero | tr '\0' 'a' >"$work/at-limit"
{ cat "$work/at-limit"; echo; } >"$work/at-limit-nl"
{ cat "$work/at-limit"; printf 'a'; } >"$work/over-limit"
run "$bnity" secret set big <"$work/at-limit"
check "a value of 65536 bytes is stored" '[ $rc -eq 0 ]'
run "$bnity" secret set big <"$work/at-limit-nl"
check "65536 bytes and a newline are stored" '[ $rc -eq 0 ]'
run "$bnity" secret set big <"$work/over-limit"
check "65537 bytes are refused (1), the limit named" '[ $rc -eq 1 ] && [[ $errout == *65536* ]]'

# --- secret: the key file ---------------------------------------------------
chmod 644 "$BNITY_HOME/vault.key"
run "$bnity" secret set other <<<"x"
check "a world-readable key is refused (1), named" '[ $rc -eq 1 ] && [[ $errout == *vault.key* ]] && [[ $errout == *"chmod 600"* ]]'
chmod 600 "$BNITY_HOME/vault.key"
run "$bnity" secret remove api.key-2
check "remove" '[ $rc -eq 0 ] && [[ $out == *"removed secret"* ]]'
run "$bnity" secret remove api.key-2
check "removing a missing secret fails (1), named" '[ $rc -eq 1 ] && [[ $errout == *api.key-2* ]]'
run "$bnity" secret list
check "the removed secret is gone" '[[ $out != *api.key-2* ]] && [[ $out == *GITHUB_TOKEN* ]]'

# --- memory: usage and bots -------------------------------------------------
run "$bnity" memory
check "memory with no command is a usage error (2)" '[ $rc -eq 2 ]'
run "$bnity" memory add "no bot given"
check "memory add without --bot: exit 2" '[ $rc -eq 2 ] && [[ $errout == *--bot* ]]'
run "$bnity" memory add --bot ghost "hello"
check "an unknown bot is refused (1), named" '[ $rc -eq 1 ] && [[ $errout == *ghost* ]]'
run "$bnity" bot create helper
run "$bnity" bot create other
check "two bots" '[ $rc -eq 0 ]'

# --- memory: add, search, list ---------------------------------------------
run "$bnity" memory add --bot helper "The user's favourite colour is green."
check "add prints the id" '[ $rc -eq 0 ] && [[ $out == "added memory "*" to bot '\''helper'\''" ]]'
id1=$(printf '%s' "$out" | awk '{print $3}')
run "$bnity" memory add --bot helper "Green tea, green parks and green walls."
id2=$(printf '%s' "$out" | awk '{print $3}')
run "$bnity" memory add --bot other "The other bot also likes green things."
id3=$(printf '%s' "$out" | awk '{print $3}')
check "three memories" '[ -n "$id1" ] && [ -n "$id2" ] && [ -n "$id3" ] && [ "$id1" != "$id2" ]'
run "$bnity" memory search --bot helper green
check "search finds the bot's memories, best first" '[ $rc -eq 0 ] && [[ $out == "$id2 "*"Green tea"*$'\''\n'\''"$id1 "*"colour"* ]] && [[ $out != *"other bot"* ]]'
run "$bnity" memory search --bot helper green --limit 1
check "--limit" '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ]'
run "$bnity" memory search --bot helper what is my colour --json
check "search --json: a query of several words, rank given" '[ $rc -eq 0 ] && [[ $out == *"\"id\": $id1"* ]] && [[ $out == *"\"rank\""* ]] && [[ $out == *"\"created_at\""* ]]'
run "$bnity" memory search --bot helper --limit 0 green
check "--limit 0: exit 2" '[ $rc -eq 2 ]'
run "$bnity" memory search --bot helper --limit 5x green
check "--limit 5x: exit 2, named" '[ $rc -eq 2 ] && [[ $errout == *5x* ]]'
run "$bnity" memory search --bot helper --limit 101 green
check "--limit 101: exit 2" '[ $rc -eq 2 ]'
ok=1
for q in '"' 'NEAR(' '*' '-' '-green' 'a OR' '(' ':' "'; DROP TABLE memories; --" 'green"*'; do
  run "$bnity" memory search --bot helper -- "$q"
  [ $rc -eq 0 ] || { ok=0; echo "# query [$q]: rc=$rc $errout"; }
done
check "hostile queries never fail" '[ $ok -eq 1 ]'
run "$bnity" memory search --bot helper -- '-green'
check "punctuation is text: -green finds green" '[ $rc -eq 0 ] && [[ $out == *"$id1 "* ]]'
run "$bnity" memory search --bot helper zebra
check "no match is no error" '[ $rc -eq 0 ] && [[ $out == *"no memory"* ]]'
run "$bnity" memory search --bot other colour
check "a bot never finds another's memories" '[ $rc -eq 0 ] && [[ $out == *"no memory"* ]]'
run "$bnity" memory list --bot helper
check "list, oldest first" '[ $rc -eq 0 ] && [[ $out == "$id1 "*$'\''\n'\''"$id2 "* ]]'
run "$bnity" memory list --bot other --json
check "list --json of the other bot has only its memory" '[ $rc -eq 0 ] && [[ $out == *"\"id\": $id3"* ]] && [[ $out != *colour* ]]'

# --- memory: remove ---------------------------------------------------------
run "$bnity" memory remove --bot other "$id1"
check "a bot cannot remove another's memory (1)" '[ $rc -eq 1 ] && [[ $errout == *"no memory $id1"* ]]'
run "$bnity" memory remove --bot helper "$id1"
check "remove" '[ $rc -eq 0 ]'
run "$bnity" memory remove --bot helper "$id1"
check "removing it again fails (1)" '[ $rc -eq 1 ]'
run "$bnity" memory remove --bot helper abc
check "a non-numeric ID: exit 2" '[ $rc -eq 2 ]'
run "$bnity" memory list --bot helper
check "the removed memory is gone" '[[ $out != *colour* ]] && [[ $out == *"Green tea"* ]]'
run "$bnity" bot remove other
run "$bnity" bot create other
run "$bnity" memory list --bot other
check "a new bot of a removed bot's slug starts empty" '[ $rc -eq 0 ] && [[ $out == *"no memories yet"* ]]'

tap_done
