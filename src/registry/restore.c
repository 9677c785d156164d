/* SPDX-License-Identifier: MIT */
/*
 * registry/restore.c - `bnity skill install` with no source: every entry
 * of a skills-lock.json installed again at its pinned ref (and, for
 * boternity's own entries, its pinned content hash).  Reads the lockfile
 * boternity writes and the one the `skills` CLI writes in a project.
 *
 * A lockfile is input, not authority: it may have come with a cloned
 * repository.  Its tier is never believed (the pipeline decides it from
 * the source), its grants are only asked for again (granted with --yes,
 * offered on a terminal), and a local path outside the repository that
 * holds the lockfile is refused.
 */
#include "registry_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"

#define RESTORE_LOCK_MAX ((size_t)8 << 20)

/* PATH is ROOT or below it (both real paths). */
static bool under(const char *path, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(path, root, n) && (path[n] == '/' || path[n] == '\0');
}

/* The source to fetch entry E (named NAME) from, owned; NULL with a
   reason in ERR.  DIR holds the lockfile; ROOT (may be NULL) is the
   repository local paths must stay in. */
static char *entry_source(const json_t *e, const char *name, const char *dir,
			  const char *root, bn_err *err)
{
	const char *type = json_string_value(json_object_get(e, "sourceType"));
	const char *src = json_string_value(json_object_get(e, "source"));
	const char *url = json_string_value(json_object_get(e, "sourceUrl"));
	const char *ref = json_string_value(json_object_get(e, "ref"));
	const char *skill_path =
		json_string_value(json_object_get(e, "skillPath"));
	char *base = NULL, *out;

	if (!type || !src) {
		bn_err_set(err, BN_EINVAL, "skills-lock.json: skill '%s' has no "
			   "source or sourceType", name);
		return NULL;
	}
	if (!strcmp(type, "local") || !strcmp(type, "archive")) {
		char *joined = src[0] == '/' ? bn_xstrdup(src) :
			bn_fs_join(dir, src);
		char *real = realpath(joined, NULL);
		if (!real) {
			bn_err_set(err, BN_ENOTFOUND, "skills-lock.json: skill "
				   "'%s': %s is not there", name, joined);
		} else if (root && !under(real, root)) {
			bn_err_set(err, BN_EDENIED, "skills-lock.json: skill "
				   "'%s': %s is outside the repository (%s); a "
				   "lockfile that came with a repository may not "
				   "name the rest of your disk", name, real, root);
			free(real);
			real = NULL;
		}
		free(joined);
		return real;
	}
	if (!strcmp(type, "github")) {
		/* the skills CLI: owner/repo and a skillPath to SKILL.md or
		   its folder; boternity: owner/repo/path already */
		if (skill_path && *skill_path) {
			char *p = bn_xstrdup(skill_path);
			size_t n = strlen(p);
			if (n >= 8 && !strcmp(p + n - 8, "SKILL.md"))
				p[n - 8] = '\0';
			n = strlen(p);
			while (n && p[n - 1] == '/')
				p[--n] = '\0';
			base = *p ? bn_xasprintf("%s/%s", src, p) :
				bn_xstrdup(src);
			free(p);
		} else {
			base = bn_xstrdup(src);
		}
	} else if (!strcmp(type, "git") || !strcmp(type, "well-known") ||
		   !strcmp(type, "gitlab")) {
		base = bn_xstrdup(url ? url : src);
	} else {
		bn_err_set(err, BN_EINVAL, "skills-lock.json: skill '%s': "
			   "source type '%s' cannot be restored", name, type);
		return NULL;
	}
	if (ref && *ref && !strchr(base, '#') && strcmp(type, "well-known")) {
		out = bn_xasprintf("%s#%s", base, ref);
		free(base);
		return out;
	}
	return base;
}

/* The skills of one lockfile that come from one source with one set of
   pinned grants. */
typedef struct group {
	char *source;
	bn_strv pinned;
	bn_strv names;
	bn_strv hashes;          /* per name: its pinned sourceHash or "" */
} group;

/* Whether R already says why some skill was skipped. */
static bool has_skip(const bn_registry_install_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].skipped)
			return true;
	return false;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Move R's entries to the end of OUT. */
