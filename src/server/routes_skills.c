/* SPDX-License-Identifier: MIT */
/*
 * server/routes_skills.c - /api/v1/skills: list, show (with grants, bots
 * and the resolved view), validate a path, remove, and run a tool skill.
 * The work is the store's, skill/'s and exec/'s; this file only turns
 * requests into their calls and their results into JSON.
 */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>

#include "exec/executor.h"
#include "exec/grants.h"


static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *skill_json(const bn_store_skill *sk)
{
	const bn_skill_manifest *m = sk->manifest;
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(sk->name));
	json_object_set_new(o, "description", json_string(m->description));
	json_object_set_new(o, "type", json_string(bn_skill_type_name(m->type)));
	json_object_set_new(o, "version", opt_str(m->version));
	json_object_set_new(o, "tier", json_string(sk->tier));
	json_object_set_new(o, "origin",
			    json_string(bn_store_origin_name(sk->origin)));
	json_object_set_new(o, "path", json_string(sk->dir));
	json_object_set_new(o, "capabilities",
			    bn_server__strv_json(&m->capabilities));
	return o;
}

static void skills_list(bn_server_req *rq)
{
	bn_store *s = bn_server__store(rq);
	bn_store_skills all = { 0 };
	json_t *a, *o;
	bn_err err;
	size_t i;

	if (!s)
		return;
	bn_err_init(&err);
	if (bn_store_skills_list(&all, s, &err)) {
		bn_server__fail_err(rq, &err);
		return;
	}
	a = json_array();
	for (i = 0; i < all.n; i++)
		json_array_append_new(a, skill_json(&all.v[i]));
	o = json_object();
	json_object_set_new(o, "skills", a);
	json_object_set_new(o, "warnings", bn_server__strv_json(&all.warnings));
	bn_store_skills_clear(&all);
	bn_server__reply(rq, MHD_HTTP_OK, o);
}

/* The bots SKILL is attached to: [{bot, enabled}]. */
static json_t *skill_bots(bn_store *s, const char *skill)
{
	json_t *a = json_array();
	bn_store_bot *bots = NULL;
	size_t nb = 0, i, j;

	if (bn_store_bot_list(&bots, &nb, s, NULL))
		return a;
	for (i = 0; i < nb; i++) {
		bn_store_attachment *att = NULL;
		size_t na = 0;

		if (bn_store_bot_skills(&att, &na, s, bots[i].slug, NULL))
			na = 0;
		for (j = 0; j < na; j++) {
			if (strcmp(att[j].skill, skill))
				continue;
			json_t *o = json_object();
			json_object_set_new(o, "bot", json_string(bots[i].slug));
			json_object_set_new(o, "enabled",
					    json_boolean(att[j].enabled));
			json_array_append_new(a, o);
		}
		bn_store_attachments_free(att, na);
		bn_store_bot_clear(&bots[i]);
	}
	free(bots);
	return a;
}

json_t *bn_server__grants_json(const bn_exec_grants *g)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < g->n; i++) {
		const bn_exec_grant *x = &g->v[i];
		const char *cap = bn_exec_cap_name(x->cap);
		json_t *o = json_object();

		json_object_set_new(o, "capability",
				    json_string(cap ? cap : "limits"));
		json_object_set_new(o, "scope", json_string(x->scope));
		json_object_set_new(o, "bot", json_string(x->bot));
		json_object_set_new(o, "granted_at",
				    json_integer(x->granted_at));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *origin_list_json(const bn_skill_origin_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "value", json_string(l->v[i].value));
		json_object_set_new(o, "origin", json_string(l->v[i].origin));
		json_array_append_new(a, o);
	}
	return a;
}

/* The skill with its ancestors, or {"error"} when it does not resolve. */
static json_t *resolved_json(const bn_store_skills *all, const char *name)
{
	bn_skill_resolved r = { 0 };
	json_t *o = json_object(), *chain;
	bn_err err;
	size_t i;

	bn_err_init(&err);
	if (bn_store_skill_resolve(&r, all, name, &err)) {
		json_object_set_new(o, "error", json_string(err.msg));
		return o;
	}
	chain = json_array();
	for (i = 0; i < r.nchain; i++)
		json_array_append_new(chain, json_string(r.chain[i]->name));
	json_object_set_new(o, "chain", chain);
	json_object_set_new(o, "capabilities", origin_list_json(&r.capabilities));
	json_object_set_new(o, "allowed_tools",
			    origin_list_json(&r.allowed_tools));
	json_object_set_new(o, "conflicts_with",
			    origin_list_json(&r.conflicts_with));
	json_object_set_new(o, "tool", r.tool ? json_string(r.tool->name)
			    : json_null());
	json_object_set_new(o, "instructions", json_string(r.instructions));
	bn_skill_resolved_clear(&r);
	return o;
}

