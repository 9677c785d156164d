/* SPDX-License-Identifier: MIT */
/* store/secrets.c - the secrets table (see secrets.h). */
#include "secrets.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

void bn_store_secret_clear(bn_store_secret *x)
{
	free(x->name);
	free(x->nonce);
	free(x->sealed);
	memset(x, 0, sizeof(*x));
}

int bn_store_secret_put(bn_store *s, const char *name, const void *nonce,
			size_t nonce_len, const void *sealed,
			size_t sealed_len, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(name), BN_STORE__BLOB(nonce, nonce_len),
		BN_STORE__BLOB(sealed, sealed_len), BN_STORE__INT(time(NULL)),
	};
	return bn_store__run(s,
		"INSERT INTO secrets (name, nonce, ciphertext, updated_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET"
		" nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
		" updated_at = excluded.updated_at",
		a, BN_STORE__NARGS(a), err);
}

/* A copy of blob column I of ST (NULL when empty), its size in *len. */
static unsigned char *col_blob(size_t *len, bn_store__stmt *st, int i)
{
	size_t n;
	const void *p = bn_store__col_blob(st, i, &n);
	unsigned char *c;

	*len = p ? n : 0;
	if (!p || !n)
		return NULL;
	c = bn_xmalloc(n);
	memcpy(c, p, n);
	return c;
}

/* Rows of (name, updated_at[, nonce, ciphertext]). */
static void secret_row(void *item, bn_store__stmt *st)
{
	bn_store_secret *x = item;
	const char *name = bn_store__col_text(st, 0);

	x->name = bn_xstrdup(name ? name : "");
	x->updated_at = bn_store__col_int(st, 1);
	if (bn_store__col_count(st) > 2) {
		x->nonce = col_blob(&x->nonce_len, st, 2);
		x->sealed = col_blob(&x->sealed_len, st, 3);
	} else {
		x->nonce = x->sealed = NULL;
		x->nonce_len = x->sealed_len = 0;
	}
}

static void secret_clear(void *item)
{
	bn_store_secret_clear(item);
}

static const bn_store__shape secret_shape = {
	sizeof(bn_store_secret), NULL, 0, secret_row, secret_clear,
};

int bn_store_secret_get(bn_store_secret *out, bool *found_out, bn_store *s,
			const char *name, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };
	return bn_store__select_one(out, found_out, &secret_shape, s,
				    "SELECT name, updated_at, nonce, ciphertext"
				    " FROM secrets WHERE name = ?1",
				    a, BN_STORE__NARGS(a), err);
}

int bn_store_secret_count(size_t *out, bn_store *s, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__query(&st, s, "SELECT count(*) FROM secrets",
				NULL, 0, err);

	if (r)
		return r;
	*out = 0;
	if ((r = bn_store__step(s, st, err)) == 1) {
		*out = (size_t)bn_store__col_int(st, 0);
		r = 0;
	}
	bn_store__done(s, st);
	return r;
}

int bn_store_secret_list(bn_store_secret **out, size_t *n_out, bn_store *s,
			 bn_err *err)
{
	return bn_store__select(out, n_out, &secret_shape, s, "SELECT name,"
				" updated_at FROM secrets ORDER BY name",
				NULL, 0, err);
}

void bn_store_secrets_free(bn_store_secret *v, size_t n)
{
	bn_store__select_free(v, n, &secret_shape);
}

int bn_store_secret_remove(bool *removed_out, bn_store *s, const char *name,
			   bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(name) };

	return bn_store__remove(removed_out, s,
				"DELETE FROM secrets WHERE name = ?1",
				a, BN_STORE__NARGS(a), err);
}
