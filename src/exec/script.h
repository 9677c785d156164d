/* SPDX-License-Identifier: MIT */
/*
 * exec/script.h - run a skill's scripts/ under the OS sandbox: the
 * exec_command capability.
 *
 * Owns: one run of scripts/NAME of a skill that holds exec_command=NAME,
 * confined as `bnity sandbox run` confines native commands: a read-only
 * copy of the skill folder, a fresh scratch folder to write, no network,
 * the tier's time, memory and output limits; audited like a tool run.
 * Uses: store, sandbox, exec (grants, audit, tiers).
 */
#ifndef BN_EXEC_SCRIPT_H
#define BN_EXEC_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "exec/audit.h"
#include "store/store.h"

typedef struct bn_exec_script_request {
	const char *skill;
	const char *bot;               /* NULL: every-bot grants only */
	const char *script;            /* a file name in the skill's scripts/ */
	const char *const *args;       /* nargs arguments after the script */
	size_t nargs;
	const void *input;             /* stdin, input_len bytes */
	size_t input_len;
	const char *actor;             /* as bn_exec_request's */
} bn_exec_script_request;

typedef struct bn_exec_script_result {
	bool ok;                       /* exit status 0 */
	const char *outcome;           /* ok, error, denied, limit */
	int exit_code;
	char *output;                  /* owned: stdout */
	size_t output_len;
	char *error;                   /* owned: stderr or the reason */
	const char *limit;             /* time, memory, output, ... or NULL */
	uint64_t duration_ms;
	int64_t audit_id;
	char *notice;                  /* owned: which copy ran when it is
					  not the installed one, or NULL */
} bn_exec_script_result;

void bn_exec_script_result_clear(bn_exec_script_result *r);

/*
 * bn_exec_script_run - run REQ.  Returns 0 when the request was decided
 * (see *out: a refused exec_command is outcome "denied"), or an error
 * naming the skill, bot or script when it could not be (BN_ENOTFOUND,
 * BN_EINVAL, BN_EDENIED for missing confinement or a skill not attached
 * to (or disabled for) the bot, BN_EIO).  Every attempt that found its
 * skill is in the audit log, refusals too ("denied" or "error").
 */
int bn_exec_script_run(bn_exec_script_result *out, bn_store *s,
		       const bn_exec_script_request *req,
		       bn_err *err) BN_MUST_USE;

/* bn_exec_script_run for an agent's tool call: the audit record carries
   TRACE (exec/audit.h). */
int bn_exec_script_run_traced(bn_exec_script_result *out, bn_store *s,
			      const bn_exec_script_request *req,
			      const bn_exec_trace *trace,
			      bn_err *err) BN_MUST_USE;

#endif
