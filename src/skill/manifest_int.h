/* SPDX-License-Identifier: MIT */
/*
 * skill/manifest_int.h - helpers shared by the files of the SKILL.md
 * module: the frontmatter split, the YAML tree (yaml.c), the rules
 * (validate.c) and the text entry points the fuzzer calls.
 *
 * Not part of the public API: nothing outside src/skill and its tests
 * includes this header.
 */
#ifndef BN_SKILL_MANIFEST_INT_H
#define BN_SKILL_MANIFEST_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "skill/manifest.h"

#define BN_SKILL__YAML_MAX_DEPTH 64     /* nesting of collections */
#define BN_SKILL__YAML_MAX_NODES 10000  /* nodes in one frontmatter */
#define BN_SKILL__YAML_MAX_BYTES ((size_t)4 << 20) /* scalar bytes, aliases
						      copied included */

#define BN_SKILL__NAME_MAX_CHARS 64     /* spec: name, code points */
#define BN_SKILL__DESC_MAX_CHARS 1024   /* spec: description */
#define BN_SKILL__COMPAT_MAX_CHARS 500  /* spec: compatibility */

/* One node of a parsed YAML frontmatter.  Every scalar is a string, as
 * in strictyaml: no implicit typing of numbers, booleans or null. */
typedef enum bn_ynode_kind {
	BN_YNODE_SCALAR = 0,
	BN_YNODE_SEQ,
	BN_YNODE_MAP,
	BN_YNODE_MAX
} bn_ynode_kind;

typedef struct bn_ynode {
	bn_ynode_kind kind;
	size_t line;            /* 1-based line in the SKILL.md */
	char *str;              /* SCALAR: owned, NUL-terminated value */
	size_t len;             /* SCALAR: bytes of str (may hold a NUL) */
	struct bn_ynode **kids; /* SEQ: items; MAP: key, value, key, ... */
	size_t n;               /* used entries of kids */
	size_t cap;             /* allocated entries of kids */
} bn_ynode;

/* Parse flags. */
#define BN_SKILL__YAML_STRICT (1u << 0) /* reject what strictyaml rejects */

/*
 * bn_skill__yaml_parse - parse the frontmatter TEXT (LEN bytes, whose
 * first line is line FIRST_LINE of FILE) into *out (owned; NULL for an
 * empty document).  In strict mode flow collections, anchors, aliases,
 * tags and duplicate keys are errors; otherwise duplicate keys and
 * aliases to collections are warnings in WARN (may be NULL).  Errors:
 * BN_EINVAL (message "FILE:LINE: FIELD: ..." in err), BN_ELIMIT (depth or
 * node cap), -ENOMEM.
 */
int bn_skill__yaml_parse(bn_ynode **out, const char *text, size_t len,
			 size_t first_line, const char *file, unsigned flags,
			 bn_strv *warn, bn_err *err);
void bn_ynode_free(bn_ynode *n);

/* The value of KEY in MAP (the last one when duplicated), or NULL. */
const bn_ynode *bn_ynode_get(const bn_ynode *map, const char *key);
/* The key node of KEY in MAP (last one), or NULL; for line numbers. */
const bn_ynode *bn_ynode_key(const bn_ynode *map, const char *key);

/* A SKILL.md split into frontmatter and body. */
typedef struct bn_skill__split {
	char *text;        /* owned: BOM dropped, CRLF and CR made LF */
	size_t len;        /* bytes of text */
	const char *fm;    /* frontmatter start, inside text */
	size_t fm_len;     /* bytes of frontmatter */
	const char *body;  /* body start (after the closing line) */
	size_t body_len;   /* bytes of body */
	bool had_bom;      /* the file began with EF BB BF */
} bn_skill__split;

/*
 * bn_skill__split_text - normalise line ends and find the frontmatter.
 * STRICT: a BOM is an error, as for the reference (which reads it as
 * text before "---"); lenient: a BOM is dropped.  Invalid UTF-8 is an
 * error either way.  On error *s is left cleared; BN_EINVAL, -ENOMEM.
 */
int bn_skill__split_text(bn_skill__split *s, const char *text, size_t len,
			 const char *file, bool strict, bn_err *err);
void bn_skill__split_clear(bn_skill__split *s);

/* Validation flags for bn_skill__check_text (see manifest.h). */

/*
 * bn_skill__check_text - strict validation of the SKILL.md bytes TEXT
 * (LEN) read from FILE, in a folder named DIR_NAME (NULL: skip the
 * folder check).  Appends to R; returns true when it added no error.
 */
bool bn_skill__check_text(bn_skill_report *r, const char *text, size_t len,
			  const char *file, const char *dir_name,
			  unsigned flags);

/*
 * bn_skill__load_text - lenient load of TEXT (LEN) read from FILE in
 * folder DIR (may be NULL).  As bn_skill_manifest_load otherwise.
 */
int bn_skill__load_text(bn_skill_manifest **out, const char *text,
			size_t len, const char *file, const char *dir,
			bn_skill_report *r, bn_err *err);

/*
 * bn_skill__quote_retry - rewrite FM so that each "key: value" whose
 * plain value holds ": " becomes a double-quoted string.  Returns the
 * number of lines rewritten (0: nothing to retry; *out untouched) and
 * their line numbers (relative, 0-based) in LINES (up to LINES_MAX).
 */
size_t bn_skill__quote_retry(bn_buf *out, const char *fm, size_t fm_len,
			     size_t *lines, size_t lines_max);

/* Unicode helpers (validate.c). */

/* Code points in the UTF-8 string S (LEN bytes). */
size_t bn_skill__u8_chars(const char *s, size_t len);
/* True when S (LEN bytes) is blank for Python's str.strip(). */
bool bn_skill__is_blank(const char *s, size_t len);
/* S stripped as str.strip() does, NFKC-normalised; owned; NULL: OOM. */
char *bn_skill__name_norm(const char *s, size_t len, size_t *len_out);
/* S stripped as str.strip() does (owned copy). */
char *bn_skill__strip_dup(const char *s, size_t len);

/*
 * bn_skill__name_problems - the spec's rules for the normalised NAME
 * (LEN bytes) and folder DIR_NAME (NULL: not checked): each problem is
 * pushed to OUT as "FILE:LINE: name: ...".  Returns how many.
 */
size_t bn_skill__name_problems(bn_strv *out, const char *name, size_t len,
			       const char *dir_name, const char *file,
			       size_t line);

/* "FILE:LINE: FIELD: MSG" (LINE 0: "FILE: FIELD: MSG") pushed to SV. */
void bn_skill__say(bn_strv *sv, const char *file, size_t line,
		   const char *field, const char *fmt, ...) BN_PRINTF(5, 6);

#endif
