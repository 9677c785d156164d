/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasi_path.c - the guest's view of the file system (wasi_int.h):
 * what it learns of its preopens, and every path_* call.
 *
 * Paths are resolved only beneath a preopen's directory fd with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS); operations that take
 * a (dirfd, name) pair first open the parent that way and then act on
 * the last component alone, never following it unless asked and then
 * only through openat2 again.
 */
#include "wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { OFL_CREAT = 1, OFL_DIRECTORY = 2, OFL_EXCL = 4, OFL_TRUNC = 8 };
enum { LOOKUP_SYMLINK_FOLLOW = 1 };

/* ---- path resolution -------------------------------------------------- */

/*
 * Copy the guest path [ptr, ptr+len) into BUF (PATH_MAX bytes) as a C
 * string.  Embedded NULs are refused: the host would see a shorter path
 * than the guest wrote.
 */
static uint16_t get_path(char *buf, bn_wasm_memory *m, uint32_t ptr,
			 uint32_t len)
{
	const uint8_t *p = span(m, ptr, len);
	if (!p)
		return WE_FAULT;
	if (len >= PATH_MAX)
		return WE_NAMETOOLONG;
	if (memchr(p, 0, len))
		return WE_ILSEQ;
	memcpy(buf, p, len);
	buf[len] = 0;
	return WE_SUCCESS;
}

/* openat2 beneath DIRFD; returns an fd or a negated errno (E_ESCAPE). */
static int open_beneath(int dirfd, const char *path, int flags,
			mode_t mode)
{
	struct open_how how;
	long r;

	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	if (path[0] == 0)
		return -ENOENT;
	do {
		r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EXDEV ? -E_ESCAPE : -errno;
	return (int)r;
}

/*
 * Open the directory holding PATH's last component beneath DIRFD (as
 * O_PATH) and point *name at that component inside PATH, which is cut.
 * A last component of "." or ".." is first checked to stay beneath.
 */
static int open_parent(int dirfd, char *path, const char **name)
{
	size_t len = strlen(path);
	char *slash;
	int fd;

	if (len == 0)
		return -ENOENT;
	if (path[0] == '/')
		return -E_ESCAPE;
	while (len > 1 && path[len - 1] == '/')
		path[--len] = 0;
	slash = strrchr(path, '/');
	*name = slash ? slash + 1 : path;
	if (!strcmp(*name, ".") || !strcmp(*name, "..")) {
		fd = open_beneath(dirfd, path, O_PATH, 0);
		if (fd < 0)
			return fd;
		(void)close(fd);
	}
	if (!slash)
		return open_beneath(dirfd, ".", O_PATH | O_DIRECTORY, 0);
	*slash = 0;
	fd = open_beneath(dirfd, path, O_PATH | O_DIRECTORY, 0);
	*slash = '/';
	return fd;
}

/*
 * The result of a call on FD that returned R (errno set when negative),
 * FD closed: the call's errno, not close's.
 */
static uint16_t closed(int fd, int r)
{
	int err = errno;

	(void)close(fd);
	return r < 0 ? bn_wasm__wasi_errno(err) : WE_SUCCESS;
}

/* ---- preopens --------------------------------------------------------- */

int bn_wasm__wasi_preopen_init(struct wfd *f, const bn_wasm_wasi_preopen *p,
			       bn_wasm_err *err)
{
	if (!p->host_path || !p->guest_path) {
		bn_wasm__wasi_set_err(err, "preopen ", "(null)", EINVAL);
		return -EINVAL;
	}
	int fd = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		bn_wasm__wasi_set_err(err, "preopen ", p->host_path, e);
		return -e;
	}
	f->host = fd;
	f->preopen = strdup(p->guest_path);
	if (!f->preopen)
		return -ENOMEM;
	f->type = FT_DIR;
	f->read_only = p->read_only;
	f->rights = RIGHTS_DIR;
	f->inherit = RIGHTS_DIR | RIGHTS_FILE;
	if (p->read_only) {
		f->rights &= ~RIGHTS_MUTATE;
		f->inherit &= RO_INHERIT_MASK;
	}
	return 0;
}

