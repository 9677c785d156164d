/* SPDX-License-Identifier: MIT */
/*
 * agent/prompt.h - the system prompt a bot's agent gets.
 *
 * Owns: building the prompt from the bot's persona and the catalog of its
 * enabled skills (progressive disclosure: name, description and location
 * only; the agent reads a skill's instructions when it needs them).
 * Uses: base, skill, store.
 */
#ifndef BN_AGENT_PROMPT_H
#define BN_AGENT_PROMPT_H

#include "base/buf.h"
#include "base/err.h"
#include "skill/manifest.h"
#include "store/store.h"

/*
 * bn_agent_prompt_build - append BOT's system prompt to OUT.  NAMES_OUT
 * (may be NULL) receives the names of the skills in the catalog;
 * WARNINGS gets a line for each attached skill that cannot be found.
 * No catalog at all when the bot has no enabled skill.
 */
int bn_agent_prompt_build(bn_buf *out, bn_strv *names_out,
			  bn_strv *warnings, bn_store *s, const char *bot,
			  bn_err *err) BN_MUST_USE;

#endif
