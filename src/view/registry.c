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
	json_object_set_new(o, "registries", bn_view_strv_json(&h->registries));
	json_object_set_new(o, "install", bn_view_str_json(h->install));
	return o;
}

json_t *bn_view_installed_json(const bn_registry_install_result *res)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < res->n; i++) {
		const bn_registry_installed *x = &res->v[i];
		json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "name", x->name,
				      "status", x->skipped ? "skipped" :
				      x->changed ? "installed" : "unchanged",
				      "changed", x->changed && !x->skipped,
				      "original_name", x->original_name ?
				      json_string(x->original_name) :
				      json_null());
		if (!o)
			continue;
		if (x->skipped) {
			json_object_set_new(o, "reason",
					    json_string(x->skipped));
		} else {
			json_object_set_new(o, "tier", json_string(x->tier));
			json_object_set_new(o, "hash", json_string(x->hash));
			json_object_set_new(o, "granted",
					    bn_view_strv_json(&x->granted));
			json_object_set_new(o, "warnings",
					    bn_view_strv_json(&x->warnings));
			json_object_set_new(o, "not_granted",
					    bn_view_strv_json(&x->ungranted));
			json_object_set_new(o, "agent_copies",
					    bn_view_strv_json(&x->agent_copies));
			json_object_set_new(o, "agent_refused",
					    bn_view_strv_json(&x->agent_refused));
		}
		json_array_append_new(a, o);
	}
	return a;
}

json_t *bn_view_update_json(const char *name, const bn_registry_lock_entry *e,
			    const bn_registry_update_info *c,
			    const char *error)
{
	json_t *o = json_object();
	const bn_strv none = { 0 };

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "source", bn_view_str_json(e ? e->source : NULL));
	json_object_set_new(o, "outdated", json_boolean(c && c->outdated));
	json_object_set_new(o, "installed",
			    bn_view_str_json(e ? e->source_hash : NULL));
	json_object_set_new(o, "latest", bn_view_str_json(c ? c->latest : NULL));
	json_object_set_new(o, "installed_version",
			    bn_view_str_json(e ? e->version : NULL));
	json_object_set_new(o, "latest_version",
			    bn_view_str_json(c ? c->version : NULL));
	json_object_set_new(o, "new_capabilities", bn_view_strv_json(
		c ? &c->new_capabilities : &none));
	json_object_set_new(o, "dropped_capabilities", bn_view_strv_json(
		c ? &c->dropped_capabilities : &none));
	json_object_set_new(o, "new_findings", c ?
			    bn_registry_findings_json(&c->new_findings) :
			    json_array());
	json_object_set_new(o, "error", bn_view_str_json(error));
	return o;
}

json_t *bn_view_verify_json(const char *name, const bn_registry_lock_entry *e,
			    const char *error)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "ok", json_boolean(!error));
	json_object_set_new(o, "error", bn_view_str_json(error));
	json_object_set_new(o, "source", bn_view_str_json(e ? e->source : NULL));
	json_object_set_new(o, "ref", bn_view_str_json(e ? e->ref : NULL));
	json_object_set_new(o, "hash", bn_view_str_json(e ? e->hash : NULL));
	return o;
}
