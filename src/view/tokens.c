/* SPDX-License-Identifier: MIT */
/* view/tokens.c - an API token's JSON (see view.h): never its text. */
#include "view.h"

json_t *bn_view_token_json(const bn_store_token *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "role", json_string(t->role));
	json_object_set_new(o, "created_at", json_integer(t->created_at));
	json_object_set_new(o, "last_used_at", t->last_used_at ?
			    json_integer(t->last_used_at) : json_null());
	return o;
}

json_t *bn_view_tokens_json(const bn_store_token *v, size_t n)
{
	return BN_VIEW_ARRAY(bn_view_token_json, v, n);
}
