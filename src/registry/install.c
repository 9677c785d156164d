/* SPDX-License-Identifier: MIT */
/*
 * registry/install.c - the install pipeline: fetch into a scratch folder
 * of the store -> lenient load (strict errors refuse unless --force) ->
 * tree caps and links -> static scan -> signature and tier -> capability
 * approval -> build the tool module when only sources came -> atomic
 * commit (store/install.c) -> grants -> skills-lock.json -> audit record.
 * Everything before the commit happens in the scratch folder, which the
 * next bn_store_open removes if the process dies; after the commit the
 * install marker lets bn_registry_lock_sync finish the lockfile.
 */
#include "registry_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/fs.h"
#include "exec/build.h"
#include "exec/grants.h"
#include "store/grants.h"
#include "store/installlog.h"

#define SIG_MAX_BYTES 8192

/* every step is told the same way */
#define say bn_registry__say

void bn_registry_install_result_clear(bn_registry_install_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].tier);
		free(r->v[i].hash);
		free(r->v[i].original_name);
		free(r->v[i].skipped);
		bn_strv_clear(&r->v[i].granted);
		bn_strv_clear(&r->v[i].warnings);
		bn_strv_clear(&r->v[i].ungranted);
		bn_strv_clear(&r->v[i].agent_copies);
		bn_strv_clear(&r->v[i].agent_refused);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

void bn_registry__say(const bn_registry_install_opts *o, const char *skill,
		      const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	if (!o->report)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->report(skill, line, o->payload);
}

/* The source string that fetches this skill again (for updates). */
static char *source_again(const bn_registry_source *src,
			  const bn_registry_candidate *c)
{
	switch (src->kind) {
	case BN_REGISTRY_SRC_GITHUB:
		if (c->path)
			return src->ref ?
				bn_xasprintf("%s/%s/%s#%s", src->owner,
					     src->repo, c->path, src->ref) :
				bn_xasprintf("%s/%s/%s", src->owner, src->repo,
					     c->path);
		return src->ref ? bn_xasprintf("%s/%s#%s", src->owner,
					       src->repo, src->ref) :
			bn_xasprintf("%s/%s", src->owner, src->repo);
	case BN_REGISTRY_SRC_GIT:
		return src->ref ? bn_xasprintf("%s#%s", src->url, src->ref) :
			bn_xstrdup(src->url);
	default:
		return bn_xstrdup(src->url);
	}
}

static void cap_split(char *cap, size_t n, const char **scope,
		      const char *spec)
{
	const char *eq = strchr(spec, '=');
	size_t l = eq ? (size_t)(eq - spec) : strlen(spec);
	snprintf(cap, n, "%.*s", (int)l, spec);
	*scope = eq ? eq + 1 : "";
}

/* --grant CAP or CAP=SCOPE names declared SPEC. */
static bool grant_named(const bn_registry_install_opts *o, const char *spec)
{
	char cap[64];
	const char *scope;

	cap_split(cap, sizeof(cap), &scope, spec);
	for (size_t i = 0; i < o->n_grant; i++)
		if (!strcmp(o->grant[i], spec) || !strcmp(o->grant[i], cap))
			return true;
	return false;
}

const char *bn_registry_spec_lacks(const char *spec)
{
	static const char secret[] = "get_secret=";
	char cap[64];
	const char *scope;
	bn_exec_cap c;

	cap_split(cap, sizeof(cap), &scope, spec);
	if (!*scope && bn_exec_cap_parse(&c, cap, strlen(cap)) &&
	    bn_exec_cap_has_scope(c))
		return "=SCOPE";
	if (!strncmp(spec, secret, sizeof(secret) - 1) && !strchr(spec, '@') &&
	    strncmp(spec + sizeof(secret) - 1, "reveal:", 7))
		return "@https://HOST";
	return "";
}

/* The --grant that gives a bare declaration SPEC what it lacks
   (bn_registry_spec_lacks), or NULL: "CAP=SCOPE" for "CAP",
   "get_secret=NAME@ORIGIN" for "get_secret=NAME". */
static const char *bare_binding(const bn_registry_install_opts *o,
				const char *spec)
{
	char sep = *bn_registry_spec_lacks(spec);
	size_t n = strlen(spec);

	for (size_t i = 0; sep && i < o->n_grant; i++)
		if (!strncmp(o->grant[i], spec, n) &&
		    o->grant[i][n] == sep && o->grant[i][n + 1])
			return o->grant[i];
	return NULL;
}

/* Whether grant G binds a bare declaration of DECL (bare_binding). */
static bool binds_declared(const bn_strv *decl, const char *g)
{
	for (size_t i = 0; i < decl->n; i++) {
		bn_registry_install_opts one = { 0 };
		const char *const v[1] = { g };
		one.grant = v;
		one.n_grant = 1;
		if (bare_binding(&one, decl->v[i]))
			return true;
	}
	return false;
}

/* The one HTTP origin skill M declares (no wildcard), or NULL. */
static const char *one_origin(const bn_skill_manifest *m)
{
	const char *found = NULL;

	for (size_t i = 0; i < m->capabilities.n; i++) {
		const char *c = m->capabilities.v[i], *eq = strchr(c, '=');
		if (!eq || (strncmp(c, "http_get=", 9) &&
			    strncmp(c, "http_post=", 10)))
			continue;
		if (strchr(eq + 1, '*') || (found && strcmp(found, eq + 1)))
			return NULL;
		found = eq + 1;
	}
	return found;
}

/* The grants the database holds for skill NAME and BOT (NULL: the
   every-bot rows), each "cap" or "cap=scope", into OUT. */
static void grants_held(bn_strv *out, bn_store *s, const char *name,
			const char *bot)
{
	const char *who = bot ? bot : BN_STORE_GRANT_EVERY_BOT;
	bn_store_grant *v = NULL;
	size_t n = 0;

	if (bn_store_grant_list(&v, &n, s, name, NULL, bot, NULL))
		return;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].bot, who) || !strcmp(v[i].capability,
						      "limits"))
			continue;
		char *spec = *v[i].scope ? bn_xasprintf("%s=%s",
				v[i].capability, v[i].scope) :
			bn_xstrdup(v[i].capability);
		if (!bn_strv_has(out, spec))
			bn_strv_push(out, spec);
		free(spec);
	}
	bn_store_grants_free(v, n);
}

