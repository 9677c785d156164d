/* SPDX-License-Identifier: MIT */
/* registry/registry_int.h - what the files of the registry module share. */
#ifndef BN_REGISTRY_REGISTRY_INT_H
#define BN_REGISTRY_REGISTRY_INT_H

#include "registry.h"

/*
 * A path from a remote listing is safe when it is relative, has no "",
 * "." or ".." component, no backslash and no control character.
 */
bool bn_registry__rel_ok(const char *rel);
/* Add NAME to RES as skipped for WHY, and report it through O. */
void bn_registry__result_skip(bn_registry_install_result *res,
			      const bn_registry_install_opts *o,
			      const char *name, const char *why);
/* Whether the folder DIR (named BASE) holds a skill --skill asked for:
   by folder name, or by its manifest's name or the store name of it. */
bool bn_registry__wants_dir(const bn_registry_ctx *ctx, const char *base,
			    const char *dir);

/* Write LEN bytes to DIR/REL (a safe relative path), creating parents;
   never follows or replaces anything already there. */
int bn_registry__write_rel(const char *dir, const char *rel,
			   const void *data, size_t len, bn_err *err);

/*
 * Every folder under ROOT holding a SKILL.md (or skill.md), as paths
 * relative to ROOT ("" for ROOT itself), sorted; .git is skipped and the
 * search is capped in depth and entries.
 */
int bn_registry__find_skills(bn_strv *out, const char *root,
			     bn_err *err);

/* The JSON document at URL (bn_registry_get_cached, with TOKEN if any);
   one that does not parse is an error naming WHAT (the URL, or the
   registry). */
int bn_registry__get_json(json_t **out, const bn_registry_ctx *ctx,
			  const char *url, const char *token,
			  const char *what, bn_err *err);

/* Add candidate NAME at DIR (copied strings) to OUT. */
void bn_registry__candidate_add(bn_registry_candidates *out,
				const char *name, const char *dir,
				const char *path, const char *ref,
				const char *digest);

/* Candidates from every skill folder found under ROOT below PREFIX
   (NULL or "" = all); BN_ENOTFOUND when there is none. */
int bn_registry__candidates_from_tree(bn_registry_candidates *out,
				      const char *root, const char *prefix,
				      const char *ref, const char *what,
				      bn_err *err);

/* The GitHub listing of OWNER/REPO at REF: the commit and the skill
   folders (paths in the repository, "" for the root). */
int bn_registry__github_list(bn_strv *dirs, char **commit_out,
			     const bn_registry_ctx *ctx, const char *owner,
			     const char *repo, const char *ref,
			     bn_err *err);

/* Report a line about SKILL through O->report (if any). */
void bn_registry__say(const bn_registry_install_opts *o, const char *skill,
		      const char *fmt, ...) BN_PRINTF(3, 4);

/*
 * agents.c: the copies of installed skill E (its store folder DIR, with
 * N_SCRIPTS files that look like scripts) in the agents' folders O asks
 * for, and fresh copies over those OLD (may be NULL) recorded that are
 * still as copied.  Each copy made is added to E; each refused is said
 * and added to X->agent_refused.
 */
void bn_registry__agent_copies(bn_registry_lock_entry *e,
			       bn_registry_installed *x, const char *dir,
			       const bn_registry_lock_entry *old,
			       size_t n_scripts,
			       const bn_registry_install_opts *o);

#endif
