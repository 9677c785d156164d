/* SPDX-License-Identifier: MIT */
/* tests/exec/grants_test.c - scopes, and grants that never exceed what a
 * skill's manifest declares. */
#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"
#include "exec/grants.h"
#include "harness.h"
#include "rawdb.h"
#include "store/grants.h"

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
					 "K@https://a.org:443"));
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET,
					  "K@https://a.org:443", "reveal:K"));
}

/* A use-only secret goes only to the origin it is bound to. */
static void test_secret_origin(bn_t *t)
{
	char *out = NULL;
	bn_err e;

	BN_CHECK(t, bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET,
		"K@https://a.org:443", "K@https://a.org:443"));
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET,
		"K@https://a.org:443", "K@https://evil.org:443"));
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET,
		"K@https://a.org:443", "K@http://a.org:80"));
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET,
		"K@https://a.org:443", "L@https://a.org:443"));
	/* an unbound grant from before origins allows nothing */
	BN_CHECK(t, !bn_exec_scope_covers(BN_EXEC_CAP_GET_SECRET, "K",
					  "K@https://a.org:443"));
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_GET_SECRET,
			"K@HTTPS://A.org", &e), ==, 0);
	BN_CHECK_STR(t, out, "K@https://a.org:443");
	free(out);
	out = NULL;
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_GET_SECRET,
			"reveal:K", &e), ==, 0);
	BN_CHECK_STR(t, out, "reveal:K");
	free(out);
	out = NULL;
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_GET_SECRET,
			"API_TOKEN", &e), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "get_secret=API_TOKEN@https://api."
			  "example.com");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_GET_SECRET,
			"K@https://*.a.org", &e), ==, BN_EINVAL);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_scope_normalize(&out, BN_EXEC_CAP_GET_SECRET,
			"K@https://a.org/path", &e), ==, BN_EINVAL);
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
	/* a grant belongs to an installed skill's identity: install the
	   skills the tests grant to */
	if (bn_store_skill_create(s, "fetcher", BN_SKILL_TYPE_TOOL, NULL,
				  NULL) ||
	    bn_store_skill_create(s, "limited", BN_SKILL_TYPE_TOOL, NULL,
				  NULL)) {
		bn_store_free(s);
		return NULL;
	}
	return s;
}

/* Step the schema back to before the secret-origin migration (step 8 in
   store/db.c), with name-keyed grants from before it, and reopen: that
   migration and the later ones (provenance in the index, grants keyed by
   identity) run on those rows. */
