/* SPDX-License-Identifier: MIT */
/*
 * tests/store/pg_reconnect_test.c - the PostgreSQL back end when the
 * server closes its connections (store/pg.c): a handle whose backend was
 * terminated, or whose server restarted, works again at its next call
 * with its statements prepared again; every handle a server keeps for
 * reuse does; a transaction open when its connection went fails whole,
 * naming the loss, and nothing of it is written; while the server is
 * down calls fail naming the database, then work once it is back; a run
 * whose closing audit write failed then has its row closed as the error
 * it reported, by the handle's next statements.
 *
 * Runs under tests/store/pg_cluster.sh (BNITY_TEST_PG_NEWDB,
 * BNITY_TEST_PG_BIN for psql, BNITY_TEST_PG_CTL for pg_ctl); skipped
 * elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "harness.h"
#include "store/audit.h"
#include "store/store.h"

static char home[64];
static char *url;

static void fresh(void)
{
	if (home[0])
		(void)bn_fs_rmtree(home, NULL);
	snprintf(home, sizeof(home), "/tmp/bn-pg-reconnect-XXXXXX");
	if (!mkdtemp(home))
		abort();
	free(url);
	url = bn_t_db_url();
}

/* A new home and database, and a store on them; ERR initialized. */
static bn_store *start(bn_t *t, bn_err *err)
{
	bn_store *s = NULL;

	fresh();
	bn_err_init(err);
	if (bn_store_open_db(&s, home, NULL, url, err) == 0)
		return s;
	printf("#   open %s: %s\n", home, err->msg);
	t->cur_fail++;
	return NULL;
}

/* Run SHELL (a command line), true when it exits 0. */
static bool sh(const char *shell)
{
	return system(shell) == 0;
}

/* Terminate every other backend of this test's database, as a restart
   or an administrator would; WAIT_MS > 0: return once they are gone (a
   client may still not have read that its connection closed), 0: at
   once (the next statement may reach a backend that is going). */
static bool terminate_backends_wait(unsigned wait_ms)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "\"$BNITY_TEST_PG_BIN/psql\" -Atq '%s' -c "
		 "\"SELECT count(pg_terminate_backend(pid, %u)) FROM "
		 "pg_stat_activity WHERE datname = current_database() AND "
		 "pid <> pg_backend_pid()\" >/dev/null", url, wait_ms);
	return sh(cmd);
}

static bool terminate_backends(void)
{
	return terminate_backends_wait(10000);
}

/* Stop PostgreSQL: false, S freed and the failure counted, when
   pg_ctl fails. */
static bool pg_stop(bn_t *t, bn_store *s)
{
	if (sh("\"$BNITY_TEST_PG_CTL\" stop -m fast"))
		return true;
	printf("#   pg_ctl stop failed\n");
	t->cur_fail++;
	bn_store_free(s);
	return false;
}

static int bot_new(bn_store *s, const char *slug, bn_err *err)
{
	bn_store_bot b = { .slug = (char *)slug, .name = (char *)slug };
	return bn_store_bot_create(s, &b, err);
}

static bool bot_exists(bn_store *s, const char *slug)
{
	bn_store_bot b = { 0 };
	bn_err err;
	int r;

	bn_err_init(&err);
	r = bn_store_bot_get(&b, s, slug, &err);
	bn_store_bot_clear(&b);
	return r == 0;
}

