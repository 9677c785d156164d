/* SPDX-License-Identifier: MIT */
/*
 * agent/anthropic.c - the Anthropic Messages API: the request body from
 * the neutral conversation, and the streamed answer back into it.
 *
 * Spec: https://docs.anthropic.com/en/api/messages (tool_use and
 * tool_result blocks, input_schema) and .../api/messages-streaming
 * (message_start, content_block_start/delta/stop with text_delta and
 * input_json_delta, message_delta, message_stop, ping, error; event types
 * added later are to be ignored).
 */
#include "agent_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One neutral block as an Anthropic content block (new), or NULL. */
static json_t *block_out(json_t *b)
{
	const char *type = bn_agent__block_str(b, "type");

	if (!strcmp(type, "text")) {
		if (!*bn_agent__block_str(b, "text"))
			return NULL;
		return json_pack("{s:s, s:O}", "type", "text", "text",
				 json_object_get(b, "text"));
	}
	if (!strcmp(type, "tool_call")) {
		json_t *in = json_object_get(b, "input");
		return json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use",
				 "id", bn_agent__block_str(b, "id"),
				 "name", bn_agent__block_str(b, "name"),
				 "input", json_is_object(in) ? json_incref(in) :
				 json_object());
	}
	if (!strcmp(type, "tool_result"))
		return json_pack("{s:s, s:s, s:s, s:b}", "type", "tool_result",
				 "tool_use_id", bn_agent__block_str(b, "id"),
				 "content", bn_agent__block_str(b, "content"),
				 "is_error", json_is_true(json_object_get(
					 b, "is_error")));
	return NULL;
}

/* Mark block B as a prompt-cache breakpoint. */
static void breakpoint(json_t *b)
{
	json_object_set_new(b, "cache_control", json_pack("{s:s}", "type",
							  "ephemeral"));
}

/* The neutral message before the newest plain user message (one with
   text, not tool results): the end of the conversation's stable prefix,
   or -1. */
static long long prefix_end(json_t *msgs)
{
	for (size_t i = json_array_size(msgs); i > 0; i--) {
		json_t *m = json_array_get(msgs, i - 1), *b;
		size_t j;
		if (strcmp(bn_agent__block_str(m, "role"), "user"))
			continue;
		json_array_foreach(json_object_get(m, "content"), j, b)
			if (!strcmp(bn_agent__block_str(b, "type"), "text"))
				return (long long)i - 2;
	}
	return -1;
}

/* The messages, tool results sent as the user's, same roles merged; the
   last block of the stable prefix and the very last block are cache
   breakpoints. */
static json_t *messages_out(json_t *msgs)
{
	json_t *out = json_array(), *m, *b, *last = NULL, *mark = NULL;
	long long stable = prefix_end(msgs);
	size_t i, j;

	json_array_foreach(msgs, i, m) {
		const char *role = bn_agent__block_str(m, "role");
		json_t *content = json_array();
		if (!strcmp(role, "tool"))
			role = "user";
		json_array_foreach(json_object_get(m, "content"), j, b) {
			json_t *o = block_out(b);
			if (o)
				json_array_append_new(content, o);
		}
		if (json_array_size(content) == 0) {
			json_decref(content);
			continue;
		}
		if ((long long)i == stable)
			mark = json_array_get(content, json_array_size(
				content) - 1);
		if (last && !strcmp(bn_agent__block_str(last, "role"), role)) {
			json_array_extend(json_object_get(last, "content"),
					  content);
			json_decref(content);
			continue;
		}
		last = json_pack("{s:s, s:o}", "role", role, "content",
				 content);
		json_array_append_new(out, last);
	}
	if (mark)
		breakpoint(mark);
	if (last) {
		json_t *c = json_object_get(last, "content");
		breakpoint(json_array_get(c, json_array_size(c) - 1));
	}
	return out;
}

