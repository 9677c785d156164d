/* SPDX-License-Identifier: MIT */
/*
 * tests/exec/memory_test.c - bots' memories: add and ranked search, one
 * bot never seeing another's, hostile queries, limits and removal.
 */
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "exec/memory.h"
#include "harness.h"
#include "rawdb.h"

typedef struct fixture {
	char *home;
	bn_store *s;
} fixture;

static bool fx_init(fixture *f, bn_t *t)
{
	char tpl[] = "/tmp/bn-memory-XXXXXX";
	bn_err err;

	memset(f, 0, sizeof(*f));
	if (!mkdtemp(tpl)) {
		t->cur_fail++;
		return false;
	}
	f->home = strdup(tpl);
	bn_err_init(&err);
	if (bn_store_open(&f->s, f->home, NULL, &err)) {
		printf("#   cannot open the store: %s\n", err.msg);
		t->cur_fail++;
		return false;
	}
	return true;
}

static void fx_done(fixture *f)
{
	bn_err err;

	bn_store_free(f->s);
	bn_err_init(&err);
	if (f->home)
		(void)bn_fs_rmtree(f->home, &err);
	free(f->home);
}

static long long add(bn_t *t, fixture *f, const char *bot, const char *text)
{
	long long id = -1;
	bn_err err;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f->s, bot, text, &err), ==, 0);
	if (err.code)
		printf("#   %s\n", err.msg);
	return id;
}

static size_t search(bn_t *t, fixture *f, bn_exec_memory_item **out,
		     const char *bot, const char *q, size_t limit)
{
	size_t n = 0;
	bn_err err;

	*out = NULL;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_search(out, &n, f->s, bot, q, limit,
					      &err), ==, 0);
	if (err.code)
		printf("#   query '%s': %s\n", q, err.msg);
	return n;
}

static void test_add_search_rank(bn_t *t)
{
	bn_exec_memory_item *v;
	long long a, b, c;
	fixture f;
	size_t n;

	if (!fx_init(&f, t))
		return;
	a = add(t, &f, "helper", "The user's favourite colour is green.");
	b = add(t, &f, "helper", "The user lives in Lisbon and likes green "
		"tea, green parks and green walls.");
	c = add(t, &f, "helper", "Meeting with Ana on Tuesday at 10:00.");
	BN_CHECK(t, a > 0 && b > a && c > b);
	n = search(t, &f, &v, "helper", "green", 10);
	BN_CHECK_INT(t, n, ==, 2);
	if (n == 2) {
		BN_CHECK_INT(t, v[0].id, ==, b);   /* more "green" ranks first */
		BN_CHECK_INT(t, v[1].id, ==, a);
		BN_CHECK(t, v[0].rank <= v[1].rank);
		BN_CHECK_STR(t, v[1].text, "The user's favourite colour is "
			     "green.");
		BN_CHECK_INT(t, v[0].created_at, >, 1600000000);
	}
	bn_exec_memory_items_free(v, n);
	/* any word matches; the one matching both ranks first */
	n = search(t, &f, &v, "helper", "Tuesday colour", 10);
	BN_CHECK_INT(t, n, ==, 2);
	bn_exec_memory_items_free(v, n);
	n = search(t, &f, &v, "helper", "what colour is green", 10);
	BN_CHECK(t, n >= 1 && v[0].id == a);
	bn_exec_memory_items_free(v, n);
	/* case-insensitive, limit respected */
	n = search(t, &f, &v, "helper", "GREEN", 1);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_memory_items_free(v, n);
	n = search(t, &f, &v, "helper", "nothing-like-this", 10);
	BN_CHECK_INT(t, n, ==, 0);
	bn_exec_memory_items_free(v, n);
	fx_done(&f);
}

