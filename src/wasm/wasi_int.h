/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasi_int.h - what the files of WASI preview 1 share: the witx
 * constants, the guest's fd table and the instance's state, little-endian
 * access to guest memory, and the helpers every call uses.
 *
 * wasi.c holds the call table and the fds (args, environment, random,
 * reads and writes, fd metadata, fd_readdir, the life cycle);
 * wasi_path.c the guest's view of the file system (its preopens, paths
 * resolved beneath them, the path_* calls); wasi_poll.c waiting (the
 * clocks, poll_oneoff, a blocking read's wait).
 */
#ifndef BN_WASM_WASI_INT_H
#define BN_WASM_WASI_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "wasi.h"

/* ---- WASI constants (witx values) ------------------------------------- */

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
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

#define FILESTAT_SIZE 64u
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

/* Every call: guest memory M (NULL when the module has none), its
   arguments A; returns a WASI errno. */
typedef uint16_t wasi_call(bn_wasm_wasi *w, bn_wasm_memory *m,
			   const bn_wasm_val *a);
/* One of a family of calls that share a body: ARG, from the call table,
   says which. */
typedef uint16_t wasi_arg_call(bn_wasm_wasi *w, bn_wasm_memory *m,
			       const bn_wasm_val *a, unsigned arg);
/* A call on the guest fd in its first argument: F, looked up with the
   rights the call table names before the call runs. */
typedef uint16_t wasi_fd_call(bn_wasm_wasi *w, struct wfd *f,
			      bn_wasm_memory *m, const bn_wasm_val *a,
			      unsigned arg);

struct import;             /* a row of the call table in wasi.c */

struct binding {
	bn_wasm_wasi *w;
	const struct import *im;
};

/* A list of strings packed NUL-terminated, back to back. */
struct strs {
	char *blob;
	size_t bytes;
	uint32_t n;
};

enum { LIST_ARGS, LIST_ENV };

#define NIMPORTS 46

struct bn_wasm_wasi {
	struct strs lists[2];  /* by LIST_ARGS, LIST_ENV */
	struct wfd *fds;       /* nfds slots */
	uint32_t nfds;
	uint64_t max_output_bytes; /* 0 = no cap */
	uint64_t output_bytes; /* written to output fds so far */
	bn_wasm_wasi_random_fn random;
	void *random_payload;
	int wake_fd;           /* eventfd: readable once interrupted */
	struct binding binds[NIMPORTS]; /* payloads of the host functions */
};

/* ---- guest memory ----------------------------------------------------- */

static inline void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/*
 * A checked pointer to guest bytes [ptr, ptr+len), or NULL.  An empty
 * range is fine anywhere up to the end of memory.
 */
static inline uint8_t *span(bn_wasm_memory *m, uint32_t ptr, uint64_t len)
{
	if (!m)
		return NULL;
	if (len == 0)
		return ptr <= bn_wasm_memory_size(m) ?
		       bn_wasm_memory_data(m) + ptr : NULL;
	return bn_wasm_memory_span(m, ptr, len);
}

/* The guest buffer [PTR, PTR+LEN) a call fills and the u32 at USED_PTR
   where it says how many bytes it wrote; WE_FAULT unless both are in
   memory. */
static inline uint16_t out_buf(uint8_t **buf, uint8_t **used,
			       bn_wasm_memory *m, uint32_t ptr, uint32_t len,
			       uint32_t used_ptr)
{
	*buf = span(m, ptr, len);
	*used = span(m, used_ptr, 4);
	return *buf && *used ? WE_SUCCESS : WE_FAULT;
}

static inline uint32_t A32(const bn_wasm_val *a, int i)
{
	return a[i].of.i32;
}

static inline uint64_t A64(const bn_wasm_val *a, int i)
{
	return a[i].of.i64;
}

static inline uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* ---- helpers in wasi.c ------------------------------------------------ */

/* The WASI errno of host errno E (E_ESCAPE: WE_NOTCAPABLE). */
uint16_t bn_wasm__wasi_errno(int e);
/* The WASI filetype of a host st_mode. */
uint8_t bn_wasm__wasi_filetype(mode_t mode);
/* ST as a WASI filestat, FILESTAT_SIZE bytes at O. */
void bn_wasm__wasi_put_filestat(uint8_t *o, const struct stat *st);
/* The two timespecs of utimensat from WASI times and fstflags. */
uint16_t bn_wasm__wasi_times(struct timespec ts[2], uint64_t atim,
			     uint64_t mtim, uint32_t fl);
/*
 * Look up guest fd FD and check that it may do NEED.  A read-only fd
 * asked for a changing right gives EROFS before any rights check, so the
 * guest learns why.
 */
uint16_t bn_wasm__wasi_fd_get(struct wfd **out, bn_wasm_wasi *w,
			      uint32_t fd, uint64_t need);
/* A directory fd that may do NEED. */
uint16_t bn_wasm__wasi_dir_get(struct wfd **out, bn_wasm_wasi *w,
			       uint32_t fd, uint64_t need);
/* The lowest free guest fd. */
uint16_t bn_wasm__wasi_fd_alloc(uint32_t *out, bn_wasm_wasi *w);
/* "wasi: WHAT A: strerror(E)" into ERR (may be NULL). */
void bn_wasm__wasi_set_err(bn_wasm_err *err, const char *what,
			   const char *a, int e);

/* ---- in wasi_path.c --------------------------------------------------- */

/* Guest fd F (free) becomes preopen P: its host folder opened, its
   rights set (none that change anything when read-only); 0 or -errno. */
int bn_wasm__wasi_preopen_init(struct wfd *f, const bn_wasm_wasi_preopen *p,
			       bn_wasm_err *err);

/* ---- in wasi_poll.c --------------------------------------------------- */

/*
 * Wait until HOST is readable or the run is interrupted; regular files
 * never block, so only pipes, ttys and the like come here.
 */
uint16_t bn_wasm__wasi_wait_readable(bn_wasm_wasi *w, int host);

/* ---- the calls wasi.c's table names from the other files -------------- */

/* wasi_path.c */
enum { PATH_MKDIR, PATH_RMDIR, PATH_UNLINK,  /* bn_wasm__wasi_path_one */
       PATH_RENAME, PATH_LINK };             /* bn_wasm__wasi_path_two */
wasi_arg_call bn_wasm__wasi_path_one;
wasi_arg_call bn_wasm__wasi_path_two;
wasi_fd_call bn_wasm__wasi_fd_prestat_get;
wasi_fd_call bn_wasm__wasi_fd_prestat_dir_name;
wasi_call bn_wasm__wasi_path_open;
wasi_call bn_wasm__wasi_path_filestat_get;
wasi_call bn_wasm__wasi_path_filestat_set_times;
wasi_call bn_wasm__wasi_path_symlink;
wasi_fd_call bn_wasm__wasi_path_readlink;

/* wasi_poll.c */
wasi_call bn_wasm__wasi_clock_res_get;
wasi_call bn_wasm__wasi_clock_time_get;
wasi_call bn_wasm__wasi_poll_oneoff;

#endif
