/* SPDX-License-Identifier: MIT */
/*
 * tests/store/tables_test.c - the store's typed functions per table:
 * every failure is BN_EIO naming the database file (a lock held by
 * another writer, a table gone), a transaction rolled back leaves
 * nothing, "not there" is an answer and not an error, and rows come
 * back as they went in (limits at limit - 1, limit, limit + 1).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "harness.h"
#include "rawdb.h"
#include "store/audit.h"
#include "store/cache.h"
#include "store/conv.h"
#include "store/grants.h"
#include "store/installlog.h"
#include "store/keys.h"
#include "store/memory.h"
#include "store/secrets.h"
#include "store/usage.h"

typedef struct fixture {
	char home[64];
	char *db;          /* HOME/boternity.db, or the PostgreSQL URL */
	char *url;         /* under pg_cluster.sh: the fixture's database */
	bn_store *s;
} fixture;

static bool fx_init(fixture *f, bn_t *t)
{
	bn_store_bot bot = { .slug = "bot" };
	bn_err err;

	memset(f, 0, sizeof(*f));
	snprintf(f->home, sizeof(f->home), "/tmp/bn-tables-test-XXXXXX");
	if (!mkdtemp(f->home))
		abort();
	bn_err_init(&err);
	f->url = bn_t_db_url();
	if (bn_store_open_db(&f->s, f->home, NULL, f->url, &err) ||
	    bn_store_bot_create(f->s, &bot, &err)) {
		printf("#   open: %s\n", err.msg);
		t->cur_fail++;
		bn_store_free(f->s);
		(void)bn_fs_rmtree(f->home, NULL);
		free(f->url);
		return false;
	}
	f->db = f->url ? strdup(f->url) :
		bn_fs_join(bn_store_home(f->s), "boternity.db");
	return true;
}

static void fx_done(fixture *f)
{
	bn_store_free(f->s);
	(void)bn_fs_rmtree(f->home, NULL);
	free(f->db);
	free(f->url);
}

/* ---- one write and one read of every table ---------------------------- */

typedef int (*op_fn)(bn_store *s, bn_err *err);

static int w_audit_run(bn_store *s, bn_err *err)
{
	bn_store_audit_run_new r = { .at_ms = 1, .skill = "sk", .tier = "local",
				     .outcome = "running" };
	int64_t id;
	return bn_store_audit_run_add(&id, s, &r, err);
}

/* A call of the newest run (ids are not reused after a rollback on
   PostgreSQL, as they are on SQLite). */
static int w_audit_call(bn_store *s, bn_err *err)
{
	bn_store_audit_filter f = { .limit = 1 };
	bn_store_audit_run *v = NULL;
	size_t n = 0;
	int64_t id;
	int r = bn_store_audit_run_list(&v, &n, s, &f, err);

	if (r)
		return r;
	id = n ? v[0].id : 1;
	bn_store_audit_runs_free(v, n);
	return bn_store_audit_call_add(s, id, 2, "read_env", "HOME", true,
				       NULL, err);
}

static int w_grant(bn_store *s, bn_err *err)
{
	return bn_store_grant_put(s, "sk", "sha256:00",
				  BN_STORE_GRANT_EVERY_BOT,
				  "read_env", "HOME", NULL, err);
}

static int w_secret(bn_store *s, bn_err *err)
{
	return bn_store_secret_put(s, "tok", "n", 1, "sealed", 6, err);
}

static int w_memory(bn_store *s, bn_err *err)
{
	int64_t id;
	return bn_store_memory_add(&id, s, "bot", "rivers run to the sea",
				   err);
}

static int w_conv(bn_store *s, bn_err *err)
{
	int64_t id;
	return bn_store_conv_add(&id, s, "bot", "a title", err);
}

static int w_key(bn_store *s, bn_err *err)
{
	return bn_store_key_put(s, "0123456789ABCDEF", "RWkey", NULL, err);
}

static int w_cache(bn_store *s, bn_err *err)
{
	return bn_store_cache_put(s, "https://x.test/", "\"e1\"", "body", 4,
				  err);
}