static void results_move(bn_registry_install_result *out,
			 bn_registry_install_result *r)
{
	if (r->n == 0)
		return;
	out->v = bn_xrealloc(out->v, (out->n + r->n) * sizeof(*out->v));
	memcpy(out->v + out->n, r->v, r->n * sizeof(*r->v));
	out->n += r->n;
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

int bn_registry_restore(bn_registry_install_result *out,
			const bn_registry_ctx *ctx, const char *lock_path,
			const char *root, const bn_registry_install_opts *o,
			bn_err *err)
{
	bn_registry_install_result res = { 0 };
	char *text = NULL, *dir = NULL, *real_root = NULL, *slash;
	json_error_t je;
	json_t *lock = NULL;
	const json_t *skills;
	size_t len;
	int r = bn_fs_read_file(&text, &len, lock_path, RESTORE_LOCK_MAX, err);

	if (r)
		return r;
	lock = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	skills = json_object_get(lock, "skills");
	if (!json_is_object(skills)) {
		r = bn_err_set(err, BN_EINVAL, "%s:%d: %s", lock_path,
			       lock ? 1 : je.line, lock ? "no \"skills\" "
			       "object" : je.text);
		json_decref(lock);
		return r;
	}
	dir = bn_xstrdup(lock_path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (root)
		real_root = realpath(root, NULL);
	/* in name order, whatever order the file has */
	bn_strv names = { 0 };
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)skills, k, v)
		bn_strv_push(&names, k);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), by_text);
	/* one fetch per source and set of pinned grants: 864 skills of one
	   repository are one clone, not 864 */
	group *gv = bn_xcalloc(names.n + 1, sizeof(*gv));
	size_t ng = 0;
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		const json_t *e = json_object_get(skills, name);
		bn_strv pinned = { 0 };
		bn_err e1;
		char *source;

		bn_err_init(&e1);
		if (!json_is_object(e) ||
		    !(source = entry_source(e, name, dir, real_root, &e1))) {
			bn_registry__result_skip(&res, o, name,
				json_is_object(e) ? e1.msg :
				"not an object in skills-lock.json");
			continue;
		}
		size_t gi;
		const json_t *g;
		json_array_foreach(json_object_get(e, "granted"), gi, g)
			if (json_is_string(g))
				bn_strv_push(&pinned, json_string_value(g));
		group *to = NULL;
		for (size_t x = 0; x < ng && !to; x++)
			if (!strcmp(gv[x].source, source) &&
			    bn_strv_same_set(&gv[x].pinned, &pinned))
				to = &gv[x];
		if (!to) {
			to = &gv[ng++];
			to->source = source;
			to->pinned = pinned;
		} else {
			free(source);
			bn_strv_clear(&pinned);
		}
		const char *h = json_string_value(json_object_get(e,
							"sourceHash"));
		bn_strv_push(&to->names, name);
		bn_strv_push(&to->hashes, h ? h : "");
	}
	for (size_t x = 0; x < ng; x++) {
		group *gr = &gv[x];
		bn_registry_install_result one = { 0 };
		bn_registry_install_opts o1 = *o;
		bn_err e1;

		bn_err_init(&e1);
		o1.only = (const char *const *)gr->names.v;
		o1.n_only = gr->names.n;
		o1.expect_hash = (const char *const *)gr->hashes.v;
		o1.all = false;
		o1.update = false;
		o1.local = false;                /* the tier is decided afresh */
		/* the pinned grants are asked for again: --yes grants them
		   (and only them); a terminal offers each declared one */
		if (o->yes) {
			o1.yes = false;
			o1.yes_agents = true;    /* copies for --agent */
			o1.grant = (const char *const *)gr->pinned.v;
			o1.n_grant = gr->pinned.n;
		}
		int r1 = bn_registry_install(&one, ctx, gr->source, &o1, &e1);
		/* a pinned skill the source no longer has, or the whole
		   source refused: each is skipped with the reason */
		for (size_t i = 0; i < gr->names.n; i++) {
			bool seen = false;
			char *slug = bn_skill_name_slug(gr->names.v[i]);
			for (size_t j = 0; j < one.n && !seen; j++)
				seen = !strcmp(one.v[j].name, slug) ||
				       !strcmp(one.v[j].name, gr->names.v[i]);
			free(slug);
			if (seen) {
				continue;
			} else if (r1 && one.n == 0) {
				bn_registry__result_skip(&res, o,
							 gr->names.v[i],
							 e1.msg);
			} else if (!has_skip(&one)) {
				char *why = bn_xasprintf("%s has no skill of "
							 "that name",
							 gr->source);
				bn_registry__result_skip(&res, o,
							 gr->names.v[i], why);
				free(why);
			}
		}
		results_move(&res, &one);
		bn_registry_install_result_clear(&one);
		free(gr->source);
		bn_strv_clear(&gr->pinned);
		bn_strv_clear(&gr->names);
		bn_strv_clear(&gr->hashes);
	}
	free(gv);
	bn_strv_clear(&names);
	free(real_root);
	free(dir);
	json_decref(lock);
	*out = res;
	return 0;
}

