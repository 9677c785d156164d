/* SPDX-License-Identifier: MIT */
/*
 * store/secrets.h - the stored rows of the secret vault: each secret's
 * name, the nonce and the sealed bytes, never a value in the clear.
 *
 * Owns: the secrets table (store/secrets.c).  Uses: store.  Sealing,
 * keys and names are exec/vault.h's; this only keeps the bytes, as given.
 */
#ifndef BN_STORE_SECRETS_H
#define BN_STORE_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

/* A secret as stored: owned. */
typedef struct bn_store_secret {
	char *name;
	unsigned char *nonce;      /* NULL in a list */
	size_t nonce_len;
	unsigned char *sealed;     /* NULL in a list */
	size_t sealed_len;
	long long updated_at;      /* seconds since the epoch */
} bn_store_secret;

void bn_store_secret_clear(bn_store_secret *x);

/* Write secret NAME's NONCE and SEALED bytes (copied), replacing any. */
int bn_store_secret_put(bn_store *s, const char *name, const void *nonce,
			size_t nonce_len, const void *sealed,
			size_t sealed_len, bn_err *err) BN_MUST_USE;

/* Secret NAME into *out (clear it with bn_store_secret_clear) and
   *found_out true; *found_out false (and *out untouched) when none. */
int bn_store_secret_get(bn_store_secret *out, bool *found_out, bn_store *s,
			const char *name, bn_err *err) BN_MUST_USE;

/* How many secrets are stored. */
int bn_store_secret_count(size_t *out, bn_store *s, bn_err *err) BN_MUST_USE;

/* Every secret's name and time of last write, by name (no bytes):
   *out owned array of *n_out. */
int bn_store_secret_list(bn_store_secret **out, size_t *n_out, bn_store *s,
			 bn_err *err) BN_MUST_USE;
void bn_store_secrets_free(bn_store_secret *v, size_t n);

/* Remove secret NAME; *removed_out false when there was none. */
int bn_store_secret_remove(bool *removed_out, bn_store *s, const char *name,
			   bn_err *err) BN_MUST_USE;

#endif