/* Declared SPEC in the form the database keeps (owned). */
static char *spec_canonical(const char *spec)
{
	const char *eq = strchr(spec, '=');
	bn_exec_cap c;
	char *norm = NULL, *out;

	if (!eq || !bn_exec_cap_parse(&c, spec, (size_t)(eq - spec)) ||
	    bn_exec_scope_normalize(&norm, c, eq + 1, NULL))
		return bn_xstrdup(spec);
	out = bn_xasprintf("%.*s=%s", (int)(eq - spec), spec, norm);
	free(norm);
	return out;
}

/* The grant of HELD that covers declared SPEC as it is, or NULL. */
static const char *kept_grant(const bn_strv *held, const char *spec)
{
	char *canon = spec_canonical(spec);
	const bn_strv one = { (char **)&spec, 1 };
	const char *found = NULL;

	for (size_t i = 0; i < held->n && !found; i++)
		if (!strcmp(held->v[i], spec) || !strcmp(held->v[i], canon) ||
		    binds_declared(&one, held->v[i]))
			found = held->v[i];
	free(canon);
	return found;
}

/*
 * An update of a skill installed before as OLD: every grant the database
 * holds (for O->bot) whose declared capability and scope are unchanged is
 * kept; a capability declared before and not granted stays so; a new one
 * (or a new scope) is granted only when named with --grant or accepted on
 * a terminal, never by --yes.  What was not granted goes to UNGRANTED for
 * the CLI to say.
 */
static void approve_update(bn_strv *granted, bn_strv *ungranted, bn_store *s,
			   const bn_skill_manifest *m,
			   const bn_registry_install_opts *o,
			   const bn_registry_lock_entry *old)
{
	const bn_strv *decl = &m->capabilities;
	bn_strv held = { 0 };

	grants_held(&held, s, m->name, o->bot);

	for (size_t i = 0; i < old->capabilities.n; i++)
		if (!bn_strv_has(decl, old->capabilities.v[i]))
			say(o, m->name, "capability removed: %s",
			    old->capabilities.v[i]);
	for (size_t i = 0; i < decl->n; i++) {
		const char *spec = decl->v[i], *keep = kept_grant(&held, spec);
		const char *bound = bare_binding(o, spec);
		const char *lacks = bn_registry_spec_lacks(spec);
		char cap[64];
		const char *scope;

		cap_split(cap, sizeof(cap), &scope, spec);
		bool before = bn_strv_has(&old->capabilities, spec);
		if (keep) {
			bn_strv_push(granted, keep);
			say(o, m->name, "capability %s: unchanged, the grant "
			    "is kept", keep);
		} else if (bound || (grant_named(o, spec) && !*lacks)) {
			bn_strv_push(granted, bound ? bound : spec);
			say(o, m->name, "capability %s: granted (--grant)",
			    bound ? bound : spec);
		} else if (*lacks == '=') {
			if (!before)
				bn_strv_push(ungranted, spec);
			say(o, m->name, "capability %s: not granted: the skill "
			    "declares it without a scope; name one with "
			    "`--grant %s%s`", spec, spec, lacks);
		} else if (before) {
			say(o, m->name, "capability %s: not granted before, "
			    "still not granted", spec);
		} else if (o->approve && !*lacks &&
			   o->approve(m->name, cap, scope, o->payload)) {
			bn_strv_push(granted, spec);
			say(o, m->name, "capability added: %s: granted", spec);
		} else {
			bn_strv_push(ungranted, spec);
			say(o, m->name, "capability added: %s: not granted",
			    spec);
		}
	}
	bn_strv_clear(&held);
}

static void approve(bn_strv *granted, const bn_skill_manifest *m,
		    const bn_registry_install_opts *o)
{
	const bn_strv *decl = &m->capabilities;
	bool asked_any = false;

	for (size_t i = 0; i < decl->n; i++) {
		char cap[64];
		const char *scope;
		bool ok;

		const char *b = bare_binding(o, decl->v[i]);
		const char *lacks = bn_registry_spec_lacks(decl->v[i]);

		cap_split(cap, sizeof(cap), &scope, decl->v[i]);
		if (b) {
			/* the user gave what a bare declaration lacks */
			bn_strv_push(granted, b);
			say(o, m->name, "capability %s: granted", b);
			continue;
		}
		if (*lacks == '=') {
			say(o, m->name, "capability %s: not granted: the skill "
			    "declares it without a scope; name one with "
			    "`--grant %s%s` (or later `bnity skill grant "
			    "%s %s%s`)", cap, cap, lacks, m->name, cap, lacks);
			continue;
		}
		/* a bare secret declaration is granted bound to an origin:
		   the skill's one HTTP origin, or none (the user names it) */
		char *bound = NULL;
		if (*lacks == '@') {
			/* the user gives the origin: on a terminal, by
			   accepting the skill's one HTTP origin shown in the
			   question; else with --grant */
			const char *origin = one_origin(m);
			if (!origin || !o->approve) {
				say(o, m->name, "capability get_secret scope "
				    "%s: not granted: a secret goes to one "
				    "origin you name; grant it with `--grant "
				    "get_secret=%s@%s`", scope, scope,
				    origin ? origin : "https://HOST");
				continue;
			}
			bound = bn_xasprintf("%s@%s", scope, origin);
		}
		const char *what = bound ? bound : scope;
		if (!bound && (o->yes || grant_named(o, decl->v[i]))) {
			ok = true;
		} else if (o->approve) {
			ok = o->approve(m->name, cap, what, o->payload);
			asked_any = true;
		} else {
			ok = false;
		}
		if (ok && bound) {
			char *spec = bn_xasprintf("get_secret=%s", bound);
			bn_strv_push(granted, spec);
			free(spec);
		} else if (ok) {
			bn_strv_push(granted, decl->v[i]);
		}
		say(o, m->name, "capability %s%s%s: %s%s", cap,
		    *what ? " scope " : "", what, ok ? "granted" :
		    "not granted", bound ? " (bound to the skill's one HTTP "
		    "origin)" : "");
		free(bound);
	}
	for (size_t i = 0; i < o->n_grant; i++) {
		bool found = false;
		for (size_t j = 0; j < decl->n && !found; j++) {
			char cap[64];
			const char *scope;
			cap_split(cap, sizeof(cap), &scope, decl->v[j]);
			found = !strcmp(o->grant[i], decl->v[j]) ||
				!strcmp(o->grant[i], cap) ||
				bare_binding(o, decl->v[j]) == o->grant[i];
		}
		if (!found)
			say(o, m->name, "--grant %s: not declared by the "
			    "skill, ignored", o->grant[i]);
	}
	if (decl->n && !o->yes && o->n_grant == 0 && !asked_any)
		say(o, m->name, "not on a terminal and neither --yes nor "
		    "--grant given: nothing was granted (grant later with "
		    "`bnity skill grant %s CAP`)", m->name);
}

