/* SPDX-License-Identifier: MIT */
/*
 * store/install.c - committing a prepared skill folder into the store.
 *
 * The folder must already sit in a scratch folder of the store
 * (skills/.tmp-*, made by bn_store_scratch_new), so the commit is one
 * rename(2) - or, for an update, one renameat2(RENAME_EXCHANGE) that
 * swaps the new folder with the old one.  The folder carries a marker
 * file (.bnity-install.json) with its tier and source, so that a kill
 * after the rename still leaves an index that tells the truth: the
 * reconcile at open reads the marker (bn_store__install_reconcile).
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

#define MARKER ".bnity-install.json"
#define MARKER_MAX_BYTES ((size_t)64 << 10)

/* Tier and source from DIR's marker; false when none is readable. */
static bool marker_read(char **tier, char **source, const char *dir)
{
	char *path = bn_fs_join(dir, MARKER), *text;
	const char *t, *src;
	size_t len;
	json_t *j;

	if (bn_fs_read_file(&text, &len, path, MARKER_MAX_BYTES, NULL)) {
		free(path);
		return false;
	}
	free(path);
	j = json_loadb(text, len, 0, NULL);
	free(text);
	t = json_string_value(json_object_get(j, "tier"));
	src = json_string_value(json_object_get(j, "source"));
	if (!t || !src) {
		json_decref(j);
		return false;
	}
	*tier = bn_xstrdup(t);
	*source = bn_xstrdup(src);
	json_decref(j);
	return true;
}

int bn_store__install_reconcile(bn_store *s, bool apply, bool *need,
				bn_err *err)
{
	DIR *d = opendir(s->skills_dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return bn_err_set(err, BN_EIO, "%s: %s", s->skills_dir,
				  strerror(errno));
	while (r == 0 && (de = readdir(d)) != NULL) {
		bn_skill_manifest *m = NULL;
		char *dir, *tier = NULL, *source = NULL;

		if (de->d_name[0] == '.')
			continue;
		dir = bn_fs_join(s->skills_dir, de->d_name);
		if (marker_read(&tier, &source, dir) &&
		    bn_skill_manifest_load(&m, dir, NULL, NULL) == 0) {
			if (!bn_store__index_has(s, m->name, tier, source)) {
				*need = true;
				if (apply)
					r = bn_store__index_put(s, m, tier,
								source, err);
			}
		}
		bn_skill_manifest_free(m);
		free(tier);
		free(source);
		free(dir);
	}
	closedir(d);
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

int bn_store_skill_install(bn_store *s, const char *dir,
			   const bn_store_install_opts *o, bn_err *err)
{
	bn_skill_manifest *m = NULL;
	char *final = NULL;
	bool exists;
	int r;

	if (!in_scratch(s, dir))
		return bn_err_set(err, BN_EINVAL,
			"%s: a prepared skill must be in a store scratch "
			"folder", dir);
	if ((r = bn_skill_manifest_load(&m, dir, NULL, err)))
		return r;
	if (!bn_store__slug_ok(m->name)) {
		r = bn_err_set(err, BN_EINVAL,
			"skill name '%s' cannot be a store folder: use 1 to "
			"64 lowercase letters, digits and hyphens", m->name);
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
	if ((r = write_marker(dir, o, err)))
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
	/* The old folder (an update) is now at DIR, in scratch. */
	if (exists)
		(void)bn_fs_rmtree(dir, NULL);
	r = bn_store__index_put(s, m, o->tier, o->source, err);
out:
	bn_skill_manifest_free(m);
	free(final);
	return r;
}
