/* SPDX-License-Identifier: MIT */
/*
 * registry/agents.c - copies of installed skills in other agents' folders
 * (`skill install --agent NAME`, store/agents.h for the folders).
 *
 * The store keeps the pinned original; an agent gets a copy, never a
 * link into the store (the agent could write through it).  Each copy is
 * built in a temporary folder beside its place and renamed in, and its
 * tree hash is recorded in the skill's lockfile entry: `skill verify`
 * compares, `skill remove` removes only a copy still as recorded.  A
 * folder bnity did not make (or that changed since) is never replaced.
 * Those agents run a skill's scripts with no sandbox, so a skill with
 * scripts is copied only after a yes for each agent (--yes says so).
 */
#include "registry_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "store/agents.h"

/* The copy entry OLD (may be NULL) records at PATH, or NULL. */
static const bn_registry_agent_copy *recorded(const bn_registry_lock_entry *old,
					      const char *path)
{
	for (size_t i = 0; old && i < old->n_copies; i++)
		if (!strcmp(old->copies[i].path, path))
			return &old->copies[i];
	return NULL;
}

/* Whether folder PATH hashes to HASH. */
static bool hashes_to(const char *path, const char *hash)
{
	char h[BN_SKILL_TREE_HASH_SIZE];

	return hash && bn_skill_tree_hash(h, path, NULL) == 0 &&
	       !strcmp(h, hash);
}

/* Copy store folder DIR to DEST (replacing a folder there), without the
   install marker; *hash the copy's tree hash. */
static int copy_in(char hash[BN_SKILL_TREE_HASH_SIZE], const char *dir,
		   const char *dest, bn_err *err)
{
	char *parent = bn_xstrdup(dest), *slash = strrchr(parent, '/');
	char *tmp, *gone, *marker;
	int r;

	*slash = '\0';
	tmp = bn_xasprintf("%s/.bnity-tmp-%s-%ld", parent, slash + 1,
			   (long)getpid());
	gone = bn_xasprintf("%s.old", tmp);
	marker = bn_fs_join(tmp, BN_REGISTRY_MARKER_FILE);
	(void)bn_fs_rmtree(tmp, NULL);
	(void)bn_fs_rmtree(gone, NULL);
	if ((r = bn_fs_mkdirs(parent, err)) == 0 &&
	    (r = bn_fs_copytree(dir, tmp, err)) == 0) {
		if (unlink(marker) < 0 && errno != ENOENT)
			r = bn_err_set(err, BN_EIO, "%s: %s", marker,
				       strerror(errno));
	}
	if (r == 0)
		r = bn_skill_tree_hash(hash, tmp, err);
	if (r == 0 && bn_fs_is_dir(dest) && rename(dest, gone) < 0)
		r = bn_err_set(err, BN_EIO, "%s: %s", dest, strerror(errno));
	if (r == 0 && rename(tmp, dest) < 0)
		r = bn_err_set(err, BN_EIO, "%s: %s", dest, strerror(errno));
	(void)bn_fs_rmtree(gone, NULL);
	if (r)
		(void)bn_fs_rmtree(tmp, NULL);
	free(marker);
	free(gone);
	free(tmp);
	free(parent);
	return r;
}

/* Refuse the copy for AGENT: said, and kept in X. */
static void refuse(bn_registry_installed *x, const bn_registry_install_opts *o,
		   const char *name, const char *agent, const char *why)
{
	char *line = bn_xasprintf("no copy for %s: %s", agent, why);

	bn_registry__say(o, name, "%s", line);
	if (x)
		bn_strv_push(&x->agent_refused, line);
	free(line);
}

/* Whether the copy of skill NAME (N_SCRIPTS scripts) for AGENT may be
   made: without scripts, yes; else --yes, or a yes on the terminal. */
static bool scripts_allowed(bn_registry_installed *x,
			    const bn_registry_install_opts *o,
			    const char *name, const char *agent,
			    size_t n_scripts)
{
	char *q;
	bool yes;

	if (n_scripts == 0)
		return true;
	if (o->yes || o->yes_agents) {
		bn_registry__say(o, name, "%s runs its %zu script%s with no "
				 "sandbox: copied anyway (--yes)", agent,
				 n_scripts, n_scripts == 1 ? "" : "s");
		return true;
	}
	if (!o->confirm) {
		char *why = bn_xasprintf("the skill has %zu script%s and %s "
			"runs them with no sandbox: it needs a yes on a "
			"terminal, or --yes", n_scripts,
			n_scripts == 1 ? "" : "s", agent);
		refuse(x, o, name, agent, why);
		free(why);
		return false;
	}
	q = bn_xasprintf("%s runs its %zu script%s with no sandbox (bnity's "
			 "grants do not apply there). Copy it for %s?",
			 agent, n_scripts, n_scripts == 1 ? "" : "s", agent);
	yes = o->confirm(name, q, o->payload);
	free(q);
	if (!yes)
		refuse(x, o, name, agent, "not confirmed");
	return yes;
}

