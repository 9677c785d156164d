/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_install.c - finding and installing skills: `skill search`,
 * `skill browse`, `skill install`, `skill update`, `skill outdated`,
 * `skill verify`, `skill digest`, and `key trust|list|remove`.  The
 * pipeline is registry/install.c; this file parses, asks and prints.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fs.h"
#include "registry/registry.h"
#include "store/agents.h"
#include "view/view.h"

#define LINE_MAX_BYTES 512

/* The progress line on stderr, redrawn in place (a terminal only). */
typedef struct bar {
	bool drawn;              /* a line is on the screen */
	uint64_t last_ms;        /* when it was drawn */
	size_t last_done;
	const char *last_phase;
} bar;

/* An open store (and the error of the command), the registry config and
   a context over both. */
typedef struct session {
	bn_cli_ctx c;
	bn_registry_config cfg;
	bn_registry_ctx ctx;
	bn_strv notes;
	bar bar;
} session;

/* Take the progress line off the screen before other output. */
static void bar_clear(bar *b)
{
	if (b && b->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		b->drawn = false;
	}
}

/* Bytes as people read them (one decimal from KiB up). */
static void human_bytes(char *out, size_t n, uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(out, n, "%llu B", (unsigned long long)bytes);
		return;
	}
	for (v /= 1024; v >= 1024 && u < 2; u++)
		v /= 1024;
	snprintf(out, n, "%.1f %s", v, unit[u]);
}

/* The bn_registry_progress_fn: one line, redrawn at most ten times a
   second (and whenever a skill is done or the phase changes). */
static void draw_progress(const bn_registry_progress *p, void *payload)
{
	bar *b = payload;
	uint64_t now = bn_clock_now_ms();
	char bytes[32];

	if (b->drawn && now - b->last_ms < 100 &&
	    p->skills_done == b->last_done && p->phase == b->last_phase &&
	    (!p->skills_total || p->skills_done < p->skills_total))
		return;
	b->last_ms = now;
	b->last_done = p->skills_done;
	b->last_phase = p->phase;
	human_bytes(bytes, sizeof(bytes), p->bytes);
	fputs("\r\033[K", stderr);
	if (p->skills_total)
		fprintf(stderr, "%s %zu/%zu skills, %zu files, %s%s%s",
			p->phase, p->skills_done, p->skills_total, p->files,
			bytes, p->current ? ": " : "",
			p->current ? p->current : "");
	else if (p->files_total)
		fprintf(stderr, "%s %zu/%zu files, %s", p->phase, p->files,
			p->files_total, bytes);
	else
		fprintf(stderr, "%s %s", p->phase, bytes);
	fflush(stderr);
	b->drawn = true;
}

/* SYNC: make skills-lock.json agree with the store first (not before a
   restore, which reads entries whose skills are not there yet).  0, or
   the exit code after a message. */
static int session_open(session *ss, bool offline, bool sync)
{
	int r;

	memset(ss, 0, sizeof(*ss));
	if ((r = bn_cli_ctx_open(&ss->c)))
		return r;
	r = bn_registry_config_load(&ss->cfg, bn_store_home(ss->c.store),
				    &ss->c.err);
	if (!r && sync)
		r = bn_registry_lock_sync(ss->c.store, &ss->c.err);
	if (r)
		return bn_cli_ctx_end(&ss->c, r);
	ss->ctx.store = ss->c.store;
	ss->ctx.cfg = &ss->cfg;
	ss->ctx.offline = offline;
	ss->ctx.progress = isatty(STDERR_FILENO);
	ss->ctx.notes = &ss->notes;
	/* nothing animated unless stderr is a terminal */
	ss->ctx.on_progress = ss->ctx.progress ? draw_progress : NULL;
	ss->ctx.progress_payload = &ss->bar;
	return 0;
}

/* Close SS after a command that returned R: its notes, then the exit
   code (bn_cli_ctx_end). */
