/* SPDX-License-Identifier: MIT */
/*
 * store/install.c - committing a prepared skill folder into the store.
 *
 * The folder must already sit in a scratch folder of the store
 * (skills/.tmp-*, made by bn_store_scratch_new), so the commit is one
 * rename(2) - or, for an update, one renameat2(RENAME_EXCHANGE) that
 * swaps the new folder with the old one.  Before the rename the index
 * records the install in flight with its tier, source and tree hash, so
 * that a kill after the rename still leaves an index that tells the
 * truth: the reconcile at open completes the install when the folder
 * hashes to the recorded hash (bn_store__install_reconcile).  The marker
 * file (.bnity-install.json) the folder also carries is for the
 * registry's lockfile; nothing here reads it to decide a tier, since
 * anyone who can write to the folder can edit it.
 */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fault.h"
#include "base/fs.h"
#include "skill/tree.h"

#define MARKER BN_SKILL_TREE_MARKER_FILE
#define MARKER_MAX_BYTES ((size_t)64 << 10)

int bn_store__install_reconcile(bn_store *s, bool apply, bool *need,
				bn_err *err)
{
	bn_strv names = { 0 };
	int r = bn_store__index_unsettled(&names, s, err);

	if (!r && names.n)
		*need = true;
	for (size_t i = 0; apply && r == 0 && i < names.n; i++) {
		char *dir = bn_fs_join(s->skills_dir, names.v[i]);
		char hash[BN_SKILL_TREE_HASH_SIZE];

		/* a folder that cannot be hashed has no identity: "" */
		if (bn_skill_tree_hash(hash, dir, NULL))
			hash[0] = '\0';
		r = bn_store__index_settle(s, names.v[i], hash, err);
		free(dir);
	}
	bn_strv_clear(&names);
	return r;
}

static bool in_scratch(const bn_store *s, const char *dir)
{
	size_t n = strlen(s->skills_dir);
	return strncmp(dir, s->skills_dir, n) == 0 &&
		strncmp(dir + n, "/.tmp-", 6) == 0;
}

static int write_marker(const char *dir, const bn_store_install_opts *o,
			bn_err *err)
{
	json_t *j = o->marker ? json_deep_copy(o->marker) : json_object();
	char *path, *text;
	int r;

	if (!j)
		return bn_err_oom(err);
	json_object_set_new(j, "tier", json_string(o->tier));
	json_object_set_new(j, "source", json_string(o->source));
	text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	if (!text)
		return bn_err_oom(err);
	path = bn_fs_join(dir, MARKER);
	r = bn_fs_write_atomic(path, text, strlen(text), 0644, err);
	free(path);
	free(text);
	return r;
}

/* The capability name of declaration D ("cap" or "cap=scope") into C. */
static void cap_of(char *c, size_t size, const char *d)
{
	size_t n = strcspn(d, "=");
	snprintf(c, size, "%.*s", (int)(n < size ? n : size - 1), d);
}

/* Whether every declaration of capability C in A is also in B. */
static bool decls_within(const bn_strv *a, const bn_strv *b, const char *c)
{
	char ci[64];

	for (size_t i = 0; i < a->n; i++) {
		cap_of(ci, sizeof(ci), a->v[i]);
		if (!strcmp(ci, c) && !bn_strv_has(b, a->v[i]))
			return false;
	}
	return true;
}

/* The capabilities whose declarations NEW keeps exactly as OLD had them
   (their grants were approved for these scopes), and "limits". */
static void unchanged_caps(bn_strv *keep, const bn_skill_manifest *old,
			   const bn_skill_manifest *new)
{
	bn_strv_push(keep, "limits");
	for (size_t i = 0; old && i < new->capabilities.n; i++) {
		char c[64];
		cap_of(c, sizeof(c), new->capabilities.v[i]);
		if (!bn_strv_has(keep, c) &&
		    decls_within(&old->capabilities, &new->capabilities, c) &&
		    decls_within(&new->capabilities, &old->capabilities, c))
			bn_strv_push(keep, c);
	}
}

