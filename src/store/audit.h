/* SPDX-License-Identifier: MIT */
/*
 * store/audit.h - the stored audit log of skill runs: one row per
 * invocation and one per host call it made.
 *
 * Owns: the audit_runs and audit_calls tables (store/audit.c).  Uses:
 * store.  What a run's outcome or a call's decision means is
 * exec/audit.h's; this only keeps the rows, as given.
 */
#ifndef BN_STORE_AUDIT_H
#define BN_STORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* An integer a run has not recorded (yet): it has not ended. */
#define BN_STORE_AUDIT_NONE ((int64_t)-1)

/* What an agent's record belongs to, and who holds a running row: 0 and
   NULL are not recorded. */
typedef struct bn_store_audit_link {
	const char *kind;           /* NULL: a skill run; "activate_skill",
				       "read_skill_resource", "unknown_tool" */
	const char *detail;         /* what it read, NULL when none */
	int64_t session_id;         /* the conversation */
	int64_t turn;               /* its turn's number */
	const char *tool_call_id;   /* the model's id of the call */
	int64_t owner_pid;          /* the owner lease (base/proc.h) */
	int64_t owner_start;
	const char *owner_host;
} bn_store_audit_link;

/* A run as it starts; NULL strings are not recorded. */
typedef struct bn_store_audit_run_new {
	int64_t at_ms;              /* ms since the epoch */
	const char *skill;
	const char *version;
	const char *tier;
	const char *bot;
	const char *input_sha256;
	const char *outcome;
	const char *actor;          /* who asked: an API token's name, or
				       "local" */
	const char *client;         /* who asked (an MCP client), or NULL */
	bn_store_audit_link link;
} bn_store_audit_run_new;

/* A run as it ends; NULL strings are not recorded. */
typedef struct bn_store_audit_run_end {
	const char *output_sha256;
	uint64_t fuel;
	uint64_t memory_peak;
	uint64_t duration_ms;
	const char *outcome;
	const char *error;
} bn_store_audit_run_end;

/* A run as stored: strings owned, NULL when not recorded. */
typedef struct bn_store_audit_run {
	int64_t id;
	int64_t at_ms;
	char *skill;
	char *version;
	char *tier;
	char *bot;
	char *input_sha256;
	char *output_sha256;
	int64_t fuel;               /* BN_STORE_AUDIT_NONE until it ended */
	int64_t memory_peak;        /* likewise */
	int64_t duration_ms;        /* likewise */
	char *outcome;
	char *error;
	char *actor;                /* who asked, or NULL (older rows) */
	char *client;               /* who asked (an MCP client), or NULL */
	char *kind;                 /* NULL: a skill run */
	char *detail;
	int64_t session_id;         /* 0 when not an agent's */
	int64_t turn;
	char *tool_call_id;
	int64_t owner_pid;          /* 0 when not recorded */
} bn_store_audit_run;

/* One host call of a run as stored, or the summary of the calls past the
   run's cap of single rows: strings owned, NULL when none. */
typedef struct bn_store_audit_call {
	int64_t id;                 /* order within the log; paging cursor */
	int64_t at_ms;              /* a summary: its latest call */
	char *capability;
	char *scope;
	bool allowed;
	char *reason;
	int64_t count;              /* calls this row stands for: 1, or the
				       sum of a summary row */
	bool summary;               /* a summary row (it has no scope) */
} bn_store_audit_call;

/* Which runs to list; NULL strings and 0 numbers do not filter. */
typedef struct bn_store_audit_filter {
	const char *skill;
	const char *bot;
	int64_t since_ms;
	const char *outcome;
	int64_t session_id;         /* only that conversation's */
	int64_t before_id;          /* only ids below */
	unsigned limit;             /* 0 = 100 */
} bn_store_audit_filter;

/* Record run R; its id into *id_out. */
int bn_store_audit_run_add(int64_t *id_out, bn_store *s,
			   const bn_store_audit_run_new *r,
			   bn_err *err) BN_MUST_USE;

/* Complete run ID with E; BN_EIO when its row is gone (the outcome
   cannot be recorded). */
int bn_store_audit_run_finish(bn_store *s, int64_t id,
			      const bn_store_audit_run_end *e,
			      bn_err *err) BN_MUST_USE;
/* Record one host call of run RUN_ID at AT_MS. */
int bn_store_audit_call_add(bn_store *s, int64_t run_id, int64_t at_ms,
			    const char *capability, const char *scope,
			    bool allowed, const char *reason,
			    bn_err *err) BN_MUST_USE;

/* How many single-call rows run RUN_ID has, into *n_out (summaries are
   not counted). */
int bn_store_audit_call_rows(size_t *n_out, bn_store *s, int64_t run_id,
			     bn_err *err) BN_MUST_USE;
/* Count one more call of run RUN_ID at AT_MS in its summary row for
   (CAPABILITY, ALLOWED), made with REASON the first time. */
int bn_store_audit_call_tally(bn_store *s, int64_t run_id, int64_t at_ms,
			      const char *capability, bool allowed,
			      const char *reason, bn_err *err) BN_MUST_USE;

/* The runs F selects, newest first: *out owned array of *n_out. */
int bn_store_audit_run_list(bn_store_audit_run **out, size_t *n_out,
			    bn_store *s, const bn_store_audit_filter *f,
			    bn_err *err) BN_MUST_USE;
void bn_store_audit_runs_free(bn_store_audit_run *v, size_t n);

/* Run RUN_ID's calls in order, a page of at most LIMIT (0 = 100) of
   those whose id is above AFTER_ID (0 = from the first): *out owned array
   of *n_out. */
int bn_store_audit_call_list(bn_store_audit_call **out, size_t *n_out,
			     bn_store *s, int64_t run_id, int64_t after_id,
			     unsigned limit, bn_err *err) BN_MUST_USE;
void bn_store_audit_calls_free(bn_store_audit_call *v, size_t n);

#endif