/* The signature check: sets *tier; fails only for a bad signature. */
static int check_signature(const char **tier, const char *dir,
			   const char *name, const bn_registry_pubkey *keys,
			   size_t n_keys, const bn_registry_install_opts *o,
			   bn_err *err)
{
	char *path = bn_fs_join(dir, BN_REGISTRY_SIG_FILE);
	bn_buf listing = BN_BUF_INIT;
	char *sig = NULL, *trusted = NULL, id[17];
	size_t len, k = 0;
	bn_err e;
	int r;

	if (!bn_fs_is_file(path)) {
		free(path);
		return 0;
	}
	r = bn_fs_read_file(&sig, &len, path, SIG_MAX_BYTES, err);
	free(path);
	if (r)
		return r;
	r = bn_skill_tree_listing(&listing, dir, true, err);
	if (r)
		goto out;
	bn_err_init(&e);
	r = bn_registry_sig_verify(&trusted, &k, keys, n_keys,
				   listing.data ? listing.data : "",
				   listing.len, sig, &e);
	if (r == BN_ENOTFOUND) {
		say(o, name, "signature: %s; tier stays untrusted", e.msg);
		r = 0;
	} else if (r) {
		r = bn_err_set(err, r == BN_EINVAL ? BN_EINVAL : BN_EDENIED,
			       "skill '%s': %s: %s", name,
			       BN_REGISTRY_SIG_FILE, e.msg);
	} else {
		bn_registry_key_id_hex(id, keys[k].key_id);
		say(o, name, "signature: good, by trusted key %s (trusted "
		    "comment: %s)", id, trusted);
		*tier = "verified";
	}
out:
	free(trusted);
	free(sig);
	bn_buf_clear(&listing);
	return r;
}

static int build_if_needed(const char *dir, const bn_skill_manifest *m,
			   const bn_registry_install_opts *o, bn_err *err)
{
	char *wasm = bn_fs_join(dir, "skill.wasm");
	bn_buf log = BN_BUF_INIT;
	bool have = bn_fs_is_file(wasm);
	int built = 0, r = 0;

	free(wasm);
	if (m->type != BN_SKILL_TYPE_TOOL || have)
		return 0;
	say(o, m->name, "building skill.wasm from the sources, inside the "
	    "OS sandbox");
	r = bn_exec_build_confined(&built, dir, &log, err);
	bn_buf_clear(&log);
	if (r && o->force) {
		say(o, m->name, "build failed, installed without a module "
		    "(--force): %s", err ? err->msg : "");
		if (err)
			bn_err_init(err);
		return 0;
	}
	if (r)
		bn_err_prefix(err, "skill '%s': build", m->name);
	return r;
}

static void audit_install(bn_store *s, const bn_registry_lock_entry *e,
			  bool update, size_t findings)
{
	struct timeval tv;
	bn_store_install_new row = {
		.skill = e->name, .action = update ? "update" : "install",
		.source = e->source, .ref = e->ref, .tree_hash = e->hash,
		.tier = e->tier, .granted = &e->granted, .findings = findings,
	};

	gettimeofday(&tv, NULL);
	row.at_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	/* the record is a courtesy: an install never fails for it */
	(void)bn_store_install_log_add(s, &row, NULL);
}

/* GRANTED as a JSON array (new reference). */
static json_t *strv_json(const bn_strv *v)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

int bn_registry_audit_installs(json_t **out, bn_store *s, const char *skill,
			       int64_t since_ms, unsigned limit, bn_err *err)
{
	bn_store_install *v = NULL;
	size_t n = 0;
	json_t *a;
	int r = bn_store_install_log_list(&v, &n, s, skill, since_ms, limit,
					  err);

	if (r) {
		bn_err_prefix(err, "install audit");
		return r;
	}
	if (!(a = json_array())) {
		bn_store_installs_free(v, n);
		return bn_err_oom(err);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack(
			"{s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:I}",
			"id", (json_int_t)v[i].id,
			"at_ms", (json_int_t)v[i].at_ms,
			"skill", v[i].skill, "action", v[i].action,
			"source", v[i].source,
			"ref", v[i].ref ? json_string(v[i].ref) : json_null(),
			"hash", v[i].tree_hash, "tier", v[i].tier,
			"granted", strv_json(&v[i].granted),
			"findings", (json_int_t)v[i].findings));
	bn_store_installs_free(v, n);
	*out = a;
	return 0;
}

/* Write the grants of E after the commit; failures become notes. */
static void apply_grants(bn_store *s, const bn_skill_manifest *m,
			 const bn_strv *granted, const char *bot,
			 bool replace, const bn_registry_install_opts *o)
{
	if (replace)
		(void)bn_exec_grant_revoke(s, m->name, bot, "all", NULL, NULL);
	for (size_t i = 0; i < granted->n; i++) {
		bn_err e;
		bn_err_init(&e);
		if (bn_exec_grant_add(s, m, bot, granted->v[i], NULL, NULL, &e))
			say(o, m->name, "grant %s not written: %s",
			    granted->v[i], e.msg);
	}
}

typedef struct job {
	const bn_registry_ctx *ctx;
	const bn_registry_source *src;
	const bn_registry_candidates *all;
	const bn_registry_install_opts *o;
	const bn_registry_pubkey *keys;
	size_t n_keys;
	const char *scratch;
	struct batch *batch;       /* many skills: one lockfile write */
	bn_registry_progress *prog; /* how far the install has come */
} job;

/* A many-skill install reads the lockfile once and writes it once: per
   skill, 864 skills cost 864 reads and writes of the whole file.  Until
   the write, each skill's install marker (bn_registry_lock_sync) is what
   a crash leaves to complete its entry from. */
typedef struct batch {
	json_t *lock;                    /* as read, plus what was put */
	bn_registry_lock_entry *v;       /* entries to write */
	size_t n;
} batch;

