/* SPDX-License-Identifier: MIT */
/*
 * exec/audit.h - the audit log: one record per skill invocation and one
 * per host call, written by the host (never by a skill).
 *
 * Owns: what a record holds and its JSON.  Uses: base, store (the rows:
 * store/audit.h), jansson (query results).
 */
#ifndef BN_EXEC_AUDIT_H
#define BN_EXEC_AUDIT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/*
 * The log is bounded whatever a skill does.  A run keeps at most
 * BN_EXEC_AUDIT_CALL_ROWS_MAX rows of single host calls; every call past
 * them is counted in one summary row per (capability, allowed) of the run,
 * so none is lost silently.  Each text field (a call's scope and reason, a
 * run's error with a skill's stderr) keeps at most BN_EXEC_AUDIT_FIELD_MAX
 * bytes; a longer one is cut at a character and ends with
 * "... [truncated, N bytes]", N its original length.
 */
#define BN_EXEC_AUDIT_CALL_ROWS_MAX 256
#define BN_EXEC_AUDIT_FIELD_MAX 512

/* What an agent-initiated record belongs to (all 0/NULL: none). */
typedef struct bn_exec_trace {
	int64_t session;            /* the conversation */
	int64_t turn;               /* its turn's number */
	const char *tool_call_id;   /* the model's id of the tool call */
	const atomic_bool *cancel;  /* not recorded: the caller's cancel
				       flag; once true, a confined run's
				       worker is ended (outcome "error",
				       "cancelled"); NULL: none */
} bn_exec_trace;

/* One invocation, as recorded. */
typedef struct bn_exec_audit_run {
	const char *skill;
	const char *version;        /* NULL when the skill has none */
	const char *tier;
	const char *bot;            /* NULL when run without a bot */
	char input_sha256[65];      /* hex */
	char output_sha256[65];     /* hex, "" until known */
	uint64_t fuel;
	uint64_t memory_peak;       /* bytes */
	uint64_t duration_ms;
	const char *outcome;        /* running, ok, error, limit, trap,
				       denied, cancelled; abandoned when its
				       process died while it ran */
	const char *error;          /* NULL when none */
	const char *actor;          /* who asked: a token's name or "local" */
	const char *client;         /* who asked: an MCP client's name
				       (`bnity mcp serve`), or NULL */
	bn_exec_trace trace;        /* the agent's tool call, if any */
	const struct bn_proc_owner *owner; /* the record's owner: a
				       long-lived process's own, looked up
				       once; NULL: this process, looked up
				       now */
} bn_exec_audit_run;

/* The actor of a run no API token asked for. */
#define BN_EXEC_AUDIT_LOCAL "local"

/* Start a record (outcome "running") owned by this process (its owner
   lease: pid, start time, host; see base/proc.h; R->owner when given):
   a record left running
   by a process that died is closed as "abandoned" by the next store
   open or `bnity audit` (bn_store_leases_sweep).  *id_out names it for
   the rest. */
int bn_exec_audit_begin(int64_t *id_out, bn_store *s,
			const bn_exec_audit_run *r, bn_err *err) BN_MUST_USE;
/* Complete record ID with R's results. */
int bn_exec_audit_end(bn_store *s, int64_t id, const bn_exec_audit_run *r,
		      bn_err *err) BN_MUST_USE;
/* Record one host call of run RUN_ID: what was asked and the decision
   (past the run's cap of rows, only counted; see above). */
int bn_exec_audit_call(bn_store *s, int64_t run_id, const char *capability,
		       const char *scope, bool allowed, const char *reason,
		       bn_err *err) BN_MUST_USE;

/*
 * bn_exec_audit_note - a record of an agent's tool call that runs no
 * skill: KIND "activate_skill", "read_skill_resource" or "unknown_tool",
 * SKILL the skill (or tool) it named, DETAIL what it read (may be NULL),
 * OUTCOME "ok" or "error" with ERROR (may be NULL), by BOT for TRACE.
 */
int bn_exec_audit_note(bn_store *s, const char *kind, const char *skill,
		       const char *detail, const char *bot,
		       const bn_exec_trace *trace, const char *outcome,
		       const char *error, bn_err *err) BN_MUST_USE;

/* A query over the log; NULL fields do not filter. */
typedef struct bn_exec_audit_filter {
	const char *skill;
	const char *bot;
	int64_t since_ms;           /* 0 = from the start */
	const char *outcome;
	int64_t session;            /* only that conversation's; 0 = all */
	int64_t before_id;          /* paging: only ids below; 0 = none */
	unsigned limit;             /* 0 = 100 */
	unsigned calls_limit;       /* calls shown per run; 0 = 50 */
} bn_exec_audit_filter;

/*
 * bn_exec_audit_query - newest first (running rows whose owner is gone
 * are first closed as "abandoned"), each run an object with the first
 * page of its host calls in "calls" and, when there are more,
 * "calls_next_after" (else null) to pass to bn_exec_audit_calls.  *out
 * is an owned JSON array.
 */
int bn_exec_audit_query(json_t **out, bn_store *s,
			const bn_exec_audit_filter *f, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_audit_calls - a page of run RUN_ID's host calls: at most LIMIT
 * (0 = 50) whose id is above AFTER_ID, as {"calls": [...], "next_after":
 * ID or null}.  *out is owned.  BN_ENOTFOUND when there is no run RUN_ID.
 */
int bn_exec_audit_calls(json_t **out, bn_store *s, int64_t run_id,
			int64_t after_id, unsigned limit,
			bn_err *err) BN_MUST_USE;

/* Parse "2026-11-27", "2026-11-27T10:00:00Z", "1h", "30m", "7d" or epoch
   seconds into milliseconds since the epoch. */
int bn_exec_audit_parse_since(int64_t *out_ms, const char *text,
			      bn_err *err) BN_MUST_USE;

#endif
