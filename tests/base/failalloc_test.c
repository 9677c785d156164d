/* SPDX-License-Identifier: MIT */
/*
 * tests/base/failalloc_test.c - base's fallible allocations when memory
 * runs out (tests/failalloc.h refuses the Nth allocation on run N): a
 * capped buffer keeps what it held and says -ENOMEM, a file read says
 * "out of memory" and keeps no descriptor.  The aborting bn_x* allocators
 * are for small bookkeeping and are not run here.
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "failalloc.h"

#define CHUNKS 3000

/* Append CHUNKS numbered chunks, the way WHICH says, until one fails:
   0 or its error; *done how many went in. */
static int fill(bn_buf *b, int which, int *done)
{
	static const char bad[] = "ok \xff\xc3 ";  /* two ill-formed bytes */
	int r = 0;

	for (*done = 0; *done < CHUNKS && !r; ) {
		if (which == 0)
			r = bn_buf_append(b, "0123456789", 10);
		else if (which == 1)
			r = bn_buf_printf(b, "%09d,", *done);
		else
			r = bn_buf_append_utf8(b, bad, sizeof(bad) - 1, NULL);
		*done += !r;
	}
	return r;
}

/* Whether B holds exactly DONE whole chunks of WHICH. */
static bool holds(const bn_buf *b, int which, int done)
{
	const char *s = bn_buf_cstr(b);
	char want[16];
	size_t each = which == 2 ? strlen("ok \xEF\xBF\xBD\xEF\xBF\xBD ") : 10;

	if (b->len != each * (size_t)done || strlen(s) != b->len)
		return false;
	for (int i = 0; i < done; i++) {
		if (which == 0)
			snprintf(want, sizeof(want), "0123456789");
		else if (which == 1)
			snprintf(want, sizeof(want), "%09d,", i);
		else
			snprintf(want, sizeof(want), "ok \xEF\xBF\xBD\xEF\xBF\xBD ");
		if (memcmp(s + each * (size_t)i, want, each) != 0)
			return false;
	}
	return true;
}

static void torture_buf(bn_t *t, int which)
{
	long runs = 0, enomem = 0;

	for (long n = 1; n < 1000; n++) {
		bn_buf b;
		int done, r;
		long refused;

		bn_buf_init(&b, 1 << 20);
		bn_failalloc_arm(n);
		r = fill(&b, which, &done);
		refused = bn_failalloc_disarm();
		runs++;
		if (!refused) {
			BN_CHECK_INT(t, r, ==, 0);
			BN_CHECK_INT(t, done, ==, CHUNKS);
			BN_CHECK(t, holds(&b, which, done));
			bn_buf_clear(&b);
			break;
		}
		/* the buffer says so and keeps every chunk before */
		BN_CHECK_INT(t, r, ==, -ENOMEM);
		BN_CHECK(t, holds(&b, which, done));
		enomem += r == -ENOMEM;
		/* and it still works once memory is back */
		BN_CHECK_INT(t, bn_buf_puts(&b, ""), ==, 0);
		bn_buf_clear(&b);
	}
	printf("#   %ld runs, %ld refused allocations said -ENOMEM\n", runs,
	       enomem);
	BN_CHECK_INT(t, enomem, >=, 5);  /* 64 bytes doubling past 30 KiB */
	BN_CHECK_INT(t, enomem, ==, runs - 1);
}

static void test_buf_append(bn_t *t)
{
	torture_buf(t, 0);
}

static void test_buf_printf(bn_t *t)
{
	torture_buf(t, 1);
}

static void test_buf_append_utf8(bn_t *t)
{
	torture_buf(t, 2);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void test_read_file(bn_t *t)
{
	char dir[] = "/tmp/bn-failalloc-XXXXXX", path[64];
	static char big[100000];
	char *data = NULL;
	size_t len = 7;
	bn_err e;
	int fds, r;
	long refused;

	memset(big, 'x', sizeof(big));
	BN_CHECK(t, mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	BN_CHECK_INT(t, bn_fs_write_atomic(path, big, sizeof(big), 0600,
					   NULL), ==, 0);
	fds = count_fds();
	bn_err_init(&e);
	bn_failalloc_arm(1);
	r = bn_fs_read_file(&data, &len, path, sizeof(big), &e);
	refused = bn_failalloc_disarm();
	BN_CHECK_INT(t, refused, ==, 1);
	BN_CHECK_INT(t, r, ==, -ENOMEM);
	BN_CHECK_CONTAINS(t, e.msg, "out of memory");
	BN_CHECK(t, data == NULL);
	BN_CHECK_INT(t, len, ==, 7);
	BN_CHECK_INT(t, count_fds(), ==, fds);
	/* with memory, the same read gives the file */
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_fs_read_file(&data, &len, path, sizeof(big), &e),
		     ==, 0);
	BN_CHECK(t, data && len == sizeof(big) && !memcmp(data, big, len));
	free(data);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, bn_failalloc_self_test);
	BN_RUN(&t, test_buf_append);
	BN_RUN(&t, test_buf_printf);
	BN_RUN(&t, test_buf_append_utf8);
	BN_RUN(&t, test_read_file);
	return bn_t_done(&t);
}
