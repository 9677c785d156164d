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
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"INSERT INTO grants (skill, bot, capability, scope, limits,"
		" granted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT(skill, bot, capability, scope) DO UPDATE"
		" SET limits = coalesce(?5, limits), granted_at = ?6", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, skill);
	bn_store__bind_text(st, 2, bot);
	bn_store__bind_text(st, 3, capability);
	bn_store__bind_text(st, 4, scope);
	bn_store__bind_text(st, 5, limits);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	return bn_store__step_done(s, st, err);
}

int bn_store_grant_remove(size_t *removed_out, bn_store *s,
			  const char *skill, const char *bot,
			  const char *capability, const char *scope,
			  bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"DELETE FROM grants WHERE skill = ?1 AND bot = ?2"
		" AND (?3 IS NULL OR capability = ?3)"
		" AND (?4 IS NULL OR scope = ?4)", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, skill);
	bn_store__bind_text(st, 2, bot);
	bn_store__bind_text(st, 3, capability);
	bn_store__bind_text(st, 4, scope);
	if ((r = bn_store__step_done(s, st, err)))
		return r;
	*removed_out = bn_store__changes(s);
	return 0;
}

int bn_store_grant_list(bn_store_grant **out, size_t *n_out, bn_store *s,
			const char *skill, const char *bot, bn_err *err)
{
	bn_store_grant *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"SELECT skill, bot, capability, scope, limits, granted_at"
		" FROM grants WHERE (?1 IS NULL OR skill = ?1)"
		" AND (?2 IS NULL OR bot = ?2 OR bot = '"
		BN_STORE_GRANT_EVERY_BOT "')"
		" ORDER BY skill, bot, capability, scope", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, skill);
	bn_store__bind_text(st, 2, bot);
	while ((r = bn_store__step(s, st, err)) == 1) {
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].skill = bn_store__col_dup(st, 0);
		v[n].bot = bn_store__col_dup(st, 1);
		v[n].capability = bn_store__col_dup(st, 2);
		v[n].scope = bn_store__col_dup(st, 3);
		v[n].limits = bn_store__col_dup(st, 4);
		v[n].granted_at = sqlite3_column_int64(st, 5);
		n++;
	}
	sqlite3_finalize(st);
	if (r) {
		bn_store_grants_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_grants_free(bn_store_grant *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].skill);
		free(v[i].bot);
		free(v[i].capability);
		free(v[i].scope);
		free(v[i].limits);
	}
	free(v);
}
