/* SPDX-License-Identifier: MIT */
/*
 * registry/update.c - what an update of an installed skill would change,
 * and the update itself, for `bnity skill outdated|update` and the HTTP
 * API alike.
 *
 * A check fetches the skill's source again into a scratch folder (which
 * is removed) and compares the skill found there with the lockfile entry
 * and the store copy: its tree hash, the capabilities it declares now
 * that the installed version did not (those an update asks for again)
 * and those it no longer declares, and the static scan's findings whose
 * rule and file the installed copy did not already have.  The update is
 * the install pipeline run with `update` on (registry/install.c), after
 * a store copy someone changed has been put back (bn_registry_repair).
 * Rules: docs/registries.md.
 */
#include "registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"

int bn_registry_lock_names(bn_strv *out, const char *home, bn_err *err)
{
	json_t *lock, *v;
	const char *k;
	int r = bn_registry_lock_load(&lock, home, err);

	if (r)
		return r;
	json_object_foreach(json_object_get(lock, "skills"), k, v)
		if (json_object_get(v, "tier"))
			bn_strv_push(out, k);
	json_decref(lock);
	return 0;
}

void bn_registry_update_check_clear(bn_registry_update_info *c)
{
	free(c->latest);
	free(c->version);
	bn_strv_clear(&c->new_capabilities);
	bn_strv_clear(&c->dropped_capabilities);
	bn_registry_findings_clear(&c->new_findings);
	memset(c, 0, sizeof(*c));
}

static bool has_finding(const bn_registry_findings *f,
			const bn_registry_finding *x)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].kind == x->kind && f->v[i].file && x->file &&
		    !strcmp(f->v[i].file, x->file))
			return true;
	return false;
}

/* Move the findings of NOW whose rule and file OLD lacks into OUT. */
static void new_findings(bn_registry_findings *out, bn_registry_findings *now,
			 const bn_registry_findings *old)
{
	out->v = bn_xcalloc(now->n ? now->n : 1, sizeof(*out->v));
	for (size_t i = 0; i < now->n; i++) {
		if (has_finding(old, &now->v[i]))
			continue;
		out->v[out->n++] = now->v[i];
		now->v[i].file = NULL;
		now->v[i].what = NULL;
	}
	out->omitted = now->omitted;
}

/* Compare the fetched skill in DIR with entry E and its store copy. */
static int compare(bn_registry_update_info *out, const bn_registry_ctx *ctx,
		   const bn_registry_lock_entry *e, const bn_skill_manifest *m,
		   const char *dir, bn_err *err)
{
	bn_registry_findings now = { 0 }, old = { 0 };
	char hash[72], *copy;
	int r = bn_skill_tree_hash(hash, dir, err);

	if (r)
		return r;
	out->latest = bn_xstrdup(hash);
	out->version = m->version ? bn_xstrdup(m->version) : NULL;
	for (size_t i = 0; i < m->capabilities.n; i++)
		if (!bn_strv_has(&e->capabilities, m->capabilities.v[i]))
			bn_strv_push(&out->new_capabilities,
				     m->capabilities.v[i]);
	for (size_t i = 0; i < e->capabilities.n; i++)
		if (!bn_strv_has(&m->capabilities, e->capabilities.v[i]))
			bn_strv_push(&out->dropped_capabilities,
				     e->capabilities.v[i]);
	if ((r = bn_registry_scan_dir(&now, dir, err)))
		return r;
	/* the installed copy's findings: a copy that cannot be read (gone,
	   say) has none, so every finding of the new version counts */
	copy = bn_fs_join(bn_store_skills_dir(ctx->store), e->name);
	if (bn_registry_scan_dir(&old, copy, NULL))
		bn_registry_findings_clear(&old);
	free(copy);
	new_findings(&out->new_findings, &now, &old);
	bn_registry_findings_clear(&now);
	bn_registry_findings_clear(&old);
	return 0;
}