static void test_isolation(bn_t *t)
{
	bn_exec_memory_item *v;
	bn_store_bot bot = { 0 };
	long long secret_id;
	fixture f;
	bn_err err;
	size_t n = 0;

	if (!fx_init(&f, t))
		return;
	secret_id = add(t, &f, "alice", "alice's launch code is swordfish");
	add(t, &f, "bob", "bob likes swordfish sushi");
	n = search(t, &f, &v, "bob", "swordfish launch code", 10);
	BN_CHECK_INT(t, n, ==, 1);
	if (n == 1)
		BN_CHECK_STR(t, v[0].text, "bob likes swordfish sushi");
	bn_exec_memory_items_free(v, n);
	n = search(t, &f, &v, "carol", "swordfish", 10);
	BN_CHECK_INT(t, n, ==, 0);
	bn_exec_memory_items_free(v, n);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_list(&v, &n, f.s, "bob", &err), ==, 0);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_memory_items_free(v, n);
	/* bob cannot remove alice's memory, and learns nothing from trying */
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_remove(f.s, "bob", secret_id, &err), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, err.msg, "bot 'bob' has no memory");
	n = search(t, &f, &v, "alice", "swordfish", 10);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_memory_items_free(v, n);
	/* a bot's memories go with it: a new bot of that slug starts empty */
	bot.slug = "dave";
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_bot_create(f.s, &bot, &err), ==, 0);
	add(t, &f, "dave", "dave's private swordfish note");
	BN_CHECK_INT(t, bn_store_bot_remove(f.s, "dave", &err), ==, 0);
	BN_CHECK_INT(t, bn_store_bot_create(f.s, &bot, &err), ==, 0);
	BN_CHECK_INT(t, bn_exec_memory_list(&v, &n, f.s, "dave", &err), ==, 0);
	BN_CHECK_INT(t, n, ==, 0);
	bn_exec_memory_items_free(v, n);
	n = search(t, &f, &v, "dave", "swordfish", 10);
	BN_CHECK_INT(t, n, ==, 0);
	bn_exec_memory_items_free(v, n);
	fx_done(&f);
}

static void test_hostile_queries(bn_t *t)
{
	static const char *const queries[] = { "\"", "\"\"", "\"unbalanced",
		"NEAR(", "NEAR(a b", "NEAR(\"x\" \"y\", 2)", "*", "a*", "-",
		"-alpha", "alpha -beta", "", "   ", "AND", "OR OR", "NOT x",
		"(", ")", "{text}: x", "text:alpha", "^alpha", "a + b",
		"'; DROP TABLE memories; --", "\xe2\x80\x94", "a\"b\"c",
		"\\", "%", "alpha:", "col:", ":", ",", NULL };
	bn_exec_memory_item *v;
	fixture f;
	size_t i, n;

	if (!fx_init(&f, t))
		return;
	add(t, &f, "bot", "alpha beta gamma");
	add(t, &f, "bot", "NEAR the text of a b \"quoted\"");
	for (i = 0; queries[i]; i++) {
		n = search(t, &f, &v, "bot", queries[i], 10);
		bn_exec_memory_items_free(v, n);
	}
	/* punctuation is text, not syntax */
	n = search(t, &f, &v, "bot", "-alpha", 10);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_memory_items_free(v, n);
	n = search(t, &f, &v, "bot", "NEAR(", 10);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_memory_items_free(v, n);
	n = search(t, &f, &v, "bot", "", 10);
	BN_CHECK_INT(t, n, ==, 0);
	n = search(t, &f, &v, "bot", "* - \"", 10);
	BN_CHECK_INT(t, n, ==, 0);
	/* the table survived */
	n = search(t, &f, &v, "bot", "gamma", 10);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_memory_items_free(v, n);
	fx_done(&f);
}

static void test_query_build(bn_t *t)
{
	char *q = NULL;
	char big[BN_EXEC_MEMORY_QUERY_MAX + 2];
	bn_err err;
	int i;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_query_build(&q, "hello \"wor\"ld * -",
						   &err), ==, 0);
	BN_CHECK_STR(t, q, "\"hello\" OR \"\"\"wor\"\"ld\"");
	free(q);
	BN_CHECK_INT(t, bn_exec_memory_query_build(&q, "  ", &err), ==, 0);
	BN_CHECK_STR(t, q, "");
	free(q);
	/* limits on bytes and words, at limit and limit + 1 */
	memset(big, 'a', sizeof(big));
	big[BN_EXEC_MEMORY_QUERY_MAX] = '\0';
	BN_CHECK_INT(t, bn_exec_memory_query_build(&q, big, &err), ==, 0);
	free(q);
	big[BN_EXEC_MEMORY_QUERY_MAX] = 'a';
	big[BN_EXEC_MEMORY_QUERY_MAX + 1] = '\0';
	BN_CHECK_INT(t, bn_exec_memory_query_build(&q, big, &err), ==,
		     BN_ELIMIT);
	for (i = 0; i < 2 * (BN_EXEC_MEMORY_TERMS_MAX + 1); i += 2) {
		big[i] = 'w';
		big[i + 1] = ' ';
	}
	big[2 * BN_EXEC_MEMORY_TERMS_MAX] = '\0';
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_query_build(&q, big, &err), ==, 0);
	free(q);
	big[2 * BN_EXEC_MEMORY_TERMS_MAX] = 'w';
	big[2 * BN_EXEC_MEMORY_TERMS_MAX + 1] = '\0';
	BN_CHECK_INT(t, bn_exec_memory_query_build(&q, big, &err), ==,
		     BN_ELIMIT);
	BN_CHECK_CONTAINS(t, err.msg, "more than 32 words");
}

