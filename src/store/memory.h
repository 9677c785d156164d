/* SPDX-License-Identifier: MIT */
/*
 * store/memory.h - bots' stored memories and their full-text search.
 *
 * Owns: the memories table and its full-text index memories_fts (SQLite
 * FTS5, external content, kept in step by the triggers of schema step 3)
 * (store/memory.c).  Uses: store.  Every function takes the bot and
 * touches only its rows.  Limits and the grammar of a query are
 * exec/memory.h's; the store matches the words it is given.
 */
#ifndef BN_STORE_MEMORY_H
#define BN_STORE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

/* A memory as stored. */
typedef struct bn_store_memory {
	long long id;          /* unique over all bots */
	char *text;            /* owned */
	long long created_at;  /* seconds since the epoch */
	double rank;           /* lower is better; 0 in a list */
} bn_store_memory;

/* Remember TEXT for BOT; its id into *id_out. */
int bn_store_memory_add(int64_t *id_out, bn_store *s, const char *bot,
			const char *text, bn_err *err) BN_MUST_USE;

/*
 * bn_store_memory_search - up to LIMIT of BOT's memories holding any of
 * WORDS (each matched as a phrase, never as query syntax), best first,
 * into *out (owned array of *n_out).  No words find nothing.
 */
int bn_store_memory_search(bn_store_memory **out, size_t *n_out,
			   bn_store *s, const char *bot, const bn_strv *words,
			   size_t limit, bn_err *err) BN_MUST_USE;

/*
 * bn_store_memory_query - the full-text query the search runs for WORDS
 * (*out owned; "" for none), for messages and tests: with this store,
 * each word an FTS5 string in double quotes (inner ones doubled), joined
 * by " OR ".
 */
int bn_store_memory_query(char **out, const bn_strv *words,
			  bn_err *err) BN_MUST_USE;

/* All of BOT's memories, oldest first: *out owned array of *n_out. */
int bn_store_memory_list(bn_store_memory **out, size_t *n_out, bn_store *s,
			 const char *bot, bn_err *err) BN_MUST_USE;

/* Forget BOT's memory ID; *removed_out false when BOT has none such. */
int bn_store_memory_remove(bool *removed_out, bn_store *s, const char *bot,
			   int64_t id, bn_err *err) BN_MUST_USE;

void bn_store_memories_free(bn_store_memory *v, size_t n);

#endif
