/* SPDX-License-Identifier: MIT */
/*
 * server/routes_skills.c - /api/v1/skills: list, show (with grants, bots
 * and the resolved view), validate a path, remove, and run a tool skill.
 * The work is the store's, skill/'s and exec/'s; this file only turns
 * requests into their calls, and view/ their results into JSON.
 */
#include "server_int.h"

#include "registry/registry.h"

#include <stdlib.h>
#include <string.h>

#include "exec/executor.h"

/* The request's store with every installed skill in *ALL; NULL once a
   failure has been replied. */
static bn_store *load_skills(bn_server_req *rq, bn_store_skills *all)
{
	bn_store *s = bn_server__store(rq);
	bn_err err;

	if (!s)
		return NULL;
	bn_err_init(&err);
	if (bn_store_skills_list(all, s, &err)) {
		bn_server__fail_err(rq, &err);
		return NULL;
	}
	return s;
}

static void skills_list(bn_server_req *rq)
{
	bn_store_skills all = { 0 };
	json_t *a, *o;
	size_t i;

	if (!load_skills(rq, &all))
		return;
	a = json_array();
	for (i = 0; i < all.n; i++)
		json_array_append_new(a, bn_view_skill_json(&all.v[i]));
	o = json_object();
	json_object_set_new(o, "skills", a);
	json_object_set_new(o, "warnings", bn_view_strv_json(&all.warnings));
	bn_store_skills_clear(&all);
	bn_server__reply(rq, MHD_HTTP_OK, o);
}

static void skill_show(bn_server_req *rq)
{
	const char *name = rq->params[0];
	bn_store_skills all = { 0 };
	bn_store *s = load_skills(rq, &all);
	const bn_store_skill *sk;
	json_t *o;
	bn_err err;

	if (!s)
		return;
	bn_err_init(&err);
	sk = bn_store_skills_find(&all, name);
	if (!sk) {
		bn_server__fail(rq, MHD_HTTP_NOT_FOUND, "no skill '%s'", name);
		goto out;
	}
	if (bn_view_skill_inspect_json(&o, s, &all, sk, &err))
		bn_server__fail_err(rq, &err);
	else
		bn_server__reply(rq, MHD_HTTP_OK, o);
out:
	bn_store_skills_clear(&all);
}

static void skill_validate(bn_server_req *rq)
{
	bn_skill_report rep = { 0 };
	bool bad = false, ok;
	const char *path = bn_server__body_str(rq, "path", &bad);

	if (bad)
		return;
	if (!path) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "give {\"path\": "
				"\"a skill folder or its SKILL.md\"}");
		return;
	}
	ok = bn_skill_validate(&rep, path);
	bn_server__reply(rq, MHD_HTTP_OK, bn_view_validation_json(path, ok,
								  &rep));
	bn_skill_report_clear(&rep);
}

static void skill_remove(bn_server_req *rq)
{
	bn_server__remove(rq, bn_registry_skill_remove);
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
	bn_server__reply(rq, MHD_HTTP_OK, bn_view_run_json(&res));
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