uint16_t bn_wasm__wasi_fd_prestat_get(bn_wasm_wasi *w, struct wfd *f,
				      bn_wasm_memory *m, const bn_wasm_val *a,
				      unsigned arg)
{
	if (!f->preopen)
		return WE_BADF;
	uint8_t *o = span(m, A32(a, 1), 8);
	if (!o)
		return WE_FAULT;
	memset(o, 0, 8);  /* tag 0 = dir */
	le32(o + 4, (uint32_t)strlen(f->preopen));
	return WE_SUCCESS;
}

uint16_t bn_wasm__wasi_fd_prestat_dir_name(bn_wasm_wasi *w, struct wfd *f,
					   bn_wasm_memory *m,
					   const bn_wasm_val *a, unsigned arg)
{
	if (!f->preopen)
		return WE_BADF;
	size_t len = strlen(f->preopen);
	uint8_t *o = span(m, A32(a, 1), A32(a, 2));
	if (!o)
		return WE_FAULT;
	if (A32(a, 2) < len)
		return WE_NAMETOOLONG;
	memcpy(o, f->preopen, len);
	return WE_SUCCESS;
}

/* ---- paths ------------------------------------------------------------ */

uint16_t bn_wasm__wasi_path_open(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	char path[PATH_MAX];
	struct wfd *d;
	struct stat st;
	uint32_t lookup = A32(a, 1), oflags = A32(a, 4), fdflags = A32(a, 7);
	uint64_t base = A64(a, 5), inh = A64(a, 6), need = R_PATH_OPEN;
	uint32_t nfd;
	int flags = O_NOCTTY, fd;
	uint16_t e;

	if (oflags & OFL_CREAT)
		need |= R_PATH_CREATE_FILE;
	if (oflags & OFL_TRUNC)
		need |= R_PATH_FILESTAT_SET_SIZE;
	e = bn_wasm__wasi_dir_get(&d, w, A32(a, 0), need);
	if (e)
		return e;
	uint8_t *o = span(m, A32(a, 8), 4);
	if (!o)
		return WE_FAULT;
	e = get_path(path, m, A32(a, 2), A32(a, 3));
	if (e)
		return e;
	if (d->read_only && ((base & RIGHTS_WRITE_ACCESS) ||
			     (fdflags & FDFL_APPEND)))
		return WE_ROFS;
	e = bn_wasm__wasi_fd_alloc(&nfd, w);
	if (e)
		return e;
	base &= d->inherit;
	inh &= d->inherit;

	bool rd = base & (R_FD_READ | R_FD_READDIR);
	bool wr = base & RIGHTS_WRITE_ACCESS;
	if (oflags & OFL_DIRECTORY)
		flags |= O_DIRECTORY | O_RDONLY;
	else
		flags |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
	flags |= (oflags & OFL_CREAT) ? O_CREAT : 0;
	flags |= (oflags & OFL_EXCL) ? O_EXCL : 0;
	flags |= (oflags & OFL_TRUNC) ? O_TRUNC : 0;
	flags |= (fdflags & FDFL_APPEND) ? O_APPEND : 0;
	flags |= (fdflags & FDFL_NONBLOCK) ? O_NONBLOCK : 0;
	flags |= (fdflags & FDFL_DSYNC) ? O_DSYNC : 0;
	flags |= (fdflags & (FDFL_SYNC | FDFL_RSYNC)) ? O_SYNC : 0;
	if (!(lookup & LOOKUP_SYMLINK_FOLLOW))
		flags |= O_NOFOLLOW;

	fd = open_beneath(d->host, path, flags, 0666);
	if (fd < 0)
		return bn_wasm__wasi_errno(-fd);
	if (fstat(fd, &st) < 0) {
		e = bn_wasm__wasi_errno(errno);
		(void)close(fd);
		return e;
	}
	struct wfd *f = &w->fds[nfd];
	f->host = fd;
	f->type = bn_wasm__wasi_filetype(st.st_mode);
	f->read_only = d->read_only;
	f->rights = base & (f->type == FT_DIR ? RIGHTS_DIR : RIGHTS_FILE);
	f->inherit = inh;
	if (f->read_only) {
		f->rights &= ~RIGHTS_MUTATE;
		f->inherit &= RO_INHERIT_MASK;
	}
	le32(o, nfd);
	return WE_SUCCESS;
}