/* Remove the copies E records that are still as bnity made them; NOTES
   (may be NULL) says what became of each. */
static void remove_copies(bn_strv *notes, const bn_registry_lock_entry *e)
{
	char hash[BN_SKILL_TREE_HASH_SIZE];
	bn_strv done = { 0 };

	for (size_t i = 0; i < e->n_copies; i++) {
		const bn_registry_agent_copy *c = &e->copies[i];
		char *note = NULL;
		if (bn_strv_has(&done, c->path) || !bn_fs_is_dir(c->path))
			continue;
		bn_strv_push(&done, c->path);
		if (bn_skill_tree_hash(hash, c->path, NULL) != 0 ||
		    strcmp(hash, c->hash) != 0)
			note = bn_xasprintf("left the copy for %s at %s: it "
					    "changed since bnity made it",
					    c->agent, c->path);
		else if (bn_fs_rmtree(c->path, NULL) != 0)
			note = bn_xasprintf("could not remove the copy for %s "
					    "at %s", c->agent, c->path);
		else
			note = bn_xasprintf("removed the copy for %s at %s",
					    c->agent, c->path);
		if (notes)
			bn_strv_push(notes, note);
		free(note);
	}
	bn_strv_clear(&done);
}

int bn_registry_skill_remove(bn_store *s, const char *name, bn_err *err)
{
	return bn_registry_skill_remove_noting(NULL, s, name, err);
}

int bn_registry_skill_remove_noting(bn_strv *notes, bn_store *s,
				    const char *name, bn_err *err)
{
	bn_registry_lock_entry e = { 0 };
	bn_store_skills all = { 0 };
	const bn_store_skill *sk;
	char *dir = bn_skill_name_is_slug(name) ?
		bn_fs_join(bn_store_skills_dir(s), name) : NULL;
	bool in_store = dir && bn_fs_is_dir(dir);
	json_t *lock = NULL;
	int r;

	free(dir);
	if (!in_store && bn_store_skills_list(&all, s, NULL) == 0 &&
	    (sk = bn_store_skills_find(&all, name)) != NULL) {
		r = bn_err_set(err, BN_ENOTFOUND, "skill '%s' is not in the "
			       "store: it lives in %s (%s), another agent's "
			       "folder, which bnity leaves alone", name,
			       sk->dir, bn_store_origin_name(sk->origin));
		bn_store_skills_clear(&all);
		return r;
	}
	bn_store_skills_clear(&all);
	(void)bn_registry_lock_get(&e, bn_store_home(s), name, NULL);
	if ((r = bn_store_skill_remove(s, name, err))) {
		bn_registry_lock_entry_clear(&e);
		return r;
	}
	remove_copies(notes, &e);
	bn_registry_lock_entry_clear(&e);
	/* the lockfile forgets it too (an entry another tool wrote for a
	   skill that was never in the store is not ours to drop) */
	if (bn_registry_lock_load(&lock, bn_store_home(s), NULL) == 0 &&
	    json_object_get(json_object_get(lock, "skills"), name))
		r = bn_registry_lock_put(bn_store_home(s), name, NULL, err);
	json_decref(lock);
	if (r)
		bn_err_prefix(err, "skill '%s' was removed, but", name);
	return r;
}

int bn_registry_repair(bn_registry_install_result *out,
		       const bn_registry_ctx *ctx, const char *name,
		       const bn_registry_install_opts *o, char **source_out,
		       bn_err *err)
{
	bn_registry_install_opts o1 = *o;
	const char *home = bn_store_home(ctx->store);
	json_t *lock = NULL;
	const json_t *e;
	char *source;
	int r = bn_registry_lock_load(&lock, home, err);

	*source_out = NULL;
	if (r)
		return r;
	e = json_object_get(json_object_get(lock, "skills"), name);
	if (!json_is_object(e)) {
		json_decref(lock);
		return bn_err_set(err, BN_ENOTFOUND, "skill '%s' is not in "
				  "skills-lock.json", name);
	}
	if (!(source = entry_source(e, name, home, NULL, err))) {
		json_decref(lock);
		return err ? err->code : BN_EINVAL;
	}
	const char *pin = json_string_value(json_object_get(e, "sourceHash"));
	const char *const only[1] = { name }, *const hashes[1] = {
		pin ? pin : "" };
	o1.only = only;
	o1.n_only = 1;
	o1.expect_hash = hashes;
	o1.expect_name = name;
	o1.all = false;
	o1.update = true;
	r = bn_registry_install(out, ctx, source, &o1, err);
	json_decref(lock);
	*source_out = source;
	return r;
}
