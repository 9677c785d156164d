/* SPDX-License-Identifier: MIT */
/*
 * server/routes_registry.c - the registry module over HTTP: search the
 * registries, preview what installing a source would ask for (each
 * declared capability with its scope, the static scan's findings, the
 * tier), install with exactly the capabilities the user approved, and
 * list the trusted signing keys; check installed skills against their
 * sources (updates) and their lockfile entries (verify), update one
 * granting only the new capabilities approved, and repair one.
 *
 * A preview fetches the source into a scratch folder of the store and
 * removes it afterwards; the install then runs registry/'s whole pipeline
 * (which fetches again: what is installed is what the pipeline vetted,
 * never what the preview saw).  Approval is by the exact "cap[=scope]"
 * strings the client sends; nothing else is granted.
 */
#include "server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "registry/registry.h"

#define APPROVE_MAX 64        /* capabilities approved in one install */
#define SIG_MAX_BYTES 4096    /* a skill.minisig */

/* A registry context on the request's store; false after replying. */
static bool ctx_open(bn_server_req *rq, bn_registry_ctx *ctx,
		     bn_registry_config *cfg, bn_strv *notes)
{
	bn_store *s;
	bn_err err;

	if (!(s = bn_server__begin(rq, &err)))
		return false;
	if (bn_registry_config_load(cfg, rq->srv->home, &err)) {
		bn_server__fail_err(rq, &err);
		return false;
	}
	memset(ctx, 0, sizeof(*ctx));
	ctx->store = s;
	ctx->cfg = cfg;
	ctx->notes = notes;
	/* its own disk only below --install-root, opened in one step */
	ctx->disk_confined = true;
	ctx->disk_root = rq->srv->opts.install_root;
	return true;
}

/* What ctx_open made. */
static void ctx_close(bn_registry_config *cfg, bn_strv *notes)
{
	bn_strv_clear(notes);
	bn_registry_config_clear(cfg);
}

/* Reply STATUS with O and the registry's NOTES in it. */
static void reply_noted(bn_server_req *rq, unsigned status, json_t *o,
			const bn_strv *notes)
{
	json_object_set_new(o, "notes", bn_view_strv_json(notes));
	bn_server__reply(rq, status, o);
}

/* GET ?q=QUERY&registry=NAME */
void bn_server__registry_search(bn_server_req *rq)
{
	const char *q = bn_server__query(rq, "q"),
		   *reg = bn_server__query(rq, "registry");
	bn_registry_config cfg = { 0 };
	bn_registry_hits hits = { 0 };
	bn_registry_ctx ctx;
	bn_strv notes = { 0 };
	json_t *a;
	bn_err err;
	size_t i;

	if (!bn_server__need(rq, false, q, "give ?q=WORDS"))
		return;
	if (!ctx_open(rq, &ctx, &cfg, &notes))
		return;
	bn_err_init(&err);
	if (bn_registry_search(&hits, &ctx, reg, q, &err)) {
		bn_server__fail_err(rq, &err);
		goto out;
	}
	a = json_array();
	for (i = 0; i < hits.n; i++)
		json_array_append_new(a, bn_view_hit_json(&hits.v[i]));
	reply_noted(rq, MHD_HTTP_OK, json_pack("{s:o}", "results", a), &notes);
out:
	bn_registry_hits_clear(&hits);
	ctx_close(&cfg, &notes);
}

/* ---- preview ---------------------------------------------------------------- */

/* The tier the pipeline would give DIR: "verified" when its signature is
   good by a trusted key, else "local" for a local folder installed with
   LOCAL, else "untrusted".  A bad signature is reported, not hidden. */