/* Installed entry NAME into *OUT, from the batch when there is one. */
static int lock_entry(bn_registry_lock_entry *out, const job *j,
		      const char *name)
{
	const json_t *o;

	if (!j->batch)
		return bn_registry_lock_get(out, bn_store_home(j->ctx->store),
					    name, NULL);
	o = json_object_get(json_object_get(j->batch->lock, "skills"), name);
	return o ? bn_registry_lock_entry_from_json(out, name, o, NULL) :
		BN_ENOTFOUND;
}

/* Put entry E, now, or into the batch. */
static int lock_put(const job *j, const bn_registry_lock_entry *e,
		    bn_err *err)
{
	batch *b = j->batch;
	json_t *o;
	int r;

	if (!b)
		return bn_registry_lock_put(bn_store_home(j->ctx->store),
					    e->name, e, err);
	if (!(o = bn_registry_lock_entry_to_json(e)))
		return bn_err_oom(err);
	b->v = bn_xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
	r = bn_registry_lock_entry_from_json(&b->v[b->n], e->name, o, err);
	if (r == 0) {
		b->n++;
		json_object_set_new(json_object_get(b->lock, "skills"),
				    e->name, o);
	} else {
		json_decref(o);
	}
	return r;
}


static int stage(char **dest_out, const job *j, size_t i,
		 const bn_registry_candidate *c, const char *name,
		 bn_err *err)
{
	char *tag = bn_xasprintf("stage-%zu", i);
	char *parent = bn_fs_join(j->scratch, tag);
	char *dest = bn_fs_join(parent, name);
	int r = bn_fs_mkdirs(parent, err);

	free(tag);
	free(parent);
	if (!r && rename(c->dir, dest) < 0)
		r = bn_err_set(err, BN_EIO, "%s: %s", dest, strerror(errno));
	if (!r) {
		/* a skill at a repository's root: its history is not part
		   of it */
		char *git = bn_fs_join(dest, ".git");
		if (access(git, F_OK) == 0)
			r = bn_fs_rmtree(git, err);
		free(git);
	}
	if (r) {
		free(dest);
		return r;
	}
	*dest_out = dest;
	return 0;
}

/* MSG about a file in the staged folder DIR, naming the file relative to
   the skill ("SKILL.md:4: ...") rather than by its scratch path. */
static const char *in_skill(const char *msg, const char *dir)
{
	size_t n = strlen(dir);

	if (!strncmp(msg, dir, n) && msg[n] == '/')
		return msg + n + 1;
	return msg;
}

/* A declared capability that decides what the skill may do must parse:
   a known name, and an origin where one is due.  Leniency covers form,
   never trust. */
static int caps_ok(const bn_skill_manifest *m, bn_err *err)
{
	for (size_t i = 0; i < m->capabilities.n; i++) {
		const char *spec = m->capabilities.v[i];
		const char *eq = strchr(spec, '=');
		size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
		bn_exec_cap c;
		char *norm = NULL;

		if (!bn_exec_cap_parse(&c, spec, n))
			return bn_err_set(err, BN_EINVAL, "capability '%s' is "
					  "not one boternity knows", spec);
		if (eq && (c == BN_EXEC_CAP_HTTP_GET ||
			   c == BN_EXEC_CAP_HTTP_POST)) {
			bn_err e;
			bn_err_init(&e);
			if (bn_exec_scope_normalize(&norm, c, eq + 1, &e))
				return bn_err_set(err, BN_EINVAL,
						  "capability '%s': %s", spec,
						  e.msg);
			free(norm);
		}
	}
	return 0;
}

/* Show problem TEXT of skill NAME under LABEL and keep it in WARN. */
static void warn_of(bn_strv *warn, const job *j, const char *name,
		    const char *label, const char *text)
{
	say(j->o, name, "%s: %s", label, text);
	if (!bn_strv_has(warn, text))
		bn_strv_push(warn, text);
}

/*
 * The load of the staged folder DIR and the checks of its form, with the
 * strict rules run once.  The lenient loader's warnings are shown when
 * the strict rules find nothing (else they say the same things).  A
 * missing description and capabilities that cannot be parsed refuse.
 * The strict rules' errors refuse with --strict (unless --force); else
 * they are warnings about form.  What is shown is added to WARN.
 */
static int vet(bn_skill_manifest **m_out, bn_strv *warn, const job *j,
	       const char *dir, bn_err *err)
{
	bn_skill_report rep = { 0 }, strict = { 0 };
	int r = bn_skill_manifest_load(m_out, dir, &rep, err);
	bool valid = bn_skill_validate(&strict, dir);
	const bn_registry_install_opts *o = j->o;

	for (size_t k = 0; r == 0 && valid && k < rep.warnings.n; k++)
		warn_of(warn, j, (*m_out)->name, "warning",
			in_skill(rep.warnings.v[k], dir));
	if (r == 0 && (!(*m_out)->description || !*(*m_out)->description))
		r = bn_err_set(err, BN_EINVAL, "SKILL.md has no description: "
			       "an agent could not tell when to use it");
	if (r == 0)
		r = caps_ok(*m_out, err);
	for (size_t k = 0; r == 0 && !valid && k < strict.errors.n; k++)
		if (!o->strict || o->force)
			warn_of(warn, j, (*m_out)->name, o->strict ?
				"invalid (installed anyway, --force)" :
				"warning (format)",
				in_skill(strict.errors.v[k], dir));
	if (r == 0 && !valid && o->strict && !o->force)
		r = bn_err_set(err, BN_EINVAL,
			"skill '%s' is not valid: %s%s", (*m_out)->name,
			in_skill(strict.errors.v[0], dir),
			strict.errors.n > 1 ?
			" (and more; --force installs it anyway)" :
			" (--force installs it anyway)");
	bn_skill_report_clear(&rep);
	bn_skill_report_clear(&strict);
	return r;
}

/* Scan DIR, telling each finding: *N_OUT findings, *SCRIPTS_OUT files
   that look like scripts. */
static void scan_report(size_t *n_out, size_t *scripts_out, const char *dir,
			const char *name, const job *j)
{
	bn_registry_findings f = { 0 };
	bn_err e;

	bn_err_init(&e);
	if (bn_registry_scan_dir(&f, dir, &e) != 0)
		say(j->o, name, "scan: %s", e.msg);
	for (size_t k = 0; k < f.n; k++)
		say(j->o, name, "scan: %s:%u: %s: %s", f.v[k].file,
		    f.v[k].line, bn_registry_finding_kind_name(f.v[k].kind),
		    f.v[k].what);
	if (f.omitted)
		say(j->o, name, "scan: %zu more matching lines not shown",
		    f.omitted);
	if (f.n == 0)
		say(j->o, name, "scan: no findings");
	*n_out = f.n;
	*scripts_out = f.scripts;
	j->prog->files += f.files;
	j->prog->bytes += f.bytes;
	bn_registry_findings_clear(&f);
}

