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
	sqlite3_stmt *st;
	char *granted;
	int r = bn_store__prepare(&st, s,
		"INSERT INTO audit_installs (at_ms, skill, action, source, ref,"
		" tree_hash, tier, granted, findings) VALUES (?1, ?2, ?3, ?4,"
		" ?5, ?6, ?7, ?8, ?9)", err);

	if (r)
		return r;
	granted = granted_text(e->granted);
	sqlite3_bind_int64(st, 1, e->at_ms);
	bn_store__bind_text(st, 2, e->skill);
	bn_store__bind_text(st, 3, e->action);
	bn_store__bind_text(st, 4, e->source);
	bn_store__bind_text(st, 5, e->ref);
	bn_store__bind_text(st, 6, e->tree_hash);
	bn_store__bind_text(st, 7, e->tier);
	bn_store__bind_text(st, 8, granted ? granted : "[]");
	sqlite3_bind_int64(st, 9, (sqlite3_int64)e->findings);
	free(granted);
	return bn_store__step_done(s, st, err);
}

int bn_store_install_log_list(bn_store_install **out, size_t *n_out,
			      bn_store *s, const char *skill,
			      int64_t since_ms, unsigned limit, bn_err *err)
{
	bn_store_install *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"SELECT id, at_ms, skill, action, source, ref, tree_hash, tier,"
		" granted, findings FROM audit_installs"
		" WHERE (?1 IS NULL OR skill = ?1) AND at_ms >= ?2"
		" ORDER BY id DESC LIMIT ?3", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, skill);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, limit ? limit : 100);
	while ((r = bn_store__step(s, st, err)) == 1) {
		bn_store_install *x;
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		x = &v[n++];
		x->id = sqlite3_column_int64(st, 0);
		x->at_ms = sqlite3_column_int64(st, 1);
		x->skill = bn_store__col_dup(st, 2);
		x->action = bn_store__col_dup(st, 3);
		x->source = bn_store__col_dup(st, 4);
		x->ref = bn_store__col_dup(st, 5);
		x->tree_hash = bn_store__col_dup(st, 6);
		x->tier = bn_store__col_dup(st, 7);
		x->granted = (bn_strv){ 0 };
		granted_read(&x->granted,
			     (const char *)sqlite3_column_text(st, 8));
		x->findings = sqlite3_column_int64(st, 9);
	}
	sqlite3_finalize(st);
	if (r) {
		bn_store_installs_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_installs_free(bn_store_install *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].skill);
		free(v[i].action);
		free(v[i].source);
		free(v[i].ref);
		free(v[i].tree_hash);
		free(v[i].tier);
		bn_strv_clear(&v[i].granted);
	}
	free(v);
}
