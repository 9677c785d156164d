/* SPDX-License-Identifier: MIT */
/*
 * tests/registry/archive_test.c - safe extraction (registry/archive.c)
 * against hostile tar and zip archives built here with libarchive's
 * writer: "..", absolute paths, symbolic and hard links out, entries over
 * the caps (at the cap - 1, at it and past it), too many entries, a
 * truncated archive; and the good cases, with the GitHub top folder
 * stripped.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "harness.h"
#include "registry/registry.h"

typedef struct entry {
	const char *path;
	char type;            /* 'f' file, 'd' folder, 's' symlink, 'h' hard */
	const char *target;   /* link target, or file data */
	size_t size;          /* file: bytes of zeros when target is NULL */
} entry;

/* An archive of E in memory (*len bytes, caller frees); ZIP or tar.gz. */
static char *build(size_t *len, const entry *e, size_t n, bool zip)
{
	size_t cap = (size_t)32 << 20, used = 0;
	char *buf = malloc(cap);
	struct archive *a = archive_write_new();

	if (zip) {
		archive_write_set_format_zip(a);
	} else {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
	}
	archive_write_open_memory(a, buf, cap, &used);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_perm(ae, 0644);
		if (e[i].type == 'd') {
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
		} else if (e[i].type == 's') {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].target);
		} else if (e[i].type == 'h') {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].target);
		} else {
			size_t sz = e[i].target ? strlen(e[i].target) : e[i].size;
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, (la_int64_t)sz);
		}
		archive_write_header(a, ae);
		if (e[i].type == 'f') {
			if (e[i].target) {
				archive_write_data(a, e[i].target,
						   strlen(e[i].target));
			} else {
				char *z = calloc(1, e[i].size + 1);
				archive_write_data(a, z, e[i].size);
				free(z);
			}
		}
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	*len = used;
	return buf;
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/bn-archive-XXXXXX";
	char *d = mkdtemp(tmpl);
	return d ? bn_xstrdup(d) : NULL;
}

/* Extract E into a new folder: the return code, *msg the message. */
static int try(const entry *e, size_t n, bool zip, unsigned flags,
	       const bn_registry_limits *lim, char **dir_out, bn_err *err)
{
	size_t len;
	char *data = build(&len, e, n, zip);
	char *dir = tmpdir();
	int r;

	bn_err_init(err);
	r = bn_registry_archive_extract(dir, data, len, lim, flags, err);
	free(data);
	if (dir_out)
		*dir_out = dir;
	else {
		(void)bn_fs_rmtree(dir, NULL);
		free(dir);
	}
	return r;
}

static const char md[] = "---\nname: s\ndescription: d\n---\nbody\n";

static void test_good_tar_and_zip(bn_t *t)
{
	const entry e[] = {
		{ "s/", 'd', NULL, 0 },
		{ "s/SKILL.md", 'f', md, 0 },
		{ "s/scripts/run.sh", 'f', "echo hi\n", 0 },
	};
	for (int zip = 0; zip < 2; zip++) {
		char *dir, *p;
		bn_err err;
		BN_CHECK_INT(t, try(e, 3, zip, 0, NULL, &dir, &err), ==, 0);
		p = bn_fs_join(dir, "s/scripts/run.sh");
		BN_CHECK(t, bn_fs_is_file(p));
		free(p);
		(void)bn_fs_rmtree(dir, NULL);
		free(dir);
	}
}

static void test_strip_top_folder(bn_t *t)
{
	const entry e[] = {
		{ "acme-skills-abc123/", 'd', NULL, 0 },
		{ "acme-skills-abc123/skills/x/SKILL.md", 'f', md, 0 },
	};
	char *dir, *p;
	bn_err err;

	BN_CHECK_INT(t, try(e, 2, false, BN_REGISTRY_ARCHIVE_STRIP1, NULL,
			    &dir, &err), ==, 0);
	p = bn_fs_join(dir, "skills/x/SKILL.md");
	BN_CHECK(t, bn_fs_is_file(p));
	free(p);
	(void)bn_fs_rmtree(dir, NULL);
	free(dir);
}

static void refused(bn_t *t, const entry *e, size_t n, int want,
		    const char *says)
{
	for (int zip = 0; zip < 2; zip++) {
		bn_err err;
		BN_CHECK_INT(t, try(e, n, zip, 0, NULL, NULL, &err), ==, want);
		BN_CHECK_CONTAINS(t, err.msg, says);
	}
}

static void test_dotdot(bn_t *t)
{
	const entry e[] = { { "s/SKILL.md", 'f', md, 0 },
			    { "s/../../evil", 'f', "x", 0 } };
	refused(t, e, 2, BN_EDENIED, "'..'");
}

