/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_memory.c - `bnity memory ...`: add, search, list and remove a
 * bot's memories (see exec/memory.h).  Every command names its bot with
 * --bot (the table declares it needed), which must exist.
 */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "exec/memory.h"
#include "view/view.h"


/* Open C, once BOT is known to exist in its store: 0, or the exit code
   after a message (C ended). */
static int open_for_bot(bn_cli_ctx *c, const char *bot)
{
	bn_store_bot b = { 0 };
	int r;

	if ((r = bn_cli_ctx_open(c)))
		return r;
	r = bn_store_bot_get(&b, c->store, bot, &c->err);
	bn_store_bot_clear(&b);
	return r ? bn_cli_ctx_end(c, r) : 0;
}

/* One memory per line: its id, then its text with line breaks as spaces. */
static void items_print(const bn_exec_memory_item *v, size_t n, bool ranked,
			bool json)
{
	size_t i;
	const char *p;

	if (json) {
		bn_cli_print_json(bn_view_memories_json(v, n, ranked));
		return;
	}
	for (i = 0; i < n; i++) {
		printf("%-8lld ", v[i].id);
		for (p = v[i].text; *p; p++)
			putchar(*p == '\n' || *p == '\r' ? ' ' : *p);
		putchar('\n');
	}
}

int bn_cli_memory_add(const bn_cli_args *a)
{
	const char *bot = bn_cli_value(a, "bot");
	long long id = 0;
	bn_cli_ctx c;
	int r;

	if ((r = open_for_bot(&c, bot)))
		return r;
	r = bn_exec_memory_add(&id, c.store, bot, a->pos[0], &c.err);
	if (!r)
		printf("added memory %lld to bot '%s'\n", id, bot);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_memory_search(const bn_cli_args *a)
{
	const char *bot = bn_cli_value(a, "bot"),
		   *limit_s = bn_cli_value(a, "limit");
	bool json = bn_cli_flag(a, "json");
	bn_exec_memory_item *v = NULL;
	bn_buf query = BN_BUF_INIT;
	unsigned long long limit = 10;
	size_t n = 0;
	bn_cli_ctx c;
	int r = 0, i;

	if (limit_s && !bn_cli_parse_num(&limit, limit_s, 1,
					 BN_EXEC_MEMORY_LIMIT_MAX))
		return bn_cli_usage(a->path, "--limit '%s': give a "
				    "number from 1 to %d", limit_s,
				    BN_EXEC_MEMORY_LIMIT_MAX);
	for (i = 0; i < a->npos && !r; i++)
		r = bn_buf_printf(&query, "%s%s", i ? " " : "", a->pos[i]);
	if (r) {
		bn_err err;
		bn_err_init(&err);
		bn_buf_clear(&query);
		bn_err_set(&err, BN_ELIMIT, "the query is too long");
		return bn_cli_fail(&err);
	}
	if ((r = open_for_bot(&c, bot))) {
		bn_buf_clear(&query);
		return r;
	}
	r = bn_exec_memory_search(&v, &n, c.store, bot, bn_buf_cstr(&query),
				  (size_t)limit, &c.err);
	if (!r && n == 0 && !json)
		printf("no memory of bot '%s' matches\n", bot);
	else if (!r)
		items_print(v, n, true, json);
	bn_exec_memory_items_free(v, n);
	bn_buf_clear(&query);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_memory_list(const bn_cli_args *a)
{
	const char *bot = bn_cli_value(a, "bot");
	bool json = bn_cli_flag(a, "json");
	bn_exec_memory_item *v = NULL;
	size_t n = 0;
	bn_cli_ctx c;
	int r;

	if ((r = open_for_bot(&c, bot)))
		return r;
	r = bn_exec_memory_list(&v, &n, c.store, bot, &c.err);
	if (!r && n == 0 && !json)
		printf("bot '%s' has no memories yet\n", bot);
	else if (!r)
		items_print(v, n, false, json);
	bn_exec_memory_items_free(v, n);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_memory_remove(const bn_cli_args *a)
{
	const char *bot = bn_cli_value(a, "bot");
	unsigned long long id;
	bn_cli_ctx c;
	int r;

	if (a->npos != 1 || !bn_cli_parse_num(&id, a->pos[0], 1, INT64_MAX))
		return bn_cli_usage(a->path, "give one memory ID (a "
				    "number, see `bnity memory list`)");
	if ((r = open_for_bot(&c, bot)))
		return r;
	r = bn_exec_memory_remove(c.store, bot, (long long)id, &c.err);
	if (!r)
		printf("removed memory %llu of bot '%s'\n", id, bot);
	return bn_cli_ctx_end(&c, r);
}
