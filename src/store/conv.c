/* SPDX-License-Identifier: MIT */
/* store/conv.c - the conversations and messages tables (see conv.h). */
#include "conv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

void bn_store_conv_clear(bn_store_conv *c)
{
	free(c->bot);
	free(c->title);
	memset(c, 0, sizeof(*c));
}

int bn_store_conv_add(int64_t *id_out, bn_store *s, const char *bot,
		      const char *title, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "INSERT INTO conversations (bot,"
				  " created_at, title) VALUES (?1, ?2, ?3)",
				  err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, bot);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	bn_store__bind_text(st, 3, title);
	if ((r = bn_store__step_done(s, st, err)))
		return r;
	*id_out = bn_store__last_id(s);
	return 0;
}

int bn_store_conv_get(bn_store_conv *out, bool *found_out, bn_store *s,
		      int64_t id, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT c.bot, c.title,"
		" c.created_at, (SELECT count(*) FROM messages m"
		" WHERE m.conversation_id = c.id) FROM conversations c"
		" WHERE c.id = ?1", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	r = bn_store__step(s, st, err);
	if (r == 1) {
		out->id = id;
		out->bot = bn_store__col_dup(st, 0);
		out->title = bn_store__col_dup(st, 1);
		out->created_at = sqlite3_column_int64(st, 2);
		out->messages = sqlite3_column_int64(st, 3);
	}
	if (r >= 0) {
		*found_out = r == 1;
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

int bn_store_conv_title_fill(bn_store *s, int64_t id, const char *title,
			     bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "UPDATE conversations SET title = ?2"
				  " WHERE id = ?1 AND title IS NULL", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	bn_store__bind_text(st, 2, title);
	return bn_store__step_done(s, st, err);
}

int bn_store_message_add(bn_store *s, int64_t conv, const char *role,
			 const char *content, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "INSERT INTO messages"
		" (conversation_id, role, content, created_at)"
		" VALUES (?1, ?2, ?3, ?4)", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, conv);
	bn_store__bind_text(st, 2, role);
	bn_store__bind_text(st, 3, content);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	return bn_store__step_done(s, st, err);
}

int bn_store_message_list(bn_store_message **out, size_t *n_out,
			  bn_store *s, int64_t conv, bn_err *err)
{
	bn_store_message *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT id, role, content"
		" FROM messages WHERE conversation_id = ?1 ORDER BY id", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, conv);
	while ((r = bn_store__step(s, st, err)) == 1) {
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].id = sqlite3_column_int64(st, 0);
		v[n].role = bn_store__col_dup(st, 1);
		v[n].content = bn_store__col_dup(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	if (r) {
		bn_store_messages_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_messages_free(bn_store_message *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].role);
		free(v[i].content);
	}
	free(v);
}
