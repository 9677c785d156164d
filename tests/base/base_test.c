/* SPDX-License-Identifier: MIT */
/* tests/base/base_test.c - errors, capped buffers, safe file helpers,
   the clock, the fault hook and libraries loaded on first use. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/dl.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/fs.h"
#include "base/proc.h"
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

/* bn_xstrndup stops at the string's end: a heap string of 3 bytes asked
   for 64 is copied whole and no further (ASan sees any read past it). */
static void test_xstrndup_stops_at_nul(bn_t *t)
{
	char *src = bn_xstrdup("abc"), *a = bn_xstrndup(src, 64),
	     *b = bn_xstrndup(src, 2);
	BN_CHECK_STR(t, a, "abc");
	BN_CHECK_STR(t, b, "ab");
	free(a);
	free(b);
	free(src);
}

/* What bn_buf_append_utf8 makes of IN (N bytes); *bad the replacements. */
static char *utf8_of(const char *in, size_t n, size_t *bad)
{
	bn_buf b = BN_BUF_INIT;
	*bad = 99;
	if (bn_buf_append_utf8(&b, in, n, bad)) {
		bn_buf_clear(&b);
		return NULL;
	}
	return bn_buf_take(&b);
}

#define FFFD "\xEF\xBF\xBD"

static void test_utf8_replaces_ill_formed(bn_t *t)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
		size_t bad;
	} cases[] = {
		{ "", 0, "", 0 },
		{ "plain", 5, "plain", 0 },
		{ "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9,
		  "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 0 },
		{ "a\xFF" "b", 3, "a" FFFD "b", 1 },         /* never a lead */
		{ "\x80\x80", 2, FFFD FFFD, 2 },         /* lone continuations */
		{ "\xC0\xAF", 2, FFFD FFFD, 2 },         /* overlong '/' */
		{ "\xE0\x80\x80", 3, FFFD FFFD FFFD, 3 },/* overlong, E0 */
		{ "\xED\xA0\x80", 3, FFFD FFFD FFFD, 3 },/* a surrogate */
		{ "\xF4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD, 4 },
		{ "\xE2\x82" "x", 3, FFFD "x", 1 },         /* cut short: one */
		{ "\xF0\x9F\x98", 3, FFFD, 1 },         /* cut at the end */
		{ "\xEF\xBF\xBD", 3, FFFD, 0 },         /* U+FFFD itself */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t bad;
		char *out = utf8_of(cases[i].in, cases[i].n, &bad);
		size_t want = strlen(cases[i].out) + 1;  /* and its NUL */
		BN_CHECK(t, out != NULL);
		if (!out)
			continue;
		if (memcmp(out, cases[i].out, want) != 0)
			printf("#   case %zu differs\n", i);
		BN_CHECK(t, memcmp(out, cases[i].out, want) == 0);
		BN_CHECK_INT(t, bad, ==, cases[i].bad);
		free(out);
	}
}

static void test_utf8_keeps_nul(bn_t *t)
{
	size_t bad;
	char *out = utf8_of("a\0\xFF", 3, &bad);
	BN_CHECK(t, out && memcmp(out, "a\0" FFFD, 6) == 0);
	BN_CHECK_INT(t, bad, ==, 1);
	free(out);
}

static void test_utf8_cap(bn_t *t)
{
	bn_buf b;
	size_t bad = 0;
	bn_buf_init(&b, 4);
	/* one byte becomes three: within the cap, at it, past it */
	BN_CHECK_INT(t, bn_buf_append_utf8(&b, "\xFF", 1, &bad), ==, 0);
	BN_CHECK_INT(t, bn_buf_append_utf8(&b, "a", 1, NULL), ==, 0);
	BN_CHECK_INT(t, bn_buf_append_utf8(&b, "\xFF", 1, &bad), ==, -E2BIG);
	BN_CHECK_INT(t, b.len, ==, 4);
	bn_buf_clear(&b);
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

/* bn_fs_open_below opens what lies below the root (through links that
   stay below it) and refuses a path or link that leads out. */
static void test_open_below(bn_t *t)
{
	char *root = tmpdir(), *outside = tmpdir();
	char *in = bn_fs_join(root, "in"), *file = bn_fs_join(in, "f");
	char *inlink = bn_fs_join(root, "inlink"),
	     *outlink = bn_fs_join(root, "outlink"),
	     *dotdot = bn_xasprintf("%s/in/../../", root), buf[64];
	bn_err e;
	int fd = -1;

	BN_CHECK_INT(t, bn_fs_mkdirs(in, NULL), ==, 0);
	BN_CHECK_INT(t, bn_fs_write_atomic(file, "x", 1, 0600, NULL), ==, 0);
	BN_CHECK_INT(t, symlink("in", inlink), ==, 0);
	BN_CHECK_INT(t, symlink(outside, outlink), ==, 0);
	BN_CHECK_INT(t, bn_fs_open_below(&fd, root, file, NULL), ==, 0);
	if (fd >= 0)
		close(fd);
	BN_CHECK_INT(t, bn_fs_open_below(&fd, root, inlink, NULL), ==, 0);
	if (fd >= 0) {
		/* it is the folder the link names, read through the fd */
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d/f", fd);
		BN_CHECK(t, bn_fs_is_file(buf));
		close(fd);
	}
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_fs_open_below(&fd, root, outlink, &e), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, e.msg, "not below");
	BN_CHECK_INT(t, bn_fs_open_below(&fd, root, dotdot, NULL), ==,
		     BN_EDENIED);
	BN_CHECK_INT(t, bn_fs_open_below(&fd, root, outside, NULL), ==,
		     BN_EDENIED);
	(void)bn_fs_rmtree(root, NULL);
	(void)bn_fs_rmtree(outside, NULL);
	free(in);
	free(file);
	free(inlink);
	free(outlink);
	free(dotdot);
	free(root);
	free(outside);
}

/* "below" goes by whole components, and everything is below "/". */
static void test_below(bn_t *t)
{
	BN_CHECK(t, bn_fs_below("/a/b", "/a/b"));
	BN_CHECK(t, bn_fs_below("/a/b/c", "/a/b"));
	BN_CHECK(t, !bn_fs_below("/a/bc", "/a/b"));
	BN_CHECK(t, !bn_fs_below("/a", "/a/b"));
	BN_CHECK(t, bn_fs_below("/etc/passwd", "/"));
	BN_CHECK(t, bn_fs_below("/", "/"));
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

static void test_clock_units_agree(bn_t *t)
{
	uint64_t ms = bn_clock_now_ms(), us = bn_clock_now_us();
	uint64_t ns = bn_clock_now_ns();
	struct timespec d;

	BN_CHECK(t, ms > 0);
	BN_CHECK(t, ms * 1000u <= us);
	BN_CHECK(t, us * 1000u <= ns);
	/* 1999 ms: the nanoseconds carry into the seconds at most once */
	bn_clock_deadline_ts(&d, 1999);
	BN_CHECK(t, d.tv_nsec >= 0 && d.tv_nsec < 1000000000);
	BN_CHECK(t, (uint64_t)d.tv_sec * 1000000000u + (uint64_t)d.tv_nsec >=
		    ns + 1999000000u);
	bn_clock_deadline_ts(&d, 0);
	BN_CHECK(t, d.tv_nsec >= 0 && d.tv_nsec < 1000000000);
}

/* The status of a child that sets BNITY_FAULT=SET, passes POINT, then
   exits 7. */
static int fault_status(const char *set, const char *point)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (set)
			setenv("BNITY_FAULT", set, 1);
		else
			unsetenv("BNITY_FAULT");
		bn_fault(point);
		_exit(7);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_fault_exits_only_at_its_point(bn_t *t)
{
	BN_CHECK_INT(t, fault_status("create-before-commit",
				     "create-before-commit"), ==, 99);
	BN_CHECK_INT(t, fault_status("create-before-commit",
				     "create-after-commit"), ==, 7);
	BN_CHECK_INT(t, fault_status("create", "create-before-commit"), ==, 7);
	BN_CHECK_INT(t, fault_status(NULL, "create-before-commit"), ==, 7);
}

/* A library that is present: libm's cos and sqrt, resolved once. */
#define M_FNS(X) X(cos) X(sqrt)
#define M_FIELD(f) __typeof__(f) *f;
#define M_NAME(f) #f,
BN_DL_TABLE(m_table_t, m_fns, M_N, M_FNS, M_FIELD);
BN_DL_LIBRARY(m, m_table_t, M_FNS, M_NAME, "libm.so.6", "libm", "libc6",
	      NULL);

static void test_dl_loads_once(bn_t *t)
{
	bn_err e;

	bn_err_init(&e);
	BN_CHECK(t, !bn_dl_lazy_loaded(&m_lazy));
	BN_CHECK_INT(t, bn_dl_lazy_load(&m_lazy, m_table.slot, &m_lib, &e),
		     ==, 0);
	BN_CHECK(t, bn_dl_lazy_loaded(&m_lazy));
	BN_CHECK(t, m_table.fn.sqrt(16.0) == 4.0);
	BN_CHECK(t, m_table.fn.cos(0.0) == 1.0);
	BN_CHECK_INT(t, bn_dl_lazy_load(&m_lazy, m_table.slot, &m_lib, &e),
		     ==, 0);
	BN_CHECK_STR(t, e.msg, "");
}

/* A library that is not installed, and one that lacks a function: the
   message names the package to install, every time it is asked. */
#define X_FNS(X) X(bn_no_such_function)
#define X_FIELD(f) void (*f)(void);
#define X_NAME(f) #f,
BN_DL_TABLE(x_table_t, x_fns, X_N, X_FNS, X_FIELD);
BN_DL_LIBRARY(absent, x_table_t, X_FNS, X_NAME, "libbnity-absent.so.7",
	      "libbnity-absent", "libbnity-absent7", NULL);
BN_DL_LIBRARY(old, x_table_t, X_FNS, X_NAME, "libm.so.6", "libm", "libc6",
	      NULL);

static void test_dl_missing_names_the_package(bn_t *t)
{
	bn_err e;

	for (int i = 0; i < 2; i++) {
		bn_err_init(&e);
		BN_CHECK_INT(t, bn_dl_lazy_load(&absent_lazy,
						absent_table.slot,
						&absent_lib, &e), ==,
			     BN_ENOTFOUND);
		BN_CHECK_CONTAINS(t, e.msg, "libbnity-absent is not installed");
		BN_CHECK_CONTAINS(t, e.msg, "apt-get install libbnity-absent7");
		BN_CHECK(t, !bn_dl_lazy_loaded(&absent_lazy));
	}
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_dl_lazy_load(&old_lazy, old_table.slot, &old_lib,
					&e), ==, BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, e.msg, "has no bn_no_such_function");
	BN_CHECK_CONTAINS(t, e.msg, "apt-get install a newer libc6");
}

/* Owner leases: a live owner is never gone; a dead one (reaped, or a
   zombie), one whose pid now has another start time, is; another host's
   never is. */
static void test_owner_lease(bn_t *t)
{
	bn_proc_owner me;
	pid_t kid;
	int st;

	bn_proc_owner_self(&me);
	BN_CHECK(t, me.pid == getpid() && me.start > 0 && me.host[0]);
	BN_CHECK(t, !bn_proc_owner_gone(me.pid, me.start, me.host));
	BN_CHECK(t, bn_proc_owner_gone(me.pid, me.start + 1, me.host));
	BN_CHECK(t, !bn_proc_owner_gone(me.pid, me.start + 1, "another-host"));
	BN_CHECK(t, !bn_proc_owner_gone(0, 0, me.host));
	kid = fork();
	if (kid == 0)
		_exit(0);
	BN_CHECK(t, kid > 0);
	if (kid <= 0)
		return;
	/* exited, not reaped: a zombie is gone */
	for (int i = 0; i < 500 && !bn_proc_owner_gone(kid, 0, me.host); i++)
		usleep(10000);
	BN_CHECK(t, bn_proc_owner_gone(kid, 0, me.host));
	BN_CHECK_INT(t, waitpid(kid, &st, 0), ==, kid);
	BN_CHECK(t, bn_proc_owner_gone(kid, 1, me.host));
}

int main(void)
{
	bn_t t = { 0 };
	BN_RUN(&t, test_err_first_message_wins);
	BN_RUN(&t, test_buf_cap);
	BN_RUN(&t, test_xstrndup_stops_at_nul);
	BN_RUN(&t, test_utf8_replaces_ill_formed);
	BN_RUN(&t, test_utf8_keeps_nul);
	BN_RUN(&t, test_utf8_cap);
	BN_RUN(&t, test_read_file_cap);
	BN_RUN(&t, test_write_atomic_replaces);
	BN_RUN(&t, test_rmtree_does_not_follow_links);
	BN_RUN(&t, test_open_below);
	BN_RUN(&t, test_below);
	BN_RUN(&t, test_copytree_and_sha);
	BN_RUN(&t, test_clock_units_agree);
	BN_RUN(&t, test_fault_exits_only_at_its_point);
	BN_RUN(&t, test_dl_loads_once);
	BN_RUN(&t, test_dl_missing_names_the_package);
	BN_RUN(&t, test_owner_lease);
	return bn_t_done(&t);
}