/* The symbolic link that a copy at DEST would be written through, as a
   new string, or NULL.  Below the project's root every component
   counts (a cloned repository may ship `.claude -> ~/.ssh`); elsewhere,
   in the user's own folders, links are the user's and only DEST itself
   counts. */
static char *link_on_the_way(const bn_registry_install_opts *o,
			     const char *dest)
{
	const char *root = o->agent_root;
	size_t n = root ? strlen(root) : 0;
	struct stat st;

	if (root && !strncmp(dest, root, n) && dest[n] == '/')
		return bn_fs_link_below(root, dest);
	if (lstat(dest, &st) == 0 && S_ISLNK(st.st_mode))
		return bn_xstrdup(dest);
	return NULL;
}

/* One copy of E (from DIR) for AGENT at DEST. */
static void copy_one(bn_registry_lock_entry *e, bn_registry_installed *x,
		     const char *dir, const bn_registry_lock_entry *old,
		     size_t n_scripts, const bn_registry_install_opts *o,
		     const char *agent, const char *dest)
{
	const bn_registry_agent_copy *prev = recorded(e, dest);
	char hash[BN_SKILL_TREE_HASH_SIZE], *link;
	bn_err e1;

	if (prev) {              /* a folder two agents share */
		bn_registry_lock_entry_add_copy(e, agent, dest, prev->hash);
		if (x)
			bn_strv_push(&x->agent_copies, dest);
		return;
	}
	if ((link = link_on_the_way(o, dest))) {
		char *why = bn_xasprintf("%s is a symbolic link: a copy "
			"would be written where it points, so none is made "
			"(make it a real folder to allow copies)", link);
		refuse(x, o, e->name, agent, why);
		free(why);
		free(link);
		return;
	}
	if (bn_fs_is_dir(dest) && !hashes_to(dest, e->hash)) {
		prev = recorded(old, dest);
		if (!prev || !hashes_to(dest, prev->hash)) {
			char *why = bn_xasprintf("%s is there already and is "
				"not a copy bnity made (or it changed since): "
				"left alone", dest);
			refuse(x, o, e->name, agent, why);
			free(why);
			return;
		}
	}
	if (!scripts_allowed(x, o, e->name, agent, n_scripts))
		return;
	bn_err_init(&e1);
	if (copy_in(hash, dir, dest, &e1)) {
		refuse(x, o, e->name, agent, e1.msg);
		return;
	}
	bn_registry_lock_entry_add_copy(e, agent, dest, hash);
	if (x)
		bn_strv_push(&x->agent_copies, dest);
	bn_registry__say(o, e->name, "copied for %s: %s", agent, dest);
}

void bn_registry__agent_copies(bn_registry_lock_entry *e,
			       bn_registry_installed *x, const char *dir,
			       const bn_registry_lock_entry *old,
			       size_t n_scripts,
			       const bn_registry_install_opts *o)
{
	const char *home = secure_getenv("HOME");

	if (o->n_agents)
		bn_registry__say(o, e->name, "agents' copies run outside "
				 "bnity's sandbox: its grants do not apply "
				 "there");
	for (size_t i = 0; i < o->n_agents; i++) {
		const bn_store_agent *a = bn_store_agent_find(o->agents[i]);
		char *base = a ? bn_store_agent_dir(a, o->global,
						    o->agent_root, home) : NULL;
		if (!base) {
			refuse(x, o, e->name, o->agents[i], a ?
			       "its folder is not known here (no project "
			       "root, or HOME unset)" : "not an agent bnity "
			       "knows");
			continue;
		}
		char *dest = bn_fs_join(base, e->name);
		copy_one(e, x, dir, old, n_scripts, o, a->name, dest);
		free(dest);
		free(base);
	}
	/* an update refreshes the copies made before, still as made */
	for (size_t i = 0; old && i < old->n_copies; i++) {
		const bn_registry_agent_copy *c = &old->copies[i];
		if (recorded(e, c->path))
			continue;
		if (!bn_fs_is_dir(c->path))
			continue;        /* removed by the user: forgotten */
		if (!hashes_to(c->path, c->hash)) {
			/* kept on record: `skill verify` goes on telling */
			bn_registry__say(o, e->name, "the copy for %s at %s "
					 "changed since bnity made it: left "
					 "alone, not refreshed", c->agent,
					 c->path);
			bn_registry_lock_entry_add_copy(e, c->agent, c->path,
							c->hash);
			continue;
		}
		copy_one(e, x, dir, old, n_scripts, o, c->agent, c->path);
	}
}
