/* SPDX-License-Identifier: MIT */
/*
 * store/usage.h - token budgets: a bot's limits and what its model calls
 * used.
 *
 * Owns: the bot_limits table (one row per bot that has a limit set: the
 * most tokens one answer may use, the tokens it may spend per day, which
 * request field carries the answer's limit) and the token_usage table
 * (one row per turn, or per failed part of one: bot, session, time and
 * the input, output, cache-read and cache-write tokens the provider
 * reported) (store/usage.c).  Uses: store.  Knows nothing of providers:
 * agent/ decides what the numbers mean.
 */
#ifndef BN_STORE_USAGE_H
#define BN_STORE_USAGE_H

#include <stdint.h>

#include "store/store.h"

/* A bot's limits; 0 / "" means "not set: the default applies". */
typedef struct bn_store_bot_limits {
	unsigned long max_tokens;      /* one answer's cap, in tokens */
	unsigned long long daily_tokens; /* tokens per 24 hours, 0: none */
	char token_field[32];          /* "max_tokens" or
					  "max_completion_tokens", "" */
} bn_store_bot_limits;

/* BOT's limits into *out (all unset when it has none).  Errors: BN_EIO. */
int bn_store_bot_limits_get(bn_store_bot_limits *out, bn_store *s,
			    const char *bot, bn_err *err) BN_MUST_USE;

/* Replace BOT's limits by L.  Errors: BN_ENOTFOUND (no such bot),
   BN_EIO. */
int bn_store_bot_limits_set(bn_store *s, const char *bot,
			    const bn_store_bot_limits *l,
			    bn_err *err) BN_MUST_USE;

/* Tokens as a provider reports them. */
typedef struct bn_store_usage {
	unsigned long long input;       /* not read from or written to a
					   cache */
	unsigned long long output;
	unsigned long long cache_read;
	unsigned long long cache_write;
} bn_store_usage;

/* Record U for BOT's SESSION (0: none) at time AT (seconds since the
   epoch).  Errors: BN_EIO. */
int bn_store_usage_add(bn_store *s, const char *bot, int64_t session,
		       long long at, const bn_store_usage *u,
		       bn_err *err) BN_MUST_USE;

/* The sum of BOT's usage recorded at or after SINCE into *out. */
int bn_store_usage_since(bn_store_usage *out, bn_store *s, const char *bot,
			 long long since, bn_err *err) BN_MUST_USE;

/* The sum of SESSION's usage into *out. */
int bn_store_usage_session(bn_store_usage *out, bn_store *s,
			   int64_t session, bn_err *err) BN_MUST_USE;

/* All four counts added up. */
unsigned long long bn_store_usage_total(const bn_store_usage *u);

#endif
