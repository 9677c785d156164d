/* SPDX-License-Identifier: MIT */
/*
 * store/lease.c - owner leases (see bn_store_leases_sweep).  A process
 * that starts an audited run or an agent turn writes its pid, start time
 * and host into the row; when that process is gone and the row still
 * says "running", the row is closed here.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/proc.h"
#include "store_int.h"

typedef struct lease {
	long id, pid, start;
	char *host;
	long id2;
} lease;

#define COL(field) BN_STORE__COL(lease, field)
BN_STORE__TABLE(lease, lease, COL(id), COL(pid), COL(start), COL(host),
		COL(id2));
#undef COL

/* The rows a process owns while it runs them. */
static const struct leased {
	const char *running; /* (id, owner_pid, owner_start, owner_host, id2) */
	const char *close;   /* ?1 id, ?2 why, ?3 id2 */
	const char *what;    /* what ran, for the message */
} leased[] = {
	{ "SELECT id, owner_pid, owner_start, owner_host, 0 FROM audit_runs"
	  " WHERE outcome = 'running' AND owner_pid IS NOT NULL",
	  "UPDATE audit_runs SET outcome = 'abandoned', error = ?2"
	  " WHERE id = ?1 AND outcome = 'running'", "it" },
	{ "SELECT conversation_id, owner_pid, owner_start, owner_host, number"
	  " FROM turns WHERE state = 'running' AND owner_pid IS NOT NULL",
	  "UPDATE turns SET state = 'incomplete', error = ?2, owner_pid ="
	  " NULL, owner_start = NULL, owner_host = NULL WHERE conversation_id"
	  " = ?1 AND number = ?3 AND state = 'running'", "the turn" },
};

/* Close L's rows whose owner is gone; *closed counts them. */
static int sweep(size_t *closed, bn_store *s, const struct leased *l,
		 bn_err *err)
{
	lease *v = NULL;
	size_t n = 0;
	int r = bn_store__select(&v, &n, &lease_shape, s, l->running, NULL, 0,
				 err);

	for (size_t i = 0; !r && i < n; i++) {
		char why[160];
		if (!bn_proc_owner_gone(v[i].pid, v[i].start, v[i].host))
			continue;
		snprintf(why, sizeof(why), "abandoned: process %lld on %s "
			 "ended while %s ran", (long long)v[i].pid, v[i].host,
			 l->what);
		const bn_store__arg a[] = { BN_STORE__INT(v[i].id),
					    BN_STORE__TEXT(why),
					    BN_STORE__INT(v[i].id2) };
		r = bn_store__run(s, l->close, a, BN_STORE__NARGS(a), err);
		++*closed;
	}
	bn_store__select_free(v, n, &lease_shape);
	return r;
}

int bn_store_leases_sweep(size_t *n_out, bn_store *s, bn_err *err)
{
	size_t closed = 0;
	int r = 0;

	for (size_t i = 0; !r && i < sizeof(leased) / sizeof(*leased); i++)
		r = sweep(&closed, s, &leased[i], err);
	if (!r && n_out)
		*n_out = closed;
	return r;
}
