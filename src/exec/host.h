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

typedef struct bn_exec_host {
	bn_store *store;             /* borrowed: database, vault, memory */
	const char *skill;           /* borrowed */
	const char *bot;             /* borrowed; NULL when run without one */
	int64_t run_id;              /* the audit record of this run */
	const bn_exec_grants *grants;/* borrowed: in force for this run */
	uint64_t http_body_max_bytes;/* cap of one HTTP response */
	uint64_t http_timeout_ms;    /* cap of one HTTP request */
	char *result;                /* owned: the pending result */
	size_t result_len;
	int32_t http_status;         /* of the last HTTP call */
	char last_error[512];        /* of the last failed call */
	unsigned calls;              /* host calls made */
	unsigned denied;             /* host calls refused */
} bn_exec_host;

/* Define every "bnity" import for H in L (host functions made in S). */
int bn_exec_host_define(bn_exec_host *h, bn_wasm_linker *l,
			bn_wasm_store *s) BN_MUST_USE;
/* Free what H owns (the pending result). */
void bn_exec_host_clear(bn_exec_host *h);

#endif