static int session_end(session *ss, int r)
{
	bar_clear(&ss->bar);
	for (size_t i = 0; i < ss->notes.n; i++)
		fprintf(stderr, "bnity: note: %s\n", ss->notes.v[i]);
	bn_strv_clear(&ss->notes);
	bn_registry_config_clear(&ss->cfg);
	return bn_cli_ctx_end(&ss->c, r);
}

/* The values of --grant, each "CAP[=SCOPE],..." , one CAP[=SCOPE] each. */
static void split_grants(bn_strv *out, const bn_strv *given)
{
	for (size_t i = 0; i < given->n; i++) {
		char *copy = bn_xstrdup(given->v[i]), *save = NULL, *tok;
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			bn_strv_push(out, tok);
		free(copy);
	}
}

static bool on_terminal(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

static bool read_line(char *buf, size_t n)
{
	size_t l;

	if (!fgets(buf, (int)n, stdin))
		return false;
	l = strlen(buf);
	while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
		buf[--l] = '\0';
	return true;
}

/* The answer to the question just printed: true for a line starting
   with y or Y. */
static bool answer_yes(void)
{
	char line[LINE_MAX_BYTES];

	fflush(stdout);
	if (!read_line(line, sizeof(line)))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

static bool ask_cap(const char *skill, const char *cap, const char *scope,
		    void *payload)
{
	bar_clear(payload);
	printf("  %s asks for %s%s%s. Grant it? [y/N] ", skill, cap,
	       *scope ? " on " : "", scope);
	return answer_yes();
}

static bool ask_yes(const char *skill, const char *question, void *payload)
{
	bar_clear(payload);
	printf("  %s: %s [y/N] ", skill, question);
	return answer_yes();
}

static void report_line(const char *skill, const char *line, void *payload)
{
	bar_clear(payload);
	printf("  %s: %s\n", skill, line);
}

/* ---- search ------------------------------------------------------------- */

/* One row per skill: name, installs, where it was found, what it does,
   and the command to copy. */
static void print_hit(size_t i, const bn_registry_hit *h, bool numbered)
{
	if (numbered)
		printf("%3zu. ", i + 1);
	printf("%-32s", h->name);
	if (h->installs >= 0)
		printf("  %lld installs", h->installs);
	printf("  [");
	for (size_t k = 0; k < h->registries.n; k++)
		printf("%s%s", k ? ", " : "", h->registries.v[k]);
	printf("%s]\n", h->registries.n ? "" : h->registry);
	if (h->description)
		printf("      %s\n", h->description);
	printf("      %s\n", h->install ? h->install : h->source);
}

int bn_cli_skill_search(const bn_cli_args *a)
{
	const char *query = a->pos[0];
	bn_registry_hits hits = { 0 };
	session ss;
	int r;

	if ((r = session_open(&ss, bn_cli_flag(a, "offline"), true)))
		return r;
	r = bn_registry_search(&hits, &ss.ctx, bn_cli_value(a, "registry"),
			       query, &ss.c.err);
	if (!r && bn_cli_flag(a, "json")) {
		json_t *j = json_array();
		for (size_t i = 0; i < hits.n; i++)
			json_array_append_new(j, bn_view_hit_json(&hits.v[i]));
		bn_cli_print_json(j);
	} else if (!r) {
		for (size_t i = 0; i < hits.n; i++)
			print_hit(i, &hits.v[i], false);
		if (hits.n == 0)
			printf("no skill matches '%s'\n", query);
	}
	bn_registry_hits_clear(&hits);
	return session_end(&ss, r);
}

/* ---- install ------------------------------------------------------------ */

typedef struct install_args {
	const bn_strv *skills; /* --skill (borrowed) */
	const bn_strv *agents; /* --agent (borrowed) */
	char *agent_root;     /* the project their folders are under */
	bn_strv grants;       /* one CAP[=SCOPE] each */
	const char *bot;
	bool all, yes, force, local, offline, strict, json, global;
} install_args;

/* No --skill, no --agent. */
static const bn_strv no_names;

/* The options install and update share, from A: *IA's grants are its
   own (bn_strv_clear them); the rest is borrowed from A. */
static void install_args_get(install_args *ia, const bn_cli_args *a)
{
	*ia = (install_args){ .skills = &no_names, .agents = &no_names };
	split_grants(&ia->grants, bn_cli_list(a, "grant"));
	ia->bot = bn_cli_value(a, "bot");
	ia->all = bn_cli_flag(a, "all");
	ia->yes = bn_cli_flag(a, "yes");
	ia->force = bn_cli_flag(a, "force");
	ia->offline = bn_cli_flag(a, "offline");
}

/* Some skills of a many-skill install were skipped (each said why). */
#define BN_ESKIPPED 1

/* On stderr: each capability new in an update that was not granted,
   with the command that grants it (completed where the declaration
   lacks a scope or an origin). */
static void say_ungranted(const bn_registry_installed *x)
{
	for (size_t i = 0; i < x->ungranted.n; i++) {
		const char *spec = x->ungranted.v[i];
		fprintf(stderr, "bnity: '%s': not granted: %s (new in this "
			"version); grant it with `bnity skill grant %s %s%s`\n",
			x->name, spec, x->name, spec,
			bn_registry_spec_lacks(spec));
	}
}

static void print_installed(const bn_registry_install_result *res,
			    bool update)
{
	size_t done = 0, skipped = 0;

	for (size_t i = 0; i < res->n; i++) {
		const bn_registry_installed *x = &res->v[i];
		if (x->skipped) {
			printf("skipped '%s': %s\n", x->name, x->skipped);
			skipped++;
			continue;
		}
		done++;
		printf("%s '%s'", !x->changed ? "unchanged" :
		       update ? "updated" : "installed", x->name);
		if (x->original_name)
			printf(" (named '%s' by its source)", x->original_name);
		printf(" (%s, %s)", x->tier, x->hash);
		if (x->warnings.n)
			printf(", %zu warning%s", x->warnings.n,
			       x->warnings.n == 1 ? "" : "s");
		printf("\n");
		for (size_t k = 0; k < x->agent_copies.n; k++)
			printf("  copied to %s\n", x->agent_copies.v[k]);
		for (size_t k = 0; k < x->agent_refused.n; k++)
			printf("  %s\n", x->agent_refused.v[k]);
	}
	if (res->n > 1 || skipped)
		printf("%s %zu, skipped %zu\n", update ? "updated" :
		       "installed", done, skipped);
}

/* Print what an install (or update, or restore) did, as JSON or text,
   and clear RES.  Returns R, or BN_ESKIPPED when R is 0 and some skill
   was skipped. */
static int show_results(bn_registry_install_result *res, int r, bool json,
			bool update)
{
	if (json && (res->n || !r))
		bn_cli_print_json(bn_view_installed_json(res));
	else
		print_installed(res, update);
	for (size_t i = 0; i < res->n; i++)
		say_ungranted(&res->v[i]);
	for (size_t i = 0; !r && i < res->n; i++)
		if (res->v[i].skipped)
			r = BN_ESKIPPED;
	bn_registry_install_result_clear(res);
	return r;
}

/* What install and restore both take from A. */
static void common_opts(bn_registry_install_opts *o, const install_args *a,
			session *ss)
{
	o->payload = &ss->bar;
	o->yes = a->yes;
	o->bot = a->bot;
	o->force = a->force;
	o->strict = a->strict;
	o->approve = on_terminal() ? ask_cap : NULL;
	o->confirm = on_terminal() ? ask_yes : NULL;
	o->report = a->json ? NULL : report_line;
	o->agents = (const char *const *)a->agents->v;
	o->n_agents = a->agents->n;
	o->global = a->global;
	o->agent_root = a->agent_root;
}

static int run_install(session *ss, const char *source,
		       const install_args *a, bool update,
		       const char *expect, bn_err *err)
{
	bn_registry_install_opts o = BN_REGISTRY_INSTALL_OPTS_INIT;
	bn_registry_install_result res = { 0 };
	int r;

	common_opts(&o, a, ss);
	o.only = (const char *const *)a->skills->v;
	o.n_only = a->skills->n;
	o.all = a->all;
	o.grant = (const char *const *)a->grants.v;
	o.n_grant = a->grants.n;
	o.local = a->local;
	o.update = update;
	o.expect_name = expect;
	r = bn_registry_install(&res, &ss->ctx, source, &o, err);
	bar_clear(&ss->bar);
	return show_results(&res, r, a->json, update);
}

/* The skills-lock.json a bare `skill install` restores into *PATH
   (owned): the project's, at the root of the repository holding the
   working folder (*ROOT, owned), else BNITY_HOME's (*ROOT NULL). */
static int find_lock(char **path, char **root, bn_store *s, bn_err *err)
{
	*root = bn_fs_repo_root(".");
	if (*root) {
		*path = bn_fs_join(*root, "skills-lock.json");
		if (bn_fs_is_file(*path))
			return 0;
		free(*path);
		free(*root);
		*root = NULL;
	}
	*path = bn_fs_join(bn_store_home(s), "skills-lock.json");
	if (bn_fs_is_file(*path))
		return 0;
	int r = bn_err_set(err, BN_ENOTFOUND, "nothing to restore: no "
			   "skills-lock.json at this repository's root nor in "
			   "%s (give a SOURCE to install from)",
			   bn_store_home(s));
	free(*path);
	*path = NULL;
	return r;
}

static int run_restore(session *ss, const install_args *a, bn_err *err)
{
	bn_registry_install_opts o = BN_REGISTRY_INSTALL_OPTS_INIT;
	bn_registry_install_result res = { 0 };
	char *path = NULL, *root = NULL;
	int r = find_lock(&path, &root, ss->c.store, err);

	if (r)
		return r;
	if (!a->json)
		printf("restoring the skills of %s\n", path);
	common_opts(&o, a, ss);
	r = bn_registry_restore(&res, &ss->ctx, path, root, &o, err);
	bar_clear(&ss->bar);
	r = show_results(&res, r, a->json, false);
	free(path);
	free(root);
	return r;
}

/* Every --agent is one bnity knows (else a usage error listing them);
   the project their folders go under: the repository's root, else the
   working folder. */
static int agents_check(install_args *a)
{
	for (size_t i = 0; i < a->agents->n; i++) {
		if (bn_store_agent_find(a->agents->v[i]))
			continue;
		char *names = bn_store_agent_names();
		int r = bn_cli_usage("skill install", "unknown agent '%s' "
				     "(known: %s)", a->agents->v[i], names);
		free(names);
		return r;
	}
	if (a->global && !a->agents->n)
		return bn_cli_usage("skill install", "-g/--global chooses the "
				    "user's folders of --agent: name one");
	if (!a->agents->n || a->global)
		return 0;
	a->agent_root = bn_fs_repo_root(".");
	if (!a->agent_root)
		a->agent_root = realpath(".", NULL);
	return 0;
}

int bn_cli_skill_install(const bn_cli_args *args)
{
	int npos = args->npos, r;
	install_args a;
	session ss;

	install_args_get(&a, args);
	a.skills = bn_cli_list(args, "skill");
	a.agents = bn_cli_list(args, "agent");
	a.local = bn_cli_flag(args, "local");
	a.strict = bn_cli_flag(args, "strict");
	a.json = bn_cli_flag(args, "json");
	a.global = bn_cli_flag(args, "global");
	if ((r = agents_check(&a)))
		goto out;
	if (npos == 0 && (a.skills->n || a.all || a.local)) {
		r = bn_cli_usage(args->path,
				 "--skill, --all and --local need a SOURCE (with "
				 "none, skills-lock.json is restored)");
		goto out;
	}
	if ((r = session_open(&ss, a.offline, npos != 0)) == 0) {
		r = npos ? run_install(&ss, args->pos[0], &a, false, NULL,
				       &ss.c.err) :
			run_restore(&ss, &a, &ss.c.err);
		/* skipped skills said why already: exit 1, no message */
		bool skipped = r == BN_ESKIPPED;
		r = session_end(&ss, skipped ? 0 : r);
		if (skipped)
			r = BN_EXIT_FAIL;
	}
out:
	free(a.agent_root);
	bn_strv_clear(&a.grants);
	return r;
}

/* The skills a command acts on into OUT: ONE when given, else those
   skills-lock.json holds that boternity installed. */
static int lock_names(bn_strv *out, bn_store *s, const char *one,
		      bn_err *err)
{
	if (one) {
		bn_strv_push(out, one);
		return 0;
	}
	return bn_registry_lock_names(out, bn_store_home(s), err);
}

/* Update skill NAME from the source its skills-lock.json entry names
   (bn_registry_update, which first restores a changed store copy).  A
   failure leaves the skill and its entry as they were, and says so. */
static int update_one(session *ss, install_args *a, const char *name,
		      bn_err *err)
{
	bn_registry_install_opts o = BN_REGISTRY_INSTALL_OPTS_INIT;
	bn_registry_install_result res = { 0 };
	bn_registry_lock_entry e = { 0 };
	int r = bn_registry_lock_get(&e, bn_store_home(ss->c.store), name, err);

	if (r) {
		fprintf(stderr, "bnity: %s\n", err->msg);
		return r;
	}
	common_opts(&o, a, ss);
	o.report = report_line;
	o.grant = (const char *const *)a->grants.v;
	o.n_grant = a->grants.n;
	r = bn_registry_update(&res, &ss->ctx, name, &o, err);
	bar_clear(&ss->bar);
	r = show_results(&res, r, a->json, true);
	if (r && r != BN_ESKIPPED)
		fprintf(stderr, "bnity: skill '%s' not updated: %s; it stays "
			"as installed, and its skills-lock.json entry is kept\n",
			name, err->msg);
	if (r && bn_registry_verify(ss->c.store, name, NULL) == BN_EINVAL)
		fprintf(stderr, "bnity: skill '%s' is still changed in the "
			"store: `bnity skill update %s` restores it once %s can "
			"be reached (or `bnity skill remove %s`)\n", name,
			name, e.source ? e.source : "its source", name);
	bn_registry_lock_entry_clear(&e);
	return r;
}

int bn_cli_skill_update(const bn_cli_args *args)
{
	int npos = args->npos, r, failed = 0;
	install_args a;
	bn_strv names = { 0 };
	session ss;

	if ((npos == 1) == bn_cli_flag(args, "all"))
		return bn_cli_usage(args->path, "name one SKILL, or --all");
	install_args_get(&a, args);
	if ((r = session_open(&ss, a.offline, true))) {
		bn_strv_clear(&a.grants);
		return r;
	}
	r = lock_names(&names, ss.c.store, npos == 1 ? args->pos[0] : NULL,
		       &ss.c.err);
	a.all = false;
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		bn_err e1;
		bn_err_init(&e1);
		failed += update_one(&ss, &a, names.v[i], &e1) != 0;
	}
	bn_strv_clear(&names);
	bn_strv_clear(&a.grants);
	/* each failed update said why already */
	r = session_end(&ss, failed ? 0 : r);
	return failed ? BN_EXIT_FAIL : r;
}

/* One line for skill NAME, and below it what an update would change. */
static void print_outdated(const char *name, const bn_registry_update_info *c)
{
	printf("%-32s %s\n", name, c->outdated ?
	       "outdated (`bnity skill update` it)" : "up to date");
	if (!c->outdated)
		return;
	for (size_t i = 0; i < c->new_capabilities.n; i++)
		printf("  asks for %s (new)\n", c->new_capabilities.v[i]);
	for (size_t i = 0; i < c->dropped_capabilities.n; i++)
		printf("  no longer asks for %s\n",
		       c->dropped_capabilities.v[i]);
	for (size_t i = 0; i < c->new_findings.n; i++)
		printf("  new scan finding: %s %s:%u\n",
		       bn_registry_finding_kind_name(c->new_findings.v[i].kind),
		       c->new_findings.v[i].file, c->new_findings.v[i].line);
}

/* Check the installed skill NAME: print its row, or add it to ARR (when
   not NULL); true when it fails the check. */
typedef bool (*locked_check_fn)(session *ss, const char *name, json_t *arr);

/*
 * Run CHECK on every skill of the lock file, or on NAME alone (NULL:
 * all), with a row each; NONE, if not NULL, is said when there is none.
 * The exit code: 1 when a check failed.
 */
static int each_locked(const char *name, bool offline, bool json,
		       locked_check_fn check, const char *none)
{
	bn_strv names = { 0 };
	json_t *arr = json ? json_array() : NULL;
	session ss;
	int r, bad = 0;

	if ((r = session_open(&ss, offline, true))) {
		json_decref(arr);
		return r;
	}
	r = lock_names(&names, ss.c.store, name, &ss.c.err);
	for (size_t i = 0; r == 0 && i < names.n; i++)
		bad += check(&ss, names.v[i], arr);
	if (arr)
		bn_cli_print_json(arr);
	if (!r && !json && names.n == 0 && none)
		printf("%s\n", none);
	bn_strv_clear(&names);
	if ((r = session_end(&ss, r)))
		return r;
	return bad ? BN_EXIT_FAIL : BN_EXIT_OK;
}

static bool check_outdated(session *ss, const char *name, json_t *arr)
{
	bn_registry_lock_entry e = { 0 };
	bn_registry_update_info c = { 0 };
	bool old;
	bn_err e1;

	bn_err_init(&e1);
	int r1 = bn_registry_lock_get(&e, bn_store_home(ss->c.store), name, &e1);
	if (!r1)
		r1 = bn_registry_update_check(&c, &ss->ctx, &e, &e1);
	old = !r1 && c.outdated;
	if (arr)
		json_array_append_new(arr, bn_view_update_json(name, &e,
			r1 ? NULL : &c, r1 ? e1.msg : NULL));
	else if (r1)
		printf("%-32s cannot check: %s\n", name, e1.msg);
	else
		print_outdated(name, &c);
	bn_registry_update_check_clear(&c);
	bn_registry_lock_entry_clear(&e);
	return old;
}

int bn_cli_skill_outdated(const bn_cli_args *a)
{
	return each_locked(a->npos ? a->pos[0] : NULL,
			   bn_cli_flag(a, "offline"), bn_cli_flag(a, "json"),
			   check_outdated,
			   "no installed skill came from a registry");
}

static bool check_verified(session *ss, const char *name, json_t *arr)
{
	bn_err e1;

	bn_err_init(&e1);
	int r1 = bn_registry_verify(ss->c.store, name, &e1);
	if (arr) {
		bn_registry_lock_entry e = { 0 };
		bool have = bn_registry_lock_get(&e, bn_store_home(ss->c.store),
						 name, NULL) == 0;
		json_array_append_new(arr, bn_view_verify_json(name,
			have ? &e : NULL, r1 ? e1.msg : NULL));
		bn_registry_lock_entry_clear(&e);
	} else if (r1) {
		fprintf(stderr, "bnity: %s\n", e1.msg);
	} else {
		printf("%-32s ok\n", name);
	}
	return r1 != 0;
}

int bn_cli_skill_verify(const bn_cli_args *a)
{
	return each_locked(a->npos ? a->pos[0] : NULL, true,
			   bn_cli_flag(a, "json"), check_verified, NULL);
}

int bn_cli_skill_digest(const bn_cli_args *a)
{
	bn_buf b = BN_BUF_INIT;
	bn_err err;
	int r;

	bn_err_init(&err);
	r = bn_skill_tree_listing(&b, a->pos[0], true, &err);
	if (!r)
		fwrite(b.data ? b.data : "", 1, b.len, stdout);
	bn_buf_clear(&b);
	return r ? bn_cli_fail(&err) : BN_EXIT_OK;
}

/* ---- browse ------------------------------------------------------------- */

static void browse_details(const bn_registry_hit *h)
{
	printf("\n  name:      %s\n  source:    %s\n  registry:  %s\n",
	       h->name, h->source, h->registry);
	if (h->installs >= 0)
		printf("  installs:  %lld\n", h->installs);
	if (h->description)
		printf("  about:     %s\n", h->description);
	printf("  install:   %s\n\n", h->install);
}

static void browse_loop(session *ss)
{
	bn_registry_hits hits = { 0 };
	char line[LINE_MAX_BYTES];

	printf("Type words to search, a number for details, 'i NUMBER' to "
	       "install, 'q' to quit.\n");
	for (;;) {
		printf("browse> ");
		fflush(stdout);
		if (!read_line(line, sizeof(line)) || !strcmp(line, "q"))
			break;
		char *end;
		long n = strtol(line[0] == 'i' && line[1] == ' ' ? line + 2 :
				line, &end, 10);
		if (*line && !*end && n >= 1 && (size_t)n <= hits.n) {
			const bn_registry_hit *h = &hits.v[n - 1];
			if (line[0] != 'i') {
				browse_details(h);
				continue;
			}
			bn_strv one = { 0 };
			install_args a = { .skills = &one,
					   .agents = &no_names };
			bn_err e1;
			bn_err_init(&e1);
			bn_strv_push(&one, h->name);
			if (run_install(ss, h->source, &a, false, NULL, &e1))
				printf("not installed: %s\n", e1.msg);
			bn_strv_clear(&one);
			continue;
		}
		if (!*line)
			continue;
		bn_registry_hits_clear(&hits);
		bn_err e1;
		bn_err_init(&e1);
		if (bn_registry_search(&hits, &ss->ctx, NULL, line, &e1)) {
			printf("search failed: %s\n", e1.msg);
			continue;
		}
		for (size_t i = 0; i < hits.n; i++)
			print_hit(i, &hits.v[i], true);
		if (!hits.n)
			printf("nothing matches '%s'\n", line);
	}
	bn_registry_hits_clear(&hits);
}

int bn_cli_skill_browse(const bn_cli_args *a)
{
	bn_registry_hits hits = { 0 };
	session ss;
	int r;

	if ((r = session_open(&ss, bn_cli_flag(a, "offline"), true)))
		return r;
	if (on_terminal() && a->npos == 0) {
		browse_loop(&ss);
	} else {
		/* Not a terminal: a plain listing of what the query finds. */
		r = bn_registry_search(&hits, &ss.ctx,
				       bn_cli_value(a, "registry"),
				       a->npos ? a->pos[0] : "", &ss.c.err);
		for (size_t i = 0; !r && i < hits.n; i++)
			print_hit(i, &hits.v[i], false);
	}
	bn_registry_hits_clear(&hits);
	return session_end(&ss, r);
}

/* ---- key ---------------------------------------------------------------- */

int bn_cli_key_trust(const bn_cli_args *a)
{
	const char *key = a->pos[0];
	char id[17], *text = NULL;
	bn_cli_ctx c;
	int r;

	if (bn_fs_is_file(key)) {
		bn_err err;
		bn_err_init(&err);
		if (bn_fs_read_file(&text, NULL, key, 4096, &err))
			return bn_cli_fail(&err);
	}
	if ((r = bn_cli_ctx_open(&c))) {
		free(text);
		return r;
	}
	r = bn_registry_key_trust(id, c.store, text ? text : key,
				  bn_cli_value(a, "comment"), &c.err);
	if (!r)
		printf("trusted key %s: skills signed by it install as "
		       "'verified'\n", id);
	free(text);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_key_list(bn_cli_ctx *c, const bn_cli_args *a)
{
	json_t *keys = NULL, *k;
	size_t i;
	int r = bn_registry_key_list(&keys, c->store, &c->err);

	if (r)
		return r;
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(keys);
		return 0;
	}
	json_array_foreach(keys, i, k)
		printf("%s  %s  %s\n",
		       json_string_value(json_object_get(k, "id")),
		       json_string_value(json_object_get(k, "key")),
		       json_string_value(json_object_get(k, "comment")));
	if (json_array_size(keys) == 0)
		printf("no trusted keys (add one with `bnity key trust "
		       "PUBKEY`)\n");
	json_decref(keys);
	return 0;
}

int bn_cli_key_remove(bn_cli_ctx *c, const bn_cli_args *a)
{
	int r = bn_registry_key_remove(c->store, a->pos[0], &c->err);

	if (!r)
		printf("removed trusted key %s\n", a->pos[0]);
	return r;
}