static void test_absolute(bn_t *t)
{
	const entry e[] = { { "/tmp/bn-evil-abs", 'f', "x", 0 } };
	refused(t, e, 1, BN_EDENIED, "absolute");
	BN_CHECK(t, access("/tmp/bn-evil-abs", F_OK) != 0);
}

static void test_symlink_out(bn_t *t)
{
	const entry e[] = { { "s/SKILL.md", 'f', md, 0 },
			    { "s/pw", 's', "/etc/passwd", 0 } };
	refused(t, e, 2, BN_EDENIED, "symbolic link");
}

static void test_symlink_then_write_through(bn_t *t)
{
	/* a link to a folder outside, then a file "through" it */
	const entry e[] = { { "s", 's', "/tmp", 0 },
			    { "s/bn-evil-through", 'f', "x", 0 } };
	refused(t, e, 2, BN_EDENIED, "symbolic link");
	BN_CHECK(t, access("/tmp/bn-evil-through", F_OK) != 0);
}

static void test_hardlink_out(bn_t *t)
{
	bn_err err;
	const entry e[] = { { "s/SKILL.md", 'f', md, 0 },
			    { "s/hard", 'h', "../../etc/passwd", 0 } };
	/* zip has no hard links: tar only */
	BN_CHECK_INT(t, try(e, 2, false, 0, NULL, NULL, &err), ==, BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "hard link");
}

static void test_file_cap_boundaries(bn_t *t)
{
	bn_registry_limits lim = { 1000, 0, 0 };
	entry e[] = { { "big", 'f', NULL, 999 } };
	bn_err err;

	BN_CHECK_INT(t, try(e, 1, false, 0, &lim, NULL, &err), ==, 0);
	e[0].size = 1000;
	BN_CHECK_INT(t, try(e, 1, false, 0, &lim, NULL, &err), ==, 0);
	e[0].size = 1001;
	BN_CHECK_INT(t, try(e, 1, false, 0, &lim, NULL, &err), ==, BN_ELIMIT);
	BN_CHECK_CONTAINS(t, err.msg, "1000");
	BN_CHECK_INT(t, try(e, 1, true, 0, &lim, NULL, &err), ==, BN_ELIMIT);
}

static void test_huge_entry_default_cap(bn_t *t)
{
	const entry e[] = { { "s/SKILL.md", 'f', md, 0 },
			    { "s/huge.bin", 'f', NULL, (10u << 20) + 1 } };
	refused(t, e, 2, BN_ELIMIT, "cap");
}

static void test_total_and_entry_caps(bn_t *t)
{
	bn_registry_limits total = { 0, 2500, 0 }, count = { 0, 0, 3 };
	const entry e[] = { { "a", 'f', NULL, 1000 }, { "b", 'f', NULL, 1000 },
			    { "c", 'f', NULL, 1000 }, { "d", 'f', "x", 0 } };
	bn_err err;

	BN_CHECK_INT(t, try(e, 3, false, 0, &total, NULL, &err), ==,
		     BN_ELIMIT);
	BN_CHECK_INT(t, try(e, 3, false, 0, &count, NULL, &err), ==, 0);
	BN_CHECK_INT(t, try(e, 4, false, 0, &count, NULL, &err), ==,
		     BN_ELIMIT);
	BN_CHECK_CONTAINS(t, err.msg, "more than 3 entries");
}

static void test_truncated(bn_t *t)
{
	const entry e[] = { { "s/SKILL.md", 'f', md, 0 },
			    { "s/data", 'f', NULL, 200000 } };
	size_t len;
	char *data = build(&len, e, 2, false), *dir = tmpdir();
	bn_err err;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_registry_archive_extract(dir, data, len / 2, NULL,
						    0, &err), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "truncated");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_registry_archive_extract(dir, "not an archive",
						    14, NULL, 0, &err), ==,
		     BN_EINVAL);
	free(data);
	(void)bn_fs_rmtree(dir, NULL);
	free(dir);
}

static void test_duplicate_entry(bn_t *t)
{
	const entry e[] = { { "SKILL.md", 'f', md, 0 },
			    { "SKILL.md", 'f', "second", 0 } };
	bn_err err;

	BN_CHECK_INT(t, try(e, 2, false, 0, NULL, NULL, &err), ==, BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "listed twice");
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_good_tar_and_zip);
	BN_RUN(&t, test_strip_top_folder);
	BN_RUN(&t, test_dotdot);
	BN_RUN(&t, test_absolute);
	BN_RUN(&t, test_symlink_out);
	BN_RUN(&t, test_symlink_then_write_through);
	BN_RUN(&t, test_hardlink_out);
	BN_RUN(&t, test_file_cap_boundaries);
	BN_RUN(&t, test_huge_entry_default_cap);
	BN_RUN(&t, test_total_and_entry_caps);
	BN_RUN(&t, test_truncated);
	BN_RUN(&t, test_duplicate_entry);
	return bn_t_done(&t);
}
