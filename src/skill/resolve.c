/* SPDX-License-Identifier: MIT */
/* skill/resolve.c - inheritance, dependencies, conflicts (resolve.h). */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "skill/semver.h"

void bn_skill_resolved_clear(bn_skill_resolved *r)
{
	bn_skill_origin_list *lists[] = { &r->capabilities, &r->allowed_tools,
					  &r->conflicts_with };
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < lists[k]->n; i++) {
			free(lists[k]->v[i].value);
			free(lists[k]->v[i].origin);
		}
		free(lists[k]->v);
	}
	free(r->chain);
	free(r->instructions);
	memset(r, 0, sizeof(*r));
}

typedef struct walk {
	bn_skill_lookup_fn lookup;
	void *payload;
	const bn_skill_manifest **chain;   /* resolved, in order */
	size_t nchain;
	const bn_skill_manifest *path[BN_SKILL_MAX_GENERATIONS + 2];
	size_t depth;                      /* entries in path */
	bn_err *err;
} walk;

static bool in_chain(const walk *w, const char *name)
{
	for (size_t i = 0; i < w->nchain; i++)
		if (!strcmp(w->chain[i]->name, name))
			return true;
	return false;
}

static int cycle_error(walk *w, const char *again)
{
	bn_buf b = BN_BUF_INIT;
	size_t i = 0;
	int r = 0;

	while (i < w->depth && strcmp(w->path[i]->name, again))
		i++;
	for (; i < w->depth && r == 0; i++)
		r = bn_buf_printf(&b, "%s -> ", w->path[i]->name);
	if (r == 0)
		r = bn_buf_puts(&b, again);
	r = bn_err_set(w->err, BN_EINVAL, "cycle in metadata.parents: %s",
		       bn_buf_cstr(&b));
	bn_buf_clear(&b);
	return r;
}

static int visit(walk *w, const bn_skill_manifest *m)
{
	for (size_t i = 0; i < w->depth; i++)
		if (!strcmp(w->path[i]->name, m->name))
			return cycle_error(w, m->name);
	if (in_chain(w, m->name))
		return 0;   /* a diamond: already merged */
	if (w->depth > BN_SKILL_MAX_GENERATIONS)
		return bn_err_set(w->err, BN_EINVAL,
			"too deep: '%s' is generation %zu above '%s'; at most "
			"%d generations of ancestors", m->name, w->depth,
			w->path[0]->name, BN_SKILL_MAX_GENERATIONS);
	w->path[w->depth++] = m;
	for (size_t i = 0; i < m->parents.n; i++) {
		const bn_skill_manifest *p = w->lookup(m->parents.v[i],
						       w->payload);
		int r;
		if (!p) {
			w->depth--;
			return bn_err_set(w->err, BN_ENOTFOUND,
				"skill '%s' (a parent of '%s') is missing",
				m->parents.v[i], m->name);
		}
		if ((r = visit(w, p))) {
			w->depth--;
			return r;
		}
	}
	w->depth--;
	w->chain = bn_xrealloc(w->chain, (w->nchain + 1) * sizeof(*w->chain));
	w->chain[w->nchain++] = m;
	return 0;
}

static void add_item(bn_skill_origin_list *l, const char *value,
		     const char *origin)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].value, value))
			return;
	l->v = bn_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].value = bn_xstrdup(value);
	l->v[l->n].origin = bn_xstrdup(origin);
	l->n++;
}

/* Split the words of TEXT (space or comma separated) into L. */
static void add_words(bn_skill_origin_list *l, const char *text,
		      const char *origin)
{
	const char *p = text;
	while (p && *p) {
		size_t n;
		p += strspn(p, " ,\t\n");
		n = strcspn(p, " ,\t\n");
		if (n) {
			char *w = bn_xstrndup(p, n);
			add_item(l, w, origin);
			free(w);
		}
		p += n;
	}
}