static void test_text_limits(bn_t *t)
{
	char *big = malloc(BN_EXEC_MEMORY_TEXT_MAX + 2);
	bn_exec_memory_item *v;
	long long id;
	fixture f;
	bn_err err;
	size_t n;

	if (!big || !fx_init(&f, t)) {
		free(big);
		return;
	}
	memset(big, 'x', BN_EXEC_MEMORY_TEXT_MAX + 1);
	big[BN_EXEC_MEMORY_TEXT_MAX - 1] = '\0';
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "b", big, &err), ==, 0);
	big[BN_EXEC_MEMORY_TEXT_MAX - 1] = 'x';
	big[BN_EXEC_MEMORY_TEXT_MAX] = '\0';
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "b", big, &err), ==, 0);
	big[BN_EXEC_MEMORY_TEXT_MAX] = 'x';
	big[BN_EXEC_MEMORY_TEXT_MAX + 1] = '\0';
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "b", big, &err), ==,
		     BN_ELIMIT);
	BN_CHECK_CONTAINS(t, err.msg, "65536");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "b", "", &err), ==,
		     BN_EINVAL);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "b", "bad \xc3\x28",
					   &err), ==, BN_EINVAL);
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "b", "\xed\xa0\x80",
					   &err), ==, BN_EINVAL);
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "b", "\xc0\xaf", &err),
		     ==, BN_EINVAL);
	BN_CHECK_INT(t, bn_exec_memory_add(&id, f.s, "",
					   "ok", &err), ==, BN_EINVAL);
	id = add(t, &f, "b", "caf\xc3\xa9 \xf0\x9f\x98\x80 na\xc3\xafve");
	n = search(t, &f, &v, "b", "caf\xc3\xa9", 10);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_memory_items_free(v, n);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_search(&v, &n, f.s, "b", "x", 0, &err),
		     ==, BN_EINVAL);
	BN_CHECK_INT(t, bn_exec_memory_search(&v, &n, f.s, "b", "x",
		     BN_EXEC_MEMORY_LIMIT_MAX + 1, &err), ==, BN_EINVAL);
	n = search(t, &f, &v, "b", "x", BN_EXEC_MEMORY_LIMIT_MAX);
	bn_exec_memory_items_free(v, n);
	free(big);
	fx_done(&f);
}

static void test_remove(bn_t *t)
{
	bn_exec_memory_item *v;
	long long a, b;
	fixture f;
	bn_err err;
	size_t n = 0;

	if (!fx_init(&f, t))
		return;
	a = add(t, &f, "bot", "first memory about rivers");
	b = add(t, &f, "bot", "second memory about rivers");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_remove(f.s, "bot", a, &err), ==, 0);
	n = search(t, &f, &v, "bot", "rivers", 10);
	BN_CHECK_INT(t, n, ==, 1);
	if (n == 1)
		BN_CHECK_INT(t, v[0].id, ==, b);
	bn_exec_memory_items_free(v, n);
	BN_CHECK_INT(t, bn_exec_memory_remove(f.s, "bot", a, &err), ==,
		     BN_ENOTFOUND);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_remove(f.s, "bot", 999999, &err), ==,
		     BN_ENOTFOUND);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_memory_list(&v, &n, f.s, "bot", &err), ==, 0);
	BN_CHECK_INT(t, n, ==, 1);
	if (n == 1)
		BN_CHECK_STR(t, v[0].text, "second memory about rivers");
	bn_exec_memory_items_free(v, n);
	/* the index stays consistent with the table */
	BN_CHECK_INT(t, bn_test_db_exec(f.s, "INSERT INTO memories_fts("
		"memories_fts, rank) VALUES ('integrity-check', 1)"), ==,
		SQLITE_OK);
	fx_done(&f);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_add_search_rank);
	BN_RUN(&t, test_isolation);
	BN_RUN(&t, test_hostile_queries);
	BN_RUN(&t, test_query_build);
	BN_RUN(&t, test_text_limits);
	BN_RUN(&t, test_remove);
	return bn_t_done(&t);
}
