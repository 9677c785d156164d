/* SPDX-License-Identifier: MIT */
/* cli/cmd_skill.c - `bnity skill ...`: validate, create, list, attach... */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "registry/registry.h"
#include "store/grants.h"
#include "view/view.h"


static void print_warnings(const bn_strv *w)
{
	size_t i;
	for (i = 0; i < w->n; i++)
		fprintf(stderr, "warning: %s\n", w->v[i]);
}

/* Print O (stolen) as JSON on one line of stdout. */
static void print_json_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

/* Run CHECK on each PATH of A, as JSON lines with --json; exit 1 when
   a check failed. */
static int each_path(const bn_cli_args *a,
		     bool (*check)(const char *path, bool json))
{
	bool json = bn_cli_flag(a, "json");
	int bad = 0;

	for (int i = 0; i < a->npos; i++)
		bad += !check(a->pos[i], json);
	return bad ? BN_EXIT_FAIL : BN_EXIT_OK;
}

static bool validate_one(const char *path, bool json)
{
	bn_skill_report rep = { 0 };
	bool ok = bn_skill_validate(&rep, path);

	if (json) {
		print_json_line(bn_view_validation_json(path, ok, &rep));
	} else {
		printf("%s: %s\n", path, ok ? "valid" : "invalid");
		for (size_t k = 0; k < rep.errors.n; k++)
			printf("  error: %s\n", rep.errors.v[k]);
		for (size_t k = 0; k < rep.warnings.n; k++)
			printf("  warning: %s\n", rep.warnings.v[k]);
	}
	bn_skill_report_clear(&rep);
	return ok;
}

int bn_cli_skill_validate(const bn_cli_args *a)
{
	return each_path(a, validate_one);
}

static int load_one(bn_skill_manifest **m, const char *path)
{
	bn_skill_report rep = { 0 };
	bn_err err;
	int r;

	bn_err_init(&err);
	r = bn_skill_manifest_load(m, path, &rep, &err);
	print_warnings(&rep.warnings);
	bn_skill_report_clear(&rep);
	return r ? bn_cli_fail(&err) : BN_EXIT_OK;
}

int bn_cli_skill_read_properties(const bn_cli_args *a)
{
	bn_skill_manifest *m = NULL;
	int r;

	if ((r = load_one(&m, a->pos[0])))
		return r;
	bn_cli_print_json(bn_skill_manifest_to_json(m));
	bn_skill_manifest_free(m);
	return BN_EXIT_OK;
}

int bn_cli_skill_to_prompt(const bn_cli_args *a)
{
	int npos = a->npos, i, r = BN_EXIT_OK;
	bn_skill_manifest **ms = bn_xcalloc((size_t)npos, sizeof(*ms));
	bn_buf out = BN_BUF_INIT;

	for (i = 0; i < npos && r == BN_EXIT_OK; i++)
		r = load_one(&ms[i], a->pos[i]);
	if (r == BN_EXIT_OK) {
		if (bn_skill_prompt_catalog(&out,
			(const bn_skill_manifest *const *)ms, (size_t)npos)) {
			fprintf(stderr, "bnity: out of memory\n");
			r = BN_EXIT_FAIL;
		} else {
			puts(bn_buf_cstr(&out));
		}
	}
	for (i = 0; i < npos; i++)
		bn_skill_manifest_free(ms[i]);
	free(ms);
	bn_buf_clear(&out);
	return r;
}

int bn_cli_skill_create(const bn_cli_args *a)
{
	const char *name = a->pos[0], *type = bn_cli_value(a, "type");
	bn_skill_type t;
	bn_cli_ctx c;
	int r;

	if (!type || !strcmp(type, "prompt"))
		t = BN_SKILL_TYPE_PROMPT;
	else if (!strcmp(type, "tool"))
		t = BN_SKILL_TYPE_TOOL;
	else
		return bn_cli_usage(a->path, "--type must be 'prompt' or 'tool', not '%s'",
				    type);
	if ((r = bn_cli_ctx_open(&c)))
		return r;
	r = bn_store_skill_create(c.store, name, t,
				  bn_cli_value(a, "description"), &c.err);
	if (!r)
		printf("created %s skill '%s' in %s/%s\n",
		       t == BN_SKILL_TYPE_TOOL ? "tool" : "prompt", name,
		       bn_store_skills_dir(c.store), name);
	return bn_cli_ctx_end(&c, r);
}

/* Open C and list the store's skills into ALL: 0, or the exit code
   after a message (C ended). */
static int open_skills(bn_cli_ctx *c, bn_store_skills *all)
{
	int r;

	if ((r = bn_cli_ctx_open(c)))
		return r;
	r = bn_store_skills_list(all, c->store, &c->err);
	return r ? bn_cli_ctx_end(c, r) : 0;
}