static int body(char **out, const bn_agent_provider *p,
		const bn_agent_request *req, bn_err *err)
{
	json_t *j, *tools = json_array(), *t;
	size_t i;

	j = json_pack("{s:s, s:I, s:b}", "model", p->model, "max_tokens",
		      (json_int_t)bn_agent__max_tokens(p, req), "stream", 1);
	if (!j) {
		json_decref(tools);
		return bn_err_oom(err);
	}
	if (req->system && *req->system) {
		json_t *sys = json_pack("{s:s, s:s}", "type", "text", "text",
					req->system);
		breakpoint(sys);
		json_object_set_new(j, "system", json_pack("[o]", sys));
	}
	json_object_set_new(j, "messages", messages_out(req->messages));
	json_array_foreach(req->tools, i, t)
		json_array_append_new(tools, json_pack("{s:O, s:O, s:O}",
			"name", json_object_get(t, "name"),
			"description", json_object_get(t, "description"),
			"input_schema", json_object_get(t, "parameters")));
	if (json_array_size(tools))
		breakpoint(json_array_get(tools, json_array_size(tools) - 1));
	return bn_agent__body_dump(out, j, tools, err);
}

static char *auth_header(const bn_agent_provider *p)
{
	return bn_xasprintf("x-api-key: %s", p->key);
}

static const char *const headers[] = {
	"anthropic-version: 2023-06-01",
	NULL,
};

static int malformed(bn_agent__acc *a, const char *what)
{
	return bn_err_set(a->err, BN_EINVAL, "anthropic: malformed answer: "
			  "%s", what);
}

/* *to = U's count KEY when it has one. */
static void count(unsigned long long *to, json_t *u, const char *key)
{
	json_t *v = json_object_get(u, key);
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		*to = (unsigned long long)json_integer_value(v);
}

static void usage(bn_agent__acc *a, json_t *u)
{
	count(&a->input_tokens, u, "input_tokens");
	count(&a->output_tokens, u, "output_tokens");
	count(&a->cache_read_tokens, u, "cache_read_input_tokens");
	count(&a->cache_write_tokens, u, "cache_creation_input_tokens");
}

static int block_start(bn_agent__acc *a, json_t *d)
{
	json_t *idx = json_object_get(d, "index");
	json_t *cb = json_object_get(d, "content_block");
	bn_agent__slot *s;
	const char *type;

	if (!json_is_integer(idx) || !json_is_object(cb))
		return malformed(a, "content_block_start without index or "
				 "content_block");
	if (!(s = bn_agent__acc_slot(a, json_integer_value(idx))))
		return BN_EINVAL;
	if (s->kind != BN_AGENT__SLOT_NONE)
		return malformed(a, "a content block started twice");
	type = bn_agent__block_str(cb, "type");
	if (!strcmp(type, "text")) {
		const char *t = bn_agent__block_str(cb, "text");
		s->kind = BN_AGENT__SLOT_TEXT;
		return bn_agent__acc_text(a, s, t, strlen(t));
	}
	if (!strcmp(type, "tool_use")) {
		json_t *in = json_object_get(cb, "input");
		s->kind = BN_AGENT__SLOT_TOOL;
		s->id = bn_xstrdup(bn_agent__block_str(cb, "id"));
		s->name = bn_xstrdup(bn_agent__block_str(cb, "name"));
		if (json_is_object(in) && json_object_size(in))
			s->input = json_incref(in);
		return 0;
	}
	s->kind = BN_AGENT__SLOT_OTHER; /* thinking, server tools, ... */
	return 0;
}