static const char *preview_tier(json_t *o, const bn_registry_source *src,
				bool local, const char *dir, bn_store *s)
{
	char *path = bn_fs_join(dir, BN_REGISTRY_SIG_FILE), *sig = NULL;
	bn_registry_pubkey *keys = NULL;
	bn_buf listing = BN_BUF_INIT;
	const char *tier = src->kind == BN_REGISTRY_SRC_LOCAL && local ?
			   "local" : "untrusted";
	size_t n_keys = 0, len;
	bn_err e;

	bn_err_init(&e);
	if (!bn_fs_is_file(path))
		goto out;
	if (bn_fs_read_file(&sig, &len, path, SIG_MAX_BYTES, &e) ||
	    bn_skill_tree_listing(&listing, dir, true, &e) ||
	    bn_registry_keys_load(&keys, &n_keys, s, &e) ||
	    bn_registry_sig_verify(NULL, NULL, keys, n_keys,
				   listing.data ? listing.data : "",
				   listing.len, sig, &e))
		json_object_set_new(o, "signature", json_string(e.msg));
	else
		tier = "verified";
out:
	free(path);
	free(sig);
	free(keys);
	bn_buf_clear(&listing);
	return tier;
}

static json_t *caps_json(const bn_strv *caps)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < caps->n; i++) {
		const char *spec = caps->v[i], *eq = strchr(spec, '=');
		json_t *c = json_object();
		json_object_set_new(c, "spec", json_string(spec));
		json_object_set_new(c, "capability", eq ?
			json_stringn(spec, (size_t)(eq - spec)) :
			json_string(spec));
		json_object_set_new(c, "scope", json_string(eq ? eq + 1 : ""));
		json_array_append_new(a, c);
	}
	return a;
}

static json_t *findings_json(const char *dir)
{
	bn_registry_findings f = { 0 };
	bn_err e;
	int r;
	json_t *a;

	bn_err_init(&e);
	r = bn_registry_scan_dir(&f, dir, &e);
	a = bn_registry_findings_json(&f);
	if (r) {
		json_t *k = json_object();
		json_object_set_new(k, "kind", json_string("scan-failed"));
		json_object_set_new(k, "what", json_string(e.msg));
		json_array_insert_new(a, 0, k);
	}
	bn_registry_findings_clear(&f);
	return a;
}

/* What one candidate of the source would ask for. */
static json_t *candidate_json(const bn_registry_candidate *c,
			      const bn_registry_source *src, bool local,
			      bn_store *s)
{
	bn_skill_manifest *m = NULL;
	bn_skill_report rep = { 0 }, strict = { 0 };
	json_t *o = json_object();
	bn_err e;

	/* the strict rules without the folder-name one: the fetched
	   folder's name is the fetcher's, not the skill's */
	bn_err_init(&e);
	json_object_set_new(o, "name", json_string(c->name));
	if (bn_skill_manifest_load(&m, c->dir, &rep, &e)) {
		json_object_set_new(o, "error", json_string(e.msg));
		bn_skill_report_clear(&rep);
		return o;
	}
	if (!bn_skill_name_is_slug(m->name)) {
		char *slug = bn_skill_name_slug(m->name);

		json_object_set_new(o, "install_as", json_string(slug));
		free(slug);
	}
	/* what the install will show as warnings: the strict rules'
	   errors, else the lenient loader's own warnings */
	json_object_set_new(o, "warnings", bn_view_strv_json(
		bn_skill_validate_ex(&strict, c->dir,
				     BN_SKILL_VALIDATE_ANY_FOLDER) ?
		&rep.warnings : &strict.errors));
	bn_skill_report_clear(&rep);
	bn_skill_report_clear(&strict);
	json_object_set_new(o, "description", json_string(m->description));
	json_object_set_new(o, "type", json_string(bn_skill_type_name(m->type)));
	json_object_set_new(o, "version", m->version ? json_string(m->version)
			    : json_null());
	json_object_set_new(o, "capabilities", caps_json(&m->capabilities));
	json_object_set_new(o, "findings", findings_json(c->dir));
	json_object_set_new(o, "tier", json_string(
		preview_tier(o, src, local, c->dir, s)));
	bn_skill_manifest_free(m);
	return o;
}

/* Whether SOURCE may be read by this server: a source on its own disk
   only below its install root (disk.c).  False after replying 403. */
static bool source_allowed(bn_server_req *rq, const char *source)
{
	bn_registry_source src;
	bool ok;
	bn_err e;

	bn_err_init(&e);
	if (bn_registry_source_parse(&src, source, &e))
		return true;              /* the install says what is wrong */
	ok = bn_server__disk_ok(rq, bn_registry_source_disk_path(&src), source);
	bn_registry_source_clear(&src);
	return ok;
}

