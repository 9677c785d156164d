/* SPDX-License-Identifier: MIT */
/*
 * store/conv.h - stored conversations with bots and their messages.
 *
 * Owns: the conversations, messages and turns tables (store/conv.c).
 * Uses: store, base/proc.h (owner leases).  A message's content is text the caller gives (agent/conv.h
 * stores the neutral JSON of agent/provider.h); a bot's conversations go
 * with it.
 */
#ifndef BN_STORE_CONV_H
#define BN_STORE_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A conversation as stored. */
typedef struct bn_store_conv {
	int64_t id;
	char *bot;                 /* owned */
	char *title;               /* owned, NULL when none */
	long long created_at;      /* seconds since the epoch */
	long long messages;        /* how many messages it holds */
	long long turns;           /* how many turns are journalled */
	long long last_used;       /* its newest message or turn, seconds */
	char *state;               /* owned: its last turn's state, NULL
				      when it has none */
} bn_store_conv;

void bn_store_conv_clear(bn_store_conv *c);

/* A message as stored. */
typedef struct bn_store_message {
	int64_t id;
	char *role;                /* owned */
	char *content;             /* owned */
	int64_t turn;              /* its turn's number, 0 from before turns
				      were journalled */
} bn_store_message;

/* A turn as stored. */
typedef struct bn_store_turn {
	int64_t number;            /* 1, 2, ... within its conversation */
	char *state;               /* owned: running, complete, incomplete,
				      cancelled */
	char *error;               /* owned: why it did not complete */
	long long started_at, ended_at; /* seconds; ended_at 0 while it runs */
	long long input_tokens, output_tokens;
	int64_t owner_pid;         /* who runs it (while running) */
} bn_store_turn;

void bn_store_turn_clear(bn_store_turn *t);
void bn_store_turns_free(bn_store_turn *v, size_t n);

/* A new conversation of BOT titled TITLE (may be NULL); its id into
   *id_out. */
int bn_store_conv_add(int64_t *id_out, bn_store *s, const char *bot,
		      const char *title, bn_err *err) BN_MUST_USE;

/* Conversation ID into *out (bn_store_conv_clear) and *found_out true;
   *found_out false (and *out untouched) when there is none. */
int bn_store_conv_get(bn_store_conv *out, bool *found_out, bn_store *s,
		      int64_t id, bn_err *err) BN_MUST_USE;

/* Give conversation ID the title TITLE if it has none yet. */
int bn_store_conv_title_fill(bn_store *s, int64_t id, const char *title,
			     bn_err *err) BN_MUST_USE;

/* BOT's conversations (every bot's when BOT is NULL), the last used
   first, at most LIMIT (0 = 100): *out owned array of *n_out. */
int bn_store_conv_list(bn_store_conv **out, size_t *n_out, bn_store *s,
		       const char *bot, unsigned limit,
		       bn_err *err) BN_MUST_USE;
void bn_store_convs_free(bn_store_conv *v, size_t n);

/* Delete conversation ID with its messages and turns; *found_out false
   when there was none. */
int bn_store_conv_delete(bool *found_out, bn_store *s, int64_t id,
			 bn_err *err) BN_MUST_USE;

/* Append a message of ROLE with CONTENT to turn TURN (0: none) of
   conversation ID. */
int bn_store_message_add(bn_store *s, int64_t conv, int64_t turn,
			 const char *role, const char *content,
			 bn_err *err) BN_MUST_USE;

/* A new turn of conversation CONV, "running" under this process's owner
   lease; its number (the last one's + 1) into *number_out. */
int bn_store_turn_begin(int64_t *number_out, bn_store *s, int64_t conv,
			bn_err *err) BN_MUST_USE;
/* Turn NUMBER of CONV is running again, under this process's lease. */
int bn_store_turn_resume(bn_store *s, int64_t conv, int64_t number,
			 bn_err *err) BN_MUST_USE;
/* Turn NUMBER of CONV ends in STATE with ERROR (may be NULL), adding
   the tokens it used. */
int bn_store_turn_end(bn_store *s, int64_t conv, int64_t number,
		      const char *state, const char *error,
		      long long input_tokens, long long output_tokens,
		      bn_err *err) BN_MUST_USE;
/* Discard turn NUMBER of CONV: the row and its messages. */
int bn_store_turn_drop(bn_store *s, int64_t conv, int64_t number,
		       bn_err *err) BN_MUST_USE;
/* The last turn of CONV into *out (clear it) and *found_out. */
int bn_store_turn_last(bn_store_turn *out, bool *found_out, bn_store *s,
		       int64_t conv, bn_err *err) BN_MUST_USE;
/* Every turn of CONV, first first: *out owned array of *n_out. */
int bn_store_turn_list(bn_store_turn **out, size_t *n_out, bn_store *s,
		       int64_t conv, bn_err *err) BN_MUST_USE;

/* Every message of conversation ID, oldest first: *out owned array of
   *n_out. */
int bn_store_message_list(bn_store_message **out, size_t *n_out,
			  bn_store *s, int64_t conv, bn_err *err) BN_MUST_USE;
void bn_store_messages_free(bn_store_message *v, size_t n);

#endif
