/* SPDX-License-Identifier: MIT */
/* sandbox.c - wasm only: the WASI host must keep the guest inside its
 * preopens (/sb read-write as fd 3, /ro read-only as fd 4), refuse writes
 * to /ro, and answer bad pointers with EFAULT.  run.sh prepares the
 * directories: sb/inner.txt, sb/sub/, sb/up -> .., sb/abs -> /etc,
 * ro/data.txt. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>
#include <wasi/api.h>

static int pass, fail;

/* The raw import: wasi-libc's wrapper would strlen() a bad path itself. */
__attribute__((import_module("wasi_snapshot_preview1"),
	       import_name("path_create_directory")))
int32_t raw_mkdir(int32_t fd, int32_t path, int32_t len);

static void check(const char *name, int ok, long got)
{
	if (ok)
		pass++;
	else
		fail++;
	printf("%s %s", ok ? "PASS" : "FAIL", name);
	if (!ok)
		printf(" (got %ld)", got);
	printf("\n");
}

static __wasi_errno_t raw_open(__wasi_fd_t dirfd, const char *path,
			       int follow, __wasi_rights_t rights)
{
	__wasi_fd_t fd;
	__wasi_errno_t e = __wasi_path_open(dirfd,
		follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, 0,
		rights, 0, 0, &fd);
	if (e == 0)
		(void)__wasi_fd_close(fd);
	return e;
}

#define NOTCAP(name, expr) do { long e_ = (long)(expr); \
	check(name, e_ == __WASI_ERRNO_NOTCAPABLE, e_); } while (0)
#define FAILS_WITH(name, expr, err) do { errno = 0; long r_ = (long)(expr); \
	check(name, r_ < 0 && errno == (err), errno); } while (0)

/*
 * A link planted deep whose target climbs only as far as the preopen's
 * root at its place, then moved to the root by rename or link, would
 * point out: planting it must already fail, and nothing moved may be
 * read.  A descending link keeps working wherever it goes.
 */
static void moved_links(void)
{
	__wasi_rights_t rd = __WASI_RIGHTS_FD_READ;
	check("deep-dirs", mkdir("/sb/a", 0755) == 0 &&
	      mkdir("/sb/a/b", 0755) == 0 && mkdir("/sb/a/b/c", 0755) == 0,
	      errno);
	NOTCAP("symlink-deep-climb", __wasi_path_symlink("../../../outside.txt",
						     3, "a/b/c/evil"));
	(void)__wasi_path_rename(3, "a/b/c/evil", 3, "evil-renamed");
	(void)__wasi_path_link(3, 0, "a/b/c/evil", 3, "evil-linked");
	check("moved-link-unreadable",
	      raw_open(3, "evil-renamed", 1, rd) != 0 &&
	      raw_open(3, "evil-linked", 1, rd) != 0, 0);
	NOTCAP("symlink-dotdot-inside",
	       __wasi_path_symlink("sub/../inner.txt", 3, "evil-dots"));
	char buf[16] = { 0 };
	int fd = -1;
	check("symlink-descending-ok",
	      __wasi_path_symlink("sub/inner.txt", 3, "down") == 0 &&
	      link("/sb/inner.txt", "/sb/sub/inner.txt") == 0 &&
	      (fd = open("/sb/down", O_RDONLY)) >= 0 &&
	      read(fd, buf, sizeof buf - 1) == 6 && !strcmp(buf, "inner\n"),
	      errno);
	if (fd >= 0)
		close(fd);
}

