/* SPDX-License-Identifier: MIT */
/*
 * exec/memory.c - bots' memories (see memory.h): the checks on bots,
 * texts and queries, and a query's words; the rows and the full-text
 * search are store/memory.c's.
 */
#include "memory.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/memory.h"

#define BOT_MAX 64  /* bytes of a bot slug */

static int db_fail(int r, bn_err *err)
{
	bn_err_prefix(err, "memory");
	return r;
}

static int bot_check(const char *bot, bn_err *err)
{
	if (!bot || !*bot || strlen(bot) > BOT_MAX)
		return bn_err_set(err, BN_EINVAL, "memory: a bot slug of 1 to "
				  "%d bytes is needed", BOT_MAX);
	return 0;
}

int bn_exec_memory_add(long long *id_out, bn_store *s, const char *bot,
		       const char *text, bn_err *err)
{
	int64_t id;
	size_t len;
	int r;

	if ((r = bot_check(bot, err)))
		return r;
	len = text ? strlen(text) : 0;
	if (len == 0)
		return bn_err_set(err, BN_EINVAL, "memory: the text is empty");
	if (len > BN_EXEC_MEMORY_TEXT_MAX)
		return bn_err_set(err, BN_ELIMIT, "memory: the text is %zu "
				  "bytes, the limit is %zu", len,
				  BN_EXEC_MEMORY_TEXT_MAX);
	if (bn_utf8_valid_len(text, len) != len)
		return bn_err_set(err, BN_EINVAL, "memory: the text is not "
				  "valid UTF-8");
	if ((r = bn_store_memory_add(&id, s, bot, text, err)))
		return db_fail(r, err);
	*id_out = id;
	return 0;
}

/* Whether the word W[0..n) holds a byte a full-text index may index
   (FTS5's unicode61 tokenizer: letters, digits, anything not ASCII). */
static bool has_token_char(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') ||
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return true;
	}
	return false;
}

/* The words of free text QUERY that can match, into *out (appended). */
static int query_words(bn_strv *out, const char *query, bn_err *err)
{
	static const char space[] = " \t\n\r\v\f";
	size_t len = query ? strlen(query) : 0;
	const char *p = query;

	if (len > BN_EXEC_MEMORY_QUERY_MAX)
		return bn_err_set(err, BN_ELIMIT, "memory: the query is %zu "
				  "bytes, the limit is %d", len,
				  BN_EXEC_MEMORY_QUERY_MAX);
	while (len && *p) {
		size_t n;
		p += strspn(p, space);
		n = strcspn(p, space);
		if (n == 0)
			break;
		if (has_token_char(p, n)) {
			if (out->n == BN_EXEC_MEMORY_TERMS_MAX)
				return bn_err_set(err, BN_ELIMIT, "memory: the "
					"query has more than %d words",
					BN_EXEC_MEMORY_TERMS_MAX);
			char *w = bn_xstrndup(p, n);
			bn_strv_push(out, w);
			free(w);
		}
		p += n;
	}
	return 0;
}

int bn_exec_memory_query_build(char **out, const char *query, bn_err *err)
{
	bn_strv words = { 0 };
	int r = query_words(&words, query, err);

	if (!r)
		r = bn_store_memory_query(out, &words, err);
	bn_strv_clear(&words);
	return r;
}

int bn_exec_memory_search(bn_exec_memory_item **out, size_t *n_out,
			  bn_store *s, const char *bot, const char *query,
			  size_t limit, bn_err *err)
{
	bn_strv words = { 0 };
	int r;

	if ((r = bot_check(bot, err)))
		return r;
	if (limit == 0 || limit > BN_EXEC_MEMORY_LIMIT_MAX)
		return bn_err_set(err, BN_EINVAL, "memory: the limit must be "
				  "1 to %d, not %zu", BN_EXEC_MEMORY_LIMIT_MAX,
				  limit);
	if ((r = query_words(&words, query, err)))
		goto out;
	if ((r = bn_store_memory_search(out, n_out, s, bot, &words, limit,
					err)))
		r = db_fail(r, err);
out:
	bn_strv_clear(&words);
	return r;
}

int bn_exec_memory_list(bn_exec_memory_item **out, size_t *n_out,
			bn_store *s, const char *bot, bn_err *err)
{
	int r;

	if ((r = bot_check(bot, err)))
		return r;
	if ((r = bn_store_memory_list(out, n_out, s, bot, err)))
		return db_fail(r, err);
	return 0;
}

int bn_exec_memory_remove(bn_store *s, const char *bot, long long id,
			  bn_err *err)
{
	bool removed = false;
	int r;

	if ((r = bot_check(bot, err)))
		return r;
	if ((r = bn_store_memory_remove(&removed, s, bot, id, err)))
		return db_fail(r, err);
	if (!removed)
		return bn_err_set(err, BN_ENOTFOUND, "bot '%s' has no memory "
				  "%lld", bot, id);
	return 0;
}

void bn_exec_memory_items_free(bn_exec_memory_item *v, size_t n)
{
	bn_store_memories_free(v, n);
}
