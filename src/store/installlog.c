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

#define COL(field) BN_STORE__COL(bn_store_install, field)
static const bn_store__col install_cols[] = {
	COL(id), COL(at_ms), COL(skill), COL(action), COL(source), COL(ref),
	COL(tree_hash), COL(tier), COL(granted), COL(findings),
};
#undef COL
static const bn_store__shape install_shape = {
	sizeof(bn_store_install), install_cols,
	BN_STORE__NARGS(install_cols), NULL, NULL,
};

int bn_store_install_log_list(bn_store_install **out, size_t *n_out,
			      bn_store *s, const char *skill,
			      int64_t since_ms, unsigned limit, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__INT(since_ms),
		BN_STORE__INT(limit ? limit : 100),
	};
	return bn_store__select(out, n_out, &install_shape, s,
		"SELECT id, at_ms, skill, action, source, ref, tree_hash, tier,"
		" granted, findings FROM audit_installs"
		" WHERE (?1 IS NULL OR skill = ?1) AND at_ms >= ?2"
		" ORDER BY id DESC LIMIT ?3", a, BN_STORE__NARGS(a), err);
}

void bn_store_installs_free(bn_store_install *v, size_t n)
{
	bn_store__select_free(v, n, &install_shape);
}
