/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasi.c - WASI preview 1 host functions on top of wasm.h.
 *
 * Holds the guest's fd table and implements every wasi_snapshot_preview1
 * import that wasi-libc uses.  Paths are resolved only beneath a preopen's
 * directory fd with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
 * operations that take a (dirfd, name) pair first open the parent that
 * way and then act on the last component alone, never following it unless
 * asked and then only through openat2 again.  Sockets are not offered.
 *
 * Spec: WASI legacy preview 1, witx "wasi_snapshot_preview1"
 * (https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md);
 * struct layouts as in wasi-libc's <wasi/api.h>.
 */
#include "wasi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- WASI constants (witx values) ------------------------------------ */

enum {
	WE_SUCCESS = 0, WE_2BIG = 1, WE_ACCES = 2, WE_AGAIN = 6,
	WE_BADF = 8, WE_BUSY = 10, WE_DQUOT = 19, WE_EXIST = 20,
	WE_FAULT = 21, WE_FBIG = 22, WE_ILSEQ = 25, WE_INTR = 27,
	WE_INVAL = 28, WE_IO = 29, WE_ISDIR = 31, WE_LOOP = 32,
	WE_MFILE = 33, WE_MLINK = 34, WE_NAMETOOLONG = 37, WE_NFILE = 41,
	WE_NODEV = 43, WE_NOENT = 44, WE_NOMEM = 48, WE_NOSPC = 51,
	WE_NOSYS = 52, WE_NOTDIR = 54, WE_NOTEMPTY = 55, WE_NOTSUP = 58,
	WE_NOTTY = 59, WE_NXIO = 60, WE_OVERFLOW = 61, WE_PERM = 63,
	WE_PIPE = 64, WE_RANGE = 68, WE_ROFS = 69, WE_SPIPE = 70,
	WE_TXTBSY = 74, WE_XDEV = 75, WE_NOTCAPABLE = 76,
};

enum {
	FT_UNKNOWN = 0, FT_BLOCK = 1, FT_CHAR = 2, FT_DIR = 3, FT_REG = 4,
	FT_SOCK_DGRAM = 5, FT_SOCK_STREAM = 6, FT_SYMLINK = 7,
};

#define R(n) ((uint64_t)1 << (n))
#define R_FD_DATASYNC R(0)
#define R_FD_READ R(1)
#define R_FD_SEEK R(2)
#define R_FD_FDSTAT_SET_FLAGS R(3)
#define R_FD_SYNC R(4)
#define R_FD_TELL R(5)
#define R_FD_WRITE R(6)
#define R_FD_ADVISE R(7)
#define R_FD_ALLOCATE R(8)
#define R_PATH_CREATE_DIRECTORY R(9)
#define R_PATH_CREATE_FILE R(10)
#define R_PATH_LINK_SOURCE R(11)
#define R_PATH_LINK_TARGET R(12)
#define R_PATH_OPEN R(13)
#define R_FD_READDIR R(14)
#define R_PATH_READLINK R(15)
#define R_PATH_RENAME_SOURCE R(16)
#define R_PATH_RENAME_TARGET R(17)
#define R_PATH_FILESTAT_GET R(18)
#define R_PATH_FILESTAT_SET_SIZE R(19)
#define R_PATH_FILESTAT_SET_TIMES R(20)
#define R_FD_FILESTAT_GET R(21)
#define R_FD_FILESTAT_SET_SIZE R(22)
#define R_FD_FILESTAT_SET_TIMES R(23)
#define R_PATH_SYMLINK R(24)
#define R_PATH_REMOVE_DIRECTORY R(25)
#define R_PATH_UNLINK_FILE R(26)
#define R_POLL_FD_READWRITE R(27)

/* What a regular file or a directory can be asked to do. */
#define RIGHTS_FILE (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | \
	R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL | R_FD_WRITE | \
	R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | \
	R_FD_FILESTAT_SET_SIZE | R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)
#define RIGHTS_DIR (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_ADVISE | \
	R_PATH_CREATE_DIRECTORY | R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | \
	R_PATH_LINK_TARGET | R_PATH_OPEN | R_FD_READDIR | R_PATH_READLINK | \
	R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_FILESTAT_GET | \
	R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES | \
	R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | \
	R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE | R_FD_DATASYNC)
/* Rights that change something; a read-only preopen never grants them. */
#define RIGHTS_MUTATE (R_FD_WRITE | R_FD_ALLOCATE | \
	R_FD_FILESTAT_SET_SIZE | R_FD_FILESTAT_SET_TIMES | \
	R_PATH_CREATE_DIRECTORY | R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | \
	R_PATH_LINK_TARGET | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | \
	R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES | \
	R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE)
/* Rights that need the host file opened for writing. */
#define RIGHTS_WRITE_ACCESS (R_FD_WRITE | R_FD_ALLOCATE | \
	R_FD_FILESTAT_SET_SIZE)
/*
 * What a read-only directory passes on: nothing that changes anything,
 * except that the write-access rights stay listed so that wasi-libc asks
 * for them on open(O_WRONLY) and path_open can refuse with EROFS at once
 * rather than hand out an fd that fails on its first write.
 */
#define RO_INHERIT_MASK (~(RIGHTS_MUTATE & ~RIGHTS_WRITE_ACCESS))

enum { FDFL_APPEND = 1, FDFL_DSYNC = 2, FDFL_NONBLOCK = 4, FDFL_RSYNC = 8,
       FDFL_SYNC = 16 };
enum { OFL_CREAT = 1, OFL_DIRECTORY = 2, OFL_EXCL = 4, OFL_TRUNC = 8 };
enum { LOOKUP_SYMLINK_FOLLOW = 1 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };
enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };

#define SUB_SIZE 48u       /* sizeof(subscription) */
#define EVENT_SIZE 32u     /* sizeof(event) */
#define DIRENT_SIZE 24u    /* sizeof(dirent) before the name */
#define FILESTAT_SIZE 64u
#define MAX_IOVS 1024u     /* like IOV_MAX */
#define MAX_SUBS 4096u
#define MAX_DIR_BYTES ((size_t)64 << 20)  /* one readdir snapshot */
#define E_ESCAPE 4095      /* private: a path left its preopen */

/* ---- state ------------------------------------------------------------ */

struct dir_ent {
	uint64_t ino;      /* host inode number */
	uint8_t type;      /* WASI filetype */
	uint32_t namelen;  /* bytes of name, no NUL */
	char *name;        /* owned */
};

struct dir_snap {
	size_t n;          /* entries */
	struct dir_ent *ents;
};

struct wfd {
	int host;           /* host fd; -1 marks a free slot */
	uint8_t type;       /* WASI filetype */
	bool borrowed;      /* a stdio fd of the embedder: never closed */
	bool read_only;     /* from a read-only preopen */
	bool is_output;     /* counts against max_output_bytes */
	uint64_t rights;    /* base rights */
	uint64_t inherit;   /* rights of what path_open makes from it */
	char *preopen;      /* guest name of a preopen (owned), else NULL */
	struct dir_snap *dir; /* fd_readdir snapshot, or NULL */
};

typedef uint16_t (*wasi_impl)(bn_wasm_wasi *w, bn_wasm_memory *m,
			      const bn_wasm_val *a);

struct binding {
	bn_wasm_wasi *w;
	wasi_impl fn;
};

struct import {
	const char *name;
	const char *params;  /* 'i' = i32, 'I' = i64; result is one i32 */
	wasi_impl fn;
};

#define NIMPORTS 46

