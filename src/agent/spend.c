/* SPDX-License-Identifier: MIT */
/*
 * agent/spend.c - a bot's token spending: the daily cap checked before a
 * turn, what a turn used recorded after it (store/usage.h).
 */
#include "agent_int.h"

#include <stdio.h>
#include <time.h>

#define DAY_S (24 * 60 * 60)

int bn_agent__cap_check(bn_store *s, const char *bot,
			const bn_store_bot_limits *l, bn_err *err)
{
	bn_store_usage used;
	unsigned long long total;
	int r;

	if (!l->daily_tokens)
		return 0;
	r = bn_store_usage_since(&used, s, bot, (long long)time(NULL) - DAY_S,
				 err);
	if (r)
		return r;
	total = bn_store_usage_total(&used);
	if (total < l->daily_tokens)
		return 0;
	return bn_err_set(err, BN_ELIMIT, "bot '%s' has used %llu tokens in "
			  "the last 24 hours, its cap is %llu tokens per day: "
			  "wait, or raise it with `bnity bot set %s "
			  "--daily-tokens N` (`--daily-tokens off` removes "
			  "it)", bot, total, l->daily_tokens, bot);
}

int bn_agent__usage_close(bn_store_usage *session_out, bn_store *s,
			  const char *bot, int64_t session,
			  const bn_store_usage *u, int turn_rc, bn_err *err)
{
	bn_err dropped;
	int r = 0;

	bn_err_init(&dropped);
	if (bn_store_usage_total(u))
		r = bn_store_usage_add(s, bot, session, (long long)time(NULL),
				       u, turn_rc ? &dropped : err);
	if (turn_rc)
		return turn_rc;
	if (!r && session)
		r = bn_store_usage_session(session_out, s, session, err);
	return r;
}

json_t *bn_agent__usage_json(const bn_store_usage *u)
{
	return json_pack("{s:I, s:I, s:I, s:I}",
			 "input_tokens", (json_int_t)u->input,
			 "output_tokens", (json_int_t)u->output,
			 "cache_read_tokens", (json_int_t)u->cache_read,
			 "cache_write_tokens", (json_int_t)u->cache_write);
}
