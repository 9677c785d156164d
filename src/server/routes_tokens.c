/* SPDX-License-Identifier: MIT */
/*
 * server/routes_tokens.c - /api/v1/tokens: list, make and revoke named
 * API tokens (admins only, server/auth.c), and /api/v1/whoami: the
 * caller's own token name and role, which the web UI shows.
 */
#include "server_int.h"

#include <sodium.h>

#include "store/tokens.h"
#include "view/view.h"

static void whoami(bn_server_req *rq)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(rq->caller));
	json_object_set_new(o, "role", json_string(rq->admin ? "admin" :
						   "user"));
	bn_server__reply(rq, MHD_HTTP_OK, o);
}

static void tokens_list(bn_server_req *rq)
{
	bn_store *s;
	bn_store_token *v = NULL;
	size_t n = 0;
	json_t *a;
	bn_err err;

	if (!(s = bn_server__begin(rq, &err)))
		return;
	if (bn_store_token_list(&v, &n, s, &err)) {
		bn_server__fail_err(rq, &err);
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, bn_view_token_json(&v[i]));
	bn_store_tokens_free(v, n);
	bn_server__reply_member(rq, MHD_HTTP_OK, "tokens", a);
}

/* {"name", "role"?}: 201 {"name", "role", "token"}, the text once. */
static void token_post(bn_server_req *rq)
{
	bool bad = false;
	const char *name = bn_server__body_str(rq, "name", &bad);
	const char *role = bad ? NULL : bn_server__body_str(rq, "role", &bad);
	char text[BN_SERVER_TOKEN_HEX + 1];
	bn_store *s;
	json_t *o;
	bn_err err;

	if (!bn_server__need(rq, bad, name,
			     "give the token's \"name\" (and \"role\": admin or user)"))
		return;
	if (!(s = bn_server__begin(rq, &err)))
		return;
	if (bn_server_token_create(text, s, name, role ? role : "user",
				   &err)) {
		bn_server__fail_err(rq, &err);
		return;
	}
	o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "role", json_string(role ? role : "user"));
	json_object_set_new(o, "token", json_string(text));
	sodium_memzero(text, sizeof(text));
	bn_server__reply(rq, MHD_HTTP_CREATED, o);
}

static void token_delete(bn_server_req *rq)
{
	bn_store *s;
	bn_err err;

	if (!(s = bn_server__begin(rq, &err)))
		return;
	if (bn_server_token_revoke(s, rq->srv->home, rq->params[0], &err))
		bn_server__fail_err(rq, &err);
	else
		bn_server__reply_removed(rq, rq->params[0]);
}

const bn_server_route bn_server_routes_tokens[] = {
	{ "GET", "/api/v1/whoami", .fn = whoami },
	{ "GET", "/api/v1/tokens", .fn = tokens_list },
	{ "POST", "/api/v1/tokens", .fn = token_post },
	{ "DELETE", "/api/v1/tokens/:name", .fn = token_delete },
	{ NULL, NULL, NULL, NULL },
};
