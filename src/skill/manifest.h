/* SPDX-License-Identifier: MIT */
/*
 * skill/manifest.h - SKILL.md: parse, validate strictly, load leniently.
 *
 * Owns: bn_skill_manifest (the parsed frontmatter and body of one skill)
 * and bn_skill_report (errors and warnings about one SKILL.md).
 * Uses: base (err, buf, fs), libyaml, libutf8proc (NFKC), jansson.
 * Knows nothing of the store, bots, grants or execution.
 *
 * Spec: Agent Skills specification, https://agentskills.io/specification
 * and its reference validator (skills-ref), whose behaviour strict
 * validation follows rule by rule.
 */
#ifndef BN_SKILL_MANIFEST_H
#define BN_SKILL_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define BN_SKILL_MANIFEST_MAX_BYTES ((size_t)1 << 20) /* SKILL.md cap */

/* Errors and warnings about one SKILL.md, each naming file and field. */
typedef struct bn_skill_report {
	bn_strv errors;
	bn_strv warnings;
} bn_skill_report;

void bn_skill_report_clear(bn_skill_report *r);

typedef enum bn_skill_type {
	BN_SKILL_TYPE_PROMPT = 0,   /* instructions only */
	BN_SKILL_TYPE_TOOL,         /* also a WebAssembly module */
	BN_SKILL_TYPE_MAX
} bn_skill_type;

typedef struct bn_skill_manifest {
	char *dir;            /* the skill's folder (absolute when known) */
	char *file;           /* the SKILL.md (or skill.md) path */
	char *name;           /* frontmatter name (NFKC-normalised) */
	char *description;
	char *license;        /* NULL when absent */
	char *compatibility;  /* NULL when absent */
	char *allowed_tools;  /* NULL when absent */
	bn_strv meta_keys;    /* metadata, in file order, values as strings */
	bn_strv meta_vals;
	char *body;           /* Markdown after the closing --- */
	/* boternity's own fields, from metadata (string or legacy form): */
	bn_skill_type type;   /* metadata.type / legacy skill-type */
	char *version;        /* semver, NULL when absent */
	char *author;         /* NULL when absent */
	bn_strv capabilities; /* "cap" or "cap=scope" entries */
	bn_strv parents;
	bn_strv dependencies; /* "name" or "name@range" */
	bn_strv conflicts_with;
	bn_strv secrets;
	/* true when every string and list above lives in the same
	   allocation as this struct (a record decoded from the store's
	   listing cache): such a manifest is read-only, and
	   bn_skill_manifest_free releases it at once */
	bool packed;
} bn_skill_manifest;

/*
 * bn_skill_find_file - the manifest of PATH (a skill folder, or a
 * SKILL.md / skill.md file): SKILL.md is preferred over skill.md.  On
 * success *file_out (owned) is the file and *dir_out (owned) its folder.
 * Given a file named skill.md (any case), its folder is searched the same
 * way, as the reference does.  *dir_out is absolute (realpath) when it
 * can be resolved.  Errors: BN_ENOTFOUND (no PATH, or no SKILL.md in
 * it), BN_EINVAL (PATH is some other file), BN_EIO.
 */
int bn_skill_find_file(char **file_out, char **dir_out, const char *path,
		       bn_err *err);

/* The longest slug a store folder takes. */
#define BN_SKILL_SLUG_MAX 64

/*
 * bn_skill_name_slug - NAME as a store name (owned): ASCII letters
 * lowercased, digits and inner underscores kept (as the `skills` CLI
 * keeps them: "docker_hub" and "Docker Hub" stay two skills), every run
 * of anything else one hyphen, none at either end, at most
 * BN_SKILL_SLUG_MAX bytes; "skill" when nothing is left.
 * "-21risk-automation" -> "21risk-automation", "PDF Tools" ->
 * "pdf-tools".  bn_skill_name_is_slug: NAME is its own slug.
 */
char *bn_skill_name_slug(const char *name);
bool bn_skill_name_is_slug(const char *name);

/*
 * bn_skill_manifest_rename - write NAME as the frontmatter name of the
 * SKILL.md of folder DIR (atomically; a missing name line is added).
 * The rest of the file is left byte for byte.  BN_EINVAL names the file
 * when it has no closed frontmatter.
 */
