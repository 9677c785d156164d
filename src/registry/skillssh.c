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
#include <strings.h>

#define SEARCH_MAX_HITS 200

static void hit_free(bn_registry_hit *x)
{
	free(x->id);
	free(x->name);
	free(x->source);
	free(x->registry);
	free(x->description);
	free(x->install);
	bn_strv_clear(&x->registries);
}

void bn_registry_hits_clear(bn_registry_hits *h)
{
	for (size_t i = 0; i < h->n; i++)
		hit_free(&h->v[i]);
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
	memset(&x->registries, 0, sizeof(x->registries));
	x->install = NULL;
}

int bn_registry_skillssh_search(bn_registry_hits *out,
				const bn_registry_ctx *ctx, const char *base,
				const char *query, unsigned limit,
				bn_err *err)
{
	char *q, *url;
	json_t *j, *skills, *s;
	size_t i;
	int r;

	if ((r = bn_exec_curl_load(err)))
		return r;
	if (!(q = bn_exec_curl()->easy_escape(NULL, query, 0)))
		return bn_err_oom(err);
	url = bn_xasprintf("%s/api/search?q=%s&limit=%u", base, q,
			   limit ? limit : 20);
	bn_exec_curl()->free(q);
	r = bn_registry__get_json(&j, ctx, url, NULL, "skills.sh", err);
	if (r) {
		free(url);
		return r;
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

/* The repository part (owner/repo) of a hit's SOURCE, owned, or NULL
   when it is not owner/repo[/path]. */
static char *owner_repo(const char *source)
{
	const char *slash = strchr(source, '/'), *end;

	if (!slash || strchr(source, ':') || source[0] == '/' ||
	    source[0] == '.')
		return NULL;
	end = strchr(slash + 1, '/');
	return end ? bn_xasprintf("%.*s", (int)(end - source), source) :
		bn_xstrdup(source);
}

/* H's install command: owner/repo@skill, the form skills.sh prints. */
static char *install_command(const bn_registry_hit *h)
{
	char *repo = owner_repo(h->source), *out;

	out = repo ? bn_xasprintf("bnity skill install %s@%s", repo, h->name) :
		bn_xasprintf("bnity skill install %s --skill %s", h->source,
			     h->name);
	free(repo);
	return out;
}

/* How well H matches QUERY: 0 exact name, 1 name prefix, 2 in the name,
   3 in the description, 4 otherwise (the registry matched it). */
static int relevance(const bn_registry_hit *h, const char *query)
{
	size_t n = strlen(query);

	if (!strcasecmp(h->name, query))
		return 0;
	if (!strncasecmp(h->name, query, n))
		return 1;
	if (ci_contains(h->name, query))
		return 2;
	return ci_contains(h->description, query) ? 3 : 4;
}

/* A hit with its relevance, for sorting (qsort has no payload). */
typedef struct ranked {
	int rank;
	bn_registry_hit hit;
} ranked;

static int by_rank(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->hit.installs != y->hit.installs)
		return x->hit.installs > y->hit.installs ? -1 : 1;
	return strcmp(x->hit.name, y->hit.name);
}

/* One hit per skill of H (same install command), in relevance order. */
static void merge_hits(bn_registry_hits *h, const char *query)
{
	ranked *v = bn_xcalloc(h->n ? h->n : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		bn_registry_hit *x = &h->v[i];
		ranked *to = NULL;
		x->install = install_command(x);
		for (size_t k = 0; k < n && !to; k++)
			if (!strcmp(v[k].hit.install, x->install))
				to = &v[k];
		if (!to) {
			v[n].hit = *x;
			v[n].rank = relevance(x, query);
			bn_strv_push(&v[n++].hit.registries, x->registry);
			continue;
		}
		if (!bn_strv_has(&to->hit.registries, x->registry))
			bn_strv_push(&to->hit.registries, x->registry);
		if (x->installs > to->hit.installs)
			to->hit.installs = x->installs;
		if (!to->hit.description && x->description) {
			to->hit.description = x->description;
			x->description = NULL;
		}
		hit_free(x);
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_rank);
	for (size_t i = 0; i < n; i++)
		h->v[i] = v[i].hit;
	h->n = n;
	free(v);
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
	merge_hits(out, query);
	return 0;
}
