/* SPDX-License-Identifier: MIT */
/*
 * registry/lock.c - $BNITY_HOME/skills-lock.json.
 *
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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"

#define LOCK_FILE "skills-lock.json"
#define LOCK_MAX_BYTES ((size_t)16 << 20)

/* ---- entries ------------------------------------------------------------ */

/* An entry's field at offset OFF and its key in skills-lock.json. */
typedef struct entry_field {
	const char *key;
	size_t off;
} entry_field;
#define FIELD(key, field) { key, offsetof(bn_registry_lock_entry, field) }

/* The text fields (char *), in the order they are written. */
static const entry_field text_fields[] = {
	FIELD("source", source),
	FIELD("sourceType", source_type),
	FIELD("ref", ref),
	FIELD("path", path),
	FIELD("computedHash", hash),
	FIELD("sourceHash", source_hash),
	FIELD("tier", tier),
	FIELD("version", version),
	FIELD("originalName", original_name),
};

/* The lists of text (bn_strv), written after them. */
static const entry_field list_fields[] = {
	FIELD("capabilities", capabilities),
	FIELD("granted", granted),
};
#undef FIELD
#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

static char **text_at(const bn_registry_lock_entry *e, const entry_field *f)
{
	return (char **)((char *)e + f->off);
}

static bn_strv *list_at(const bn_registry_lock_entry *e,
			const entry_field *f)
{
	return (bn_strv *)((char *)e + f->off);
}

void bn_registry_lock_entry_clear(bn_registry_lock_entry *e)
{
	free(e->name);
	for (size_t i = 0; i < N_FIELDS(text_fields); i++)
		free(*text_at(e, &text_fields[i]));
	for (size_t i = 0; i < N_FIELDS(list_fields); i++)
		bn_strv_clear(list_at(e, &list_fields[i]));
	for (size_t i = 0; i < e->n_copies; i++) {
		free(e->copies[i].agent);
		free(e->copies[i].path);
		free(e->copies[i].hash);
	}
	free(e->copies);
	memset(e, 0, sizeof(*e));
}

void bn_registry_lock_entry_add_copy(bn_registry_lock_entry *e,
				     const char *agent, const char *path,
				     const char *hash)
{
	bn_registry_agent_copy *c;

	e->copies = bn_xrealloc(e->copies,
				(e->n_copies + 1) * sizeof(*e->copies));
	c = &e->copies[e->n_copies++];
	c->agent = bn_xstrdup(agent);
	c->path = bn_xstrdup(path);
	c->hash = bn_xstrdup(hash);
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
	for (size_t i = 0; i < N_FIELDS(text_fields); i++)
		set_str(o, text_fields[i].key, *text_at(e, &text_fields[i]));
	for (size_t i = 0; i < N_FIELDS(list_fields); i++)
		json_object_set_new(o, list_fields[i].key,
				    strv_json(list_at(e, &list_fields[i])));
	json_object_set_new(o, "installedAt", json_integer(e->installed_at));
	if (e->n_copies) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < e->n_copies; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:s}",
				"agent", e->copies[i].agent, "path",
				e->copies[i].path, "hash", e->copies[i].hash));
		json_object_set_new(o, "agentCopies", a);
	} else {
		json_object_del(o, "agentCopies");
	}
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
	for (size_t k = 0; k < N_FIELDS(text_fields); k++)
		*text_at(&e, &text_fields[k]) = get_str(j, text_fields[k].key);
	for (size_t k = 0; k < N_FIELDS(list_fields); k++)
		get_strv(list_at(&e, &list_fields[k]), j, list_fields[k].key);
	e.installed_at = json_integer_value(json_object_get(j, "installedAt"));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(j, "agentCopies"), i, c) {
		const char *agent = json_string_value(json_object_get(c, "agent"));
		const char *path = json_string_value(json_object_get(c, "path"));
		const char *hash = json_string_value(json_object_get(c, "hash"));
		if (agent && path && hash && path[0] == '/')
			bn_registry_lock_entry_add_copy(&e, agent, path, hash);
	}
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

int bn_registry_lock_put_many(const char *home,
			      const bn_registry_lock_entry *v, size_t n,
			      bn_err *err)
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
	for (size_t i = 0; i < n; i++) {
		o = json_object_get(skills, v[i].name);
		if (!json_is_object(o)) {
			o = json_object();
			json_object_set_new(skills, v[i].name, o);
		}
		entry_fill(o, &v[i]);
	}
	r = bn_registry_lock_save(home, lock, err);
	json_decref(lock);
	close(fd);
	return r;
}

int bn_registry_lock_put(const char *home, const char *name,
			 const bn_registry_lock_entry *e, bn_err *err)
{
	json_t *lock;
	int fd, r;

	if (e) {
		bn_registry_lock_entry one = *e;
		one.name = (char *)name;
		return bn_registry_lock_put_many(home, &one, 1, err);
	}
	if ((fd = lock_take(home, err)) < 0)
		return fd;
	if ((r = bn_registry_lock_load(&lock, home, err)) == 0) {
		json_object_del(json_object_get(lock, "skills"), name);
		r = bn_registry_lock_save(home, lock, err);
		json_decref(lock);
	}
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