static void escapes(void)
{
	__wasi_rights_t rd = __WASI_RIGHTS_FD_READ;
	__wasi_filestat_t st;
	NOTCAP("dotdot", raw_open(3, "../outside.txt", 1, rd));
	NOTCAP("dotdot-deep", raw_open(3, "sub/../../outside.txt", 1, rd));
	NOTCAP("absolute", raw_open(3, "/etc/passwd", 1, rd));
	NOTCAP("symlink-up", raw_open(3, "up/outside.txt", 1, rd));
	NOTCAP("symlink-up-final", raw_open(3, "up", 1, rd));
	NOTCAP("symlink-abs", raw_open(3, "abs/passwd", 1, rd));
	NOTCAP("stat-dotdot", __wasi_path_filestat_get(3, 0, "..", &st));
	NOTCAP("stat-abs-follow", __wasi_path_filestat_get(3,
		__WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs", &st));
	check("stat-abs-nofollow-is-link",
	      __wasi_path_filestat_get(3, 0, "abs", &st) == 0 &&
	      st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK, st.filetype);
	check("inside-dotdot-ok", raw_open(3, "sub/../inner.txt", 1, rd) == 0,
	      0);
	NOTCAP("mkdir-out", __wasi_path_create_directory(3, "../evil"));
	NOTCAP("unlink-out", __wasi_path_unlink_file(3, "up/outside.txt"));
	NOTCAP("rename-out", __wasi_path_rename(3, "inner.txt", 3,
						"../stolen.txt"));
	NOTCAP("link-out", __wasi_path_link(3, 0, "inner.txt", 3,
					    "up/stolen.txt"));
	NOTCAP("symlink-abs-target", __wasi_path_symlink("/etc", 3, "evil"));
	NOTCAP("symlink-climbing-target",
	       __wasi_path_symlink("../../etc", 3, "sub/evil"));
	NOTCAP("symlink-dotdot-target",
	       __wasi_path_symlink("../inner.txt", 3, "sub/evil-up"));
	moved_links();
	FAILS_WITH("libc-dotdot", open("/sb/../etc/passwd", O_RDONLY),
		   ENOTCAPABLE);
	errno = 0;
	int fd = open("/etc/passwd", O_RDONLY);
	check("libc-absolute-no-preopen", fd < 0, fd);
	check("inner-still-there", access("/sb/inner.txt", R_OK) == 0, errno);
}

static void read_only(void)
{
	char buf[64] = { 0 };
	int fd = open("/ro/data.txt", O_RDONLY);
	check("ro-read", fd >= 0 && read(fd, buf, sizeof buf - 1) > 0 &&
	      !strcmp(buf, "read-only data\n"), fd);
	FAILS_WITH("ro-write-existing", write(fd, "x", 1), EROFS);
	close(fd);
	FAILS_WITH("ro-open-wronly", open("/ro/data.txt", O_WRONLY), EROFS);
	FAILS_WITH("ro-open-rdwr", open("/ro/data.txt", O_RDWR), EROFS);
	FAILS_WITH("ro-create", open("/ro/new.txt", O_WRONLY | O_CREAT, 0644),
		   EROFS);
	FAILS_WITH("ro-append", open("/ro/data.txt", O_WRONLY | O_APPEND),
		   EROFS);
	FAILS_WITH("ro-truncate", truncate("/ro/data.txt", 0), EROFS);
	FAILS_WITH("ro-unlink", unlink("/ro/data.txt"), EROFS);
	FAILS_WITH("ro-mkdir", mkdir("/ro/d", 0755), EROFS);
	FAILS_WITH("ro-rename", rename("/ro/data.txt", "/ro/b.txt"), EROFS);
	FAILS_WITH("ro-rename-to-rw", rename("/ro/data.txt", "/sb/b.txt"),
		   EROFS);
	FAILS_WITH("ro-symlink", symlink("data.txt", "/ro/l"), EROFS);
	FAILS_WITH("ro-link", link("/ro/data.txt", "/ro/l2"), EROFS);
	FAILS_WITH("ro-utime", utime("/ro/data.txt", NULL), EROFS);
	struct stat st;
	check("ro-stat", stat("/ro/data.txt", &st) == 0 && st.st_size == 15,
	      (long)st.st_size);
	check("ro-untouched", access("/ro/data.txt", R_OK) == 0, errno);
}

static void pointers(void)
{
	__wasi_size_t n = 0;
	__wasi_ciovec_t bad_iov = { (const uint8_t *)0xfffff000u, 100 };
	__wasi_ciovec_t ok_iov = { (const uint8_t *)"", 0 };
	char buf[8];
	__wasi_iovec_t riov = { (uint8_t *)buf, sizeof buf };
	check("efault-iovs", __wasi_fd_write(1,
		(const __wasi_ciovec_t *)0xfffffff0u, 1, &n) ==
		__WASI_ERRNO_FAULT, 0);
	check("efault-buffer", __wasi_fd_write(1, &bad_iov, 1, &n) ==
	      __WASI_ERRNO_FAULT, 0);
	check("efault-result", __wasi_fd_write(1, &ok_iov, 1,
		(__wasi_size_t *)0xfffffffcu) == __WASI_ERRNO_FAULT, 0);
	check("efault-path", raw_mkdir(3, (int32_t)0xfffffff0u, 100) ==
	      __WASI_ERRNO_FAULT, 0);
	check("efault-path-wrap", raw_mkdir(3, 16, -1) ==
	      __WASI_ERRNO_FAULT, 0);
	check("efault-read-result", __wasi_fd_read(0, &riov, 1,
		(__wasi_size_t *)0xfffffffcu) == __WASI_ERRNO_FAULT, 0);
	check("ebadf", __wasi_fd_write(99, &ok_iov, 1, &n) ==
	      __WASI_ERRNO_BADF, 0);
	__wasi_prestat_t ps;
	check("prestat-3", __wasi_fd_prestat_get(3, &ps) == 0 &&
	      ps.u.dir.pr_name_len == 3, 0);
	check("prestat-stdout-badf", __wasi_fd_prestat_get(1, &ps) ==
	      __WASI_ERRNO_BADF, 0);
	check("clock-bad-id", __wasi_clock_time_get(99, 0,
		(__wasi_timestamp_t *)buf) == __WASI_ERRNO_INVAL, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	escapes();
	read_only();
	pointers();
	printf("sandbox: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