struct bn_wasm_wasi {
	char *args;            /* argc NUL-terminated strings, back to back */
	size_t args_bytes;
	uint32_t argc;
	char *env;             /* likewise for the environment */
	size_t env_bytes;
	uint32_t envc;
	struct wfd *fds;       /* nfds slots */
	uint32_t nfds;
	uint64_t max_output_bytes; /* 0 = no cap */
	uint64_t output_bytes; /* written to output fds so far */
	bn_wasm_wasi_random_fn random;
	void *random_payload;
	int wake_fd;           /* eventfd: readable once interrupted */
	struct binding binds[NIMPORTS]; /* payloads of the host functions */
};

/* ---- helpers ---------------------------------------------------------- */

static uint16_t from_errno(int e)
{
	switch (e) {
	case 0: return WE_SUCCESS;
	case E2BIG: return WE_2BIG;
	case EACCES: return WE_ACCES;
	case EAGAIN: return WE_AGAIN;
	case EBADF: return WE_BADF;
	case EBUSY: return WE_BUSY;
	case EDQUOT: return WE_DQUOT;
	case EEXIST: return WE_EXIST;
	case EFAULT: return WE_FAULT;
	case EFBIG: return WE_FBIG;
	case EILSEQ: return WE_ILSEQ;
	case EINTR: return WE_INTR;
	case EINVAL: return WE_INVAL;
	case EISDIR: return WE_ISDIR;
	case ELOOP: return WE_LOOP;
	case EMFILE: return WE_MFILE;
	case EMLINK: return WE_MLINK;
	case ENAMETOOLONG: return WE_NAMETOOLONG;
	case ENFILE: return WE_NFILE;
	case ENODEV: return WE_NODEV;
	case ENOENT: return WE_NOENT;
	case ENOMEM: return WE_NOMEM;
	case ENOSPC: return WE_NOSPC;
	case ENOSYS: return WE_NOSYS;
	case ENOTDIR: return WE_NOTDIR;
	case ENOTEMPTY: return WE_NOTEMPTY;
	case EOPNOTSUPP: return WE_NOTSUP;
	case ENOTTY: return WE_NOTTY;
	case ENXIO: return WE_NXIO;
	case EOVERFLOW: return WE_OVERFLOW;
	case EPERM: return WE_PERM;
	case EPIPE: return WE_PIPE;
	case ERANGE: return WE_RANGE;
	case EROFS: return WE_ROFS;
	case ESPIPE: return WE_SPIPE;
	case ETXTBSY: return WE_TXTBSY;
	case EXDEV: return WE_XDEV;
	case E_ESCAPE: return WE_NOTCAPABLE;
	default: return WE_IO;
	}
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/*
 * A checked pointer to guest bytes [ptr, ptr+len), or NULL.  An empty
 * range is fine anywhere up to the end of memory.
 */
static uint8_t *span(bn_wasm_memory *m, uint32_t ptr, uint64_t len)
{
	if (!m)
		return NULL;
	if (len == 0)
		return ptr <= bn_wasm_memory_size(m) ?
		       bn_wasm_memory_data(m) + ptr : NULL;
	return bn_wasm_memory_span(m, ptr, len);
}

static uint32_t A32(const bn_wasm_val *a, int i)
{
	return a[i].of.i32;
}

static uint64_t A64(const bn_wasm_val *a, int i)
{
	return a[i].of.i64;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static uint8_t type_of_mode(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFBLK: return FT_BLOCK;
	case S_IFCHR: return FT_CHAR;
	case S_IFDIR: return FT_DIR;
	case S_IFREG: return FT_REG;
	case S_IFLNK: return FT_SYMLINK;
	case S_IFSOCK: return FT_SOCK_STREAM;
	default: return FT_UNKNOWN;
	}
}

static uint8_t type_of_dtype(unsigned char d)
{
	switch (d) {
	case DT_BLK: return FT_BLOCK;
	case DT_CHR: return FT_CHAR;
	case DT_DIR: return FT_DIR;
	case DT_REG: return FT_REG;
	case DT_LNK: return FT_SYMLINK;
	case DT_SOCK: return FT_SOCK_STREAM;
	default: return FT_UNKNOWN;
	}
}

static void put_filestat(uint8_t *o, const struct stat *st)
{
	memset(o, 0, FILESTAT_SIZE);
	le64(o + 0, (uint64_t)st->st_dev);
	le64(o + 8, (uint64_t)st->st_ino);
	o[16] = type_of_mode(st->st_mode);
	le64(o + 24, (uint64_t)st->st_nlink);
	le64(o + 32, (uint64_t)st->st_size);
	le64(o + 40, ts_ns(&st->st_atim));
	le64(o + 48, ts_ns(&st->st_mtim));
	le64(o + 56, ts_ns(&st->st_ctim));
}

static void dir_snap_free(struct dir_snap *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->ents[i].name);
	free(d->ents);
	free(d);
}

static void fd_release(struct wfd *f)
{
	if (f->host >= 0 && !f->borrowed)
		(void)close(f->host);
	free(f->preopen);
	dir_snap_free(f->dir);
	memset(f, 0, sizeof *f);
	f->host = -1;
}

/*
 * Look up guest fd FD and check that it may do NEED.  A read-only fd
 * asked for a changing right gives EROFS before any rights check, so the
 * guest learns why.
 */
static uint16_t fd_get(struct wfd **out, bn_wasm_wasi *w, uint32_t fd,
		       uint64_t need)
{
	if (fd >= w->nfds || w->fds[fd].host < 0)
		return WE_BADF;
	struct wfd *f = &w->fds[fd];
	if (f->read_only && (need & RIGHTS_MUTATE))
		return WE_ROFS;
	if ((f->rights & need) != need)
		return WE_NOTCAPABLE;
	*out = f;
	return WE_SUCCESS;
}

/* A directory fd that may do NEED. */
static uint16_t dir_get(struct wfd **out, bn_wasm_wasi *w, uint32_t fd,
			uint64_t need)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, fd, 0);
	if (e)
		return e;
	if (f->type != FT_DIR)
		return WE_NOTDIR;
	e = fd_get(&f, w, fd, need);
	if (e)
		return e;
	*out = f;
	return WE_SUCCESS;
}

static uint16_t fd_alloc(uint32_t *out, bn_wasm_wasi *w)
{
	for (uint32_t i = 0; i < w->nfds; i++) {
		if (w->fds[i].host < 0) {
			*out = i;
			return WE_SUCCESS;
		}
	}
	return WE_MFILE;
}

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

/* ---- args, environment, clocks, random -------------------------------- */

static uint16_t put_strings(bn_wasm_memory *m, uint32_t vec, uint32_t buf,
			    const char *blob, size_t bytes, uint32_t n)
{
	uint8_t *pv = span(m, vec, (uint64_t)n * 4);
	uint8_t *pb = span(m, buf, bytes);
	if (!pv || !pb)
		return WE_FAULT;
	size_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		le32(pv + 4 * i, buf + (uint32_t)off);
		off += strlen(blob + off) + 1;
	}
	memcpy(pb, blob, bytes);
	return WE_SUCCESS;
}

static uint16_t put_sizes(bn_wasm_memory *m, uint32_t pn, uint32_t psz,
			  uint32_t n, size_t bytes)
{
	uint8_t *a = span(m, pn, 4), *b = span(m, psz, 4);
	if (!a || !b)
		return WE_FAULT;
	le32(a, n);
	le32(b, (uint32_t)bytes);
	return WE_SUCCESS;
}

static uint16_t wasi_args_get(bn_wasm_wasi *w, bn_wasm_memory *m,
			      const bn_wasm_val *a)
{
	return put_strings(m, A32(a, 0), A32(a, 1), w->args, w->args_bytes,
			   w->argc);
}