static size_t bot_count(bn_t *t, bn_store *s)
{
	bn_store_bot *v = NULL;
	size_t n = 0;
	bn_err err;

	bn_err_init(&err);
	if (bn_store_bot_list(&v, &n, s, &err)) {
		printf("#   bot list: %s\n", err.msg);
		t->cur_fail++;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		bn_store_bot_clear(&v[i]);
	free(v);
	return n;
}

/* An idle handle whose backend was terminated: the next calls work, the
   statements it had prepared prepared again. */
static void test_idle_handle_reconnects(bn_t *t)
{
	bn_store *s;
	bn_err err;

	if (!(s = start(t, &err)))
		return;
	BN_CHECK_INT(t, bot_new(s, "one", &err), ==, 0);
	BN_CHECK_INT(t, bot_count(t, s), ==, 1);
	BN_CHECK(t, terminate_backends());
	BN_CHECK_INT(t, bot_count(t, s), ==, 1);
	BN_CHECK_INT(t, bot_new(s, "two", &err), ==, 0);
	BN_CHECK_INT(t, bot_count(t, s), ==, 2);
	/* and again, not waiting: a read that reaches the going backend
	   runs again on a new connection */
	BN_CHECK(t, terminate_backends_wait(0));
	BN_CHECK(t, bot_exists(s, "two"));
	BN_CHECK(t, terminate_backends_wait(0));
	BN_CHECK_INT(t, bot_count(t, s), ==, 2);
	bn_store_free(s);
}

/* A transaction whose connection went fails whole: its next statement
   and its commit name the loss, nothing of it is written, and after the
   rollback the handle works again. */
static void test_lost_transaction_fails_whole(bn_t *t)
{
	bn_store *s;
	bn_err err;

	if (!(s = start(t, &err)))
		return;
	BN_CHECK_INT(t, bn_store_tx_begin(s, &err), ==, 0);
	BN_CHECK_INT(t, bot_new(s, "half", &err), ==, 0);
	BN_CHECK(t, terminate_backends());
	bn_err_init(&err);
	BN_CHECK_INT(t, bot_new(s, "other-half", &err), !=, 0);
	BN_CHECK_CONTAINS(t, err.msg, "lost the connection to PostgreSQL");
	BN_CHECK_CONTAINS(t, err.msg, "transaction failed");
	bn_err_init(&err);
	/* not run on a new connection outside the transaction */
	BN_CHECK_INT(t, bot_new(s, "after-loss", &err), !=, 0);
	BN_CHECK_CONTAINS(t, err.msg, "with a transaction open");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_tx_commit(s, &err), !=, 0);
	BN_CHECK_CONTAINS(t, err.msg, "transaction");
	/* the commit failed and rolled back: the handle works again */
	BN_CHECK(t, !bot_exists(s, "half"));
	BN_CHECK(t, !bot_exists(s, "other-half"));
	BN_CHECK(t, !bot_exists(s, "after-loss"));
	bn_err_init(&err);
	BN_CHECK_INT(t, bot_new(s, "whole", &err), ==, 0);
	BN_CHECK(t, bot_exists(s, "whole"));
	bn_store_free(s);
}

/* Every handle a server keeps for reuse recovers, not only one. */
static void test_every_kept_handle_recovers(bn_t *t)
{
	enum { N = 4 };
	bn_store_reuse *u = NULL;
	bn_store *h[N] = { 0 };
	bn_err err;
	int i;

	fresh();
	bn_err_init(&err);
	if (bn_store_reuse_new(&u, home, NULL, url, N, &err)) {
		printf("#   reuse: %s\n", err.msg);
		t->cur_fail++;
		return;
	}
	for (i = 0; i < N; i++)
		BN_CHECK_INT(t, bn_store_reuse_take(&h[i], u, &err), ==, 0);
	for (i = 0; i < N; i++)
		if (h[i])
			BN_CHECK_INT(t, bot_count(t, h[i]), ==, 0);
	for (i = 0; i < N; i++)
		bn_store_reuse_give(u, h[i]);
	BN_CHECK(t, terminate_backends());
	for (i = 0; i < N; i++)
		BN_CHECK_INT(t, bn_store_reuse_take(&h[i], u, &err), ==, 0);
	for (i = 0; i < N; i++) {
		bn_err e;
		bn_err_init(&e);
		if (!h[i])
			continue;
		BN_CHECK_INT(t, bot_count(t, h[i]), ==, (size_t)i);
		BN_CHECK_INT(t, bot_new(h[i], (const char *[]){ "h-a", "h-b",
				"h-c", "h-d" }[i], &e), ==, 0);
	}
	for (i = 0; i < N; i++)
		bn_store_reuse_give(u, h[i]);
	bn_store_reuse_free(u);
}

/* PostgreSQL stopped: calls fail naming the database and the reconnect;
   started again: the same handle works. */
