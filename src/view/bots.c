/* SPDX-License-Identifier: MIT */
/* view/bots.c - a bot with the skills attached to it. */
#include "view/view.h"

json_t *bn_view_attachment_json(const bn_store_attachment *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "skill", json_string(a->skill));
	json_object_set_new(o, "enabled", json_boolean(a->enabled));
	json_object_set_new(o, "attached_at", json_integer(a->attached_at));
	return o;
}

json_t *bn_view_bot_json(const bn_store_bot *b,
			 const bn_store_attachment *att, size_t n)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	json_object_set_new(o, "slug", json_string(b->slug));
	json_object_set_new(o, "name", json_string(b->name));
	json_object_set_new(o, "persona", json_string(b->persona));
	json_object_set_new(o, "provider", bn_view_str_json(b->provider));
	json_object_set_new(o, "model", bn_view_str_json(b->model));
	json_object_set_new(o, "created_at", json_integer(b->created_at));
	for (i = 0; i < n; i++)
		json_array_append_new(a, bn_view_attachment_json(&att[i]));
	json_object_set_new(o, "skills", a);
	return o;
}

int bn_view_bot_load_json(json_t **out, bn_store *s, const bn_store_bot *b,
			  bn_err *err)
{
	bn_store_attachment *att = NULL;
	size_t n = 0;
	int r = bn_store_bot_skills(&att, &n, s, b->slug, err);

	if (r)
		return r;
	*out = bn_view_bot_json(b, att, n);
	bn_store_attachments_free(att, n);
	return 0;
}

int bn_view_bots_load_json(json_t **out, bn_store *s,
			   const bn_store_bot *bots, size_t n, bn_err *err)
{
	json_t *a = json_array(), *b;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = bn_view_bot_load_json(&b, s, &bots[i], err))) {
			json_decref(a);
			return r;
		}
		json_array_append_new(a, b);
	}
	*out = a;
	return 0;
}
