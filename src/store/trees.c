/* SPDX-License-Identifier: MIT */
/*
 * store/trees.c - skill trees content-addressed in the database: the one
 * place that writes skill_blobs (each file's bytes by their SHA-256) and
 * skill_files (the manifest of an installed identity: path, mode, hash
 * of every file, keyed by the tree hash).  An install stores its tree; a
 * home (a replica sharing the database) whose skills folder lacks an
 * installed skill writes it from here, checking every file's hash and
 * then the tree hash before the folder is committed by one rename.  What
 * is stored is checked the same way: a folder is stored only as the
 * identity it hashes to, and a skill whose files the database lacks
 * (made before the trees were kept, or by a path that did not store
 * them) is stored by the open of a shared database (trees_upload).
 * Paths read from the database are untrusted: a relative path of plain
 * components only, written below a new scratch folder through openat
 * with O_NOFOLLOW, one component at a time.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "skill/tree.h"

#define MARKER BN_SKILL_TREE_MARKER_FILE

/* Run SQL1 with A1[0..n1), then SQL2 with A2[0..n2). */
static int run_two(bn_store *s, const char *sql1, const bn_store__arg *a1,
		   size_t n1, const char *sql2, const bn_store__arg *a2,
		   size_t n2, bn_err *err)
{
	int r = bn_store__run(s, sql1, a1, n1, err);
	return r ? r : bn_store__run(s, sql2, a2, n2, err);
}

/* Store the file PATH (relative) of DIR under identity TREE; WANT (64
   hex digits, not terminated), when not NULL, the hash its bytes must
   have (the listing's). */
static int put_file(bn_store *s, const char *dir, const char *path,
		    const char *tree, const char *want, bn_err *err)
{
	char *full = bn_fs_join(dir, path), *data = NULL, hex[65];
	struct stat st;
	size_t len = 0;
	int r;

	if (lstat(full, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = bn_err_set(err, BN_EIO, "%s: not a regular file", full);
		free(full);
		return r;
	}
	r = bn_fs_read_file(&data, &len, full, BN_SKILL_TREE_FILE_MAX_BYTES,
			    err);
	free(full);
	if (r)
		return r;
	bn_fs_sha256_hex(hex, data, len);
	if (want && strncmp(hex, want, 64)) {
		free(data);
		return bn_err_set(err, BN_EINVAL, "%s/%s changed while it was "
				  "stored (identity %s): not stored", dir,
				  path, tree);
	}
	const bn_store__arg blob[] = { BN_STORE__TEXT(hex),
				       BN_STORE__INT(len),
				       BN_STORE__BLOB(data, len) };
	const bn_store__arg file[] = {
		BN_STORE__TEXT(tree), BN_STORE__TEXT(path),
		BN_STORE__INT(st.st_mode & 0111 ? 0755 : 0644),
		BN_STORE__TEXT(hex) };
	r = run_two(s, "INSERT INTO skill_blobs (hash, size, body)"
		    " VALUES (?1, ?2, ?3) ON CONFLICT (hash) DO NOTHING",
		    blob, 3, "INSERT INTO skill_files (tree_hash, path,"
		    " mode, hash) VALUES (?1, ?2, ?3, ?4)"
		    " ON CONFLICT (tree_hash, path) DO NOTHING", file, 4, err);
	free(data);
	return r;
}

static int put_all(bn_store *s, const char *dir, const char *tree,
		   bn_err *err)
{
	const char *cur, *hex, *path;
	char whole[65];
	size_t plen;
	bn_buf listing;
	int r;

	bn_buf_init(&listing, 0);
	if ((r = bn_skill_tree_listing(&listing, dir, false, err)))
		goto out;
	cur = listing.data ? listing.data : "";
	/* the folder is the identity it is stored as, and each file the
	   bytes its listing names */
	bn_fs_sha256_hex(whole, cur, listing.len);
	if (strncmp(tree, "sha256:", 7) || strcmp(tree + 7, whole)) {
		r = bn_err_set(err, BN_EINVAL, "%s hashes to sha256:%s, not to "
			       "%s: its files are not stored as that", dir,
			       whole, tree);
		goto out;
	}
	while (!r && bn_skill_tree_line(&cur, &hex, &path, &plen)) {
		char *p = bn_xmalloc(plen + 1);
		memcpy(p, path, plen);
		p[plen] = '\0';
		r = put_file(s, dir, p, tree, hex, err);
		free(p);
	}
	/* the marker is outside the tree hash, yet the registry reads it */
	if (!r) {
		char *m = bn_fs_join(dir, MARKER);
		if (bn_fs_is_file(m))
			r = put_file(s, dir, MARKER, tree, NULL, err);
		free(m);
	}
out:
	bn_buf_clear(&listing);
	return r;
}

int bn_store__tree_put(bn_store *s, const char *dir, const char *tree,
		       bn_err *err)
{
	bool own = !bn_store__in_tx(s);
	int r;

	if (own && (r = bn_store_tx_begin(s, err)))
		return r;
	r = put_all(s, dir, tree, err);
	if (!own)
		return r;
	if (r) {
		bn_store_tx_rollback(s);
		return r;
	}
	return bn_store_tx_commit(s, err);
}

bool bn_store__tree_has(bn_store *s, const char *tree)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(tree) };
	bool found = false;

	if (!tree || bn_store__select_one(NULL, &found, NULL, s,
					  "SELECT 1 FROM skill_files WHERE"
					  " tree_hash = ?1 LIMIT 1", a, 1,
					  NULL))
		return false;
	return found;
}

