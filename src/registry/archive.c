/* SPDX-License-Identifier: MIT */
/*
 * registry/archive.c - unpacking skill archives (.skill, .zip, .tar.gz,
 * GitHub tarballs) with libarchive, refusing anything that could land
 * outside the destination: absolute paths, "..", links of every kind,
 * devices and FIFOs; capped in bytes per file, bytes in all and entries.
 * Files are created with O_EXCL|O_NOFOLLOW under folders we made, so an
 * entry can never write through something an earlier entry placed.
 * libarchive docs: archive_read(3), archive_entry(3).
 */
#include "registry.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dl.h"
#include "base/fs.h"

#define PATH_MAX_BYTES 1024

/* libarchive, loaded by the first extraction (base/dl.h says why this
   table may be global: it is written once, then only read). */
#define LA_FNS(X)                                                       \
	X(read_new) X(read_free) X(read_support_filter_all)             \
	X(read_support_format_tar) X(read_support_format_gnutar)        \
	X(read_support_format_zip) X(read_open_memory)                  \
	X(read_next_header) X(read_data) X(error_string)                \
	X(entry_pathname) X(entry_filetype) X(entry_hardlink)           \
	X(entry_symlink) X(entry_size) X(entry_size_is_set)             \
	X(entry_perm)
#define LA_FIELD(f) __typeof__(archive_##f) *f;
#define LA_NAME(f) "archive_" #f,
BN_DL_TABLE(la_table_t, la_fns, LA_N, LA_FNS, LA_FIELD);
BN_DL_LIBRARY(la, la_table_t, LA_FNS, LA_NAME, "libarchive.so.13",
	      "libarchive", "libarchive13", NULL);

/* Normalise entry path P into OUT: no "", ".", "..", or leading '/'. */
static int clean_path(char *out, size_t n, const char *p, unsigned flags,
		      bn_err *err)
{
	const char *s = p;
	size_t o = 0;
	bool first = true;

	if (!p || !*p)
		return bn_err_set(err, BN_EINVAL, "an entry has no name");
	if (p[0] == '/' || p[0] == '\\' || strchr(p, ':') == p + 1)
		return bn_err_set(err, BN_EDENIED,
			"entry '%.200s': absolute paths are refused", p);
	if (strlen(p) >= n)
		return bn_err_set(err, BN_ELIMIT,
			"entry '%.200s...': path longer than %zu bytes", p,
			n - 1);
	while (*s) {
		size_t l = strcspn(s, "/\\");
		if (l == 2 && s[0] == '.' && s[1] == '.')
			return bn_err_set(err, BN_EDENIED,
				"entry '%.200s': '..' would leave the skill "
				"folder", p);
		if (memchr(s, '\\', l) || (l && s[l] == '\\'))
			return bn_err_set(err, BN_EDENIED,
				"entry '%.200s': backslashes are refused", p);
		if (l == 0 || (l == 1 && s[0] == '.')) {
			/* skip empty and "." components */
		} else if (first && (flags & BN_REGISTRY_ARCHIVE_STRIP1)) {
			first = false;
		} else {
			if (o)
				out[o++] = '/';
			memcpy(out + o, s, l);
			o += l;
			first = false;
		}
		s += l;
		if (*s)
			s++;
	}
	out[o] = '\0';
	return 0;
}

/* mkdir every component of REL under DEST (relative to dirfd DFD). */
static int make_parents(int dfd, const char *rel, bool last_too, bn_err *err)
{
	char buf[PATH_MAX_BYTES];
	char *p;

	snprintf(buf, sizeof(buf), "%s", rel);
	for (p = buf; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdirat(dfd, buf, 0755) < 0 && errno != EEXIST)
			return bn_err_set(err, BN_EIO, "%s: %s", buf,
					  strerror(errno));
		*p = '/';
	}
	if (last_too && mkdirat(dfd, buf, 0755) < 0 && errno != EEXIST)
		return bn_err_set(err, BN_EIO, "%s: %s", buf, strerror(errno));
	return 0;
}

