/* SPDX-License-Identifier: MIT */
/*
 * agent/openai.c - the OpenAI-compatible Chat Completions API: the request
 * body from the neutral conversation, and the streamed answer back.
 *
 * Spec: https://platform.openai.com/docs/api-reference/chat/create and
 * .../chat-streaming: tools [{type: function, function: {name,
 * description, parameters}}]; tool_calls in the assistant message; role
 * "tool" messages with tool_call_id; stream chunks with
 * choices[0].delta.content, delta.tool_calls[i] (index, id, function
 * name, partial arguments), finish_reason; "data: [DONE]" at the end.
 */
#include "agent_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* All text blocks of M joined (owned). */
static char *joined_text(json_t *m)
{
	bn_buf b = BN_BUF_INIT;
	json_t *blk;
	size_t i;

	json_array_foreach(json_object_get(m, "content"), i, blk)
		if (!strcmp(bn_agent__block_str(blk, "type"), "text"))
			if (bn_buf_puts(&b, bn_agent__block_str(blk, "text")))
				break;
	return b.data ? bn_buf_take(&b) : bn_xstrdup("");
}

static json_t *assistant_out(json_t *m)
{
	json_t *calls = json_array(), *blk, *o;
	char *text = joined_text(m);
	size_t i;

	json_array_foreach(json_object_get(m, "content"), i, blk) {
		if (strcmp(bn_agent__block_str(blk, "type"), "tool_call"))
			continue;
		json_t *in = json_object_get(blk, "input");
		char *args = json_is_object(in) ?
			json_dumps(in, JSON_COMPACT) : NULL;
		json_array_append_new(calls, json_pack(
			"{s:s, s:s, s:{s:s, s:s}}",
			"id", bn_agent__block_str(blk, "id"),
			"type", "function", "function",
			"name", bn_agent__block_str(blk, "name"),
			"arguments", args ? args : "{}"));
		free(args);
	}
	if (!*text && !json_array_size(calls)) {
		free(text);
		json_decref(calls);
		return NULL;
	}
	o = json_pack("{s:s}", "role", "assistant");
	json_object_set_new(o, "content", *text ? json_string(text) :
			    json_null());
	if (json_array_size(calls))
		json_object_set(o, "tool_calls", calls);
	json_decref(calls);
	free(text);
	return o;
}

static void tool_results_out(json_t *out, json_t *m)
{
	json_t *blk;
	size_t i;

	json_array_foreach(json_object_get(m, "content"), i, blk) {
		if (strcmp(bn_agent__block_str(blk, "type"), "tool_result"))
			continue;
		bool is_error = json_is_true(json_object_get(blk, "is_error"));
		char *c = bn_xasprintf("%s%s", is_error ? "error: " : "",
				       bn_agent__block_str(blk, "content"));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s}",
			"role", "tool", "tool_call_id",
			bn_agent__block_str(blk, "id"), "content", c));
		free(c);
	}
}

static json_t *messages_out(const bn_agent_request *req)
{
	json_t *out = json_array(), *m, *o;
	size_t i;

	if (req->system && *req->system)
		json_array_append_new(out, json_pack("{s:s, s:s}", "role",
			"system", "content", req->system));
	json_array_foreach(req->messages, i, m) {
		const char *role = bn_agent__block_str(m, "role");
		if (!strcmp(role, "tool")) {
			tool_results_out(out, m);
		} else if (!strcmp(role, "assistant")) {
			if ((o = assistant_out(m)))
				json_array_append_new(out, o);
		} else {
			char *t = joined_text(m);
			json_array_append_new(out, json_pack("{s:s, s:s}",
				"role", "user", "content", t));
			free(t);
		}
	}
	return out;
}

static int body(char **out, const bn_agent_provider *p,
		const bn_agent_request *req, bn_err *err)
{
	json_t *j, *tools = json_array(), *t;
	size_t i;

	bool legacy = req->legacy_max_tokens < 0 ? p->legacy_max_tokens :
		req->legacy_max_tokens > 0;

	j = json_pack("{s:s, s:b, s:I, s:{s:b}}", "model", p->model,
		      "stream", 1, legacy ? "max_tokens" :
		      "max_completion_tokens",
		      (json_int_t)bn_agent__max_tokens(p, req),
		      "stream_options", "include_usage", 1);
	if (!j) {
		json_decref(tools);
		return bn_err_oom(err);
	}
	json_object_set_new(j, "messages", messages_out(req));
	json_array_foreach(req->tools, i, t)
		json_array_append_new(tools, json_pack(
			"{s:s, s:{s:O, s:O, s:O}}", "type", "function",
			"function", "name", json_object_get(t, "name"),
			"description", json_object_get(t, "description"),
			"parameters", json_object_get(t, "parameters")));
	return bn_agent__body_dump(out, j, tools, err);
}

static char *auth_header(const bn_agent_provider *p)
{
	return bn_xasprintf("Authorization: Bearer %s", p->key);
}

static const char *const headers[] = { NULL };

static int malformed(bn_agent__acc *a, const char *what)
{
	return bn_err_set(a->err, BN_EINVAL, "openai: malformed answer: %s",
			  what);
}