int bn_store__tree_forget(bn_store *s, const char *tree, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(tree) };

	if (!tree)
		return 0;
	/* another skill may be the same bytes */
	return run_two(s, "DELETE FROM skill_files WHERE tree_hash = ?1"
		       " AND NOT EXISTS (SELECT 1 FROM skill_index"
		       " WHERE tree_hash = ?1 OR pending_hash = ?1)", a, 1,
		       "DELETE FROM skill_blobs WHERE NOT EXISTS"
		       " (SELECT 1 FROM skill_files f"
		       " WHERE f.hash = skill_blobs.hash)", NULL, 0, err);
}

typedef struct lacking {
	char *name;
	char *tree;
} lacking;
BN_STORE__TABLE(lacking, lacking, BN_STORE__COL(lacking, name),
		BN_STORE__COL(lacking, tree));

int bn_store__trees_upload(size_t *n_out, bn_store *s, bn_err *err)
{
	lacking *v = NULL;
	size_t n = 0, done = 0;
	int r;

	/* one statement when the database lacks nothing, as it mostly does */
	r = bn_store__select(&v, &n, &lacking_shape, s,
			     "SELECT name, tree_hash FROM skill_index i"
			     " WHERE tree_hash IS NOT NULL AND tree_hash <> ''"
			     " AND pending_hash IS NULL AND NOT EXISTS"
			     " (SELECT 1 FROM skill_files f"
			     " WHERE f.tree_hash = i.tree_hash)"
			     " ORDER BY name", NULL, 0, err);
	for (size_t i = 0; !r && i < n; i++) {
		char *dir = bn_fs_join(s->skills_dir, v[i].name);
		char hash[BN_SKILL_TREE_HASH_SIZE];

		/* only a folder that is still the identity its row names:
		   one changed by hand, or not here, is not that skill */
		if (bn_fs_is_dir(dir) &&
		    bn_skill_tree_hash(hash, dir, NULL) == 0 &&
		    strcmp(hash, v[i].tree) == 0) {
			r = bn_store__tree_put(s, dir, v[i].tree, err);
			done += r == 0;
		}
		free(dir);
	}
	bn_store__select_free(v, n, &lacking_shape);
	/* the homes that skipped a row waiting for its files compare their
	   folders again at their next reconcile (the recorded key is
	   every home's) */
	if (!r && done)
		r = bn_store__dir_key_set(s, NULL, err);
	if (n_out)
		*n_out = done;
	return r;
}

