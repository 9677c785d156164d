/* SPDX-License-Identifier: MIT */
/*
 * registry/cache.c - cached GETs of registry listings, kept as rows of
 * store/cache.h (the registry_cache table): fresh copies are used as they are, stale ones are
 * revalidated with If-None-Match, and --offline reads the cache alone.
 */
#include "registry.h"
#include "registry_int.h"

#include "store/cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* URL's cached copy into *out; false when there is none or it cannot be
   read (then it is fetched again). */
static bool cache_read(bn_store_cache_entry *out, bn_store *s,
		       const char *url)
{
	bool found = false;
	return bn_store_cache_get(out, &found, s, url, NULL) == 0 && found;
}

static int cache_write(bn_store *s, const char *url, const char *etag,
		       const void *body, size_t len, bn_err *err)
{
	int r = bn_store_cache_put(s, url, etag, body, len, err);
	if (r)
		bn_err_prefix(err, "registry cache");
	return r;
}

int bn_registry__get_json(json_t **out, const bn_registry_ctx *ctx,
			  const char *url, const char *token,
			  const char *what, bn_err *err)
{
	json_error_t je;
	size_t len;
	char *body;
	json_t *j;
	int r = bn_registry_get_cached(&body, &len, ctx, url, token, err);

	if (r)
		return r;
	j = json_loadb(body, len, 0, &je);
	free(body);
	if (!j)
		return bn_err_set(err, BN_EINVAL, "%s: malformed or truncated "
				  "JSON (line %d: %s)", what, je.line,
				  je.text);
	*out = j;
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
	bn_store_cache_entry k = { 0 };
	bool have = cache_read(&k, s, url);
	long long now = (long long)time(NULL);
	int r;

	if (have && (offline || now - k.fetched_at < c->cache_ttl_s))
		goto use_cached;
	if (offline) {
		bn_store_cache_entry_clear(&k);
		return bn_err_set(err, BN_ENOTFOUND,
			"%s: not in the cache (--offline)", url);
	}
	o.etag = have ? k.etag : NULL;
	o.token = token;
	r = bn_registry_fetch(&resp, url, &o, err);
	if (r) {
		bn_store_cache_entry_clear(&k);
		return r;
	}
	if (resp.status == 304 && have) {
		r = cache_write(s, url, k.etag, k.body, k.len, err);
		bn_registry_response_clear(&resp);
		if (r) {
			bn_store_cache_entry_clear(&k);
			return r;
		}
		goto use_cached;
	}
	bn_store_cache_entry_clear(&k);
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
	bn_store_cache_entry_clear(&k);
	return 0;
}
