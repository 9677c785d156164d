/* SPDX-License-Identifier: MIT */
/*
 * exec/memory.h - what a bot remembers: short texts it can search.
 *
 * Owns: what may be remembered and how a search query is read.  Uses:
 * base, store (store/memory.h keeps the rows and their full-text index,
 * SQLite FTS5).  Knows nothing of skills:
 * the broker passes the bot a call runs for, never one the module names.
 *
 * Every function takes the bot and touches only that bot's memories: a
 * bot can neither find, list nor remove another's.  The caller checks that
 * the bot exists (bn_store_bot_get); removing a bot removes its memories.
 *
 * A search query is the user's free text, never FTS5 syntax: each
 * whitespace-separated word becomes a quoted FTS5 string and the strings
 * are joined with OR, so punctuation, quotes, `NEAR(`, `*` or `-` in a
 * query are matched as text (or ignored) and never make a syntax error.
 * Results come best first by FTS5's bm25 rank.  Note that bm25 counts
 * words over the whole index, so another bot's memories can shift a rank's
 * value, though never what is returned.
 */
#ifndef BN_EXEC_MEMORY_H
#define BN_EXEC_MEMORY_H

#include <stddef.h>

#include "base/err.h"
#include "store/memory.h"
#include "store/store.h"

#define BN_EXEC_MEMORY_TEXT_MAX ((size_t)64 << 10) /* bytes of one memory */
#define BN_EXEC_MEMORY_QUERY_MAX 1024  /* bytes of a search query */
#define BN_EXEC_MEMORY_TERMS_MAX 32    /* words of a search query */
#define BN_EXEC_MEMORY_LIMIT_MAX 100   /* results of one search */

/* One memory: the store's row as it is read (id, text owned and UTF-8,
   created_at, bm25 rank: lower is better, 0 in a list). */
typedef bn_store_memory bn_exec_memory_item;

/*
 * bn_exec_memory_add - remember TEXT (copied) for BOT; its id in *id_out.
 * Errors: BN_EINVAL (empty text, not UTF-8, bad bot), BN_ELIMIT (text over
 * BN_EXEC_MEMORY_TEXT_MAX), BN_EIO.
 */
int bn_exec_memory_add(long long *id_out, bn_store *s, const char *bot,
		       const char *text, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_memory_search - up to LIMIT (1 to BN_EXEC_MEMORY_LIMIT_MAX) of
 * BOT's memories matching any word of QUERY, best first, into *out (owned
 * array of *n_out; bn_exec_memory_items_free).  A query with no word
 * finds nothing (and is no error).
 * Errors: BN_EINVAL (limit, bad bot), BN_ELIMIT (query over
 * BN_EXEC_MEMORY_QUERY_MAX bytes or BN_EXEC_MEMORY_TERMS_MAX words),
 * BN_EIO.
 */
int bn_exec_memory_search(bn_exec_memory_item **out, size_t *n_out,
			  bn_store *s, const char *bot, const char *query,
			  size_t limit, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_memory_list - all of BOT's memories, oldest first, into *out
 * (owned array of *n_out; bn_exec_memory_items_free).
 */
int bn_exec_memory_list(bn_exec_memory_item **out, size_t *n_out,
			bn_store *s, const char *bot, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_memory_remove - forget BOT's memory ID.
 * Errors: BN_ENOTFOUND when BOT has no memory ID (whether or not another
 * bot has), BN_EINVAL (bad bot), BN_EIO.
 */
int bn_exec_memory_remove(bn_store *s, const char *bot, long long id,
			  bn_err *err) BN_MUST_USE;

void bn_exec_memory_items_free(bn_exec_memory_item *v, size_t n);

/*
 * bn_exec_memory_query_build - the FTS5 query for free text QUERY into
 * *out (owned; "" when QUERY has no word), as described above
 * (bn_store_memory_query of its words).
 * Errors: BN_ELIMIT as for bn_exec_memory_search.
 */
int bn_exec_memory_query_build(char **out, const char *query,
			       bn_err *err) BN_MUST_USE;

#endif