static int w_install(bn_store *s, bn_err *err)
{
	bn_store_install_new e = { .at_ms = 1, .skill = "sk",
				   .action = "install", .source = "local",
				   .tree_hash = "h", .tier = "untrusted" };
	return bn_store_install_log_add(s, &e, err);
}

static const struct { const char *name; op_fn fn; } writes[] = {
	{ "audit run", w_audit_run }, { "audit call", w_audit_call },
	{ "grant", w_grant }, { "secret", w_secret }, { "memory", w_memory },
	{ "conversation", w_conv }, { "trusted key", w_key },
	{ "cache", w_cache }, { "install log", w_install },
};
#define N_WRITES (sizeof(writes) / sizeof(writes[0]))

static int r_audit(bn_store *s, bn_err *err)
{
	bn_store_audit_filter f = { 0 };
	bn_store_audit_run *v = NULL;
	size_t n = 0;
	int r = bn_store_audit_run_list(&v, &n, s, &f, err);
	bn_store_audit_runs_free(v, n);
	return r;
}

static int r_audit_calls(bn_store *s, bn_err *err)
{
	bn_store_audit_call *v = NULL;
	size_t n = 0;
	int r = bn_store_audit_call_list(&v, &n, s, 1, 0, 0, err);
	bn_store_audit_calls_free(v, n);
	return r;
}

static int r_grants(bn_store *s, bn_err *err)
{
	bn_store_grant *v = NULL;
	size_t n = 0;
	int r = bn_store_grant_list(&v, &n, s, NULL, NULL, NULL, err);
	bn_store_grants_free(v, n);
	return r;
}

static int r_secret(bn_store *s, bn_err *err)
{
	bn_store_secret x = { 0 };
	bool found = false;
	int r = bn_store_secret_get(&x, &found, s, "tok", err);
	bn_store_secret_clear(&x);
	return r;
}

static int r_secrets(bn_store *s, bn_err *err)
{
	bn_store_secret *v = NULL;
	size_t n = 0;
	int r = bn_store_secret_list(&v, &n, s, err);
	bn_store_secrets_free(v, n);
	return r;
}

static int r_memory(bn_store *s, bn_err *err)
{
	bn_strv words = { 0 };
	bn_store_memory *v = NULL;
	size_t n = 0;
	int r;

	bn_strv_push(&words, "rivers");
	r = bn_store_memory_search(&v, &n, s, "bot", &words, 10, err);
	bn_store_memories_free(v, n);
	bn_strv_clear(&words);
	return r;
}

static int r_conv(bn_store *s, bn_err *err)
{
	bn_store_conv c = { 0 };
	bool found = false;
	int r = bn_store_conv_get(&c, &found, s, 1, err);
	bn_store_conv_clear(&c);
	return r;
}

static int r_messages(bn_store *s, bn_err *err)
{
	bn_store_message *v = NULL;
	size_t n = 0;
	int r = bn_store_message_list(&v, &n, s, 1, err);
	bn_store_messages_free(v, n);
	return r;
}

static int r_keys(bn_store *s, bn_err *err)
{
	bn_store_key *v = NULL;
	size_t n = 0;
	int r = bn_store_key_list(&v, &n, s, err);
	bn_store_keys_free(v, n);
	return r;
}

static int r_cache(bn_store *s, bn_err *err)
{
	bn_store_cache_entry e = { 0 };
	bool found = false;
	int r = bn_store_cache_get(&e, &found, s, "https://x.test/", err);
	bn_store_cache_entry_clear(&e);
	return r;
}

static int r_installs(bn_store *s, bn_err *err)
{
	bn_store_install *v = NULL;
	size_t n = 0;
	int r = bn_store_install_log_list(&v, &n, s, NULL, 0, 0, err);
	bn_store_installs_free(v, n);
	return r;
}

static const struct { const char *name; op_fn fn; } reads[] = {
	{ "audit runs", r_audit }, { "audit calls", r_audit_calls },
	{ "grants", r_grants }, { "secret", r_secret },
	{ "secrets", r_secrets }, { "memories", r_memory },
	{ "conversation", r_conv }, { "messages", r_messages },
	{ "trusted keys", r_keys }, { "cache", r_cache },
	{ "install log", r_installs },
};
#define N_READS (sizeof(reads) / sizeof(reads[0]))

