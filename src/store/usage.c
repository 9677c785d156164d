/* SPDX-License-Identifier: MIT */
/* store/usage.c - the bot_limits and token_usage tables (see usage.h). */
#include "usage.h"

#include <stdio.h>
#include <string.h>

#include "store_int.h"

static void limits_row(void *item, bn_store__stmt *st)
{
	bn_store_bot_limits *l = item;
	const char *f = bn_store__col_text(st, 2);
	int64_t mt = bn_store__col_int(st, 0);
	int64_t dt = bn_store__col_int(st, 1);

	l->max_tokens = mt > 0 ? (unsigned long)mt : 0;
	l->daily_tokens = dt > 0 ? (unsigned long long)dt : 0;
	snprintf(l->token_field, sizeof(l->token_field), "%s",
		 f ? f : "");
}

int bn_store_bot_limits_get(bn_store_bot_limits *out, bn_store *s,
			    const char *bot, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(bot) };
	bn_store_bot_limits l = { 0 };
	bn_store__stmt *st;
	bool found;
	int r;

	r = bn_store__query(&st, s, "SELECT max_tokens, daily_tokens, "
			    "token_field FROM bot_limits WHERE bot = ?1", a,
			    BN_STORE__NARGS(a), err);
	if (!r)
		r = bn_store__row(&l, &found, s, st, limits_row, err);
	if (!r)
		*out = l;
	return r;
}

int bn_store_bot_limits_set(bn_store *s, const char *bot,
			    const bn_store_bot_limits *l, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot), BN_STORE__INT(l->max_tokens),
		BN_STORE__INT(l->daily_tokens),
		BN_STORE__TEXT(l->token_field),
	};
	const bn_store__arg b[] = { BN_STORE__TEXT(bot) };
	bn_store__stmt *st;
	bool found;
	int r;

	r = bn_store__query(&st, s, "SELECT 1 FROM bots WHERE slug = ?1", b,
			    BN_STORE__NARGS(b), err);
	if (!r)
		r = bn_store__row(NULL, &found, s, st, NULL, err);
	if (r)
		return r;
	if (!found)
		return bn_err_set(err, BN_ENOTFOUND, "no bot named '%s' (see "
				  "`bnity bot list`)", bot);
	return bn_store__run(s, "INSERT INTO bot_limits (bot, max_tokens, "
			     "daily_tokens, token_field) VALUES (?1, ?2, ?3, "
			     "?4) ON CONFLICT(bot) DO UPDATE SET max_tokens = "
			     "?2, daily_tokens = ?3, token_field = ?4", a,
			     BN_STORE__NARGS(a), err);
}

int bn_store_usage_add(bn_store *s, const char *bot, int64_t session,
		       long long at, const bn_store_usage *u, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(bot), BN_STORE__INT(session),
		BN_STORE__INT(at), BN_STORE__INT(u->input),
		BN_STORE__INT(u->output), BN_STORE__INT(u->cache_read),
		BN_STORE__INT(u->cache_write),
	};

	return bn_store__run(s, "INSERT INTO token_usage (bot, session, at, "
			     "input, output, cache_read, cache_write) VALUES "
			     "(?1, NULLIF(?2, 0), ?3, ?4, ?5, ?6, ?7)", a,
			     BN_STORE__NARGS(a), err);
}

static void sum_row(void *item, bn_store__stmt *st)
{
	bn_store_usage *u = item;
	unsigned long long *f[] = { &u->input, &u->output, &u->cache_read,
				    &u->cache_write };

	for (int i = 0; i < 4; i++) {
		int64_t v = bn_store__col_int(st, i);
		*f[i] = v > 0 ? (unsigned long long)v : 0;
	}
}

#define SUMS "SELECT coalesce(sum(input), 0), coalesce(sum(output), 0)," \
	" coalesce(sum(cache_read), 0), coalesce(sum(cache_write), 0)" \
	" FROM token_usage "

static int sum(bn_store_usage *out, bn_store *s, const char *sql,
	       const bn_store__arg *a, size_t n, bn_err *err)
{
	bn_store_usage u = { 0 };
	bn_store__stmt *st;
	bool found;
	int r = bn_store__query(&st, s, sql, a, n, err);

	if (!r)
		r = bn_store__row(&u, &found, s, st, sum_row, err);
	if (!r)
		*out = u;
	return r;
}

int bn_store_usage_since(bn_store_usage *out, bn_store *s, const char *bot,
			 long long since, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(bot),
				    BN_STORE__INT(since) };

	return sum(out, s, SUMS "WHERE bot = ?1 AND at >= ?2", a,
		   BN_STORE__NARGS(a), err);
}

int bn_store_usage_session(bn_store_usage *out, bn_store *s,
			   int64_t session, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(session) };

	return sum(out, s, SUMS "WHERE session = ?1", a, BN_STORE__NARGS(a),
		   err);
}

unsigned long long bn_store_usage_total(const bn_store_usage *u)
{
	return u->input + u->output + u->cache_read + u->cache_write;
}
