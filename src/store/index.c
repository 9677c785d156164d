/* SPDX-License-Identifier: MIT */
/*
 * store/index.c - the skill_index table: a cache of what the store's
 * folders hold (name, type, version, description) and of how each skill
 * came in (tier, source).  The folders are the truth; store.c and
 * install.c make the index agree with them through these functions, and
 * bn_store__index_put is the one function that writes a row.
 */
#include "store_int.h"

#include <stdlib.h>
#include <time.h>

int bn_store__index_put(bn_store *s, const bn_skill_manifest *m,
			const char *tier, const char *source, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(m->name),
		BN_STORE__TEXT(bn_skill_type_name(m->type)),
		BN_STORE__TEXT(m->version), BN_STORE__TEXT(m->description),
		BN_STORE__TEXT(tier), BN_STORE__TEXT(source),
		BN_STORE__INT(time(NULL)),
	};
	return bn_store__run(s,
		"INSERT INTO skill_index (name, type, version, description,"
		" tier, source, installed_at) VALUES (?1, ?2, ?3, ?4,"
		" coalesce(?5, 'local'), coalesce(?6, 'created'), ?7)"
		" ON CONFLICT(name) DO UPDATE SET type = ?2, version = ?3,"
		" description = ?4, tier = coalesce(?5, tier),"
		" source = coalesce(?6, source), installed_at ="
		" CASE WHEN ?5 IS NULL THEN installed_at ELSE ?7 END",
		a, BN_STORE__NARGS(a), err);
}

int bn_store__index_remove(bn_store *s, const char *name, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };
	return bn_store__run(s, "DELETE FROM skill_index WHERE name = ?1",
			     a, BN_STORE__NARGS(a), err);
}

int bn_store__index_names(bn_strv *out, bn_store *s, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT name FROM skill_index", err);

	if (r)
		return r;
	while ((r = bn_store__step(s, st, err)) == 1)
		bn_strv_push(out, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return r;
}

static void tier_row(void *item, sqlite3_stmt *st)
{
	*(char **)item = bn_store__col_dup(st, 0);
}

char *bn_store__index_tier(bn_store *s, const char *name)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };
	sqlite3_stmt *st;
	char *t = NULL;
	bool found = false;

	if (bn_store__query(&st, s, "SELECT tier FROM skill_index"
			    " WHERE name = ?1", a, BN_STORE__NARGS(a), NULL) ||
	    bn_store__row(&t, &found, s, st, tier_row, NULL))
		return bn_xstrdup("local");
	return t ? t : bn_xstrdup("local");
}

bool bn_store__index_has(bn_store *s, const char *name, const char *tier,
			 const char *source)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(name), BN_STORE__TEXT(tier),
		BN_STORE__TEXT(source),
	};
	sqlite3_stmt *st;
	bool found = false;

	if (bn_store__query(&st, s, "SELECT 1 FROM skill_index WHERE name = ?1"
			    " AND tier = ?2 AND source = ?3",
			    a, BN_STORE__NARGS(a), NULL) ||
	    bn_store__row(NULL, &found, s, st, NULL, NULL))
		return false;
	return found;
}
