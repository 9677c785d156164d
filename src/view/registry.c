/* SPDX-License-Identifier: MIT */
/* view/registry.c - a registry search hit (`skill search`, GET
   /registry/search). */
#include "view/view.h"

#include "registry/registry.h"

json_t *bn_view_hit_json(const bn_registry_hit *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(h->id));
	json_object_set_new(o, "name", json_string(h->name));
	json_object_set_new(o, "source", json_string(h->source));
	json_object_set_new(o, "registry", json_string(h->registry));
	json_object_set_new(o, "description", bn_view_str_json(h->description));
	json_object_set_new(o, "installs", h->installs < 0 ? json_null() :
			    json_integer(h->installs));
	return o;
}