/* ---- failures name the file ------------------------------------------- */

/* Another process holds the write lock: every write fails, BN_EIO naming
   the file, once the (shortened) wait is over; reads still work. */
static void test_locked_database(bn_t *t)
{
	sqlite3 *w = NULL;
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, sqlite3_open(f.db, &w), ==, SQLITE_OK);
	BN_CHECK_INT(t, sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		     ==, SQLITE_OK);
	bn_store_lock_timeout_set(f.s, 20);
	for (size_t i = 0; i < N_WRITES; i++) {
		bn_err_init(&err);
		BN_CHECK_INT(t, writes[i].fn(f.s, &err), ==, BN_EIO);
		BN_CHECK_CONTAINS(t, err.msg, f.db);
		BN_CHECK_CONTAINS(t, err.msg, "locked");
		if (err.code != BN_EIO)
			printf("#   write: %s\n", writes[i].name);
	}
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_tx_begin(f.s, &err), ==, BN_EIO);
	BN_CHECK_CONTAINS(t, err.msg, f.db);
	for (size_t i = 0; i < N_READS; i++)
		BN_CHECK_INT(t, reads[i].fn(f.s, NULL), ==, 0);
	/* the lock gone, the same writes go through */
	(void)sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(w);
	bn_store_lock_timeout_set(f.s, BN_STORE_BUSY_TIMEOUT_MS);
	for (size_t i = 0; i < N_WRITES; i++)
		BN_CHECK_INT(t, writes[i].fn(f.s, NULL), ==, 0);
	fx_done(&f);
}

/* A database whose tables are gone (not one bnity wrote): every read and
   write fails, BN_EIO naming the file and the table. */
static void test_missing_tables(bn_t *t)
{
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, bn_test_db_exec(f.s,
		"DROP TABLE audit_calls; DROP TABLE audit_runs;"
		" DROP TABLE grants; DROP TABLE secrets;"
		" DROP TABLE memories_fts; DROP TABLE memories;"
		" DROP TABLE messages; DROP TABLE conversations;"
		" DROP TABLE trusted_keys; DROP TABLE registry_cache;"
		" DROP TABLE audit_installs"), ==, SQLITE_OK);
	for (size_t i = 0; i < N_READS; i++) {
		bn_err_init(&err);
		BN_CHECK_INT(t, reads[i].fn(f.s, &err), ==, BN_EIO);
		BN_CHECK_CONTAINS(t, err.msg, f.db);
		BN_CHECK_CONTAINS(t, err.msg, "no such table");
		if (err.code != BN_EIO)
			printf("#   read: %s\n", reads[i].name);
	}
	for (size_t i = 0; i < N_WRITES; i++) {
		bn_err_init(&err);
		BN_CHECK_INT(t, writes[i].fn(f.s, &err), ==, BN_EIO);
		BN_CHECK_CONTAINS(t, err.msg, f.db);
	}
	fx_done(&f);
}

/* ---- transactions ------------------------------------------------------ */

