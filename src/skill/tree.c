/* SPDX-License-Identifier: MIT */
/*
 * skill/tree.c - the tree listing and tree hash of a skill folder (see
 * tree.h).
 */
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"

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
		if (got > BN_SKILL_TREE_FILE_MAX_BYTES)
			return bn_err_set(err, BN_ELIMIT,
				"%s: larger than %zu bytes", rel,
				BN_SKILL_TREE_FILE_MAX_BYTES);
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
		if (!*prefix && (!strcmp(de->d_name, BN_SKILL_TREE_MARKER_FILE) ||
				 (sig && !strcmp(de->d_name,
						 BN_SKILL_TREE_SIG_FILE))))
			continue;
		rel = *prefix ? bn_xasprintf("%s/%s", prefix, de->d_name) :
			bn_xstrdup(de->d_name);
		if (++w->entries > BN_SKILL_TREE_MAX_ENTRIES) {
			r = bn_err_set(err, BN_ELIMIT,
				"more than %d files and folders",
				BN_SKILL_TREE_MAX_ENTRIES);
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
			if (!r && w->bytes > BN_SKILL_TREE_MAX_BYTES)
				r = bn_err_set(err, BN_ELIMIT,
					"the skill is larger than %zu bytes",
					BN_SKILL_TREE_MAX_BYTES);
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

/*
 * The listing of DIR into OUT; when AS_READ is given, the file it names
 * has the hash of its bytes as read (whatever DIR holds there now).
 */
static int listing(bn_buf *out, const char *dir, bool for_signature,
		   const bn_skill_tree_file *as_read, bn_err *err)
{
	walk w = { 0 };
	size_t i;
	int fd, r;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", dir, strerror(errno));
	r = walk_dir(&w, fd, "", for_signature, 0, err);
	if (!r && as_read) {
		for (i = 0; i < w.n && strcmp(w.v[i].path, as_read->path); i++)
			;
		if (i == w.n) {
			/* gone from DIR since it was read: it is still part
			   of what runs */
			if (w.n == w.cap) {
				w.cap = w.cap ? 2 * w.cap : 1;
				w.v = bn_xrealloc(w.v, w.cap * sizeof(*w.v));
			}
			w.v[w.n++].path = bn_xstrdup(as_read->path);
		}
		bn_fs_sha256_hex(w.v[i].hex, as_read->data ? as_read->data : "",
				 as_read->len);
	}
	if (!r) {
		if (w.n > 1)
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

int bn_skill_tree_listing(bn_buf *out, const char *dir,
			     bool for_signature, bn_err *err)
{
	return listing(out, dir, for_signature, NULL, err);
}

int bn_skill_tree_hash_as_read(char out[72], const char *dir,
			       const bn_skill_tree_file *as_read, bn_err *err)
{
	bn_buf b = BN_BUF_INIT;
	char hex[65];
	int r = listing(&b, dir, false, as_read, err);

	if (r) {
		bn_buf_clear(&b);
		return r;
	}
	bn_fs_sha256_hex(hex, b.data ? b.data : "", b.len);
	snprintf(out, 72, "sha256:%s", hex);
	bn_buf_clear(&b);
	return 0;
}

bool bn_skill_tree_line(const char **cur, const char **hex,
			const char **path, size_t *path_len)
{
	const char *l = *cur, *nl = strchr(l, '\n');

	/* "<64 hex>  <path>\n" */
	if (!nl || nl - l <= 66)
		return false;
	*hex = l;
	*path = l + 66;
	*path_len = (size_t)(nl - l - 66);
	*cur = nl + 1;
	return true;
}

int bn_skill_tree_hash(char out[72], const char *dir, bn_err *err)
{
	return bn_skill_tree_hash_as_read(out, dir, NULL, err);
}
