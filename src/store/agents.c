/* SPDX-License-Identifier: MIT */
/*
 * store/agents.c - the table of other agents and their skills folders
 * (store/agents.h).  The folders are the ones the `skills` CLI installs
 * into for each agent; several agents share .agents/skills in a project.
 * The order is the order of precedence when the same skill name is in
 * two folders of one scope: a later folder wins.
 */
#include "agents.h"

#include <stdlib.h>
#include <string.h>

#include "base/fs.h"

static const bn_store_agent agents[] = {
	{ "claude-code", ".claude/skills", BN_STORE_AGENT_HOME,
	  ".claude/skills" },
	{ "codex", ".agents/skills", BN_STORE_AGENT_HOME, ".agents/skills" },
	{ "cursor", ".agents/skills", BN_STORE_AGENT_HOME, ".cursor/skills" },
	{ "opencode", ".agents/skills", BN_STORE_AGENT_CONFIG,
	  "opencode/skills" },
	{ "gemini-cli", ".agents/skills", BN_STORE_AGENT_HOME,
	  ".gemini/skills" },
	{ "github-copilot", ".agents/skills", BN_STORE_AGENT_HOME,
	  ".copilot/skills" },
	{ "amp", ".agents/skills", BN_STORE_AGENT_CONFIG, "agents/skills" },
	{ "cline", ".agents/skills", BN_STORE_AGENT_HOME, ".agents/skills" },
	{ "kilo", ".agents/skills", BN_STORE_AGENT_HOME, ".kilo/skills" },
	{ "continue", ".continue/skills", BN_STORE_AGENT_HOME,
	  ".continue/skills" },
	{ "goose", ".goose/skills", BN_STORE_AGENT_CONFIG, "goose/skills" },
	{ "roo", ".roo/skills", BN_STORE_AGENT_HOME, ".roo/skills" },
	{ "windsurf", ".windsurf/skills", BN_STORE_AGENT_HOME,
	  ".codeium/windsurf/skills" },
};

#define N_AGENTS (sizeof(agents) / sizeof(*agents))

size_t bn_store_agents(const bn_store_agent **out)
{
	*out = agents;
	return N_AGENTS;
}

const bn_store_agent *bn_store_agent_find(const char *name)
{
	for (size_t i = 0; name && i < N_AGENTS; i++)
		if (!strcmp(agents[i].name, name))
			return &agents[i];
	return NULL;
}

char *bn_store_agent_names(void)
{
	bn_buf b = BN_BUF_INIT;
	char *out;

	for (size_t i = 0; i < N_AGENTS; i++)
		(void)bn_buf_printf(&b, "%s%s", i ? ", " : "", agents[i].name);
	out = bn_xstrdup(bn_buf_cstr(&b));
	bn_buf_clear(&b);
	return out;
}

char *bn_store_agent_dir(const bn_store_agent *a, bool global,
			 const char *root, const char *home)
{
	const char *xdg;
	char *base, *out;

	if (!global)
		return root ? bn_fs_join(root, a->project_dir) : NULL;
	if (!home || !*home)
		return NULL;
	if (a->user_base == BN_STORE_AGENT_HOME)
		return bn_fs_join(home, a->user_dir);
	xdg = secure_getenv("XDG_CONFIG_HOME");
	base = xdg && xdg[0] == '/' ? bn_xstrdup(xdg) :
		bn_fs_join(home, ".config");
	out = bn_fs_join(base, a->user_dir);
	free(base);
	return out;
}

void bn_store_agent_folders(bn_strv *out, bool global, const char *root,
			    const char *home)
{
	bn_strv seen = { 0 };

	for (size_t i = 0; i < N_AGENTS; i++) {
		char *d = bn_store_agent_dir(&agents[i], global, root, home);
		if (d && !bn_strv_has(&seen, d)) {
			bn_strv_push(&seen, d);
			bn_strv_push(out, d);
		}
		free(d);
	}
	bn_strv_clear(&seen);
}
