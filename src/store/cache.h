/* SPDX-License-Identifier: MIT */
/*
 * store/cache.h - stored copies of what registries answered, by URL.
 *
 * Owns: the registry_cache table (store/cache.c).  Uses: store.  When a
 * copy is fresh enough and how it is revalidated is registry/cache.c's.
 */
#ifndef BN_STORE_CACHE_H
#define BN_STORE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

/* A cached answer. */
typedef struct bn_store_cache_entry {
	char *etag;                /* owned, NULL when none */
	char *body;                /* owned, len bytes and a NUL after them */
	size_t len;
	long long fetched_at;      /* seconds since the epoch */
} bn_store_cache_entry;

void bn_store_cache_entry_clear(bn_store_cache_entry *e);

/* The copy of URL into *out (bn_store_cache_entry_clear) and *found_out
   true; *found_out false (and *out untouched) when there is none. */
int bn_store_cache_get(bn_store_cache_entry *out, bool *found_out,
		       bn_store *s, const char *url, bn_err *err) BN_MUST_USE;

/* Keep LEN bytes of BODY with ETAG (may be NULL) as URL's copy, fetched
   now, replacing any. */
int bn_store_cache_put(bn_store *s, const char *url, const char *etag,
		       const void *body, size_t len, bn_err *err) BN_MUST_USE;

#endif
