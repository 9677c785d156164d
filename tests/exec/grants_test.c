/* SPDX-License-Identifier: MIT */
/* tests/exec/grants_test.c - scopes, and grants that never exceed what a
 * skill's manifest declares. */
#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"
#include "exec/grants.h"
#include "harness.h"

static void test_origin_scopes(bn_t *t)
{
	bn_exec_cap g = BN_EXEC_CAP_HTTP_GET;
	BN_CHECK(t, bn_exec_scope_covers(g, "https://api.example.org:443",
					 "https://api.example.org:443"));
	BN_CHECK(t, bn_exec_scope_covers(g, "https://*.example.org",
					 "https://a.b.example.org"));
	BN_CHECK(t, !bn_exec_scope_covers(g, "https://*.example.org",
					  "https://example.org"));
	BN_CHECK(t, !bn_exec_scope_covers(g, "https://*.example.org",
					  "https://evilexample.org"));
	BN_CHECK(t, !bn_exec_scope_covers(g, "https://example.org",
					  "http://example.org"));
	BN_CHECK(t, !bn_exec_scope_covers(g, "https://example.org",
					  "https://example.org:8443"));
	BN_CHECK(t, bn_exec_scope_covers(g, "http://127.0.0.1:8080",
					 "http://127.0.0.1:8080/"));
}

static void test_name_and_path_scopes(bn_t *t)
{
	BN_CHECK(t, bn_exec_scope_covers(BN_EXEC_CAP_READ_ENV, "LANG", "LANG"));
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_READ_ENV, "LANG",
					  "LANGUAGE"));
	BN_CHECK(t, bn_exec_scope_covers(BN_EXEC_CAP_READ_ENV, "MYAPP_*",
					 "MYAPP_TOKEN"));
	BN_CHECK(t, bn_exec_scope_covers(BN_EXEC_CAP_READ_FILE, "/data",
					 "/data/x/y"));
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_READ_FILE, "/data",
					  "/database"));
	BN_CHECK(t, bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET, "reveal:K",
					 "K"));
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET, "K",
					  "reveal:K"));
}

static void test_normalize(bn_t *t)
{
	char *out = NULL;
	bn_err e;

	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_HTTP_GET,
			"HTTPS://API.Example.org/", &e), ==, 0);
	BN_CHECK_STR(t, out, "https://api.example.org:443");
	free(out);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_HTTP_GET,
			"ftp://x.org", &e), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "ftp://x.org");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_HTTP_GET,
			"https://x.org/path", &e), ==, BN_EINVAL);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_HTTP_GET,
			"https://x.org:99999", &e), ==, BN_EINVAL);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_READ_FILE,
			"/nonexistent/folder", &e), ==, BN_EINVAL);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_READ_ENV,
			"A B", &e), ==, BN_EINVAL);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out,
			BN_EXEC_CAP_RECALL_MEMORY, "x", &e), ==, BN_EINVAL);
}

static bn_store *open_store(char **home)
{
	char tpl[] = "/tmp/bn-grants-XXXXXX";
	bn_store *s = NULL;
	*home = bn_xstrdup(mkdtemp(tpl));
	if (bn_store_open(&s, *home, NULL, NULL))
		return NULL;
	return s;
}

static void test_grant_within_manifest(bn_t *t)
{
	bn_skill_manifest m = { 0 };
	bn_exec_grants g = { 0 };
	bn_strv added = { 0 };
	char *home;
	bn_store *s = open_store(&home);
	bn_err e;

	BN_CHECK(t, s != NULL);
	if (!s)
		return;
	m.name = "fetcher";
	bn_strv_push(&m.capabilities, "http_get=https://*.example.org");
	bn_strv_push(&m.capabilities, "recall_memory");
	bn_strv_push(&m.capabilities, "read_env");

	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL,
		"http_get=https://api.example.org", NULL, &added, &e), ==, 0);
	BN_CHECK_STR(t, added.n ? added.v[0] : NULL,
		     "http_get=https://api.example.org:443");
	/* beyond the declared scope */
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL,
		"http_get=https://evil.com", NULL, NULL, &e), ==, BN_EDENIED);
	BN_CHECK_CONTAINS(t, e.msg, "exceeds");
	/* not declared at all */
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL, "http_post="
		"https://api.example.org", NULL, NULL, &e), ==, BN_EDENIED);
	BN_CHECK_CONTAINS(t, e.msg, "does not declare http_post");
	/* unknown capability */
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL, "teleport", NULL, NULL,
					  &e), ==, BN_EINVAL);
	/* declared without a scope: the user names one */
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL, "read_env", NULL, NULL,
					  &e), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "needs a scope");
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, "helper", "read_env=LANG",
					  NULL, NULL, NULL), ==, 0);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL, "recall_memory", NULL,
					  NULL, NULL), ==, 0);

	BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "fetcher", "other", NULL),
		     ==, 0);
	BN_CHECK_INT(t, g.n, ==, 2);   /* the every-bot rows only */
	BN_CHECK(t, bn_exec_grant_find(&g, BN_EXEC_CAP_HTTP_GET,
				       "https://api.example.org:443") != NULL);
	BN_CHECK(t, bn_exec_grant_find(&g, BN_EXEC_CAP_READ_ENV, "LANG")
		 == NULL);
	bn_exec_grants_clear(&g);
	BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "fetcher", "helper", NULL),
		     ==, 0);
	BN_CHECK(t, bn_exec_grant_find(&g, BN_EXEC_CAP_READ_ENV, "LANG")
		 != NULL);
	bn_exec_grants_clear(&g);

	/* revoke */
	BN_CHECK_INT(t, bn_exec_grant_revoke(s, "fetcher", NULL, "http_get",
					     NULL, NULL), ==, 0);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_revoke(s, "fetcher", NULL, "http_get",
					     NULL, &e), ==, BN_ENOTFOUND);
	bn_strv_clear(&added);
	bn_strv_clear(&m.capabilities);
	bn_store_free(s);
	(void)bn_fs_rmtree(home, NULL);
	free(home);
}

static void test_limits_fold(bn_t *t)
{
	bn_exec_grant v[2] = { { .bot = "*", .limits = { .fuel = 10 } },
			       { .bot = "b", .limits = { .fuel = 20,
					.timeout_ms = 5 } } };
	bn_exec_grants g = { v, 2 };
	bn_exec_limits l = { 1, 2, 3, 4 };
	bn_exec_grants_limits(&l, &g);
	BN_CHECK_INT(t, l.fuel, ==, 20);
	BN_CHECK_INT(t, l.memory_bytes, ==, 2);
	BN_CHECK_INT(t, l.timeout_ms, ==, 5);
	BN_CHECK_INT(t, l.output_bytes, ==, 4);
}

int main(void)
{
	bn_t t = { 0 };
	BN_RUN(&t, test_origin_scopes);
	BN_RUN(&t, test_name_and_path_scopes);
	BN_RUN(&t, test_normalize);
	BN_RUN(&t, test_grant_within_manifest);
	BN_RUN(&t, test_limits_fold);
	return bn_t_done(&t);
}