/* {"source", "skill"?, "local"?}: read the body shared with install. */
static bool source_args(bn_server_req *rq, const char **source,
			const char **skill, bool *local)
{
	bool bad = false;
	json_t *l = json_object_get(rq->body, "local");

	*source = bn_server__body_str(rq, "source", &bad);
	*skill = bn_server__body_str(rq, "skill", &bad);
	if (!bn_server__need(rq, bad, *source,
			     "give {\"source\": \"owner/repo, a git URL, "
			     "a site or a path\"}"))
		return false;
	*local = json_is_true(l);
	return source_allowed(rq, *source);
}

void bn_server__install_preview(bn_server_req *rq)
{
	const char *source, *skill;
	bn_registry_config cfg = { 0 };
	bn_registry_candidates c = { 0 };
	bn_registry_source src = { 0 };
	bn_registry_ctx ctx;
	bn_strv notes = { 0 };
	char *scratch = NULL;
	bool local;
	json_t *a, *o;
	bn_err err;
	size_t i;

	if (!source_args(rq, &source, &skill, &local) ||
	    !ctx_open(rq, &ctx, &cfg, &notes))
		goto out;
	ctx.only = skill ? &skill : NULL;
	ctx.n_only = skill ? 1 : 0;
	bn_err_init(&err);
	if (bn_registry_source_parse(&src, source, &err) ||
	    bn_store_scratch_new(&scratch, ctx.store, &err) ||
	    bn_registry_source_fetch(&c, &ctx, &src, scratch, &err)) {
		bn_server__fail_err(rq, &err);
		goto out;
	}
	a = json_array();
	for (i = 0; i < c.n; i++)
		if (!skill || !strcmp(c.v[i].name, skill))
			json_array_append_new(a, candidate_json(&c.v[i], &src,
								local,
								ctx.store));
	o = json_object();
	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "skills", a);
	reply_noted(rq, MHD_HTTP_OK, o, &notes);
out:
	if (scratch)
		bn_store_scratch_remove(ctx.store, scratch);
	free(scratch);
	bn_registry_candidates_clear(&c);
	bn_registry_source_clear(&src);
	ctx_close(&cfg, &notes);
}

/* ---- install ---------------------------------------------------------------- */

static void report_line(const char *skill, const char *line, void *payload)
{
	json_t *o = json_object();

	json_object_set_new(o, "skill", json_string(skill));
	json_object_set_new(o, "line", json_string(line));
	json_array_append_new(payload, o);
}

/* Nothing the client did not name is granted: the approval callback
   refuses every capability that is not in "approve". */
static bool refuse_unlisted(const char *skill, const char *cap,
			    const char *scope, void *payload)
{
	return false;
}

/* "approve": ["cap[=scope]", ...] into V (borrowed); false after replying. */
static bool approve_args(bn_server_req *rq, const char **v, size_t *n)
{
	json_t *a = json_object_get(rq->body, "approve");
	size_t i;

	*n = 0;
	if (!a)
		return true;
	if (!json_is_array(a) || json_array_size(a) > APPROVE_MAX) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "'approve' must be "
				"an array of at most %d \"cap[=scope]\" strings",
				APPROVE_MAX);
		return false;
	}
	for (i = 0; i < json_array_size(a); i++) {
		json_t *s = json_array_get(a, i);
		if (!json_is_string(s)) {
			bn_server__fail(rq, MHD_HTTP_BAD_REQUEST,
					"approve[%zu] is not a string", i);
			return false;
		}
		v[(*n)++] = json_string_value(s);
	}
	return true;
}

/* Reply STATUS with what the pipeline did, or with its error R and the
   report of the steps it took. */
static void reply_installed(bn_server_req *rq, int r, const bn_err *err,
			    const bn_registry_install_result *res,
			    json_t *report, const bn_strv *notes,
			    unsigned status)
{
	json_t *out;

	if (r) {
		bn_server__fail_err(rq, err);
		json_object_set(rq->reply, "report", report);
		return;
	}
	out = json_object();
	json_object_set_new(out, "installed", bn_view_installed_json(res));
	json_object_set(out, "report", report);
	reply_noted(rq, status, out, notes);
}

