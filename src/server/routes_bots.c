/* SPDX-License-Identifier: MIT */
/*
 * server/routes_bots.c - /api/v1/bots: bots (create, list, show, remove),
 * a bot's skills (attach, detach, enable, disable), the grants of a
 * bot's skill, and a bot's memories.  Grants never exceed what the skill
 * and its ancestors declare (exec/grants.h decides).
 */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>

#include "agent/provider.h"
#include "exec/grants.h"
#include "exec/memory.h"

#define GRANTS_MAX 64   /* capabilities in one POST */

/* 0 when the bot of the route's first parameter exists; else ERR. */
static int bot_exists(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_bot b = { 0 };
	int r = bn_store_bot_get(&b, s, rq->params[0], err);

	bn_store_bot_clear(&b);
	return r;
}

/* ---- bots ------------------------------------------------------------------ */

int bn_server__bots_list(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_bot *bots = NULL;
	size_t n = 0, i;
	json_t *a;
	int r = bn_store_bot_list(&bots, &n, s, err);

	if (!r)
		r = bn_view_bots_load_json(&a, s, bots, n, err);
	for (i = 0; i < n; i++)
		bn_store_bot_clear(&bots[i]);
	free(bots);
	if (!r)
		bn_server__reply_member(rq, MHD_HTTP_OK, "bots", a);
	return r;
}

int bn_server__bot_create(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bool bad = false;
	bn_store_bot b = { 0 }, made = { 0 };
	bn_agent_api api;
	int r;

	b.slug = (char *)bn_server__body_str(rq, "slug", &bad);
	b.name = (char *)bn_server__body_str(rq, "name", &bad);
	b.persona = (char *)bn_server__body_str(rq, "persona", &bad);
	b.provider = (char *)bn_server__body_str(rq, "provider", &bad);
	b.model = (char *)bn_server__body_str(rq, "model", &bad);
	if (!bn_server__need(rq, bad, b.slug,
			     "give {\"slug\": \"my-bot\", "
			     "\"persona\": \"...\"}"))
		return 0;
	if (b.provider && (r = bn_agent_api_check(&api, b.provider, err)))
		return r;
	r = bn_store_bot_create(s, &b, err);
	if (!r)
		r = bn_store_bot_get(&made, s, b.slug, err);
	if (!r)
		bn_server__reply(rq, MHD_HTTP_CREATED,
				 bn_view_bot_json(&made, NULL, 0));
	bn_store_bot_clear(&made);
	return r;
}

int bn_server__bot_show(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_bot b = { 0 };
	json_t *o;
	int r = bn_store_bot_get(&b, s, rq->params[0], err);

	if (!r && !(r = bn_view_bot_load_json(&o, s, &b, err)))
		bn_server__reply(rq, MHD_HTTP_OK, o);
	bn_store_bot_clear(&b);
	return r;
}

void bn_server__bot_remove(bn_server_req *rq)
{
	bn_server__remove(rq, bn_store_bot_remove);
}

/* ---- a bot's skills ---------------------------------------------------------- */

/* The bot's attachments: [{skill, enabled, attached_at}]. */
int bn_server__bot_skills(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_attachment *att = NULL;
	size_t n = 0, i;
	json_t *a;
	int r = bot_exists(rq, s, err);

	if (r || (r = bn_store_bot_skills(&att, &n, s, rq->params[0], err)))
		return r;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, bn_view_attachment_json(&att[i]));
	bn_store_attachments_free(att, n);
	bn_server__reply_member(rq, MHD_HTTP_OK, "skills", a);
	return 0;
}

/* Reply with the attachment SKILL of the route's bot after a change R
   (DONE), or return R. */
static int reply_binding(bn_server_req *rq, int r, unsigned status,
			 const char *skill, const char *done)
{
	json_t *o;

	if (r)
		return r;
	o = json_object();
	json_object_set_new(o, "bot", json_string(rq->params[0]));
	json_object_set_new(o, "skill", json_string(skill));
	json_object_set_new(o, "done", json_string(done));
	bn_server__reply(rq, status, o);
	return 0;
}

