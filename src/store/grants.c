/* SPDX-License-Identifier: MIT */
/* store/grants.c - the grants table (see grants.h). */
#include "grants.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

int bn_store_grant_put(bn_store *s, const char *skill, const char *hash,
		       const char *bot, const char *capability,
		       const char *scope, const char *limits, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__TEXT(bot),
		BN_STORE__TEXT(capability), BN_STORE__TEXT(scope),
		BN_STORE__TEXT(limits), BN_STORE__INT(time(NULL)),
		BN_STORE__TEXT(hash),
	};
	return bn_store__run(s,
		"INSERT INTO grants (skill, skill_hash, bot, capability, scope,"
		" limits, granted_at) VALUES (?1, ?7, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT(skill, skill_hash, bot, capability, scope)"
		" DO UPDATE SET limits = coalesce(?5, grants.limits),"
		" granted_at = ?6",
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

/* Rows of (skill, bot, capability, scope, limits, granted_at,
   skill_hash); the suspended ones have their reason as limits. */
#define COL(field) BN_STORE__COL(bn_store_grant, field)
static const bn_store__col grant_cols[] = {
	COL(skill), COL(bot), COL(capability), COL(scope), COL(limits),
	COL(granted_at), COL(skill_hash),
};
#undef COL
static const bn_store__shape grant_shape = {
	sizeof(bn_store_grant), grant_cols, BN_STORE__NARGS(grant_cols),
	NULL, NULL,
};

int bn_store_grant_list(bn_store_grant **out, size_t *n_out, bn_store *s,
			const char *skill, const char *hash, const char *bot,
			bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__TEXT(bot), BN_STORE__TEXT(hash),
	};
	return bn_store__select(out, n_out, &grant_shape, s,
		"SELECT skill, bot, capability, scope, limits, granted_at,"
		" skill_hash FROM grants WHERE (?1 IS NULL OR skill = ?1)"
		" AND (?3 IS NULL OR skill_hash = ?3)"
		" AND (?2 IS NULL OR bot = ?2 OR bot = '"
		BN_STORE_GRANT_EVERY_BOT "')"
		" ORDER BY skill, bot, capability, scope",
		a, BN_STORE__NARGS(a), err);
}

int bn_store_grant_suspended_list(bn_store_grant **out, size_t *n_out,
				  bn_store *s, bn_err *err)
{
	return bn_store__select(out, n_out, &grant_shape, s,
		"SELECT skill, bot, capability, scope, reason, suspended_at"
		" FROM grants_suspended ORDER BY skill, bot, capability, scope",
		NULL, 0, err);
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
	bn_store__select_free(v, n, &grant_shape);
}

/* ---- grants follow their skill's identity (store_int.h) --------------- */

int bn_store__grants_forget(bn_store *s, const char *skill, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(skill) };
	/* suspended grants allow nothing, but a later skill of the name
	   must not find them listed as its own */
	int r = bn_store__run(s, "DELETE FROM grants WHERE skill = ?1",
			      a, BN_STORE__NARGS(a), err);
	return r ? r : bn_store__run(s, "DELETE FROM grants_suspended"
				     " WHERE skill = ?1", a,
				     BN_STORE__NARGS(a), err);
}

int bn_store__grants_carry(bn_store *s, const char *skill,
			   const char *old_hash, const char *new_hash,
			   const bn_strv *keep, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(skill), BN_STORE__TEXT(old_hash),
	};
	int r = 0;

	if (!old_hash || !strcmp(old_hash, new_hash))
		return 0;          /* the same bytes: every grant holds */
	for (size_t i = 0; r == 0 && i < keep->n; i++) {
		const bn_store__arg k[] = {
			BN_STORE__TEXT(skill), BN_STORE__TEXT(old_hash),
			BN_STORE__TEXT(new_hash), BN_STORE__TEXT(keep->v[i]),
		};
		/* the moved grant replaces one the new identity has */
		r = bn_store__run(s, "DELETE FROM grants WHERE skill = ?1"
			" AND skill_hash = ?3 AND capability = ?4 AND EXISTS"
			" (SELECT 1 FROM grants o WHERE o.skill = ?1"
			" AND o.skill_hash = ?2 AND o.capability = ?4"
			" AND o.bot = grants.bot AND o.scope = grants.scope)",
			k, BN_STORE__NARGS(k), err);
		if (!r)
			r = bn_store__run(s, "UPDATE grants"
				" SET skill_hash = ?3 WHERE skill = ?1"
				" AND skill_hash = ?2 AND capability = ?4",
				k, BN_STORE__NARGS(k), err);
	}
	return r ? r : bn_store__run(s, "DELETE FROM grants WHERE skill = ?1"
				     " AND skill_hash = ?2", a,
				     BN_STORE__NARGS(a), err);
}

int bn_store__grants_bind(bn_store *s, bool apply, bool *need, bn_err *err)
{
	bool found = false;
	int r = bn_store__select_one(NULL, &found, NULL, s, "SELECT 1"
				     " FROM grants WHERE skill_hash = ''"
				     " LIMIT 1", NULL, 0, err);

	if (r || !found)
		return r;
	*need = true;
	if (!apply)
		return 0;
	/* to the skill installed now; rows of skills that are not (or
	   that have no identity) go */
	r = bn_store__exec(s, "UPDATE grants SET skill_hash = coalesce(("
		"SELECT tree_hash FROM skill_index WHERE name = grants.skill),"
		" '') WHERE skill_hash = '' AND NOT EXISTS (SELECT 1 FROM"
		" grants o JOIN skill_index i ON i.name = o.skill"
		" WHERE o.skill = grants.skill AND o.skill_hash = i.tree_hash"
		" AND o.bot = grants.bot AND o.capability = grants.capability"
		" AND o.scope = grants.scope)", err);
	return r ? r : bn_store__exec(s, "DELETE FROM grants"
				      " WHERE skill_hash = ''", err);
}