/* {"source", "skill"?, "approve": [...], "bot"?, "force"?, "local"?,
   "update"?} */
void bn_server__install_post(bn_server_req *rq)
{
	bn_registry_install_opts o = BN_REGISTRY_INSTALL_OPTS_INIT;
	const char *source, *skill, *approved[APPROVE_MAX], *bot;
	bn_registry_install_result res = { 0 };
	bn_registry_config cfg = { 0 };
	bn_registry_ctx ctx;
	bn_strv notes = { 0 };
	json_t *report = json_array();
	bool local, bad = false;
	size_t n_approved;
	bn_err err;

	bot = bn_server__body_str(rq, "bot", &bad);
	if (bad || !source_args(rq, &source, &skill, &local) ||
	    !approve_args(rq, approved, &n_approved) ||
	    !ctx_open(rq, &ctx, &cfg, &notes))
		goto out;
	o.only = skill ? &skill : NULL;
	o.n_only = skill ? 1 : 0;
	o.grant = approved;
	o.n_grant = n_approved;
	o.bot = bot;
	o.force = json_is_true(json_object_get(rq->body, "force"));
	o.update = json_is_true(json_object_get(rq->body, "update"));
	o.local = local;
	o.approve = refuse_unlisted;
	o.report = report_line;
	o.payload = report;
	bn_err_init(&err);
	reply_installed(rq, bn_registry_install(&res, &ctx, source, &o, &err),
			&err, &res, report, &notes, MHD_HTTP_CREATED);
out:
	json_decref(report);
	bn_registry_install_result_clear(&res);
	ctx_close(&cfg, &notes);
}

/* ---- updates and verify ------------------------------------------------------ */

/* The lockfile made to agree with the store, then the names of the
   skills boternity installed into *names (only ?skill=NAME when given);
   false after replying. */
static bool installed_names(bn_server_req *rq, bn_strv *names)
{
	bn_store *s;
	const char *one = bn_server__query(rq, "skill");
	bn_err err;

	if (!(s = bn_server__begin(rq, &err)))
		return false;
	if (!bn_registry_lock_sync(s, &err) && one) {
		bn_strv_push(names, one);
		return true;
	}
	if (err.code ||
	    bn_registry_lock_names(names, rq->srv->home, &err)) {
		bn_server__fail_err(rq, &err);
		return false;
	}
	return true;
}

/* Whether SOURCE (a lockfile entry's) is fetched over a network or read
   from below the server's install root. */
static bool source_on_disk_ok(const bn_server *srv, const char *source)
{
	bn_registry_source src;
	bool ok;

	if (!source || bn_registry_source_parse(&src, source, NULL))
		return true;              /* the check says what is wrong */
	ok = bn_server__disk_allowed(srv, bn_registry_source_disk_path(&src));
	bn_registry_source_clear(&src);
	return ok;
}

/* POST's skill may be fetched again by this server; false after
   replying (404 for a skill not in the lockfile, 403 for a source on
   its disk outside the install root). */
static bool refetch_allowed(bn_server_req *rq, const char *name)
{
	bn_registry_lock_entry e = { 0 };
	bn_err err;
	bool ok;

	bn_err_init(&err);
	if (bn_registry_lock_get(&e, rq->srv->home, name, &err)) {
		bn_server__fail_err(rq, &err);
		return false;
	}
	ok = !e.source || source_allowed(rq, e.source);
	bn_registry_lock_entry_clear(&e);
	return ok;
}

/* GET: every installed skill checked against its source, as `skill
   outdated --json` prints it. */
