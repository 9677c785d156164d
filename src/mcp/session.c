/* SPDX-License-Identifier: MIT */
/*
 * mcp/session.c - one MCP session: JSON-RPC 2.0 messages in, the
 * protocol's state machine, answers out (see mcp.h).
 *
 * Lifecycle (spec basic/lifecycle): only initialize and ping are served
 * before initialize was answered; initialize agrees on a version (the
 * client's when it is one we speak, else our latest); a second
 * initialize is refused.  Requests are objects (2025-06-18 has no
 * batches); an id is a string or a number.  Responses the client sends
 * are ignored (this server asks nothing), and so are notifications it
 * does not know.
 */
#include "mcp_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *error_v(const json_t *id, int code, const char *fmt,
		       va_list ap) BN_PRINTF(3, 0);

static json_t *error_v(const json_t *id, int code, const char *fmt,
		       va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0",
			 "id", id ? (json_t *)id : json_null(),
			 "error", "code", code, "message", msg);
}

json_t *bn_mcp__error(const json_t *id, int code, const char *fmt, ...)
{
	va_list ap;
	json_t *e;

	va_start(ap, fmt);
	e = error_v(id, code, fmt, ap);
	va_end(ap);
	return e;
}

void bn_mcp__send_error(bn_mcp__session *ss, const json_t *id, int code,
			const char *fmt, ...)
{
	va_list ap;
	json_t *e;

	va_start(ap, fmt);
	e = error_v(id, code, fmt, ap);
	va_end(ap);
	ss->send(ss->payload, e, id, true);
}

json_t *bn_mcp__notification(const char *method, json_t *params)
{
	json_t *n = json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method",
			      method);

	if (params)
		json_object_set_new(n, "params", params);
	return n;
}

static json_t *result(const json_t *id, json_t *res)
{
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
			 "result", res);
}

bn_mcp__session *bn_mcp__session_new(bn_mcp_server *srv, bn_mcp__send_fn send,
				     void *payload)
{
	bn_mcp__session *ss = bn_xcalloc(1, sizeof(*ss));

	ss->srv = srv;
	ss->send = send;
	ss->payload = payload;
	pthread_mutex_init(&ss->lock, NULL);
	pthread_cond_init(&ss->idle, NULL);
	bn_mcp__server_add(srv, ss);
	return ss;
}

void bn_mcp__session_free(bn_mcp__session *ss)
{
	if (!ss)
		return;
	bn_mcp__server_remove(ss->srv, ss);
	bn_mcp__calls_finish(ss, true);
	pthread_cond_destroy(&ss->idle);
	pthread_mutex_destroy(&ss->lock);
	free(ss->client);
	for (int i = 0; i < 3; i++)
		free(ss->seen[i]);
	free(ss);
}

void bn_mcp__session_oversized(bn_mcp__session *ss, size_t max_bytes)
{
	bn_mcp__send_error(ss, NULL, BN_MCP_INVALID_REQUEST,
		 "message over %zu bytes: refused unread", max_bytes);
}

/* The catalog of SS's bot; a JSON-RPC error (sent for ID) when it
   cannot be read. */
static bool catalog(bn_mcp__catalog *c, bn_mcp__session *ss, const json_t *id)
{
	bn_store *s = NULL;
	bn_err err;
	int r;

	bn_err_init(&err);
	r = bn_mcp__store_open(&s, ss->srv, &err);
	if (!r)
		r = bn_mcp__catalog_load(c, s, ss->srv->bot, &err);
	bn_store_free(s);
	if (r) {
		bn_mcp__send_error(ss, id, BN_MCP_INTERNAL_ERROR,
			 "%s", err.msg);
		return false;
	}
	return true;
}

/* Remember what SS's client was shown of list K (0 tools, 1 prompts,
   2 resources), so that the watcher tells it only of changes. */
static void saw(bn_mcp__session *ss, const bn_mcp__catalog *c)
{
	char *now[3];

	bn_mcp__catalog_seen(now, c);
	pthread_mutex_lock(&ss->lock);
	for (int i = 0; i < 3; i++) {
		free(ss->seen[i]);
		ss->seen[i] = now[i];
	}
	pthread_mutex_unlock(&ss->lock);
}

