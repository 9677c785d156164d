/* SPDX-License-Identifier: MIT */
/*
 * agent/conv.c - conversations and their messages in SQLite (see conv.h).
 * The tables are created by schema step 5 in store/db.c.
 */
#include "conv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

static int db_fail(bn_store *s, bn_err *err)
{
	return bn_err_set(err, BN_EIO, "conversations: %s",
			  sqlite3_errmsg(bn_store_db(s)));
}

static int prepare(sqlite3_stmt **st, bn_store *s, const char *sql,
		   bn_err *err)
{
	if (sqlite3_prepare_v2(bn_store_db(s), sql, -1, st, NULL) !=
	    SQLITE_OK)
		return db_fail(s, err);
	return 0;
}

/* TITLE's first line, cut to the cap at a UTF-8 boundary (owned). */
static char *short_title(const char *title)
{
	size_t n = strcspn(title, "\r\n");

	if (n > BN_AGENT_CONV_TITLE_MAX) {
		n = BN_AGENT_CONV_TITLE_MAX;
		while (n && ((unsigned char)title[n] & 0xC0) == 0x80)
			n--;
	}
	return bn_xstrndup(title, n);
}

int bn_agent_conv_create(int64_t *id_out, bn_store *s, const char *bot,
			 const char *title, bn_err *err)
{
	sqlite3_stmt *st;
	char *t = title ? short_title(title) : NULL;
	int r = prepare(&st, s, "INSERT INTO conversations (bot, created_at,"
			" title) VALUES (?1, ?2, ?3)", err);

	if (r) {
		free(t);
		return r;
	}
	sqlite3_bind_text(st, 1, bot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 3, t, -1, SQLITE_TRANSIENT);
	free(t);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_fail(s, err);
	}
	sqlite3_finalize(st);
	*id_out = sqlite3_last_insert_rowid(bn_store_db(s));
	return 0;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? bn_xstrdup((const char *)t) : NULL;
}

int bn_agent_conv_get(bn_agent_conv *out, bn_store *s, int64_t id,
		      bn_err *err)
{
	sqlite3_stmt *st;
	int r = prepare(&st, s, "SELECT c.bot, c.title, c.created_at, "
			"(SELECT count(*) FROM messages m WHERE "
			"m.conversation_id = c.id) FROM conversations c "
			"WHERE c.id = ?1", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		out->id = id;
		out->bot = col_dup(st, 0);
		out->title = col_dup(st, 1);
		out->created_at = sqlite3_column_int64(st, 2);
		out->messages = sqlite3_column_int64(st, 3);
		r = 0;
	} else if (r == SQLITE_DONE) {
		r = bn_err_set(err, BN_ENOTFOUND, "no session %lld",
			       (long long)id);
	} else {
		r = db_fail(s, err);
	}
	sqlite3_finalize(st);
	return r;
}

void bn_agent_conv_clear(bn_agent_conv *c)
{
	free(c->bot);
	free(c->title);
	memset(c, 0, sizeof(*c));
}

int bn_agent_conv_load(json_t **out, bn_store *s, int64_t id, bn_err *err)
{
	sqlite3_stmt *st;
	json_t *msgs;
	int r = prepare(&st, s, "SELECT id, role, content FROM messages "
			"WHERE conversation_id = ?1 ORDER BY id", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	msgs = json_array();
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(st, 1);
		const char *c = (const char *)sqlite3_column_text(st, 2);
		json_t *content = c ? json_loads(c, 0, NULL) : NULL;
		if (!role || !json_is_array(content)) {
			json_decref(content);
			r = bn_err_set(err, BN_EINVAL, "session %lld: message "
				       "%lld is not valid JSON", (long long)id,
				       (long long)sqlite3_column_int64(st, 0));
			break;
		}
		json_array_append_new(msgs, json_pack("{s:s, s:o}", "role",
						       role, "content",
						       content));
	}
	if (r == SQLITE_DONE)
		r = 0;
	else if (r != BN_EINVAL)
		r = db_fail(s, err);
	sqlite3_finalize(st);
	if (r) {
		json_decref(msgs);
		return r;
	}
	*out = msgs;
	return 0;
}

static int insert_one(bn_store *s, int64_t id, json_t *m, bn_err *err)
{
	sqlite3_stmt *st;
	char *content = json_dumps(json_object_get(m, "content"),
				   JSON_COMPACT);
	int r;

	if (!content)
		return bn_err_oom(err);
	if ((r = prepare(&st, s, "INSERT INTO messages (conversation_id, "
			 "role, content, created_at) VALUES (?1, ?2, ?3, ?4)",
			 err))) {
		free(content);
		return r;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, json_string_value(json_object_get(m, "role")),
			  -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, content, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(s, err);
	sqlite3_finalize(st);
	free(content);
	return r;
}

static int set_title(bn_store *s, int64_t id, const char *title, bn_err *err)
{
	sqlite3_stmt *st;
	char *t = short_title(title);
	int r = prepare(&st, s, "UPDATE conversations SET title = ?2 WHERE "
			"id = ?1 AND title IS NULL", err);

	if (!r) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, t, -1, SQLITE_TRANSIENT);
		r = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(s, err);
		sqlite3_finalize(st);
	}
	free(t);
	return r;
}

int bn_agent_conv_append(bn_store *s, int64_t id, json_t *messages,
			 size_t from, const char *title, bn_err *err)
{
	sqlite3 *db = bn_store_db(s);
	size_t i;
	int r;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, err);
	for (i = from, r = 0; !r && i < json_array_size(messages); i++)
		r = insert_one(s, id, json_array_get(messages, i), err);
	if (!r && title)
		r = set_title(s, id, title, err);
	if (!r && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		r = db_fail(s, err);
	if (r)
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}
