/* SPDX-License-Identifier: MIT */
/*
 * agent/loop.h - the tool loop: one bot, one conversation, turn by turn.
 *
 * Owns: a chat session: the system prompt (agent/prompt.h), the tools
 * offered to the model, running the model's tool calls, bounding the
 * steps of a turn, trimming old turns to fit the context budget, and
 * saving each turn in the conversation (agent/conv.h).
 * Uses: base, store, exec (bn_exec_run: grants, tiers, limits and the
 * audit log apply to every tool call), agent (prompt, provider, conv).
 *
 * Tools offered:
 *  - activate_skill {name}: the skill's resolved instructions and the
 *    list of its resource files;
 *  - read_skill_resource {name, path}: one file of an activated skill,
 *    resolved strictly within its folder, size-capped;
 *  - each enabled tool skill of the bot, as a function whose parameters
 *    are its schema.json ({"type": "object"} when it has none).
 * Not offered: run_skill_script (skills holding exec_command): running
 * a command is an exec host service under the OS sandbox, which exec does
 * not offer yet (docs/agent.md, "Not yet").
 * A refused or failed tool call goes back to the model as the tool's
 * result, marked as an error; it never ends the turn.
 */
#ifndef BN_AGENT_LOOP_H
#define BN_AGENT_LOOP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/provider.h"
#include "base/err.h"
#include "skill/manifest.h"
#include "store/store.h"

typedef struct bn_agent_loop_options {
	unsigned max_steps;          /* model calls in one turn */
	size_t context_tokens;       /* budget for what is sent, estimated
					as bytes / 4 */
	size_t resource_max_bytes;   /* read_skill_resource: one file */
	size_t resources_max;        /* files listed when activating */
	size_t result_max_bytes;     /* a tool result handed to the model */
	const char *actor;           /* who asked, for the runs' audit rows
					(an API token's name); NULL: local */
	unsigned max_tokens;         /* one answer's cap; 0: the bot's
					setting (store/usage.h), else the
					model family's default */
} bn_agent_loop_options;

#define BN_AGENT_LOOP_OPTIONS_INIT \
	{ 8, 100000, (size_t)256 << 10, 64, (size_t)64 << 10, NULL, 0 }

/* What a turn reports as it happens; any callback may be NULL. */
typedef struct bn_agent_events {
	void (*on_text)(const char *text, size_t len, void *payload);
	void (*on_tool_call)(const char *name, json_t *input, void *payload);
	void (*on_tool_result)(const char *name, const char *content,
			       bool is_error, void *payload);
	void *payload;
	/* the provider waits WAIT_MS before asking again, because of WHY
	   ("429", "connection refused", ...) */
	void (*on_retry)(unsigned long wait_ms, const char *why,
			 void *payload);
} bn_agent_events;

typedef struct bn_agent_session bn_agent_session;

/*
 * bn_agent_session_open - a session of BOT with provider P (borrowed:
 * it must outlive the session) on store S.  SESSION_ID continues that
 * conversation (it must be BOT's); 0 starts a new one with the first
 * turn.  OPTS may be NULL (the defaults).  Warnings about skills left out
 * of the catalog are in bn_agent_session_warnings.
 * Errors: BN_ENOTFOUND (bot, session), BN_EINVAL (the session is another
 * bot's), BN_EIO.
 */
int bn_agent_session_open(bn_agent_session **out, bn_store *s,
			  bn_agent_provider *p, const char *bot,
			  int64_t session_id,
			  const bn_agent_loop_options *opts,
			  bn_err *err) BN_MUST_USE;

/* Frees SS; NULL is a no-op. */
void bn_agent_session_free(bn_agent_session *ss);

/*
 * bn_agent_session_turn - the user says TEXT; the model answers, calling
 * tools as it likes, for at most max_steps model calls.  The turn is
 * saved when it ends.  *out (new reference, may be NULL) is the turn:
 * {"session", "bot", "provider", "model", "reply", "stop_reason",
 *  "steps", "tool_calls": [{"name", "input", "result", "is_error"}],
 *  "usage": {"input_tokens", "output_tokens", "cache_read_tokens",
 *            "cache_write_tokens"},
 *  "session_usage": the same four summed over the session's turns}.
 * stop_reason is "max_steps" when the bound ended the turn.  What every
 * model call of the turn used is recorded (store/usage.h), failed or not.
 * Errors: BN_ELIMIT (the bot's daily token cap is reached: the message
 * names it and how to raise it; nothing is asked), those of
 * bn_agent_provider_complete (nothing of the turn is then saved),
 * BN_EIO (database).
 */
int bn_agent_session_turn(json_t **out, bn_agent_session *ss,
			  const char *text, const bn_agent_events *ev,
			  bn_err *err) BN_MUST_USE;

/* The conversation's id, 0 before the first turn of a new one. */
int64_t bn_agent_session_id(const bn_agent_session *ss);

/* bn_agent_session_reset - forget the conversation: the next turn starts
 * a new one; activated skills are forgotten too. */
void bn_agent_session_reset(bn_agent_session *ss);

/*
 * bn_agent_session_skills - the bot's skills in the catalog (borrowed
 * array of {"name", "type", "description", "active"}).
 */
json_t *bn_agent_session_skills(bn_agent_session *ss);

/* Warnings about attached skills left out (borrowed). */
const bn_strv *bn_agent_session_warnings(const bn_agent_session *ss);

/* The system prompt sent (borrowed). */
const char *bn_agent_session_system(const bn_agent_session *ss);

#endif