int bn_cli_skill_list(const bn_cli_args *a)
{
	bn_store_skills all = { 0 };
	bool json = bn_cli_flag(a, "json"),
	     warnings = bn_cli_flag(a, "warnings");
	bn_cli_ctx c;
	size_t i;
	int r;

	if ((r = open_skills(&c, &all)))
		return r;
	if (warnings || all.warnings.n <= 3)
		print_warnings(&all.warnings);
	else
		fprintf(stderr, "warning: %zu problems with skills in other "
			"agents' folders (`bnity skill list --warnings` lists "
			"them)\n", all.warnings.n);
	if (json) {
		json_t *j = json_array();
		for (i = 0; i < all.n; i++)
			json_array_append_new(j, bn_view_skill_json(&all.v[i]));
		bn_cli_print_json(j);
	} else if (all.n == 0) {
		printf("no skills yet: `bnity skill create NAME` makes one\n");
	} else {
		printf("%-28s %-6s %-9s %-8s %s\n", "NAME", "TYPE", "TIER",
		       "ORIGIN", "DESCRIPTION");
		for (i = 0; i < all.n; i++) {
			const bn_store_skill *sk = &all.v[i];
			const char *d = sk->manifest->description;
			printf("%-28s %-6s %-9s %-8s %.60s%s\n", sk->name,
			       bn_skill_type_name(sk->manifest->type), sk->tier,
			       bn_store_origin_name(sk->origin), d,
			       strlen(d) > 60 ? "..." : "");
		}
	}
	bn_store_skills_clear(&all);
	return bn_cli_ctx_end(&c, 0);
}

/* `skill inspect NAME --resolved`: the skill with its ancestors. */
static int inspect_resolved(const bn_store_skills *all, const char *name,
			    bool json, bn_err *err)
{
	bn_skill_resolved r = { 0 };
	size_t i;
	int rc;

	if ((rc = bn_store_skill_resolve(&r, all, name, err)))
		return rc;
	if (json) {
		bn_cli_print_json(bn_view_resolved_json(name, &r));
	} else {
		printf("skill:        %s\nresolution:  ", name);
		for (i = 0; i < r.nchain; i++)
			printf(" %s%s", r.chain[i]->name,
			       i + 1 < r.nchain ? " ->" : "");
		printf("\ntool module:  %s\ncapabilities:",
		       r.tool ? r.tool->name : "none (a prompt skill)");
		for (i = 0; i < r.capabilities.n; i++)
			printf("\n  %s (from %s)", r.capabilities.v[i].value,
			       r.capabilities.v[i].origin);
		printf("%s\nallowed-tools:", r.capabilities.n ? "" : " none");
		for (i = 0; i < r.allowed_tools.n; i++)
			printf(" %s", r.allowed_tools.v[i].value);
		printf("%s\nconflicts-with:", r.allowed_tools.n ? "" : " none");
		for (i = 0; i < r.conflicts_with.n; i++)
			printf(" %s (from %s)", r.conflicts_with.v[i].value,
			       r.conflicts_with.v[i].origin);
		printf("%s\n\n%s", r.conflicts_with.n ? "" : " none",
		       r.instructions);
	}
	bn_skill_resolved_clear(&r);
	return 0;
}

