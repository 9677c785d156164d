/* SPDX-License-Identifier: MIT */
/* tests/skill/resolve_test.c - inheritance (chains, multiple parents,
 * diamonds, the depth limit at its edge, cycles, missing parents),
 * dependencies with version ranges, conflicts; and semver itself. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "harness.h"
#include "skill/resolve.h"
#include "skill/semver.h"

#define MAXS 16

typedef struct set {
	bn_skill_manifest m[MAXS];
	size_t n;
} set;

/* add NAME with space-separated PARENTS, CAPS, DEPS, CONFLICTS, VERSION */
static bn_skill_manifest *add(set *s, const char *name, const char *parents,
			      const char *caps, bn_skill_type type)
{
	bn_skill_manifest *m = &s->m[s->n++];
	char *copy, *tok, *save = NULL;

	memset(m, 0, sizeof(*m));
	m->name = bn_xstrdup(name);
	m->body = bn_xasprintf("Instructions of %s.\n", name);
	m->type = type;
	m->dir = bn_xasprintf("/skills/%s", name);
	copy = bn_xstrdup(parents ? parents : "");
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		bn_strv_push(&m->parents, tok);
	free(copy);
	copy = bn_xstrdup(caps ? caps : "");
	save = NULL;
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		bn_strv_push(&m->capabilities, tok);
	free(copy);
	return m;
}

static void set_clear(set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		bn_skill_manifest *m = &s->m[i];
		free(m->name);
		free(m->body);
		free(m->dir);
		free(m->version);
		free(m->allowed_tools);
		bn_strv_clear(&m->parents);
		bn_strv_clear(&m->capabilities);
		bn_strv_clear(&m->dependencies);
		bn_strv_clear(&m->conflicts_with);
	}
	s->n = 0;
}

static const bn_skill_manifest *lookup(const char *name, void *payload)
{
	set *s = payload;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].name, name))
			return &s->m[i];
	return NULL;
}

static const bn_skill_manifest *get(set *s, const char *name)
{
	return lookup(name, s);
}

static char *chain_str(const bn_skill_resolved *r)
{
	bn_buf b = BN_BUF_INIT;
	for (size_t i = 0; i < r->nchain; i++)
		(void)bn_buf_printf(&b, "%s%s", i ? " " : "",
				    r->chain[i]->name);
	return bn_buf_take(&b);
}

static void test_chain_of_four_resolves(bn_t *t)
{
	set s = { 0 };
	bn_skill_resolved r;
	bn_err e;
	char *c;

	add(&s, "a", NULL, "http_get=https://a.org", BN_SKILL_TYPE_TOOL);
	add(&s, "b", "a", "read_env=B", BN_SKILL_TYPE_PROMPT);
	add(&s, "c", "b", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "d", "c", "recall_memory", BN_SKILL_TYPE_PROMPT);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_resolve(&r, get(&s, "d"), lookup, &s, &e),
		     ==, 0);
	c = chain_str(&r);
	BN_CHECK_STR(t, c, "a b c d");
	free(c);
	BN_CHECK_INT(t, r.capabilities.n, ==, 3);
	BN_CHECK_STR(t, r.capabilities.v[0].origin, "a");
	BN_CHECK_STR(t, r.capabilities.v[2].value, "recall_memory");
	BN_CHECK_STR(t, r.capabilities.v[2].origin, "d");
	/* the nearest ancestor's module when the child has none */
	BN_CHECK(t, r.tool != NULL && !strcmp(r.tool->name, "a"));
	/* each ancestor's instructions, then the child's, marked */
	BN_CHECK_CONTAINS(t, r.instructions, "from skill 'a'");
	BN_CHECK(t, strstr(r.instructions, "Instructions of a.") <
		    strstr(r.instructions, "Instructions of d."));
	bn_skill_resolved_clear(&r);
	set_clear(&s);
}

static void test_fifth_generation_is_too_deep(bn_t *t)
{
	set s = { 0 };
	bn_skill_resolved r;
	bn_err e;

	add(&s, "g0", NULL, NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "g1", "g0", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "g2", "g1", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "g3", "g2", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "g4", "g3", NULL, BN_SKILL_TYPE_PROMPT);
	bn_err_init(&e);
	/* g3 has 3 generations above it: fine */
	BN_CHECK_INT(t, bn_skill_resolve(&r, get(&s, "g3"), lookup, &s, &e),
		     ==, 0);
	bn_skill_resolved_clear(&r);
	/* g4 has 4: g0 is a fifth generation */
	BN_CHECK_INT(t, bn_skill_resolve(&r, get(&s, "g4"), lookup, &s, &e),
		     ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "too deep");
	BN_CHECK_CONTAINS(t, e.msg, "g0");
	set_clear(&s);
}