void bn_mcp__session_changed(bn_mcp__session *ss, const char *const now[3])
{
	static const char *const methods[3] = {
		"notifications/tools/list_changed",
		"notifications/prompts/list_changed",
		"notifications/resources/list_changed",
	};
	bool changed[3] = { false, false, false };

	pthread_mutex_lock(&ss->lock);
	if (ss->initialized) {
		for (int i = 0; i < 3; i++) {
			if (ss->seen[i] && !strcmp(ss->seen[i], now[i]))
				continue;
			changed[i] = true;
			free(ss->seen[i]);
			ss->seen[i] = bn_xstrdup(now[i]);
		}
	}
	pthread_mutex_unlock(&ss->lock);
	for (int i = 0; i < 3; i++)
		if (changed[i])
			ss->send(ss->payload, bn_mcp__notification(methods[i],
				 NULL), NULL, false);
}

/* ---- methods ------------------------------------------------------------ */

static void on_initialize(bn_mcp__session *ss, const json_t *id,
			  const json_t *params)
{
	const char *want = json_string_value(json_object_get(params,
						"protocolVersion"));
	const char *name = json_string_value(json_object_get(
		json_object_get(params, "clientInfo"), "name"));
	const char *version = BN_MCP_PROTOCOL_LATEST;
	bn_mcp__catalog c;
	json_t *res;

	if (!want)
		goto bad;
	if (!strcmp(want, BN_MCP_PROTOCOL_OLDEST))
		version = BN_MCP_PROTOCOL_OLDEST;
	pthread_mutex_lock(&ss->lock);
	if (ss->initialized) {
		pthread_mutex_unlock(&ss->lock);
		bn_mcp__send_error(ss, id, BN_MCP_INVALID_REQUEST,
			 "the session is initialized already");
		return;
	}
	snprintf(ss->version, sizeof(ss->version), "%s", version);
	free(ss->client);
	ss->client = name && *name ? bn_xstrndup(name, 128)
				     : NULL;
	pthread_mutex_unlock(&ss->lock);
	res = json_pack("{s:s, s:{s:{s:b}, s:{s:b}, s:{s:b, s:b}},"
			" s:{s:s, s:s}, s:s++}",
			"protocolVersion", version,
			"capabilities", "tools", "listChanged", 1,
			"prompts", "listChanged", 1,
			"resources", "subscribe", 0, "listChanged", 1,
			"serverInfo", "name", "boternity", "version",
			BN_VERSION,
			"instructions", "Tools here are boternity skills of bot '",
			ss->srv->bot, "': each runs sandboxed, with only the "
			"capabilities the user granted, and every call is "
			"audited (`bnity audit`).");
	if (strcmp(version, BN_MCP_PROTOCOL_OLDEST))
		json_object_set_new(json_object_get(res, "serverInfo"),
				    "title", json_string("boternity"));
	/* what the client is told of from now on is what it was shown */
	if (catalog(&c, ss, NULL)) {
		saw(ss, &c);
		bn_mcp__catalog_clear(&c);
	}
	pthread_mutex_lock(&ss->lock);
	ss->initialized = true;
	pthread_mutex_unlock(&ss->lock);
	bn_mcp__log(ss->srv, "client %s connected (protocol %s)",
		    name ? name : "(unnamed)", version);
	ss->send(ss->payload, result(id, res), id, true);
	return;
bad:
	bn_mcp__send_error(ss, id, BN_MCP_INVALID_PARAMS,
		 "initialize: params.protocolVersion must be a string");
}

