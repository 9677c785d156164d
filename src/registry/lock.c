/* SPDX-License-Identifier: MIT */
/*
 * registry/lock.c - the tree hash of a skill folder and
 * $BNITY_HOME/skills-lock.json.
 *
 * The tree listing is one line "<sha256 hex>  <path>\n" per regular file,
 * sorted bytewise by its path relative to the skill folder ('/' between
 * components); the tree hash is "sha256:" + SHA-256 of that text.
 * skills-lock.json is {"version": 1, "skills": {NAME: {...}}} as other
 * agent tools write it (source, sourceType, computedHash); boternity adds
 * ref, path, tier, version, capabilities, granted, installedAt, and keeps
 * every key it does not know.  Format: docs/registries.md.
 */
#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"

#define LOCK_FILE "skills-lock.json"
#define LOCK_MAX_BYTES ((size_t)16 << 20)

typedef struct tree_file {
	char *path;
	char hex[65];
} tree_file;

typedef struct walk {
	tree_file *v;
	size_t n, cap;
	size_t bytes;
	size_t entries;
} walk;

static int hash_fd(char hex[65], int fd, const char *rel, size_t *bytes,
		   bn_err *err)
{
	crypto_hash_sha256_state st;
	unsigned char md[32], block[65536];
	size_t got = 0;
	ssize_t n;

	crypto_hash_sha256_init(&st);
	while ((n = read(fd, block, sizeof(block))) > 0) {
		got += (size_t)n;
		if (got > BN_REGISTRY_FILE_MAX_BYTES)
			return bn_err_set(err, BN_ELIMIT,
				"%s: larger than %zu bytes", rel,
				BN_REGISTRY_FILE_MAX_BYTES);
		crypto_hash_sha256_update(&st, block, (size_t)n);
	}
	if (n < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", rel, strerror(errno));
	crypto_hash_sha256_final(&st, md);
	sodium_bin2hex(hex, 65, md, sizeof(md));
	*bytes += got;
	return 0;
}

#define WALK_MAX_DEPTH 64

static int walk_dir(walk *w, int dfd, const char *prefix, bool sig,
		    unsigned depth, bn_err *err)
{
	DIR *d = depth < WALK_MAX_DEPTH ? fdopendir(dfd) : NULL;
	struct dirent *de;
	int r = 0;

	if (depth >= WALK_MAX_DEPTH) {
		close(dfd);
		return bn_err_set(err, BN_ELIMIT, "%s: folders nested deeper "
				  "than %d", prefix, WALK_MAX_DEPTH);
	}
	if (!d) {
		close(dfd);
		return bn_err_set(err, BN_EIO, "%s: %s", *prefix ? prefix :
				  ".", strerror(errno));
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *rel;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!*prefix && (!strcmp(de->d_name, BN_REGISTRY_MARKER_FILE) ||
				 (sig && !strcmp(de->d_name,
						 BN_REGISTRY_SIG_FILE))))
			continue;
		rel = *prefix ? bn_xasprintf("%s/%s", prefix, de->d_name) :
			bn_xstrdup(de->d_name);
		if (++w->entries > BN_REGISTRY_MAX_ENTRIES) {
			r = bn_err_set(err, BN_ELIMIT,
				"more than %d files and folders",
				BN_REGISTRY_MAX_ENTRIES);
		} else if (fstatat(dirfd(d), de->d_name, &st,
				   AT_SYMLINK_NOFOLLOW) < 0) {
			r = bn_err_set(err, BN_EIO, "%s: %s", rel,
				       strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY |
					 O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? bn_err_set(err, BN_EIO, "%s: %s", rel,
						 strerror(errno)) :
				walk_dir(w, sub, rel, sig, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name, O_RDONLY |
					O_NOFOLLOW | O_CLOEXEC);
			if (w->n == w->cap) {
				w->cap = w->cap ? 2 * w->cap : 32;
				w->v = bn_xrealloc(w->v, w->cap * sizeof(*w->v));
			}
			if (fd < 0) {
				r = bn_err_set(err, BN_EIO, "%s: %s", rel,
					       strerror(errno));
			} else {
				r = hash_fd(w->v[w->n].hex, fd, rel, &w->bytes,
					    err);
				close(fd);
			}
			if (!r && w->bytes > BN_REGISTRY_SKILL_MAX_BYTES)
				r = bn_err_set(err, BN_ELIMIT,
					"the skill is larger than %zu bytes",
					BN_REGISTRY_SKILL_MAX_BYTES);
			if (!r) {
				w->v[w->n++].path = rel;
				rel = NULL;
			}
		} else {
			r = bn_err_set(err, BN_EDENIED,
				"%s: %s refused (only files and folders)", rel,
				S_ISLNK(st.st_mode) ? "a symbolic link" :
				"a special file");
		}
		free(rel);
	}
	closedir(d);
	return r;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const tree_file *)a)->path,
		      ((const tree_file *)b)->path);
}

