/* SPDX-License-Identifier: MIT */
/*
 * exec/grants.h - capabilities, their scopes, and the grants that allow
 * them.
 *
 * Owns: the capability names, scope syntax and matching, and what may be
 * written into the `grants` table (kept by store/grants.h): (skill, its
 * identity, bot or every bot, capability, scope, limits).  A grant never
 * exceeds what the skill's manifest declares, and belongs to the content
 * of the copy it was given to (bn_store_skill_identity): the store's
 * record for an installed skill, the tree hash of a copy elsewhere.
 * Uses: base, skill (the manifest's declared capabilities), store (the
 * rows).  Knows nothing of how a capability is carried out.
 *
 * Scopes:
 *   read_file, write_file   an absolute folder; allows it and below
 *   http_get, http_post     an origin pattern scheme://host[:port], host
 *                           may be *.domain; port defaults by scheme
 *   read_env                a variable name, or a PREFIX* pattern
 *   get_secret              NAME@ORIGIN: the host may put the secret in
 *                           a request header to that origin only, without
 *                           the module seeing it; reveal:NAME lets the
 *                           module read it.  A bare NAME is refused when
 *                           granted (a manifest may still declare it)
 *   exec_command            a command name
 *   recall_memory           none: the bot's own memory
 */
#ifndef BN_EXEC_GRANTS_H
#define BN_EXEC_GRANTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "skill/manifest.h"
#include "store/store.h"

typedef enum bn_exec_cap {
	BN_EXEC_CAP_READ_FILE = 0,
	BN_EXEC_CAP_WRITE_FILE,
	BN_EXEC_CAP_HTTP_GET,
	BN_EXEC_CAP_HTTP_POST,
	BN_EXEC_CAP_EXEC_COMMAND,
	BN_EXEC_CAP_READ_ENV,
	BN_EXEC_CAP_RECALL_MEMORY,
	BN_EXEC_CAP_GET_SECRET,
	BN_EXEC_CAP_MAX
} bn_exec_cap;

/* Limits of one run; 0 = the tier's default when used as an override. */
typedef struct bn_exec_limits {
	uint64_t fuel;              /* engine fuel units */
	uint64_t memory_bytes;      /* linear memory, all memories */
	uint64_t timeout_ms;        /* wall clock */
	uint64_t output_bytes;      /* stdout + stderr */
} bn_exec_limits;

/*
 * The largest value each limit may be set to (docs/skill-abi.md).  A limit
 * a user gives, or one read back from the store, is 1 to its maximum;
 * anything else is refused where it enters, never wrapped or narrowed.
 * Every layer below (engine, worker, sandbox, timers) carries them in 64
 * bits.
 */
#define BN_EXEC_FUEL_MAX ((uint64_t)1000000000000000000)  /* 10^18 */
#define BN_EXEC_MEMORY_BYTES_MAX ((uint64_t)1 << 40)       /* 1 TiB */
#define BN_EXEC_TIMEOUT_MS_MAX ((uint64_t)365 * 86400 * 1000) /* a year */
#define BN_EXEC_OUTPUT_BYTES_MAX ((uint64_t)1 << 30)       /* 1 GiB */

/* bn_exec_limit_max - the maximum of the limit named NAME ("fuel",
   "memory_bytes", "timeout_ms", "output_bytes"); 0 for another name. */
uint64_t bn_exec_limit_max(const char *name);

/*
 * bn_exec_limits_check - 0 when every limit of L is 0 (not set) or 1 to
 * its maximum; else BN_EINVAL naming the first one out of range.
 */
int bn_exec_limits_check(const bn_exec_limits *l, bn_err *err) BN_MUST_USE;

typedef struct bn_exec_grant {
	char *skill;
	char *bot;                  /* "*" = every bot */
	bn_exec_cap cap;            /* BN_EXEC_CAP_MAX for a limits-only
				       grant */
	char *scope;                /* "" when the capability has none */
	bn_exec_limits limits;      /* overrides, 0 = none */
	long long granted_at;       /* seconds since the epoch */
} bn_exec_grant;

typedef struct bn_exec_grants {
	bn_exec_grant *v;
	size_t n;
} bn_exec_grants;

void bn_exec_grants_clear(bn_exec_grants *g);

/* "read_file", ...; NULL for an unknown value. */
const char *bn_exec_cap_name(bn_exec_cap c);
/* Parse a capability name; false when unknown. */
bool bn_exec_cap_parse(bn_exec_cap *out, const char *name, size_t len);
/* True when the capability takes a scope. */
bool bn_exec_cap_has_scope(bn_exec_cap c);

/*
 * bn_exec_scope_covers - whether scope INNER is within scope OUTER for
 * capability C (a wildcard origin such as "https://" "*.x.org" covers
 * https://api.x.org:443).
 */
