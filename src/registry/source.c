/* SPDX-License-Identifier: MIT */
/*
 * registry/source.c - what `bnity skill install SOURCE` accepts, and
 * fetching local folders and archives:
 *   ./path, /path            a folder holding one or more skills
 *   x.skill, x.zip, x.tar.gz a local archive
 *   owner/repo[/path][#ref]  a GitHub repository (and github.com URLs)
 *   owner/repo@skill         one skill of it (as skills.sh prints it)
 *   URL.git, file://, ssh:// and git@host:path  any git repository
 *   https://HOST             a site's /.well-known/agent-skills index
 */
#include "registry_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"

void bn_registry_source_clear(bn_registry_source *s)
{
	free(s->text);
	free(s->owner);
	free(s->repo);
	free(s->path);
	free(s->ref);
	free(s->url);
	free(s->skill);
	memset(s, 0, sizeof(*s));
}

static const char *const kind_names[BN_REGISTRY_SRC_MAX] = {
	"local", "archive", "github", "git", "well-known",
};

BN_STR_ENUM_NAME(bn_registry_source_kind, kind_names, "?")

static bool gh_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 100 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("-_.", s[i])))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* A bare git repository: HEAD, objects/ and refs/ at its top. */
static bool is_bare_repo(const char *dir)
{
	char *head = bn_fs_join(dir, "HEAD"), *obj = bn_fs_join(dir, "objects"),
	     *refs = bn_fs_join(dir, "refs");
	bool yes = bn_fs_is_file(head) && bn_fs_is_dir(obj) &&
		bn_fs_is_dir(refs);
	free(head);
	free(obj);
	free(refs);
	return yes;
}

/* "owner/repo[/path]" with the #ref already split off. */
static int parse_github(bn_registry_source *o, const char *t, bn_err *err)
{
	const char *slash = strchr(t, '/'), *rest;
	size_t rl;

	if (!slash || !gh_name_ok(t, (size_t)(slash - t)))
		return bn_err_set(err, BN_EINVAL, "'%s' is not owner/repo", t);
	rest = slash + 1;
	rl = strcspn(rest, "/");
	if (!gh_name_ok(rest, rl))
		return bn_err_set(err, BN_EINVAL, "'%s' is not owner/repo", t);
	o->owner = bn_xstrndup(t, (size_t)(slash - t));
	o->repo = bn_xstrndup(rest, rl);
	if (ends_with(o->repo, ".git"))
		o->repo[strlen(o->repo) - 4] = '\0';
	if (rest[rl] == '/' && rest[rl + 1]) {
		char *p = bn_xstrdup(rest + rl + 1);
		size_t n = strlen(p);
		while (n && p[n - 1] == '/')
			p[--n] = '\0';
		if (!bn_registry__rel_ok(p)) {
			free(p);
			return bn_err_set(err, BN_EINVAL,
					  "'%s': bad path inside the repository",
					  t);
		}
		o->path = p;
	}
	o->kind = BN_REGISTRY_SRC_GITHUB;
	return 0;
}

/* https://github.com/O/R[/tree/REF[/PATH]] */
static int parse_github_url(bn_registry_source *o, const char *after_host,
			    bn_err *err)
{
	char *t = bn_xstrdup(after_host);
	char *tree = strstr(t, "/tree/");
	int r;

	if (!tree)
		tree = strstr(t, "/blob/");
	if (tree) {
		char *ref = tree + 6, *sl = strchr(ref, '/');
		*tree = '\0';
		if (sl) {
			*sl = '\0';
			char *joined = bn_xasprintf("%s/%s", t, sl + 1);
			free(o->ref);
			o->ref = bn_xstrdup(ref);
			r = parse_github(o, joined, err);
			free(joined);
			free(t);
			return r;
		}
		free(o->ref);
		o->ref = bn_xstrdup(ref);
	}
	r = parse_github(o, t, err);
	free(t);
	return r;
}