/* The lockfile entry of candidate C, installed as M with these hashes. */
static void fill_entry(bn_registry_lock_entry *e, const job *j,
		       const bn_registry_candidate *c,
		       const bn_skill_manifest *m, const char *hash,
		       const char *src_hash, const char *tier)
{
	e->name = bn_xstrdup(m->name);
	e->source = source_again(j->src, c);
	e->source_type = bn_xstrdup(
		bn_registry_source_kind_name(j->src->kind));
	e->ref = c->ref ? bn_xstrdup(c->ref) : c->digest ?
		bn_xstrdup(c->digest) : j->all->resolved_ref ?
		bn_xstrdup(j->all->resolved_ref) : NULL;
	e->path = c->path ? bn_xstrdup(c->path) : NULL;
	e->hash = bn_xstrdup(hash);
	e->source_hash = bn_xstrdup(src_hash);
	e->tier = bn_xstrdup(tier);
	e->version = m->version ? bn_xstrdup(m->version) : NULL;
	for (size_t k = 0; k < m->capabilities.n; k++)
		bn_strv_push(&e->capabilities, m->capabilities.v[k]);
	e->installed_at = (long long)time(NULL);
}

/*
 * The commit point and what follows it: the store takes DEST (with a
 * marker holding E), then grants, the lockfile entry and the audit row.
 */
static int commit(const job *j, const char *dest, const bn_skill_manifest *m,
		  bn_registry_lock_entry *e, const bn_registry_lock_entry *old,
		  bool replace, size_t findings, size_t scripts,
		  bn_registry_installed *x, bn_err *err)
{
	bn_store *s = j->ctx->store;
	json_t *marker = json_pack("{s:o, s:s*}", "lock",
				   bn_registry_lock_entry_to_json(e), "bot",
				   j->o->bot);
	/* the approved grants go into the database with the install in
	   flight: after a crash they come from there, not from the marker */
	bn_store_install_opts so = { e->tier, e->source, marker, replace,
				     &e->granted, j->o->bot };
	int r;

	if (!marker)
		return bn_err_oom(err);
	r = bn_store_skill_install(s, dest, &so, err);
	json_decref(marker);
	if (r)
		return r;
	apply_grants(s, m, &e->granted, j->o->bot, replace, j->o);
	if (j->o->n_agents || (old && old->n_copies)) {
		char *dir = bn_fs_join(bn_store_skills_dir(s), m->name);
		bn_registry__agent_copies(e, x, dir, old, scripts, j->o);
		free(dir);
	}
	bn_fault("install-before-lock");
	/* a batch writes the lockfile, then marks the grants done, at its
	   end */
	if ((r = lock_put(j, e, err)) ||
	    (!j->batch && (r = bn_store_skill_grants_done(s, m->name, err))))
		return r;
	audit_install(s, e, replace, findings);
	return 0;
}

static bn_registry_installed *result_new(bn_registry_install_result *res,
					 const char *name)
{
	bn_registry_installed *out;

	res->v = bn_xrealloc(res->v, (res->n + 1) * sizeof(*res->v));
	out = &res->v[res->n++];
	memset(out, 0, sizeof(*out));
	out->name = bn_xstrdup(name);
	return out;
}

void bn_registry__result_skip(bn_registry_install_result *res,
			      const bn_registry_install_opts *o,
			      const char *name, const char *why)
{
	result_new(res, name)->skipped = bn_xstrdup(why);
	say(o, name, "skipped: %s", why);
}

static bn_registry_installed *result_add(bn_registry_install_result *res,
					 const bn_registry_lock_entry *e,
					 bool changed, bn_strv *warn)
{
	bn_registry_installed *out = result_new(res, e->name);

	out->tier = bn_xstrdup(e->tier);
	out->hash = bn_xstrdup(e->hash);
	out->changed = changed;
	if (e->original_name)
		out->original_name = bn_xstrdup(e->original_name);
	for (size_t k = 0; k < e->granted.n; k++)
		bn_strv_push(&out->granted, e->granted.v[k]);
	out->warnings = *warn;
	memset(warn, 0, sizeof(*warn));
	return out;
}

/* X takes what AX says of agent copies. */
static void agents_told(bn_registry_installed *x, bn_registry_installed *ax)
{
	x->agent_copies = ax->agent_copies;
	x->agent_refused = ax->agent_refused;
	memset(&ax->agent_copies, 0, sizeof(ax->agent_copies));
	memset(&ax->agent_refused, 0, sizeof(ax->agent_refused));
}

/* Skill E, installed in DIR and unchanged, gets the agent copies asked
   for now (and fresh ones of those it had), and its entry the record. */
static int copies_again(const job *j, bn_registry_lock_entry *e,
			const char *dir, bn_registry_installed *ax,
			bn_err *err)
{
	bn_registry_lock_entry prev = { 0 };
	bn_registry_findings f = { 0 };

	prev.copies = e->copies;
	prev.n_copies = e->n_copies;
	e->copies = NULL;
	e->n_copies = 0;
	(void)bn_registry_scan_dir(&f, dir, NULL);
	bn_registry__agent_copies(e, ax, dir, &prev, f.scripts, j->o);
	bn_registry_findings_clear(&f);
	bn_registry_lock_entry_clear(&prev);
	return lock_put(j, e, err);
}

/* The store name of manifest M (owned): its name, or the slug of it
   unless --strict; the original goes to *ORIGINAL (owned) when changed. */
static int store_name(char **out, char **original, const job *j,
		      const bn_skill_manifest *m, bn_err *err)
{
	*original = NULL;
	if (bn_skill_name_is_slug(m->name)) {
		*out = bn_xstrdup(m->name);
		return 0;
	}
	if (j->o->strict) {
		/* the strict rules refuse it, naming the line; only a name
		   that cannot even be a scratch folder stops here */
		if (!bn_registry__rel_ok(m->name) || strchr(m->name, '/'))
			return bn_err_set(err, BN_EINVAL, "skill name '%s' "
					  "cannot be a store folder", m->name);
		*out = bn_xstrdup(m->name);
		return 0;
	}
	*out = bn_skill_name_slug(m->name);
	*original = bn_xstrdup(m->name);
	say(j->o, *out, "name '%s' is not a store name: installed as '%s' "
	    "(the original is kept as its display name)", m->name, *out);
	return 0;
}