/* How many rows the reads above find, over every table. */
static size_t rows_everywhere(bn_store *s)
{
	bn_store_audit_filter af = { 0 };
	bn_store_audit_run *runs = NULL;
	bn_store_audit_call *calls = NULL;
	bn_store_grant *grants = NULL;
	bn_store_secret *secrets = NULL;
	bn_store_memory *mems = NULL;
	bn_store_key *keys = NULL;
	bn_store_install *inst = NULL;
	bn_store_conv *c = NULL;
	bn_store_cache_entry ce = { 0 };
	size_t n[9] = { 0 }, total = 0;
	bool cached = false;

	/* the newest run's calls, the newest conversation: ids are not
	   reused after a rollback on PostgreSQL */
	if (bn_store_audit_run_list(&runs, &n[0], s, &af, NULL) ||
	    bn_store_audit_call_list(&calls, &n[1], s, n[0] ? runs[0].id : 1,
				     0, 0, NULL) ||
	    bn_store_grant_list(&grants, &n[2], s, NULL, NULL, NULL, NULL) ||
	    bn_store_secret_list(&secrets, &n[3], s, NULL) ||
	    bn_store_memory_list(&mems, &n[4], s, "bot", NULL) ||
	    bn_store_key_list(&keys, &n[5], s, NULL) ||
	    bn_store_install_log_list(&inst, &n[6], s, NULL, 0, 0, NULL) ||
	    bn_store_conv_list(&c, &n[7], s, "bot", 1, NULL) ||
	    bn_store_cache_get(&ce, &cached, s, "https://x.test/", NULL))
		total = 1000;
	n[8] = cached;
	for (size_t i = 0; i < 9; i++)
		total += n[i];
	bn_store_audit_runs_free(runs, n[0]);
	bn_store_audit_calls_free(calls, n[1]);
	bn_store_grants_free(grants, n[2]);
	bn_store_secrets_free(secrets, n[3]);
	bn_store_memories_free(mems, n[4]);
	bn_store_keys_free(keys, n[5]);
	bn_store_installs_free(inst, n[6]);
	bn_store_convs_free(c, n[7]);
	bn_store_cache_entry_clear(&ce);
	return total;
}

/* Writes to every table inside a transaction that is rolled back leave
   nothing; committed, all of them are there. */
static void test_rollback_leaves_nothing(bn_t *t)
{
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	bn_err_init(&err);
	BN_CHECK_INT(t, rows_everywhere(f.s), ==, 0);
	BN_CHECK_INT(t, bn_store_tx_begin(f.s, &err), ==, 0);
	for (size_t i = 0; i < N_WRITES; i++)
		BN_CHECK_INT(t, writes[i].fn(f.s, &err), ==, 0);
	BN_CHECK_INT(t, rows_everywhere(f.s), ==, N_WRITES);
	bn_store_tx_rollback(f.s);
	BN_CHECK_INT(t, rows_everywhere(f.s), ==, 0);
	/* a rollback with nothing open is harmless */
	bn_store_tx_rollback(f.s);
	BN_CHECK_INT(t, bn_store_tx_begin(f.s, &err), ==, 0);
	for (size_t i = 0; i < N_WRITES; i++)
		BN_CHECK_INT(t, writes[i].fn(f.s, &err), ==, 0);
	BN_CHECK_INT(t, bn_store_tx_commit(f.s, &err), ==, 0);
	BN_CHECK_INT(t, rows_everywhere(f.s), ==, N_WRITES);
	BN_CHECK_STR(t, err.msg, "");
	fx_done(&f);
}

/* Two handles on one database (two processes, two replicas): while one
   has a write transaction open, the other's begin waits and then fails,
   naming the database, and leaves nothing open; once the first commits,
   the second begins and sees what it wrote. */
static void test_writers_queue(bn_t *t)
{
	bn_store *b = NULL;
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	bn_err_init(&err);
	if (bn_store_open_db(&b, f.home, NULL, f.url, &err)) {
		printf("#   second open: %s\n", err.msg);
		t->cur_fail++;
		fx_done(&f);
		return;
	}
	BN_CHECK_INT(t, bn_store_tx_begin(f.s, &err), ==, 0);
	BN_CHECK_INT(t, w_grant(f.s, &err), ==, 0);
	bn_store_lock_timeout_set(b, 50);
	BN_CHECK_INT(t, bn_store_tx_begin(b, &err), ==, BN_EIO);
	BN_CHECK_CONTAINS(t, err.msg, f.db);
	BN_CHECK_INT(t, rows_everywhere(b), ==, 0);
	BN_CHECK_INT(t, bn_store_tx_commit(f.s, NULL), ==, 0);
	bn_store_lock_timeout_set(b, BN_STORE_BUSY_TIMEOUT_MS);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_tx_begin(b, &err), ==, 0);
	BN_CHECK_STR(t, err.msg, "");
	BN_CHECK_INT(t, rows_everywhere(b), ==, 1);
	BN_CHECK_INT(t, bn_store_tx_commit(b, &err), ==, 0);
	bn_store_free(b);
	fx_done(&f);
}

/* Transactions do not nest, and a commit without one fails; both name
   the file and leave the store usable. */
