/* SPDX-License-Identifier: MIT */
/*
 * registry/util.c - helpers the sources share: checking remote paths,
 * writing fetched files without following links, finding the skill
 * folders of a fetched tree, and candidate lists.
 */
#include "registry_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"

#define FIND_MAX_DEPTH 16

bool bn_registry__rel_ok(const char *rel)
{
	const char *s = rel;

	if (!*rel || *rel == '/' || strlen(rel) > 1000)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\\' || *s == 0x7f)
			return false;
	s = rel;
	while (*s) {
		size_t l = strcspn(s, "/");
		if (l == 0 || (l == 1 && s[0] == '.') ||
		    (l == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += l;
		if (*s)
			s++;
		if (!*s && s[-1] == '/')
			return false;
	}
	return true;
}

int bn_registry__write_rel(const char *dir, const char *rel,
			   const void *data, size_t len, bn_err *err)
{
	char buf[1024];
	char *p;
	int dfd, fd, r = 0;

	if (!bn_registry__rel_ok(rel))
		return bn_err_set(err, BN_EDENIED,
			"'%.200s': the path would leave the skill folder",
			rel);
	snprintf(buf, sizeof(buf), "%s", rel);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", dir, strerror(errno));
	/* Walk down folder by folder, never through a link. */
	for (p = buf; (p = strchr(buf, '/')) != NULL;) {
		int sub;
		*p = '\0';
		if (mkdirat(dfd, buf, 0755) < 0 && errno != EEXIST) {
			r = bn_err_set(err, BN_EIO, "%s: %s", rel,
				       strerror(errno));
			goto out;
		}
		sub = openat(dfd, buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		if (sub < 0) {
			r = bn_err_set(err, BN_EDENIED, "%s: '%s' is not a "
				       "folder", rel, buf);
			goto out;
		}
		close(dfd);
		dfd = sub;
		memmove(buf, p + 1, strlen(p + 1) + 1);
	}
	fd = openat(dfd, buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	if (fd < 0) {
		r = bn_err_set(err, BN_EIO, "%s: %s", rel, strerror(errno));
		goto out;
	}
	if (len && write(fd, data, len) != (ssize_t)len)
		r = bn_err_set(err, BN_EIO, "%s: %s", rel, strerror(errno));
	close(fd);
out:
	close(dfd);
	return r;
}

typedef struct finder {
	bn_strv *out;
	size_t entries;
} finder;

static int find_in(finder *f, const char *root, const char *rel,
		   unsigned depth, bn_err *err)
{
	char *dir = *rel ? bn_fs_join(root, rel) : bn_xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *de;
	bool has_skill = false;
	bn_strv subs = { 0 };
	int r = 0;

	if (!d) {
		r = bn_err_set(err, BN_EIO, "%s: %s", dir, strerror(errno));
		free(dir);
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".git"))
			continue;
		if (++f->entries > BN_REGISTRY_MAX_ENTRIES * 10) {
			r = bn_err_set(err, BN_ELIMIT,
				"more than %d entries to search",
				BN_REGISTRY_MAX_ENTRIES * 10);
			break;
		}
		if (!strcmp(de->d_name, "SKILL.md") ||
		    !strcmp(de->d_name, "skill.md"))
			has_skill = true;
		p = bn_fs_join(dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			bn_strv_push(&subs, de->d_name);
		free(p);
	}
	closedir(d);
	if (has_skill)
		bn_strv_push(f->out, rel);
	/* A skill's own sub-folders are its files, not more skills. */
	for (size_t i = 0; r == 0 && !has_skill && i < subs.n &&
	     depth < FIND_MAX_DEPTH; i++) {
		char *sub = *rel ? bn_xasprintf("%s/%s", rel, subs.v[i]) :
			bn_xstrdup(subs.v[i]);
		r = find_in(f, root, sub, depth + 1, err);
		free(sub);
	}
	bn_strv_clear(&subs);
	free(dir);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int bn_registry__find_skills(bn_strv *out, const char *root, bn_err *err)
{
	finder f = { out, 0 };
	int r = find_in(&f, root, "", 0, err);

	if (!r && out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return r;
}

void bn_registry_candidates_clear(bn_registry_candidates *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].dir);
		free(c->v[i].path);
		free(c->v[i].ref);
		free(c->v[i].digest);
	}
	free(c->v);
	free(c->resolved_ref);
	memset(c, 0, sizeof(*c));
}

void bn_registry__candidate_add(bn_registry_candidates *out,
				const char *name, const char *dir,
				const char *path, const char *ref,
				const char *digest)
{
	bn_registry_candidate *c;

	out->v = bn_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	c = &out->v[out->n++];
	c->name = bn_xstrdup(name);
	c->dir = bn_xstrdup(dir);
	c->path = path && *path ? bn_xstrdup(path) : NULL;
	c->ref = ref ? bn_xstrdup(ref) : NULL;
	c->digest = digest ? bn_xstrdup(digest) : NULL;
}

static bool under(const char *path, const char *prefix)
{
	size_t n;

	if (!prefix || !*prefix)
		return true;
	n = strlen(prefix);
	while (n && prefix[n - 1] == '/')
		n--;
	return strncmp(path, prefix, n) == 0 &&
		(path[n] == '\0' || path[n] == '/');
}

int bn_registry__candidates_from_tree(bn_registry_candidates *out,
				      const char *root, const char *prefix,
				      const char *ref, const char *what,
				      bn_err *err)
{
	bn_strv dirs = { 0 };
	size_t before = out->n;
	int r = bn_registry__find_skills(&dirs, root, err);

	for (size_t i = 0; r == 0 && i < dirs.n; i++) {
		const char *rel = dirs.v[i];
		const char *base = strrchr(rel, '/');
		char *dir;

		if (!under(rel, prefix))
			continue;
		base = base ? base + 1 : rel;
		dir = *rel ? bn_fs_join(root, rel) : bn_xstrdup(root);
		bn_registry__candidate_add(out, *base ? base : "", dir, rel,
					   ref, NULL);
		free(dir);
	}
	bn_strv_clear(&dirs);
	if (!r && out->n == before)
		r = bn_err_set(err, BN_ENOTFOUND,
			"%s: no skill found (no folder holds a SKILL.md%s%s)",
			what, prefix && *prefix ? " under " : "",
			prefix && *prefix ? prefix : "");
	return r;
}

bool bn_registry_ctx_wants(const bn_registry_ctx *ctx, const char *name)
{
	if (!ctx->only || ctx->n_only == 0)
		return true;
	char *slug = bn_skill_name_slug(name);
	bool yes = false;
	/* a skill asked for by its store name or by its own */
	for (size_t i = 0; i < ctx->n_only && !yes; i++) {
		char *want = bn_skill_name_slug(ctx->only[i]);
		yes = !strcmp(ctx->only[i], name) || !strcmp(want, slug);
		free(want);
	}
	free(slug);
	return yes;
}

bool bn_registry__wants_dir(const bn_registry_ctx *ctx, const char *base,
			    const char *dir)
{
	bn_skill_manifest *m = NULL;
	bool yes = bn_registry_ctx_wants(ctx, base);

	if (!yes && bn_skill_manifest_load(&m, dir, NULL, NULL) == 0)
		yes = bn_registry_ctx_wants(ctx, m->name);
	bn_skill_manifest_free(m);
	return yes;
}