bool bn_exec_scope_covers(bn_exec_cap c, const char *outer,
			  const char *inner);

/*
 * bn_exec_scope_normalize - the canonical form of a scope the user typed
 * (*out owned): origins lower-cased with an explicit port, folders made
 * absolute and resolved (they must exist).  BN_EINVAL naming what is wrong.
 */
int bn_exec_scope_normalize(char **out, bn_exec_cap c, const char *scope,
			    bn_err *err) BN_MUST_USE;

/*
 * bn_exec_grant_add - grant SPEC ("cap" or "cap=scope") of skill M (the
 * copy in M->dir) to BOT (NULL = every bot) with LIMITS (may be NULL).  Without a scope, the
 * scopes the manifest declares are granted.  BN_EDENIED when the manifest
 * does not declare the capability or the scope exceeds what it declares.
 * ADDED (may be NULL) receives "cap=scope" for each grant written.
 * SPEC may be NULL to set only LIMITS.  BN_EINVAL when a limit is out of
 * range (bn_exec_limits_check).
 */
int bn_exec_grant_add(bn_store *s, const bn_skill_manifest *m,
		      const char *bot, const char *spec,
		      const bn_exec_limits *limits, bn_strv *added,
		      bn_err *err) BN_MUST_USE;

/*
 * bn_exec_grant_add_resolved - bn_exec_grant_add of each of the N SPECS
 * to skill SKILL of ALL, against what it declares with its ancestors
 * (metadata.parents: what may be granted is the union).  With N 0 it
 * sets only LIMITS (then not NULL).  Stops at the first failure; ADDED
 * keeps the grants written before it.  BN_ENOTFOUND when ALL has no
 * SKILL.  The CLI's `skill grant` and the API's grants both use it.
 */
int bn_exec_grant_add_resolved(bn_store *s, const bn_store_skills *all,
			       const char *skill, const char *bot,
			       const char *const *specs, size_t n,
			       const bn_exec_limits *limits, bn_strv *added,
			       bn_err *err) BN_MUST_USE;

/*
 * bn_exec_grant_revoke - remove the grants of SPEC ("cap" = every scope of
 * it, "cap=scope" = that one; "all" = everything) of SKILL for BOT (NULL =
 * the every-bot grants).  BN_ENOTFOUND when nothing matched.
 */
int bn_exec_grant_revoke(bn_store *s, const char *skill, const char *bot,
			 const char *spec, size_t *removed_out,
			 bn_err *err) BN_MUST_USE;

/*
 * bn_exec_grant_list - grants of SKILL (NULL = all) that apply to BOT
 * (NULL = every row; a name = its own rows and the every-bot rows).
 * BN_EINVAL naming the skill, bot and field when a stored row holds a
 * limit that is not 1 to its maximum (a run never uses such a row).
 */
int bn_exec_grant_list(bn_exec_grants *out, bn_store *s, const char *skill,
		       const char *bot, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_grant_list_of - the same, of the grants given to identity HASH
 * (a tree hash) only: what a run of the copy with that content may use.
 * A NULL HASH is every identity (bn_exec_grant_list).
 */
int bn_exec_grant_list_of(bn_exec_grants *out, bn_store *s,
			  const char *skill, const char *hash,
			  const char *bot, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_grant_find - the grant in G that allows capability C for the
 * asked scope ASKED (NULL/"" for capabilities without a scope), or NULL.
 */
const bn_exec_grant *bn_exec_grant_find(const bn_exec_grants *g,
					bn_exec_cap c, const char *asked);

/*
 * bn_exec_grants_limits - fold the limit overrides of G into L (the
 * bot's own grants win over every-bot grants).
 */
void bn_exec_grants_limits(bn_exec_limits *l, const bn_exec_grants *g);

/*
 * bn_exec_grant_command - what allows the capability run RUN_ID (its
 * audit record) was first refused, for SKILL run for BOT (NULL: every
 * bot): the grant "CAP=SCOPE" (an HTTP URL narrowed to its origin) into
 * *spec_out and the command the user types, "bnity skill grant SKILL
 * CAP=SCOPE [--bot BOT]", into *command_out (both owned).  False, and
 * both NULL, when the run was refused nothing, or no grant can allow it:
 * DECLARED (the capabilities the skill and its ancestors declare,
 * "CAP[=SCOPE]" each) does not cover it, or it is a secret whose origin
 * the run cannot tell.
 */
bool bn_exec_grant_command(char **spec_out, char **command_out, bn_store *s,
			   int64_t run_id, const char *skill, const char *bot,
			   const char *const *declared, size_t n_declared);

#endif
