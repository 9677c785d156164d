/* SPDX-License-Identifier: MIT */
/* store/grants.c - the grants table (see grants.h). */
#include "grants.h"

#include <stdlib.h>
#include <time.h>

#include "store_int.h"

int bn_store_grant_put(bn_store *s, const char *skill, const char *bot,
		       const char *capability, const char *scope,
		       const char *limits, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__TEXT(bot),
		BN_STORE__TEXT(capability), BN_STORE__TEXT(scope),
		BN_STORE__TEXT(limits), BN_STORE__INT(time(NULL)),
	};
	return bn_store__run(s,
		"INSERT INTO grants (skill, bot, capability, scope, limits,"
		" granted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT(skill, bot, capability, scope) DO UPDATE"
		" SET limits = coalesce(?5, limits), granted_at = ?6",
		a, BN_STORE__NARGS(a), err);
}

int bn_store_grant_remove(size_t *removed_out, bn_store *s,
			  const char *skill, const char *bot,
			  const char *capability, const char *scope,
			  bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__TEXT(bot),
		BN_STORE__TEXT(capability), BN_STORE__TEXT(scope),
	};
	int r = bn_store__run(s,
		"DELETE FROM grants WHERE skill = ?1 AND bot = ?2"
		" AND (?3 IS NULL OR capability = ?3)"
		" AND (?4 IS NULL OR scope = ?4)", a, BN_STORE__NARGS(a), err);
	if (!r)
		*removed_out = bn_store__changes(s);
	return r;
}

static void grant_row(void *item, sqlite3_stmt *st)
{
	bn_store_grant *g = item;
	g->skill = bn_store__col_dup(st, 0);
	g->bot = bn_store__col_dup(st, 1);
	g->capability = bn_store__col_dup(st, 2);
	g->scope = bn_store__col_dup(st, 3);
	g->limits = bn_store__col_dup(st, 4);
	g->granted_at = sqlite3_column_int64(st, 5);
}

static void grant_clear(void *item)
{
	bn_store_grant *g = item;
	free(g->skill);
	free(g->bot);
	free(g->capability);
	free(g->scope);
	free(g->limits);
}

int bn_store_grant_list(bn_store_grant **out, size_t *n_out, bn_store *s,
			const char *skill, const char *bot, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(skill), BN_STORE__TEXT(bot) };
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s,
		"SELECT skill, bot, capability, scope, limits, granted_at"
		" FROM grants WHERE (?1 IS NULL OR skill = ?1)"
		" AND (?2 IS NULL OR bot = ?2 OR bot = '"
		BN_STORE_GRANT_EVERY_BOT "')"
		" ORDER BY skill, bot, capability, scope",
		a, BN_STORE__NARGS(a), err);
	return r ? r : bn_store__rows(out, n_out, sizeof(**out), s, st,
				      grant_row, grant_clear, err);
}

int bn_store_grant_suspended_list(bn_store_grant **out, size_t *n_out,
				  bn_store *s, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s,
		"SELECT skill, bot, capability, scope, reason, suspended_at"
		" FROM grants_suspended ORDER BY skill, bot, capability, scope",
		NULL, 0, err);
	return r ? r : bn_store__rows(out, n_out, sizeof(**out), s, st,
				      grant_row, grant_clear, err);
}

int bn_store_grant_unsuspend(bn_store *s, const char *skill, const char *bot,
			     const char *capability, const char *scope,
			     bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__TEXT(bot),
		BN_STORE__TEXT(capability), BN_STORE__TEXT(scope),
	};
	return bn_store__run(s,
		"DELETE FROM grants_suspended WHERE skill = ?1 AND bot = ?2"
		" AND capability = ?3 AND scope = ?4", a, BN_STORE__NARGS(a),
		err);
}

void bn_store_grants_free(bn_store_grant *v, size_t n)
{
	bn_store__rows_free(v, n, sizeof(*v), grant_clear);
}
