/* SPDX-License-Identifier: MIT */
/*
 * store/installlog.h - the stored record of every install and update of
 * a skill from a registry.
 *
 * Owns: the audit_installs table (store/installlog.c).  Uses: store.
 * What is installed and granted is registry/install.c's; this keeps the
 * record, as given.
 */
#ifndef BN_STORE_INSTALLLOG_H
#define BN_STORE_INSTALLLOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

/* An install as it is recorded. */
typedef struct bn_store_install_new {
	int64_t at_ms;             /* ms since the epoch */
	const char *skill;
	const char *action;        /* "install", "update" */
	const char *source;
	const char *ref;           /* NULL when none */
	const char *tree_hash;
	const char *tier;
	const bn_strv *granted;    /* "cap[=scope]" each; NULL: none */
	size_t findings;           /* static scan findings */
} bn_store_install_new;

/* An install as stored: strings owned. */
typedef struct bn_store_install {
	int64_t id;
	int64_t at_ms;
	char *skill;
	char *action;
	char *source;
	char *ref;                 /* NULL when none */
	char *tree_hash;
	char *tier;
	bn_strv granted;
	int64_t findings;
} bn_store_install;

/* Record install E. */
int bn_store_install_log_add(bn_store *s, const bn_store_install_new *e,
			     bn_err *err) BN_MUST_USE;

/* The installs of SKILL (NULL: every skill) since SINCE_MS, newest
   first, at most LIMIT (0: 100): *out owned array of *n_out. */
int bn_store_install_log_list(bn_store_install **out, size_t *n_out,
			      bn_store *s, const char *skill,
			      int64_t since_ms, unsigned limit,
			      bn_err *err) BN_MUST_USE;
void bn_store_installs_free(bn_store_install *v, size_t n);

#endif