int bn_skill_resolve(bn_skill_resolved *out, const bn_skill_manifest *skill,
		     bn_skill_lookup_fn lookup, void *payload, bn_err *err)
{
	walk w = { .lookup = lookup, .payload = payload, .err = err };
	bn_skill_resolved r = { 0 };
	bn_buf b = BN_BUF_INIT;
	int rc = visit(&w, skill);

	if (rc) {
		free(w.chain);
		return rc;
	}
	r.skill = skill;
	r.chain = w.chain;
	r.nchain = w.nchain;
	for (size_t i = 0; i < r.nchain; i++) {
		const bn_skill_manifest *m = r.chain[i];
		for (size_t k = 0; k < m->capabilities.n; k++)
			add_item(&r.capabilities, m->capabilities.v[k], m->name);
		add_words(&r.allowed_tools, m->allowed_tools, m->name);
		for (size_t k = 0; k < m->conflicts_with.n; k++)
			add_item(&r.conflicts_with, m->conflicts_with.v[k],
				 m->name);
		rc |= bn_buf_printf(&b, "%s<!-- from skill '%s' -->\n%s%s",
				    i ? "\n" : "", m->name, m->body,
				    (*m->body && m->body[strlen(m->body) - 1]
				     == '\n') ? "" : "\n");
	}
	/* the child's module, else the nearest ancestor's: the chain ends
	   with the child, and nearer ancestors come later in it */
	for (size_t i = r.nchain; i-- > 0;)
		if (r.chain[i]->type == BN_SKILL_TYPE_TOOL) {
			r.tool = r.chain[i];
			break;
		}
	if (rc) {
		bn_buf_clear(&b);
		bn_skill_resolved_clear(&r);
		return bn_err_oom(err);
	}
	r.instructions = bn_buf_take(&b);
	*out = r;
	return 0;
}

int bn_skill_check_dependencies(const bn_skill_resolved *r,
				bn_skill_lookup_fn lookup, void *payload,
				bn_err *err)
{
	for (size_t i = 0; i < r->nchain; i++) {
		const bn_skill_manifest *m = r->chain[i];
		for (size_t k = 0; k < m->dependencies.n; k++) {
			const char *dep = m->dependencies.v[k];
			const char *at = strchr(dep, '@');
			char *name = at ? bn_xstrndup(dep, (size_t)(at - dep))
					: bn_xstrdup(dep);
			const bn_skill_manifest *d = lookup(name, payload);
			bn_semver v;
			int rc = 0;

			if (at && !bn_semver_range_valid(at + 1))
				rc = bn_err_set(err, BN_EINVAL, "skill '%s': "
					"dependency '%s': '%s' is not a version "
					"range", m->name, dep, at + 1);
			else if (!d)
				rc = bn_err_set(err, BN_ENOTFOUND, "skill '%s' "
					"depends on '%s', which is not "
					"installed", m->name, name);
			else if (at && (!d->version ||
					!bn_semver_parse(&v, d->version, 0)))
				rc = bn_err_set(err, BN_EINVAL, "skill '%s' "
					"needs %s, but '%s' has no version",
					m->name, dep, name);
			else if (at && !bn_semver_satisfies(&v, at + 1))
				rc = bn_err_set(err, BN_EINVAL, "skill '%s' "
					"needs %s, but '%s' is version %s",
					m->name, dep, name, d->version);
			free(name);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static const char *names_one_of(const bn_skill_origin_list *conf,
				const bn_skill_resolved *other,
				const char **origin)
{
	for (size_t i = 0; i < conf->n; i++)
		for (size_t k = 0; k < other->nchain; k++)
			if (!strcmp(conf->v[i].value, other->chain[k]->name)) {
				*origin = conf->v[i].origin;
				return other->chain[k]->name;
			}
	return NULL;
}

int bn_skill_conflict(const bn_skill_resolved *a, const bn_skill_resolved *b,
		      bn_err *err)
{
	const char *origin, *hit;

	hit = names_one_of(&a->conflicts_with, b, &origin);
	if (hit)
		return bn_err_set(err, BN_EDENIED, "skill '%s' conflicts with "
			"'%s' (conflicts-with of '%s')", a->skill->name,
			b->skill->name, origin);
	hit = names_one_of(&b->conflicts_with, a, &origin);
	if (hit)
		return bn_err_set(err, BN_EDENIED, "skill '%s' conflicts with "
			"'%s' (conflicts-with of '%s')", b->skill->name,
			a->skill->name, origin);
	return 0;
}