/* Stat PATH beneath fd A0, following a final symlink if FOLLOW. */
static uint16_t stat_path(struct stat *st, struct wfd *d, const char *path,
			  bool follow)
{
	int fd = open_beneath(d->host, path,
			      O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
	if (fd < 0)
		return bn_wasm__wasi_errno(-fd);
	return closed(fd, fstat(fd, st));
}

uint16_t bn_wasm__wasi_path_filestat_get(bn_wasm_wasi *w, bn_wasm_memory *m,
					 const bn_wasm_val *a)
{
	char path[PATH_MAX];
	struct wfd *d;
	struct stat st;
	uint16_t e = bn_wasm__wasi_dir_get(&d, w, A32(a, 0),
					   R_PATH_FILESTAT_GET);
	if (e)
		return e;
	uint8_t *o = span(m, A32(a, 4), FILESTAT_SIZE);
	if (!o)
		return WE_FAULT;
	e = get_path(path, m, A32(a, 2), A32(a, 3));
	if (e)
		return e;
	e = stat_path(&st, d, path, A32(a, 1) & LOOKUP_SYMLINK_FOLLOW);
	if (e)
		return e;
	bn_wasm__wasi_put_filestat(o, &st);
	return WE_SUCCESS;
}

uint16_t bn_wasm__wasi_path_filestat_set_times(bn_wasm_wasi *w,
					       bn_wasm_memory *m,
					       const bn_wasm_val *a)
{
	char path[PATH_MAX];
	struct wfd *d;
	struct timespec ts[2];
	const char *name;
	int fd, r;
	uint16_t e = bn_wasm__wasi_dir_get(&d, w, A32(a, 0),
					   R_PATH_FILESTAT_SET_TIMES);
	if (e)
		return e;
	e = get_path(path, m, A32(a, 2), A32(a, 3));
	if (e)
		return e;
	e = bn_wasm__wasi_times(ts, A64(a, 4), A64(a, 5), A32(a, 6));
	if (e)
		return e;
	if (A32(a, 1) & LOOKUP_SYMLINK_FOLLOW) {
		/* Follow only through openat2, then act on the fd. */
		fd = open_beneath(d->host, path,
				  O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
		if (fd < 0)
			return bn_wasm__wasi_errno(-fd);
		r = futimens(fd, ts);
	} else {
		fd = open_parent(d->host, path, &name);
		if (fd < 0)
			return bn_wasm__wasi_errno(-fd);
		r = utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW);
	}
	return closed(fd, r);
}

/* path_create_directory, path_remove_directory and path_unlink_file
   (OP): the calls that act on one (parent, name) pair. */
uint16_t bn_wasm__wasi_path_one(bn_wasm_wasi *w, bn_wasm_memory *m,
				const bn_wasm_val *a, unsigned op)
{
	static const uint64_t need[] = { R_PATH_CREATE_DIRECTORY,
					 R_PATH_REMOVE_DIRECTORY,
					 R_PATH_UNLINK_FILE };
	char path[PATH_MAX];
	const char *name;
	struct wfd *d;
	int fd, r;
	uint16_t e = bn_wasm__wasi_dir_get(&d, w, A32(a, 0), need[op]);
	if (e)
		return e;
	e = get_path(path, m, A32(a, 1), A32(a, 2));
	if (e)
		return e;
	fd = open_parent(d->host, path, &name);
	if (fd < 0)
		return bn_wasm__wasi_errno(-fd);
	if (op == PATH_MKDIR)
		r = mkdirat(fd, name, 0777);
	else
		r = unlinkat(fd, name, op == PATH_RMDIR ? AT_REMOVEDIR : 0);
	return closed(fd, r);
}

/*
 * path_rename and path_link (OP): two (directory fd, path) pairs, each
 * path's parent opened beneath its fd and the call made on the two last
 * components.  Their arguments differ only by link's lookup
 * flags after the first fd.
 */
uint16_t bn_wasm__wasi_path_two(bn_wasm_wasi *w, bn_wasm_memory *m,
				const bn_wasm_val *a, unsigned op)
{
	bool link = op == PATH_LINK;
	char p1[PATH_MAX], p2[PATH_MAX];
	const char *n1, *n2;
	struct wfd *d1, *d2;
	int k = link ? 1 : 0, f1, f2, r;
	uint16_t e = bn_wasm__wasi_dir_get(&d1, w, A32(a, 0), link ?
		R_PATH_LINK_SOURCE : R_PATH_RENAME_SOURCE);
	if (e)
		return e;
	e = bn_wasm__wasi_dir_get(&d2, w, A32(a, 3 + k), link ?
		R_PATH_LINK_TARGET : R_PATH_RENAME_TARGET);
	if (e)
		return e;
	/* Following the source would need a second beneath-walk. */
	if (link && (A32(a, 1) & LOOKUP_SYMLINK_FOLLOW))
		return WE_INVAL;
	e = get_path(p1, m, A32(a, 1 + k), A32(a, 2 + k));
	if (e)
		return e;
	e = get_path(p2, m, A32(a, 4 + k), A32(a, 5 + k));
	if (e)
		return e;
	f1 = open_parent(d1->host, p1, &n1);
	if (f1 < 0)
		return bn_wasm__wasi_errno(-f1);
	f2 = open_parent(d2->host, p2, &n2);
	if (f2 < 0) {
		(void)close(f1);
		return bn_wasm__wasi_errno(-f2);
	}
	r = link ? linkat(f1, n1, f2, n2, 0) : renameat(f1, n1, f2, n2);
	e = closed(f1, r);
	(void)close(f2);
	return e;
}

/*
 * path_symlink: the target is only text, and our own lookups never leave
 * a preopen, but a host program (or a later run with other preopens)
 * follows it.  A lexical check at the link's place is not enough: the
 * guest may move the link upwards with path_rename or path_link, and
 * the same target then climbs out.  So a target that is absolute or has
 * any ".." component is refused; descending targets stay inside
 * wherever the link is moved.
 */
static bool target_escapes(const char *target)
{
	const char *p = target;

	if (target[0] == '/')
		return true;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		p += strspn(p, "/");
	}
	return false;
}