int bn_registry_update_check(bn_registry_update_info *out,
			     const bn_registry_ctx *ctx,
			     const bn_registry_lock_entry *e, bn_err *err)
{
	bn_registry_update_info c = { 0 };
	bn_registry_candidates cands = { 0 };
	bn_registry_source src;
	char *scratch = NULL, *fetch_dir = NULL;
	bool found = false;
	int r;

	if (!e->source)
		return bn_err_set(err, BN_EINVAL, "skill '%s': no source in "
				  "skills-lock.json", e->name);
	if ((r = bn_registry_source_parse(&src, e->source, err)))
		return r;
	if ((r = bn_store_scratch_new(&scratch, ctx->store, err)))
		goto out;
	fetch_dir = bn_fs_join(scratch, "fetch");
	if ((r = bn_fs_mkdirs(fetch_dir, err)))
		goto out;
	if ((r = bn_registry_source_fetch(&cands, ctx, &src, fetch_dir, err)))
		goto out;
	for (size_t i = 0; r == 0 && i < cands.n && !found; i++) {
		bn_skill_manifest *m = NULL;
		if (bn_skill_manifest_load(&m, cands.v[i].dir, NULL, NULL) == 0 &&
		    !strcmp(m->name, e->name)) {
			found = true;
			r = compare(&c, ctx, e, m, cands.v[i].dir, err);
		}
		bn_skill_manifest_free(m);
	}
	if (!r && !found)
		r = bn_err_set(err, BN_ENOTFOUND, "skill '%s' is no longer in "
			       "%s", e->name, e->source);
	if (!r) {
		c.outdated = !e->source_hash || strcmp(c.latest, e->source_hash);
		*out = c;
		memset(&c, 0, sizeof(c));
	}
out:
	bn_registry_update_check_clear(&c);
	if (scratch)
		bn_store_scratch_remove(ctx->store, scratch);
	free(scratch);
	free(fetch_dir);
	bn_registry_candidates_clear(&cands);
	bn_registry_source_clear(&src);
	return r;
}

/* Put back a store copy of NAME that no longer hashes as installed,
   saying through O->report what was done. */
static void repair_if_changed(const bn_registry_ctx *ctx, const char *name,
			      const bn_registry_install_opts *o)
{
	bn_registry_install_result res = { 0 };
	char *source = NULL;
	bn_buf line = BN_BUF_INIT;
	bn_err e;

	bn_err_init(&e);
	if (bn_registry_verify(ctx->store, name, &e) != BN_EINVAL)
		return;
	if (o->report) {
		(void)bn_buf_printf(&line, "%s: restoring it from its source "
				    "at the pinned ref", e.msg);
		o->report(name, line.data, o->payload);
	}
	bn_err_init(&e);
	bn_buf_clear(&line);
	if (bn_registry_repair(&res, ctx, name, o, &source, &e) == 0 &&
	    res.n == 1 && !res.v[0].skipped)
		(void)bn_buf_printf(&line, "restored '%s' from %s (%s)", name,
				    source, res.v[0].hash);
	else
		(void)bn_buf_printf(&line, "not restored from %s at the "
				    "pinned ref: %s", source ? source :
				    "its source", e.msg[0] ? e.msg :
				    "the source has it no more");
	if (o->report)
		o->report(name, line.data, o->payload);
	bn_buf_clear(&line);
	bn_registry_install_result_clear(&res);
	free(source);
}

int bn_registry_update(bn_registry_install_result *out,
		       const bn_registry_ctx *ctx, const char *name,
		       const bn_registry_install_opts *o, bn_err *err)
{
	bn_registry_install_opts o1 = *o;
	bn_registry_lock_entry e = { 0 };
	const char *const only[1] = { name };
	int r = bn_registry_lock_get(&e, bn_store_home(ctx->store), name, err);

	if (r)
		return r;
	if (!e.source) {
		r = bn_err_set(err, BN_EINVAL, "skill '%s': no source in "
			       "skills-lock.json", name);
		goto out;
	}
	repair_if_changed(ctx, name, o);
	o1.only = only;
	o1.n_only = 1;
	o1.all = false;
	o1.update = true;
	o1.expect_name = name;
	r = bn_registry_install(out, ctx, e.source, &o1, err);
out:
	bn_registry_lock_entry_clear(&e);
	return r;
}
