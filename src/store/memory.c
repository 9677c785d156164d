/* SPDX-License-Identifier: MIT */
/*
 * store/memory.c - the memories table and its full-text index (see
 * memory.h): FTS5 in SQLite, a tsvector in PostgreSQL (the back end's
 * memory_search).  The query is FTS5's syntax, words in double quotes
 * joined by OR, which PostgreSQL's websearch_to_tsquery reads alike.
 * Reference: https://sqlite.org/fts5.html (3.1 query syntax, 5.1.1 bm25,
 * 4.4.3 external content tables).
 */
#include "memory.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

int bn_store_memory_add(int64_t *id_out, bn_store *s, const char *bot,
			const char *text, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot), BN_STORE__TEXT(text),
		BN_STORE__INT(time(NULL)),
	};
	return bn_store__insert_id(id_out, s, "INSERT INTO memories (bot,"
				   " text, created_at) VALUES (?1, ?2, ?3)"
				   " RETURNING id", a, BN_STORE__NARGS(a), err);
}

/* Append W to B as an FTS5 string: in double quotes, each doubled. */
static int append_quoted(bn_buf *b, const char *w)
{
	int r = bn_buf_puts(b, "\"");

	for (; !r && *w; w++)
		r = *w == '"' ? bn_buf_puts(b, "\"\"") : bn_buf_append(b, w, 1);
	return r ? r : bn_buf_puts(b, "\"");
}

int bn_store_memory_query(char **out, const bn_strv *words, bn_err *err)
{
	bn_buf b;
	int r = 0;

	bn_buf_init(&b, 0);
	for (size_t i = 0; !r && i < words->n; i++) {
		if (i)
			r = bn_buf_puts(&b, " OR ");
		if (!r)
			r = append_quoted(&b, words->v[i]);
	}
	if (r) {
		bn_buf_clear(&b);
		return bn_err_oom(err);
	}
	*out = b.data ? bn_buf_take(&b) : bn_xstrdup("");
	return 0;
}

/* Rows of (id, text, created_at[, rank]). */
static void memory_row(void *item, bn_store__stmt *st)
{
	bn_store_memory *m = item;
	const char *text = bn_store__col_text(st, 1);

	m->id = bn_store__col_int(st, 0);
	m->text = bn_xstrdup(text ? text : "");
	m->created_at = bn_store__col_int(st, 2);
	m->rank = bn_store__col_count(st) > 3 ?
		  bn_store__col_real(st, 3) : 0.0;
}

static void memory_clear(void *item)
{
	free(((bn_store_memory *)item)->text);
}

static const bn_store__shape memory_shape = {
	sizeof(bn_store_memory), NULL, 0, memory_row, memory_clear,
};

int bn_store_memory_search(bn_store_memory **out, size_t *n_out,
			   bn_store *s, const char *bot, const bn_strv *words,
			   size_t limit, bn_err *err)
{
	char *match = NULL;
	int r;

	if (words->n == 0 || limit == 0) {
		*out = NULL;
		*n_out = 0;
		return 0;
	}
	if ((r = bn_store_memory_query(&match, words, err)))
		return r;
	const bn_store__arg a[] = {
		BN_STORE__TEXT(match), BN_STORE__TEXT(bot),
		BN_STORE__INT(limit > INT64_MAX ? INT64_MAX : (int64_t)limit),
	};
	r = bn_store__select(out, n_out, &memory_shape, s,
			     s->be->memory_search, a, BN_STORE__NARGS(a), err);
	free(match);
	return r;
}

int bn_store_memory_list(bn_store_memory **out, size_t *n_out, bn_store *s,
			 const char *bot, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(bot) };
	return bn_store__select(out, n_out, &memory_shape, s, "SELECT id,"
				" text, created_at FROM memories WHERE bot = ?1"
				" ORDER BY id", a, BN_STORE__NARGS(a), err);
}

int bn_store_memory_remove(bool *removed_out, bn_store *s, const char *bot,
			   int64_t id, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(id), BN_STORE__TEXT(bot) };

	return bn_store__remove(removed_out, s,
				"DELETE FROM memories WHERE id = ?1"
				" AND bot = ?2",
				a, BN_STORE__NARGS(a), err);
}

void bn_store_memories_free(bn_store_memory *v, size_t n)
{
	bn_store__select_free(v, n, &memory_shape);
}