int bn_cli_skill_inspect(const bn_cli_args *a)
{
	const char *const *pos = a->pos;
	bn_store_skills all = { 0 };
	const bn_store_skill *sk;
	bool json = bn_cli_flag(a, "json"),
	     resolved = bn_cli_flag(a, "resolved");
	bn_cli_ctx c;
	int r;

	if ((r = open_skills(&c, &all)))
		return r;
	sk = bn_store_skills_find(&all, pos[0]);
	if (!sk) {
		r = bn_err_set(&c.err, BN_ENOTFOUND,
			       "no skill '%s' (see `bnity skill list`)", pos[0]);
		goto out;
	}
	if (resolved) {
		r = inspect_resolved(&all, pos[0], json, &c.err);
		goto out;
	}
	json_t *o;
	if ((r = bn_view_skill_inspect_json(&o, c.store, &all, sk, &c.err)))
		goto out;
	if (json) {
		bn_cli_print_json(o);
	} else {
		const bn_skill_manifest *m = sk->manifest;
		json_t *bots = json_object_get(o, "bots");
		size_t i;
		printf("name:         %s\n", sk->name);
		printf("description:  %s\n", m->description);
		printf("type:         %s\n", bn_skill_type_name(m->type));
		printf("version:      %s\n", m->version ? m->version : "-");
		printf("tier:         %s\n", sk->tier);
		printf("origin:       %s (%s)\n",
		       bn_store_origin_name(sk->origin), sk->origin_dir);
		printf("path:         %s\n", sk->dir);
		if (m->license)
			printf("license:      %s\n", m->license);
		if (m->compatibility)
			printf("compatibility: %s\n", m->compatibility);
		if (m->allowed_tools)
			printf("allowed-tools: %s\n", m->allowed_tools);
		printf("capabilities:");
		for (i = 0; i < m->capabilities.n; i++)
			printf(" %s", m->capabilities.v[i]);
		printf("%s\n", m->capabilities.n ? "" : " none");
		printf("instructions: %zu bytes\n", strlen(m->body));
		printf("bots:        ");
		for (i = 0; i < json_array_size(bots); i++) {
			json_t *b = json_array_get(bots, i);
			printf(" %s%s", json_string_value(
				       json_object_get(b, "bot")),
			       json_is_true(json_object_get(b, "enabled")) ?
			       "" : " (disabled)");
		}
		printf("%s\n", json_array_size(bots) ? "" : " none");
		json_t *gs = json_object_get(o, "grants");
		printf("grants:      ");
		for (i = 0; i < json_array_size(gs); i++) {
			json_t *g = json_array_get(gs, i);
			const char *sc = json_string_value(
				json_object_get(g, "scope"));
			const char *bot = json_string_value(
				json_object_get(g, "bot"));
			printf("\n  %s%s%s (%s)", json_string_value(
				       json_object_get(g, "capability")),
			       sc && *sc ? "=" : "", sc ? sc : "",
			       bot && strcmp(bot, "*") ? bot : "every bot");
		}
		printf("%s\n", json_array_size(gs) ? "" : " none");
		json_decref(o);
	}
out:
	bn_store_skills_clear(&all);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_skill_remove(bn_cli_ctx *c, const bn_cli_args *a)
{
	bn_strv notes = { 0 };
	int r = bn_registry_skill_remove_noting(&notes, c->store, a->pos[0],
						&c->err);

	if (!r)
		printf("removed skill '%s'\n", a->pos[0]);
	for (size_t i = 0; i < notes.n; i++)
		printf("  %s\n", notes.v[i]);
	bn_strv_clear(&notes);
	return r;
}

int bn_cli_skill_bind(bn_cli_ctx *c, const bn_cli_args *a)
{
	const char *verb = a->cmd->name, *const *pos = a->pos;
	int r;

	if (!strcmp(verb, "attach"))
		r = bn_store_attach(c->store, pos[1], pos[0], &c->err);
	else if (!strcmp(verb, "detach"))
		r = bn_store_detach(c->store, pos[1], pos[0], &c->err);
	else
		r = bn_store_set_enabled(c->store, pos[1], pos[0],
					 !strcmp(verb, "enable"), &c->err);
	if (!r)
		printf("%s: skill '%s', bot '%s'\n",
		       !strcmp(verb, "attach") ? "attached" :
		       !strcmp(verb, "detach") ? "detached" :
		       !strcmp(verb, "enable") ? "enabled" : "disabled",
		       pos[0], pos[1]);
	return r;
}

int bn_cli_skill_grants(const bn_cli_args *a)
{
	bn_store_grant *v = NULL;
	size_t n = 0;
	bn_cli_ctx c;
	int r;

	if (a->npos || !bn_cli_flag(a, "pending"))
		return bn_cli_usage(a->path, "only --pending is "
				    "listed here (see `bnity skill show`)");
	if ((r = bn_cli_ctx_open(&c)))
		return r;
	r = bn_store_grant_suspended_list(&v, &n, c.store, &c.err);
	for (size_t i = 0; !r && i < n; i++)
		printf("%s  %s=%s  %s%s  (%s; give it again: bnity skill grant "
		       "%s %s=%s@https://ORIGIN)\n", v[i].skill,
		       v[i].capability, v[i].scope,
		       strcmp(v[i].bot, "*") ? "bot " : "every bot",
		       strcmp(v[i].bot, "*") ? v[i].bot : "", v[i].limits,
		       v[i].skill, v[i].capability, v[i].scope);
	if (!r && n == 0)
		printf("no suspended grants\n");
	bn_store_grants_free(v, n);
	return bn_cli_ctx_end(&c, r);
}

/* The folder of skill PATH (a folder, or its SKILL.md), newly allocated. */
static char *skill_folder(const char *path)
{
	size_t n = strlen(path);
	const char *base = strrchr(path, '/');

	if (!strcmp(base ? base + 1 : path, "SKILL.md"))
		return base ? bn_xstrndup(path, n - strlen(base)) :
			bn_xstrdup(".");
	return bn_xstrdup(path);
}

/* Findings are advice: false only when PATH cannot be scanned. */
static bool scan_one(const char *path, bool json)
{
	bn_registry_findings f = { 0 };
	char *dir = skill_folder(path);
	bn_err err;
	int r;

	bn_err_init(&err);
	r = bn_registry_scan_dir(&f, dir, &err);
	if (r) {
		(void)bn_cli_fail(&err);
	} else if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "path", json_string(path));
		json_object_set_new(o, "findings",
				    bn_registry_findings_json(&f));
		json_object_set_new(o, "omitted",
				    json_integer((json_int_t)f.omitted));
		print_json_line(o);
	} else {
		printf("%s: %zu finding%s\n", path, f.n, f.n == 1 ? "" : "s");
		for (size_t k = 0; k < f.n; k++)
			printf("  %s:%u: %s: %s\n", f.v[k].file, f.v[k].line,
			       bn_registry_finding_kind_name(f.v[k].kind),
			       f.v[k].what);
		if (f.omitted)
			printf("  (%zu more matching lines not shown)\n",
			       f.omitted);
	}
	bn_registry_findings_clear(&f);
	free(dir);
	return r == 0;
}

int bn_cli_skill_scan(const bn_cli_args *a)
{
	return each_path(a, scan_one);
}
