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
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/provider.h"
#include "base/err.h"
#include "skill/manifest.h"
#include "store/store.h"

struct bn_exec_pool;

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
	struct bn_exec_pool *pool;   /* warm workers for the turn's tool
					skills (exec/pool.h), or NULL */
	bool local_in_worker;        /* local tool skills run out of process
					too, as exec/executor.h says: what a
					long-lived server sets, so that a
					crashing tool never takes it down */
} bn_agent_loop_options;

#define BN_AGENT_LOOP_OPTIONS_INIT \
	{ 8, 100000, (size_t)256 << 10, 64, (size_t)64 << 10, NULL, 0, \
	  NULL, false }

/* What a turn reports as it happens; any callback may be NULL. */
typedef struct bn_agent_events {
	void (*on_text)(const char *text, size_t len, void *payload);
	void (*on_tool_call)(const char *name, json_t *input, void *payload);
	/* AUDIT_ID: the audit record of the run that answered, or 0 when
	   nothing ran (a refused or unknown call) */
	void (*on_tool_result)(const char *name, const char *content,
			       bool is_error, int64_t audit_id,
			       void *payload);
	void *payload;
	/* the provider waits WAIT_MS before asking again, because of WHY
	   ("429", "connection refused", ...) */
	void (*on_retry)(unsigned long wait_ms, const char *why,
			 void *payload);
	/* may be NULL; once true, the turn stops: the request in flight is
	   abandoned, the tool calls not yet run are journalled as not run,
	   and the turn ends "cancelled" */
	const atomic_bool *cancel;
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
 * journalled as it happens (the session is created with the first one):
 * the user's message before the model is asked, each answer before its
 * tool calls run, each call's result before the next starts; the turn
 * ends "complete", "cancelled" (EV's cancel) or, on an error,
 * "incomplete" with everything done so far kept.  *out (new reference,
 * may be NULL) is the turn:
 * {"session", "turn", "state", "resumed", "bot", "provider", "model",
 *  "reply", "stop_reason", "steps", "tool_calls": [{"id", "name",
 *  "input", "result", "is_error"}],
 *  "usage": {"input_tokens", "output_tokens", "cache_read_tokens",
 *            "cache_write_tokens"},
 *  "session_usage": the same four summed over the session's turns}.
 * stop_reason is "max_steps" when the bound ended the turn, "cancelled"
 * when it was cancelled.  What every model call of the turn used is
 * recorded (store/usage.h), failed or not.
 * Errors: BN_ELIMIT (the bot's daily token cap is reached: the message
 * names it and how to raise it; nothing is asked), BN_EEXIST (the
 * session's last turn is incomplete or running elsewhere: see
 * bn_agent_session_pending_error), those of bn_agent_provider_complete
 * (the turn is then incomplete), BN_EIO.
 */
int bn_agent_session_turn(json_t **out, bn_agent_session *ss,
			  const char *text, const bn_agent_events *ev,
			  bn_err *err) BN_MUST_USE;

/*
 * bn_agent_session_resume - finish the session's incomplete or cancelled
 * last turn from its last stored step: the tool calls of the last answer
 * that have no stored result run (a call whose result is stored never
 * runs again), then the model is asked again, as in a turn.  *out as
 * bn_agent_session_turn's, "resumed": true, tool_calls only those run
 * now.  Errors: BN_EINVAL (nothing to resume), BN_EEXIST (the turn runs
 * in a live process), those of a turn.
 */
int bn_agent_session_resume(json_t **out, bn_agent_session *ss,
			    const bn_agent_events *ev,
			    bn_err *err) BN_MUST_USE;

/*
 * bn_agent_session_drop - discard the session's incomplete or cancelled
 * last turn (its messages and its record).  Audit records of what it ran
 * stay.  Errors: BN_EINVAL (nothing to drop), BN_EEXIST (running in a
 * live process), BN_EIO.
 */
int bn_agent_session_drop(bn_agent_session *ss, bn_err *err) BN_MUST_USE;

/*
 * bn_agent_session_pending - the state of the last turn when it did not
 * complete ("incomplete", "cancelled", "running"), or NULL; its number
 * into *turn_out and why into *why_out (borrowed, may be NULL); both
 * pointers may be NULL.
 */
const char *bn_agent_session_pending(const bn_agent_session *ss,
				     int64_t *turn_out, const char **why_out);

/* BN_EEXIST with a message saying which turn is unfinished and why. */
int bn_agent_session_pending_error(const bn_agent_session *ss, bn_err *err);

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
