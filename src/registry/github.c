/* SPDX-License-Identifier: MIT */
/*
 * registry/github.c - skills in GitHub repositories through the REST API:
 * GET {api}/repos/O/R/commits/REF pins the commit; GET
 * {api}/repos/O/R/git/trees/SHA?recursive=1 lists every folder holding a
 * SKILL.md; files come from {raw}/O/R/SHA/PATH, or, when the tree is
 * truncated or BNITY_GITHUB_ARCHIVE=1, from {api}/repos/O/R/tarball/SHA
 * unpacked by archive.c.  GITHUB_TOKEN goes in the Authorization header
 * to the API and is never logged.
 * Docs: https://docs.github.com/en/rest/git/trees,
 * https://docs.github.com/en/rest/repos/contents#download-a-repository-archive-tar
 */
#include "registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"

/* One blob of the tree. */
typedef struct blob {
	char *path;
	size_t size;
	bool link;          /* mode 120000: a symbolic link */
} blob;

typedef struct tree {
	blob *v;
	size_t n;
	bool truncated;
} tree;

static void tree_clear(tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static bool sha_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n != 40 && n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Refs go into URLs: letters, digits and ._-/ only. */
static bool ref_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 200 || strstr(s, ".."))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-/", *s)))
			return false;
	return true;
}

static int resolve_commit(char **out, const bn_registry_ctx *ctx,
			  const char *o, const char *r_, const char *ref,
			  bn_err *err)
{
	char *url;
	json_t *j;
	const char *sha;
	int r;

	if (ref && sha_ok(ref)) {
		*out = bn_xstrdup(ref);
		return 0;
	}
	url = bn_xasprintf("%s/repos/%s/%s/commits/%s",
			   ctx->cfg->github_api_url, o, r_, ref ? ref : "HEAD");
	r = bn_registry__get_json(&j, ctx, url, ctx->cfg->github_token, url, err);
	if (!r) {
		sha = json_string_value(json_object_get(j, "sha"));
		if (!sha_ok(sha))
			r = bn_err_set(err, BN_EINVAL,
				"%s: the answer has no commit sha", url);
		else
			*out = bn_xstrdup(sha);
		json_decref(j);
	}
	free(url);
	return r;
}

static int list_tree(tree *out, const bn_registry_ctx *ctx, const char *o,
		     const char *r_, const char *sha, bn_err *err)
{
	char *url = bn_xasprintf("%s/repos/%s/%s/git/trees/%s?recursive=1",
				 ctx->cfg->github_api_url, o, r_, sha);
	json_t *j, *items, *it;
	tree t = { 0 };
	size_t i;
	int r = bn_registry__get_json(&j, ctx, url, ctx->cfg->github_token, url, err);

	if (r) {
		free(url);
		return r;
	}
	items = json_object_get(j, "tree");
	if (!json_is_array(items)) {
		r = bn_err_set(err, BN_EINVAL, "%s: no \"tree\" array", url);
		goto out;
	}
	if (json_array_size(items) > (size_t)BN_REGISTRY_MAX_ENTRIES * 10) {
		r = bn_err_set(err, BN_ELIMIT, "%s: more than %d entries",
			       url, BN_REGISTRY_MAX_ENTRIES * 10);
		goto out;
	}
	t.truncated = json_is_true(json_object_get(j, "truncated"));
	json_array_foreach(items, i, it) {
		const char *path = json_string_value(json_object_get(it, "path"));
		const char *type = json_string_value(json_object_get(it, "type"));
		const char *mode = json_string_value(json_object_get(it, "mode"));
		json_t *size = json_object_get(it, "size");

		if (!path || !type) {
			r = bn_err_set(err, BN_EINVAL,
				"%s: tree entry %zu lacks path or type", url, i);
			goto out;
		}
		if (strcmp(type, "blob") != 0)
			continue;
		t.v = bn_xrealloc(t.v, (t.n + 1) * sizeof(*t.v));
		t.v[t.n].path = bn_xstrdup(path);
		t.v[t.n].size = json_is_integer(size) &&
			json_integer_value(size) >= 0 ?
			(size_t)json_integer_value(size) : 0;
		t.v[t.n].link = mode && !strcmp(mode, "120000");
		t.n++;
	}
out:
	json_decref(j);
	free(url);
	if (r) {
		tree_clear(&t);
		return r;
	}
	*out = t;
	return 0;
}

