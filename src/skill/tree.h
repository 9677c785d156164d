/* SPDX-License-Identifier: MIT */
/*
 * skill/tree.h - a skill folder's content: its canonical listing and the
 * tree hash that names it.
 *
 * Owns: the listing, one line "<sha256 hex>  <path>\n" per regular file,
 * sorted bytewise by its path relative to the skill folder ('/' between
 * components), and the tree hash, "sha256:" + SHA-256 of that text.  The
 * tree hash is a skill's identity (docs/security.md): skills-lock.json
 * pins it, a signature signs the listing, grants belong to it.  Symbolic
 * links and special files are refused, never followed; every file is
 * opened below its folder with O_NOFOLLOW.
 * Uses: base (libsodium's SHA-256).
 */
#ifndef BN_SKILL_TREE_H
#define BN_SKILL_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define BN_SKILL_TREE_FILE_MAX_BYTES ((size_t)10 << 20)  /* one file */
#define BN_SKILL_TREE_MAX_BYTES ((size_t)50 << 20)       /* one skill */
#define BN_SKILL_TREE_MAX_ENTRIES 10000                  /* files + dirs */

/* Files at the top of a skill folder that are not part of its content. */
#define BN_SKILL_TREE_MARKER_FILE ".bnity-install.json"
#define BN_SKILL_TREE_SIG_FILE "skill.minisig"

/* The length of a tree hash, "sha256:" + 64 hex digits, with its NUL. */
#define BN_SKILL_TREE_HASH_SIZE 72

/*
 * bn_skill_tree_listing - append the canonical listing of DIR to OUT,
 * without the install marker, and without skill.minisig when
 * FOR_SIGNATURE (this text is what a skill signature signs).  BN_EDENIED
 * for a symbolic link or special file, BN_ELIMIT past the size limits
 * above, BN_EIO naming the path otherwise.
 */
int bn_skill_tree_listing(bn_buf *out, const char *dir, bool for_signature,
			  bn_err *err) BN_MUST_USE;

/*
 * bn_skill_tree_line - the next line of a listing: *CUR points at it (a
 * NUL-terminated listing's text to start); sets *HEX (64 hex digits, not
 * terminated), *PATH and *PATH_LEN, and moves *CUR past the line.  False
 * at the end of the listing.
 */
bool bn_skill_tree_line(const char **cur, const char **hex,
			const char **path, size_t *path_len);

/* bn_skill_tree_hash - "sha256:" + hex SHA-256 of DIR's listing. */
int bn_skill_tree_hash(char out[BN_SKILL_TREE_HASH_SIZE], const char *dir,
		       bn_err *err) BN_MUST_USE;

/* One file of a skill as it was read: PATH (relative, as listed) and the
   LEN bytes at DATA. */
typedef struct bn_skill_tree_file {
	const char *path;
	const void *data;
	size_t len;
} bn_skill_tree_file;

/*
 * bn_skill_tree_hash_as_read - the tree hash of DIR with the file
 * AS_READ names taken from the bytes it gives, not from DIR (NULL: as
 * bn_skill_tree_hash).  A runner that read a file once hashes exactly
 * what it runs, whatever replaced the file since.
 */
int bn_skill_tree_hash_as_read(char out[BN_SKILL_TREE_HASH_SIZE],
			       const char *dir,
			       const bn_skill_tree_file *as_read,
			       bn_err *err) BN_MUST_USE;

#endif