static void test_tx_misuse(bn_t *t)
{
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, bn_store_tx_begin(f.s, NULL), ==, 0);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_tx_begin(f.s, &err), ==, BN_EIO);
	BN_CHECK_CONTAINS(t, err.msg, f.db);
	bn_store_tx_rollback(f.s);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_tx_commit(f.s, &err), ==, BN_EIO);
	BN_CHECK_CONTAINS(t, err.msg, f.db);
	BN_CHECK_INT(t, w_grant(f.s, NULL), ==, 0);
	BN_CHECK_INT(t, rows_everywhere(f.s), ==, 1);
	fx_done(&f);
}

/* ---- answers that are not errors -------------------------------------- */

static void test_absent_is_an_answer(bn_t *t)
{
	bn_store_secret x = { .name = (char *)"untouched" };
	bn_store_conv c = { .bot = (char *)"untouched" };
	bn_store_cache_entry e = { .etag = (char *)"untouched" };
	bool found = true, removed = true;
	int64_t mine = 0;
	size_t n = 99;
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_secret_get(&x, &found, f.s, "nope", &err),
		     ==, 0);
	BN_CHECK(t, !found);
	BN_CHECK_STR(t, x.name, "untouched");
	found = true;
	BN_CHECK_INT(t, bn_store_conv_get(&c, &found, f.s, 42, &err), ==, 0);
	BN_CHECK(t, !found);
	BN_CHECK_STR(t, c.bot, "untouched");
	found = true;
	BN_CHECK_INT(t, bn_store_cache_get(&e, &found, f.s, "https://no/",
					   &err), ==, 0);
	BN_CHECK(t, !found);
	BN_CHECK_STR(t, e.etag, "untouched");
	BN_CHECK_INT(t, bn_store_secret_remove(&removed, f.s, "nope", &err),
		     ==, 0);
	BN_CHECK(t, !removed);
	removed = true;
	BN_CHECK_INT(t, bn_store_key_remove(&removed, f.s, "00", &err), ==, 0);
	BN_CHECK(t, !removed);
	BN_CHECK_INT(t, bn_store_grant_remove(&n, f.s, "sk", "*", NULL, NULL,
					      &err), ==, 0);
	BN_CHECK_INT(t, n, ==, 0);
	/* another bot's memory is not there for this bot */
	BN_CHECK_INT(t, bn_store_memory_add(&mine, f.s, "bot", "mine", &err),
		     ==, 0);
	removed = true;
	BN_CHECK_INT(t, bn_store_memory_remove(&removed, f.s, "other", mine,
					       &err), ==, 0);
	BN_CHECK(t, !removed);
	BN_CHECK_INT(t, bn_store_memory_remove(&removed, f.s, "bot", mine,
					       &err), ==, 0);
	BN_CHECK(t, removed);
	BN_CHECK_STR(t, err.msg, "");
	fx_done(&f);
}

/* ---- rows as they went in ---------------------------------------------- */

/* A run not yet ended has no numbers; the list's limit holds at 99, 100,
   101 (and 0 means 100); paging goes below an id. */
