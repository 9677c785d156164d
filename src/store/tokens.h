/* SPDX-License-Identifier: MIT */
/*
 * store/tokens.h - the stored API tokens: each token's name, its role and
 * the SHA-256 of its text, never the text itself.
 *
 * Owns: the api_tokens table (store/tokens.c).  Uses: store.  Making a
 * token, checking a bearer and what a role may do are server/auth.c's
 * and cli/cmd_token.c's; this only keeps the rows, as given.
 */
#ifndef BN_STORE_TOKENS_H
#define BN_STORE_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A token as stored: strings owned. */
typedef struct bn_store_token {
	char *name;
	char *role;                /* "admin" or "user" */
	char *hash;                /* hex SHA-256 of the token's text */
	int64_t created_at;        /* seconds since the epoch */
	int64_t last_used_at;      /* likewise; 0 when never used */
} bn_store_token;

void bn_store_token_clear(bn_store_token *x);

/* Add token NAME with ROLE and HASH; BN_EEXIST naming it when NAME (or
   HASH) is taken. */
int bn_store_token_add(bn_store *s, const char *name, const char *role,
		       const char *hash, bn_err *err) BN_MUST_USE;

/* Token NAME with ROLE and HASH, replacing the role and hash of a token
   of that name (a token file made anew takes its predecessor's place). */
int bn_store_token_set(bn_store *s, const char *name, const char *role,
		       const char *hash, bn_err *err) BN_MUST_USE;

/* The token whose hash is HASH into *out (clear it) and *found_out true;
   *found_out false (and *out untouched) when none. */
int bn_store_token_by_hash(bn_store_token *out, bool *found_out,
			   bn_store *s, const char *hash,
			   bn_err *err) BN_MUST_USE;

/* The token named NAME, likewise. */
int bn_store_token_by_name(bn_store_token *out, bool *found_out,
			   bn_store *s, const char *name,
			   bn_err *err) BN_MUST_USE;

/* Every token, by name: *out owned array of *n_out. */
int bn_store_token_list(bn_store_token **out, size_t *n_out, bn_store *s,
			bn_err *err) BN_MUST_USE;
void bn_store_tokens_free(bn_store_token *v, size_t n);

/* Record that token NAME was used at AT (seconds). */
int bn_store_token_used(bn_store *s, const char *name, int64_t at,
			bn_err *err) BN_MUST_USE;

/* Remove token NAME; *removed_out false when there was none. */
int bn_store_token_remove(bool *removed_out, bn_store *s, const char *name,
			  bn_err *err) BN_MUST_USE;

#endif
