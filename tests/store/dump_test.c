/* SPDX-License-Identifier: MIT */
/*
 * tests/store/dump_test.c - `bnity store export` / `import`
 * (store/dump.h) on the back end the test runs on (SQLite, or
 * PostgreSQL under pg_cluster.sh): every table of the database is
 * carried or knowingly skipped; a store's rows come back whole in an
 * empty one (vault secrets readable with the same key, memories
 * searchable, ids going on past the imported ones); a truncated file, a
 * corrupt line, a newer format or schema, a count that differs, a column
 * the store lacks and a non-empty store are each refused, naming what is
 * wrong, with nothing imported.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "exec/vault.h"
#include "harness.h"
#include "store/conv.h"
#include "store/dump.h"
#include "store/grants.h"
#include "store/memory.h"
#include "store/tokens.h"

/* A new home (and, under pg_cluster.sh, a new database) under ROOT. */
typedef struct home {
	char dir[256];
	char *url;
} home;

static char root[] = "/tmp/bn-dump-test-XXXXXX";
static unsigned n_homes;

static void home_new(home *h)
{
	snprintf(h->dir, sizeof(h->dir), "%s/home%u", root, n_homes++);
	if (bn_fs_mkdirs(h->dir, NULL))
		abort();
	h->url = bn_t_db_url();
}

static bn_store *open_home(bn_t *t, const home *h)
{
	bn_store *s = NULL;
	bn_err err;

	bn_err_init(&err);
	if (bn_store_open_db(&s, h->dir, NULL, h->url, &err)) {
		printf("#   open: %s\n", err.msg);
		t->cur_fail++;
		return NULL;
	}
	return s;
}

/* Export S to PATH; 0 or the error's code, its message in ERR. */
static int export_to(bn_store *s, const char *path, bn_err *err)
{
	FILE *f = fopen(path, "w");
	int r;

	bn_err_init(err);
	if (!f)
		return BN_EIO;
	r = bn_store_export(s, f, path, NULL, err);
	fclose(f);
	return r;
}

static int import_from(bn_store *s, const char *path, bool replace,
		       bn_err *err)
{
	FILE *f = fopen(path, "r");
	int r;

	bn_err_init(err);
	if (!f)
		return BN_EIO;
	r = bn_store_import(s, f, path, replace, NULL, err);
	fclose(f);
	return r;
}

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;

	if (bn_fs_read_file(&text, &len, path, 1 << 24, NULL))
		return NULL;
	return text;
}

static void spit(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len)
		abort();
	fclose(f);
}

static size_t n_bots(bn_store *s)
{
	bn_store_bot *v = NULL;
	size_t n = 0;

	if (bn_store_bot_list(&v, &n, s, NULL))
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		bn_store_bot_clear(&v[i]);
	free(v);
	return n;
}

/* A home with a row in most tables and a vault secret; its export at
   PATH. */
static void populated(bn_t *t, home *h, const char *path)
{
	bn_store_bot bot = { .slug = "helper", .name = "Helper",
			     .persona = "" };
	bn_exec_vault *v = NULL;
	int64_t id, conv;
	bn_store *s;
	bn_err err;

	home_new(h);
	if (!(s = open_home(t, h)))
		return;
	bn_err_init(&err);
	BN_CHECK(t, !bn_store_bot_create(s, &bot, &err));
	BN_CHECK(t, !bn_store_memory_add(&id, s, "helper",
					 "rivers run to the sea", &err));
	BN_CHECK(t, !bn_store_memory_add(&id, s, "helper",
					 "mountains stand still", &err));
	BN_CHECK(t, !bn_store_conv_add(&conv, s, "helper", "hello", &err));
	BN_CHECK(t, !bn_store_message_add(s, conv, 0, "user",
					  "[{\"type\":\"text\"}]", &err));
	BN_CHECK(t, !bn_store_grant_put(s, "envy", "abc", "*", "read_env",
					"HOME", NULL, &err));
	BN_CHECK(t, !bn_store_token_add(s, "ops", "user", "00ff", &err));
	BN_CHECK(t, !bn_exec_vault_open(&v, s, &err));
	BN_CHECK(t, v && !bn_exec_vault_set(v, "API_KEY", "s3cret", 6, &err));
	bn_exec_vault_free(v);
	if (err.msg[0])
		printf("#   %s\n", err.msg);
	BN_CHECK_INT(t, export_to(s, path, &err), ==, 0);
	bn_store_free(s);
}

