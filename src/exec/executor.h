/* SPDX-License-Identifier: MIT */
/*
 * exec/executor.h - run a tool skill: the tier policy, its limits, the
 * engine with WASI and the "bnity" imports, and the audit record.
 *
 * Owns: one invocation from the skill's name and input to its output,
 * outcome and the limit that ended it.  Uses: store (skills, bots),
 * skill, wasm (engine, WASI), exec (grants, audit, host).
 */
#ifndef BN_EXEC_EXECUTOR_H
#define BN_EXEC_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "exec/audit.h"
#include "exec/grants.h"
#include "store/store.h"

#define BN_EXEC_WASM_MAX_BYTES ((size_t)64 << 20) /* skill.wasm cap */

typedef enum bn_exec_tier {
	BN_EXEC_TIER_UNTRUSTED = 0,  /* lowest */
	BN_EXEC_TIER_VERIFIED,
	BN_EXEC_TIER_LOCAL,
	BN_EXEC_TIER_MAX
} bn_exec_tier;

/* "local", "verified", "untrusted"; parse returns false when unknown. */
const char *bn_exec_tier_name(bn_exec_tier t);
bool bn_exec_tier_parse(bn_exec_tier *out, const char *name);
/* The default limits of tier T. */
void bn_exec_tier_limits(bn_exec_limits *out, bn_exec_tier t);

typedef struct bn_exec_request {
	const char *skill;           /* its name */
	const char *bot;             /* NULL: run with the every-bot grants
					only, and no memory */
	const void *input;           /* the JSON input, input_len bytes */
	size_t input_len;
	struct bn_exec_pool *pool;   /* a long-lived server's warm workers
					(exec/pool.h); NULL: a confined run
					starts a worker of its own */
	bool local_in_worker;        /* a local skill runs out of process
					too (in POOL's workers, or one of its
					own), with its tier's limits and
					weaker confinement accepted: what a
					long-lived server (`bnity serve`, the
					MCP server) sets, so that a local
					skill that crashes, spins or eats
					memory never takes it down.  False:
					in-process (the CLI, faster) */
	const char *actor;           /* who asked, for the audit log: an API
					token's name; NULL: "local" (this
					machine's user, no token) */
	const struct bn_proc_owner *owner; /* this process as the owner of
					the run's audit record, looked up
					once by a long-lived server (a
					call then reads no /proc file);
					NULL: looked up per run */
} bn_exec_request;

/* Who asks for a run, beyond the request (bn_exec_run_as). */
typedef struct bn_exec_caller {
	const char *client;          /* for the audit record (an MCP
					client's name), or NULL */
	int cancel_fd;               /* > 0: a descriptor (an eventfd) that
					becomes readable when the caller
					cancels; the run then ends at once
					(its worker killed, or the engine
					interrupted in-process) with outcome
					"cancelled".  0: none */
} bn_exec_caller;

typedef struct bn_exec_result {
	bool ok;                     /* exit status 0, no trap, no limit */
	const char *outcome;         /* "ok", "error", "limit", "trap",
					"cancelled" */
	int exit_code;               /* the module's, when it exited */
	char *output;                /* owned: stdout (NUL-terminated) */
	size_t output_len;
	char *error;                 /* owned: why it failed, or NULL */
	const char *limit;           /* "fuel", "memory", "time", "output",
					"stack", or NULL */
	bn_exec_tier tier;
	bn_exec_limits limits;       /* in force for the run */
	uint64_t fuel_used;
	uint64_t memory_peak;        /* bytes */
	uint64_t duration_ms;
	unsigned host_calls;
	unsigned host_denied;
	int64_t audit_id;            /* the audit record of this run */
	char *notice;                /* owned: which copy ran when it was
					not the installed skill, or NULL */
	char *grant_spec;            /* owned: when a capability was
					refused and a grant can allow it,
					that grant (CAP=SCOPE), else NULL */
	char *grant_command;         /* owned: the command that makes it
					(bn_exec_grant_command), or NULL */
	int worker_pid;              /* the confined worker that ran it (as
					the broker sees it); 0 in-process */
	unsigned worker_calls;       /* its Nth call (1: a fresh worker) */
	uint64_t spawn_us;           /* starting a worker for this run took
					this long (0: a warm worker or a
					spare served it, or in-process) */
} bn_exec_result;

void bn_exec_result_clear(bn_exec_result *r);

/*
 * bn_exec_run - run REQ's skill once.  Returns 0 when the skill ran,
 * whatever its outcome (see *out); an error (BN_ENOTFOUND, BN_EINVAL,
 * BN_EDENIED, BN_EIO) with *err when it could not start: unknown skill or
 * bot, a prompt skill, no skill.wasm, a module that does not load.  Every
 * attempt that found its skill is in the audit log: one refused because
 * the skill is not attached to REQ's bot, or disabled there, as outcome
 * "denied" with the reason, other refusals as "error".
 */
int bn_exec_run(bn_exec_result *out, bn_store *s, const bn_exec_request *req,
		bn_err *err) BN_MUST_USE;

/*
 * bn_exec_run_as - bn_exec_run for CALLER (may be NULL: as bn_exec_run):
 * its client name goes into the audit record, and its cancel_fd ends the
 * run when it becomes readable (outcome "cancelled", in the audit log
 * too).
 */
int bn_exec_run_as(bn_exec_result *out, bn_store *s,
		   const bn_exec_request *req, const bn_exec_caller *caller,
		   bn_err *err) BN_MUST_USE;
/* bn_exec_run for an agent's tool call: the audit record carries TRACE
   (the session, the turn and the tool call it belongs to). */
int bn_exec_run_traced(bn_exec_result *out, bn_store *s,
		       const bn_exec_request *req, const bn_exec_trace *trace,
		       bn_err *err) BN_MUST_USE;

#endif
