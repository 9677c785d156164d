/* SPDX-License-Identifier: MIT */
/*
 * store/installlog.c - the audit_installs table (see installlog.h).  The
 * grants of an install are kept as a JSON array of strings.
 */
#include "installlog.h"

#include <jansson.h>
#include <stdlib.h>

#include "store_int.h"

/* GRANTED as a compact JSON array (owned), or NULL without memory. */
static char *granted_text(const bn_strv *granted)
{
	json_t *a = json_array();
	char *text;

	for (size_t i = 0; a && granted && i < granted->n; i++)
		json_array_append_new(a, json_string(granted->v[i]));
	text = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return text;
}

/* The strings of the JSON array TEXT into OUT; anything else is none. */
static void granted_read(bn_strv *out, const char *text)
{
	json_t *a = text ? json_loads(text, 0, NULL) : NULL;
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (json_is_string(v))
			bn_strv_push(out, json_string_value(v));
	}
	json_decref(a);
}

int bn_store_install_log_add(bn_store *s, const bn_store_install_new *e,
			     bn_err *err)
{
	char *granted = granted_text(e->granted);
	const bn_store__arg a[] = {
		BN_STORE__INT(e->at_ms), BN_STORE__TEXT(e->skill),
		BN_STORE__TEXT(e->action), BN_STORE__TEXT(e->source),
		BN_STORE__TEXT(e->ref), BN_STORE__TEXT(e->tree_hash),
		BN_STORE__TEXT(e->tier),
		BN_STORE__TEXT(granted ? granted : "[]"),
		BN_STORE__INT(e->findings),
	};
	int r = bn_store__run(s,
		"INSERT INTO audit_installs (at_ms, skill, action, source, ref,"
		" tree_hash, tier, granted, findings) VALUES (?1, ?2, ?3, ?4,"
		" ?5, ?6, ?7, ?8, ?9)", a, BN_STORE__NARGS(a), err);

	free(granted);
	return r;
}

static void install_row(void *item, sqlite3_stmt *st)
{
	bn_store_install *x = item;
	x->id = sqlite3_column_int64(st, 0);
	x->at_ms = sqlite3_column_int64(st, 1);
	x->skill = bn_store__col_dup(st, 2);
	x->action = bn_store__col_dup(st, 3);
	x->source = bn_store__col_dup(st, 4);
	x->ref = bn_store__col_dup(st, 5);
	x->tree_hash = bn_store__col_dup(st, 6);
	x->tier = bn_store__col_dup(st, 7);
	granted_read(&x->granted, (const char *)sqlite3_column_text(st, 8));
	x->findings = sqlite3_column_int64(st, 9);
}

static void install_clear(void *item)
{
	bn_store_install *x = item;
	free(x->skill);
	free(x->action);
	free(x->source);
	free(x->ref);
	free(x->tree_hash);
	free(x->tier);
	bn_strv_clear(&x->granted);
}

int bn_store_install_log_list(bn_store_install **out, size_t *n_out,
			      bn_store *s, const char *skill,
			      int64_t since_ms, unsigned limit, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__INT(since_ms),
		BN_STORE__INT(limit ? limit : 100),
	};
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s,
		"SELECT id, at_ms, skill, action, source, ref, tree_hash, tier,"
		" granted, findings FROM audit_installs"
		" WHERE (?1 IS NULL OR skill = ?1) AND at_ms >= ?2"
		" ORDER BY id DESC LIMIT ?3", a, BN_STORE__NARGS(a), err);
	return r ? r : bn_store__rows(out, n_out, sizeof(**out), s, st,
				      install_row, install_clear, err);
}

void bn_store_installs_free(bn_store_install *v, size_t n)
{
	bn_store__rows_free(v, n, sizeof(*v), install_clear);
}