/* Keep O's approved grants with NAME's install in flight (none: NULL). */
static int pending_grants(bn_store *s, const char *name,
			  const bn_store_install_opts *o, bn_err *err)
{
	json_t *j, *list;
	char *text = NULL;
	int r;

	if (!o->granted || !o->granted->n)
		return bn_store__index_pending_grants(s, name, NULL, err);
	j = json_object();
	list = json_array();
	for (size_t i = 0; j && list && i < o->granted->n; i++)
		json_array_append_new(list, json_string(o->granted->v[i]));
	if (j && list) {
		json_object_set_new(j, "bot", o->grant_bot ?
				    json_string(o->grant_bot) : json_null());
		json_object_set_new(j, "granted", list);
		list = NULL;
		text = json_dumps(j, JSON_COMPACT);
	}
	json_decref(list);
	json_decref(j);
	if (!text)
		return bn_err_oom(err);
	r = bn_store__index_pending_grants(s, name, text, err);
	free(text);
	return r;
}

int bn_store_skill_grants_pending(bn_strv *granted, char **bot_out,
				  bool *found, bn_store *s, const char *name,
				  bn_err *err)
{
	char *text = bn_store__index_pending_grants_get(s, name);
	json_t *j, *list, *v;
	size_t i;

	(void)err;
	*found = false;
	*bot_out = NULL;
	if (!text)
		return 0;
	j = json_loads(text, 0, NULL);
	free(text);
	list = json_object_get(j, "granted");
	json_array_foreach(list, i, v)
		if (json_is_string(v))
			bn_strv_push(granted, json_string_value(v));
	if (json_is_string(json_object_get(j, "bot")))
		*bot_out = bn_xstrdup(json_string_value(
			json_object_get(j, "bot")));
	*found = json_is_array(list);
	json_decref(j);
	return 0;
}

int bn_store_skill_grants_done(bn_store *s, const char *name, bn_err *err)
{
	return bn_store__index_pending_grants(s, name, NULL, err);
}

int bn_store_skill_install(bn_store *s, const char *dir,
			   const bn_store_install_opts *o, bn_err *err)
{
	bn_skill_manifest *m = NULL, *old = NULL;
	char *final = NULL, *old_hash = NULL, hash[BN_SKILL_TREE_HASH_SIZE];
	bn_strv keep = { 0 };
	bool exists;
	int r;

	if (!in_scratch(s, dir))
		return bn_err_set(err, BN_EINVAL,
			"%s: a prepared skill must be in a store scratch "
			"folder", dir);
	if ((r = bn_skill_manifest_load(&m, dir, NULL, err)))
		return r;
	if (!bn_skill_name_is_slug(m->name)) {
		r = bn_err_set(err, BN_EINVAL,
			"skill name '%s' cannot be a store folder: use 1 to "
			"64 lowercase letters, digits, hyphens and inner "
			"underscores", m->name);
		goto out;
	}
	final = bn_fs_join(s->skills_dir, m->name);
	exists = access(final, F_OK) == 0;
	if (exists && !o->replace) {
		r = bn_err_set(err, BN_EEXIST,
			"skill '%s' is already installed (use `bnity skill "
			"update %s`, or --force to replace it)", m->name,
			m->name);
		goto out;
	}
	if ((r = bn_skill_tree_hash(hash, dir, err)))
		goto out;
	if (exists) {
		old_hash = bn_store__index_hash(s, m->name);
		(void)bn_skill_manifest_load(&old, final, NULL, NULL);
		unchanged_caps(&keep, old, m);
	}
	/* the database, not the marker, says what this install is: should
	   the rename happen and the process die, the next open completes
	   it when the folder hashes to HASH */
	if ((r = bn_store__index_pending(s, m, o->tier, o->source, hash, err)) ||
	    (r = pending_grants(s, m->name, o, err)))
		goto out;
	if ((r = write_marker(dir, o, err)))
		goto out;
	/* its files by hash, for the homes that share the database */
	if ((r = bn_store__tree_put(s, dir, hash, err)))
		goto out;
	bn_fault("install-before-commit");
	if (exists)
		r = renameat2(AT_FDCWD, dir, AT_FDCWD, final, RENAME_EXCHANGE);
	else
		r = renameat2(AT_FDCWD, dir, AT_FDCWD, final, RENAME_NOREPLACE);
	if (r < 0) {
		r = bn_err_set(err, errno == EEXIST ? BN_EEXIST : BN_EIO,
			       "%s: %s", final, strerror(errno));
		goto out;
	}
	bn_fault("install-after-commit");
	bn_store__had_set(s, m->name, hash);
	/* The old folder (an update) is now at DIR, in scratch. */
	if (exists)
		(void)bn_fs_rmtree(dir, NULL);
	r = bn_store__index_put(s, m, o->tier, o->source, hash, err);
	/* new bytes are a new identity: only grants of an unchanged scope
	   follow them, and the old files leave the database */
	if (!r && exists)
		r = bn_store__grants_carry(s, m->name, old_hash, hash, &keep,
					   err);
	if (!r && exists && old_hash && strcmp(old_hash, hash))
		r = bn_store__tree_forget(s, old_hash, err);
out:
	bn_skill_manifest_free(m);
	bn_skill_manifest_free(old);
	bn_strv_clear(&keep);
	free(old_hash);
	free(final);
	return r;
}

