/* SPDX-License-Identifier: MIT */
/*
 * store/conv.h - stored conversations with bots and their messages.
 *
 * Owns: the conversations and messages tables (store/conv.c).  Uses:
 * store.  A message's content is text the caller gives (agent/conv.h
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
} bn_store_conv;

void bn_store_conv_clear(bn_store_conv *c);

/* A message as stored. */
typedef struct bn_store_message {
	int64_t id;
	char *role;                /* owned */
	char *content;             /* owned */
} bn_store_message;

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

/* Append a message of ROLE with CONTENT to conversation ID. */
int bn_store_message_add(bn_store *s, int64_t conv, const char *role,
			 const char *content, bn_err *err) BN_MUST_USE;

/* Every message of conversation ID, oldest first: *out owned array of
   *n_out. */
int bn_store_message_list(bn_store_message **out, size_t *n_out,
			  bn_store *s, int64_t conv, bn_err *err) BN_MUST_USE;
void bn_store_messages_free(bn_store_message *v, size_t n);

#endif
