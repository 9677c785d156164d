/* SPDX-License-Identifier: MIT */
/* base/fs.c - capped reads, atomic writes, tree helpers (see fs.h). */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "fault.h"

/* Read all of open file FD (closed here) as bn_fs_read_file; SHOWN names
   it in messages. */
static int read_fd(char **out, size_t *len_out, int fd, const char *shown,
		   size_t max_bytes, bn_err *err)
{
	struct stat st;
	char *data;
	size_t len = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bn_err_set(err, BN_EINVAL, "%s: not a regular file",
				  shown);
	}
	if ((unsigned long long)st.st_size > max_bytes) {
		close(fd);
		return bn_err_set(err, BN_ELIMIT,
				  "%s: file is %lld bytes, the limit is %zu",
				  shown, (long long)st.st_size, max_bytes);
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		return bn_err_oom(err);
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, data + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(data);
			close(fd);
			return bn_err_set(err, BN_EIO, "%s: %s", shown,
					  strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	data[len] = '\0';
	*out = data;
	if (len_out)
		*len_out = len;
	return 0;
}

int bn_fs_read_file(char **out, size_t *len_out, const char *path,
		    size_t max_bytes, bn_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return bn_err_set(err, errno == ENOENT ? BN_ENOTFOUND : BN_EIO,
				  "%s: %s", path, strerror(errno));
	return read_fd(out, len_out, fd, path, max_bytes, err);
}

int bn_fs_read_file_at(char **out, size_t *len_out, int dfd,
		       const char *name, const char *shown, size_t max_bytes,
		       bn_err *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return bn_err_set(err, errno == ENOENT ? BN_ENOTFOUND :
				  errno == ELOOP ? BN_EDENIED : BN_EIO,
				  "%s: %s", shown, errno == ELOOP ?
				  "a symbolic link (not followed)" :
				  strerror(errno));
	return read_fd(out, len_out, fd, shown, max_bytes, err);
}

int bn_fs_write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t n = write(fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

size_t bn_fs_read_upto(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, (char *)buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

int bn_fs_write_atomic(const char *path, const void *data, size_t len,
		       unsigned mode, bn_err *err)
{
	char *tmp = bn_xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, e;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		goto fail;
	if ((e = bn_fs_write_all(fd, data, len))) {
		errno = -e;
		goto fail_close;
	}
	if (fsync(fd) < 0)
		goto fail_close;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_unlink;
	}
	if (rename(tmp, path) < 0)
		goto fail_unlink;
	free(tmp);
	return 0;

fail_close:
	e = errno;
	close(fd);
	errno = e;
fail_unlink:
	e = errno;
	unlink(tmp);
	errno = e;
fail:
	e = errno;
	free(tmp);
	return bn_err_set(err, BN_EIO, "%s: cannot write: %s", path,
			  strerror(e));
}

int bn_fs_mkdirs(const char *path, bn_err *err)
{
	char *p = bn_xstrdup(path);
	size_t i, n = strlen(p);

	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];
		p[i] = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			int e = errno;
			bn_err_set(err, BN_EIO, "%s: cannot create folder: %s",
				   p, strerror(e));
			free(p);
			return BN_EIO;
		}
		p[i] = c;
	}
	free(p);
	if (!bn_fs_is_dir(path))
		return bn_err_set(err, BN_EIO, "%s: exists and is not a folder",
				  path);
	return 0;
}

static int rm_at(int at, const char *name, bn_err *err)
{
	struct stat st;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : bn_err_set(err, BN_EIO,
			"%s: %s", name, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(at, name,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d;
		struct dirent *de;
		int r = 0;

		if (fd < 0)
			return bn_err_set(err, BN_EIO, "%s: %s", name,
					  strerror(errno));
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return bn_err_set(err, BN_EIO, "%s: %s", name,
					  strerror(errno));
		}
		while (r == 0 && (de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			r = rm_at(dirfd(d), de->d_name, err);
		}
		closedir(d);
		if (r)
			return r;
		if (unlinkat(at, name, AT_REMOVEDIR) < 0)
			return bn_err_set(err, BN_EIO, "%s: %s", name,
					  strerror(errno));
		return 0;
	}
	if (unlinkat(at, name, 0) < 0 && errno != ENOENT)
		return bn_err_set(err, BN_EIO, "%s: %s", name, strerror(errno));
	return 0;
}

int bn_fs_rmtree(const char *path, bn_err *err)
{
	int r = rm_at(AT_FDCWD, path, err);
	if (r)
		bn_err_prefix(err, "removing %s", path);
	return r;
}

/* Copy the regular file SFD/NAME (never through a link) to DST. */
static int copy_file_at(int sfd, const char *name, const char *src,
			const char *dst, bn_err *err)
{
	char buf[65536];
	struct stat st;
	int in, out, r = 0;

	in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", src, strerror(errno));
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return bn_err_set(err, BN_EIO, "%s: changed while copying "
				  "(no longer a regular file)", src);
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		   st.st_mode & 0755);
	if (out < 0) {
		close(in);
		return bn_err_set(err, BN_EIO, "%s: %s", dst, strerror(errno));
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				r = bn_err_set(err, BN_EIO, "%s: %s", src,
					       strerror(errno));
			break;
		}
		if (write(out, buf, (size_t)n) != n) {
			r = bn_err_set(err, BN_EIO, "%s: %s", dst,
				       strerror(errno));
			break;
		}
	}
	if (r == 0 && fsync(out) < 0)
		r = bn_err_set(err, BN_EIO, "%s: %s", dst, strerror(errno));
	close(in);
	close(out);
	return r;
}

