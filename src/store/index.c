/* SPDX-License-Identifier: MIT */
/*
 * store/index.c - the skill_index table: a cache of what the store's
 * folders hold (name, type, version, description) and the record of how
 * each skill came in (tier, source, tree hash).  The folders say which
 * skills are installed; the rows alone say where each came from, since a
 * file inside a skill folder can be edited by anyone who can write
 * there.  store.c and install.c make the index agree with the folders
 * through these functions, and bn_store__index_put is the one function
 * that writes a row's provenance.
 *
 * Every write here also counts one more in store_state's 'index_gen':
 * the key a home keeps of the index (store.c's state_key) holds it, so a
 * row that another home sharing the database rewrote within the same
 * second (a forced reinstall: same count, same installed_at) still
 * makes this home compare its folders again.  It is counted after the
 * row is written, so a home that reads between the two compares again
 * at its next open, never misses it.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Count one more write of the index (see above); R passed through. */
static int bumped(bn_store *s, int r, bn_err *err)
{
	if (r)
		return r;
	return bn_store__exec(s, "INSERT INTO store_state (key, value)"
			      " VALUES ('index_gen', '1') ON CONFLICT (key)"
			      " DO UPDATE SET value = CAST(CAST("
			      "store_state.value AS INTEGER) + 1 AS TEXT)",
			      err);
}

/* Run SQL with M's fields (?1-?4), TIER, SOURCE, the time and HASH. */
static int index_write(bn_store *s, const char *sql,
		       const bn_skill_manifest *m, const char *tier,
		       const char *source, const char *hash, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(m->name),
		BN_STORE__TEXT(bn_skill_type_name(m->type)),
		BN_STORE__TEXT(m->version), BN_STORE__TEXT(m->description),
		BN_STORE__TEXT(tier), BN_STORE__TEXT(source),
		BN_STORE__INT(time(NULL)), BN_STORE__TEXT(hash),
	};
	return bumped(s, bn_store__run(s, sql, a, BN_STORE__NARGS(a), err),
		      err);
}

int bn_store__index_put(bn_store *s, const bn_skill_manifest *m,
			const char *tier, const char *source,
			const char *hash, bn_err *err)
{
	return index_write(s,
		"INSERT INTO skill_index (name, type, version, description,"
		" tier, source, installed_at, tree_hash) VALUES (?1, ?2, ?3,"
		" ?4, coalesce(?5, 'local'), coalesce(?6, 'created'), ?7, ?8)"
		" ON CONFLICT(name) DO UPDATE SET type = ?2, version = ?3,"
		" description = ?4, tier = coalesce(?5, skill_index.tier),"
		" source = coalesce(?6, skill_index.source), installed_at ="
		" CASE WHEN ?5 IS NULL THEN skill_index.installed_at"
		" ELSE ?7 END,"
		" tree_hash = coalesce(?8, skill_index.tree_hash),"
		" pending_hash = NULL, pending_tier = NULL,"
		" pending_source = NULL", m, tier, source, hash, err);
}

int bn_store__index_pending(bn_store *s, const bn_skill_manifest *m,
			    const char *tier, const char *source,
			    const char *hash, bn_err *err)
{
	/* a new row is the lowest tier until the install completes */
	return index_write(s,
		"INSERT INTO skill_index (name, type, version, description,"
		" tier, source, installed_at, pending_hash, pending_tier,"
		" pending_source) VALUES (?1, ?2, ?3, ?4, 'untrusted', ?6, ?7,"
		" ?8, ?5, ?6)"
		" ON CONFLICT(name) DO UPDATE SET pending_hash = ?8,"
		" pending_tier = ?5, pending_source = ?6",
		m, tier, source, hash, err);
}

int bn_store__index_settle(bn_store *s, const char *name,
			   const char *hash, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(name), BN_STORE__TEXT(hash),
		BN_STORE__INT(time(NULL)),
	};
	return bumped(s, bn_store__run(s,
		"UPDATE skill_index SET"
		" tier = CASE WHEN pending_hash = ?2 THEN pending_tier"
		"  ELSE tier END,"
		" source = CASE WHEN pending_hash = ?2 THEN pending_source"
		"  ELSE source END,"
		" installed_at = CASE WHEN pending_hash = ?2 THEN ?3"
		"  ELSE installed_at END,"
		" tree_hash = CASE WHEN pending_hash = ?2 THEN ?2"
		"  ELSE coalesce(tree_hash, ?2) END,"
		" pending_grants = CASE WHEN pending_hash = ?2"
		"  THEN pending_grants END,"
		" pending_hash = NULL, pending_tier = NULL,"
		" pending_source = NULL WHERE name = ?1",
		a, BN_STORE__NARGS(a), err), err);
}

int bn_store__index_remove(bn_store *s, const char *name, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };
	return bumped(s, bn_store__run(s, "DELETE FROM skill_index WHERE"
				       " name = ?1", a, BN_STORE__NARGS(a),
				       err), err);
}

/* Append the first column of every row of SQL to *out. */
static int names_of(bn_strv *out, bn_store *s, const char *sql, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__prepare(&st, s, sql, err);

	if (r)
		return r;
	while ((r = bn_store__step(s, st, err)) == 1)
		bn_strv_push(out, bn_store__col_text(st, 0));
	bn_store__done(s, st);
	return r;
}

int bn_store__index_names(bn_strv *out, bn_store *s, bn_err *err)
{
	return names_of(out, s, "SELECT name FROM skill_index", err);
}

void bn_store__text_row(void *item, bn_store__stmt *st)
{
	*(char **)item = bn_store__col_dup(st, 0);
}

/* The one text column SQL selects from NAME's row (?1): owned, or NULL
   when there is no row or the column is NULL. */
static char *index_column(bn_store *s, const char *name, const char *sql)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };
	bn_store__stmt *st;
	char *t = NULL;
	bool found = false;

	if (bn_store__query(&st, s, sql, a, BN_STORE__NARGS(a), NULL) ||
	    bn_store__row(&t, &found, s, st, bn_store__text_row, NULL))
		return NULL;
	return t;
}

int bn_store__index_pending_grants(bn_store *s, const char *name,
				   const char *grants, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(name), BN_STORE__TEXT(grants),
	};
	return bn_store__run(s, "UPDATE skill_index SET pending_grants = ?2"
			     " WHERE name = ?1", a, BN_STORE__NARGS(a), err);
}

char *bn_store__index_pending_grants_get(bn_store *s, const char *name)
{
	return index_column(s, name, "SELECT pending_grants FROM skill_index"
			    " WHERE name = ?1 AND pending_hash IS NULL");
}

char *bn_store__index_tier(bn_store *s, const char *name)
{
	char *t = index_column(s, name, "SELECT tier FROM skill_index"
			       " WHERE name = ?1");
	return t ? t : bn_xstrdup("local");
}

char *bn_store__index_hash(bn_store *s, const char *name)
{
	char *h = index_column(s, name, "SELECT tree_hash FROM skill_index"
			       " WHERE name = ?1");
	if (h && !*h) {
		free(h);
		h = NULL;
	}
	return h;
}

int bn_store__index_unsettled(bn_strv *out, bn_store *s, bn_err *err)
{
	return names_of(out, s, "SELECT name FROM skill_index WHERE"
			" pending_hash IS NOT NULL OR tree_hash IS NULL", err);
}
