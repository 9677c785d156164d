/* SPDX-License-Identifier: MIT */
/* store/conv.c - the conversations, messages and turns tables (see
   conv.h). */
#include "conv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/proc.h"
#include "store_int.h"

void bn_store_conv_clear(bn_store_conv *c)
{
	free(c->bot);
	free(c->title);
	free(c->state);
	memset(c, 0, sizeof(*c));
}

int bn_store_conv_add(int64_t *id_out, bn_store *s, const char *bot,
		      const char *title, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot), BN_STORE__INT(time(NULL)),
		BN_STORE__TEXT(title),
	};
	return bn_store__insert_id(id_out, s, "INSERT INTO conversations"
				   " (bot, created_at, title) VALUES (?1, ?2,"
				   " ?3) RETURNING id",
				   a, BN_STORE__NARGS(a), err);
}

#define COL(field) BN_STORE__COL(bn_store_conv, field)
BN_STORE__TABLE(conv, bn_store_conv,
	COL(id), COL(bot), COL(title), COL(created_at), COL(messages),
	COL(turns), COL(last_used), COL(state));
#undef COL

/* A conversation's columns, as conv_cols reads them. */
#define CONV_COLUMNS \
	"SELECT c.id, c.bot, c.title, c.created_at," \
	" (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)," \
	" (SELECT count(*) FROM turns t WHERE t.conversation_id = c.id)," \
	" (SELECT max(x) FROM (SELECT c.created_at AS x UNION ALL SELECT" \
	"  max(m.created_at) FROM messages m WHERE m.conversation_id = c.id" \
	"  UNION ALL SELECT max(coalesce(t.ended_at, t.started_at))" \
	"  FROM turns t WHERE t.conversation_id = c.id) AS v) AS last_used," \
	" (SELECT t.state FROM turns t WHERE t.conversation_id = c.id" \
	"  ORDER BY t.number DESC LIMIT 1) FROM conversations c"

int bn_store_conv_get(bn_store_conv *out, bool *found_out, bn_store *s,
		      int64_t id, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(id) };
	return bn_store__select_one(out, found_out, &conv_shape, s,
				    CONV_COLUMNS " WHERE c.id = ?1",
				    a, BN_STORE__NARGS(a), err);
}

int bn_store_conv_list(bn_store_conv **out, size_t *n_out, bn_store *s,
		       const char *bot, unsigned limit, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(bot),
				    BN_STORE__INT(limit ? limit : 100) };
	return bn_store__select(out, n_out, &conv_shape, s, CONV_COLUMNS
				" WHERE ?1 IS NULL OR c.bot = ?1"
				" ORDER BY last_used DESC, c.id DESC LIMIT ?2",
				a, BN_STORE__NARGS(a), err);
}

void bn_store_convs_free(bn_store_conv *v, size_t n)
{
	bn_store__select_free(v, n, &conv_shape);
}

int bn_store_conv_delete(bool *found_out, bn_store *s, int64_t id,
			 bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(id) };

	return bn_store__remove(found_out, s,
				"DELETE FROM conversations WHERE id = ?1",
				a, BN_STORE__NARGS(a), err);
}

int bn_store_conv_title_fill(bn_store *s, int64_t id, const char *title,
			     bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(id), BN_STORE__TEXT(title) };
	return bn_store__run(s, "UPDATE conversations SET title = ?2"
			     " WHERE id = ?1 AND title IS NULL",
			     a, BN_STORE__NARGS(a), err);
}

int bn_store_message_add(bn_store *s, int64_t conv, int64_t turn,
			 const char *role, const char *content, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(conv), BN_STORE__TEXT(role),
		BN_STORE__TEXT(content), BN_STORE__INT(time(NULL)),
		turn ? BN_STORE__INT(turn) : BN_STORE__TEXT(NULL),
	};
	return bn_store__run(s, "INSERT INTO messages (conversation_id, role,"
			     " content, created_at, turn)"
			     " VALUES (?1, ?2, ?3, ?4, ?5)",
			     a, BN_STORE__NARGS(a), err);
}

#define COL(field) BN_STORE__COL(bn_store_message, field)
BN_STORE__TABLE(message, bn_store_message,
	COL(id), COL(role), COL(content), COL(turn));
#undef COL

int bn_store_message_list(bn_store_message **out, size_t *n_out,
			  bn_store *s, int64_t conv, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(conv) };
	return bn_store__select(out, n_out, &message_shape, s, "SELECT id,"
				" role, content, turn FROM messages"
				" WHERE conversation_id = ?1 ORDER BY id",
				a, BN_STORE__NARGS(a), err);
}

