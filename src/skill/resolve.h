/* SPDX-License-Identifier: MIT */
/*
 * skill/resolve.h - skill inheritance and composition.
 *
 * Owns: resolving a skill with its ancestors (metadata.parents) into the
 * combined skill an agent sees, checking dependencies
 * (metadata.dependencies: "name" or "name@range") and conflicts
 * (metadata.conflicts-with).  Uses: skill (manifest, semver).  Finds
 * skills through a lookup callback, so it knows nothing of the store.
 *
 * Resolution walks the parents depth-first in the declared order, each
 * ancestor once (a diamond is merged, not duplicated), the child last.
 * At most BN_SKILL_MAX_GENERATIONS generations of ancestors: a chain of
 * four skills resolves, a fifth generation is an error.
 */
#ifndef BN_SKILL_RESOLVE_H
#define BN_SKILL_RESOLVE_H

#include "base/err.h"
#include "skill/manifest.h"

#define BN_SKILL_MAX_GENERATIONS 3

/* Find the skill named NAME, or NULL; borrowed (outlives the resolve). */
typedef const bn_skill_manifest *(*bn_skill_lookup_fn)(const char *name,
							void *payload);

/* One item of the resolved skill and the skill it came from. */
typedef struct bn_skill_origin_item {
	char *value;          /* owned: a capability, tool, ... */
	char *origin;         /* owned: the name of the skill declaring it */
} bn_skill_origin_item;

typedef struct bn_skill_origin_list {
	bn_skill_origin_item *v;
	size_t n;
} bn_skill_origin_list;

typedef struct bn_skill_resolved {
	const bn_skill_manifest *skill;   /* the child (borrowed) */
	const bn_skill_manifest **chain;  /* owned array of borrowed
					     manifests: ancestors in
					     resolution order, child last */
	size_t nchain;
	bn_skill_origin_list capabilities; /* union, first origin kept */
	bn_skill_origin_list allowed_tools;/* union of allowed-tools words */
	bn_skill_origin_list conflicts_with;
	const bn_skill_manifest *tool;    /* whose skill.wasm runs: the
					     child if it is a tool, else the
					     nearest tool ancestor, or NULL */
	char *instructions;               /* owned: each body in chain order,
					     marked with its origin */
} bn_skill_resolved;

/*
 * bn_skill_resolve - resolve SKILL.  Errors (BN_EINVAL) name the problem:
 * "cycle: a -> b -> a", "skill 'x' (parent of 'y') is missing",
 * "too deep: ... more than 3 generations of ancestors".
 * HAS_WASM tells whether a skill has a tool module (may be NULL: every
 * tool-type skill counts).
 */
int bn_skill_resolve(bn_skill_resolved *out, const bn_skill_manifest *skill,
		     bn_skill_lookup_fn lookup, void *payload,
		     bn_err *err) BN_MUST_USE;
void bn_skill_resolved_clear(bn_skill_resolved *r);

/*
 * bn_skill_check_dependencies - every entry of SKILL's resolved
 * dependencies (each skill in R's chain) is present and its version
 * satisfies the range.  BN_ENOTFOUND naming a missing one, BN_EINVAL
 * naming a version clash or a malformed entry.
 */
int bn_skill_check_dependencies(const bn_skill_resolved *r,
				bn_skill_lookup_fn lookup, void *payload,
				bn_err *err) BN_MUST_USE;

/*
 * bn_skill_conflict - whether resolved skills A and B conflict (either
 * names the other, or an ancestor of the other, in conflicts-with).
 * Writes the reason into *err when they do (BN_EDENIED).
 */
int bn_skill_conflict(const bn_skill_resolved *a, const bn_skill_resolved *b,
		      bn_err *err) BN_MUST_USE;

#endif
