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
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"INSERT INTO secrets (name, nonce, ciphertext, updated_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET"
		" nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
		" updated_at = excluded.updated_at", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, name);
	sqlite3_bind_blob64(st, 2, nonce_len ? nonce : "", nonce_len,
			    SQLITE_TRANSIENT);
	sqlite3_bind_blob64(st, 3, sealed_len ? sealed : "", sealed_len,
			    SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	return bn_store__step_done(s, st, err);
}

/* A copy of blob column I of ST (NULL when empty), its size in *len. */
static unsigned char *col_blob(size_t *len, sqlite3_stmt *st, int i)
{
	const void *p = sqlite3_column_blob(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	unsigned char *c;

	*len = p ? n : 0;
	if (!p || !n)
		return NULL;
	c = bn_xmalloc(n);
	memcpy(c, p, n);
	return c;
}

int bn_store_secret_get(bn_store_secret *out, bool *found_out, bn_store *s,
			const char *name, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT nonce, ciphertext, updated_at"
				  " FROM secrets WHERE name = ?1",
				  err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, name);
	r = bn_store__step(s, st, err);
	if (r == 1) {
		out->name = bn_xstrdup(name);
		out->nonce = col_blob(&out->nonce_len, st, 0);
		out->sealed = col_blob(&out->sealed_len, st, 1);
		out->updated_at = sqlite3_column_int64(st, 2);
	}
	if (r >= 0) {
		*found_out = r == 1;
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

int bn_store_secret_count(size_t *out, bn_store *s, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT count(*) FROM secrets", err);

	if (r)
		return r;
	r = bn_store__step(s, st, err);
	if (r == 1) {
		*out = (size_t)sqlite3_column_int64(st, 0);
		r = 0;
	} else if (r == 0) {
		*out = 0;
	}
	sqlite3_finalize(st);
	return r;
}

int bn_store_secret_list(bn_store_secret **out, size_t *n_out, bn_store *s,
			 bn_err *err)
{
	bn_store_secret *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT name, updated_at"
				  " FROM secrets ORDER BY name", err);

	if (r)
		return r;
	while ((r = bn_store__step(s, st, err)) == 1) {
		const unsigned char *name = sqlite3_column_text(st, 0);
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].name = bn_xstrdup(name ? (const char *)name : "");
		v[n].updated_at = sqlite3_column_int64(st, 1);
		n++;
	}
	sqlite3_finalize(st);
	if (r) {
		bn_store_secrets_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_secrets_free(bn_store_secret *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		bn_store_secret_clear(&v[i]);
	free(v);
}

int bn_store_secret_remove(bool *removed_out, bn_store *s, const char *name,
			   bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "DELETE FROM secrets WHERE name = ?1",
				  err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, name);
	if ((r = bn_store__step_done(s, st, err)))
		return r;
	*removed_out = bn_store__changes(s) > 0;
	return 0;
}