static uint16_t wasi_args_sizes_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				    const bn_wasm_val *a)
{
	return put_sizes(m, A32(a, 0), A32(a, 1), w->argc, w->args_bytes);
}

static uint16_t wasi_environ_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	return put_strings(m, A32(a, 0), A32(a, 1), w->env, w->env_bytes,
			   w->envc);
}

static uint16_t wasi_environ_sizes_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				       const bn_wasm_val *a)
{
	return put_sizes(m, A32(a, 0), A32(a, 1), w->envc, w->env_bytes);
}

static int host_clock(clockid_t *out, uint32_t id)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
					 CLOCK_PROCESS_CPUTIME_ID,
					 CLOCK_THREAD_CPUTIME_ID };
	if (id >= sizeof ids / sizeof ids[0])
		return -EINVAL;
	*out = ids[id];
	return 0;
}

static uint16_t wasi_clock_res_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				   const bn_wasm_val *a)
{
	clockid_t id;
	struct timespec ts;
	uint8_t *o = span(m, A32(a, 1), 8);
	if (!o)
		return WE_FAULT;
	if (host_clock(&id, A32(a, 0)) < 0)
		return WE_INVAL;
	if (clock_getres(id, &ts) < 0)
		return from_errno(errno);
	le64(o, ts_ns(&ts));
	return WE_SUCCESS;
}

static uint16_t wasi_clock_time_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				    const bn_wasm_val *a)
{
	clockid_t id;
	struct timespec ts;
	uint8_t *o = span(m, A32(a, 2), 8);
	if (!o)
		return WE_FAULT;
	if (host_clock(&id, A32(a, 0)) < 0)
		return WE_INVAL;
	if (clock_gettime(id, &ts) < 0)
		return from_errno(errno);
	le64(o, ts_ns(&ts));
	return WE_SUCCESS;
}

static int random_fill(bn_wasm_wasi *w, uint8_t *buf, size_t len)
{
	if (w->random)
		return w->random(buf, len, w->random_payload);
	while (len > 0) {
		ssize_t n = getrandom(buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint16_t wasi_random_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				const bn_wasm_val *a)
{
	uint8_t *o = span(m, A32(a, 0), A32(a, 1));
	if (!o)
		return WE_FAULT;
	int r = random_fill(w, o, A32(a, 1));
	return r < 0 ? from_errno(-r) : WE_SUCCESS;
}

static uint16_t wasi_sched_yield(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	(void)sched_yield();
	return WE_SUCCESS;
}

static uint16_t wasi_nosys(bn_wasm_wasi *w, bn_wasm_memory *m,
			   const bn_wasm_val *a)
{
	return WE_NOSYS;
}

static uint16_t wasi_notsup(bn_wasm_wasi *w, bn_wasm_memory *m,
			    const bn_wasm_val *a)
{
	return WE_NOTSUP;
}

/* ---- reading and writing ---------------------------------------------- */

/*
 * Turn the guest's iovec array into host iovecs over checked guest
 * memory, capping the total at LIMIT bytes.  *total_out gets the sum,
 * *cut_out whether the cap shortened it.
 */
static uint16_t get_iovs(struct iovec *iov, size_t *total_out, bool *cut_out,
			 bn_wasm_memory *m, uint32_t ptr, uint32_t n,
			 uint64_t limit)
{
	const uint8_t *p = span(m, ptr, (uint64_t)n * 8);
	size_t total = 0;
	bool cut = false;
	if (n > MAX_IOVS)
		return WE_INVAL;
	if (!p)
		return WE_FAULT;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t base = rd32(p + 8 * i), len = rd32(p + 8 * i + 4);
		uint8_t *b = span(m, base, len);
		if (!b)
			return WE_FAULT;
		if (len > limit - total) {
			len = (uint32_t)(limit - total);
			cut = true;
		}
		iov[i].iov_base = b;
		iov[i].iov_len = len;
		total += len;
	}
	*total_out = total;
	*cut_out = cut;
	return WE_SUCCESS;
}

/*
 * Wait until HOST is readable or the run is interrupted; regular files
 * never block, so only pipes, ttys and the like come here.
 */
static uint16_t wait_readable(bn_wasm_wasi *w, int host)
{
	struct pollfd p[2] = { { .fd = host, .events = POLLIN },
			       { .fd = w->wake_fd, .events = POLLIN } };
	int r;

	do {
		r = poll(p, 2, -1);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return from_errno(errno);
	return p[1].revents ? WE_INTR : WE_SUCCESS;
}

/* Shared body of fd_read, fd_pread, fd_write and fd_pwrite. */
static uint16_t do_rw(bn_wasm_wasi *w, bn_wasm_memory *m,
		      const bn_wasm_val *a, bool write, bool positioned)
{
	struct iovec iov[MAX_IOVS];
	struct wfd *f;
	uint64_t limit = SSIZE_MAX, off = positioned ? A64(a, 3) : 0;
	uint32_t n = A32(a, 2), outp = A32(a, positioned ? 4 : 3);
	uint64_t need = write ? R_FD_WRITE : R_FD_READ;
	size_t total;
	bool cut;
	ssize_t r;
	uint16_t e;

	if (positioned)
		need |= R_FD_SEEK;
	e = fd_get(&f, w, A32(a, 0), need);
	if (e)
		return e;
	uint8_t *o = span(m, outp, 4);
	if (!o)
		return WE_FAULT;
	if (positioned && off > INT64_MAX)
		return WE_INVAL;
	if (write && f->is_output && w->max_output_bytes)
		limit = w->max_output_bytes - w->output_bytes;
	e = get_iovs(iov, &total, &cut, m, A32(a, 1), n, limit);
	if (e)
		return e;
	if (cut && total == 0)
		return WE_FBIG;  /* only a write wholly past the cap fails */
	if (!write && !positioned && f->type != FT_REG && f->type != FT_DIR) {
		e = wait_readable(w, f->host);
		if (e)
			return e;
	}
	do {
		if (write)
			r = positioned ? pwritev(f->host, iov, (int)n,
						 (off_t)off)
				       : writev(f->host, iov, (int)n);
		else
			r = positioned ? preadv(f->host, iov, (int)n,
						(off_t)off)
				       : readv(f->host, iov, (int)n);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return from_errno(errno);
	if (write && f->is_output)
		w->output_bytes += (uint64_t)r;
	le32(o, (uint32_t)r);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_read(bn_wasm_wasi *w, bn_wasm_memory *m,
			     const bn_wasm_val *a)
{
	return do_rw(w, m, a, false, false);
}

static uint16_t wasi_fd_pread(bn_wasm_wasi *w, bn_wasm_memory *m,
			      const bn_wasm_val *a)
{
	return do_rw(w, m, a, false, true);
}

static uint16_t wasi_fd_write(bn_wasm_wasi *w, bn_wasm_memory *m,
			      const bn_wasm_val *a)
{
	return do_rw(w, m, a, true, false);
}

static uint16_t wasi_fd_pwrite(bn_wasm_wasi *w, bn_wasm_memory *m,
			       const bn_wasm_val *a)
{
	return do_rw(w, m, a, true, true);
}

static uint16_t wasi_fd_seek(bn_wasm_wasi *w, bn_wasm_memory *m,
			     const bn_wasm_val *a)
{
	static const int whence[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	struct wfd *f;
	uint32_t wh = A32(a, 2);
	int64_t off = (int64_t)A64(a, 1);
	uint64_t need = (wh == 1 && off == 0) ? R_FD_TELL : R_FD_SEEK;
	uint16_t e = fd_get(&f, w, A32(a, 0), need);
	if (e)
		return e;
	uint8_t *o = span(m, A32(a, 3), 8);
	if (!o)
		return WE_FAULT;
	if (wh > 2)
		return WE_INVAL;
	off_t r = lseek(f->host, (off_t)off, whence[wh]);
	if (r < 0)
		return from_errno(errno);
	le64(o, (uint64_t)r);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_tell(bn_wasm_wasi *w, bn_wasm_memory *m,
			     const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_TELL);
	if (e)
		return e;
	uint8_t *o = span(m, A32(a, 1), 8);
	if (!o)
		return WE_FAULT;
	off_t r = lseek(f->host, 0, SEEK_CUR);
	if (r < 0)
		return from_errno(errno);
	le64(o, (uint64_t)r);
	return WE_SUCCESS;
}

/* ---- fd metadata ------------------------------------------------------ */

static uint16_t wasi_fd_close(bn_wasm_wasi *w, bn_wasm_memory *m,
			      const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), 0);
	if (e)
		return e;
	fd_release(f);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_renumber(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	struct wfd *from, *to;
	uint16_t e = fd_get(&from, w, A32(a, 0), 0);
	if (e)
		return e;
	e = fd_get(&to, w, A32(a, 1), 0);
	if (e)
		return e;
	if (from == to)
		return WE_SUCCESS;
	fd_release(to);
	*to = *from;
	memset(from, 0, sizeof *from);
	from->host = -1;
	return WE_SUCCESS;
}

static uint16_t fdflags_of(int fl)
{
	uint16_t r = 0;
	if (fl & O_APPEND)
		r |= FDFL_APPEND;
	if (fl & O_NONBLOCK)
		r |= FDFL_NONBLOCK;
	if ((fl & O_SYNC) == O_SYNC)
		r |= FDFL_SYNC | FDFL_RSYNC;
	else if (fl & O_DSYNC)
		r |= FDFL_DSYNC;
	return r;
}

static uint16_t wasi_fd_fdstat_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				   const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), 0);
	if (e)
		return e;
	uint8_t *o = span(m, A32(a, 1), 24);
	if (!o)
		return WE_FAULT;
	int fl = fcntl(f->host, F_GETFL);
	if (fl < 0)
		return from_errno(errno);
	memset(o, 0, 24);
	o[0] = f->type;
	le16(o + 2, fdflags_of(fl));
	le64(o + 8, f->rights);
	le64(o + 16, f->inherit);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_fdstat_set_flags(bn_wasm_wasi *w, bn_wasm_memory *m,
					 const bn_wasm_val *a)
{
	struct wfd *f;
	uint32_t want = A32(a, 1);
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_FDSTAT_SET_FLAGS);
	if (e)
		return e;
	if (want & ~(uint32_t)(FDFL_APPEND | FDFL_NONBLOCK))
		return WE_NOTSUP;  /* Linux cannot change the sync flags */
	if (f->read_only && (want & FDFL_APPEND))
		return WE_ROFS;
	int old = fcntl(f->host, F_GETFL);
	if (old < 0)
		return from_errno(errno);
	int fl = old & ~(O_APPEND | O_NONBLOCK);
	fl |= (want & FDFL_APPEND) ? O_APPEND : 0;
	fl |= (want & FDFL_NONBLOCK) ? O_NONBLOCK : 0;
	/* The embedder's stdio is shared with it: leave its mode alone. */
	if (f->borrowed && fl != old)
		return WE_NOTSUP;
	if (fcntl(f->host, F_SETFL, fl) < 0)
		return from_errno(errno);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_fdstat_set_rights(bn_wasm_wasi *w,
					  bn_wasm_memory *m,
					  const bn_wasm_val *a)
{
	struct wfd *f;
	uint64_t base = A64(a, 1), inh = A64(a, 2);
	uint16_t e = fd_get(&f, w, A32(a, 0), 0);
	if (e)
		return e;
	if ((base & ~f->rights) || (inh & ~f->inherit))
		return WE_NOTCAPABLE;  /* rights only ever shrink */
	f->rights = base;
	f->inherit = inh;
	return WE_SUCCESS;
}

static uint16_t wasi_fd_filestat_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				     const bn_wasm_val *a)
{
	struct wfd *f;
	struct stat st;
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_FILESTAT_GET);
	if (e)
		return e;
	uint8_t *o = span(m, A32(a, 1), FILESTAT_SIZE);
	if (!o)
		return WE_FAULT;
	if (fstat(f->host, &st) < 0)
		return from_errno(errno);
	put_filestat(o, &st);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_filestat_set_size(bn_wasm_wasi *w,
					  bn_wasm_memory *m,
					  const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_FILESTAT_SET_SIZE);
	if (e)
		return e;
	if (A64(a, 1) > INT64_MAX)
		return WE_INVAL;
	if (ftruncate(f->host, (off_t)A64(a, 1)) < 0)
		return from_errno(errno);
	return WE_SUCCESS;
}

