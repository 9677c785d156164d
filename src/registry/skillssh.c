/* SPDX-License-Identifier: MIT */
/*
 * registry/skillssh.c - search on skills.sh: GET
 * {base}/api/search?q=QUERY&limit=N answers
 * {"skills":[{"id","name","installs","source"}], ...}; a result installs
 * from its "source" repository (owner/repo), with --skill NAME.
 */
#include "registry_int.h"
#include "exec/curl_dl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_MAX_HITS 200

void bn_registry_hits_clear(bn_registry_hits *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].id);
		free(h->v[i].name);
		free(h->v[i].source);
		free(h->v[i].registry);
		free(h->v[i].description);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

static void hit_add(bn_registry_hits *h, const char *id, const char *name,
		    const char *source, const char *registry,
		    const char *desc, long long installs)
{
	bn_registry_hit *x;

	h->v = bn_xrealloc(h->v, (h->n + 1) * sizeof(*h->v));
	x = &h->v[h->n++];
	x->id = bn_xstrdup(id ? id : name);
	x->name = bn_xstrdup(name);
	x->source = bn_xstrdup(source);
	x->registry = bn_xstrdup(registry);
	x->description = desc ? bn_xstrdup(desc) : NULL;
	x->installs = installs;
}

int bn_registry_skillssh_search(bn_registry_hits *out,
				const bn_registry_ctx *ctx, const char *base,
				const char *query, unsigned limit,
				bn_err *err)
{
	char *q, *url, *body;
	json_error_t je;
	json_t *j, *skills, *s;
	size_t len, i;
	int r;

	if ((r = bn_exec_curl_load(err)))
		return r;
	if (!(q = bn_exec_curl()->easy_escape(NULL, query, 0)))
		return bn_err_oom(err);
	url = bn_xasprintf("%s/api/search?q=%s&limit=%u", base, q,
			   limit ? limit : 20);
	bn_exec_curl()->free(q);
	r = bn_registry_get_cached(&body, &len, ctx, url, NULL, err);
	if (r) {
		free(url);
		return r;
	}
	j = json_loadb(body, len, 0, &je);
	free(body);
	if (!j) {
		r = bn_err_set(err, BN_EINVAL,
			"skills.sh: malformed or truncated JSON (line %d: %s)",
			je.line, je.text);
		goto out;
	}
	skills = json_object_get(j, "skills");
	if (!json_is_array(skills)) {
		r = bn_err_set(err, BN_EINVAL,
			       "skills.sh: the answer has no \"skills\" array");
		goto out;
	}
	json_array_foreach(skills, i, s) {
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *src = json_string_value(
			json_object_get(s, "source"));
		const char *id = json_string_value(json_object_get(s, "id"));
		json_t *inst = json_object_get(s, "installs");
		if (i >= SEARCH_MAX_HITS)
			break;
		if (!name || !src)
			continue;           /* skip malformed results */
		hit_add(out, id, name, src, "skills.sh",
			json_string_value(json_object_get(s, "description")),
			json_is_integer(inst) ? json_integer_value(inst) : -1);
	}
out:
	json_decref(j);
	free(url);
	return r;
}

static bool ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!hay)
		return false;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static int github_search(bn_registry_hits *out, const bn_registry_ctx *ctx,
			 const bn_registry_entry *e, const char *query,
			 bn_err *err)
{
	bn_registry_source src;
	bn_strv dirs = { 0 };
	char *commit = NULL;
	int r = bn_registry_source_parse(&src, e->location, err);

	if (r)
		return r;
	if (src.kind != BN_REGISTRY_SRC_GITHUB) {
		bn_registry_source_clear(&src);
		return bn_err_set(err, BN_EINVAL, "registry %s: '%s' is not "
				  "owner/repo", e->name, e->location);
	}
	r = bn_registry__github_list(&dirs, &commit, ctx, src.owner, src.repo,
				     src.ref, err);
	for (size_t i = 0; r == 0 && i < dirs.n; i++) {
		const char *d = dirs.v[i], *base = strrchr(d, '/');
		char *source;
		base = base ? base + 1 : d;
		if (!*base || !ci_contains(d, query))
			continue;
		source = bn_xasprintf("%s/%s/%s", src.owner, src.repo, d);
		hit_add(out, d, base, source, e->name, NULL, -1);
		free(source);
	}
	bn_strv_clear(&dirs);
	free(commit);
	bn_registry_source_clear(&src);
	return r;
}

int bn_registry_search(bn_registry_hits *out, const bn_registry_ctx *ctx,
		       const char *registry, const char *query, bn_err *err)
{
	const bn_registry_config *c = ctx->cfg;
	size_t asked = 0, answered = 0;
	bn_err first;

	bn_err_init(&first);
	for (size_t i = 0; i < c->n; i++) {
		const bn_registry_entry *e = &c->v[i];
		bn_err e1;
		int r;

		if (registry && strcmp(registry, e->name) != 0)
			continue;
		asked++;
		bn_err_init(&e1);
		size_t before = out->n;
		if (e->kind == BN_REGISTRY_KIND_SKILLSSH)
			r = bn_registry_skillssh_search(out, ctx,
				e->location ? e->location : c->skills_sh_url,
				query, 20, &e1);
		else if (e->kind == BN_REGISTRY_KIND_GITHUB)
			r = github_search(out, ctx, e, query, &e1);
		else
			r = bn_err_set(&e1, BN_EINVAL, "search is not "
				       "supported for well-known sites");
		if (r == 0) {
			for (size_t k = before; k < out->n; k++) {
				free(out->v[k].registry);
				out->v[k].registry = bn_xstrdup(e->name);
			}
			answered++;
			continue;
		}
		bn_err_prefix(&e1, "registry %s", e->name);
		if (ctx->notes)
			bn_strv_push(ctx->notes, e1.msg);
		if (!first.code)
			first = e1;
	}
	if (asked == 0)
		return bn_err_set(err, BN_ENOTFOUND,
			"no registry named '%s' (the defaults are skills.sh, "
			"anthropics/skills, ComposioHQ/awesome-claude-skills)",
			registry);
	if (answered == 0)
		return bn_err_set(err, first.code ? first.code : BN_EIO, "%s",
				  first.msg);
	return 0;
}