/* ---- writing a tree out ------------------------------------------------ */

/* Whether PATH is relative, of plain components ('/' between them):
   none empty, ".", ".." nor over NAME_MAX. */
static bool path_ok(const char *path)
{
	const char *p = path;

	if (!*p || *p == '/' || strlen(p) > 4096)
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0 || n > 255 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false;
	}
	return true;
}

/* Create file PATH (checked by path_ok) below the folder open at ROOT
   with MODE and the LEN bytes at DATA: each folder on the way is made
   or opened with O_NOFOLLOW, the file made anew (O_EXCL). */
static int write_below(int root, const char *path, mode_t mode,
		       const void *data, size_t len, bn_err *err)
{
	char *copy = bn_xstrdup(path), *comp = copy, *slash;
	int dfd = dup(root), fd = -1, r = 0;

	while (dfd >= 0 && (slash = strchr(comp, '/'))) {
		int next;
		*slash = '\0';
		if (mkdirat(dfd, comp, 0755) < 0 && errno != EEXIST)
			break;
		next = openat(dfd, comp, O_RDONLY | O_DIRECTORY |
			      O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		dfd = next;
		comp = slash + 1;
	}
	if (dfd >= 0 && !slash)
		fd = openat(dfd, comp, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 || bn_fs_write_all(fd, data, len) || fchmod(fd, mode))
		r = bn_err_set(err, BN_EIO, "%s: cannot write it: %s", path,
			       strerror(errno));
	if (fd >= 0 && close(fd) && !r)
		r = bn_err_set(err, BN_EIO, "%s: %s", path, strerror(errno));
	if (dfd >= 0)
		close(dfd);
	free(copy);
	return r;
}

typedef struct tree_file {
	char *path;
	long mode;
	char *hash;
} tree_file;
BN_STORE__TABLE(tree_file, tree_file, BN_STORE__COL(tree_file, path),
		BN_STORE__COL(tree_file, mode),
		BN_STORE__COL(tree_file, hash));

/* Write file F of skill NAME, its bytes checked against F's hash. */
static int write_file(bn_store *s, int root, const char *name,
		      const tree_file *f, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(f->hash) };
	bn_store__stmt *st;
	const void *data = NULL;
	size_t len = 0;
	char hex[65];
	int r;

	if (!f->path || !path_ok(f->path) || !f->hash)
		return bn_err_set(err, BN_EINVAL, "skill '%s': the database "
				  "names a file '%s' that cannot be below its "
				  "folder: refused", name,
				  f->path ? f->path : "(null)");
	if ((r = bn_store__query(&st, s, "SELECT body FROM skill_blobs"
				 " WHERE hash = ?1", a, 1, err)))
		return r;
	if ((r = bn_store__step(s, st, err)) == 1)
		data = bn_store__col_blob(st, 0, &len);
	if (r == 0)
		r = bn_err_set(err, BN_EINVAL, "skill '%s': file '%s' is "
			       "missing from the database (sha256:%s): "
			       "refused", name, f->path, f->hash);
	if (r == 1 && len > BN_SKILL_TREE_FILE_MAX_BYTES)
		r = bn_err_set(err, BN_ELIMIT, "skill '%s': file '%s' is over "
			       "%zu bytes: refused", name, f->path,
			       BN_SKILL_TREE_FILE_MAX_BYTES);
	if (r == 1) {
		bn_fs_sha256_hex(hex, data ? data : "", len);
		r = strcmp(hex, f->hash) ?
			bn_err_set(err, BN_EINVAL, "skill '%s': file '%s' "
				   "does not match its hash in the database "
				   "(sha256:%s, its bytes hash to sha256:%s): "
				   "refused", name, f->path, f->hash, hex) :
			write_below(root, f->path,
				    f->mode == 0755 ? 0755 : 0644,
				    data ? data : "", len, err);
	}
	bn_store__done(s, st);
	return r < 0 ? r : 0;
}

