/* SPDX-License-Identifier: MIT */
/*
 * skill/semver.h - semantic versions and the ranges dependencies use.
 *
 * Owns: parsing MAJOR.MINOR.PATCH[-PRE][+BUILD] (semver.org 2.0.0) and
 * ranges: "1.2.3" or "=1.2.3" (exact), ">=1.2", ">1", "<2.0.0", "<=1.4",
 * "^1.2.3" (same major; for 0.x same minor), "~1.2.3" (same minor),
 * "1.x" / "1.2.*" / "*" (wildcards), and space-separated comparators that
 * must all hold (">=1.2 <2").  Uses: libc only.
 */
#ifndef BN_SKILL_SEMVER_H
#define BN_SKILL_SEMVER_H

#include <stdbool.h>

typedef struct bn_semver {
	unsigned long major;
	unsigned long minor;
	unsigned long patch;
	char pre[64];        /* pre-release ("rc.1"), "" when none */
} bn_semver;

/* How strictly bn_semver_parse reads. */
enum {
	/* exactly semver.org 2.0.0: no leading "v", and no leading zero in
	   a numeric pre-release identifier (what `skill validate` wants) */
	BN_SEMVER_STRICT = 1u << 0,
};

/* Parse a full version; false when TEXT (NULL is none) is not one.
   Without BN_SEMVER_STRICT a leading "v" and "1.0.0-01" are taken, as
   registries write them.  Numbers too big to hold are refused. */
bool bn_semver_parse(bn_semver *out, const char *text, unsigned flags);
/* <0, 0, >0 as A is lower than, equal to, or higher than B. */
int bn_semver_cmp(const bn_semver *a, const bn_semver *b);
/* Whether RANGE is well formed. */
bool bn_semver_range_valid(const char *range);
/* Whether version V satisfies RANGE (false for a malformed range). */
bool bn_semver_satisfies(const bn_semver *v, const char *range);

#endif
