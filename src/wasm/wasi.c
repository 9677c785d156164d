/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasi.c - WASI preview 1 host functions on top of wasm.h.
 *
 * Holds the guest's fd table and the table of every
 * wasi_snapshot_preview1 import that wasi-libc uses, and implements the
 * calls on fds: args and environment, random, reads and writes, fd
 * metadata, fd_readdir.  Paths (preopens, resolution beneath them, the
 * path_* calls) are in wasi_path.c, waiting (clocks, poll_oneoff) in
 * wasi_poll.c, what they share in wasi_int.h.  Sockets are not offered.
 *
 * Spec: WASI legacy preview 1, witx "wasi_snapshot_preview1"
 * (https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md);
 * struct layouts as in wasi-libc's <wasi/api.h>.
 */
#include "wasi_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define DIRENT_SIZE 24u    /* sizeof(dirent) before the name */
#define MAX_IOVS 1024u     /* like IOV_MAX */
#define MAX_DIR_BYTES ((size_t)64 << 20)  /* one readdir snapshot */

/* A row of the call table: one of FN, WITH_ARG (given ARG) or ON_FD
   (given ARG and the fd in its first argument, looked up with rights
   NEED, as a directory when DIR); none for proc_exit, which leaves the
   run. */
struct import {
	const char *name;
	const char *params;  /* 'i' = i32, 'I' = i64; result is one i32 */
	wasi_call *fn;
	wasi_arg_call *with_arg;
	wasi_fd_call *on_fd;
	uint64_t need;
	bool dir;
	unsigned arg;
};

/* ---- helpers ---------------------------------------------------------- */

uint16_t bn_wasm__wasi_errno(int e)
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

uint8_t bn_wasm__wasi_filetype(mode_t mode)
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

void bn_wasm__wasi_put_filestat(uint8_t *o, const struct stat *st)
{
	memset(o, 0, FILESTAT_SIZE);
	le64(o + 0, (uint64_t)st->st_dev);
	le64(o + 8, (uint64_t)st->st_ino);
	o[16] = bn_wasm__wasi_filetype(st->st_mode);
	le64(o + 24, (uint64_t)st->st_nlink);
	le64(o + 32, (uint64_t)st->st_size);
	le64(o + 40, ts_ns(&st->st_atim));
	le64(o + 48, ts_ns(&st->st_mtim));
	le64(o + 56, ts_ns(&st->st_ctim));
}