static void test_multiple_parents_and_diamond(bn_t *t)
{
	set s = { 0 };
	bn_skill_resolved r;
	bn_err e;
	char *c;

	add(&s, "base", NULL, "read_env=HOME", BN_SKILL_TYPE_PROMPT);
	add(&s, "left", "base", "read_env=L", BN_SKILL_TYPE_TOOL);
	add(&s, "right", "base", "read_env=R", BN_SKILL_TYPE_TOOL);
	add(&s, "child", "left right", NULL, BN_SKILL_TYPE_PROMPT);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_resolve(&r, get(&s, "child"), lookup, &s,
					 &e), ==, 0);
	c = chain_str(&r);
	BN_CHECK_STR(t, c, "base left right child");  /* base once */
	free(c);
	BN_CHECK_INT(t, r.capabilities.n, ==, 3);
	/* nearest tool ancestor: the later parent in resolution order */
	BN_CHECK(t, r.tool && !strcmp(r.tool->name, "right"));
	bn_skill_resolved_clear(&r);
	set_clear(&s);
}

static void test_cycle_and_missing(bn_t *t)
{
	set s = { 0 };
	bn_skill_resolved r;
	bn_err e;

	add(&s, "x", "y", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "y", "z", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "z", "x", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "self", "self", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "orphan", "ghost", NULL, BN_SKILL_TYPE_PROMPT);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_resolve(&r, get(&s, "x"), lookup, &s, &e),
		     ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "cycle");
	BN_CHECK_CONTAINS(t, e.msg, "x -> y -> z -> x");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_resolve(&r, get(&s, "self"), lookup, &s, &e),
		     ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "self -> self");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_resolve(&r, get(&s, "orphan"), lookup, &s,
					 &e), ==, BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, e.msg, "'ghost'");
	set_clear(&s);
}

static void test_dependencies(bn_t *t)
{
	set s = { 0 };
	bn_skill_resolved r;
	bn_skill_manifest *app, *lib;
	bn_err e;

	lib = add(&s, "lib", NULL, NULL, BN_SKILL_TYPE_PROMPT);
	lib->version = bn_xstrdup("1.4.2");
	app = add(&s, "app", NULL, NULL, BN_SKILL_TYPE_PROMPT);
	bn_strv_push(&app->dependencies, "lib@^1.2");
	BN_CHECK_INT(t, bn_skill_resolve(&r, app, lookup, &s, NULL), ==, 0);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_check_dependencies(&r, lookup, &s, &e), ==,
		     0);
	bn_strv_push(&app->dependencies, "lib@>=2.0.0");
	BN_CHECK_INT(t, bn_skill_check_dependencies(&r, lookup, &s, &e), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "lib@>=2.0.0");
	BN_CHECK_CONTAINS(t, e.msg, "1.4.2");
	bn_strv_clear(&app->dependencies);
	bn_strv_push(&app->dependencies, "absent");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_check_dependencies(&r, lookup, &s, &e), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, e.msg, "'absent'");
	bn_strv_clear(&app->dependencies);
	bn_strv_push(&app->dependencies, "lib@not-a-range");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_check_dependencies(&r, lookup, &s, &e), ==,
		     BN_EINVAL);
	bn_skill_resolved_clear(&r);
	set_clear(&s);
}