/* The two timespecs of utimensat from WASI times and fstflags. */
static uint16_t get_times(struct timespec ts[2], uint64_t atim,
			  uint64_t mtim, uint32_t fl)
{
	if (((fl & FST_ATIM) && (fl & FST_ATIM_NOW)) ||
	    ((fl & FST_MTIM) && (fl & FST_MTIM_NOW)) || (fl & ~15u))
		return WE_INVAL;
	uint64_t t[2] = { atim, mtim };
	uint32_t set[2] = { FST_ATIM, FST_MTIM };
	uint32_t now[2] = { FST_ATIM_NOW, FST_MTIM_NOW };
	for (int i = 0; i < 2; i++) {
		ts[i].tv_sec = 0;
		if (fl & now[i]) {
			ts[i].tv_nsec = UTIME_NOW;
		} else if (fl & set[i]) {
			ts[i].tv_sec = (time_t)(t[i] / 1000000000u);
			ts[i].tv_nsec = (long)(t[i] % 1000000000u);
		} else {
			ts[i].tv_nsec = UTIME_OMIT;
		}
	}
	return WE_SUCCESS;
}

static uint16_t wasi_fd_filestat_set_times(bn_wasm_wasi *w,
					   bn_wasm_memory *m,
					   const bn_wasm_val *a)
{
	struct wfd *f;
	struct timespec ts[2];
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_FILESTAT_SET_TIMES);
	if (e)
		return e;
	e = get_times(ts, A64(a, 1), A64(a, 2), A32(a, 3));
	if (e)
		return e;
	if (futimens(f->host, ts) < 0)
		return from_errno(errno);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_advise(bn_wasm_wasi *w, bn_wasm_memory *m,
			       const bn_wasm_val *a)
{
	static const int adv[] = { POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL,
				   POSIX_FADV_RANDOM, POSIX_FADV_WILLNEED,
				   POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE };
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_ADVISE);
	if (e)
		return e;
	if (A32(a, 3) > 5 || A64(a, 1) > INT64_MAX || A64(a, 2) > INT64_MAX)
		return WE_INVAL;
	if (f->type == FT_DIR)
		return WE_BADF;
	int r = posix_fadvise(f->host, (off_t)A64(a, 1), (off_t)A64(a, 2),
			      adv[A32(a, 3)]);
	return from_errno(r);
}

static uint16_t wasi_fd_allocate(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_ALLOCATE);
	if (e)
		return e;
	if (A64(a, 1) > INT64_MAX || A64(a, 2) > INT64_MAX - A64(a, 1))
		return WE_FBIG;
	int r = posix_fallocate(f->host, (off_t)A64(a, 1), (off_t)A64(a, 2));
	return from_errno(r);
}