static bool is_skill_md(const char *path, size_t *dir_len)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (strcmp(b, "SKILL.md") != 0 && strcmp(b, "skill.md") != 0)
		return false;
	*dir_len = b == path ? 0 : (size_t)(b - path - 1);
	return true;
}

static void skill_dirs(bn_strv *out, const tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t dl;
		char *d;
		if (!is_skill_md(t->v[i].path, &dl) || t->v[i].link)
			continue;
		d = bn_xstrndup(t->v[i].path, dl);
		if (!bn_strv_has(out, d))
			bn_strv_push(out, d);
		free(d);
	}
}

int bn_registry__github_list(bn_strv *dirs, char **commit_out,
			     const bn_registry_ctx *ctx, const char *owner,
			     const char *repo, const char *ref, bn_err *err)
{
	char *sha = NULL;
	tree t;
	int r = resolve_commit(&sha, ctx, owner, repo, ref, err);

	if (r)
		return r;
	if ((r = list_tree(&t, ctx, owner, repo, sha, err))) {
		free(sha);
		return r;
	}
	skill_dirs(dirs, &t);
	tree_clear(&t);
	*commit_out = sha;
	return 0;
}

static bool in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 0)
		return true;
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Check every blob of skill folder DIR before anything is downloaded. */
static int check_skill_blobs(const tree *t, const char *dir, bn_err *err)
{
	size_t total = 0, files = 0;

	for (size_t i = 0; i < t->n; i++) {
		const blob *b = &t->v[i];
		const char *rel;

		if (!in_dir(b->path, dir))
			continue;
		rel = *dir ? b->path + strlen(dir) + 1 : b->path;
		if (!bn_registry__rel_ok(rel))
			return bn_err_set(err, BN_EDENIED,
				"%s: the path would leave the skill folder",
				b->path);
		if (b->link)
			return bn_err_set(err, BN_EDENIED,
				"%s: symbolic links are refused (they could "
				"point outside the skill)", b->path);
		if (b->size > BN_REGISTRY_FILE_MAX_BYTES)
			return bn_err_set(err, BN_ELIMIT,
				"%s: %zu bytes, over the %zu-byte cap per file",
				b->path, b->size, BN_REGISTRY_FILE_MAX_BYTES);
		total += b->size;
		if (total > BN_REGISTRY_SKILL_MAX_BYTES ||
		    ++files > BN_REGISTRY_MAX_ENTRIES)
			return bn_err_set(err, BN_ELIMIT,
				"%s: the skill is over %zu bytes or %d files",
				dir, BN_REGISTRY_SKILL_MAX_BYTES,
				BN_REGISTRY_MAX_ENTRIES);
	}
	return 0;
}

/* Download the files of skill folder DIR into DEST via raw; the sizes
   the tree gave are checked first and each download is capped too. */
static int fetch_skill_raw(const bn_registry_ctx *ctx, const tree *t,
			   const char *o, const char *r_, const char *sha,
			   const char *dir, const char *dest, bn_err *err)
{
	bn_registry_fetch_opts fo = BN_REGISTRY_FETCH_OPTS_INIT;
	int r = check_skill_blobs(t, dir, err);

	fo.max_bytes = BN_REGISTRY_FILE_MAX_BYTES;
	fo.progress = ctx->progress;
	for (size_t i = 0; r == 0 && i < t->n; i++) {
		const blob *b = &t->v[i];
		bn_registry_response resp;
		char *url;

		if (!in_dir(b->path, dir))
			continue;
		if (ctx->offline)
			return bn_err_set(err, BN_ENOTFOUND,
				"%s: file contents are not cached (--offline)",
				b->path);
		url = bn_xasprintf("%s/%s/%s/%s/%s", ctx->cfg->github_raw_url,
				   o, r_, sha, b->path);
		r = bn_registry_fetch(&resp, url, &fo, err);
		free(url);
		if (r)
			return r;
		r = bn_registry__write_rel(dest, *dir ? b->path +
					   strlen(dir) + 1 : b->path,
					   resp.body.data ? resp.body.data : "",
					   resp.body.len, err);
		bn_registry_response_clear(&resp);
	}
	return r;
}