static void test_secret_migration(bn_t *t)
{
	bn_skill_manifest m = { 0 };
	bn_store_grant *v = NULL;
	bn_exec_grants g = { 0 };
	size_t n = 0;
	char *home;
	bn_store *s = open_store(&home);

	BN_CHECK(t, s != NULL);
	if (!s)
		return;
	BN_CHECK_INT(t, bn_store_skill_create(s, "one", BN_SKILL_TYPE_TOOL,
					      NULL, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_skill_create(s, "two", BN_SKILL_TYPE_TOOL,
					      NULL, NULL), ==, 0);
	const char *sql =
		"DROP TABLE grants_suspended; DROP TABLE grants;"
		"CREATE TABLE grants (skill TEXT NOT NULL,"
		" bot TEXT NOT NULL DEFAULT '*', capability TEXT NOT NULL,"
		" scope TEXT NOT NULL DEFAULT '', limits TEXT,"
		" granted_at INTEGER NOT NULL,"
		" PRIMARY KEY (skill, bot, capability, scope));"
		/* the listing cache (a later step) goes first */
		"ALTER TABLE audit_runs DROP COLUMN actor;"
		"DROP INDEX skill_index_unsettled; DROP TABLE store_state;"
		"ALTER TABLE skill_index DROP COLUMN seen;"
		"ALTER TABLE skill_index DROP COLUMN manifest;"
		"ALTER TABLE skill_index DROP COLUMN tree_hash;"
		"ALTER TABLE skill_index DROP COLUMN pending_hash;"
		"ALTER TABLE skill_index DROP COLUMN pending_tier;"
		"ALTER TABLE skill_index DROP COLUMN pending_source;"
		"ALTER TABLE skill_index DROP COLUMN pending_grants;"
		"ALTER TABLE audit_runs DROP COLUMN client;"
		/* the journalled turns (wt-turns) */
		"DROP INDEX audit_runs_session; DROP INDEX audit_runs_running;"
		"DROP TABLE turns;"
		"ALTER TABLE messages DROP COLUMN turn;"
		"ALTER TABLE audit_runs DROP COLUMN kind;"
		"ALTER TABLE audit_runs DROP COLUMN detail;"
		"ALTER TABLE audit_runs DROP COLUMN session_id;"
		"ALTER TABLE audit_runs DROP COLUMN turn;"
		"ALTER TABLE audit_runs DROP COLUMN tool_call_id;"
		"ALTER TABLE audit_runs DROP COLUMN owner_pid;"
		"ALTER TABLE audit_runs DROP COLUMN owner_start;"
		"ALTER TABLE audit_runs DROP COLUMN owner_host;"
		"PRAGMA user_version = 7;"
		"INSERT INTO grants VALUES"
		" ('one', '*', 'http_get', 'https://api.x.org:443', NULL, 1),"
		" ('one', '*', 'get_secret', 'TOK', NULL, 1),"
		" ('one', '*', 'get_secret', 'reveal:R', NULL, 1),"
		" ('two', '*', 'http_get', 'https://p.org:443', NULL, 1),"
		" ('two', '*', 'http_post', 'https://q.org:443', NULL, 1),"
		" ('two', 'b1', 'get_secret', 'TOK', NULL, 1);";
	BN_CHECK_INT(t, bn_test_db_exec(s, sql), ==, SQLITE_OK);
	bn_store_free(s);
	BN_CHECK_INT(t, bn_store_open(&s, home, NULL, NULL), ==, 0);
	BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "one", NULL, NULL), ==, 0);
	BN_CHECK(t, bn_exec_grant_find(&g, BN_EXEC_CAP_GET_SECRET,
				       "TOK@https://api.x.org:443") != NULL);
	BN_CHECK(t, bn_exec_grant_find(&g, BN_EXEC_CAP_GET_SECRET,
				       "reveal:R") != NULL);
	bn_exec_grants_clear(&g);
	/* two origins: suspended, and listed until granted again */
	BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "two", "b1", NULL), ==, 0);
	BN_CHECK(t, bn_exec_grant_find(&g, BN_EXEC_CAP_GET_SECRET,
				       "TOK@https://p.org:443") == NULL);
	bn_exec_grants_clear(&g);
	BN_CHECK_INT(t, bn_store_grant_suspended_list(&v, &n, s, NULL), ==, 0);
	BN_CHECK_INT(t, n, ==, 1);
	BN_CHECK_STR(t, n ? v[0].skill : NULL, "two");
	BN_CHECK_STR(t, n ? v[0].scope : NULL, "TOK");
	bn_store_grants_free(v, n);
	m.name = "two";
	bn_strv_push(&m.capabilities, "get_secret=TOK");
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, "b1",
		"get_secret=TOK@https://q.org", NULL, NULL, NULL), ==, 0);
	v = NULL;
	BN_CHECK_INT(t, bn_store_grant_suspended_list(&v, &n, s, NULL), ==, 0);
	BN_CHECK_INT(t, n, ==, 0);
	bn_store_grants_free(v, n);
	bn_strv_clear(&m.capabilities);
	bn_store_free(s);
	(void)bn_fs_rmtree(home, NULL);
	free(home);
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
	bn_strv_push(&m.capabilities, "get_secret=API_TOKEN");

	/* a bare secret declaration: the grant must name the origin */
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, "sb", "get_secret", NULL,
					  NULL, &e), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "get_secret=API_TOKEN@https://api."
			  "example.com");
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, "sb", "get_secret=API_TOKEN",
					  NULL, NULL, &e), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "not bound to an origin");
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, "sb", "get_secret=API_TOKEN"
		"@https://api.example.com", NULL, NULL, NULL), ==, 0);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, "sb", "get_secret=OTHER"
		"@https://api.example.com", NULL, NULL, &e), ==, BN_EDENIED);

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