/* tools/list, prompts/list, resources/list: the whole list (no pages). */
static void on_list(bn_mcp__session *ss, const json_t *id, int which)
{
	static const char *const keys[3] = { "tools", "prompts", "resources" };
	bn_mcp__catalog c;
	json_t *lists[3], *res;

	if (!catalog(&c, ss, id))
		return;
	saw(ss, &c);
	lists[0] = bn_mcp__tools_for(c.tools, ss->version);
	lists[1] = json_incref(c.prompts);
	lists[2] = json_incref(c.resources);
	res = json_pack("{s:O}", keys[which], lists[which]);
	for (int i = 0; i < 3; i++)
		json_decref(lists[i]);
	bn_mcp__catalog_clear(&c);
	ss->send(ss->payload, result(id, res), id, true);
}

/* The string params.KEY of a METHOD call and the bot's catalog (*C);
   NULL after answering the client why not. */
static const char *arg_and_catalog(bn_mcp__catalog *c, bn_mcp__session *ss,
				   const json_t *id, const json_t *params,
				   const char *method, const char *key)
{
	const char *v = json_string_value(json_object_get(params, key));

	if (!v) {
		bn_mcp__send_error(ss, id, BN_MCP_INVALID_PARAMS,
				   "%s: params.%s must be a string", method,
				   key);
		return NULL;
	}
	return catalog(c, ss, id) ? v : NULL;
}

static void on_prompt_get(bn_mcp__session *ss, const json_t *id,
			  const json_t *params)
{
	bn_mcp__catalog c;
	const char *name = arg_and_catalog(&c, ss, id, params, "prompts/get",
					   "name");
	json_t *body, *res = NULL;
	size_t i;
	json_t *p;

	if (!name)
		return;
	body = json_object_get(c.bodies, name);
	json_array_foreach(c.prompts, i, p)
		if (body && !strcmp(json_string_value(json_object_get(p,
				    "name")), name))
			res = json_pack("{s:O, s:[{s:s, s:{s:s, s:O}}]}",
				"description", json_object_get(p,
				"description"), "messages", "role", "user",
				"content", "type", "text", "text", body);
	bn_mcp__catalog_clear(&c);
	if (!res)
		bn_mcp__send_error(ss, id, BN_MCP_INVALID_PARAMS,
			 "prompts/get: no prompt '%s': bot '%s' has no enabled "
			 "prompt skill of that name (bnity skill attach %s %s)",
			 name, ss->srv->bot, name, ss->srv->bot);
	else
		ss->send(ss->payload, result(id, res), id, true);
}

static void on_resource_read(bn_mcp__session *ss, const json_t *id,
			     const json_t *params)
{
	bn_mcp__catalog c;
	const char *uri = arg_and_catalog(&c, ss, id, params,
					  "resources/read", "uri");
	json_t *res = NULL;
	bn_err err;
	int code;

	if (!uri)
		return;
	bn_err_init(&err);
	code = bn_mcp__resource_read(&res, &c, uri, &err);
	bn_mcp__catalog_clear(&c);
	if (code) {
		json_t *e = bn_mcp__error(id, code, "%s", err.msg);
		json_object_set_new(json_object_get(e, "error"), "data",
				    json_pack("{s:s}", "uri", uri));
		ss->send(ss->payload, e, id, true);
	} else {
		ss->send(ss->payload, result(id, res), id, true);
	}
}

static void on_tool_call(bn_mcp__session *ss, const json_t *id,
			 const json_t *params)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments"), *tool;
	bn_mcp__catalog c;

	if (!name || (args && !json_is_object(args))) {
		bn_mcp__send_error(ss, id, BN_MCP_INVALID_PARAMS,
			 "tools/call: params.name must be a string and "
			 "params.arguments an object");
		return;
	}
	if (bn_mcp__session_has_call(ss, id)) {
		bn_mcp__send_error(ss, id, BN_MCP_INVALID_REQUEST,
			 "tools/call: request id in use by a call in flight");
		return;
	}
	if (!catalog(&c, ss, id))
		return;
	tool = bn_mcp__catalog_tool(&c, name);
	if (tool && !strcmp(ss->version, BN_MCP_PROTOCOL_OLDEST))
		json_object_del(tool, "outputSchema");
	if (!tool)
		bn_mcp__send_error(ss, id, BN_MCP_INVALID_PARAMS,
			 "Unknown tool: '%s' is not an enabled tool skill of "
			 "bot '%s' (attach it: bnity skill attach %s %s)",
			 name, ss->srv->bot, name, ss->srv->bot);
	else
		bn_mcp__call_start(ss, id, params, tool);
	bn_mcp__catalog_clear(&c);
}