static int fetch_tarball(bn_registry_candidates *out,
			 const bn_registry_ctx *ctx,
			 const bn_registry_source *src, const char *sha,
			 const char *scratch, bn_err *err)
{
	bn_registry_fetch_opts fo = BN_REGISTRY_FETCH_OPTS_INIT;
	bn_registry_limits lim = { 0, 0, 0 };
	bn_registry_response resp;
	char *url, *root;
	int r;

	if (ctx->offline)
		return bn_err_set(err, BN_ENOTFOUND,
			"%s/%s: the archive is not cached (--offline)",
			src->owner, src->repo);
	url = bn_xasprintf("%s/repos/%s/%s/tarball/%s",
			   ctx->cfg->github_api_url, src->owner, src->repo,
			   sha);
	fo.max_bytes = BN_REGISTRY_ARCHIVE_MAX_BYTES;
	fo.token = ctx->cfg->github_token;
	fo.progress = ctx->progress;
	r = bn_registry_fetch(&resp, url, &fo, err);
	free(url);
	if (r)
		return r;
	root = bn_fs_join(scratch, "repo");
	r = bn_fs_mkdirs(root, err);
	if (!r)
		r = bn_registry_archive_extract(root, resp.body.data,
						resp.body.len, &lim,
						BN_REGISTRY_ARCHIVE_STRIP1,
						err);
	bn_registry_response_clear(&resp);
	if (r)
		bn_err_prefix(err, "%s/%s tarball", src->owner, src->repo);
	else
		r = bn_registry__candidates_from_tree(out, root, src->path, sha,
						      src->text, err);
	free(root);
	return r;
}

static bool want_archive(const tree *t)
{
	const char *e = secure_getenv("BNITY_GITHUB_ARCHIVE");
	return t->truncated || (e && !strcmp(e, "1"));
}

int bn_registry_github_fetch(bn_registry_candidates *out,
			     const bn_registry_ctx *ctx,
			     const bn_registry_source *src,
			     const char *scratch, bn_err *err)
{
	bn_registry_candidates c = { 0 };
	bn_strv dirs = { 0 };
	char *sha = NULL;
	tree t = { 0 };
	int r;

	if (src->ref && !ref_ok(src->ref))
		return bn_err_set(err, BN_EINVAL, "ref '%s' is not a branch, "
				  "tag or commit name", src->ref);
	if ((r = resolve_commit(&sha, ctx, src->owner, src->repo, src->ref,
				err)))
		goto out;
	if ((r = list_tree(&t, ctx, src->owner, src->repo, sha, err)))
		goto out;
	if (want_archive(&t)) {
		r = fetch_tarball(&c, ctx, src, sha, scratch, err);
		goto out;
	}
	skill_dirs(&dirs, &t);
	for (size_t i = 0; r == 0 && i < dirs.n; i++) {
		const char *d = dirs.v[i], *base = strrchr(d, '/');
		char *dest, *tag;
		if (src->path && *src->path &&
		    !(strcmp(d, src->path) == 0 || in_dir(d, src->path)))
			continue;
		if (!bn_registry_ctx_wants(ctx, base ? base + 1 : d))
			continue;
		if (*d && !bn_registry__rel_ok(d)) {
			r = bn_err_set(err, BN_EDENIED,
				"%s: the path would leave the repository", d);
			break;
		}
		tag = bn_xasprintf("gh-%zu", i);
		dest = bn_fs_join(scratch, tag);
		free(tag);
		r = bn_fs_mkdirs(dest, err);
		if (!r)
			r = fetch_skill_raw(ctx, &t, src->owner, src->repo, sha,
					    d, dest, err);
		base = base ? base + 1 : d;
		if (!r)
			bn_registry__candidate_add(&c, *base ? base : src->repo,
						   dest, d, sha, NULL);
		free(dest);
	}
	if (!r && c.n == 0)
		r = bn_err_set(err, BN_ENOTFOUND,
			"%s: no skill found (no folder holds a SKILL.md%s%s)",
			src->text, src->path ? " under " : "",
			src->path ? src->path : "");
out:
	bn_strv_clear(&dirs);
	tree_clear(&t);
	if (r) {
		bn_registry_candidates_clear(&c);
		free(sha);
		return r;
	}
	c.resolved_ref = sha;
	*out = c;
	return 0;
}