int bn_registry_source_parse(bn_registry_source *out, const char *text,
			     bn_err *err)
{
	bn_registry_source o = { 0 };
	struct stat st;
	char *t, *hash;
	int r = 0;

	if (!text || !*text || strlen(text) > 2000)
		return bn_err_set(err, BN_EINVAL, "an empty or too long source");
	o.text = bn_xstrdup(text);
	if (stat(text, &st) == 0) {
		o.url = realpath(text, NULL);
		if (!o.url)
			o.url = bn_xstrdup(text);
		if (S_ISDIR(st.st_mode) && is_bare_repo(o.url))
			o.kind = BN_REGISTRY_SRC_GIT;
		else if (S_ISDIR(st.st_mode))
			o.kind = BN_REGISTRY_SRC_LOCAL;
		else if (ends_with(text, ".skill") || ends_with(text, ".zip") ||
			 ends_with(text, ".tar.gz") || ends_with(text, ".tgz") ||
			 ends_with(text, ".tar"))
			o.kind = BN_REGISTRY_SRC_ARCHIVE;
		else if (ends_with(text, ".git")) {
			o.kind = BN_REGISTRY_SRC_GIT;
		} else {
			bn_registry_source_clear(&o);
			return bn_err_set(err, BN_EINVAL,
				"%s: not a folder, a .skill/.zip/.tar.gz "
				"archive or a git repository", text);
		}
		*out = o;
		return 0;
	}
	t = bn_xstrdup(text);
	hash = strrchr(t, '#');
	if (hash) {
		*hash = '\0';
		o.ref = bn_xstrdup(hash + 1);
	}
	if (!strncasecmp(t, "https://github.com/", 19))
		r = parse_github_url(&o, t + 19, err);
	else if (!strncasecmp(t, "github.com/", 11))
		r = parse_github_url(&o, t + 11, err);
	else if (!strncasecmp(t, "file://", 7) || !strncasecmp(t, "ssh://", 6) ||
		 !strncasecmp(t, "git@", 4) || ends_with(t, ".git") ||
		 !strncasecmp(t, "git://", 6)) {
		o.kind = BN_REGISTRY_SRC_GIT;
		o.url = bn_xstrdup(t);
	} else if (!strncasecmp(t, "https://", 8) ||
		   !strncasecmp(t, "http://", 7)) {
		const char *host = strstr(t, "://") + 3;
		const char *path = host + strcspn(host, "/?");
		if (*path == '\0' || !strcmp(path, "/")) {
			o.kind = BN_REGISTRY_SRC_WELLKNOWN;
			o.url = bn_xstrndup(t, (size_t)(path - t));
		} else {
			o.kind = BN_REGISTRY_SRC_GIT;
			o.url = bn_xstrdup(t);
		}
	} else if (strchr(t, '/') && t[0] != '.' && t[0] != '/') {
		char *at = strchr(strchr(t, '/'), '@');
		if (at) {
			*at = '\0';
			o.skill = bn_xstrdup(at + 1);
		}
		r = o.skill && !*o.skill ?
			bn_err_set(err, BN_EINVAL, "'%s': no skill name after "
				   "'@'", text) : parse_github(&o, t, err);
	} else {
		r = bn_err_set(err, BN_EINVAL,
			"'%s': not a folder, an archive, owner/repo, a git URL "
			"or https://HOST (see `bnity help skill install`)",
			text);
	}
	free(t);
	if (r) {
		bn_registry_source_clear(&o);
		return r;
	}
	*out = o;
	return 0;
}

const char *bn_registry_source_disk_path(const bn_registry_source *s)
{
	const char *u = s->url;

	if (s->kind == BN_REGISTRY_SRC_LOCAL || s->kind == BN_REGISTRY_SRC_ARCHIVE)
		return u;
	if (s->kind != BN_REGISTRY_SRC_GIT || !u)
		return NULL;
	if (!strncasecmp(u, "file://", 7))
		return u + 7;
	/* a scheme or scp-like "host:path" goes over a network */
	if (strstr(u, "://") || (strchr(u, ':') && u[0] != '/' && u[0] != '.'))
		return NULL;
	return u;
}