static int block_delta(bn_agent__acc *a, json_t *d)
{
	json_t *idx = json_object_get(d, "index");
	json_t *delta = json_object_get(d, "delta");
	bn_agent__slot *s;
	const char *type, *t;

	if (!json_is_integer(idx) || !json_is_object(delta))
		return malformed(a, "content_block_delta without index or "
				 "delta");
	if (!(s = bn_agent__acc_slot(a, json_integer_value(idx))))
		return BN_EINVAL;
	type = bn_agent__block_str(delta, "type");
	if (!strcmp(type, "text_delta")) {
		t = bn_agent__block_str(delta, "text");
		if (s->kind == BN_AGENT__SLOT_NONE)
			return malformed(a, "text for a block never started");
		return bn_agent__acc_text(a, s, t, strlen(t));
	}
	if (!strcmp(type, "input_json_delta")) {
		t = bn_agent__block_str(delta, "partial_json");
		if (s->input) { /* the start had it whole: start over */
			json_decref(s->input);
			s->input = NULL;
		}
		return bn_agent__acc_args(a, s, t, strlen(t));
	}
	return 0; /* thinking_delta, signature_delta, citations_delta */
}

static int stream_error(bn_agent__acc *a, json_t *d)
{
	json_t *e = json_object_get(d, "error");
	const char *type = bn_agent__block_str(e, "type");
	const char *msg = bn_agent__block_str(e, "message");

	a->retryable = !strcmp(type, "overloaded_error") ||
		       !strcmp(type, "api_error");
	return bn_err_set(a->err, BN_EIO, "anthropic: the stream ended with "
			  "an error: %s%s%s", *type ? type : "error",
			  *msg ? ": " : "", msg);
}

static int event(bn_agent__acc *a, const bn_agent_sse_event *ev)
{
	json_error_t je;
	json_t *d = json_loadb(ev->data, ev->data_len, 0, &je);
	const char *type;
	int r = 0;

	if (!json_is_object(d)) {
		json_decref(d);
		return malformed(a, "an event's data is not a JSON object");
	}
	type = json_object_get(d, "type") ? bn_agent__block_str(d, "type") :
		ev->type;
	if (!strcmp(type, "message_start"))
		usage(a, json_object_get(json_object_get(d, "message"),
					 "usage"));
	else if (!strcmp(type, "content_block_start"))
		r = block_start(a, d);
	else if (!strcmp(type, "content_block_delta"))
		r = block_delta(a, d);
	else if (!strcmp(type, "message_delta")) {
		json_t *sr = json_object_get(json_object_get(d, "delta"),
					     "stop_reason");
		if (json_is_string(sr))
			bn_agent__acc_stop(a, json_string_value(sr));
		usage(a, json_object_get(d, "usage"));
	} else if (!strcmp(type, "message_stop"))
		a->done = true;
	else if (!strcmp(type, "error"))
		r = stream_error(a, d);
	json_decref(d);
	return r;
}

/* A non-streamed answer: {"type": "message", "content": [...], ...}. */
static int whole(bn_agent__acc *a, json_t *m)
{
	json_t *content = json_object_get(m, "content"), *b;
	size_t i;
	int r = 0;

	if (!json_is_array(content))
		return malformed(a, "no content array");
	json_array_foreach(content, i, b) {
		json_t *start = json_pack("{s:I, s:O}", "index", (json_int_t)i,
					  "content_block", b);
		r = block_start(a, start);
		json_decref(start);
		if (r)
			return r;
		if (a->slots[i].kind == BN_AGENT__SLOT_TOOL &&
		    !a->slots[i].input) {
			json_t *in = json_object_get(b, "input");
			a->slots[i].input = json_is_object(in) ?
				json_incref(in) : json_object();
		}
	}
	if (json_is_string(json_object_get(m, "stop_reason")))
		bn_agent__acc_stop(a, bn_agent__block_str(m, "stop_reason"));
	usage(a, json_object_get(m, "usage"));
	a->done = true;
	return 0;
}

static char *error_text(json_t *body, bool *overloaded)
{
	const char *type;
	char *text = bn_agent__error_line(json_object_get(body, "error"),
					  &type);

	if (text)
		*overloaded = !strcmp(type, "overloaded_error");
	return text;
}

const bn_agent__api bn_agent__anthropic =
	BN_AGENT__API_OF_FILE("anthropic", "/v1/messages");