/* Every table of the database is one an export carries or skips. */
static void test_every_table_listed(bn_t *t)
{
	bn_strv unlisted = { 0 };
	char path[300];
	sqlite3 *db;
	bn_store *s;
	bn_err err;
	home h;

	home_new(&h);
	if (!(s = open_home(t, &h)))
		return;
	bn_err_init(&err);
	BN_CHECK(t, !bn_store_dump_unlisted(&unlisted, s, &err));
	for (size_t i = 0; i < unlisted.n; i++)
		printf("#   not in store/dump.c's list: %s\n", unlisted.v[i]);
	BN_CHECK_INT(t, unlisted.n, ==, 0);
	bn_strv_clear(&unlisted);
	bn_store_free(s);
	if (h.url) {
		free(h.url);
		return;      /* a table added behind its back: SQLite's file */
	}
	/* a table a migration added without listing it fails the export,
	   naming it */
	snprintf(path, sizeof(path), "%s/boternity.db", h.dir);
	BN_CHECK(t, sqlite3_open(path, &db) == SQLITE_OK);
	BN_CHECK(t, sqlite3_exec(db, "CREATE TABLE forgotten (x TEXT)", NULL,
				 NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	if (!(s = open_home(t, &h)))
		return;
	BN_CHECK(t, !bn_store_dump_unlisted(&unlisted, s, &err));
	BN_CHECK(t, unlisted.n == 1 && !strcmp(unlisted.v[0], "forgotten"));
	bn_strv_clear(&unlisted);
	snprintf(path, sizeof(path), "%s/forgotten.jsonl", root);
	BN_CHECK_INT(t, export_to(s, path, &err), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "'forgotten'");
	bn_store_free(s);
}

static void test_round_trip(bn_t *t)
{
	char a_path[300], b_path[300], key_a[300], key_b[300];
	bn_exec_vault_secret *sec = NULL;
	bn_store_memory *mem = NULL;
	bn_store_grant *g = NULL;
	bn_store_token tok = { 0 };
	bn_store_conv c = { 0 };
	bn_exec_vault *v = NULL;
	bn_strv words = { 0 };
	bn_store_dump_stats st = { 0 };
	char *a_text, *b_text;
	size_t n = 0;
	bool found = false;
	int64_t id = 0;
	home a, b;
	bn_store *s;
	bn_err err;
	FILE *f;

	snprintf(a_path, sizeof(a_path), "%s/a.jsonl", root);
	snprintf(b_path, sizeof(b_path), "%s/b.jsonl", root);
	populated(t, &a, a_path);
	home_new(&b);
	/* the vault key comes along beside the file */
	snprintf(key_a, sizeof(key_a), "%s/vault.key", a.dir);
	snprintf(key_b, sizeof(key_b), "%s/vault.key", b.dir);
	BN_CHECK(t, !bn_fs_copytree(key_a, key_b, NULL) ||
		 link(key_a, key_b) == 0);
	if (!(s = open_home(t, &b)))
		return;
	BN_CHECK(t, (f = fopen(a_path, "r")) != NULL);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_import(s, f, a_path, false, &st, &err), ==, 0);
	fclose(f);
	if (err.msg[0])
		printf("#   import: %s\n", err.msg);
	BN_CHECK_INT(t, st.rows, >=, 8);
	BN_CHECK_INT(t, st.schema, >=, 16);
	bn_store_dump_stats_clear(&st);

	BN_CHECK_INT(t, n_bots(s), ==, 1);
	bn_strv_push(&words, "rivers");
	BN_CHECK(t, !bn_store_memory_search(&mem, &n, s, "helper", &words, 5,
					    &err));
	BN_CHECK(t, n == 1 && strstr(mem[0].text, "rivers"));
	bn_store_memories_free(mem, n);
	bn_strv_clear(&words);
	BN_CHECK(t, !bn_store_conv_get(&c, &found, s, 1, &err) && found);
	if (found)
		bn_store_conv_clear(&c);
	BN_CHECK(t, !bn_store_grant_list(&g, &n, s, "envy", NULL, NULL,
					 &err));
	BN_CHECK_INT(t, n, ==, 1);
	bn_store_grants_free(g, n);
	BN_CHECK(t, !bn_store_token_by_hash(&tok, &found, s, "00ff", &err) &&
		 found && !strcmp(tok.role, "user"));
	if (found)
		bn_store_token_clear(&tok);
	BN_CHECK(t, !bn_exec_vault_open(&v, s, &err));
	BN_CHECK(t, v && !bn_exec_vault_get(&sec, v, "API_KEY", &err) &&
		 sec->len == 6 && !memcmp(sec->data, "s3cret", 6));
	if (err.msg[0])
		printf("#   vault: %s\n", err.msg);
	bn_exec_vault_secret_free(sec);
	bn_exec_vault_free(v);
	/* new rows take ids past the imported ones */
	BN_CHECK(t, !bn_store_memory_add(&id, s, "helper", "one more", &err));
	BN_CHECK_INT(t, id, ==, 3);
	BN_CHECK(t, !bn_store_memory_remove(&found, s, "helper", id, &err));

	/* and the store exports to the same rows */
	BN_CHECK_INT(t, export_to(s, b_path, &err), ==, 0);
	a_text = slurp(a_path);
	b_text = slurp(b_path);
	BN_CHECK(t, a_text && b_text && strchr(a_text, '\n') &&
		 strchr(b_text, '\n') &&
		 !strcmp(strchr(a_text, '\n'), strchr(b_text, '\n')));
	free(a_text);
	free(b_text);
	bn_store_free(s);
	free(a.url);
	free(b.url);
}

/* Import TEXT (LEN bytes) into a new store: fails with CODE and a
   message containing WANT, and the store has no bot after. */
static void refused(bn_t *t, const char *text, size_t len, int code,
		    const char *want)
{
	char path[300];
	bn_store *s;
	bn_err err;
	home h;

	snprintf(path, sizeof(path), "%s/bad.jsonl", root);
	spit(path, text, len);
	home_new(&h);
	if (!(s = open_home(t, &h)))
		return;
	BN_CHECK_INT(t, import_from(s, path, false, &err), ==, code);
	BN_CHECK_CONTAINS(t, err.msg, want);
	BN_CHECK_CONTAINS(t, err.msg, "nothing imported");
	BN_CHECK_INT(t, n_bots(s), ==, 0);
	bn_store_free(s);
	free(h.url);
}

/* TEXT with the first FROM replaced by TO (owned). */
static char *edited(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) + strlen(to) + 1;
	char *out = malloc(n);

	if (!at || !out)
		abort();
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to,
		 at + strlen(from));
	return out;
}