uint16_t bn_wasm__wasi_path_symlink(bn_wasm_wasi *w, bn_wasm_memory *m,
				    const bn_wasm_val *a)
{
	char target[PATH_MAX], path[PATH_MAX];
	const char *name;
	struct wfd *d;
	uint16_t e = bn_wasm__wasi_dir_get(&d, w, A32(a, 2), R_PATH_SYMLINK);
	if (e)
		return e;
	e = get_path(target, m, A32(a, 0), A32(a, 1));
	if (e)
		return e;
	e = get_path(path, m, A32(a, 3), A32(a, 4));
	if (e)
		return e;
	if (target_escapes(target))
		return WE_NOTCAPABLE;
	int fd = open_parent(d->host, path, &name);
	if (fd < 0)
		return bn_wasm__wasi_errno(-fd);
	return closed(fd, symlinkat(target, fd, name));
}

uint16_t bn_wasm__wasi_path_readlink(bn_wasm_wasi *w, struct wfd *d,
				     bn_wasm_memory *m, const bn_wasm_val *a,
				     unsigned arg)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *name;
	uint8_t *buf, *o;
	uint32_t len = A32(a, 4);
	uint16_t e = out_buf(&buf, &o, m, A32(a, 3), len, A32(a, 5));
	if (e)
		return e;
	e = get_path(path, m, A32(a, 1), A32(a, 2));
	if (e)
		return e;
	int fd = open_parent(d->host, path, &name);
	if (fd < 0)
		return bn_wasm__wasi_errno(-fd);
	ssize_t r = readlinkat(fd, name, link, sizeof link);
	int err = errno;
	(void)close(fd);
	if (r < 0)
		return bn_wasm__wasi_errno(err);
	size_t n = (size_t)r < len ? (size_t)r : len;
	memcpy(buf, link, n);
	le32(o, (uint32_t)n);
	return WE_SUCCESS;
}
