/* SPDX-License-Identifier: MIT */
/*
 * store/agents.h - the other agents bnity knows, by the names the
 * `skills` CLI gives them, and the folders each reads skills from: one
 * in a project (relative to its root) and one of the user's.
 *
 * Owns: the one table of agents.  Everything in bnity that names an agent
 * (`skill install --agent`, the discovery of other agents' skills in
 * store.c) reads it here.
 * Uses: base.
 */
#ifndef BN_STORE_AGENTS_H
#define BN_STORE_AGENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Where an agent's user folder is rooted. */
typedef enum bn_store_agent_base {
	BN_STORE_AGENT_HOME = 0,     /* $HOME */
	BN_STORE_AGENT_CONFIG,       /* $XDG_CONFIG_HOME, else ~/.config */
} bn_store_agent_base;

/* One agent (static strings). */
typedef struct bn_store_agent {
	const char *name;            /* "claude-code", "codex", ... */
	const char *project_dir;     /* relative to the project's root */
	bn_store_agent_base user_base;
	const char *user_dir;        /* relative to user_base */
} bn_store_agent;

/* The table: *out is the first of the returned count of agents. */
size_t bn_store_agents(const bn_store_agent **out);
/* The agent named NAME, or NULL. */
const bn_store_agent *bn_store_agent_find(const char *name);
/* Every agent's name, ", " between them (owned). */
char *bn_store_agent_names(void);

/*
 * bn_store_agent_dir - A's skills folder (owned): ROOT/project_dir, or
 * with GLOBAL the user's folder under HOME (ROOT unused).  NULL when the
 * folder's base is not known (no HOME).
 */
char *bn_store_agent_dir(const bn_store_agent *a, bool global,
			 const char *root, const char *home);

/*
 * bn_store_agent_folders - every distinct skills folder of the table,
 * the project's under ROOT or with GLOBAL the user's under HOME, in the
 * table's order, appended to OUT.
 */
void bn_store_agent_folders(bn_strv *out, bool global, const char *root,
			    const char *home);

#endif
