/* SPDX-License-Identifier: MIT */
/*
 * registry/git.c - skills in any git repository (https, ssh, file:// and
 * local bare repositories) through libgit2: clone into the scratch
 * folder, check out REF (a branch, tag or commit; HEAD by default) and pin
 * the commit it resolved to.  Plain http:// and git:// are refused except
 * http to loopback.  libgit2 refuses checkout paths with "..", ".git" and
 * the like; the tree hash later refuses links.
 * Docs: https://libgit2.org/libgit2/#HEAD/group/clone
 */
#include "registry_int.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/dl.h"
#include "base/fs.h"

/* libgit2, loaded by the first git source (base/dl.h says why this table
   may be global: it is written once, then only read). */
#define LG_FNS(X)                                                       \
	X(libgit2_init) X(libgit2_shutdown) X(error_last) X(clone)      \
	X(clone_options_init) X(checkout_options_init) X(checkout_tree) \
	X(revparse_single) X(object_peel) X(object_free) X(commit_id)   \
	X(commit_free) X(repository_set_head_detached)                  \
	X(repository_free) X(reference_name_to_id) X(oid_tostr)
#define LG_FIELD(f) __typeof__(git_##f) *f;
#define LG_NAME(f) "git_" #f,
BN_DL_TABLE(lg_table_t, lg_fns, LG_N, LG_FNS, LG_FIELD);
BN_DL_LIBRARY(lg, lg_table_t, LG_FNS, LG_NAME, BN_LIBGIT2_SONAME, "libgit2",
	      BN_LIBGIT2_PACKAGE, NULL);

static int git_fail(const struct lg_fns *lg, bn_err *err, const char *what,
		    const char *url)
{
	const git_error *e = lg->error_last();
	return bn_err_set(err, BN_EIO, "%s: %s: %s", url, what,
			  e && e->message ? e->message : "failed");
}

static bool url_ok(const char *url)
{
	if (!strncasecmp(url, "http://", 7))
		return bn_registry_url_allowed(url);
	if (!strncasecmp(url, "git://", 6))
		return false;
	return true;
}

static int checkout_ref(const struct lg_fns *lg, git_repository *repo,
			const char *ref, const char *url, bn_err *err)
{
	git_checkout_options co;
	git_object *obj = NULL;
	git_commit *commit = NULL;
	char spec[300];
	int r = 0;

	snprintf(spec, sizeof(spec), "origin/%s", ref);
	if (lg->revparse_single(&obj, repo, spec) != 0 &&
	    lg->revparse_single(&obj, repo, ref) != 0)
		return bn_err_set(err, BN_ENOTFOUND,
				  "%s: no branch, tag or commit '%s'", url,
				  ref);
	if (lg->object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT)) {
		r = git_fail(lg, err, "not a commit", url);
		goto out;
	}
	lg->checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (lg->checkout_tree(repo, (git_object *)commit, &co) ||
	    lg->repository_set_head_detached(repo, lg->commit_id(commit)))
		r = git_fail(lg, err, "checkout", url);
out:
	lg->commit_free(commit);
	lg->object_free(obj);
	return r;
}

/* What a clone has received and checked out, told to CTX. */
typedef struct clone_progress {
	const bn_registry_ctx *ctx;
	bn_registry_progress p;
} clone_progress;

static int on_transfer(const git_indexer_progress *st, void *payload)
{
	clone_progress *cp = payload;

	cp->p.bytes = st->received_bytes;
	cp->ctx->on_progress(&cp->p, cp->ctx->progress_payload);
	return 0;
}

static void on_checkout(const char *path, size_t done, size_t total,
			void *payload)
{
	clone_progress *cp = payload;

	(void)path;
	cp->p.files = done;
	cp->p.files_total = total;
	cp->ctx->on_progress(&cp->p, cp->ctx->progress_payload);
}

int bn_registry_git_fetch(bn_registry_candidates *out,
			  const bn_registry_ctx *ctx,
			  const bn_registry_source *src,
			  const char *scratch, bn_err *err)
{
	const struct lg_fns *lg = &lg_table.fn;
	git_clone_options opts;
	bn_registry_candidates c = { 0 };
	git_repository *repo = NULL;
	git_oid head;
	char hex[GIT_OID_HEXSZ + 1];
	char *dir;
	int r = 0;

	if (ctx->offline)
		return bn_err_set(err, BN_ENOTFOUND,
			"%s: git sources need the network (--offline)",
			src->url);
	if (!url_ok(src->url))
		return bn_err_set(err, BN_EDENIED,
			"%s: refused: use https://, ssh, file:// or a local "
			"path (plain http:// only to loopback)", src->url);
	if ((r = bn_dl_lazy_load(&lg_lazy, lg_table.slot, &lg_lib, err)))
		return r;
	lg->libgit2_init();
	lg->clone_options_init(&opts, GIT_CLONE_OPTIONS_VERSION);
	dir = bn_fs_join(scratch, "clone");
	opts.checkout_opts.checkout_strategy = GIT_CHECKOUT_SAFE;
	clone_progress cp = { ctx, { .phase = "fetching" } };
	if (ctx->on_progress) {
		opts.fetch_opts.callbacks.transfer_progress = on_transfer;
		opts.fetch_opts.callbacks.payload = &cp;
		opts.checkout_opts.progress_cb = on_checkout;
		opts.checkout_opts.progress_payload = &cp;
	}
	if (lg->clone(&repo, src->url, dir, &opts) != 0) {
		r = git_fail(lg, err, "clone", src->url);
		goto out;
	}
	if (src->ref && (r = checkout_ref(lg, repo, src->ref, src->url, err)))
		goto out;
	if (lg->reference_name_to_id(&head, repo, "HEAD") != 0) {
		r = git_fail(lg, err, "no HEAD commit", src->url);
		goto out;
	}
	lg->oid_tostr(hex, sizeof(hex), &head);
	r = bn_registry__candidates_from_tree(&c, dir, src->path, hex,
					      src->url, err);
	if (!r)
		c.resolved_ref = bn_xstrdup(hex);
out:
	lg->repository_free(repo);
	lg->libgit2_shutdown();
	free(dir);
	if (r) {
		bn_registry_candidates_clear(&c);
		return r;
	}
	*out = c;
	return 0;
}
