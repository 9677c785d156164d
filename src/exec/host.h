/* SPDX-License-Identifier: MIT */
/*
 * exec/host.h - the "bnity" imports of a tool skill: the broker side of
 * every capability beyond WASI.
 *
 * Owns: the per-run host state (grants in force, the pending result, the
 * last error) and the host functions, each of which copies its arguments
 * out of linear memory with bounds checks, decides against the grants,
 * writes an audit record, and only then acts.  The ABI is documented in
 * docs/skill-abi.md and sdk/bnity.h.
 * Uses: wasm (host functions), exec (grants, audit, http, vault, memory).
 */
#ifndef BN_EXEC_HOST_H
#define BN_EXEC_HOST_H

#include <stdatomic.h>
#include <stdint.h>

#include "exec/grants.h"
#include "store/store.h"
#include "wasm/wasm.h"

/* Codes returned to the module (negative), mirrored in sdk/bnity.h. */
enum {
	BN_EXEC_ABI_EDENIED = -1,
	BN_EXEC_ABI_EINVAL = -2,
	BN_EXEC_ABI_ENOTFOUND = -3,
	BN_EXEC_ABI_ELIMIT = -4,
	BN_EXEC_ABI_EIO = -5,
};

#define BN_EXEC_HOST_ARG_MAX ((size_t)1 << 20)  /* bytes of one argument */

/* The calls that reach a service (each decided against the grants). */
typedef enum bn_exec_host_fn {
	BN_EXEC_HOST_HTTP_GET = 0,
	BN_EXEC_HOST_HTTP_POST,
	BN_EXEC_HOST_READ_ENV,
	BN_EXEC_HOST_GET_SECRET,
	BN_EXEC_HOST_RECALL_MEMORY,
	BN_EXEC_HOST_FN_MAX
} bn_exec_host_fn;

#define BN_EXEC_HOST_MAX_STR 3

/* A call's arguments, copied out of the module (or off the channel). */
typedef struct bn_exec_host_args {
	char *s[BN_EXEC_HOST_MAX_STR];   /* owned, NUL-terminated */
	size_t len[BN_EXEC_HOST_MAX_STR];/* bytes of each, NUL excluded */
	int32_t n;                       /* the integer argument, if any */
} bn_exec_host_args;

typedef struct bn_exec_host bn_exec_host;

/* What one defined import calls with (payload of its host function). */
typedef struct bn_exec_host_binding {
	bn_exec_host *host;
	bn_exec_host_fn fn;
} bn_exec_host_binding;

struct bn_exec_host {
	bn_store *store;             /* borrowed: database, vault, memory */
	const char *skill;           /* borrowed */
	const char *bot;             /* borrowed; NULL when run without one */
	int64_t run_id;              /* the audit record of this run */
	const bn_exec_grants *grants;/* borrowed: in force for this run */
	uint64_t http_body_max_bytes;/* cap of one HTTP response */
	uint64_t http_timeout_ms;    /* cap of one HTTP request */
	uint64_t deadline_ms;        /* CLOCK_MONOTONIC ms by which the run
					must end, 0 = none: no call waits
					past it (see bn_exec_host_op) */
	bool out_of_time;            /* a call met the deadline: the run
					has reached its time limit */
	const atomic_bool *cancel;   /* the caller's: once true, a confined
					run's worker is ended (NULL: none) */
	char *result;                /* owned: the pending result */
	size_t result_len;
	int32_t http_status;         /* of the last HTTP call */
	char last_error[512];        /* of the last failed call */
	unsigned calls;              /* host calls made */
	unsigned denied;             /* host calls refused */
	bn_exec_host_binding bindings[BN_EXEC_HOST_FN_MAX];
	void *remote;                /* worker side: its channel state */
};

/* Define every "bnity" import for H in L (host functions made in S). */
int bn_exec_host_define(bn_exec_host *h, bn_wasm_linker *l,
			bn_wasm_store *s) BN_MUST_USE;

/*
 * bn_exec_host_define_with - the same, but the calls that reach a service
 * go to CALL (a worker sends them to the broker); http_status,
 * result_read and last_error always serve H's own state.
 */
int bn_exec_host_define_with(bn_exec_host *h, bn_wasm_linker *l,
			     bn_wasm_store *s, bn_wasm_host_fn call)
	BN_MUST_USE;

/*
 * bn_exec_host_args_copy - copy FN's arguments out of the caller's memory,
 * bounds-checked and capped.  0, or an ABI error code with H's last
 * error set.  Clear *out with bn_exec_host_args_clear.
 */
int32_t bn_exec_host_args_copy(bn_exec_host_args *out, bn_exec_host *h,
			       bn_wasm_caller *c, bn_exec_host_fn fn,
			       const bn_wasm_val *args);
void bn_exec_host_args_clear(bn_exec_host_args *a);

/*
 * bn_exec_host_op - decide and perform FN with A (the broker side):
 * checks the grants, writes the audit record, acts.  Returns what the
 * module gets; the result and last error are left in H.
 * With H->deadline_ms set, nothing waits past it: an HTTP request gets
 * min(http_timeout_ms, the time left), a database lock wait no more than
 * the time left, and a call made after it fails with ELIMIT at once.  A
 * call that ends at or after the deadline sets H->out_of_time; the
 * caller then ends the run with the time limit.
 */
int32_t bn_exec_host_op(bn_exec_host *h, bn_exec_host_fn fn,
			const bn_exec_host_args *a);

const char *bn_exec_host_fn_name(bn_exec_host_fn fn);
unsigned bn_exec_host_fn_nstr(bn_exec_host_fn fn);
/* Take DATA (owned) as the pending result; set the last error text. */
void bn_exec_host_set_result(bn_exec_host *h, char *data, size_t len);
void bn_exec_host_set_error(bn_exec_host *h, const char *msg);
/* Free what H owns (the pending result). */
void bn_exec_host_clear(bn_exec_host *h);

#endif