void bn_store_messages_free(bn_store_message *v, size_t n)
{
	bn_store__select_free(v, n, &message_shape);
}

/* ---- turns -------------------------------------------------------------- */

void bn_store_turn_clear(bn_store_turn *t)
{
	free(t->state);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

#define COL(field) BN_STORE__COL(bn_store_turn, field)
BN_STORE__TABLE(turn, bn_store_turn,
	COL(number), COL(state), COL(error), COL(started_at), COL(ended_at),
	COL(input_tokens), COL(output_tokens), COL(owner_pid));
#undef COL

void bn_store_turns_free(bn_store_turn *v, size_t n)
{
	bn_store__select_free(v, n, &turn_shape);
}

int bn_store_turn_begin(int64_t *number_out, bn_store *s, int64_t conv,
			bn_err *err)
{
	bn_proc_owner o;

	bn_proc_owner_self(&o);
	const bn_store__arg a[] = {
		BN_STORE__INT(conv), BN_STORE__INT(time(NULL)),
		BN_STORE__INT(o.pid), BN_STORE__INT(o.start),
		BN_STORE__TEXT(o.host),
	};
	return bn_store__insert_id(number_out, s, "INSERT INTO turns"
		" (conversation_id, number, state, started_at, owner_pid,"
		" owner_start, owner_host) VALUES (?1, (SELECT"
		" coalesce(max(number), 0) + 1 FROM turns"
		" WHERE conversation_id = ?1), 'running', ?2, ?3, ?4, ?5)"
		" RETURNING number", a, BN_STORE__NARGS(a), err);
}

int bn_store_turn_resume(bn_store *s, int64_t conv, int64_t number,
			 bn_err *err)
{
	bn_proc_owner o;

	bn_proc_owner_self(&o);
	const bn_store__arg a[] = {
		BN_STORE__INT(conv), BN_STORE__INT(number),
		BN_STORE__INT(o.pid), BN_STORE__INT(o.start),
		BN_STORE__TEXT(o.host),
	};
	return bn_store__run(s, "UPDATE turns SET state = 'running',"
		" error = NULL, ended_at = NULL, owner_pid = ?3,"
		" owner_start = ?4, owner_host = ?5"
		" WHERE conversation_id = ?1 AND number = ?2",
		a, BN_STORE__NARGS(a), err);
}

int bn_store_turn_end(bn_store *s, int64_t conv, int64_t number,
		      const char *state, const char *error,
		      long long input_tokens, long long output_tokens,
		      bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(conv), BN_STORE__INT(number),
		BN_STORE__TEXT(state), BN_STORE__TEXT(error),
		BN_STORE__INT(time(NULL)), BN_STORE__INT(input_tokens),
		BN_STORE__INT(output_tokens),
	};
	return bn_store__run(s, "UPDATE turns SET state = ?3, error = ?4,"
		" ended_at = ?5, input_tokens = input_tokens + ?6,"
		" output_tokens = output_tokens + ?7, owner_pid = NULL,"
		" owner_start = NULL, owner_host = NULL"
		" WHERE conversation_id = ?1 AND number = ?2",
		a, BN_STORE__NARGS(a), err);
}

int bn_store_turn_drop(bn_store *s, int64_t conv, int64_t number,
		       bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(conv),
				    BN_STORE__INT(number) };
	int r = bn_store__run(s, "DELETE FROM messages WHERE conversation_id"
			      " = ?1 AND turn = ?2", a, BN_STORE__NARGS(a),
			      err);
	return r ? r : bn_store__run(s, "DELETE FROM turns WHERE"
				     " conversation_id = ?1 AND number = ?2",
				     a, BN_STORE__NARGS(a), err);
}

/* A turn's columns, as turn_cols reads them. */
#define TURN_COLUMNS "SELECT number, state, error, started_at, ended_at," \
	" input_tokens, output_tokens, owner_pid FROM turns" \
	" WHERE conversation_id = ?1"

int bn_store_turn_last(bn_store_turn *out, bool *found_out, bn_store *s,
		       int64_t conv, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(conv) };
	return bn_store__select_one(out, found_out, &turn_shape, s,
				    TURN_COLUMNS " ORDER BY number DESC"
				    " LIMIT 1",
				    a, BN_STORE__NARGS(a), err);
}

int bn_store_turn_list(bn_store_turn **out, size_t *n_out, bn_store *s,
		       int64_t conv, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(conv) };
	return bn_store__select(out, n_out, &turn_shape, s,
				TURN_COLUMNS " ORDER BY number",
				a, BN_STORE__NARGS(a), err);
}