static uint16_t wasi_fd_sync(bn_wasm_wasi *w, bn_wasm_memory *m,
			     const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_SYNC);
	if (e)
		return e;
	return fsync(f->host) < 0 ? from_errno(errno) : WE_SUCCESS;
}

static uint16_t wasi_fd_datasync(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), R_FD_DATASYNC);
	if (e)
		return e;
	return fdatasync(f->host) < 0 ? from_errno(errno) : WE_SUCCESS;
}

static uint16_t wasi_fd_prestat_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				    const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), 0);
	if (e)
		return e;
	if (!f->preopen)
		return WE_BADF;
	uint8_t *o = span(m, A32(a, 1), 8);
	if (!o)
		return WE_FAULT;
	memset(o, 0, 8);  /* tag 0 = dir */
	le32(o + 4, (uint32_t)strlen(f->preopen));
	return WE_SUCCESS;
}

static uint16_t wasi_fd_prestat_dir_name(bn_wasm_wasi *w, bn_wasm_memory *m,
					 const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e = fd_get(&f, w, A32(a, 0), 0);
	if (e)
		return e;
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

/* ---- directories ------------------------------------------------------ */

/* Read the whole directory behind F into a fresh snapshot. */
static int dir_snap_take(struct dir_snap **out, const struct wfd *f)
{
	struct dir_snap *d = calloc(1, sizeof *d);
	size_t cap = 0, bytes = 0;
	int fd, r = 0;
	DIR *dp;

	if (!d)
		return -ENOMEM;
	fd = openat(f->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dp = fdopendir(fd))) {
		r = -errno;
		if (fd >= 0)
			(void)close(fd);
		dir_snap_free(d);
		return r;
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(dp);
		if (!de) {
			r = -errno;
			break;
		}
		size_t nl = strlen(de->d_name);
		bytes += nl + sizeof *d->ents;
		if (bytes > MAX_DIR_BYTES) {
			r = -ENOMEM;
			break;
		}
		if (d->n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct dir_ent *ne = realloc(d->ents, nc * sizeof *ne);
			if (!ne) {
				r = -ENOMEM;
				break;
			}
			d->ents = ne;
			cap = nc;
		}
		struct dir_ent *e = &d->ents[d->n];
		e->name = strdup(de->d_name);
		if (!e->name) {
			r = -ENOMEM;
			break;
		}
		e->namelen = (uint32_t)nl;
		e->ino = de->d_ino;
		e->type = type_of_dtype(de->d_type);
		d->n++;
	}
	(void)closedir(dp);
	if (r < 0) {
		dir_snap_free(d);
		return r;
	}
	*out = d;
	return 0;
}

/*
 * fd_readdir: entries from index COOKIE on, each a 24-byte dirent and
 * its name, the last one cut at the end of the buffer as the spec says.
 * A full buffer tells the guest to call again.
 */
static uint16_t wasi_fd_readdir(bn_wasm_wasi *w, bn_wasm_memory *m,
				const bn_wasm_val *a)
{
	struct wfd *f;
	uint32_t len = A32(a, 2);
	uint64_t cookie = A64(a, 3);
	uint16_t e = dir_get(&f, w, A32(a, 0), R_FD_READDIR);
	if (e)
		return e;
	uint8_t *buf = span(m, A32(a, 1), len);
	uint8_t *o = span(m, A32(a, 4), 4);
	if (!buf || !o)
		return WE_FAULT;
	if (cookie == 0 || !f->dir) {
		struct dir_snap *d = NULL;
		int r = dir_snap_take(&d, f);
		if (r < 0)
			return from_errno(-r);
		dir_snap_free(f->dir);
		f->dir = d;
	}
	uint32_t used = 0;
	for (uint64_t i = cookie; i < f->dir->n && used < len; i++) {
		const struct dir_ent *de = &f->dir->ents[i];
		uint8_t hdr[DIRENT_SIZE];
		memset(hdr, 0, sizeof hdr);
		le64(hdr + 0, i + 1);
		le64(hdr + 8, de->ino);
		le32(hdr + 16, de->namelen);
		hdr[20] = de->type;
		uint32_t n = len - used < DIRENT_SIZE ? len - used : DIRENT_SIZE;
		memcpy(buf + used, hdr, n);
		used += n;
		n = len - used < de->namelen ? len - used : de->namelen;
		memcpy(buf + used, de->name, n);
		used += n;
	}
	le32(o, used);
	return WE_SUCCESS;
}

/* ---- paths ------------------------------------------------------------ */

static uint16_t wasi_path_open(bn_wasm_wasi *w, bn_wasm_memory *m,
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
	e = dir_get(&d, w, A32(a, 0), need);
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
	e = fd_alloc(&nfd, w);
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
		return from_errno(-fd);
	if (fstat(fd, &st) < 0) {
		e = from_errno(errno);
		(void)close(fd);
		return e;
	}
	struct wfd *f = &w->fds[nfd];
	f->host = fd;
	f->type = type_of_mode(st.st_mode);
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
		return from_errno(-fd);
	int r = fstat(fd, st);
	int err = errno;
	(void)close(fd);
	return r < 0 ? from_errno(err) : WE_SUCCESS;
}

static uint16_t wasi_path_filestat_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				       const bn_wasm_val *a)
{
	char path[PATH_MAX];
	struct wfd *d;
	struct stat st;
	uint16_t e = dir_get(&d, w, A32(a, 0), R_PATH_FILESTAT_GET);
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
	put_filestat(o, &st);
	return WE_SUCCESS;
}

static uint16_t wasi_path_filestat_set_times(bn_wasm_wasi *w,
					     bn_wasm_memory *m,
					     const bn_wasm_val *a)
{
	char path[PATH_MAX];
	struct wfd *d;
	struct timespec ts[2];
	const char *name;
	int fd, r;
	uint16_t e = dir_get(&d, w, A32(a, 0), R_PATH_FILESTAT_SET_TIMES);
	if (e)
		return e;
	e = get_path(path, m, A32(a, 2), A32(a, 3));
	if (e)
		return e;
	e = get_times(ts, A64(a, 4), A64(a, 5), A32(a, 6));
	if (e)
		return e;
	if (A32(a, 1) & LOOKUP_SYMLINK_FOLLOW) {
		/* Follow only through openat2, then act on the fd. */
		fd = open_beneath(d->host, path,
				  O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
		if (fd < 0)
			return from_errno(-fd);
		r = futimens(fd, ts);
	} else {
		fd = open_parent(d->host, path, &name);
		if (fd < 0)
			return from_errno(-fd);
		r = utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW);
	}
	int err = errno;
	(void)close(fd);
	return r < 0 ? from_errno(err) : WE_SUCCESS;
}

/* Shared body of the path calls that act on one (parent, name) pair. */
enum path_op { OP_MKDIR, OP_RMDIR, OP_UNLINK };

static uint16_t path_simple(bn_wasm_wasi *w, bn_wasm_memory *m,
			    const bn_wasm_val *a, enum path_op op)
{
	static const uint64_t need[] = { R_PATH_CREATE_DIRECTORY,
					 R_PATH_REMOVE_DIRECTORY,
					 R_PATH_UNLINK_FILE };
	char path[PATH_MAX];
	const char *name;
	struct wfd *d;
	int fd, r;
	uint16_t e = dir_get(&d, w, A32(a, 0), need[op]);
	if (e)
		return e;
	e = get_path(path, m, A32(a, 1), A32(a, 2));
	if (e)
		return e;
	fd = open_parent(d->host, path, &name);
	if (fd < 0)
		return from_errno(-fd);
	if (op == OP_MKDIR)
		r = mkdirat(fd, name, 0777);
	else
		r = unlinkat(fd, name, op == OP_RMDIR ? AT_REMOVEDIR : 0);
	int err = errno;
	(void)close(fd);
	return r < 0 ? from_errno(err) : WE_SUCCESS;
}