/* The hash a restore pins for the skill installed as NAME (named
   ORIGINAL by its source, or NULL), or NULL. */
static const char *pinned_hash(const bn_registry_install_opts *o,
			       const char *name, const char *original)
{
	const char *pin = NULL;

	for (size_t i = 0; o->expect_hash && i < o->n_only && !pin; i++) {
		char *slug = bn_skill_name_slug(o->only[i]);
		if (!strcmp(slug, name) ||
		    (original && !strcmp(o->only[i], original)))
			pin = o->expect_hash[i];
		free(slug);
	}
	return pin && *pin ? pin : NULL;
}

/* Install candidate C.  TAKEN holds the store names this run installed;
   a second skill with one of them is refused as a collision. */
static int install_one(bn_registry_install_result *res, const job *j,
		       size_t idx, const bn_registry_candidate *c,
		       bn_strv *taken, bn_err *err)
{
	const bn_registry_install_opts *o = j->o;
	bn_store *s = j->ctx->store;
	bn_registry_lock_entry old = { 0 }, e = { 0 };
	bn_skill_manifest *m = NULL;
	bn_strv warn = { 0 }, ungranted = { 0 };
	char src_hash[72], hash[72], *dest = NULL, *final = NULL;
	char *name = NULL, *original = NULL;
	const char *tier;
	size_t findings = 0, scripts = 0;
	bn_registry_installed ax = { 0 };   /* what became of agent copies */
	bool exists;
	int r;

	bn_err e0;
	bn_err_init(&e0);
	if ((r = bn_skill_manifest_load(&m, c->dir, NULL, &e0))) {
		/* "SKILL.md: ...", not the scratch folder it was fetched to */
		return bn_err_set(err, r, "%s: %s", c->path ? c->path : c->name,
				  in_skill(e0.msg, c->dir));
	}
	if ((r = store_name(&name, &original, j, m, err)))
		goto out;
	if (o->expect_name && strcmp(o->expect_name, name) != 0)
		goto out;                  /* update: another skill */
	if (bn_strv_has(taken, name)) {
		r = bn_err_set(err, BN_EEXIST, "another skill of this source "
			       "was installed as '%s' already: a name "
			       "collision", name);
		goto out;
	}
	if ((r = stage(&dest, j, idx, c, name, err)))
		goto out;
	if (original && (r = bn_skill_manifest_rename(dest, name, err)))
		goto out;
	bn_skill_manifest_free(m);
	m = NULL;
	if ((r = vet(&m, &warn, j, dest, err)))
		goto out;
	if ((r = bn_skill_tree_hash(src_hash, dest, err)))
		goto out;
	const char *pin = pinned_hash(o, name, original);
	if (pin && strcmp(pin, src_hash)) {
		r = bn_err_set(err, BN_EINVAL, "its files hash to %s, not to "
			       "%s as skills-lock.json pins", src_hash, pin);
		goto out;
	}
	final = bn_fs_join(bn_store_skills_dir(s), m->name);
	exists = bn_fs_is_dir(final);
	if (exists)
		(void)lock_entry(&old, j, m->name);
	if (exists && !o->update && !o->force && old.source_hash &&
	    !strcmp(old.source_hash, src_hash) && old.hash &&
	    bn_store_skill_verify(s, m->name, NULL, NULL) == 0) {
		/* re-running an install is not a failure */
		say(o, m->name, "already installed with the same content "
		    "(%s)", src_hash);
		if (o->n_agents && (r = copies_again(j, &old, final, &ax,
						     err)))
			goto out;
		bn_strv_push(taken, m->name);
		agents_told(result_add(res, &old, false, &warn), &ax);
		goto out;
	}
	if (exists && !o->update && !o->force) {
		r = bn_err_set(err, BN_EEXIST, "a different skill '%s' is "
			       "already installed (`bnity skill update %s`, or "
			       "--force to replace it)", m->name, m->name);
		goto out;
	}
	if (o->update && old.source_hash &&
	    !strcmp(old.source_hash, src_hash) && !o->force) {
		if (bn_registry_verify(s, m->name, NULL) == 0) {
			say(o, m->name, "already up to date (%s)", src_hash);
			goto out;
		}
		/* the source's copy is the pinned one: it replaces the
		   store copy someone changed */
		say(o, m->name, "the store copy changed since it was "
		    "installed: restoring it from the source (%s)", src_hash);
	}
	if (exists && old.source_hash && strcmp(old.source_hash, src_hash))
		say(o, m->name, "content changed: %s -> %s", old.source_hash,
		    src_hash);
	else if (exists)
		say(o, m->name, "replacing the installed copy (%s)", src_hash);
	scan_report(&findings, &scripts, dest, m->name, j);
	tier = j->src->kind == BN_REGISTRY_SRC_LOCAL && o->local ? "local" :
		"untrusted";
	if ((r = check_signature(&tier, dest, m->name, j->keys, j->n_keys, o,
				 err)))
		goto out;
	say(o, m->name, "tier: %s", tier);
	/* An update keeps or re-asks; a forced reinstall asks afresh. */
	if (exists && o->update && old.name)
		approve_update(&e.granted, &ungranted, s, m, o, &old);
	else
		approve(&e.granted, m, o);
	if ((r = build_if_needed(dest, m, o, err)))
		goto out;
	if ((r = bn_skill_tree_hash(hash, dest, err)))
		goto out;
	fill_entry(&e, j, c, m, hash, src_hash, tier);
	if (original)
		e.original_name = bn_xstrdup(original);
	if ((r = commit(j, dest, m, &e, exists ? &old : NULL, exists,
			findings, scripts, &ax, err)))
		goto out;
	bn_strv_push(taken, m->name);
	{
		bn_registry_installed *x = result_add(res, &e, true, &warn);

		x->ungranted = ungranted;
		memset(&ungranted, 0, sizeof(ungranted));
		agents_told(x, &ax);
	}
out:
	bn_strv_clear(&ax.agent_copies);
	bn_strv_clear(&ax.agent_refused);
	if (r)
		bn_err_prefix(err, "install of '%s' refused", name ? name :
			      m ? m->name : c->name);
	bn_strv_clear(&warn);
	bn_strv_clear(&ungranted);
	bn_registry_lock_entry_clear(&old);
	bn_registry_lock_entry_clear(&e);
	bn_skill_manifest_free(m);
	free(name);
	free(original);
	free(dest);
	free(final);
	return r;
}