/* The count U holds at KEY, or 0. */
static unsigned long long count(json_t *u, const char *key)
{
	json_t *v = json_object_get(u, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ?
		(unsigned long long)json_integer_value(v) : 0;
}

/* prompt_tokens include the cached ones: input_tokens counts the rest. */
static void usage(bn_agent__acc *a, json_t *u)
{
	unsigned long long in = count(u, "prompt_tokens");
	unsigned long long cached = count(json_object_get(u,
		"prompt_tokens_details"), "cached_tokens");

	if (!json_is_object(u))
		return;
	a->cache_read_tokens = cached < in ? cached : in;
	a->input_tokens = in - a->cache_read_tokens;
	a->output_tokens = count(u, "completion_tokens");
}

/* One entry of delta.tool_calls (or of a whole message's tool_calls). */
static int tool_delta(bn_agent__acc *a, json_t *tc, long long dflt_index)
{
	json_t *idx = json_object_get(tc, "index");
	json_t *fn = json_object_get(tc, "function");
	json_t *id = json_object_get(tc, "id");
	json_t *name = json_object_get(fn, "name");
	json_t *args = json_object_get(fn, "arguments");
	long long i = json_is_integer(idx) ? json_integer_value(idx) :
		dflt_index;
	bn_agent__slot *s;

	if (i < 0 || i >= BN_AGENT__SLOTS_MAX - 1)
		return malformed(a, "a tool call index out of range");
	if (!(s = bn_agent__acc_slot(a, i + 1)))
		return BN_EINVAL;
	if (s->kind == BN_AGENT__SLOT_NONE)
		s->kind = BN_AGENT__SLOT_TOOL;
	if (json_is_string(id) && !s->id)
		s->id = bn_xstrdup(json_string_value(id));
	if (json_is_string(name) && !s->name)
		s->name = bn_xstrdup(json_string_value(name));
	if (json_is_string(args))
		return bn_agent__acc_args(a, s, json_string_value(args),
					  json_string_length(args));
	return 0;
}

static int choice(bn_agent__acc *a, json_t *c, const char *key)
{
	json_t *d = json_object_get(c, key), *tc, *fr;
	json_t *content = json_object_get(d, "content");
	json_t *refusal = json_object_get(d, "refusal");
	size_t i;
	int r = 0;

	if (!json_is_object(d))
		return 0;
	if (json_is_string(content))
		r = bn_agent__acc_text(a, bn_agent__acc_slot(a, 0),
				       json_string_value(content),
				       json_string_length(content));
	if (!r && json_is_string(refusal))
		r = bn_agent__acc_text(a, bn_agent__acc_slot(a, 0),
				       json_string_value(refusal),
				       json_string_length(refusal));
	json_array_foreach(json_object_get(d, "tool_calls"), i, tc) {
		if (r)
			break;
		r = tool_delta(a, tc, (long long)i);
	}
	fr = json_object_get(c, "finish_reason");
	if (!r && json_is_string(fr))
		bn_agent__acc_stop(a, json_string_value(fr));
	return r;
}

static int api_error(bn_agent__acc *a, json_t *e)
{
	const char *type = bn_agent__block_str(e, "type");
	const char *code = bn_agent__block_str(e, "code");
	const char *msg = bn_agent__block_str(e, "message");

	a->retryable = !strcmp(type, "server_error") ||
		       strstr(code, "overloaded") || strstr(type, "overloaded");
	return bn_err_set(a->err, BN_EIO, "openai: the stream ended with an "
			  "error: %s%s%s", *type ? type : "error",
			  *msg ? ": " : "", msg);
}

static int event(bn_agent__acc *a, const bn_agent_sse_event *ev)
{
	json_error_t je;
	json_t *d, *choices;
	int r = 0;

	if (ev->data_len == 6 && !memcmp(ev->data, "[DONE]", 6)) {
		a->done = true;
		return 0;
	}
	if (a->done)
		return malformed(a, "data after [DONE]");
	d = json_loadb(ev->data, ev->data_len, 0, &je);
	if (!json_is_object(d)) {
		json_decref(d);
		return malformed(a, "a chunk is not a JSON object");
	}
	if (json_is_object(json_object_get(d, "error"))) {
		r = api_error(a, json_object_get(d, "error"));
		json_decref(d);
		return r;
	}
	choices = json_object_get(d, "choices");
	if (json_array_size(choices))
		r = choice(a, json_array_get(choices, 0), "delta");
	usage(a, json_object_get(d, "usage"));
	json_decref(d);
	return r;
}

static int whole(bn_agent__acc *a, json_t *m)
{
	json_t *choices = json_object_get(m, "choices");
	int r;

	if (!json_array_size(choices))
		return malformed(a, "no choices");
	r = choice(a, json_array_get(choices, 0), "message");
	usage(a, json_object_get(m, "usage"));
	a->done = true;
	return r;
}

static char *error_text(json_t *body, bool *overloaded)
{
	json_t *e = json_object_get(body, "error");
	const char *type;
	char *text;

	if (json_is_string(e))
		return bn_xstrdup(json_string_value(e));
	if ((text = bn_agent__error_line(e, &type)))
		*overloaded = strstr(type, "overloaded") != NULL;
	return text;
}

const bn_agent__api bn_agent__openai =
	BN_AGENT__API_OF_FILE("openai", "/chat/completions");