int bn_registry_tree_listing(bn_buf *out, const char *dir,
			     bool for_signature, bn_err *err)
{
	walk w = { 0 };
	size_t i;
	int fd, r;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", dir, strerror(errno));
	r = walk_dir(&w, fd, "", for_signature, 0, err);
	if (!r) {
		qsort(w.v, w.n, sizeof(*w.v), cmp_path);
		for (i = 0; i < w.n && r == 0; i++)
			if (bn_buf_printf(out, "%s  %s\n", w.v[i].hex,
					  w.v[i].path))
				r = bn_err_oom(err);
	}
	for (i = 0; i < w.n; i++)
		free(w.v[i].path);
	free(w.v);
	if (r)
		bn_err_prefix(err, "%s", dir);
	return r;
}

int bn_registry_tree_hash(char out[72], const char *dir, bn_err *err)
{
	bn_buf b = BN_BUF_INIT;
	char hex[65];
	int r = bn_registry_tree_listing(&b, dir, false, err);

	if (r) {
		bn_buf_clear(&b);
		return r;
	}
	bn_fs_sha256_hex(hex, b.data ? b.data : "", b.len);
	snprintf(out, 72, "sha256:%s", hex);
	bn_buf_clear(&b);
	return 0;
}

/* ---- entries ------------------------------------------------------------ */

void bn_registry_lock_entry_clear(bn_registry_lock_entry *e)
{
	free(e->name);
	free(e->source);
	free(e->source_type);
	free(e->ref);
	free(e->path);
	free(e->hash);
	free(e->source_hash);
	free(e->tier);
	free(e->version);
	bn_strv_clear(&e->capabilities);
	bn_strv_clear(&e->granted);
	memset(e, 0, sizeof(*e));
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
	else
		json_object_del(o, k);
}

static json_t *strv_json(const bn_strv *v)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

/* Write E's fields into O, leaving keys we do not own alone. */
static void entry_fill(json_t *o, const bn_registry_lock_entry *e)
{
	set_str(o, "source", e->source);
	set_str(o, "sourceType", e->source_type);
	set_str(o, "ref", e->ref);
	set_str(o, "path", e->path);
	set_str(o, "computedHash", e->hash);
	set_str(o, "sourceHash", e->source_hash);
	set_str(o, "tier", e->tier);
	set_str(o, "version", e->version);
	json_object_set_new(o, "capabilities", strv_json(&e->capabilities));
	json_object_set_new(o, "granted", strv_json(&e->granted));
	json_object_set_new(o, "installedAt", json_integer(e->installed_at));
}

json_t *bn_registry_lock_entry_to_json(const bn_registry_lock_entry *e)
{
	json_t *o = json_object();
	if (o)
		entry_fill(o, e);
	return o;
}

static char *get_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? bn_xstrdup(s) : NULL;
}

static void get_strv(bn_strv *out, const json_t *o, const char *k)
{
	const json_t *a = json_object_get(o, k);
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v))
			bn_strv_push(out, json_string_value(v));
}

int bn_registry_lock_entry_from_json(bn_registry_lock_entry *out,
				     const char *name, const json_t *j,
				     bn_err *err)
{
	bn_registry_lock_entry e = { 0 };

	if (!json_is_object(j))
		return bn_err_set(err, BN_EINVAL,
			"skills-lock.json: skill '%s' is not an object", name);
	e.name = bn_xstrdup(name);
	e.source = get_str(j, "source");
	e.source_type = get_str(j, "sourceType");
	e.ref = get_str(j, "ref");
	e.path = get_str(j, "path");
	e.hash = get_str(j, "computedHash");
	e.source_hash = get_str(j, "sourceHash");
	e.tier = get_str(j, "tier");
	e.version = get_str(j, "version");
	get_strv(&e.capabilities, j, "capabilities");
	get_strv(&e.granted, j, "granted");
	e.installed_at = json_integer_value(json_object_get(j, "installedAt"));
	*out = e;
	return 0;
}