int bn_skill_manifest_rename(const char *dir, const char *name,
			     bn_err *err) BN_MUST_USE;

/*
 * bn_skill_validate - strict validation of PATH as the Agent Skills spec
 * and its reference validator define it.  Appends to REPORT every error
 * and warning found (text names file and field; "FILE:LINE: FIELD: ...")
 * and returns true when this call added no error, so one report can
 * collect several paths.  Rules: docs/skill-format.md.
 */
bool bn_skill_validate(bn_skill_report *report, const char *path);

/*
 * bn_skill_validate_ex - bn_skill_validate with FLAGS:
 * BN_SKILL_VALIDATE_SPEC also makes errors of the spec's rules that the
 * reference validator does not enforce (license and allowed-tools must be
 * strings, metadata a mapping of strings to strings); without it they
 * are warnings.  bn_skill_validate(r, p) is bn_skill_validate_ex(r, p, 0).
 * BN_SKILL_VALIDATE_ANY_FOLDER (below) leaves the folder's name out.
 */
#define BN_SKILL_VALIDATE_SPEC (1u << 0)
/* BN_SKILL_VALIDATE_ANY_FOLDER leaves out the rule that the name matches
   the folder's: for a fetched copy, whose folder the fetcher named. */
#define BN_SKILL_VALIDATE_ANY_FOLDER (1u << 1)
bool bn_skill_validate_ex(bn_skill_report *report, const char *path,
			  unsigned flags);

/*
 * bn_skill_validate_text - strict validation of SKILL.md text (LEN bytes
 * at TEXT, not read from a path the validator opens: not yet on disk, or
 * read by the caller from a folder it pinned) for a skill whose folder
 * is FOLDER_NAME (NULL: no folder rule); problems name FILE (NULL:
 * "SKILL.md") as bn_skill_validate names the file it read.
 */
bool bn_skill_validate_text(bn_skill_report *report, const char *text,
			    size_t len, const char *file,
			    const char *folder_name);

/*
 * bn_skill_manifest_load - lenient load for use: name problems become
 * warnings in REPORT (may be NULL); fails (BN_EINVAL, *err naming the
 * file) only when the description is missing or the YAML cannot be parsed
 * even after quoting values that hold an unquoted ": ".  Also fails as
 * bn_skill_find_file does, with BN_ELIMIT (a file over
 * BN_SKILL_MANIFEST_MAX_BYTES, YAML nested or sized past its caps),
 * BN_EINVAL for invalid UTF-8 or a missing or unclosed frontmatter, and
 * -ENOMEM.  *out (owned; free with bn_skill_manifest_free) is written
 * only on success.
 */
int bn_skill_manifest_load(bn_skill_manifest **out, const char *path,
			   bn_skill_report *report, bn_err *err);
void bn_skill_manifest_free(bn_skill_manifest *m);

/* Value of metadata key KEY, or NULL (borrowed). */
const char *bn_skill_manifest_meta(const bn_skill_manifest *m,
				   const char *key);

/* The properties as the reference's read-properties prints them: a new
 * object (caller json_decref()s it) with name, description, then license,
 * compatibility, allowed-tools when set, metadata when not empty; NULL
 * when out of memory. */
json_t *bn_skill_manifest_to_json(const bn_skill_manifest *m);

/*
 * bn_skill_prompt_catalog - append the <available_skills> block for the
 * N skills to OUT: one <skill> each with <name>, <description>,
 * <location> (the SKILL.md path), text XML-escaped, each tag and text on
 * its own line, exactly as the reference's to-prompt (no newline after
 * the closing tag).  Returns 0, or -E2BIG / -ENOMEM from OUT (which then
 * holds part of the block).
 */
int bn_skill_prompt_catalog(bn_buf *out,
			    const bn_skill_manifest *const *skills, size_t n);

/* bn_skill_type_name - "prompt" / "tool". */
const char *bn_skill_type_name(bn_skill_type t);

/* bn_skill_is_semver - S is a semantic version 2.0.0 (no leading "v"). */
bool bn_skill_is_semver(const char *s);

#endif