static int fetch_local(bn_registry_candidates *out,
		       const bn_registry_ctx *ctx,
		       const bn_registry_source *src, const char *scratch,
		       bn_err *err)
{
	bn_registry_candidates c = { 0 };
	bn_strv dirs = { 0 };
	const char *at = src->read_at ? src->read_at : src->url;
	int r = bn_registry__find_skills(&dirs, at, err);

	for (size_t i = 0; r == 0 && i < dirs.n; i++) {
		const char *rel = dirs.v[i], *base = strrchr(rel, '/');
		char *from = *rel ? bn_fs_join(at, rel) : bn_xstrdup(at);
		char *tag = bn_xasprintf("local-%zu", i);
		char *to = bn_fs_join(scratch, tag);
		bn_buf check = BN_BUF_INIT;

		base = base ? base + 1 : rel;
		if (!*base) {
			base = strrchr(src->url, '/');
			base = base ? base + 1 : src->url;
		}
		if (bn_registry__wants_dir(ctx, base, from)) {
			/* refuses links and oversized trees before copying */
			r = bn_skill_tree_listing(&check, from, false, err);
			if (!r)
				r = bn_fs_copytree(from, to, err);
			if (!r)
				bn_registry__candidate_add(&c, base, to, rel,
							   NULL, NULL);
		}
		bn_buf_clear(&check);
		free(from);
		free(tag);
		free(to);
	}
	bn_strv_clear(&dirs);
	if (!r && c.n == 0)
		r = bn_err_set(err, BN_ENOTFOUND,
			       "%s: no skill found (no folder holds a SKILL.md)",
			       src->url);
	if (r) {
		bn_registry_candidates_clear(&c);
		return r;
	}
	*out = c;
	return 0;
}

static int fetch_archive(bn_registry_candidates *out,
			 const bn_registry_source *src, const char *scratch,
			 bn_err *err)
{
	bn_registry_limits lim = { 0, BN_REGISTRY_SKILL_MAX_BYTES, 0 };
	char *data, *dest;
	size_t len;
	int r = bn_fs_read_file(&data, &len, src->read_at ? src->read_at :
				src->url, BN_REGISTRY_SKILL_MAX_BYTES, err);

	if (r)
		return r;
	dest = bn_fs_join(scratch, "archive");
	r = bn_fs_mkdirs(dest, err);
	if (!r)
		r = bn_registry_archive_extract(dest, data, len, &lim, 0, err);
	free(data);
	if (r)
		bn_err_prefix(err, "%s", src->text);
	else
		r = bn_registry__candidates_from_tree(out, dest, NULL, NULL,
						      src->text, err);
	free(dest);
	return r;
}

/* SRC's folder, archive or repository on this disk, opened below
   CTX's root and read through the descriptor (see bn_registry_ctx). */
static int fetch_pinned(bn_registry_candidates *out,
			const bn_registry_ctx *ctx,
			const bn_registry_source *src, const char *disk,
			const char *scratch, bn_err *err)
{
	bn_registry_source p = *src;
	char at[64];
	int fd = -1, r;

	if (!ctx->disk_root)
		return bn_err_set(err, BN_EDENIED, "%s: this server does not "
				  "read skills from its own disk (it was "
				  "started without --install-root)", src->text);
	if ((r = bn_fs_open_below(&fd, ctx->disk_root, disk, err)))
		return r;
	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	p.read_at = at;
	if (p.kind == BN_REGISTRY_SRC_GIT)
		p.url = at;     /* the clone reads the pinned repository */
	r = bn_registry_source_fetch(out, ctx, &p, scratch, err);
	close(fd);
	return r;
}

int bn_registry_source_fetch(bn_registry_candidates *out,
			     const bn_registry_ctx *ctx,
			     const bn_registry_source *src,
			     const char *scratch, bn_err *err)
{
	const char *disk = bn_registry_source_disk_path(src);

	if (ctx->disk_confined && disk && !src->read_at)
		return fetch_pinned(out, ctx, src, disk, scratch, err);
	switch (src->kind) {
	case BN_REGISTRY_SRC_LOCAL:
		return fetch_local(out, ctx, src, scratch, err);
	case BN_REGISTRY_SRC_ARCHIVE:
		return fetch_archive(out, src, scratch, err);
	case BN_REGISTRY_SRC_GITHUB:
		return bn_registry_github_fetch(out, ctx, src, scratch, err);
	case BN_REGISTRY_SRC_GIT:
		return bn_registry_git_fetch(out, ctx, src, scratch, err);
	case BN_REGISTRY_SRC_WELLKNOWN:
		return bn_registry_wellknown_fetch(out, ctx, src, scratch, err);
	default:
		return bn_err_set(err, BN_EINVAL, "unknown source kind");
	}
}
