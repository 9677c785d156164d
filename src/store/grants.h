/* SPDX-License-Identifier: MIT */
/*
 * store/grants.h - the stored grants: which skill may use which
 * capability, with which scope, for which bot, with which limits.
 *
 * Owns: the grants table (store/grants.c), one row per (skill, identity,
 * bot, capability, scope).  The identity is the tree hash of the skill
 * the grant was given to (skill/tree.h): a grant holds for those bytes
 * only, never for another skill that bears the name.  Uses: store.  What
 * a capability, a scope or a limit means, and that a grant never exceeds
 * the manifest, is exec/grants.h's; this only keeps the rows, as given.
 */
#ifndef BN_STORE_GRANTS_H
#define BN_STORE_GRANTS_H

#include <stddef.h>

#include "store/store.h"

/* The bot of a grant that holds for every bot. */
#define BN_STORE_GRANT_EVERY_BOT "*"

/* A grant as stored: strings owned. */
typedef struct bn_store_grant {
	char *skill;
	char *skill_hash;        /* the identity it was given to */
	char *bot;               /* a slug or BN_STORE_GRANT_EVERY_BOT */
	char *capability;
	char *scope;             /* "" when the capability has none */
	char *limits;            /* a JSON object of overrides, or NULL */
	long long granted_at;    /* seconds since the epoch */
} bn_store_grant;

/*
 * bn_store_grant_put - write the grant (SKILL of identity HASH, BOT,
 * CAPABILITY, SCOPE), or renew it when it exists.  LIMITS (a JSON object
 * as text) replaces the stored limits; NULL keeps them (none for a new
 * grant).
 */
int bn_store_grant_put(bn_store *s, const char *skill, const char *hash,
		       const char *bot, const char *capability,
		       const char *scope, const char *limits,
		       bn_err *err) BN_MUST_USE;

/*
 * bn_store_grant_remove - remove SKILL's grants (of every identity) for
 * BOT (exactly that bot value) of CAPABILITY (NULL: every one) and SCOPE
 * (NULL: every one); how many went into *removed_out.
 */
int bn_store_grant_remove(size_t *removed_out, bn_store *s,
			  const char *skill, const char *bot,
			  const char *capability, const char *scope,
			  bn_err *err) BN_MUST_USE;

/*
 * bn_store_grant_list - the grants of SKILL (NULL: every skill) given to
 * identity HASH (NULL: every identity) that hold for BOT (NULL: every
 * row; a slug: its own rows and the every-bot rows), by skill, bot,
 * capability, scope; *out owned array of *n_out.
 */
int bn_store_grant_list(bn_store_grant **out, size_t *n_out, bn_store *s,
			const char *skill, const char *hash, const char *bot,
			bn_err *err) BN_MUST_USE;
void bn_store_grants_free(bn_store_grant *v, size_t n);

/*
 * Grants suspended by a migration until the user grants them again (an
 * unbound get_secret): rows as above, with the reason in ->limits and the
 * time of suspension in ->granted_at.  unsuspend drops one such row.
 */
int bn_store_grant_suspended_list(bn_store_grant **out, size_t *n_out,
				  bn_store *s, bn_err *err) BN_MUST_USE;
int bn_store_grant_unsuspend(bn_store *s, const char *skill, const char *bot,
			     const char *capability, const char *scope,
			     bn_err *err) BN_MUST_USE;

#endif
