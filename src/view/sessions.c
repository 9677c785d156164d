/* SPDX-License-Identifier: MIT */
/* view/sessions.c - the JSON of conversations (sessions) with their
   turns, tool calls and audit links (see view.h). */
#include "view.h"

#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/conv.h"

#define AUDIT_ROWS_MAX 10000 /* audit rows linked in one session's view */

json_t *bn_view_session_json(const bn_store_conv *c)
{
	return json_pack("{s:I, s:s, s:o, s:I, s:I, s:I, s:I, s:o}",
			 "id", (json_int_t)c->id, "bot", c->bot,
			 "title", bn_view_str_json(c->title),
			 "created_at", (json_int_t)c->created_at,
			 "last_used", (json_int_t)c->last_used,
			 "turns", (json_int_t)c->turns,
			 "messages", (json_int_t)c->messages,
			 "state", bn_view_str_json(c->state));
}

int bn_view_sessions_load_json(json_t **out, bn_store *s, const char *bot,
			       unsigned limit, bn_err *err)
{
	bn_store_conv *v = NULL;
	size_t n = 0;
	int r = bn_store_conv_list(&v, &n, s, bot, limit, err);

	if (r)
		return r;
	*out = BN_VIEW_ARRAY(bn_view_session_json, v, n);
	bn_store_convs_free(v, n);
	return 0;
}

static const char *str_of(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* The text blocks of CONTENT joined. */
static json_t *text_of(json_t *content)
{
	bn_buf b = BN_BUF_INIT;
	json_t *blk, *j;
	size_t i;

	json_array_foreach(content, i, blk)
		if (!strcmp(str_of(blk, "type"), "text"))
			(void)bn_buf_puts(&b, str_of(blk, "text"));
	j = json_string(bn_buf_cstr(&b));
	bn_buf_clear(&b);
	return j ? j : json_string("");
}

/* The turn object numbered NUMBER in TURNS, made when missing. */
static json_t *turn_obj(json_t *turns, int64_t number)
{
	json_t *t;
	size_t i;

	json_array_foreach(turns, i, t)
		if (json_integer_value(json_object_get(t, "number")) == number)
			return t;
	t = json_pack("{s:I, s:s, s:n, s:n, s:n, s:{s:i, s:i}, s:s, s:n, "
		      "s:i, s:[]}", "number", (json_int_t)number,
		      "state", "complete", "error", "started_at", "ended_at",
		      "usage", "input_tokens", 0, "output_tokens", 0,
		      "user", "", "reply", "steps", 0, "tool_calls");
	json_array_append_new(turns, t);
	return t;
}

/* Add message M (role, parsed content) of turn T. */
static void add_message(json_t *t, const char *role, json_t *content)
{
	json_t *calls = json_object_get(t, "tool_calls"), *blk, *c;
	size_t i, j;

	if (!strcmp(role, "user") &&
	    !json_string_length(json_object_get(t, "user"))) {
		json_object_set_new(t, "user", text_of(content));
	} else if (!strcmp(role, "assistant")) {
		json_object_set_new(t, "steps", json_integer(json_integer_value(
			json_object_get(t, "steps")) + 1));
		json_object_set_new(t, "reply", text_of(content));
		json_array_foreach(content, i, blk)
			if (!strcmp(str_of(blk, "type"), "tool_call"))
				json_array_append_new(calls, json_pack(
					"{s:s, s:s, s:O, s:n, s:n, s:[]}",
					"id", str_of(blk, "id"),
					"name", str_of(blk, "name"),
					"input", json_object_get(blk, "input") ?
					json_object_get(blk, "input") :
					json_null(), "result", "is_error",
					"audit"));
	} else if (!strcmp(role, "tool")) {
		json_array_foreach(content, i, blk)
			json_array_foreach(calls, j, c)
				if (!strcmp(str_of(c, "id"), str_of(blk, "id"))) {
					json_object_set_new(c, "result",
						json_string(str_of(blk,
								   "content")));
					json_object_set(c, "is_error",
						json_boolean(json_is_true(
						json_object_get(blk,
								"is_error"))));
				}
	}
}

/* Link each audit row of session ID to its turn's tool call, or to the
   turn's "audit" when no call has its id. */
static int link_audit(json_t *turns, bn_store *s, int64_t id, bn_err *err)
{
	bn_store_audit_filter f = { .session_id = id,
				    .limit = AUDIT_ROWS_MAX };
	bn_store_audit_run *v = NULL;
	size_t n = 0;
	int r = bn_store_audit_run_list(&v, &n, s, &f, err);

	if (r)
		return r;
	/* oldest first, as they ran */
	for (size_t k = n; k > 0; k--) {
		const bn_store_audit_run *x = &v[k - 1];
		json_t *t = turn_obj(turns, x->turn), *c, *to = NULL;
		size_t i;
		json_array_foreach(json_object_get(t, "tool_calls"), i, c)
			if (x->tool_call_id &&
			    !strcmp(str_of(c, "id"), x->tool_call_id))
				to = c;
		if (!to) {
			to = t;
			if (!json_object_get(t, "audit"))
				json_object_set_new(t, "audit", json_array());
		}
		json_array_append_new(json_object_get(to, "audit"),
				      json_integer(x->id));
	}
	bn_store_audit_runs_free(v, n);
	return 0;
}

int bn_view_session_load_json(json_t **out, bn_store *s, int64_t id,
			      bn_err *err)
{
	bn_store_conv c = { 0 };
	bn_store_turn *tv = NULL;
	bn_store_message *mv = NULL;
	size_t tn = 0, mn = 0;
	bool found = false;
	json_t *o = NULL, *turns = json_array();
	int r = bn_store_conv_get(&c, &found, s, id, err);

	if (!r && !found)
		r = bn_err_set(err, BN_ENOTFOUND, "no session %lld (see `bnity "
			       "chat --sessions`)", (long long)id);
	if (!r)
		r = bn_store_turn_list(&tv, &tn, s, id, err);
	if (!r)
		r = bn_store_message_list(&mv, &mn, s, id, err);
	for (size_t i = 0; !r && i < tn; i++) {
		json_t *t = turn_obj(turns, tv[i].number);
		json_object_set_new(t, "state", json_string(tv[i].state));
		json_object_set_new(t, "error", bn_view_str_json(tv[i].error));
		json_object_set_new(t, "started_at",
				    json_integer(tv[i].started_at));
		json_object_set_new(t, "ended_at", tv[i].ended_at ?
				    json_integer(tv[i].ended_at) : json_null());
		json_object_set_new(t, "usage", json_pack("{s:I, s:I}",
			"input_tokens", (json_int_t)tv[i].input_tokens,
			"output_tokens", (json_int_t)tv[i].output_tokens));
	}
	for (size_t i = 0; !r && i < mn; i++) {
		json_t *content = mv[i].content ?
				  json_loads(mv[i].content, 0, NULL) : NULL;
		if (json_is_array(content))
			add_message(turn_obj(turns, mv[i].turn),
				    mv[i].role ? mv[i].role : "", content);
		json_decref(content);
	}
	if (!r)
		r = link_audit(turns, s, id, err);
	if (!r) {
		o = bn_view_session_json(&c);
		json_object_set_new(o, "history", turns);
		turns = NULL;
	}
	json_decref(turns);
	bn_store_turns_free(tv, tn);
	bn_store_messages_free(mv, mn);
	bn_store_conv_clear(&c);
	if (r)
		return r;
	*out = o;
	return 0;
}