/* Each limit at its maximum is kept; one more is refused, never wrapped. */
static void test_limits_range(bn_t *t)
{
	static const char *const names[] = { "fuel", "memory_bytes",
					     "timeout_ms", "output_bytes" };
	bn_skill_manifest m = { 0 };
	bn_exec_grants g = { 0 };
	char *home;
	bn_store *s = open_store(&home);
	bn_err e;

	BN_CHECK(t, s != NULL);
	if (!s)
		return;
	m.name = "limited";
	for (size_t i = 0; i < 4; i++) {
		uint64_t max = bn_exec_limit_max(names[i]);
		bn_exec_limits l = { 0 };
		uint64_t *f = i == 0 ? &l.fuel : i == 1 ? &l.memory_bytes :
			      i == 2 ? &l.timeout_ms : &l.output_bytes;
		BN_CHECK(t, max > 0);
		*f = max + 1;
		bn_err_init(&e);
		BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL, NULL, &l, NULL,
						  &e), ==, BN_EINVAL);
		BN_CHECK_CONTAINS(t, e.msg, names[i]);
		*f = max;
		BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL, NULL, &l, NULL,
						  NULL), ==, 0);
	}
	BN_CHECK_INT(t, bn_exec_limit_max("stack"), ==, 0);
	bn_exec_limits all = { BN_EXEC_FUEL_MAX, BN_EXEC_MEMORY_BYTES_MAX,
			       BN_EXEC_TIMEOUT_MS_MAX,
			       BN_EXEC_OUTPUT_BYTES_MAX };
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, NULL, NULL, &all, NULL, NULL),
		     ==, 0);
	BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "limited", NULL, NULL), ==,
		     0);
	BN_CHECK_INT(t, g.n, ==, 1);
	if (g.n == 1) {
		BN_CHECK(t, g.v[0].limits.fuel == BN_EXEC_FUEL_MAX);
		BN_CHECK(t, g.v[0].limits.memory_bytes ==
			 BN_EXEC_MEMORY_BYTES_MAX);
		BN_CHECK(t, g.v[0].limits.timeout_ms == BN_EXEC_TIMEOUT_MS_MAX);
		BN_CHECK(t, g.v[0].limits.output_bytes ==
			 BN_EXEC_OUTPUT_BYTES_MAX);
	}
	/* a timeout past 32 bits is kept whole */
	bn_exec_grants_clear(&g);
	bn_exec_limits big = { .timeout_ms = 5000000000ull };
	BN_CHECK_INT(t, bn_exec_grant_add(s, &m, "b", NULL, &big, NULL, NULL),
		     ==, 0);
	BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "limited", "b", NULL), ==,
		     0);
	bn_exec_limits l = { 0 };
	bn_exec_grants_limits(&l, &g);
	BN_CHECK(t, l.timeout_ms == 5000000000ull);
	bn_exec_grants_clear(&g);
	bn_store_free(s);
	BN_CHECK_INT(t, bn_fs_rmtree(home, NULL), ==, 0);
	free(home);
}

/* A stored row whose limit is negative, fractional or too large is an
   error naming it, never a wrapped "no limit". */
static void test_stored_limits_checked(bn_t *t)
{
	static const char *const bad[] = { "{\"timeout_ms\": -1}",
		"{\"fuel\": -5}", "{\"memory_bytes\": 1.5}",
		"{\"output_bytes\": 0}", "{\"timeout_ms\": 31536000001}",
		"[1]", "not json" };
	static const char *const field[] = { "timeout_ms", "fuel",
		"memory_bytes", "output_bytes", "timeout_ms", "limits",
		"limits" };
	char *home;
	bn_store *s = open_store(&home);
	bn_exec_grants g = { 0 };
	bn_err e;

	BN_CHECK(t, s != NULL);
	if (!s)
		return;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *sql = bn_xasprintf("DELETE FROM grants; INSERT INTO "
			"grants (skill, bot, capability, scope, limits, "
			"granted_at) VALUES ('x', '*', 'limits', '', '%s', 0)",
			bad[i]);
		BN_CHECK_INT(t, bn_test_db_exec(s, sql), ==, SQLITE_OK);
		free(sql);
		bn_err_init(&e);
		BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "x", NULL, &e), ==,
			     BN_EINVAL);
		BN_CHECK_CONTAINS(t, e.msg, field[i]);
		BN_CHECK_CONTAINS(t, e.msg, "skill 'x'");
		BN_CHECK_INT(t, g.n, ==, 0);
	}
	/* the largest value is still good */
	BN_CHECK_INT(t, bn_test_db_exec(s, "UPDATE grants SET "
		"limits = '{\"timeout_ms\": 31536000000}'"),
		==, SQLITE_OK);
	BN_CHECK_INT(t, bn_exec_grant_list(&g, s, "x", NULL, NULL), ==, 0);
	BN_CHECK(t, g.n == 1 && g.v[0].limits.timeout_ms == 31536000000ull);
	bn_exec_grants_clear(&g);
	bn_store_free(s);
	BN_CHECK_INT(t, bn_fs_rmtree(home, NULL), ==, 0);
	free(home);
}

int main(void)
{
	bn_t t = { 0 };
	BN_RUN(&t, test_origin_scopes);
	BN_RUN(&t, test_name_and_path_scopes);
	BN_RUN(&t, test_normalize);
	BN_RUN(&t, test_secret_origin);
	BN_RUN(&t, test_secret_migration);
	BN_RUN(&t, test_grant_within_manifest);
	BN_RUN(&t, test_limits_fold);
	BN_RUN(&t, test_limits_range);
	BN_RUN(&t, test_stored_limits_checked);
	return bn_t_done(&t);
}
