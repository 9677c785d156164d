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
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot), BN_STORE__INT(time(NULL)),
		BN_STORE__TEXT(title),
	};
	int r = bn_store__run(s, "INSERT INTO conversations (bot, created_at,"
			      " title) VALUES (?1, ?2, ?3)",
			      a, BN_STORE__NARGS(a), err);
	if (!r)
		*id_out = bn_store__last_id(s);
	return r;
}

static void conv_row(void *item, sqlite3_stmt *st)
{
	bn_store_conv *c = item;
	c->id = sqlite3_column_int64(st, 0);
	c->bot = bn_store__col_dup(st, 1);
	c->title = bn_store__col_dup(st, 2);
	c->created_at = sqlite3_column_int64(st, 3);
	c->messages = sqlite3_column_int64(st, 4);
}

int bn_store_conv_get(bn_store_conv *out, bool *found_out, bn_store *s,
		      int64_t id, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(id) };
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s, "SELECT c.id, c.bot, c.title,"
		" c.created_at, (SELECT count(*) FROM messages m"
		" WHERE m.conversation_id = c.id) FROM conversations c"
		" WHERE c.id = ?1", a, BN_STORE__NARGS(a), err);
	return r ? r : bn_store__row(out, found_out, s, st, conv_row, err);
}

int bn_store_conv_title_fill(bn_store *s, int64_t id, const char *title,
			     bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(id), BN_STORE__TEXT(title) };
	return bn_store__run(s, "UPDATE conversations SET title = ?2"
			     " WHERE id = ?1 AND title IS NULL",
			     a, BN_STORE__NARGS(a), err);
}

int bn_store_message_add(bn_store *s, int64_t conv, const char *role,
			 const char *content, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(conv), BN_STORE__TEXT(role),
		BN_STORE__TEXT(content), BN_STORE__INT(time(NULL)),
	};
	return bn_store__run(s, "INSERT INTO messages (conversation_id, role,"
			     " content, created_at) VALUES (?1, ?2, ?3, ?4)",
			     a, BN_STORE__NARGS(a), err);
}

static void message_row(void *item, sqlite3_stmt *st)
{
	bn_store_message *m = item;
	m->id = sqlite3_column_int64(st, 0);
	m->role = bn_store__col_dup(st, 1);
	m->content = bn_store__col_dup(st, 2);
}

static void message_clear(void *item)
{
	bn_store_message *m = item;
	free(m->role);
	free(m->content);
}

int bn_store_message_list(bn_store_message **out, size_t *n_out,
			  bn_store *s, int64_t conv, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(conv) };
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s, "SELECT id, role, content FROM messages"
				" WHERE conversation_id = ?1 ORDER BY id",
				a, BN_STORE__NARGS(a), err);
	return r ? r : bn_store__rows(out, n_out, sizeof(**out), s, st,
				      message_row, message_clear, err);
}

void bn_store_messages_free(bn_store_message *v, size_t n)
{
	bn_store__rows_free(v, n, sizeof(*v), message_clear);
}
