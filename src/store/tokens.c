/* SPDX-License-Identifier: MIT */
/* store/tokens.c - the api_tokens table (see tokens.h). */
#include "tokens.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

void bn_store_token_clear(bn_store_token *x)
{
	free(x->name);
	free(x->role);
	free(x->hash);
	memset(x, 0, sizeof(*x));
}

int bn_store_token_add(bn_store *s, const char *name, const char *role,
		       const char *hash, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(name), BN_STORE__TEXT(role),
		BN_STORE__TEXT(hash), BN_STORE__INT(time(NULL)),
	};
	bn_store_token old = { 0 };
	bool found = false;
	int r = bn_store_token_by_name(&old, &found, s, name, err);

	bn_store_token_clear(&old);
	if (!r && found)
		return bn_err_set(err, BN_EEXIST, "a token named '%s' exists "
				  "already (revoke it first, or pick another "
				  "name)", name);
	if (!r && (r = bn_store_token_by_hash(&old, &found, s, hash,
					       err)) == 0 && found) {
		r = bn_err_set(err, BN_EEXIST, "that token is known already, "
			       "as '%s'", old.name);
		bn_store_token_clear(&old);
	}
	return r ? r : bn_store__run(s,
		"INSERT INTO api_tokens (name, role, hash, created_at)"
		" VALUES (?1, ?2, ?3, ?4)", a, BN_STORE__NARGS(a), err);
}

int bn_store_token_set(bn_store *s, const char *name, const char *role,
		       const char *hash, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(name), BN_STORE__TEXT(role),
		BN_STORE__TEXT(hash), BN_STORE__INT(time(NULL)),
	};
	return bn_store__run(s,
		"INSERT INTO api_tokens (name, role, hash, created_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET"
		" role = excluded.role, hash = excluded.hash,"
		" created_at = excluded.created_at, last_used_at = NULL",
		a, BN_STORE__NARGS(a), err);
}

#define COL(field) BN_STORE__COL(bn_store_token, field)
BN_STORE__TABLE(token, bn_store_token,
	COL(name), COL(role), COL(hash), COL(created_at), COL(last_used_at));
#undef COL

#define TOKEN_COLS "SELECT name, role, hash, created_at," \
	" coalesce(last_used_at, 0) FROM api_tokens"

/* The one token SQL (with one parameter, V) selects. */
static int token_one(bn_store_token *out, bool *found_out, bn_store *s,
		     const char *sql, const char *v, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(v) };
	return bn_store__select_one(out, found_out, &token_shape, s, sql, a,
				    BN_STORE__NARGS(a), err);
}

int bn_store_token_by_hash(bn_store_token *out, bool *found_out,
			   bn_store *s, const char *hash, bn_err *err)
{
	return token_one(out, found_out, s, TOKEN_COLS " WHERE hash = ?1",
			 hash, err);
}

int bn_store_token_by_name(bn_store_token *out, bool *found_out,
			   bn_store *s, const char *name, bn_err *err)
{
	return token_one(out, found_out, s, TOKEN_COLS " WHERE name = ?1",
			 name, err);
}

int bn_store_token_list(bn_store_token **out, size_t *n_out, bn_store *s,
			bn_err *err)
{
	return bn_store__select(out, n_out, &token_shape, s,
				TOKEN_COLS " ORDER BY name", NULL, 0, err);
}

void bn_store_tokens_free(bn_store_token *v, size_t n)
{
	bn_store__select_free(v, n, &token_shape);
}

int bn_store_token_used(bn_store *s, const char *name, int64_t at,
			bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name), BN_STORE__INT(at) };

	return bn_store__run(s, "UPDATE api_tokens SET last_used_at = ?2"
			     " WHERE name = ?1", a, BN_STORE__NARGS(a), err);
}

int bn_store_token_remove(bool *removed_out, bn_store *s, const char *name,
			  bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };

	return bn_store__remove(removed_out, s,
				"DELETE FROM api_tokens WHERE name = ?1",
				a, BN_STORE__NARGS(a), err);
}