static void tell(const bn_registry_ctx *ctx, const bn_registry_progress *p)
{
	if (ctx->on_progress)
		ctx->on_progress(p, ctx->progress_payload);
}

static bool selected(const bn_registry_install_opts *o,
		     const bn_registry_candidate *c)
{
	bn_skill_manifest *m = NULL;
	bool yes = false;

	if (o->n_only == 0)
		return true;
	for (size_t i = 0; i < o->n_only && !yes; i++)
		yes = !strcmp(o->only[i], c->name);
	if (!yes && bn_skill_manifest_load(&m, c->dir, NULL, NULL) == 0) {
		char *slug = bn_skill_name_slug(m->name);
		for (size_t i = 0; i < o->n_only && !yes; i++)
			yes = !strcmp(o->only[i], m->name) ||
			      !strcmp(o->only[i], slug);
		free(slug);
		bn_skill_manifest_free(m);
	}
	return yes;
}

static int choose(size_t **pick, size_t *n_pick,
		  const bn_registry_candidates *c,
		  const bn_registry_install_opts *o, const char *source,
		  bn_err *err)
{
	size_t *v = bn_xcalloc(c->n ? c->n : 1, sizeof(*v)), n = 0;
	bn_buf names = BN_BUF_INIT;

	for (size_t i = 0; i < c->n; i++)
		if (selected(o, &c->v[i]))
			v[n++] = i;
	if (n == 0 || (n > 1 && o->n_only == 0 && !o->all && !o->update)) {
		for (size_t i = 0; i < c->n && i < 30; i++)
			(void)bn_buf_printf(&names, "%s%s", i ? ", " : "",
					    c->v[i].name);
		free(v);
		int r = n == 0 ?
			bn_err_set(err, BN_ENOTFOUND,
				   "%s has no skill named as asked (it has: %s)",
				   source, bn_buf_cstr(&names)) :
			bn_err_set(err, BN_EUSAGE,
				   "%s has %zu skills (%s): choose with --skill "
				   "NAME, or --all", source, n,
				   bn_buf_cstr(&names));
		bn_buf_clear(&names);
		return r;
	}
	*pick = v;
	*n_pick = n;
	return 0;
}

int bn_registry_install(bn_registry_install_result *out,
			const bn_registry_ctx *ctx_in, const char *source,
			const bn_registry_install_opts *o, bn_err *err)
{
	bn_registry_ctx ctx = *ctx_in;
	bn_registry_candidates c = { 0 };
	bn_registry_install_result res = { 0 };
	bn_registry_source src;
	bn_registry_pubkey *keys = NULL;
	size_t n_keys = 0, *pick = NULL, n_pick = 0;
	char *scratch = NULL, *fetch_dir = NULL;
	int r = bn_registry_source_parse(&src, source, err);

	if (r)
		return r;
	/* owner/repo@skill names the one skill --skill would */
	bn_registry_install_opts with_skill = *o;
	const char *const at_skill[1] = { src.skill };
	if (src.skill && o->n_only == 0) {
		with_skill.only = at_skill;
		with_skill.n_only = 1;
		o = &with_skill;
	}
	/* An update matches by the manifest's name, not the folder's. */
	ctx.only = o->update ? NULL : o->only;
	ctx.n_only = o->update ? 0 : o->n_only;
	if ((r = bn_store_scratch_new(&scratch, ctx.store, err)))
		goto out;
	fetch_dir = bn_fs_join(scratch, "fetch");
	if ((r = bn_fs_mkdirs(fetch_dir, err)))
		goto out;
	if ((r = bn_registry_source_fetch(&c, &ctx, &src, fetch_dir, err)))
		goto out;
	bn_fault("install-after-fetch");
	if ((r = choose(&pick, &n_pick, &c, o, source, err)))
		goto out;
	if ((r = bn_registry_keys_load(&keys, &n_keys, ctx.store, err)))
		goto out;
	{
		/* one skill's failure is that install's; of many, each is
		   installed or skipped with its reason */
		bool many = n_pick > 1 || o->all;
		batch b = { 0 };
		bn_registry_progress prog = { .phase = "installing",
					      .skills_total = n_pick };
		job j = { &ctx, &src, &c, o, keys, n_keys, scratch, NULL,
			  &prog };
		bn_strv taken = { 0 };
		if (many && (r = bn_registry_lock_load(&b.lock,
				bn_store_home(ctx.store), err)) == 0)
			j.batch = &b;
		for (size_t i = 0; r == 0 && i < n_pick; i++) {
			bn_err e1;
			bn_err_init(&e1);
			prog.skills_done = i;
			prog.current = c.v[pick[i]].name;
			tell(&ctx, &prog);
			r = install_one(&res, &j, i, &c.v[pick[i]], &taken,
					many ? &e1 : err);
			if (r && many) {
				bn_registry__result_skip(&res, o,
					c.v[pick[i]].name, e1.msg);
				r = 0;
			}
		}
		bn_strv_clear(&taken);
		prog.skills_done = n_pick;
		prog.current = NULL;
		tell(&ctx, &prog);
		if (b.n && (r = bn_registry_lock_put_many(
				bn_store_home(ctx.store), b.v, b.n, err)))
			bn_err_prefix(err, "the skills are installed; "
				      "skills-lock.json was not written (the "
				      "next bnity run completes it)");
		for (size_t i = 0; r == 0 && i < b.n; i++)
			r = bn_store_skill_grants_done(ctx.store, b.v[i].name,
						       err);
		for (size_t i = 0; i < b.n; i++)
			bn_registry_lock_entry_clear(&b.v[i]);
		free(b.v);
		json_decref(b.lock);
	}
out:
	bn_store_scratch_remove(ctx.store, scratch);
	free(scratch);
	free(fetch_dir);
	free(pick);
	free(keys);
	bn_registry_candidates_clear(&c);
	bn_registry_source_clear(&src);
	if (r && res.n == 0) {
		bn_registry_install_result_clear(&res);
		return r;
	}
	*out = res;
	return r;
}

