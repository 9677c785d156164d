/* SPDX-License-Identifier: MIT */
/*
 * tests/agent/conv_test.c - conversations in the store (agent/conv.c):
 * create, append in order, load back, titles, and a bot's conversations
 * removed with it.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/conv.h"
#include "base/fs.h"
#include "harness.h"

static char *home;

static bn_store *open_store(bn_t *t)
{
	bn_store *s = NULL;
	bn_err err;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_open(&s, home, NULL, &err), ==, 0);
	return s;
}

static void add_bot(bn_t *t, bn_store *s, const char *slug)
{
	bn_store_bot b = { .slug = (char *)slug };
	bn_err err;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_store_bot_create(s, &b, &err), ==, 0);
}

static json_t *msgs(const char *text)
{
	return json_pack("[{s:s, s:[{s:s, s:s}]}, {s:s, s:[{s:s, s:s}]}]",
			 "role", "user", "content", "type", "text", "text", text,
			 "role", "assistant", "content", "type", "text", "text",
			 "ok");
}

static void test_round_trip(bn_t *t)
{
	bn_store *s = open_store(t);
	json_t *m = msgs("first line\nsecond"), *back = NULL;
	bn_agent_conv c = { 0 };
	int64_t id = 0;
	bn_err err;

	if (!s)
		return;
	add_bot(t, s, "alpha");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_agent_conv_create(&id, s, "alpha", "first line\n"
					     "second", &err), ==, 0);
	BN_CHECK(t, id > 0);
	BN_CHECK_INT(t, bn_agent_conv_append(s, id, 0, m, 0, NULL, &err), ==, 0);
	BN_CHECK_INT(t, bn_agent_conv_append(s, id, 0, m, 1, NULL, &err), ==, 0);
	BN_CHECK_INT(t, bn_agent_conv_load(&back, NULL, s, id, &err), ==, 0);
	BN_CHECK_INT(t, json_array_size(back), ==, 3);
	BN_CHECK_STR(t, json_string_value(json_object_get(json_array_get(
		back, 2), "role")), "assistant");
	BN_CHECK_STR(t, json_string_value(json_object_get(json_array_get(
		json_object_get(json_array_get(back, 0), "content"), 0),
		"text")), "first line\nsecond");
	BN_CHECK_INT(t, bn_agent_conv_get(&c, s, id, &err), ==, 0);
	BN_CHECK_STR(t, c.bot, "alpha");
	BN_CHECK_STR(t, c.title, "first line");
	BN_CHECK_INT(t, c.messages, ==, 3);
	bn_agent_conv_clear(&c);
	json_decref(back);
	json_decref(m);
	bn_store_free(s);
}

static void test_missing(bn_t *t)
{
	bn_store *s = open_store(t);
	bn_agent_conv c = { 0 };
	bn_err err;

	if (!s)
		return;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_agent_conv_get(&c, s, 424242, &err), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, err.msg, "no session 424242");
	bn_store_free(s);
}

static void test_long_title_cut_at_character(bn_t *t)
{
	bn_store *s = open_store(t);
	char title[200];
	bn_agent_conv c = { 0 };
	int64_t id = 0;
	bn_err err;

	if (!s)
		return;
	/* 79 ASCII bytes, then a 2-byte character across the cap */
	memset(title, 'a', 79);
	memcpy(title + 79, "\xC3\xA9tail", 7);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_agent_conv_create(&id, s, "alpha", title, &err),
		     ==, 0);
	BN_CHECK_INT(t, bn_agent_conv_get(&c, s, id, &err), ==, 0);
	BN_CHECK_INT(t, strlen(c.title), ==, 79);
	bn_agent_conv_clear(&c);
	bn_store_free(s);
}

static void test_removed_with_bot(bn_t *t)
{
	bn_store *s = open_store(t);
	json_t *m = msgs("x"), *back = NULL;
	bn_agent_conv c = { 0 };
	int64_t id = 0;
	bn_err err;

	if (!s)
		return;
	add_bot(t, s, "beta");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_agent_conv_create(&id, s, "beta", NULL, &err), ==,
		     0);
	BN_CHECK_INT(t, bn_agent_conv_append(s, id, 0, m, 0, "x", &err), ==, 0);
	BN_CHECK_INT(t, bn_store_bot_remove(s, "beta", &err), ==, 0);
	BN_CHECK_INT(t, bn_agent_conv_get(&c, s, id, &err), ==, BN_ENOTFOUND);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_agent_conv_load(&back, NULL, s, id, &err), ==, 0);
	BN_CHECK_INT(t, json_array_size(back), ==, 0);
	json_decref(back);
	json_decref(m);
	bn_store_free(s);
}

int main(void)
{
	char tmpl[] = "/tmp/bn-conv-XXXXXX";
	bn_t t = { 0 };
	bn_err err;

	home = mkdtemp(tmpl);
	if (!home)
		return 1;
	BN_RUN(&t, test_round_trip);
	BN_RUN(&t, test_missing);
	BN_RUN(&t, test_long_title_cut_at_character);
	BN_RUN(&t, test_removed_with_bot);
	bn_err_init(&err);
	(void)bn_fs_rmtree(home, &err);
	return bn_t_done(&t);
}