void bn_server__updates_get(bn_server_req *rq)
{
	bn_registry_config cfg = { 0 };
	bn_registry_ctx ctx;
	bn_strv names = { 0 }, notes = { 0 };
	json_t *a;

	if (!installed_names(rq, &names) || !ctx_open(rq, &ctx, &cfg, &notes))
		goto out;
	a = json_array();
	for (size_t i = 0; i < names.n; i++) {
		bn_registry_lock_entry e = { 0 };
		bn_registry_update_info c = { 0 };
		bn_err e1;
		bn_err_init(&e1);
		int r = bn_registry_lock_get(&e, rq->srv->home, names.v[i], &e1);
		if (!r && !source_on_disk_ok(rq->srv, e.source))
			r = bn_err_set(&e1, BN_EDENIED, "its source %s is on "
				       "this server's disk, outside the "
				       "folder it reads skills from "
				       "(--install-root): check it with "
				       "`bnity skill outdated %s`", e.source,
				       names.v[i]);
		if (!r)
			r = bn_registry_update_check(&c, &ctx, &e, &e1);
		json_array_append_new(a, bn_view_update_json(names.v[i], &e,
			r ? NULL : &c, r ? e1.msg : NULL));
		bn_registry_update_check_clear(&c);
		bn_registry_lock_entry_clear(&e);
	}
	reply_noted(rq, MHD_HTTP_OK, json_pack("{s:o}", "updates", a), &notes);
out:
	bn_strv_clear(&names);
	ctx_close(&cfg, &notes);
}

/* POST {"approve": [...]?, "bot"?} to .../update (UPDATE) or .../repair:
   grants of unchanged capabilities are kept; of the new ones only those
   approved are granted. */
static void update_or_repair(bn_server_req *rq, bool update)
{
	bn_registry_install_opts o = BN_REGISTRY_INSTALL_OPTS_INIT;
	const char *approved[APPROVE_MAX], *bot, *name = rq->params[0];
	bn_registry_install_result res = { 0 };
	bn_registry_config cfg = { 0 };
	bn_registry_ctx ctx;
	bn_strv notes = { 0 };
	json_t *report = json_array();
	char *source = NULL;
	bool bad = false;
	size_t n_approved;
	bn_err err;
	int r;

	bot = bn_server__body_str(rq, "bot", &bad);
	if (bad || !approve_args(rq, approved, &n_approved) ||
	    !refetch_allowed(rq, name) || !ctx_open(rq, &ctx, &cfg, &notes))
		goto out;
	o.grant = approved;
	o.n_grant = n_approved;
	o.bot = bot;
	o.approve = refuse_unlisted;
	o.report = report_line;
	o.payload = report;
	bn_err_init(&err);
	r = update ? bn_registry_update(&res, &ctx, name, &o, &err) :
		bn_registry_repair(&res, &ctx, name, &o, &source, &err);
	reply_installed(rq, r, &err, &res, report, &notes, MHD_HTTP_OK);
out:
	free(source);
	json_decref(report);
	bn_registry_install_result_clear(&res);
	ctx_close(&cfg, &notes);
}

void bn_server__update_post(bn_server_req *rq)
{
	update_or_repair(rq, true);
}

void bn_server__repair_post(bn_server_req *rq)
{
	update_or_repair(rq, false);
}

/* GET: every installed skill's files against skills-lock.json, as
   `skill verify --json` prints them. */
void bn_server__verify_get(bn_server_req *rq)
{
	bn_strv names = { 0 };
	json_t *a;

	if (!installed_names(rq, &names))
		return;
	a = json_array();
	for (size_t i = 0; i < names.n; i++) {
		bn_registry_lock_entry e = { 0 };
		bn_err e1;
		bn_err_init(&e1);
		int r = bn_registry_verify(rq->store, names.v[i], &e1);
		bool have = bn_registry_lock_get(&e, rq->srv->home, names.v[i],
						 NULL) == 0;
		json_array_append_new(a, bn_view_verify_json(names.v[i],
			have ? &e : NULL, r ? e1.msg : NULL));
		bn_registry_lock_entry_clear(&e);
	}
	bn_server__reply_member(rq, MHD_HTTP_OK, "skills", a);
	bn_strv_clear(&names);
}

/* ---- trusted keys ----------------------------------------------------------- */

int bn_server__keys_list(bn_server_req *rq, bn_store *s, bn_err *err)
{
	json_t *keys = NULL;
	int r = bn_registry_key_list(&keys, s, err);

	if (!r)
		bn_server__reply_member(rq, MHD_HTTP_OK, "keys", keys);
	return r;
}
