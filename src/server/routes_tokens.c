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

void bn_server__whoami(bn_server_req *rq)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(rq->caller));
	json_object_set_new(o, "role", json_string(rq->admin ? "admin" :
						   "user"));
	bn_server__reply(rq, MHD_HTTP_OK, o);
}

int bn_server__tokens_list(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_token *v = NULL;
	size_t n = 0;
	int r = bn_store_token_list(&v, &n, s, err);

	if (!r)
		bn_server__reply_member(rq, MHD_HTTP_OK, "tokens",
					bn_view_tokens_json(v, n));
	bn_store_tokens_free(v, n);
	return r;
}

/* {"name", "role"?}: 201 {"name", "role", "token"}, the text once. */
int bn_server__token_post(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bool bad = false;
	const char *name = bn_server__body_str(rq, "name", &bad);
	const char *role = bad ? NULL : bn_server__body_str(rq, "role", &bad);
	char text[BN_SERVER_TOKEN_HEX + 1];
	json_t *o;
	int r;

	if (!bn_server__need(rq, bad, name, "give the token's \"name\" (and "
			     "\"role\": admin or user)"))
		return 0;
	if (!role)
		role = "user";
	if ((r = bn_server_token_create(text, s, name, role, err)))
		return r;
	o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "role", json_string(role));
	json_object_set_new(o, "token", json_string(text));
	sodium_memzero(text, sizeof(text));
	bn_server__reply(rq, MHD_HTTP_CREATED, o);
	return 0;
}

int bn_server__token_delete(bn_server_req *rq, bn_store *s, bn_err *err)
{
	int r = bn_server_token_revoke(s, rq->srv->home, rq->params[0], err);

	if (!r)
		bn_server__reply_removed(rq, rq->params[0]);
	return r;
}
