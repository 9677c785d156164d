/* SPDX-License-Identifier: MIT */
/*
 * agent/conv.h - conversations with a bot, kept in the store's database.
 *
 * Owns: what goes into the `conversations` and `messages` tables (kept
 * by store/conv.h): titles, and a message's content as the neutral JSON
 * of agent/provider.h.  Uses: base, store (the rows), jansson.
 * A bot's conversations go with it (ON DELETE CASCADE).
 */
#ifndef BN_AGENT_CONV_H
#define BN_AGENT_CONV_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define BN_AGENT_CONV_TITLE_MAX 80 /* bytes of a title, from the 1st line */

/* One conversation as listed. */
typedef struct bn_agent_conv {
	int64_t id;                  /* the session id users pass back */
	char *bot;                   /* owned slug */
	char *title;                 /* owned, may be NULL */
	long long created_at;        /* seconds since the epoch */
	long long messages;          /* how many messages it holds */
} bn_agent_conv;

/*
 * bn_agent_conv_create - a new, empty conversation of BOT titled TITLE
 * (may be NULL; cut to BN_AGENT_CONV_TITLE_MAX bytes at a character
 * boundary); its id into *id_out.  Errors: BN_EIO.
 */
int bn_agent_conv_create(int64_t *id_out, bn_store *s, const char *bot,
			 const char *title, bn_err *err) BN_MUST_USE;

/*
 * bn_agent_conv_get - conversation ID into *out (clear with
 * bn_agent_conv_clear).  Errors: BN_ENOTFOUND, BN_EIO.
 */
int bn_agent_conv_get(bn_agent_conv *out, bn_store *s, int64_t id,
		      bn_err *err) BN_MUST_USE;
void bn_agent_conv_clear(bn_agent_conv *c);

/*
 * bn_agent_conv_load - every message of conversation ID, oldest first,
 * as a neutral array (new reference) into *out; consecutive "tool"
 * messages (a step's results, journalled one by one) are read back as
 * one.  TURNS_OUT (may be NULL): a parallel array of each message's turn
 * number (0: from before turns were journalled).  A row whose content is
 * not valid JSON fails with BN_EINVAL naming its id.
 */
int bn_agent_conv_load(json_t **out, json_t **turns_out, bn_store *s,
		       int64_t id, bn_err *err) BN_MUST_USE;

/*
 * bn_agent_conv_append - append MESSAGES[FROM...] (neutral messages) to
 * turn TURN (0: none) of conversation ID in one transaction, and give the
 * conversation TITLE when it has none yet (TITLE may be NULL).
 * Errors: BN_EIO, -ENOMEM.
 */
int bn_agent_conv_append(bn_store *s, int64_t id, int64_t turn,
			 json_t *messages, size_t from, const char *title,
			 bn_err *err) BN_MUST_USE;

#endif