static void on_notification(bn_mcp__session *ss, const char *method,
			    const json_t *params)
{
	if (!strcmp(method, "notifications/cancelled")) {
		const json_t *rid = json_object_get(params, "requestId");
		const char *why = json_string_value(json_object_get(params,
							"reason"));
		if (rid && bn_mcp__call_cancel(ss, rid))
			bn_mcp__log(ss->srv, "the client cancelled a call%s%s",
				    why ? ": " : "", why ? why : "");
	}
	/* notifications/initialized and the others ask nothing of us */
}

/* One request: METHOD with ID and PARAMS (an object or NULL). */
static void on_request(bn_mcp__session *ss, const char *method,
		       const json_t *id, const json_t *params)
{
	bool ready;

	pthread_mutex_lock(&ss->lock);
	ready = ss->initialized;
	pthread_mutex_unlock(&ss->lock);
	if (!strcmp(method, "initialize"))
		return on_initialize(ss, id, params);
	if (!strcmp(method, "ping"))
		return ss->send(ss->payload, result(id, json_object()), id,
				true);
	if (!ready) {
		bn_mcp__send_error(ss, id, BN_MCP_INVALID_REQUEST,
			 "%s before initialize: initialize the session first",
			 method);
		return;
	}
	if (!strcmp(method, "tools/list"))
		on_list(ss, id, 0);
	else if (!strcmp(method, "prompts/list"))
		on_list(ss, id, 1);
	else if (!strcmp(method, "resources/list"))
		on_list(ss, id, 2);
	else if (!strcmp(method, "resources/templates/list"))
		ss->send(ss->payload, result(id, json_pack("{s:[]}",
			 "resourceTemplates")), id, true);
	else if (!strcmp(method, "tools/call"))
		on_tool_call(ss, id, params);
	else if (!strcmp(method, "prompts/get"))
		on_prompt_get(ss, id, params);
	else if (!strcmp(method, "resources/read"))
		on_resource_read(ss, id, params);
	else
		bn_mcp__send_error(ss, id, BN_MCP_METHOD_NOT_FOUND,
			 "Method not found: %s", method);
}

void bn_mcp__session_input(bn_mcp__session *ss, const char *text, size_t len)
{
	json_error_t je;
	json_t *m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	json_t *id, *params;
	const char *method;

	if (!m) {
		bn_mcp__send_error(ss, NULL, BN_MCP_PARSE_ERROR,
			 "Parse error: %s (line %d, column %d)", je.text,
			 je.line, je.column);
		return;
	}
	id = json_object_get(m, "id");
	params = json_object_get(m, "params");
	method = json_string_value(json_object_get(m, "method"));
	if (!json_is_object(m) ||
	    !json_is_string(json_object_get(m, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(m, "jsonrpc")), "2.0") ||
	    (id && !json_is_string(id) && !json_is_integer(id)) ||
	    (!method && !json_object_get(m, "result") &&
	     !json_object_get(m, "error"))) {
		json_t *rid = id && (json_is_string(id) || json_is_integer(id))
			      ? id : NULL;
		bn_mcp__send_error(ss, rid, BN_MCP_INVALID_REQUEST,
			 "Invalid Request: a JSON-RPC 2.0 object with "
			 "\"jsonrpc\": \"2.0\", a \"method\" and an id that is "
			 "a string or a number");
	} else if (!method) {
		/* a response: we sent no request, nothing waits for it */
	} else if (params && !json_is_object(params)) {
		if (id)
			bn_mcp__send_error(ss, id,
				 BN_MCP_INVALID_PARAMS, "%s: params must be "
				 "an object", method);
	} else if (!id) {
		on_notification(ss, method, params);
	} else {
		on_request(ss, method, id, params);
	}
	json_decref(m);
}
