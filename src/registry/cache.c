/* SPDX-License-Identifier: MIT */
/*
 * registry/cache.c - cached GETs of registry listings in the
 * registry_cache table: fresh copies are used as they are, stale ones are
 * revalidated with If-None-Match, and --offline reads the cache alone.
 */
#include "registry.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct cached {
	char *etag;
	char *body;
	size_t len;
	long long fetched_at;
} cached;

static void cached_clear(cached *c)
{
	free(c->etag);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

static bool cache_read(cached *out, bn_store *s, const char *url)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(bn_store_db(s),
		"SELECT etag, body, fetched_at FROM registry_cache"
		" WHERE url = ?1", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *e = sqlite3_column_text(st, 0);
		int n = sqlite3_column_bytes(st, 1);
		out->etag = e ? bn_xstrdup((const char *)e) : NULL;
		out->body = bn_xmalloc((size_t)n + 1);
		memcpy(out->body, sqlite3_column_blob(st, 1), (size_t)n);
		out->body[n] = '\0';
		out->len = (size_t)n;
		out->fetched_at = sqlite3_column_int64(st, 2);
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

static int cache_write(bn_store *s, const char *url, const char *etag,
		       const void *body, size_t len, bn_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(bn_store_db(s),
		"INSERT INTO registry_cache (url, etag, body, fetched_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT(url) DO UPDATE SET"
		" etag = ?2, body = ?3, fetched_at = ?4", -1, &st, NULL) !=
	    SQLITE_OK)
		return bn_err_set(err, BN_EIO, "registry cache: %s",
				  sqlite3_errmsg(bn_store_db(s)));
	sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, etag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 3, len ? body : "", (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return bn_err_set(err, BN_EIO, "registry cache: %s",
				  sqlite3_errmsg(bn_store_db(s)));
	return 0;
}

int bn_registry_get_cached(char **out, size_t *len_out,
			   const bn_registry_ctx *ctx, const char *url,
			   const char *token, bn_err *err)
{
	bn_store *s = ctx->store;
	const bn_registry_config *c = ctx->cfg;
	bool offline = ctx->offline;
	bn_registry_fetch_opts o = BN_REGISTRY_FETCH_OPTS_INIT;
	bn_registry_response resp;
	cached k = { 0 };
	bool have = cache_read(&k, s, url);
	long long now = (long long)time(NULL);
	int r;

	if (have && (offline || now - k.fetched_at < c->cache_ttl_s))
		goto use_cached;
	if (offline) {
		cached_clear(&k);
		return bn_err_set(err, BN_ENOTFOUND,
			"%s: not in the cache (--offline)", url);
	}
	o.etag = have ? k.etag : NULL;
	o.token = token;
	r = bn_registry_fetch(&resp, url, &o, err);
	if (r) {
		cached_clear(&k);
		return r;
	}
	if (resp.status == 304 && have) {
		r = cache_write(s, url, k.etag, k.body, k.len, err);
		bn_registry_response_clear(&resp);
		if (r) {
			cached_clear(&k);
			return r;
		}
		goto use_cached;
	}
	cached_clear(&k);
	r = cache_write(s, url, resp.etag, resp.body.data, resp.body.len, err);
	if (r) {
		bn_registry_response_clear(&resp);
		return r;
	}
	*len_out = resp.body.len;
	*out = resp.body.data ? bn_buf_take(&resp.body) : bn_xstrdup("");
	bn_registry_response_clear(&resp);
	return 0;
use_cached:
	*out = k.body;
	*len_out = k.len;
	k.body = NULL;
	cached_clear(&k);
	return 0;
}
