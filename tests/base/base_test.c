/* SPDX-License-Identifier: MIT */
/* tests/base/base_test.c - errors, capped buffers, safe file helpers. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "harness.h"

static void test_err_first_message_wins(bn_t *t)
{
	bn_err e;
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_err_set(&e, BN_EINVAL, "field %s", "name"), ==,
		     BN_EINVAL);
	bn_err_set(&e, BN_EIO, "later");
	bn_err_prefix(&e, "SKILL.md:%d", 3);
	BN_CHECK_INT(t, e.code, ==, BN_EINVAL);
	BN_CHECK_STR(t, e.msg, "SKILL.md:3: field name");
}

static void test_buf_cap(bn_t *t)
{
	bn_buf b;
	bn_buf_init(&b, 8);
	BN_CHECK_INT(t, bn_buf_puts(&b, "1234567"), ==, 0);  /* cap - 1 */
	BN_CHECK_INT(t, bn_buf_puts(&b, "8"), ==, 0);        /* cap */
	BN_CHECK_INT(t, bn_buf_puts(&b, "9"), ==, -E2BIG);   /* cap + 1 */
	BN_CHECK_STR(t, bn_buf_cstr(&b), "12345678");
	BN_CHECK_INT(t, bn_buf_printf(&b, "%d", 1), ==, -E2BIG);
	bn_buf_clear(&b);
	BN_CHECK_STR(t, bn_buf_cstr(&b), "");
}

static char *tmpdir(void)
{
	char tpl[] = "/tmp/bn-base-XXXXXX";
	return bn_xstrdup(mkdtemp(tpl));
}

static void test_read_file_cap(bn_t *t)
{
	char *d = tmpdir(), *p = bn_fs_join(d, "f"), *data = NULL;
	size_t len = 0;
	bn_err e;

	BN_CHECK_INT(t, bn_fs_write_atomic(p, "hello", 5, 0600, NULL), ==, 0);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_fs_read_file(&data, &len, p, 5, &e), ==, 0);
	BN_CHECK_STR(t, data, "hello");
	BN_CHECK_INT(t, len, ==, 5);
	free(data);
	data = NULL;
	BN_CHECK_INT(t, bn_fs_read_file(&data, &len, p, 4, &e), ==, BN_ELIMIT);
	BN_CHECK_CONTAINS(t, e.msg, p);
	BN_CHECK(t, data == NULL);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_fs_read_file(&data, &len, d, 100, &e), ==,
		     BN_EINVAL);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_fs_read_file(&data, &len, "/nonexistent/x", 100,
					&e), ==, BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, e.msg, "/nonexistent/x");
	(void)bn_fs_rmtree(d, NULL);
	free(p);
	free(d);
}

static void test_write_atomic_replaces(bn_t *t)
{
	char *d = tmpdir(), *p = bn_fs_join(d, "f"), *data = NULL;
	struct stat st;

	BN_CHECK_INT(t, bn_fs_write_atomic(p, "old", 3, 0600, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_write_atomic(p, "newer", 5, 0600, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_read_file(&data, NULL, p, 100, NULL), ==, 0);
	BN_CHECK_STR(t, data, "newer");
	BN_CHECK_INT(t, stat(p, &st), ==, 0);
	BN_CHECK_INT(t, st.st_mode & 0777, ==, 0600);
	free(data);
	/* a write into a missing folder fails and names the path */
	bn_err e;
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_fs_write_atomic("/nonexistent/dir/f", "x", 1, 0600,
					   &e), ==, BN_EIO);
	BN_CHECK_CONTAINS(t, e.msg, "/nonexistent/dir/f");
	(void)bn_fs_rmtree(d, NULL);
	free(p);
	free(d);
}

static void test_rmtree_does_not_follow_links(bn_t *t)
{
	char *d = tmpdir(), *outside = tmpdir();
	char *victim = bn_fs_join(outside, "keep");
	char *sub = bn_fs_join(d, "sub"), *link = bn_fs_join(sub, "link");

	BN_CHECK_INT(t, bn_fs_write_atomic(victim, "x", 1, 0600, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_mkdirs(sub, NULL), ==, 0);
	BN_CHECK_INT(t, symlink(outside, link), ==, 0);
	BN_CHECK_INT(t, bn_fs_rmtree(d, NULL), ==, 0);
	BN_CHECK(t, !bn_fs_is_dir(d));
	BN_CHECK(t, bn_fs_is_file(victim));
	(void)bn_fs_rmtree(outside, NULL);
	free(d);
	free(outside);
	free(victim);
	free(sub);
	free(link);
}

static void test_copytree_and_sha(bn_t *t)
{
	char *d = tmpdir(), *src = bn_fs_join(d, "a"), *dst = bn_fs_join(d, "b");
	char *f = bn_fs_join(src, "x/y.txt"), *g = bn_fs_join(dst, "x/y.txt");
	char *sx = bn_fs_join(src, "x"), *data = NULL, hex[65];

	BN_CHECK_INT(t, bn_fs_mkdirs(sx, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_write_atomic(f, "abc", 3, 0644, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_copytree(src, dst, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_read_file(&data, NULL, g, 10, NULL), ==, 0);
	BN_CHECK_STR(t, data, "abc");
	bn_fs_sha256_hex(hex, "abc", 3);
	BN_CHECK_STR(t, hex, "ba7816bf8f01cfea414140de5dae2223"
			     "b00361a396177a9cb410ff61f20015ad");
	free(data);
	(void)bn_fs_rmtree(d, NULL);
	free(d); free(src); free(dst); free(f); free(g); free(sx);
}

int main(void)
{
	bn_t t = { 0 };
	BN_RUN(&t, test_err_first_message_wins);
	BN_RUN(&t, test_buf_cap);
	BN_RUN(&t, test_read_file_cap);
	BN_RUN(&t, test_write_atomic_replaces);
	BN_RUN(&t, test_rmtree_does_not_follow_links);
	BN_RUN(&t, test_copytree_and_sha);
	return bn_t_done(&t);
}