/* refused() of TEXT with FROM edited into TO. */
static void refused_edit(bn_t *t, const char *text, const char *from,
			 const char *to, const char *want)
{
	char *bad = edited(text, from, to);

	refused(t, bad, strlen(bad), BN_EINVAL, want);
	free(bad);
}

static void test_bad_files(bn_t *t)
{
	char path[300];
	char *text;
	const char *trailer;
	home a;

	snprintf(path, sizeof(path), "%s/good.jsonl", root);
	populated(t, &a, path);
	free(a.url);
	if (!(text = slurp(path))) {
		t->cur_fail++;
		return;
	}
	trailer = strstr(text, "{\"end\"");
	BN_CHECK(t, trailer != NULL);
	if (!trailer)
		return;
	/* half-written: cut in the middle of a row, and just before the
	   trailer */
	refused(t, text, (size_t)(trailer - text) - 7, BN_EINVAL,
		"ends in the middle of a line");
	refused(t, text, (size_t)(trailer - text), BN_EINVAL,
		"ends before its trailer");
	refused_edit(t, text, "\"rivers run", "\"rivers \x01\"run",
		     "jsonl:5: not a line");
	refused_edit(t, text, "\"version\":1,", "\"version\":99,",
		     "format 99");
	refused_edit(t, text, "\"schema\":", "\"schema\":99",
		     "newer bnity (schema 99");
	refused_edit(t, text, "\"memories\":2", "\"memories\":3",
		     "table 'memories'");
	refused_edit(t, text, "\"persona\"", "\"mood\"",
		     "column 'mood' of table 'bots'");
	refused(t, "", 0, BN_EINVAL, "empty");
	refused(t, "{\"format\":\"zip\"}\n", 17, BN_EINVAL,
		"not a bnity store export");
	free(text);
}

/* A store with rows is refused unless --replace, which empties it. */
static void test_not_empty(bn_t *t)
{
	char path[300];
	bn_store *s;
	bn_err err;
	home a;

	snprintf(path, sizeof(path), "%s/again.jsonl", root);
	populated(t, &a, path);
	if (!(s = open_home(t, &a)))
		return;
	BN_CHECK_INT(t, import_from(s, path, false, &err), ==, BN_EEXIST);
	BN_CHECK_CONTAINS(t, err.msg, "--replace");
	BN_CHECK_INT(t, import_from(s, path, true, &err), ==, 0);
	BN_CHECK_INT(t, n_bots(s), ==, 1);
	bn_store_free(s);
	free(a.url);
}

int main(void)
{
	bn_t t = { 0 };

	if (!mkdtemp(root))
		abort();
	BN_RUN(&t, test_every_table_listed);
	BN_RUN(&t, test_round_trip);
	BN_RUN(&t, test_bad_files);
	BN_RUN(&t, test_not_empty);
	(void)bn_fs_rmtree(root, NULL);
	return bn_t_done(&t);
}