/* The two timespecs of utimensat from WASI times and fstflags. */
uint16_t bn_wasm__wasi_times(struct timespec ts[2], uint64_t atim,
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
uint16_t bn_wasm__wasi_fd_get(struct wfd **out, bn_wasm_wasi *w, uint32_t fd,
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
uint16_t bn_wasm__wasi_dir_get(struct wfd **out, bn_wasm_wasi *w, uint32_t fd,
			       uint64_t need)
{
	struct wfd *f;
	uint16_t e = bn_wasm__wasi_fd_get(&f, w, fd, 0);
	if (e)
		return e;
	if (f->type != FT_DIR)
		return WE_NOTDIR;
	e = bn_wasm__wasi_fd_get(&f, w, fd, need);
	if (e)
		return e;
	*out = f;
	return WE_SUCCESS;
}

uint16_t bn_wasm__wasi_fd_alloc(uint32_t *out, bn_wasm_wasi *w)
{
	for (uint32_t i = 0; i < w->nfds; i++) {
		if (w->fds[i].host < 0) {
			*out = i;
			return WE_SUCCESS;
		}
	}
	return WE_MFILE;
}

/* ---- args, environment, random ---------------------------------------- */

/* args_get and environ_get: list LIST_ARGS or LIST_ENV. */
static uint16_t wasi_list_get(bn_wasm_wasi *w, bn_wasm_memory *m,
			      const bn_wasm_val *a, unsigned list)
{
	const struct strs *l = &w->lists[list];
	uint32_t buf = A32(a, 1);
	uint8_t *pv = span(m, A32(a, 0), (uint64_t)l->n * 4);
	uint8_t *pb = span(m, buf, l->bytes);
	if (!pv || !pb)
		return WE_FAULT;
	size_t off = 0;
	for (uint32_t i = 0; i < l->n; i++) {
		le32(pv + 4 * i, buf + (uint32_t)off);
		off += strlen(l->blob + off) + 1;
	}
	memcpy(pb, l->blob, l->bytes);
	return WE_SUCCESS;
}

/* args_sizes_get and environ_sizes_get. */
static uint16_t wasi_list_sizes_get(bn_wasm_wasi *w, bn_wasm_memory *m,
				    const bn_wasm_val *a, unsigned list)
{
	const struct strs *l = &w->lists[list];
	uint8_t *pn = span(m, A32(a, 0), 4), *pb = span(m, A32(a, 1), 4);
	if (!pn || !pb)
		return WE_FAULT;
	le32(pn, l->n);
	le32(pb, (uint32_t)l->bytes);
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
	return r < 0 ? bn_wasm__wasi_errno(-r) : WE_SUCCESS;
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

enum { RW_WRITE = 1, RW_AT = 2 };

/* fd_read, fd_pread, fd_write and fd_pwrite (HOW: RW_*). */
static uint16_t wasi_fd_rw(bn_wasm_wasi *w, struct wfd *f, bn_wasm_memory *m,
			   const bn_wasm_val *a, unsigned how)
{
	struct iovec iov[MAX_IOVS];
	bool write = how & RW_WRITE, positioned = how & RW_AT;
	uint64_t limit = SSIZE_MAX, off = positioned ? A64(a, 3) : 0;
	uint32_t n = A32(a, 2), outp = A32(a, positioned ? 4 : 3);
	size_t total;
	bool cut;
	ssize_t r;
	uint16_t e;

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
		e = bn_wasm__wasi_wait_readable(w, f->host);
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
		return bn_wasm__wasi_errno(errno);
	if (write && f->is_output)
		w->output_bytes += (uint64_t)r;
	le32(o, (uint32_t)r);
	return WE_SUCCESS;
}

enum { WHENCE_SET, WHENCE_CUR, WHENCE_END };  /* witx whence */

/* Move F's offset by OFF from WHENCE and store where it lands, a u64 at
   guest OUTP. */
static uint16_t seek(struct wfd *f, bn_wasm_memory *m, uint32_t outp,
		     int64_t off, uint32_t whence)
{
	static const int host[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	uint8_t *o = span(m, outp, 8);
	if (!o)
		return WE_FAULT;
	if (whence > WHENCE_END)
		return WE_INVAL;
	off_t r = lseek(f->host, (off_t)off, host[whence]);
	if (r < 0)
		return bn_wasm__wasi_errno(errno);
	le64(o, (uint64_t)r);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_seek(bn_wasm_wasi *w, bn_wasm_memory *m,
			     const bn_wasm_val *a)
{
	struct wfd *f;
	uint32_t wh = A32(a, 2);
	int64_t off = (int64_t)A64(a, 1);
	/* a move by 0 from where it is only tells */
	uint64_t need = (wh == WHENCE_CUR && off == 0) ? R_FD_TELL : R_FD_SEEK;
	uint16_t e = bn_wasm__wasi_fd_get(&f, w, A32(a, 0), need);
	return e ? e : seek(f, m, A32(a, 3), off, wh);
}

static uint16_t wasi_fd_tell(bn_wasm_wasi *w, struct wfd *f, bn_wasm_memory *m,
			     const bn_wasm_val *a, unsigned arg)
{
	return seek(f, m, A32(a, 1), 0, WHENCE_CUR);
}

/* ---- fd metadata ------------------------------------------------------ */

static uint16_t wasi_fd_close(bn_wasm_wasi *w, struct wfd *f,
			      bn_wasm_memory *m, const bn_wasm_val *a,
			      unsigned arg)
{
	fd_release(f);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_renumber(bn_wasm_wasi *w, bn_wasm_memory *m,
				 const bn_wasm_val *a)
{
	struct wfd *from, *to;
	uint16_t e = bn_wasm__wasi_fd_get(&from, w, A32(a, 0), 0);
	if (e)
		return e;
	e = bn_wasm__wasi_fd_get(&to, w, A32(a, 1), 0);
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

static uint16_t wasi_fd_fdstat_get(bn_wasm_wasi *w, struct wfd *f,
				   bn_wasm_memory *m, const bn_wasm_val *a,
				   unsigned arg)
{
	uint8_t *o = span(m, A32(a, 1), 24);
	if (!o)
		return WE_FAULT;
	int fl = fcntl(f->host, F_GETFL);
	if (fl < 0)
		return bn_wasm__wasi_errno(errno);
	memset(o, 0, 24);
	o[0] = f->type;
	le16(o + 2, fdflags_of(fl));
	le64(o + 8, f->rights);
	le64(o + 16, f->inherit);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_fdstat_set_flags(bn_wasm_wasi *w, struct wfd *f,
					 bn_wasm_memory *m,
					 const bn_wasm_val *a, unsigned arg)
{
	uint32_t want = A32(a, 1);
	if (want & ~(uint32_t)(FDFL_APPEND | FDFL_NONBLOCK))
		return WE_NOTSUP;  /* Linux cannot change the sync flags */
	if (f->read_only && (want & FDFL_APPEND))
		return WE_ROFS;
	int old = fcntl(f->host, F_GETFL);
	if (old < 0)
		return bn_wasm__wasi_errno(errno);
	int fl = old & ~(O_APPEND | O_NONBLOCK);
	fl |= (want & FDFL_APPEND) ? O_APPEND : 0;
	fl |= (want & FDFL_NONBLOCK) ? O_NONBLOCK : 0;
	/* The embedder's stdio is shared with it: leave its mode alone. */
	if (f->borrowed && fl != old)
		return WE_NOTSUP;
	if (fcntl(f->host, F_SETFL, fl) < 0)
		return bn_wasm__wasi_errno(errno);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_fdstat_set_rights(bn_wasm_wasi *w, struct wfd *f,
					  bn_wasm_memory *m,
					  const bn_wasm_val *a, unsigned arg)
{
	uint64_t base = A64(a, 1), inh = A64(a, 2);
	if ((base & ~f->rights) || (inh & ~f->inherit))
		return WE_NOTCAPABLE;  /* rights only ever shrink */
	f->rights = base;
	f->inherit = inh;
	return WE_SUCCESS;
}

static uint16_t wasi_fd_filestat_get(bn_wasm_wasi *w, struct wfd *f,
				     bn_wasm_memory *m, const bn_wasm_val *a,
				     unsigned arg)
{
	struct stat st;
	uint8_t *o = span(m, A32(a, 1), FILESTAT_SIZE);
	if (!o)
		return WE_FAULT;
	if (fstat(f->host, &st) < 0)
		return bn_wasm__wasi_errno(errno);
	bn_wasm__wasi_put_filestat(o, &st);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_filestat_set_size(bn_wasm_wasi *w, struct wfd *f,
					  bn_wasm_memory *m,
					  const bn_wasm_val *a, unsigned arg)
{
	if (A64(a, 1) > INT64_MAX)
		return WE_INVAL;
	if (ftruncate(f->host, (off_t)A64(a, 1)) < 0)
		return bn_wasm__wasi_errno(errno);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_filestat_set_times(bn_wasm_wasi *w, struct wfd *f,
					   bn_wasm_memory *m,
					   const bn_wasm_val *a, unsigned arg)
{
	struct timespec ts[2];
	uint16_t e = bn_wasm__wasi_times(ts, A64(a, 1), A64(a, 2), A32(a, 3));
	if (e)
		return e;
	if (futimens(f->host, ts) < 0)
		return bn_wasm__wasi_errno(errno);
	return WE_SUCCESS;
}

static uint16_t wasi_fd_advise(bn_wasm_wasi *w, struct wfd *f,
			       bn_wasm_memory *m, const bn_wasm_val *a,
			       unsigned arg)
{
	static const int adv[] = { POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL,
				   POSIX_FADV_RANDOM, POSIX_FADV_WILLNEED,
				   POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE };
	if (A32(a, 3) > 5 || A64(a, 1) > INT64_MAX || A64(a, 2) > INT64_MAX)
		return WE_INVAL;
	if (f->type == FT_DIR)
		return WE_BADF;
	int r = posix_fadvise(f->host, (off_t)A64(a, 1), (off_t)A64(a, 2),
			      adv[A32(a, 3)]);
	return bn_wasm__wasi_errno(r);
}

static uint16_t wasi_fd_allocate(bn_wasm_wasi *w, struct wfd *f,
				 bn_wasm_memory *m, const bn_wasm_val *a,
				 unsigned arg)
{
	if (A64(a, 1) > INT64_MAX || A64(a, 2) > INT64_MAX - A64(a, 1))
		return WE_FBIG;
	int r = posix_fallocate(f->host, (off_t)A64(a, 1), (off_t)A64(a, 2));
	return bn_wasm__wasi_errno(r);
}

static uint16_t wasi_fd_sync(bn_wasm_wasi *w, struct wfd *f, bn_wasm_memory *m,
			     const bn_wasm_val *a, unsigned arg)
{
	return fsync(f->host) < 0 ? bn_wasm__wasi_errno(errno) : WE_SUCCESS;
}

static uint16_t wasi_fd_datasync(bn_wasm_wasi *w, struct wfd *f,
				 bn_wasm_memory *m, const bn_wasm_val *a,
				 unsigned arg)
{
	return fdatasync(f->host) < 0 ? bn_wasm__wasi_errno(errno) : WE_SUCCESS;
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
static uint16_t wasi_fd_readdir(bn_wasm_wasi *w, struct wfd *f,
				bn_wasm_memory *m, const bn_wasm_val *a,
				unsigned arg)
{
	uint8_t *buf, *o;
	uint32_t len = A32(a, 2);
	uint64_t cookie = A64(a, 3);
	uint16_t e = out_buf(&buf, &o, m, A32(a, 1), len, A32(a, 4));
	if (e)
		return e;
	if (cookie == 0 || !f->dir) {
		struct dir_snap *d = NULL;
		int r = dir_snap_take(&d, f);
		if (r < 0)
			return bn_wasm__wasi_errno(-r);
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

/* ---- registration ----------------------------------------------------- */

#define ON_FD(call, rights) .on_fd = (call), .need = (rights)
#define ON_DIR(call, rights) ON_FD(call, rights), .dir = true

static const struct import imports[] = {
	{ "args_get", "ii", .with_arg = wasi_list_get, .arg = LIST_ARGS },
	{ "args_sizes_get", "ii", .with_arg = wasi_list_sizes_get,
	  .arg = LIST_ARGS },
	{ "environ_get", "ii", .with_arg = wasi_list_get, .arg = LIST_ENV },
	{ "environ_sizes_get", "ii", .with_arg = wasi_list_sizes_get,
	  .arg = LIST_ENV },
	{ "clock_res_get", "ii", .fn = bn_wasm__wasi_clock_res_get },
	{ "clock_time_get", "iIi", .fn = bn_wasm__wasi_clock_time_get },
	{ "fd_advise", "iIIi", ON_FD(wasi_fd_advise, R_FD_ADVISE) },
	{ "fd_allocate", "iII", ON_FD(wasi_fd_allocate, R_FD_ALLOCATE) },
	{ "fd_close", "i", ON_FD(wasi_fd_close, 0) },
	{ "fd_datasync", "i", ON_FD(wasi_fd_datasync, R_FD_DATASYNC) },
	{ "fd_fdstat_get", "ii", ON_FD(wasi_fd_fdstat_get, 0) },
	{ "fd_fdstat_set_flags", "ii",
	  ON_FD(wasi_fd_fdstat_set_flags, R_FD_FDSTAT_SET_FLAGS) },
	{ "fd_fdstat_set_rights", "iII", ON_FD(wasi_fd_fdstat_set_rights, 0) },
	{ "fd_filestat_get", "ii",
	  ON_FD(wasi_fd_filestat_get, R_FD_FILESTAT_GET) },
	{ "fd_filestat_set_size", "iI",
	  ON_FD(wasi_fd_filestat_set_size, R_FD_FILESTAT_SET_SIZE) },
	{ "fd_filestat_set_times", "iIIi",
	  ON_FD(wasi_fd_filestat_set_times, R_FD_FILESTAT_SET_TIMES) },
	{ "fd_pread", "iiiIi", ON_FD(wasi_fd_rw, R_FD_READ | R_FD_SEEK),
	  .arg = RW_AT },
	{ "fd_prestat_get", "ii", ON_FD(bn_wasm__wasi_fd_prestat_get, 0) },
	{ "fd_prestat_dir_name", "iii",
	  ON_FD(bn_wasm__wasi_fd_prestat_dir_name, 0) },
	{ "fd_pwrite", "iiiIi", ON_FD(wasi_fd_rw, R_FD_WRITE | R_FD_SEEK),
	  .arg = RW_WRITE | RW_AT },
	{ "fd_read", "iiii", ON_FD(wasi_fd_rw, R_FD_READ) },
	{ "fd_readdir", "iiiIi", ON_DIR(wasi_fd_readdir, R_FD_READDIR) },
	{ "fd_renumber", "ii", .fn = wasi_fd_renumber },
	{ "fd_seek", "iIii", .fn = wasi_fd_seek },
	{ "fd_sync", "i", ON_FD(wasi_fd_sync, R_FD_SYNC) },
	{ "fd_tell", "ii", ON_FD(wasi_fd_tell, R_FD_TELL) },
	{ "fd_write", "iiii", ON_FD(wasi_fd_rw, R_FD_WRITE), .arg = RW_WRITE },
	{ "path_create_directory", "iii", .with_arg = bn_wasm__wasi_path_one,
	  .arg = PATH_MKDIR },
	{ "path_filestat_get", "iiiii",
	  .fn = bn_wasm__wasi_path_filestat_get },
	{ "path_filestat_set_times", "iiiiIIi",
	  .fn = bn_wasm__wasi_path_filestat_set_times },
	{ "path_link", "iiiiiii", .with_arg = bn_wasm__wasi_path_two,
	  .arg = PATH_LINK },
	{ "path_open", "iiiiiIIii", .fn = bn_wasm__wasi_path_open },
	{ "path_readlink", "iiiiii",
	  ON_DIR(bn_wasm__wasi_path_readlink, R_PATH_READLINK) },
	{ "path_remove_directory", "iii", .with_arg = bn_wasm__wasi_path_one,
	  .arg = PATH_RMDIR },
	{ "path_rename", "iiiiii", .with_arg = bn_wasm__wasi_path_two,
	  .arg = PATH_RENAME },
	{ "path_symlink", "iiiii", .fn = bn_wasm__wasi_path_symlink },
	{ "path_unlink_file", "iii", .with_arg = bn_wasm__wasi_path_one,
	  .arg = PATH_UNLINK },
	{ "poll_oneoff", "iiii", .fn = bn_wasm__wasi_poll_oneoff },
	{ "proc_raise", "i", .fn = wasi_nosys },
	{ "sched_yield", "", .fn = wasi_sched_yield },
	{ "random_get", "ii", .fn = wasi_random_get },
	{ "sock_accept", "iii", .fn = wasi_notsup },
	{ "sock_recv", "iiiiii", .fn = wasi_notsup },
	{ "sock_send", "iiiii", .fn = wasi_notsup },
	{ "sock_shutdown", "ii", .fn = wasi_notsup },
	{ "proc_exit", "i", .fn = NULL },  /* see host_proc_exit */
};
#undef ON_DIR
#undef ON_FD
_Static_assert(sizeof imports / sizeof imports[0] == NIMPORTS,
	       "one binding per import");

static uint16_t call(bn_wasm_wasi *w, const struct import *im,
		     bn_wasm_memory *m, const bn_wasm_val *a)
{
	struct wfd *f;
	uint16_t e;

	if (im->fn)
		return im->fn(w, m, a);
	if (im->with_arg)
		return im->with_arg(w, m, a, im->arg);
	if (im->dir)
		e = bn_wasm__wasi_dir_get(&f, w, A32(a, 0), im->need);
	else
		e = bn_wasm__wasi_fd_get(&f, w, A32(a, 0), im->need);
	return e ? e : im->on_fd(w, f, m, a, im->arg);
}

static int host_call(bn_wasm_caller *c, const bn_wasm_val *args,
		     bn_wasm_val *results, void *payload)
{
	const struct binding *b = payload;
	results[0].type = BN_WASM_I32;
	results[0].of.i32 = call(b->w, b->im, bn_wasm_caller_memory(c), args);
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
		bool exits = !im->fn && !im->with_arg && !im->on_fd;
		int r;

		for (size_t k = 0; k < np; k++)
			params[k] = im->params[k] == 'I' ? BN_WASM_I64
							  : BN_WASM_I32;
		ft.nparams = (uint32_t)np;
		ft.params = params;
		ft.nresults = exits ? 0 : 1;
		ft.results = i32;
		w->binds[i].w = w;
		w->binds[i].im = im;
		ext.kind = BN_WASM_EXTERN_FUNC;
		r = bn_wasm_func_new_host(&ext.of.func, s, &ft,
					  exits ? host_proc_exit : host_call,
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
static int pack(struct strs *out, const char *const *v, size_t n)
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
	out->blob = blob;
	out->bytes = bytes;
	out->n = (uint32_t)n;
	return 0;
}

void bn_wasm__wasi_set_err(bn_wasm_err *err, const char *what,
			   const char *a, int e)
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
	f->type = bn_wasm__wasi_filetype(st.st_mode);
	f->rights = (input ? R_FD_READ : R_FD_WRITE) | R_FD_FDSTAT_SET_FLAGS |
		    R_FD_FILESTAT_GET | R_POLL_FD_READWRITE | R_FD_SYNC |
		    R_FD_DATASYNC;
	/* wasi-libc takes a character device without seek for a tty. */
	if (!isatty(host))
		f->rights |= R_FD_SEEK | R_FD_TELL;
}

int bn_wasm_wasi_new(bn_wasm_wasi **out, const bn_wasm_wasi_config *cfg,
		     bn_wasm_err *err)
{
	uint32_t nfds = cfg->max_fds ? cfg->max_fds : 1024;
	bn_wasm_wasi *w;
	int r;

	if (cfg->npreopens > nfds - 3 || nfds < 3) {
		bn_wasm__wasi_set_err(err, "too many preopens", "", EINVAL);
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
		bn_wasm__wasi_set_err(err, "eventfd", "", -r);
		goto out_free;
	}
	w->max_output_bytes = cfg->max_output_bytes;
	w->random = cfg->random;
	w->random_payload = cfg->random_payload;
	r = pack(&w->lists[LIST_ARGS], cfg->argv, cfg->argc);
	if (r == 0)
		r = pack(&w->lists[LIST_ENV], cfg->envp, cfg->envc);
	if (r < 0) {
		bn_wasm__wasi_set_err(err, "arguments or environment", "", -r);
		goto out_free;
	}
	stdio_init(&w->fds[0], cfg->stdin_fd, true);
	stdio_init(&w->fds[1], cfg->stdout_fd, false);
	stdio_init(&w->fds[2], cfg->stderr_fd, false);
	for (size_t i = 0; i < cfg->npreopens; i++) {
		r = bn_wasm__wasi_preopen_init(&w->fds[3 + i],
					       &cfg->preopens[i], err);
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
	free(w->lists[LIST_ARGS].blob);
	free(w->lists[LIST_ENV].blob);
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