/* ---- the file ----------------------------------------------------------- */

int bn_registry_lock_load(json_t **out, const char *home, bn_err *err)
{
	char *path = bn_fs_join(home, LOCK_FILE);
	json_error_t je;
	size_t len;
	char *text;
	json_t *j;
	int r;

	if (!bn_fs_is_file(path)) {
		free(path);
		j = json_pack("{s:i, s:{}}", "version", 1, "skills");
		if (!j)
			return bn_err_oom(err);
		*out = j;
		return 0;
	}
	r = bn_fs_read_file(&text, &len, path, LOCK_MAX_BYTES, err);
	if (r) {
		free(path);
		return r;
	}
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!j || !json_is_object(j)) {
		r = bn_err_set(err, BN_EINVAL, "%s:%d: %s", path,
			       j ? 1 : je.line, j ? "not a JSON object" :
			       je.text);
		json_decref(j);
		free(path);
		return r;
	}
	if (!json_object_get(j, "version"))
		json_object_set_new(j, "version", json_integer(1));
	if (!json_is_object(json_object_get(j, "skills"))) {
		if (json_object_get(j, "skills")) {
			r = bn_err_set(err, BN_EINVAL,
				       "%s: \"skills\" is not an object", path);
			json_decref(j);
			free(path);
			return r;
		}
		json_object_set_new(j, "skills", json_object());
	}
	free(path);
	*out = j;
	return 0;
}

int bn_registry_lock_save(const char *home, const json_t *lock, bn_err *err)
{
	char *path = bn_fs_join(home, LOCK_FILE);
	char *text = json_dumps(lock, JSON_INDENT(2) | JSON_SORT_KEYS);
	int r;

	if (!text) {
		free(path);
		return bn_err_oom(err);
	}
	size_t n = strlen(text);
	char *withnl = bn_xmalloc(n + 2);
	memcpy(withnl, text, n);
	withnl[n] = '\n';
	withnl[n + 1] = '\0';
	r = bn_fs_write_atomic(path, withnl, n + 1, 0644, err);
	free(withnl);
	free(text);
	free(path);
	return r;
}

/* Serialise read-modify-write of the lockfile between processes. */
static int lock_take(const char *home, bn_err *err)
{
	char *p = bn_fs_join(home, ".skills-lock.flock");
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	free(p);
	if (fd < 0)
		return bn_err_set(err, BN_EIO, "skills-lock.json: cannot lock: "
				  "%s", strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return bn_err_set(err, BN_EIO, "skills-lock.json: cannot "
				  "lock: %s", strerror(errno));
	}
	return fd;
}

int bn_registry_lock_put(const char *home, const char *name,
			 const bn_registry_lock_entry *e, bn_err *err)
{
	json_t *lock, *skills, *o;
	int fd = lock_take(home, err), r;

	if (fd < 0)
		return fd;
	r = bn_registry_lock_load(&lock, home, err);
	if (r) {
		close(fd);
		return r;
	}
	skills = json_object_get(lock, "skills");
	if (!e) {
		json_object_del(skills, name);
	} else {
		o = json_object_get(skills, name);
		if (!json_is_object(o)) {
			o = json_object();
			json_object_set_new(skills, name, o);
		}
		entry_fill(o, e);
	}
	r = bn_registry_lock_save(home, lock, err);
	json_decref(lock);
	close(fd);
	return r;
}

int bn_registry_lock_get(bn_registry_lock_entry *out, const char *home,
			 const char *name, bn_err *err)
{
	json_t *lock, *o;
	int r = bn_registry_lock_load(&lock, home, err);

	if (r)
		return r;
	o = json_object_get(json_object_get(lock, "skills"), name);
	if (!o)
		r = bn_err_set(err, BN_ENOTFOUND,
			       "skill '%s' is not in skills-lock.json", name);
	else
		r = bn_registry_lock_entry_from_json(out, name, o, err);
	json_decref(lock);
	return r;
}
