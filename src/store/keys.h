/* SPDX-License-Identifier: MIT */
/*
 * store/keys.h - the stored public keys the user trusts for skill
 * signatures.
 *
 * Owns: the trusted_keys table (store/keys.c).  Uses: store.  The key
 * format and signature checks are registry/sign.c's; this keeps a key's
 * id, its text and a comment, as given.
 */
#ifndef BN_STORE_KEYS_H
#define BN_STORE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

/* A trusted key as stored: strings owned. */
typedef struct bn_store_key {
	char *key_id;              /* upper-case hex */
	char *pubkey;
	char *comment;             /* "" when none */
	long long added_at;        /* seconds since the epoch */
} bn_store_key;

/* Trust PUBKEY as KEY_ID with COMMENT (NULL: ""), or replace the key and
   comment of KEY_ID (keeping when it was first added). */
int bn_store_key_put(bn_store *s, const char *key_id, const char *pubkey,
		     const char *comment, bn_err *err) BN_MUST_USE;

/* Remove the key whose id (in any case) or text is ID_OR_KEY;
   *removed_out false when there was none. */
int bn_store_key_remove(bool *removed_out, bn_store *s,
			const char *id_or_key, bn_err *err) BN_MUST_USE;

/* Every trusted key, by id: *out owned array of *n_out. */
int bn_store_key_list(bn_store_key **out, size_t *n_out, bn_store *s,
		      bn_err *err) BN_MUST_USE;
void bn_store_keys_free(bn_store_key *v, size_t n);

#endif
