/* SPDX-License-Identifier: MIT */
/*
 * base/fs.h - files and folders done safely.
 *
 * Owns: reading a whole file under a size cap, atomic writes (temporary
 * file, fsync, rename), recursive mkdir and removal, folder copies, and
 * SHA-256 of bytes and files.  Uses: libc, libsodium.
 */
#ifndef BN_BASE_FS_H
#define BN_BASE_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/*
 * bn_fs_read_file - read all of PATH into *out (owned, NUL-terminated,
 * length in *len_out).  Files over max_bytes fail with BN_ELIMIT.
 */
int bn_fs_read_file(char **out, size_t *len_out, const char *path,
		    size_t max_bytes, bn_err *err) BN_MUST_USE;

/* bn_fs_read_file_at - as bn_fs_read_file, file NAME of the folder open
   as DFD, never through a symbolic link (BN_EDENIED); messages name it
   SHOWN. */
int bn_fs_read_file_at(char **out, size_t *len_out, int dfd,
		       const char *name, const char *shown, size_t max_bytes,
		       bn_err *err) BN_MUST_USE;

/*
 * bn_fs_write_atomic - replace PATH with DATA: written to a temporary file
 * beside it, flushed, then renamed over PATH, so a reader sees either the
 * old file or the new one, never half of it.
 */
int bn_fs_write_atomic(const char *path, const void *data, size_t len,
		       unsigned mode, bn_err *err) BN_MUST_USE;

/* Write the LEN bytes at P to FD, again after EINTR or a short write:
   0, or -errno. */
int bn_fs_write_all(int fd, const void *p, size_t len) BN_MUST_USE;

/* Read from FD into BUF until end of file, an error or N bytes, again
   after EINTR: how many bytes were read. */
size_t bn_fs_read_upto(int fd, void *buf, size_t n);

/* bn_fs_mkdirs - create PATH and its missing parents (mode 0700). */
int bn_fs_mkdirs(const char *path, bn_err *err) BN_MUST_USE;

/* bn_fs_rmtree - remove PATH and everything below; never follows links. */
int bn_fs_rmtree(const char *path, bn_err *err) BN_MUST_USE;

/* bn_fs_copytree - copy regular files and folders of SRC into new DST. */
int bn_fs_copytree(const char *src, const char *dst, bn_err *err) BN_MUST_USE;

bool bn_fs_is_dir(const char *path);
bool bn_fs_is_file(const char *path);

/* bn_fs_below - whether absolute, resolved path REAL is REAL_ROOT or lies
   below it (by whole components: /a/bc is not below /a/b). */
bool bn_fs_below(const char *real, const char *real_root);

/*
 * bn_fs_open_below - open PATH (a file or folder, links resolved) as an
 * O_PATH descriptor (*fd_out, the caller closes it) when what it names
 * lies below the folder ROOT, and only then.  The walk from ROOT is one
 * openat2(RESOLVE_BENEATH) call, so a component swapped for a link to
 * elsewhere after any check is refused rather than followed; read what
 * was opened through "/proc/self/fd/N".  BN_EDENIED naming PATH and ROOT
 * when it is not below, BN_ENOTFOUND / BN_EIO otherwise.
 */
int bn_fs_open_below(int *fd_out, const char *root, const char *path,
		     bn_err *err) BN_MUST_USE;

/* bn_fs_link_below - the first of PATH's components after the folder
   ROOT (a prefix of PATH) that is a symbolic link, as a new string, or
   NULL when none is (missing components end the walk). */
char *bn_fs_link_below(const char *root, const char *path);

/* The nearest of DIR and its ancestors (below "/") that holds .git, as a
   real path (owned), or NULL outside a repository. */
char *bn_fs_repo_root(const char *dir);

/* bn_fs_join - "A/B" as a new string (caller frees). */
char *bn_fs_join(const char *a, const char *b);

/* bn_fs_sha256_hex - hex SHA-256 of bytes into out[65]. */
void bn_fs_sha256_hex(char out[65], const void *data, size_t len);

#endif