/* Every component of REL's parent must be a real folder (no links). */
static int check_parents(int dfd, const char *rel, bn_err *err)
{
	char buf[PATH_MAX_BYTES];
	struct stat st;
	char *p;

	snprintf(buf, sizeof(buf), "%s", rel);
	for (p = buf; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (fstatat(dfd, buf, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			return bn_err_set(err, BN_EDENIED,
				"entry '%.200s': '%s' is not a folder", rel,
				buf);
		*p = '/';
	}
	return 0;
}

typedef struct totals {
	size_t bytes;
	size_t entries;
} totals;

static int write_entry(const struct la_fns *la, struct archive *a, int dfd,
		       const char *rel, mode_t mode,
		       const bn_registry_limits *lim, totals *t, bn_err *err)
{
	char block[65536];
	size_t got = 0;
	la_ssize_t n;
	int fd, r = 0;

	fd = openat(dfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, (mode & 0111) ? 0755 : 0644);
	if (fd < 0)
		return bn_err_set(err, errno == EEXIST ? BN_EDENIED : BN_EIO,
			"entry '%.200s': %s%s", rel, strerror(errno),
			errno == EEXIST ? " (listed twice)" : "");
	while ((n = la->read_data(a, block, sizeof(block))) > 0) {
		got += (size_t)n;
		t->bytes += (size_t)n;
		if (got > lim->file_max_bytes) {
			r = bn_err_set(err, BN_ELIMIT,
				"entry '%.200s': larger than %zu bytes", rel,
				lim->file_max_bytes);
			break;
		}
		if (t->bytes > lim->total_max_bytes) {
			r = bn_err_set(err, BN_ELIMIT,
				"the archive unpacks to more than %zu bytes",
				lim->total_max_bytes);
			break;
		}
		if (write(fd, block, (size_t)n) != n) {
			r = bn_err_set(err, BN_EIO, "%s: %s", rel,
				       strerror(errno));
			break;
		}
	}
	if (!r && n < 0)
		r = bn_err_set(err, BN_EINVAL,
			"entry '%.200s': %s (truncated or corrupt archive)",
			rel, la->error_string(a));
	close(fd);
	return r;
}

static int one_entry(const struct la_fns *la, struct archive *a,
		     struct archive_entry *e, int dfd,
		     const bn_registry_limits *lim, unsigned flags,
		     totals *t, bn_err *err)
{
	const char *name = la->entry_pathname(e);
	char rel[PATH_MAX_BYTES];
	mode_t type = la->entry_filetype(e);
	int r;

	if (++t->entries > lim->max_entries)
		return bn_err_set(err, BN_ELIMIT,
			"the archive has more than %zu entries",
			lim->max_entries);
	if ((r = clean_path(rel, sizeof(rel), name, flags, err)))
		return r;
	if (la->entry_hardlink(e))
		return bn_err_set(err, BN_EDENIED,
			"entry '%.200s': hard link to '%.200s' refused", rel,
			la->entry_hardlink(e));
	if (type == AE_IFLNK)
		return bn_err_set(err, BN_EDENIED,
			"entry '%.200s': symbolic link to '%.200s' refused "
			"(links could point outside the skill)", rel,
			la->entry_symlink(e) ? la->entry_symlink(e) :
			"?");
	if (!*rel)
		return 0;                 /* the stripped top folder */
	if (type == AE_IFDIR) {
		if ((r = check_parents(dfd, rel, err)))
			return r;
		return make_parents(dfd, rel, true, err);
	}
	if (type != AE_IFREG && type != 0)
		return bn_err_set(err, BN_EDENIED,
			"entry '%.200s': not a regular file or folder", rel);
	if (la->entry_size_is_set(e) &&
	    la->entry_size(e) > (la_int64_t)lim->file_max_bytes)
		return bn_err_set(err, BN_ELIMIT,
			"entry '%.200s': %lld bytes, over the %zu-byte cap "
			"per file", rel, (long long)la->entry_size(e),
			lim->file_max_bytes);
	if ((r = make_parents(dfd, rel, false, err)))
		return r;
	if ((r = check_parents(dfd, rel, err)))
		return r;
	return write_entry(la, a, dfd, rel, la->entry_perm(e), lim, t, err);
}

int bn_registry_archive_extract(const char *dest, const void *data,
				size_t len, const bn_registry_limits *lim_in,
				unsigned flags, bn_err *err)
{
	bn_registry_limits lim = {
		lim_in && lim_in->file_max_bytes ? lim_in->file_max_bytes :
			BN_REGISTRY_FILE_MAX_BYTES,
		lim_in && lim_in->total_max_bytes ? lim_in->total_max_bytes :
			BN_REGISTRY_ARCHIVE_MAX_BYTES,
		lim_in && lim_in->max_entries ? lim_in->max_entries :
			BN_REGISTRY_MAX_ENTRIES,
	};
	const struct la_fns *la = &la_table.fn;
	struct archive_entry *e;
	struct archive *a;
	totals t = { 0, 0 };
	int dfd, rc, r = 0;

	if ((r = bn_dl_lazy_load(&la_lazy, la_table.slot, &la_lib, err)))
		return r;
	dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", dest,
				  strerror(errno));
	a = la->read_new();
	if (!a) {
		close(dfd);
		return bn_err_oom(err);
	}
	la->read_support_filter_all(a);
	la->read_support_format_tar(a);
	la->read_support_format_gnutar(a);
	la->read_support_format_zip(a);
	if (la->read_open_memory(a, data, len) != ARCHIVE_OK) {
		r = bn_err_set(err, BN_EINVAL,
			       "not a tar or zip archive: %s",
			       la->error_string(a));
		goto out;
	}
	while ((rc = la->read_next_header(a, &e)) == ARCHIVE_OK ||
	       rc == ARCHIVE_WARN) {
		if ((r = one_entry(la, a, e, dfd, &lim, flags, &t, err)))
			goto out;
	}
	if (rc != ARCHIVE_EOF)
		r = bn_err_set(err, BN_EINVAL,
			       "malformed or truncated archive: %s",
			       la->error_string(a));
	else if (t.entries == 0)
		r = bn_err_set(err, BN_EINVAL, "the archive is empty");
out:
	la->read_free(a);
	close(dfd);
	return r;
}
