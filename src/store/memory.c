/* SPDX-License-Identifier: MIT */
/*
 * store/memory.c - the memories table and its FTS5 index (see memory.h).
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
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "INSERT INTO memories (bot, text,"
				  " created_at) VALUES (?1, ?2, ?3)", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, bot);
	bn_store__bind_text(st, 2, text);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if ((r = bn_store__step_done(s, st, err)))
		return r;
	*id_out = bn_store__last_id(s);
	return 0;
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

/* Read rows (id, text, created_at[, rank]) of ST into an owned array. */
static int rows_collect(bn_store_memory **out, size_t *n_out, bn_store *s,
			sqlite3_stmt *st, bool ranked, bn_err *err)
{
	bn_store_memory *v = NULL;
	size_t n = 0;
	int r;

	while ((r = bn_store__step(s, st, err)) == 1) {
		const unsigned char *text = sqlite3_column_text(st, 1);
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].id = sqlite3_column_int64(st, 0);
		v[n].text = bn_xstrdup(text ? (const char *)text : "");
		v[n].created_at = sqlite3_column_int64(st, 2);
		v[n].rank = ranked ? sqlite3_column_double(st, 3) : 0.0;
		n++;
	}
	if (r) {
		bn_store_memories_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

int bn_store_memory_search(bn_store_memory **out, size_t *n_out,
			   bn_store *s, const char *bot, const bn_strv *words,
			   size_t limit, bn_err *err)
{
	sqlite3_stmt *st;
	char *match = NULL;
	int r;

	if (words->n == 0 || limit == 0) {
		*out = NULL;
		*n_out = 0;
		return 0;
	}
	if ((r = bn_store_memory_query(&match, words, err)))
		return r;
	r = bn_store__prepare(&st, s, "SELECT m.id, m.text, m.created_at,"
		" memories_fts.rank FROM memories_fts"
		" JOIN memories AS m ON m.id = memories_fts.rowid"
		" WHERE memories_fts MATCH ?1 AND m.bot = ?2"
		" ORDER BY memories_fts.rank, m.id LIMIT ?3", err);
	if (!r) {
		bn_store__bind_text(st, 1, match);
		bn_store__bind_text(st, 2, bot);
		sqlite3_bind_int64(st, 3, limit > INT64_MAX ? INT64_MAX :
				   (sqlite3_int64)limit);
		r = rows_collect(out, n_out, s, st, true, err);
		sqlite3_finalize(st);
	}
	free(match);
	return r;
}

int bn_store_memory_list(bn_store_memory **out, size_t *n_out, bn_store *s,
			 const char *bot, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT id, text, created_at"
				  " FROM memories WHERE bot = ?1 ORDER BY id",
				  err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, bot);
	r = rows_collect(out, n_out, s, st, false, err);
	sqlite3_finalize(st);
	return r;
}

int bn_store_memory_remove(bool *removed_out, bn_store *s, const char *bot,
			   int64_t id, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "DELETE FROM memories"
				  " WHERE id = ?1 AND bot = ?2", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	bn_store__bind_text(st, 2, bot);
	if ((r = bn_store__step_done(s, st, err)))
		return r;
	*removed_out = bn_store__changes(s) > 0;
	return 0;
}

void bn_store_memories_free(bn_store_memory *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].text);
	free(v);
}