static void skill_show(bn_server_req *rq)
{
	bn_store *s = bn_server__store(rq);
	const char *name = rq->params[0];
	bn_store_skills all = { 0 };
	const bn_store_skill *sk;
	bn_exec_grants g = { 0 };
	json_t *o;
	bn_err err;

	if (!s)
		return;
	bn_err_init(&err);
	if (bn_store_skills_list(&all, s, &err)) {
		bn_server__fail_err(rq, &err);
		return;
	}
	sk = bn_store_skills_find(&all, name);
	if (!sk) {
		bn_server__fail(rq, MHD_HTTP_NOT_FOUND, "no skill '%s'", name);
		goto out;
	}
	o = skill_json(sk);
	json_object_set_new(o, "properties",
			    bn_skill_manifest_to_json(sk->manifest));
	json_object_set_new(o, "instructions", json_string(sk->manifest->body));
	json_object_set_new(o, "bots", skill_bots(s, sk->name));
	if (bn_exec_grant_list(&g, s, sk->name, NULL, &err)) {
		json_decref(o);
		bn_server__fail_err(rq, &err);
		goto out;
	}
	json_object_set_new(o, "grants", bn_server__grants_json(&g));
	json_object_set_new(o, "resolved", resolved_json(&all, sk->name));
	bn_exec_grants_clear(&g);
	bn_server__reply(rq, MHD_HTTP_OK, o);
out:
	bn_store_skills_clear(&all);
}

static void skill_validate(bn_server_req *rq)
{
	bn_skill_report rep = { 0 };
	bool bad = false, ok;
	const char *path = bn_server__body_str(rq, "path", &bad);
	json_t *o;

	if (bad)
		return;
	if (!path) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "give {\"path\": "
				"\"a skill folder or its SKILL.md\"}");
		return;
	}
	ok = bn_skill_validate(&rep, path);
	o = json_object();
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "valid", json_boolean(ok));
	json_object_set_new(o, "errors", bn_server__strv_json(&rep.errors));
	json_object_set_new(o, "warnings", bn_server__strv_json(&rep.warnings));
	bn_skill_report_clear(&rep);
	bn_server__reply(rq, MHD_HTTP_OK, o);
}

static void skill_remove(bn_server_req *rq)
{
	bn_store *s = bn_server__store(rq);
	json_t *o;
	bn_err err;

	if (!s)
		return;
	bn_err_init(&err);
	if (bn_store_skill_remove(s, rq->params[0], &err)) {
		bn_server__fail_err(rq, &err);
		return;
	}
	o = json_object();
	json_object_set_new(o, "removed", json_string(rq->params[0]));
	bn_server__reply(rq, MHD_HTTP_OK, o);
}

static json_t *result_json(const bn_exec_result *res)
{
	json_t *o = json_object();
	bool lossy = false;

	json_object_set_new(o, "ok", json_boolean(res->ok));
	json_object_set_new(o, "outcome", json_string(res->outcome));
	json_object_set_new(o, "output", bn_server__json_text(res->output,
		res->output_len, &lossy));
	json_object_set_new(o, "output_lossy", json_boolean(lossy));
	json_object_set_new(o, "error", res->error ? bn_server__json_text(
		res->error, strlen(res->error), NULL) : json_null());
	json_object_set_new(o, "limit", opt_str(res->limit));
	json_object_set_new(o, "exit_code", json_integer(res->exit_code));
	json_object_set_new(o, "tier", json_string(bn_exec_tier_name(
		res->tier)));
	json_object_set_new(o, "fuel_used",
			    json_integer((json_int_t)res->fuel_used));
	json_object_set_new(o, "memory_peak",
			    json_integer((json_int_t)res->memory_peak));
	json_object_set_new(o, "duration_ms",
			    json_integer((json_int_t)res->duration_ms));
	json_object_set_new(o, "host_calls", json_integer(res->host_calls));
	json_object_set_new(o, "host_denied", json_integer(res->host_denied));
	json_object_set_new(o, "audit_id", json_integer(res->audit_id));
	return o;
}

/* {"input": JSON value or text, "bot": BOT?}: the result, 200 whatever
   the outcome once the skill ran. */
static void skill_run(bn_server_req *rq)
{
	bn_exec_result res = { 0 };
	bool bad = false;
	const char *bot = bn_server__body_str(rq, "bot", &bad);
	json_t *in = rq->body ? json_object_get(rq->body, "input") : NULL;
	char *text;
	bn_store *s;
	bn_err err;
	int r;

	if (bad)
		return;
	if (!in)
		text = bn_xstrdup("{}");
	else if (json_is_string(in))
		text = bn_xstrdup(json_string_value(in));
	else
		text = json_dumps(in, JSON_COMPACT | JSON_PRESERVE_ORDER |
				  JSON_ENCODE_ANY);
	if (!text) {
		bn_server__fail(rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
				"out of memory");
		return;
	}
	s = bn_server__store(rq);
	if (!s) {
		free(text);
		return;
	}
	bn_exec_request req = { rq->params[0], bot, text, strlen(text) };
	bn_err_init(&err);
	r = bn_exec_run(&res, s, &req, &err);
	free(text);
	if (r) {
		bn_server__fail_err(rq, &err);
		return;
	}
	bn_server__reply(rq, MHD_HTTP_OK, result_json(&res));
	bn_exec_result_clear(&res);
}

const bn_server_route bn_server_routes_skills[] = {
	{ "GET", "/api/v1/skills", skills_list },
	{ "POST", "/api/v1/skills/validate", skill_validate },
	{ "GET", "/api/v1/skills/:name", skill_show },
	{ "DELETE", "/api/v1/skills/:name", skill_remove },
	{ "POST", "/api/v1/skills/:name/run", skill_run },
	{ NULL, NULL, NULL },
};