int bn_registry_verify(bn_store *s, const char *name, bn_err *err)
{
	bn_registry_lock_entry e = { 0 };
	char hash[72], *dir;
	int r = bn_registry_lock_get(&e, bn_store_home(s), name, err);

	if (r)
		return r;
	dir = bn_fs_join(bn_store_skills_dir(s), name);
	if (!bn_fs_is_dir(dir)) {
		r = bn_err_set(err, BN_ENOTFOUND, "skill '%s' is in "
			       "skills-lock.json but not in the store (%s)",
			       name, dir);
	} else if ((r = bn_skill_tree_hash(hash, dir, err)) == 0 &&
		   (!e.hash || strcmp(hash, e.hash) != 0)) {
		r = bn_err_set(err, BN_EINVAL, "skill '%s' changed since it "
			       "was installed: its files hash to %s, "
			       "skills-lock.json says %s", name, hash,
			       e.hash ? e.hash : "nothing");
	}
	/* and what the store recorded: hash, tier (the marker decides
	   nothing, but an edited one is reported) */
	if (r == 0)
		r = bn_store_skill_verify(s, name, e.tier, err);
	/* and each copy bnity made for an agent */
	for (size_t i = 0; r == 0 && i < e.n_copies; i++) {
		const bn_registry_agent_copy *c = &e.copies[i];
		if (!bn_fs_is_dir(c->path))
			r = bn_err_set(err, BN_EINVAL, "skill '%s': the copy "
				       "for %s at %s is gone", name, c->agent,
				       c->path);
		else if ((r = bn_skill_tree_hash(hash, c->path, err)) == 0 &&
			 strcmp(hash, c->hash) != 0)
			r = bn_err_set(err, BN_EINVAL, "skill '%s': the copy "
				       "for %s at %s changed since bnity made "
				       "it: its files hash to %s, not %s",
				       name, c->agent, c->path, hash, c->hash);
	}
	free(dir);
	bn_registry_lock_entry_clear(&e);
	return r;
}

/* Whether lockfile entry HAVE records the install marker entry LE of
   skill NAME: installed at the same time, and naming the marker's hash
   or the store's record (a rebuild moves the record and the lockfile,
   not the marker).  installedAt counts seconds, so two installs in one
   second (an update through another home that shares the database, a
   forced reinstall) differ by their hash alone. */
static bool same_install(bn_store *s, const char *name, const json_t *have,
			 const json_t *le)
{
	const char *had, *hash;
	char rec[BN_SKILL_TREE_HASH_SIZE];

	if (!have || !json_equal(json_object_get(have, "installedAt"),
				 json_object_get(le, "installedAt")))
		return false;
	had = json_string_value(json_object_get(have, "computedHash"));
	hash = json_string_value(json_object_get(le, "computedHash"));
	if (!had || !hash || !strcmp(had, hash))
		return true;
	return bn_store_skill_identity(rec, s, name, NULL, NULL) == 0 &&
	       !strcmp(had, rec);
}

/*
 * Finish what an install of DIR that died after its commit left undone:
 * the grants it approved, from the database (the store kept them with the
 * install), and its lockfile entry, from the marker when the lockfile
 * lacks it.  The marker's own "granted" list is never believed: anyone
 * who can write to the folder can edit it; the entry gets the database's.
 */
static int sync_one(bn_store *s, const json_t *lock, const char *dir,
		    bn_err *err)
{
	char *path = bn_fs_join(dir, BN_REGISTRY_MARKER_FILE), *text = NULL;
	bn_registry_lock_entry e = { 0 };
	bn_skill_manifest *m = NULL;
	bn_strv granted = { 0 };
	char *bot = NULL;
	const json_t *have, *le;
	json_t *j = NULL;
	bool pending = false;
	size_t len;
	int r = 0;

	if (bn_skill_manifest_load(&m, dir, NULL, NULL) != 0 ||
	    (r = bn_store_skill_grants_pending(&granted, &bot, &pending, s,
					       m->name, err)))
		goto out;
	for (size_t i = 0; i < granted.n; i++)
		(void)bn_exec_grant_add(s, m, bot, granted.v[i], NULL, NULL,
					NULL);
	if (bn_fs_read_file(&text, &len, path, 1 << 20, NULL) == 0)
		j = json_loadb(text, len, 0, NULL);
	le = json_object_get(j, "lock");
	have = json_object_get(json_object_get(lock, "skills"), m->name);
	if (json_is_object(le) && !same_install(s, m->name, have, le)) {
		if ((r = bn_registry_lock_entry_from_json(&e, m->name, le,
							  err)))
			goto out;
		bn_strv_clear(&e.granted);
		for (size_t i = 0; i < granted.n; i++)
			bn_strv_push(&e.granted, granted.v[i]);
		if ((r = bn_registry_lock_put(bn_store_home(s), m->name, &e,
					      err)))
			goto out;
	}
	if (pending)
		r = bn_store_skill_grants_done(s, m->name, err);
out:
	bn_registry_lock_entry_clear(&e);
	bn_skill_manifest_free(m);
	bn_strv_clear(&granted);
	free(bot);
	free(text);
	free(path);
	json_decref(j);
	return r;
}

int bn_registry_lock_sync(bn_store *s, bn_err *err)
{
	DIR *d = opendir(bn_store_skills_dir(s));
	struct dirent *de;
	json_t *lock;
	int r = bn_registry_lock_load(&lock, bn_store_home(s), err);

	if (r || !d) {
		if (d)
			closedir(d);
		json_decref(r ? NULL : lock);
		return r ? r : bn_err_set(err, BN_EIO, "%s: %s",
					  bn_store_skills_dir(s),
					  strerror(errno));
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		char *dir;
		if (de->d_name[0] == '.')
			continue;
		dir = bn_fs_join(bn_store_skills_dir(s), de->d_name);
		r = sync_one(s, lock, dir, err);
		free(dir);
	}
	closedir(d);
	/* Entries boternity wrote for skills since removed from the store. */
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(lock, "skills"), k, v) {
		char *dir;
		if (r || !json_object_get(v, "tier") ||
		    !bn_registry__rel_ok(k) || strchr(k, '/'))
			continue;
		dir = bn_fs_join(bn_store_skills_dir(s), k);
		if (!bn_fs_is_dir(dir))
			r = bn_registry_lock_put(bn_store_home(s), k, NULL, err);
		free(dir);
	}
	json_decref(lock);
	return r;
}
