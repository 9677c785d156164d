/* SPDX-License-Identifier: MIT */
/* store/cache.c - the registry_cache table (see cache.h). */
#include "cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

void bn_store_cache_entry_clear(bn_store_cache_entry *e)
{
	free(e->etag);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

static void entry_row(void *item, bn_store__stmt *st)
{
	bn_store_cache_entry *e = item;
	size_t n;
	const void *body = bn_store__col_blob(st, 1, &n);

	e->etag = bn_store__col_dup(st, 0);
	e->body = bn_xmalloc(n + 1);
	if (n)
		memcpy(e->body, body, n);
	e->body[n] = '\0';
	e->len = n;
	e->fetched_at = bn_store__col_int(st, 2);
}

int bn_store_cache_get(bn_store_cache_entry *out, bool *found_out,
		       bn_store *s, const char *url, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(url) };
	const bn_store__shape sh = { sizeof(*out), NULL, 0, entry_row, NULL };

	return bn_store__select_one(out, found_out, &sh, s, "SELECT etag,"
				    " body, fetched_at FROM registry_cache"
				    " WHERE url = ?1", a, BN_STORE__NARGS(a),
				    err);
}

int bn_store_cache_put(bn_store *s, const char *url, const char *etag,
		       const void *body, size_t len, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(url), BN_STORE__TEXT(etag),
		BN_STORE__BLOB(body, len), BN_STORE__INT(time(NULL)),
	};
	return bn_store__run(s,
		"INSERT INTO registry_cache (url, etag, body, fetched_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT(url) DO UPDATE SET"
		" etag = ?2, body = ?3, fetched_at = ?4",
		a, BN_STORE__NARGS(a), err);
}
