/* SPDX-License-Identifier: MIT */
/*
 * agent/conv.c - conversations and their messages (see conv.h): titles
 * and the JSON of messages; the rows are store/conv.c's.
 */
#include "conv.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/conv.h"

static const char *msg_role(json_t *m)
{
	const char *r = json_string_value(json_object_get(m, "role"));
	return r ? r : "";
}

static int db_fail(int r, bn_err *err)
{
	bn_err_prefix(err, "conversations");
	return r;
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
	char *t = title ? short_title(title) : NULL;
	int r = bn_store_conv_add(id_out, s, bot, t, err);

	free(t);
	return r ? db_fail(r, err) : 0;
}

int bn_agent_conv_get(bn_agent_conv *out, bn_store *s, int64_t id,
		      bn_err *err)
{
	bn_store_conv c = { 0 };
	bool found = false;
	int r = bn_store_conv_get(&c, &found, s, id, err);

	if (r)
		return db_fail(r, err);
	if (!found)
		return bn_err_set(err, BN_ENOTFOUND, "no session %lld",
				  (long long)id);
	out->id = c.id;
	out->bot = c.bot;
	out->title = c.title;
	out->created_at = c.created_at;
	out->messages = c.messages;
	free(c.state);  /* not part of the agent's view */
	return 0;
}

void bn_agent_conv_clear(bn_agent_conv *c)
{
	free(c->bot);
	free(c->title);
	memset(c, 0, sizeof(*c));
}

int bn_agent_conv_load(json_t **out, json_t **turns_out, bn_store *s,
		       int64_t id, bn_err *err)
{
	bn_store_message *v = NULL;
	size_t n = 0;
	json_t *msgs, *turns, *last = NULL;
	int r = bn_store_message_list(&v, &n, s, id, err);

	if (r)
		return db_fail(r, err);
	msgs = json_array();
	turns = json_array();
	for (size_t i = 0; i < n && !r; i++) {
		json_t *content = v[i].content ?
				  json_loads(v[i].content, 0, NULL) : NULL;
		if (!v[i].role || !json_is_array(content)) {
			json_decref(content);
			r = bn_err_set(err, BN_EINVAL, "session %lld: message "
				       "%lld is not valid JSON", (long long)id,
				       (long long)v[i].id);
			break;
		}
		if (last && !strcmp(v[i].role, "tool") &&
		    !strcmp(msg_role(last), "tool")) {
			json_array_extend(json_object_get(last, "content"),
					  content);
			json_decref(content);
			continue;
		}
		last = json_pack("{s:s, s:o}", "role", v[i].role, "content",
				 content);
		json_array_append_new(msgs, last);
		json_array_append_new(turns, json_integer(v[i].turn));
	}
	bn_store_messages_free(v, n);
	if (r) {
		json_decref(msgs);
		json_decref(turns);
		return r;
	}
	*out = msgs;
	if (turns_out)
		*turns_out = turns;
	else
		json_decref(turns);
	return 0;
}

static int insert_one(bn_store *s, int64_t id, int64_t turn, json_t *m,
		      bn_err *err)
{
	char *content = json_dumps(json_object_get(m, "content"),
				   JSON_COMPACT);
	int r;

	if (!content)
		return bn_err_oom(err);
	r = bn_store_message_add(s, id, turn,
				 json_string_value(json_object_get(m, "role")),
				 content, err);
	free(content);
	return r ? db_fail(r, err) : 0;
}

int bn_agent_conv_append(bn_store *s, int64_t id, int64_t turn,
			 json_t *messages, size_t from, const char *title,
			 bn_err *err)
{
	size_t i;
	int r;

	if ((r = bn_store_tx_begin(s, err)))
		return db_fail(r, err);
	for (i = from, r = 0; !r && i < json_array_size(messages); i++)
		r = insert_one(s, id, turn, json_array_get(messages, i), err);
	if (!r && title) {
		char *t = short_title(title);
		if ((r = bn_store_conv_title_fill(s, id, t, err)))
			r = db_fail(r, err);
		free(t);
	}
	if (r) {
		bn_store_tx_rollback(s);
		return r;
	}
	if ((r = bn_store_tx_commit(s, err)))
		return db_fail(r, err);
	return 0;
}
