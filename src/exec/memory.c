/* SPDX-License-Identifier: MIT */
/*
 * exec/memory.c - bots' memories in SQLite with an FTS5 index (see
 * memory.h).  The tables and triggers are store/db.c's migration 3; this
 * file only reads and writes rows, always filtered by bot.  Reference:
 * https://sqlite.org/fts5.html (3.1 query syntax, 5.1.1 bm25, 4.4.3
 * external content tables).
 */
#include "memory.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

#define BOT_MAX 64  /* bytes of a bot slug */

static int db_fail(bn_store *s, bn_err *err)
{
	return bn_err_set(err, BN_EIO, "memory: %s",
			  sqlite3_errmsg(bn_store_db(s)));
}

static int prepare(sqlite3_stmt **out, bn_store *s, const char *sql,
		   bn_err *err)
{
	if (sqlite3_prepare_v2(bn_store_db(s), sql, -1, out, NULL) !=
	    SQLITE_OK)
		return db_fail(s, err);
	return 0;
}

static int bot_check(const char *bot, bn_err *err)
{
	if (!bot || !*bot || strlen(bot) > BOT_MAX)
		return bn_err_set(err, BN_EINVAL, "memory: a bot slug of 1 to "
				  "%d bytes is needed", BOT_MAX);
	return 0;
}

/* Whether the N bytes at P are well-formed UTF-8 (RFC 3629). */
static bool is_utf8(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], len, cp, k;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len > n - i)
			return false;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

int bn_exec_memory_add(long long *id_out, bn_store *s, const char *bot,
		       const char *text, bn_err *err)
{
	sqlite3_stmt *st;
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
	if (!is_utf8((const unsigned char *)text, len))
		return bn_err_set(err, BN_EINVAL, "memory: the text is not "
				  "valid UTF-8");
	r = prepare(&st, s, "INSERT INTO memories (bot, text, created_at)"
		    " VALUES (?1, ?2, ?3)", err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, bot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(s, err);
	sqlite3_finalize(st);
	if (!r)
		*id_out = sqlite3_last_insert_rowid(bn_store_db(s));
	return r;
}

/* Whether the word W[0..n) holds a byte FTS5's unicode61 may index. */
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

/* Append W[0..n) to B as an FTS5 string: in double quotes, each doubled. */
static int append_quoted(bn_buf *b, const char *w, size_t n)
{
	size_t i;
	int r = bn_buf_puts(b, "\"");

	for (i = 0; !r && i < n; i++)
		r = w[i] == '"' ? bn_buf_puts(b, "\"\"") :
				  bn_buf_append(b, &w[i], 1);
	return r ? r : bn_buf_puts(b, "\"");
}

int bn_exec_memory_query_build(char **out, const char *query, bn_err *err)
{
	static const char space[] = " \t\n\r\v\f";
	size_t len = query ? strlen(query) : 0, terms = 0;
	const char *p = query;
	bn_buf b;
	int r = 0;

	if (len > BN_EXEC_MEMORY_QUERY_MAX)
		return bn_err_set(err, BN_ELIMIT, "memory: the query is %zu "
				  "bytes, the limit is %d", len,
				  BN_EXEC_MEMORY_QUERY_MAX);
	bn_buf_init(&b, 0);
	while (len && *p) {
		size_t n;
		p += strspn(p, space);
		n = strcspn(p, space);
		if (n == 0)
			break;
		if (has_token_char(p, n)) {
			if (++terms > BN_EXEC_MEMORY_TERMS_MAX) {
				bn_buf_clear(&b);
				return bn_err_set(err, BN_ELIMIT, "memory: the "
					"query has more than %d words",
					BN_EXEC_MEMORY_TERMS_MAX);
			}
			if (terms > 1)
				r = bn_buf_puts(&b, " OR ");
			if (!r)
				r = append_quoted(&b, p, n);
			if (r) {
				bn_buf_clear(&b);
				return bn_err_oom(err);
			}
		}
		p += n;
	}
	*out = bn_buf_take(&b);
	return 0;
}

/* Read rows (id, text, created_at[, rank]) of ST into an owned array. */
static int rows_collect(bn_exec_memory_item **out, size_t *n_out,
			bn_store *s, sqlite3_stmt *st, bool ranked,
			bn_err *err)
{
	bn_exec_memory_item *v = NULL;
	size_t n = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *text = sqlite3_column_text(st, 1);
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].id = sqlite3_column_int64(st, 0);
		v[n].text = bn_xstrdup(text ? (const char *)text : "");
		v[n].created_at = sqlite3_column_int64(st, 2);
		v[n].rank = ranked ? sqlite3_column_double(st, 3) : 0.0;
		n++;
	}
	if (rc != SQLITE_DONE) {
		bn_exec_memory_items_free(v, n);
		return db_fail(s, err);
	}
	*out = v;
	*n_out = n;
	return 0;
}

int bn_exec_memory_search(bn_exec_memory_item **out, size_t *n_out,
			  bn_store *s, const char *bot, const char *query,
			  size_t limit, bn_err *err)
{
	sqlite3_stmt *st;
	char *match = NULL;
	int r;

	if ((r = bot_check(bot, err)))
		return r;
	if (limit == 0 || limit > BN_EXEC_MEMORY_LIMIT_MAX)
		return bn_err_set(err, BN_EINVAL, "memory: the limit must be "
				  "1 to %d, not %zu", BN_EXEC_MEMORY_LIMIT_MAX,
				  limit);
	if ((r = bn_exec_memory_query_build(&match, query, err)))
		return r;
	if (!*match) {
		free(match);
		*out = NULL;
		*n_out = 0;
		return 0;
	}
	r = prepare(&st, s, "SELECT m.id, m.text, m.created_at,"
		    " memories_fts.rank FROM memories_fts"
		    " JOIN memories AS m ON m.id = memories_fts.rowid"
		    " WHERE memories_fts MATCH ?1 AND m.bot = ?2"
		    " ORDER BY memories_fts.rank, m.id LIMIT ?3", err);
	if (!r) {
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, bot, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
		r = rows_collect(out, n_out, s, st, true, err);
		sqlite3_finalize(st);
	}
	free(match);
	return r;
}

int bn_exec_memory_list(bn_exec_memory_item **out, size_t *n_out,
			bn_store *s, const char *bot, bn_err *err)
{
	sqlite3_stmt *st;
	int r;

	if ((r = bot_check(bot, err)))
		return r;
	r = prepare(&st, s, "SELECT id, text, created_at FROM memories"
		    " WHERE bot = ?1 ORDER BY id", err);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, bot, -1, SQLITE_STATIC);
	r = rows_collect(out, n_out, s, st, false, err);
	sqlite3_finalize(st);
	return r;
}

int bn_exec_memory_remove(bn_store *s, const char *bot, long long id,
			  bn_err *err)
{
	sqlite3_stmt *st;
	int r;

	if ((r = bot_check(bot, err)))
		return r;
	r = prepare(&st, s, "DELETE FROM memories WHERE id = ?1 AND bot = ?2",
		    err);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, bot, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(s, err);
	sqlite3_finalize(st);
	if (!r && sqlite3_changes(bn_store_db(s)) == 0)
		r = bn_err_set(err, BN_ENOTFOUND, "bot '%s' has no memory %lld",
			       bot, id);
	return r;
}

void bn_exec_memory_items_free(bn_exec_memory_item *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].text);
	free(v);
}