int bn_server__skill_attach(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bool bad = false;
	const char *skill = bn_server__body_str(rq, "skill", &bad);

	if (!bn_server__need(rq, bad, skill, "give {\"skill\": \"NAME\"}"))
		return 0;
	return reply_binding(rq, bn_store_attach(s, rq->params[0], skill, err),
			     MHD_HTTP_CREATED, skill, "attached");
}

int bn_server__skill_detach(bn_server_req *rq, bn_store *s, bn_err *err)
{
	return reply_binding(rq, bn_store_detach(s, rq->params[0],
						 rq->params[1], err),
			     MHD_HTTP_OK, rq->params[1], "detached");
}

int bn_server__skill_enable(bn_server_req *rq, bn_store *s, bn_err *err)
{
	return reply_binding(rq, bn_store_set_enabled(s, rq->params[0],
						      rq->params[1], true, err),
			     MHD_HTTP_OK, rq->params[1], "enabled");
}

int bn_server__skill_disable(bn_server_req *rq, bn_store *s, bn_err *err)
{
	return reply_binding(rq, bn_store_set_enabled(s, rq->params[0],
						      rq->params[1], false,
						      err),
			     MHD_HTTP_OK, rq->params[1], "disabled");
}

/* ---- grants ------------------------------------------------------------------ */

int bn_server__grants_list(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_exec_grants g = { 0 };
	int r = bot_exists(rq, s, err);

	if (!r && !(r = bn_exec_grant_list(&g, s, rq->params[1],
					   rq->params[0], err)))
		bn_server__reply_member(rq, MHD_HTTP_OK, "grants",
					bn_view_grants_json(&g));
	bn_exec_grants_clear(&g);
	return r;
}

static bool get_u64(bn_server_req *rq, uint64_t *out, json_t *lim,
		    const char *key)
{
	json_t *v = json_object_get(lim, key);

	uint64_t max = bn_exec_limit_max(key);

	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    (uint64_t)json_integer_value(v) > max) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "limits.%s: give a "
				"whole number from 1 to %llu", key,
				(unsigned long long)max);
		return false;
	}
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* {"capabilities": ["cap[=scope]", ...], "limits": {...}?}. */
static bool grant_args(bn_server_req *rq, json_t **caps,
		       bn_exec_limits *lim, bool *has_limits)
{
	json_t *l = json_object_get(rq->body, "limits");
	size_t i;

	*caps = json_object_get(rq->body, "capabilities");
	if (*caps && (!json_is_array(*caps) ||
		      json_array_size(*caps) > GRANTS_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "'capabilities' must "
				"be an array of at most %d \"cap[=scope]\" "
				"strings", GRANTS_MAX);
		return false;
	}
	for (i = 0; *caps && i < json_array_size(*caps); i++)
		if (!json_is_string(json_array_get(*caps, i))) {
			bn_server__fail(rq, MHD_HTTP_BAD_REQUEST,
					"capabilities[%zu] is not a string", i);
			return false;
		}
	if (l && !json_is_object(l)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST,
				"'limits' must be an object");
		return false;
	}
	*has_limits = l != NULL;
	if (l && !(get_u64(rq, &lim->fuel, l, "fuel") &&
		   get_u64(rq, &lim->memory_bytes, l, "memory_bytes") &&
		   get_u64(rq, &lim->timeout_ms, l, "timeout_ms") &&
		   get_u64(rq, &lim->output_bytes, l, "output_bytes")))
		return false;
	if (!json_array_size(*caps) && !*has_limits) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "give "
				"{\"capabilities\": [\"cap=scope\"]} and/or "
				"{\"limits\": {...}}");
		return false;
	}
	return true;
}