static void test_audit_rows(bn_t *t)
{
	bn_store_audit_run_new start = { .at_ms = 5, .skill = "sk",
					 .tier = "local", .outcome = "running",
					 .input_sha256 = "ab" };
	bn_store_audit_run_end end = { .output_sha256 = "cd", .fuel = 7,
				       .memory_peak = 65536, .duration_ms = 3,
				       .outcome = "ok" };
	static const unsigned limits[] = { 0, 99, 100, 101, 102 };
	static const size_t expect[] = { 100, 99, 100, 101, 101 };
	bn_store_audit_filter flt = { .skill = "sk" };
	bn_store_audit_run *v = NULL;
	bn_store_audit_call *c = NULL;
	size_t n = 0;
	int64_t id = 0;
	fixture f;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, bn_store_audit_run_add(&id, f.s, &start, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_audit_run_list(&v, &n, f.s, &flt, NULL), ==,
		     0);
	BN_CHECK_INT(t, n, ==, 1);
	if (n == 1) {
		BN_CHECK_INT(t, v[0].id, ==, id);
		BN_CHECK(t, v[0].version == NULL && v[0].bot == NULL);
		BN_CHECK_INT(t, v[0].fuel, ==, BN_STORE_AUDIT_NONE);
		BN_CHECK_INT(t, v[0].duration_ms, ==, BN_STORE_AUDIT_NONE);
		BN_CHECK_STR(t, v[0].outcome, "running");
	}
	bn_store_audit_runs_free(v, n);
	BN_CHECK_INT(t, bn_store_audit_run_finish(f.s, id, &end, NULL), ==, 0);
	{
		/* a record that is gone cannot take an outcome: an error,
		   never a silent success */
		bn_err e;
		bn_err_init(&e);
		BN_CHECK_INT(t, bn_store_audit_run_finish(f.s, id + 1000, &end,
							  &e), ==, BN_EIO);
		BN_CHECK_CONTAINS(t, e.msg, "is gone");
	}
	BN_CHECK_INT(t, bn_store_audit_call_add(f.s, id, 6, "http_get",
		"https://a.test", false, "not granted", NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_audit_call_add(f.s, id, 7, "read_env", NULL,
		true, NULL, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_audit_run_list(&v, &n, f.s, &flt, NULL), ==,
		     0);
	if (n == 1) {
		BN_CHECK_INT(t, v[0].fuel, ==, 7);
		BN_CHECK_INT(t, v[0].memory_peak, ==, 65536);
		BN_CHECK_STR(t, v[0].outcome, "ok");
		BN_CHECK(t, v[0].error == NULL);
	}
	bn_store_audit_runs_free(v, n);
	BN_CHECK_INT(t, bn_store_audit_call_list(&c, &n, f.s, id, 0, 0,
		     NULL), ==,
		     0);
	BN_CHECK_INT(t, n, ==, 2);
	if (n == 2) {
		BN_CHECK(t, !c[0].allowed && c[1].allowed);
		BN_CHECK_STR(t, c[0].reason, "not granted");
		BN_CHECK(t, c[1].scope == NULL);
	}
	bn_store_audit_calls_free(c, n);
	/* 101 runs in all */
	BN_CHECK_INT(t, bn_store_tx_begin(f.s, NULL), ==, 0);
	for (int i = 0; i < 100; i++)
		BN_CHECK_INT(t, bn_store_audit_run_add(&id, f.s, &start, NULL),
			     ==, 0);
	BN_CHECK_INT(t, bn_store_tx_commit(f.s, NULL), ==, 0);
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		flt.limit = limits[i];
		BN_CHECK_INT(t, bn_store_audit_run_list(&v, &n, f.s, &flt,
							NULL), ==, 0);
		BN_CHECK_INT(t, n, ==, expect[i]);
		bn_store_audit_runs_free(v, n);
	}
	flt.limit = 0;
	flt.before_id = id;
	BN_CHECK_INT(t, bn_store_audit_run_list(&v, &n, f.s, &flt, NULL), ==,
		     0);
	BN_CHECK(t, n > 0 && v[0].id == id - 1);
	bn_store_audit_runs_free(v, n);
	fx_done(&f);
}

/* Words are matched as text, never as query syntax; one bot never sees
   another's; the limit holds. */
static void test_memory_words(bn_t *t)
{
	static const char *const hostile[] = { "\"", "NEAR(", "a*", "-x",
		"OR", "\"quoted\"", "col:umn", "^start" };
	bn_store_memory *v = NULL;
	bn_strv words = { 0 };
	char *q = NULL;
	size_t n = 0;
	int64_t id;
	fixture f;

	if (!fx_init(&f, t))
		return;
	bn_strv_push(&words, "say \"hi\"");
	bn_strv_push(&words, "x");
	BN_CHECK_INT(t, bn_store_memory_query(&q, &words, NULL), ==, 0);
	BN_CHECK_STR(t, q, "\"say \"\"hi\"\"\" OR \"x\"");
	free(q);
	bn_strv_clear(&words);
	BN_CHECK_INT(t, bn_store_memory_query(&q, &words, NULL), ==, 0);
	BN_CHECK_STR(t, q, "");
	free(q);
	/* no words: nothing, and no error */
	BN_CHECK_INT(t, bn_store_memory_search(&v, &n, f.s, "bot", &words, 5,
					       NULL), ==, 0);
	BN_CHECK_INT(t, n, ==, 0);
	for (int i = 0; i < 3; i++)
		BN_CHECK_INT(t, bn_store_memory_add(&id, f.s, "bot",
			"the river NEAR( the \"quoted\" sea", NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_memory_add(&id, f.s, "other", "river", NULL),
		     ==, 0);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		bn_err err;
		bn_err_init(&err);
		bn_strv_push(&words, hostile[i]);
		BN_CHECK_INT(t, bn_store_memory_search(&v, &n, f.s, "bot",
						       &words, 5, &err), ==, 0);
		BN_CHECK_STR(t, err.msg, "");
		bn_store_memories_free(v, n);
		bn_strv_clear(&words);
	}
	bn_strv_push(&words, "river");
	for (size_t limit = 2; limit <= 4; limit++) {
		BN_CHECK_INT(t, bn_store_memory_search(&v, &n, f.s, "bot",
						       &words, limit, NULL),
			     ==, 0);
		BN_CHECK_INT(t, n, ==, limit < 3 ? limit : 3);
		bn_store_memories_free(v, n);
	}
	bn_strv_clear(&words);
	fx_done(&f);
}

/* Bytes come back exactly: blobs with NULs, an empty body, the grants of
   an install (and a stored list that is not one reads as none). */
static void test_rows_round_trip(bn_t *t)
{
	static const unsigned char sealed[] = { 0, 1, 0, 255, 0 };
	bn_store_secret x = { 0 };
	bn_store_secret *list = NULL;
	bn_store_cache_entry e = { 0 };
	bn_store_install *inst = NULL;
	bn_strv granted = { 0 };
	bn_store_install_new in = { .at_ms = 9, .skill = "sk",
				    .action = "update", .source = "gh",
				    .tree_hash = "h", .tier = "verified",
				    .granted = &granted, .findings = 2 };
	bool found = false;
	size_t n = 0;
	fixture f;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, bn_store_secret_put(f.s, "k", "nonce", 5, sealed,
					    sizeof(sealed), NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_secret_get(&x, &found, f.s, "k", NULL), ==, 0);
	BN_CHECK(t, found && x.nonce_len == 5 && x.sealed_len == 5 &&
		 memcmp(x.sealed, sealed, 5) == 0);
	bn_store_secret_clear(&x);
	BN_CHECK_INT(t, bn_store_secret_list(&list, &n, f.s, NULL), ==, 0);
	BN_CHECK(t, n == 1 && list[0].sealed == NULL && list[0].nonce == NULL);
	bn_store_secrets_free(list, n);
	BN_CHECK_INT(t, bn_store_cache_put(f.s, "u", NULL, "", 0, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_cache_get(&e, &found, f.s, "u", NULL), ==, 0);
	BN_CHECK(t, found && e.len == 0 && e.body && !e.body[0] && !e.etag);
	bn_store_cache_entry_clear(&e);
	BN_CHECK_INT(t, bn_store_cache_put(f.s, "u", "\"e\"", "a\0b", 3, NULL),
		     ==, 0);
	BN_CHECK_INT(t, bn_store_cache_get(&e, &found, f.s, "u", NULL), ==, 0);
	BN_CHECK(t, found && e.len == 3 && memcmp(e.body, "a\0b", 4) == 0);
	BN_CHECK_STR(t, e.etag, "\"e\"");
	bn_store_cache_entry_clear(&e);
	bn_strv_push(&granted, "http_get=https://a.test:443");
	bn_strv_push(&granted, "recall_memory");
	BN_CHECK_INT(t, bn_store_install_log_add(f.s, &in, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_install_log_list(&inst, &n, f.s, "sk", 0, 0,
						  NULL), ==, 0);
	BN_CHECK(t, n == 1 && inst[0].granted.n == 2 && inst[0].ref == NULL);
	if (n == 1 && inst[0].granted.n == 2)
		BN_CHECK_STR(t, inst[0].granted.v[1], "recall_memory");
	bn_store_installs_free(inst, n);
	/* a row bnity never writes: through the SQLite file (rawdb.h) */
	if (!bn_t_on_pg()) {
		BN_CHECK_INT(t, bn_test_db_exec(f.s, "UPDATE audit_installs"
			" SET granted = 'not json'"), ==, SQLITE_OK);
		BN_CHECK_INT(t, bn_store_install_log_list(&inst, &n, f.s,
			NULL, 0, 0, NULL), ==, 0);
		BN_CHECK(t, n == 1 && inst[0].granted.n == 0);
		bn_store_installs_free(inst, n);
	}
	bn_strv_clear(&granted);
	fx_done(&f);
}

/* Token limits and usage: unset is an answer, sums by bot, time and
   session, and both go with their bot. */
static void test_usage(bn_t *t)
{
	bn_store_bot_limits l = { 0 }, got;
	bn_store_usage u = { 10, 20, 300, 40 }, sum;
	bn_err err;
	fixture f;

	if (!fx_init(&f, t))
		return;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_bot_limits_get(&got, f.s, "bot", NULL), ==, 0);
	BN_CHECK(t, got.max_tokens == 0 && got.daily_tokens == 0 &&
		 !got.token_field[0]);
	l.max_tokens = 700;
	l.daily_tokens = 5000000000ULL;
	snprintf(l.token_field, sizeof(l.token_field), "max_tokens");
	BN_CHECK_INT(t, bn_store_bot_limits_set(f.s, "bot", &l, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_bot_limits_get(&got, f.s, "bot", NULL), ==, 0);
	BN_CHECK(t, got.max_tokens == 700 && got.daily_tokens == 5000000000ULL);
	BN_CHECK_STR(t, got.token_field, "max_tokens");
	BN_CHECK_INT(t, bn_store_bot_limits_set(f.s, "nobody", &l, &err), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, err.msg, "nobody");
	BN_CHECK_INT(t, bn_store_usage_add(f.s, "bot", 7, 1000, &u, NULL), ==,
		     0);
	BN_CHECK_INT(t, bn_store_usage_add(f.s, "bot", 7, 2000, &u, NULL), ==,
		     0);
	BN_CHECK_INT(t, bn_store_usage_add(f.s, "bot", 0, 3000, &u, NULL), ==,
		     0);
	BN_CHECK_INT(t, bn_store_usage_since(&sum, f.s, "bot", 2000, NULL), ==,
		     0);
	BN_CHECK(t, sum.input == 20 && sum.output == 40 &&
		 sum.cache_read == 600 && sum.cache_write == 80);
	BN_CHECK_INT(t, bn_store_usage_total(&sum), ==, 740);
	BN_CHECK_INT(t, bn_store_usage_session(&sum, f.s, 7, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_usage_total(&sum), ==, 740);
	BN_CHECK_INT(t, bn_store_usage_session(&sum, f.s, 8, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_usage_total(&sum), ==, 0);
	BN_CHECK_INT(t, bn_store_bot_remove(f.s, "bot", NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_usage_since(&sum, f.s, "bot", 0, NULL), ==, 0);
	BN_CHECK_INT(t, bn_store_usage_total(&sum), ==, 0);
	BN_CHECK_INT(t, bn_store_bot_limits_get(&got, f.s, "bot", NULL), ==, 0);
	BN_CHECK(t, got.max_tokens == 0);
	fx_done(&f);
}

int main(void)
{
	bn_t t = { 0 };

	if (!bn_t_on_pg())   /* SQLite only: it reaches the SQLite file */
		BN_RUN(&t, test_locked_database);
	BN_RUN(&t, test_writers_queue);
	if (!bn_t_on_pg())   /* SQLite only: it reaches the SQLite file */
		BN_RUN(&t, test_missing_tables);
	BN_RUN(&t, test_rollback_leaves_nothing);
	BN_RUN(&t, test_tx_misuse);
	BN_RUN(&t, test_absent_is_an_answer);
	BN_RUN(&t, test_audit_rows);
	BN_RUN(&t, test_memory_words);
	BN_RUN(&t, test_rows_round_trip);
	BN_RUN(&t, test_usage);
	return bn_t_done(&t);
}