static void test_server_down_then_back(bn_t *t)
{
	bn_store *s;
	bn_err err;

	if (!(s = start(t, &err)))
		return;
	BN_CHECK_INT(t, bot_new(s, "before", &err), ==, 0);
	if (!pg_stop(t, s))
		return;
	bn_err_init(&err);
	BN_CHECK_INT(t, bot_new(s, "while-down", &err), !=, 0);
	BN_CHECK_CONTAINS(t, err.msg, "postgresql://");
	BN_CHECK_CONTAINS(t, err.msg, "PostgreSQL");
	bn_err_init(&err);
	BN_CHECK_INT(t, bot_new(s, "still-down", &err), !=, 0);
	BN_CHECK_CONTAINS(t, err.msg, "cannot reconnect to PostgreSQL");
	BN_CHECK(t, sh("\"$BNITY_TEST_PG_CTL\" start"));
	bn_err_init(&err);
	BN_CHECK_INT(t, bot_new(s, "after", &err), ==, 0);
	BN_CHECK(t, bot_exists(s, "before"));
	BN_CHECK(t, !bot_exists(s, "while-down"));
	BN_CHECK_INT(t, bot_count(t, s), ==, 2);
	/* a restart while idle costs nothing */
	BN_CHECK(t, sh("\"$BNITY_TEST_PG_CTL\" restart -m fast"));
	BN_CHECK_INT(t, bot_count(t, s), ==, 2);
	bn_store_free(s);
}

/* The outcome and error of SKILL's newest audit row through S (owned,
   into *outcome and *error; NULL when there is none). */
static void newest_run(bn_store *s, const char *skill, char **outcome,
		       char **error)
{
	bn_store_audit_filter f = { .skill = skill, .limit = 1 };
	bn_store_audit_run *v = NULL;
	size_t n = 0;
	bn_err err;

	*outcome = *error = NULL;
	bn_err_init(&err);
	if (bn_store_audit_run_list(&v, &n, s, &f, &err) || n == 0) {
		bn_store_audit_runs_free(v, n);
		return;
	}
	*outcome = v[0].outcome ? strdup(v[0].outcome) : NULL;
	*error = v[0].error ? strdup(v[0].error) : NULL;
	bn_store_audit_runs_free(v, n);
}

/* A run whose closing write fails while PostgreSQL is down reports the
   error; once the database is back the same handle's next statement
   closes the row as that error, the process still running (no row stays
   "running" until the sweep after its exit).  A second handle sees it. */
static void test_failed_finish_is_written_when_back(bn_t *t)
{
	bn_store_audit_run_new run = { .at_ms = 1, .skill = "late",
				       .tier = "local", .outcome = "running" };
	bn_store_audit_run_end end = { .outcome = "ok", .fuel = 7,
				       .duration_ms = 3 };
	bn_store *s, *other = NULL;
	char *outcome, *error;
	int64_t id = 0;
	bn_err err;

	if (!(s = start(t, &err)))
		return;
	BN_CHECK_INT(t, bn_store_audit_run_add(&id, s, &run, &err), ==, 0);
	if (!pg_stop(t, s))
		return;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_audit_run_finish(s, id, &end, &err), !=, 0);
	BN_CHECK_CONTAINS(t, err.msg, "PostgreSQL");
	/* still down: a statement fails, the finish waits */
	bn_err_init(&err);
	BN_CHECK_INT(t, bot_new(s, "while-down", &err), !=, 0);
	BN_CHECK(t, sh("\"$BNITY_TEST_PG_CTL\" start"));
	/* the first statement that works, then the next one */
	BN_CHECK_INT(t, bot_count(t, s), ==, 0);
	BN_CHECK_INT(t, bot_count(t, s), ==, 0);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_open_db(&other, home, NULL, url, &err), ==, 0);
	if (other) {
		newest_run(other, "late", &outcome, &error);
		BN_CHECK_STR(t, outcome ? outcome : "(none)", "error");
		BN_CHECK_CONTAINS(t, error ? error : "",
				  "could not be closed when the run ended (ok)");
		BN_CHECK_CONTAINS(t, error ? error : "", "PostgreSQL");
		free(outcome);
		free(error);
		bn_store_free(other);
	}
	bn_store_free(s);
}

int main(void)
{
	bn_t t = { 0 };

	if (!getenv("BNITY_TEST_PG_NEWDB") || !getenv("BNITY_TEST_PG_CTL") ||
	    !getenv("BNITY_TEST_PG_BIN")) {
		printf("1..0 # SKIP not under tests/store/pg_cluster.sh\n");
		return 0;
	}
	BN_RUN(&t, test_idle_handle_reconnects);
	BN_RUN(&t, test_lost_transaction_fails_whole);
	BN_RUN(&t, test_every_kept_handle_recovers);
	BN_RUN(&t, test_server_down_then_back);
	BN_RUN(&t, test_failed_finish_is_written_when_back);
	if (home[0])
		(void)bn_fs_rmtree(home, NULL);
	free(url);
	return bn_t_done(&t);
}