/* Grant CAPS (strings, checked by grant_args) and LIM of the skill. */
static int grant_all(bn_strv *added, bn_store *s, const char *bot,
		     const char *skill, json_t *caps,
		     const bn_exec_limits *lim, bool has_limits, bn_err *err)
{
	bn_store_skills all = { 0 };
	bn_strv specs = { 0 };
	int r;

	if ((r = bn_store_skills_list(&all, s, err)))
		return r;
	for (size_t i = 0; i < json_array_size(caps); i++)
		bn_strv_push(&specs, json_string_value(json_array_get(caps, i)));
	r = bn_exec_grant_add_resolved(s, &all, skill, bot,
				       (const char *const *)specs.v, specs.n,
				       has_limits ? lim : NULL, added, err);
	bn_strv_clear(&specs);
	bn_store_skills_clear(&all);
	return r;
}

int bn_server__grants_add(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_exec_limits lim = { 0 };
	bn_strv added = { 0 };
	bool has_limits = false;
	json_t *caps;
	int r;

	if (!grant_args(rq, &caps, &lim, &has_limits))
		return 0;
	r = bot_exists(rq, s, err);
	if (!r && !(r = grant_all(&added, s, rq->params[0], rq->params[1],
				  caps, &lim, has_limits, err)))
		bn_server__reply_member(rq, MHD_HTTP_CREATED, "granted",
					bn_view_strv_json(&added));
	bn_strv_clear(&added);
	return r;
}

/* ?capability=SPEC (or {"capability": SPEC}): "cap", "cap=scope", "all". */
int bn_server__grants_revoke(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bool bad = false;
	const char *spec = bn_server__query(rq, "capability");
	size_t removed = 0;
	int r;

	if (!spec)
		spec = bn_server__body_str(rq, "capability", &bad);
	if (!bn_server__need(rq, bad, spec,
			     "give ?capability=CAP[=SCOPE] (or all)"))
		return 0;
	r = bot_exists(rq, s, err);
	if (!r && !(r = bn_exec_grant_revoke(s, rq->params[1], rq->params[0],
					     spec, &removed, err)))
		bn_server__reply_member(rq, MHD_HTTP_OK, "revoked",
					json_integer((json_int_t)removed));
	return r;
}

/* ---- memories ----------------------------------------------------------------- */

/* ?q=QUERY&limit=N searches; without q, every memory. */
int bn_server__memories_get(bn_server_req *rq, bn_store *s, bn_err *err)
{
	const char *q = bn_server__query(rq, "q"),
		   *lim = bn_server__query(rq, "limit");
	bn_exec_memory_item *v = NULL;
	long long limit = 10;
	size_t n = 0;
	int r;

	if (lim && !bn_server__parse_ll(&limit, lim, 1,
					BN_EXEC_MEMORY_LIMIT_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "limit: 1 to %d",
				BN_EXEC_MEMORY_LIMIT_MAX);
		return 0;
	}
	if ((r = bot_exists(rq, s, err)))
		return r;
	r = q ? bn_exec_memory_search(&v, &n, s, rq->params[0], q,
				      (size_t)limit, err)
	      : bn_exec_memory_list(&v, &n, s, rq->params[0], err);
	if (!r)
		bn_server__reply_member(rq, MHD_HTTP_OK, "memories",
					bn_view_memories_json(v, n, q != NULL));
	bn_exec_memory_items_free(v, n);
	return r;
}

int bn_server__memory_add(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bool bad = false;
	const char *text = bn_server__body_str(rq, "text", &bad);
	long long id = 0;
	int r;

	if (!bn_server__need(rq, bad, text,
			     "give {\"text\": \"what to remember\"}"))
		return 0;
	r = bot_exists(rq, s, err);
	if (!r && !(r = bn_exec_memory_add(&id, s, rq->params[0], text, err)))
		bn_server__reply_member(rq, MHD_HTTP_CREATED, "id",
					json_integer(id));
	return r;
}

int bn_server__memory_remove(bn_server_req *rq, bn_store *s, bn_err *err)
{
	long long id;
	int r;

	if (!bn_server__parse_ll(&id, rq->params[1], 1, INT64_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST,
				"a memory id is a positive number");
		return 0;
	}
	r = bot_exists(rq, s, err);
	if (!r && !(r = bn_exec_memory_remove(s, rq->params[0], id, err)))
		bn_server__reply_member(rq, MHD_HTTP_OK, "removed",
					json_integer(id));
	return r;
}