static uint16_t wasi_path_create_directory(bn_wasm_wasi *w,
					   bn_wasm_memory *m,
					   const bn_wasm_val *a)
{
	return path_simple(w, m, a, OP_MKDIR);
}

static uint16_t wasi_path_remove_directory(bn_wasm_wasi *w,
					   bn_wasm_memory *m,
					   const bn_wasm_val *a)
{
	return path_simple(w, m, a, OP_RMDIR);
}

static uint16_t wasi_path_unlink_file(bn_wasm_wasi *w, bn_wasm_memory *m,
				      const bn_wasm_val *a)
{
	return path_simple(w, m, a, OP_UNLINK);
}

/*
 * Two (parent, name) pairs for rename and link.  On success *fd1 and
 * *fd2 are open parents the caller closes.
 */
static uint16_t two_parents(int *fd1, const char **n1, int *fd2,
			    const char **n2, struct wfd *d1, char *p1,
			    struct wfd *d2, char *p2)
{
	*fd1 = open_parent(d1->host, p1, n1);
	if (*fd1 < 0)
		return from_errno(-*fd1);
	*fd2 = open_parent(d2->host, p2, n2);
	if (*fd2 < 0) {
		uint16_t e = from_errno(-*fd2);
		(void)close(*fd1);
		return e;
	}
	return WE_SUCCESS;
}

static uint16_t wasi_path_rename(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	char p1[PATH_MAX], p2[PATH_MAX];
	const char *n1, *n2;
	struct wfd *d1, *d2;
	int f1, f2 = -1;
	uint16_t e = dir_get(&d1, w, A32(a, 0), R_PATH_RENAME_SOURCE);
	if (e)
		return e;
	e = dir_get(&d2, w, A32(a, 3), R_PATH_RENAME_TARGET);
	if (e)
		return e;
	e = get_path(p1, m, A32(a, 1), A32(a, 2));
	if (e)
		return e;
	e = get_path(p2, m, A32(a, 4), A32(a, 5));
	if (e)
		return e;
	e = two_parents(&f1, &n1, &f2, &n2, d1, p1, d2, p2);
	if (e)
		return e;
	int r = renameat(f1, n1, f2, n2);
	int err = errno;
	(void)close(f1);
	(void)close(f2);
	return r < 0 ? from_errno(err) : WE_SUCCESS;
}

static uint16_t wasi_path_link(bn_wasm_wasi *w, bn_wasm_memory *m,
			       const bn_wasm_val *a)
{
	char p1[PATH_MAX], p2[PATH_MAX];
	const char *n1, *n2;
	struct wfd *d1, *d2;
	int f1, f2 = -1;
	uint16_t e = dir_get(&d1, w, A32(a, 0), R_PATH_LINK_SOURCE);
	if (e)
		return e;
	e = dir_get(&d2, w, A32(a, 4), R_PATH_LINK_TARGET);
	if (e)
		return e;
	/* Following the source would need a second beneath-walk. */
	if (A32(a, 1) & LOOKUP_SYMLINK_FOLLOW)
		return WE_INVAL;
	e = get_path(p1, m, A32(a, 2), A32(a, 3));
	if (e)
		return e;
	e = get_path(p2, m, A32(a, 5), A32(a, 6));
	if (e)
		return e;
	e = two_parents(&f1, &n1, &f2, &n2, d1, p1, d2, p2);
	if (e)
		return e;
	int r = linkat(f1, n1, f2, n2, 0);
	int err = errno;
	(void)close(f1);
	(void)close(f2);
	return r < 0 ? from_errno(err) : WE_SUCCESS;
}

/* Depth after walking the LEN bytes of P from DEPTH; -1 once above 0. */
static long walk_depth(const char *p, size_t len, long depth)
{
	size_t i = 0;

	while (i < len) {
		size_t n = 0;
		while (i + n < len && p[i + n] != '/')
			n++;
		if (n == 2 && p[i] == '.' && p[i + 1] == '.') {
			if (--depth < 0)
				return -1;
		} else if (n > 0 && !(n == 1 && p[i] == '.')) {
			depth++;
		}
		i += n + 1;
	}
	return depth;
}

/*
 * path_symlink: the target is only text, and our own lookups never leave
 * a preopen, but a target that is absolute or climbs above the preopen
 * (counted lexically from the link's place) could lead a host program
 * out, so both are refused.
 */
static bool target_escapes(const char *target, const char *linkpath)
{
	const char *slash = strrchr(linkpath, '/');
	long depth;

	if (target[0] == '/')
		return true;
	depth = walk_depth(linkpath, slash ? (size_t)(slash - linkpath) : 0,
			   0);
	return depth < 0 || walk_depth(target, strlen(target), depth) < 0;
}

static uint16_t wasi_path_symlink(bn_wasm_wasi *w, bn_wasm_memory *m,
				  const bn_wasm_val *a)
{
	char target[PATH_MAX], path[PATH_MAX];
	const char *name;
	struct wfd *d;
	uint16_t e = dir_get(&d, w, A32(a, 2), R_PATH_SYMLINK);
	if (e)
		return e;
	e = get_path(target, m, A32(a, 0), A32(a, 1));
	if (e)
		return e;
	e = get_path(path, m, A32(a, 3), A32(a, 4));
	if (e)
		return e;
	if (target_escapes(target, path))
		return WE_NOTCAPABLE;
	int fd = open_parent(d->host, path, &name);
	if (fd < 0)
		return from_errno(-fd);
	int r = symlinkat(target, fd, name);
	int err = errno;
	(void)close(fd);
	return r < 0 ? from_errno(err) : WE_SUCCESS;
}

static uint16_t wasi_path_readlink(bn_wasm_wasi *w, bn_wasm_memory *m,
				   const bn_wasm_val *a)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *name;
	struct wfd *d;
	uint32_t len = A32(a, 4);
	uint16_t e = dir_get(&d, w, A32(a, 0), R_PATH_READLINK);
	if (e)
		return e;
	uint8_t *buf = span(m, A32(a, 3), len);
	uint8_t *o = span(m, A32(a, 5), 4);
	if (!buf || !o)
		return WE_FAULT;
	e = get_path(path, m, A32(a, 1), A32(a, 2));
	if (e)
		return e;
	int fd = open_parent(d->host, path, &name);
	if (fd < 0)
		return from_errno(-fd);
	ssize_t r = readlinkat(fd, name, link, sizeof link);
	int err = errno;
	(void)close(fd);
	if (r < 0)
		return from_errno(err);
	size_t n = (size_t)r < len ? (size_t)r : len;
	memcpy(buf, link, n);
	le32(o, (uint32_t)n);
	return WE_SUCCESS;
}

/* ---- poll_oneoff ------------------------------------------------------ */

struct sub {
	uint64_t userdata;
	uint8_t tag;         /* EV_* */
	uint64_t deadline;   /* clock: CLOCK_MONOTONIC ns */
	uint32_t fd;         /* fd_read / fd_write */
	int pidx;            /* index in the pollfd array, or -1 */
	uint16_t err;        /* an error found before waiting */
};

