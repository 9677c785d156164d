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

int bn_store_cache_get(bn_store_cache_entry *out, bool *found_out,
		       bn_store *s, const char *url, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT etag, body, fetched_at"
				  " FROM registry_cache WHERE url = ?1", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, url);
	r = bn_store__step(s, st, err);
	if (r == 1) {
		const void *body = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		out->etag = bn_store__col_dup(st, 0);
		out->body = bn_xmalloc(n + 1);
		if (n)
			memcpy(out->body, body, n);
		out->body[n] = '\0';
		out->len = n;
		out->fetched_at = sqlite3_column_int64(st, 2);
	}
	if (r >= 0) {
		*found_out = r == 1;
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

int bn_store_cache_put(bn_store *s, const char *url, const char *etag,
		       const void *body, size_t len, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"INSERT INTO registry_cache (url, etag, body, fetched_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT(url) DO UPDATE SET"
		" etag = ?2, body = ?3, fetched_at = ?4", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, url);
	bn_store__bind_text(st, 2, etag);
	sqlite3_bind_blob64(st, 3, len ? body : "", len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	return bn_store__step_done(s, st, err);
}