int bn_store__skill_reidentify(bn_store *s, const char *name,
			       const char *before,
			       const bn_skill_manifest *old, bn_err *err)
{
	char *dir = bn_fs_join(s->skills_dir, name), *want;
	char hash[BN_SKILL_TREE_HASH_SIZE];
	bn_skill_manifest *m = NULL;
	bn_strv keep = { 0 };
	int r;

	want = bn_store__index_hash(s, name);
	if (!want || strcmp(want, before))
		r = bn_err_set(err, BN_EINVAL, "skill '%s': the store's record "
			       "changed meanwhile; run `bnity skill verify %s`",
			       name, name);
	else if ((r = bn_skill_manifest_load(&m, dir, NULL, err)) == 0 &&
		 (r = bn_skill_tree_hash(hash, dir, err)) == 0 &&
		 (r = bn_store__tree_put(s, dir, hash, err)) == 0 &&
		 (r = bn_store__index_put(s, m, NULL, NULL, hash, err)) == 0) {
		/* the scopes declared as before were approved as they are
		   (all of them when the SKILL.md is the same) */
		unchanged_caps(&keep, old ? old : m, m);
		r = bn_store__grants_carry(s, name, before, hash, &keep, err);
		if (!r && strcmp(before, hash))
			r = bn_store__tree_forget(s, before, err);
		if (!r)
			bn_store__had_set(s, name, hash);
	}
	bn_skill_manifest_free(m);
	bn_strv_clear(&keep);
	free(want);
	free(dir);
	return r;
}

int bn_store_skill_rebuilt(bn_store *s, const char *name, const char *before,
			   bn_err *err)
{
	return bn_store__skill_reidentify(s, name, before, NULL, err);
}

/* The tier DIR's marker claims (owned), or NULL when it has none. */
static char *marker_tier(const char *dir)
{
	char *path = bn_fs_join(dir, MARKER), *text, *t = NULL;
	size_t len;
	json_t *j;

	if (bn_fs_read_file(&text, &len, path, MARKER_MAX_BYTES, NULL)) {
		free(path);
		return NULL;
	}
	free(path);
	j = json_loadb(text, len, 0, NULL);
	free(text);
	if (json_is_string(json_object_get(j, "tier")))
		t = bn_xstrdup(json_string_value(json_object_get(j, "tier")));
	json_decref(j);
	return t;
}

int bn_store_skill_verify(bn_store *s, const char *name,
			  const char *expect_tier, bn_err *err)
{
	char *dir, *want = NULL, *tier = NULL, *claimed = NULL;
	char hash[BN_SKILL_TREE_HASH_SIZE];
	int r;

	if (!bn_skill_name_is_slug(name))
		return bn_err_set(err, BN_EINVAL, "'%s' is not a skill name",
				  name);
	dir = bn_fs_join(s->skills_dir, name);
	want = bn_store__index_hash(s, name);
	if (!want) {
		r = bn_err_set(err, BN_ENOTFOUND, "skill '%s' has no tree "
			       "hash in the store's index (%s): reinstall it",
			       name, s->db_path);
		goto out;
	}
	if ((r = bn_skill_tree_hash(hash, dir, err)))
		goto out;
	if (strcmp(hash, want)) {
		r = bn_err_set(err, BN_EINVAL, "skill '%s' changed since it "
			       "was installed: its files hash to %s, the store "
			       "recorded %s", name, hash, want);
		goto out;
	}
	tier = bn_store__index_tier(s, name);
	claimed = marker_tier(dir);
	if (claimed && strcmp(claimed, tier))
		r = bn_err_set(err, BN_EINVAL, "skill '%s': %s/%s says tier "
			       "'%s' but it was installed as '%s' (the store's "
			       "index decides; the file was edited)", name,
			       dir, MARKER, claimed, tier);
	else if (expect_tier && strcmp(expect_tier, tier))
		r = bn_err_set(err, BN_EINVAL, "skill '%s': skills-lock.json "
			       "says tier '%s' but it was installed as '%s' "
			       "(the store's index decides)", name,
			       expect_tier, tier);
out:
	free(dir);
	free(want);
	free(tier);
	free(claimed);
	return r;
}