static void test_conflicts_both_ways(bn_t *t)
{
	set s = { 0 };
	bn_skill_resolved a, b, c;
	bn_skill_manifest *m;
	bn_err e;

	m = add(&s, "tabs", NULL, NULL, BN_SKILL_TYPE_PROMPT);
	bn_strv_push(&m->conflicts_with, "spaces-base");
	add(&s, "spaces-base", NULL, NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "spaces", "spaces-base", NULL, BN_SKILL_TYPE_PROMPT);
	add(&s, "neutral", NULL, NULL, BN_SKILL_TYPE_PROMPT);
	BN_CHECK_INT(t, bn_skill_resolve(&a, get(&s, "tabs"), lookup, &s,
					 NULL), ==, 0);
	BN_CHECK_INT(t, bn_skill_resolve(&b, get(&s, "spaces"), lookup, &s,
					 NULL), ==, 0);
	BN_CHECK_INT(t, bn_skill_resolve(&c, get(&s, "neutral"), lookup, &s,
					 NULL), ==, 0);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_conflict(&a, &b, &e), ==, BN_EDENIED);
	BN_CHECK_CONTAINS(t, e.msg, "conflicts with");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_conflict(&b, &a, &e), ==, BN_EDENIED);
	BN_CHECK_INT(t, bn_skill_conflict(&a, &c, NULL), ==, 0);
	bn_skill_resolved_clear(&a);
	bn_skill_resolved_clear(&b);
	bn_skill_resolved_clear(&c);
	set_clear(&s);
}

static bool sat(const char *v, const char *range)
{
	bn_semver sv;
	return bn_semver_parse(&sv, v, 0) && bn_semver_satisfies(&sv, range);
}

static void test_semver(bn_t *t)
{
	bn_semver a, b;
	BN_CHECK(t, bn_semver_parse(&a, "1.2.3-rc.1+build.5", 0));
	BN_CHECK(t, !bn_semver_parse(&a, "1.2", 0));
	BN_CHECK(t, !bn_semver_parse(&a, "01.2.3", 0));
	BN_CHECK(t, !bn_semver_parse(&a, "1.2.3-", 0));
	/* one grammar, two strictnesses: registries write "v1.2.3" */
	BN_CHECK(t, bn_semver_parse(&a, "v1.2.3", 0) && a.major == 1);
	BN_CHECK(t, !bn_semver_parse(&a, "v1.2.3", BN_SEMVER_STRICT));
	BN_CHECK(t, bn_semver_parse(&a, "1.2.3-01", 0));
	BN_CHECK(t, !bn_semver_parse(&a, "1.2.3-01", BN_SEMVER_STRICT));
	BN_CHECK(t, !bn_semver_parse(&a, "1.2.3-a..b", 0));
	BN_CHECK(t, !bn_semver_parse(&a, "1.2.3+b..c", 0));
	BN_CHECK(t, !bn_semver_parse(&a, NULL, 0));
	BN_CHECK(t, bn_semver_parse(&a, "1.0.0-alpha", 0) &&
		    bn_semver_parse(&b, "1.0.0-alpha.1", 0) &&
		    bn_semver_cmp(&a, &b) < 0);
	BN_CHECK(t, bn_semver_parse(&a, "1.0.0-rc.1", 0) &&
		    bn_semver_parse(&b, "1.0.0", 0) && bn_semver_cmp(&a, &b) < 0);
	BN_CHECK(t, sat("1.2.3", "1.2.3"));
	BN_CHECK(t, !sat("1.2.4", "1.2.3"));
	BN_CHECK(t, sat("1.9.0", "^1.2.3"));
	BN_CHECK(t, !sat("2.0.0", "^1.2.3"));
	BN_CHECK(t, sat("0.2.9", "^0.2.3") && !sat("0.3.0", "^0.2.3"));
	BN_CHECK(t, sat("1.2.9", "~1.2.3") && !sat("1.3.0", "~1.2.3"));
	BN_CHECK(t, sat("1.5.0", ">=1.2 <2") && !sat("2.0.0", ">=1.2 <2"));
	BN_CHECK(t, sat("1.7.1", "1.x") && !sat("2.0.0", "1.x"));
	BN_CHECK(t, sat("3.0.0", "*"));
	BN_CHECK(t, !sat("2.0.0-rc.1", ">=1.0.0"));
	BN_CHECK(t, !bn_semver_range_valid(">=banana"));
	BN_CHECK(t, !bn_semver_range_valid(""));
}

int main(void)
{
	bn_t t = { 0 };
	BN_RUN(&t, test_chain_of_four_resolves);
	BN_RUN(&t, test_fifth_generation_is_too_deep);
	BN_RUN(&t, test_multiple_parents_and_diamond);
	BN_RUN(&t, test_cycle_and_missing);
	BN_RUN(&t, test_dependencies);
	BN_RUN(&t, test_conflicts_both_ways);
	BN_RUN(&t, test_semver);
	return bn_t_done(&t);
}