/*
 * Copy the directory open as SFD (named SRC in messages; SFD is
 * consumed) to the new directory DST.  Every entry is opened beneath
 * its parent's fd with O_NOFOLLOW, never again by path, so a directory
 * swapped for a symlink after its check is refused, not followed.
 */
static int copy_dir_fd(int sfd, const char *src, const char *dst,
		       bn_err *err)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (mkdir(dst, 0700) < 0) {
		close(sfd);
		return bn_err_set(err, BN_EIO, "%s: %s", dst, strerror(errno));
	}
	d = fdopendir(sfd);
	if (!d) {
		close(sfd);
		return bn_err_set(err, BN_EIO, "%s: %s", src, strerror(errno));
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *s, *t;
		int cfd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		s = bn_fs_join(src, de->d_name);
		t = bn_fs_join(dst, de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) < 0) {
			r = bn_err_set(err, BN_EIO, "%s: %s", s,
				       strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			bn_fault_swap_dir(dirfd(d), de->d_name);
			cfd = openat(dirfd(d), de->d_name, O_RDONLY |
				     O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = cfd < 0 ? bn_err_set(err, BN_EIO, "%s: %s (a "
						 "folder changed while it was "
						 "copied; refused)", s,
						 strerror(errno)) :
				copy_dir_fd(cfd, s, t, err);
		} else if (S_ISREG(st.st_mode)) {
			r = copy_file_at(dirfd(d), de->d_name, s, t, err);
		}
		/* links, devices and sockets are not part of a skill */
		free(s);
		free(t);
	}
	closedir(d);
	return r;
}

int bn_fs_copytree(const char *src, const char *dst, bn_err *err)
{
	/* the top is the folder named: it may be a link, nothing below */
	int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (sfd < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", src, strerror(errno));
	return copy_dir_fd(sfd, src, dst, err);
}

bool bn_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool bn_fs_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool bn_fs_below(const char *real, const char *real_root)
{
	size_t n = strlen(real_root);

	if (n == 1 && real_root[0] == '/')
		return real[0] == '/';  /* the root folder: all is below */
	return !strncmp(real, real_root, n) &&
	       (real[n] == '\0' || real[n] == '/');
}

int bn_fs_open_below(int *fd_out, const char *root, const char *path,
		     bn_err *err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH |
					   RESOLVE_NO_MAGICLINKS };
	char *real_root = realpath(root, NULL), *real = realpath(path, NULL);
	const char *rel;
	size_t n;
	int rfd = -1, fd = -1, r = 0;

	if (!real_root) {
		r = bn_err_set(err, BN_EIO, "%s: %s", root, strerror(errno));
		goto out;
	}
	if (!real) {
		r = bn_err_set(err, errno == ENOENT ? BN_ENOTFOUND : BN_EIO,
			       "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!bn_fs_below(real, real_root)) {
		r = bn_err_set(err, BN_EDENIED, "%s: not below %s", path,
			       root);
		goto out;
	}
	n = strcmp(real_root, "/") ? strlen(real_root) : 0;
	rel = real[n] ? real + n + 1 : ".";
	rfd = open(real_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd >= 0)
		fd = (int)syscall(SYS_openat2, rfd, *rel ? rel : ".", &how,
				  sizeof(how));
	if (fd < 0)
		r = bn_err_set(err, errno == EXDEV || errno == ELOOP ?
			       BN_EDENIED : BN_EIO, "%s: %s%s", path,
			       errno == EXDEV || errno == ELOOP ?
			       "not below " : strerror(errno),
			       errno == EXDEV || errno == ELOOP ? root : "");
out:
	if (rfd >= 0)
		close(rfd);
	free(real_root);
	free(real);
	if (!r)
		*fd_out = fd;
	return r;
}

char *bn_fs_link_below(const char *root, const char *path)
{
	size_t n = strlen(root);
	char *p;

	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return bn_xstrdup(path);        /* not below: treat as unsafe */
	p = bn_xstrdup(path);
	for (char *c = p + n; *c; ) {
		struct stat st;
		char *end;

		while (*c == '/')
			c++;
		if (!*c)
			break;
		end = strchr(c, '/');
		if (end)
			*end = '\0';
		if (lstat(p, &st) < 0)
			break;
		if (S_ISLNK(st.st_mode))
			return p;
		if (!end)
			break;
		*end = '/';
		c = end + 1;
	}
	free(p);
	return NULL;
}

char *bn_fs_repo_root(const char *dir)
{
	char *p = realpath(dir, NULL);

	while (p) {
		char *git = bn_fs_join(p, ".git");
		bool top = access(git, F_OK) == 0;
		free(git);
		if (top)
			return p;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
	return NULL;
}

char *bn_fs_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (la && a[la - 1] == '/')
		return bn_xasprintf("%s%s", a, b);
	return bn_xasprintf("%s/%s", a, b);
}

void bn_fs_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}
