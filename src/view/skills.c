/* SPDX-License-Identifier: MIT */
/*
 * view/skills.c - a skill as listed and as inspected (with its bots,
 * grants and resolved view), a resolved skill, a validation report.
 */
#include "view/view.h"

#include <stdlib.h>
#include <string.h>

#include "skill/tree.h"

json_t *bn_view_skill_json(const bn_store_skill *sk)
{
	const bn_skill_manifest *m = sk->manifest;
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(sk->name));
	json_object_set_new(o, "description", json_string(m->description));
	json_object_set_new(o, "type", json_string(bn_skill_type_name(m->type)));
	json_object_set_new(o, "version", bn_view_str_json(m->version));
	json_object_set_new(o, "tier", json_string(sk->tier));
	json_object_set_new(o, "origin",
			    json_string(bn_store_origin_name(sk->origin)));
	json_object_set_new(o, "path", json_string(sk->dir));
	json_object_set_new(o, "capabilities",
			    bn_view_strv_json(&m->capabilities));
	return o;
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

json_t *bn_view_resolved_json(const char *name, const bn_skill_resolved *r)
{
	json_t *o = json_object(), *chain = json_array(),
	       *blocks = json_array();
	size_t i;

	for (i = 0; i < r->nchain; i++) {
		json_t *b = json_object();
		json_array_append_new(chain, json_string(r->chain[i]->name));
		json_object_set_new(b, "origin", json_string(r->chain[i]->name));
		json_object_set_new(b, "text", json_string(r->chain[i]->body));
		json_array_append_new(blocks, b);
	}
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "chain", chain);
	json_object_set_new(o, "capabilities",
			    origin_list_json(&r->capabilities));
	json_object_set_new(o, "allowed_tools",
			    origin_list_json(&r->allowed_tools));
	json_object_set_new(o, "conflicts_with",
			    origin_list_json(&r->conflicts_with));
	json_object_set_new(o, "tool", r->tool ? json_string(r->tool->name)
			    : json_null());
	json_object_set_new(o, "instructions",
			    bn_view_str_json(r->instructions));
	json_object_set_new(o, "instruction_blocks", blocks);
	return o;
}

/* The bots SKILL is attached to: [{bot, enabled, attached_at}]. */
static int skill_bots(json_t **out, bn_store *s, const char *skill,
		      bn_err *err)
{
	bn_store_bot *bots = NULL;
	size_t nb = 0, i, j;
	json_t *a;
	int r = bn_store_bot_list(&bots, &nb, s, err);

	if (r)
		return r;
	a = json_array();
	for (i = 0; i < nb; i++) {
		bn_store_attachment *att = NULL;
		size_t na = 0;

		if (r == 0)
			r = bn_store_bot_skills(&att, &na, s, bots[i].slug, err);
		for (j = 0; r == 0 && j < na; j++) {
			if (strcmp(att[j].skill, skill))
				continue;
			json_t *o = json_object();
			json_object_set_new(o, "bot", json_string(bots[i].slug));
			json_object_set_new(o, "enabled",
					    json_boolean(att[j].enabled));
			json_object_set_new(o, "attached_at",
					    json_integer(att[j].attached_at));
			json_array_append_new(a, o);
		}
		bn_store_attachments_free(att, na);
		bn_store_bot_clear(&bots[i]);
	}
	free(bots);
	if (r) {
		json_decref(a);
		return r;
	}
	*out = a;
	return 0;
}

/* The skill with its ancestors, or {"error"} when it does not resolve. */
static json_t *resolved_or_error(const bn_store_skills *all, const char *name)
{
	bn_skill_resolved r = { 0 };
	json_t *o;
	bn_err err;

	bn_err_init(&err);
	if (bn_store_skill_resolve(&r, all, name, &err)) {
		o = json_object();
		json_object_set_new(o, "error", json_string(err.msg));
		return o;
	}
	o = bn_view_resolved_json(name, &r);
	bn_skill_resolved_clear(&r);
	return o;
}

/* The skill's files from its canonical listing ("<hex>  <path>" lines):
   [{path, sha256}], and its tree hash; an unreadable tree gives
   "files_error" instead, so the rest of the page still shows. */
static void files_json(json_t *o, const char *dir)
{
	bn_buf listing = BN_BUF_INIT;
	char hash[BN_SKILL_TREE_HASH_SIZE];
	size_t n;
	json_t *a;
	bn_err e;

	bn_err_init(&e);
	if (bn_skill_tree_listing(&listing, dir, false, &e) ||
	    bn_skill_tree_hash(hash, dir, &e)) {
		json_object_set_new(o, "files_error", json_string(e.msg));
		bn_buf_clear(&listing);
		return;
	}
	a = json_array();
	for (const char *cur = bn_buf_cstr(&listing), *hex, *path;
	     bn_skill_tree_line(&cur, &hex, &path, &n);) {
		json_t *f = json_object();

		json_object_set_new(f, "path", json_stringn(path, n));
		json_object_set_new(f, "sha256", json_stringn(hex, 64));
		json_array_append_new(a, f);
	}
	json_object_set_new(o, "hash", json_string(hash));
	json_object_set_new(o, "files", a);
	bn_buf_clear(&listing);
}

int bn_view_skill_inspect_json(json_t **out, bn_store *s,
			       const bn_store_skills *all,
			       const bn_store_skill *sk, bn_err *err)
{
	const bn_skill_manifest *m = sk->manifest;
	bn_exec_grants g = { 0 };
	json_t *o, *bots = NULL;
	int r;

	r = skill_bots(&bots, s, sk->name, err);
	if (r)
		return r;
	r = bn_exec_grant_list(&g, s, sk->name, NULL, err);
	if (r) {
		json_decref(bots);
		return r;
	}
	o = bn_view_skill_json(sk);
	json_object_set_new(o, "properties", bn_skill_manifest_to_json(m));
	json_object_set_new(o, "instructions", json_string(m->body));
	json_object_set_new(o, "instructions_bytes",
			    json_integer((json_int_t)strlen(m->body)));
	json_object_set_new(o, "bots", bots);
	json_object_set_new(o, "grants", bn_view_grants_json(&g));
	json_object_set_new(o, "resolved", resolved_or_error(all, sk->name));
	files_json(o, sk->dir);
	bn_exec_grants_clear(&g);
	*out = o;
	return 0;
}

json_t *bn_view_validation_json(const char *path, bool valid,
				const bn_skill_report *rep)
{
	json_t *o = json_object();

	/* the path is the caller's: any bytes */
	json_object_set_new(o, "path", bn_view_text_json(path, strlen(path),
							  NULL));
	json_object_set_new(o, "valid", json_boolean(valid));
	json_object_set_new(o, "errors", bn_view_strv_json(&rep->errors));
	json_object_set_new(o, "warnings", bn_view_strv_json(&rep->warnings));
	return o;
}