/* Write NAME's tree TREE into the new folder DIR, then check it. */
static int write_tree(bn_store *s, const char *name, const char *tree,
		      const char *dir, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(tree) };
	char hash[BN_SKILL_TREE_HASH_SIZE];
	tree_file *v = NULL;
	size_t n = 0;
	int root, r;

	if (mkdir(dir, 0755) < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", dir, strerror(errno));
	if ((root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			 O_CLOEXEC)) < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", dir, strerror(errno));
	r = bn_store__select(&v, &n, &tree_file_shape, s,
			     "SELECT path, mode, hash FROM skill_files"
			     " WHERE tree_hash = ?1 ORDER BY path", a, 1, err);
	/* no more than a skill folder may hold */
	if (!r && n > BN_SKILL_TREE_MAX_ENTRIES)
		r = bn_err_set(err, BN_ELIMIT, "skill '%s': the database lists "
			       "%zu files, over %d: refused", name, n,
			       BN_SKILL_TREE_MAX_ENTRIES);
	for (size_t i = 0; !r && i < n; i++)
		r = write_file(s, root, name, &v[i], err);
	close(root);
	bn_store__select_free(v, n, &tree_file_shape);
	/* the whole, as the install recorded it */
	if (!r && (r = bn_skill_tree_hash(hash, dir, err)) == 0 &&
	    strcmp(hash, tree))
		r = bn_err_set(err, BN_EINVAL, "skill '%s': the files the "
			       "database holds hash to %s, not to its "
			       "identity %s: refused", name, hash, tree);
	return r;
}

int bn_store__tree_materialize(bn_store *s, const char *name,
			       const char *tree, bool replace, bn_err *err)
{
	char *scratch = NULL, *dir, *final;
	int r;

	if (!bn_skill_name_is_slug(name))
		return bn_err_set(err, BN_EINVAL, "'%s' is not a skill name",
				  name);
	if ((r = bn_store__scratch_make(&scratch, s, "tmp", err)))
		return r;
	dir = bn_fs_join(scratch, name);
	final = bn_fs_join(s->skills_dir, name);
	r = write_tree(s, name, tree, dir, err);
	/* a new copy swaps with the old one (left in scratch, removed with
	   it); a first one leaves be a folder another process of this home
	   wrote first */
	if (!r && replace) {
		if (renameat2(AT_FDCWD, dir, AT_FDCWD, final,
			      RENAME_EXCHANGE) < 0)
			r = bn_err_set(err, BN_EIO, "%s: %s", final,
				       strerror(errno));
	} else if (!r && renameat2(AT_FDCWD, dir, AT_FDCWD, final,
				   RENAME_NOREPLACE) < 0 && errno != EEXIST) {
		r = bn_err_set(err, BN_EIO, "%s: %s", final, strerror(errno));
	}
	bn_store_scratch_remove(s, scratch);
	free(scratch);
	free(dir);
	free(final);
	return r;
}

/* ---- which skills this home had --------------------------------------- */

/* $BNITY_HOME/skills-had/NAME (owned). */
static char *had_path(bn_store *s, const char *name)
{
	char *dir = bn_fs_join(s->home, "skills-had");
	char *p = bn_fs_join(dir, name);

	free(dir);
	return p;
}

char *bn_store__had(bn_store *s, const char *name)
{
	char *p = had_path(s, name), *text = NULL;
	size_t len;

	if (bn_fs_read_file(&text, &len, p, BN_SKILL_TREE_HASH_SIZE, NULL))
		text = NULL;
	else if (!text)
		text = bn_xstrdup("");
	free(p);
	return text;
}

void bn_store__had_set(bn_store *s, const char *name, const char *tree)
{
	char *p = had_path(s, name);

	if (!tree) {
		(void)unlink(p);
	} else {
		char *dir = bn_fs_join(s->home, "skills-had");
		(void)mkdir(dir, 0700);
		(void)bn_fs_write_atomic(p, tree, strlen(tree), 0600, NULL);
		free(dir);
	}
	free(p);
}