static uint64_t mono_now(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

/* Decode one subscription and turn a clock into a monotonic deadline. */
static void sub_decode(struct sub *s, const uint8_t *p, uint64_t now)
{
	memset(s, 0, sizeof *s);
	s->pidx = -1;
	s->userdata = rd64(p);
	s->tag = p[8];
	if (s->tag == EV_CLOCK) {
		uint32_t id = rd32(p + 16);
		uint64_t t = rd64(p + 24);
		bool abs = rd32(p + 40) & 1;  /* subclockflags is a u16 */
		clockid_t cid;
		struct timespec ts;
		if (host_clock(&cid, id) < 0 || clock_gettime(cid, &ts) < 0) {
			s->err = WE_INVAL;
			return;
		}
		uint64_t cur = ts_ns(&ts);
		uint64_t rel = abs ? (t > cur ? t - cur : 0) : t;
		s->deadline = rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
	} else if (s->tag == EV_FD_READ || s->tag == EV_FD_WRITE) {
		s->fd = rd32(p + 16);
	} else {
		s->err = WE_INVAL;
	}
}

static void put_event(uint8_t *o, const struct sub *s, uint16_t err,
		      uint64_t nbytes, bool hangup)
{
	memset(o, 0, EVENT_SIZE);
	le64(o, s->userdata);
	le16(o + 8, err);
	o[10] = s->tag;
	le64(o + 16, nbytes);
	le16(o + 24, hangup ? 1 : 0);
}

static uint16_t wasi_poll_oneoff(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	uint32_t n = A32(a, 2);
	if (n == 0 || n > MAX_SUBS)
		return WE_INVAL;
	const uint8_t *in = span(m, A32(a, 0), (uint64_t)n * SUB_SIZE);
	uint8_t *out = span(m, A32(a, 1), (uint64_t)n * EVENT_SIZE);
	uint8_t *pn = span(m, A32(a, 3), 4);
	if (!in || !out || !pn)
		return WE_FAULT;
	struct sub *subs = calloc(n, sizeof *subs);
	struct pollfd *pfd = calloc(n + 1, sizeof *pfd);  /* + wake_fd */
	uint32_t nev = 0, npfd = 0;
	uint64_t now = mono_now(), first = UINT64_MAX;
	if (!subs || !pfd) {
		free(subs);
		free(pfd);
		return WE_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct sub *s = &subs[i];
		struct wfd *f;
		sub_decode(s, in + (size_t)i * SUB_SIZE, now);
		if (s->err || s->tag == EV_CLOCK) {
			if (!s->err && s->deadline < first)
				first = s->deadline;
			continue;
		}
		s->err = fd_get(&f, w, s->fd, R_POLL_FD_READWRITE);
		if (s->err)
			continue;
		s->pidx = (int)npfd;
		pfd[npfd].fd = f->host;
		pfd[npfd].events = s->tag == EV_FD_READ ? POLLIN : POLLOUT;
		npfd++;
	}
	for (uint32_t i = 0; i < n; i++)
		if (subs[i].err)
			first = now;  /* report errors without waiting */
	pfd[npfd].fd = w->wake_fd;
	pfd[npfd].events = POLLIN;
	for (;;) {
		struct timespec ts, *tp = NULL;
		if (first != UINT64_MAX) {
			uint64_t d = first > now ? first - now : 0;
			ts.tv_sec = (time_t)(d / 1000000000u);
			ts.tv_nsec = (long)(d % 1000000000u);
			tp = &ts;
		}
		int r = ppoll(pfd, npfd + 1, tp, NULL);
		if ((r < 0 && errno != EINTR) || pfd[npfd].revents) {
			uint16_t e = r < 0 ? from_errno(errno) : WE_INTR;
			free(subs);
			free(pfd);
			return e;
		}
		now = mono_now();
		for (uint32_t i = 0; i < n; i++) {
			struct sub *s = &subs[i];
			uint8_t *o = out + (size_t)nev * EVENT_SIZE;
			if (s->err) {
				put_event(o, s, s->err, 0, false);
				nev++;
			} else if (s->tag == EV_CLOCK && s->deadline <= now) {
				put_event(o, s, 0, 0, false);
				nev++;
			} else if (s->pidx >= 0 && pfd[s->pidx].revents) {
				short re = pfd[s->pidx].revents;
				int avail = 0;
				if (s->tag == EV_FD_READ &&
				    ioctl(pfd[s->pidx].fd, FIONREAD, &avail) < 0)
					avail = 0;
				put_event(o, s, (re & POLLNVAL) ? WE_BADF : 0,
					  avail > 0 ? (uint64_t)avail : 0,
					  re & POLLHUP);
				nev++;
			}
		}
		if (nev > 0)
			break;
	}
	free(subs);
	free(pfd);
	le32(pn, nev);
	return WE_SUCCESS;
}

/* ---- registration ----------------------------------------------------- */

static const struct import imports[] = {
	{ "args_get", "ii", wasi_args_get },
	{ "args_sizes_get", "ii", wasi_args_sizes_get },
	{ "environ_get", "ii", wasi_environ_get },
	{ "environ_sizes_get", "ii", wasi_environ_sizes_get },
	{ "clock_res_get", "ii", wasi_clock_res_get },
	{ "clock_time_get", "iIi", wasi_clock_time_get },
	{ "fd_advise", "iIIi", wasi_fd_advise },
	{ "fd_allocate", "iII", wasi_fd_allocate },
	{ "fd_close", "i", wasi_fd_close },
	{ "fd_datasync", "i", wasi_fd_datasync },
	{ "fd_fdstat_get", "ii", wasi_fd_fdstat_get },
	{ "fd_fdstat_set_flags", "ii", wasi_fd_fdstat_set_flags },
	{ "fd_fdstat_set_rights", "iII", wasi_fd_fdstat_set_rights },
	{ "fd_filestat_get", "ii", wasi_fd_filestat_get },
	{ "fd_filestat_set_size", "iI", wasi_fd_filestat_set_size },
	{ "fd_filestat_set_times", "iIIi", wasi_fd_filestat_set_times },
	{ "fd_pread", "iiiIi", wasi_fd_pread },
	{ "fd_prestat_get", "ii", wasi_fd_prestat_get },
	{ "fd_prestat_dir_name", "iii", wasi_fd_prestat_dir_name },
	{ "fd_pwrite", "iiiIi", wasi_fd_pwrite },
	{ "fd_read", "iiii", wasi_fd_read },
	{ "fd_readdir", "iiiIi", wasi_fd_readdir },
	{ "fd_renumber", "ii", wasi_fd_renumber },
	{ "fd_seek", "iIii", wasi_fd_seek },
	{ "fd_sync", "i", wasi_fd_sync },
	{ "fd_tell", "ii", wasi_fd_tell },
	{ "fd_write", "iiii", wasi_fd_write },
	{ "path_create_directory", "iii", wasi_path_create_directory },
	{ "path_filestat_get", "iiiii", wasi_path_filestat_get },
	{ "path_filestat_set_times", "iiiiIIi",
	  wasi_path_filestat_set_times },
	{ "path_link", "iiiiiii", wasi_path_link },
	{ "path_open", "iiiiiIIii", wasi_path_open },
	{ "path_readlink", "iiiiii", wasi_path_readlink },
	{ "path_remove_directory", "iii", wasi_path_remove_directory },
	{ "path_rename", "iiiiii", wasi_path_rename },
	{ "path_symlink", "iiiii", wasi_path_symlink },
	{ "path_unlink_file", "iii", wasi_path_unlink_file },
	{ "poll_oneoff", "iiii", wasi_poll_oneoff },
	{ "proc_raise", "i", wasi_nosys },
	{ "sched_yield", "", wasi_sched_yield },
	{ "random_get", "ii", wasi_random_get },
	{ "sock_accept", "iii", wasi_notsup },
	{ "sock_recv", "iiiiii", wasi_notsup },
	{ "sock_send", "iiiii", wasi_notsup },
	{ "sock_shutdown", "ii", wasi_notsup },
	{ "proc_exit", "i", NULL },  /* see host_proc_exit */
};
_Static_assert(sizeof imports / sizeof imports[0] == NIMPORTS,
	       "one binding per import");

static int host_call(bn_wasm_caller *c, const bn_wasm_val *args,
		     bn_wasm_val *results, void *payload)
{
	const struct binding *b = payload;
	results[0].type = BN_WASM_I32;
	results[0].of.i32 = b->fn(b->w, bn_wasm_caller_memory(c), args);
	return 0;
}

static int host_proc_exit(bn_wasm_caller *c, const bn_wasm_val *args,
			  bn_wasm_val *results, void *payload)
{
	return bn_wasm_caller_exit(c, (int)args[0].of.i32);
}

int bn_wasm_wasi_define(bn_wasm_wasi *w, bn_wasm_linker *l,
			bn_wasm_store *s)
{
	static const uint8_t i32[1] = { BN_WASM_I32 };

	for (size_t i = 0; i < NIMPORTS; i++) {
		const struct import *im = &imports[i];
		uint8_t params[16];
		bn_wasm_functype ft;
		bn_wasm_extern ext;
		size_t np = strlen(im->params);
		int r;

		for (size_t k = 0; k < np; k++)
			params[k] = im->params[k] == 'I' ? BN_WASM_I64
							  : BN_WASM_I32;
		ft.nparams = (uint32_t)np;
		ft.params = params;
		ft.nresults = im->fn ? 1 : 0;
		ft.results = i32;
		w->binds[i].w = w;
		w->binds[i].fn = im->fn;
		ext.kind = BN_WASM_EXTERN_FUNC;
		r = bn_wasm_func_new_host(&ext.of.func, s, &ft,
					  im->fn ? host_call : host_proc_exit,
					  &w->binds[i]);
		if (r < 0)
			return r;
		r = bn_wasm_linker_define(l, BN_WASM_WASI_MODULE, im->name,
					  &ext);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- life cycle ------------------------------------------------------- */

/* Pack N strings into one NUL-separated blob; the size fits a u32. */
static int pack(char **blob_out, size_t *bytes_out, uint32_t *n_out,
		const char *const *v, size_t n)
{
	size_t bytes = 0;
	char *blob;

	if (n > UINT32_MAX / 4)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		if (l > UINT32_MAX - bytes)
			return -E2BIG;
		bytes += l;
	}
	blob = malloc(bytes ? bytes : 1);
	if (!blob)
		return -ENOMEM;
	bytes = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(blob + bytes, v[i], l);
		bytes += l;
	}
	*blob_out = blob;
	*bytes_out = bytes;
	*n_out = (uint32_t)n;
	return 0;
}

static void set_err(bn_wasm_err *err, const char *what, const char *a,
		    int e)
{
	if (err)
		(void)snprintf(err->msg, sizeof err->msg, "wasi: %s%s: %s",
			       what, a, strerror(e));
}

/* Guest fd I from the embedder's host fd HOST (borrowed). */
static void stdio_init(struct wfd *f, int host, bool input)
{
	struct stat st;
	f->host = -1;
	if (host < 0 || fstat(host, &st) < 0)
		return;
	f->host = host;
	f->borrowed = true;
	f->is_output = !input;
	f->type = type_of_mode(st.st_mode);
	f->rights = (input ? R_FD_READ : R_FD_WRITE) | R_FD_FDSTAT_SET_FLAGS |
		    R_FD_FILESTAT_GET | R_POLL_FD_READWRITE | R_FD_SYNC |
		    R_FD_DATASYNC;
	/* wasi-libc takes a character device without seek for a tty. */
	if (!isatty(host))
		f->rights |= R_FD_SEEK | R_FD_TELL;
}

static int preopen_init(struct wfd *f, const bn_wasm_wasi_preopen *p,
			bn_wasm_err *err)
{
	if (!p->host_path || !p->guest_path) {
		set_err(err, "preopen ", "(null)", EINVAL);
		return -EINVAL;
	}
	int fd = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		set_err(err, "preopen ", p->host_path, e);
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

int bn_wasm_wasi_new(bn_wasm_wasi **out, const bn_wasm_wasi_config *cfg,
		     bn_wasm_err *err)
{
	uint32_t nfds = cfg->max_fds ? cfg->max_fds : 1024;
	bn_wasm_wasi *w;
	int r;

	if (cfg->npreopens > nfds - 3 || nfds < 3) {
		set_err(err, "too many preopens", "", EINVAL);
		return -EINVAL;
	}
	w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->wake_fd = -1;
	w->fds = calloc(nfds, sizeof *w->fds);
	if (!w->fds) {
		free(w);
		return -ENOMEM;
	}
	w->nfds = nfds;
	for (uint32_t i = 0; i < nfds; i++)
		w->fds[i].host = -1;
	w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->wake_fd < 0) {
		r = -errno;
		set_err(err, "eventfd", "", -r);
		goto out_free;
	}
	w->max_output_bytes = cfg->max_output_bytes;
	w->random = cfg->random;
	w->random_payload = cfg->random_payload;
	r = pack(&w->args, &w->args_bytes, &w->argc, cfg->argv, cfg->argc);
	if (r == 0)
		r = pack(&w->env, &w->env_bytes, &w->envc, cfg->envp,
			 cfg->envc);
	if (r < 0) {
		set_err(err, "arguments or environment", "", -r);
		goto out_free;
	}
	stdio_init(&w->fds[0], cfg->stdin_fd, true);
	stdio_init(&w->fds[1], cfg->stdout_fd, false);
	stdio_init(&w->fds[2], cfg->stderr_fd, false);
	for (size_t i = 0; i < cfg->npreopens; i++) {
		r = preopen_init(&w->fds[3 + i], &cfg->preopens[i], err);
		if (r < 0)
			goto out_free;
	}
	*out = w;
	return 0;

out_free:
	bn_wasm_wasi_free(w);
	return r;
}

void bn_wasm_wasi_free(bn_wasm_wasi *w)
{
	if (!w)
		return;
	for (uint32_t i = 0; w->fds && i < w->nfds; i++)
		fd_release(&w->fds[i]);
	free(w->fds);
	if (w->wake_fd >= 0)
		(void)close(w->wake_fd);
	free(w->args);
	free(w->env);
	free(w);
}

void bn_wasm_wasi_interrupt(bn_wasm_wasi *w)
{
	uint64_t one = 1;
	ssize_t r = write(w->wake_fd, &one, sizeof one);
	(void)r;  /* a full counter is still readable: nothing to do */
}

uint64_t bn_wasm_wasi_output_bytes(const bn_wasm_wasi *w)
{
	return w->output_bytes;
}

int bn_wasm_wasi_run(int *status_out, bn_wasm_instance *inst,
		     bn_wasm_store *s, bn_wasm_trap *trap)
{
	bn_wasm_extern start;
	bn_wasm_functype ft;
	int r;

	r = bn_wasm_instance_export(&start, inst, "_start");
	if (r < 0)
		return r;
	if (start.kind != BN_WASM_EXTERN_FUNC)
		return BN_WASM_ENOTFOUND;
	bn_wasm_func_type(&ft, start.of.func);
	if (ft.nparams != 0 || ft.nresults != 0)
		return -EINVAL;
	memset(trap, 0, sizeof *trap);
	r = bn_wasm_func_call(s, start.of.func, NULL, 0, NULL, 0, trap);
	if (r == BN_WASM_ETRAP && trap->kind == BN_WASM_TRAP_EXIT) {
		*status_out = trap->exit_code;
		return 0;
	}
	if (r < 0)
		return r;
	*status_out = 0;
	return 0;
}
