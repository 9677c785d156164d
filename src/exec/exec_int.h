/* SPDX-License-Identifier: MIT */
/* exec/exec_int.h - what the executor shares with the script runner. */
#ifndef BN_EXEC_EXEC_INT_H
#define BN_EXEC_EXEC_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "exec/audit.h"
#include "exec/executor.h"
#include "wasm/wasi.h"
#include "wasm/wasm.h"
#include "store/store.h"

/* A memfd holding DATA, positioned at its start; -1 on failure. */
int bn_exec__memfd_with(const char *name, const void *data, size_t len);
/* What was written to FD (at most MAX bytes), NUL-terminated, owned. */
char *bn_exec__memfd_take(int fd, size_t max, size_t *len_out);
/* The tier a skill runs at: where it came from, lowered by SKILL.md. */
bn_exec_tier bn_exec__effective_tier(const bn_store_skill *sk);
/* SKILL is attached to BOT and enabled there, else BN_EDENIED. */
int bn_exec__check_bot(bn_store *s, const char *bot, const char *skill,
		       bn_err *err);
/*
 * bn_exec__audit_refused - record in the audit log a run of AR's skill
 * that was refused before it started: outcome "denied" when R is
 * BN_EDENIED (a policy said no), else "error", with WHY as its error.
 * Best effort: the refusal itself is what the caller reports.
 */
void bn_exec__audit_refused(bn_store *s, bn_exec_audit_run *ar, int r,
			    const char *why);
/* Make TREE readable (and its folders searchable) by everyone, links
   left alone: a confined process runs as an unprivileged user. */
void bn_exec__open_tree(const char *tree);
/*
 * bn_exec__run_config - the WASI set-up and engine limits of one skill
 * run: ARGV0 as the program name (ARGV0 must outlive CFG), the granted
 * folders, stdio FDS, and the run's limits.  One place for the
 * in-process run and the confined worker.
 */
void bn_exec__run_config(bn_wasm_wasi_config *cfg, bn_wasm_limits *wl,
			 const char *const *argv0,
			 const bn_wasm_wasi_preopen *pre, size_t npre,
			 const int fds[3], const bn_exec_limits *limits);
/*
 * bn_exec__text_valid - make *S (owned, may be NULL) valid UTF-8: when it
 * is not, each ill-formed sequence becomes U+FFFD and a note at its end
 * says so.  For the error texts of runs, which carry a skill's stderr
 * and names from its module into JSON and the audit log.
 */
void bn_exec__text_valid(char **s);
/* BNITY_SANDBOX_ALLOW_WEAKER is set to accept weaker confinement. */
bool bn_exec__allow_weaker(void);

#endif
