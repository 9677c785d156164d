/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_mcp.c - `bnity mcp serve [--bot BOT] [--listen ADDR:PORT]`: a
 * bot's skills for any agent that speaks MCP (mcp/mcp.h), over stdio or
 * Streamable HTTP; and `bnity mcp config --agent A [--bot BOT]
 * [--name N] [--write]`: the snippet that agent needs.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#include "exec/curl_dl.h"
#include "exec/pool.h"
#include "mcp/mcp.h"
#include "server/server.h"


/* Confined skills run in warm workers unless BNITY_POOL=0 (as serve). */
static int pool_start(bn_exec_pool **out, bn_err *err)
{
	bn_exec_pool_config pc = BN_EXEC_POOL_CONFIG_INIT;
	const char *v = secure_getenv("BNITY_POOL");
	int r;

	*out = NULL;
	if (v && !strcmp(v, "0"))
		return 0;
	if ((r = bn_exec_pool_config_env(&pc, err)))
		return r;
	return bn_exec_pool_new(out, &pc, err);
}

int bn_cli_mcp_serve(const bn_cli_args *a)
{
	const char *bot = bn_cli_value(a, "bot"),
		   *listen = bn_cli_value(a, "listen");
	bn_mcp_options o = { 0 };
	bn_mcp_server *srv = NULL;
	bn_exec_pool *pool = NULL;
	char token[BN_SERVER_TOKEN_HEX + 1], *home = NULL, *cwd = NULL;
	bool created = false, token_new = false;
	bn_err err;
	int r;

	bn_err_init(&err);
	if ((r = bn_store_home_dir(&home, &err)))
		return bn_cli_fail(&err);
	cwd = getcwd(NULL, 0);
	o.home = home;
	o.cwd = cwd;
	o.bot = bot ? bot : BN_MCP_DEFAULT_BOT;
	o.database = bn_cli_database_url();
	/* libcurl is set up before any thread (skills' HTTP) */
	r = bn_exec_curl_load(&err);
	if (!r)
		r = bn_mcp_bot_ensure(&created, home, o.database, o.bot,
				       &err);
	if (!r && created)
		fprintf(stderr, "bnity mcp: created bot '%s' with no skills; "
			"attach some with `bnity skill attach NAME %s`\n",
			o.bot, o.bot);
	if (!r && listen)
		r = bn_server_token_load(token, &token_new, home, &err);
	if (!r && token_new)
		fprintf(stderr, "bnity mcp: API token created in %s/api-token "
			"(send it as Authorization: Bearer TOKEN)\n", home);
	if (!r)
		r = pool_start(&pool, &err);
	o.pool = pool;
	if (!r)
		r = bn_mcp_server_new(&srv, &o, &err);
	if (!r) {
		fprintf(stderr, "bnity mcp: serving the enabled skills of bot "
			"'%s' over %s\n", o.bot, listen ? "HTTP" : "stdio");
		/* a client that goes away is a write error, not a signal */
		signal(SIGPIPE, SIG_IGN);
		r = listen ? bn_mcp_serve_http(srv, listen, token, &err) :
		    bn_mcp_serve_stdio(srv, 0, 1, &err);
	}
	bn_mcp_server_free(srv);
	bn_exec_pool_free(pool);
	memset(token, 0, sizeof(token));
	free(cwd);
	free(home);
	if (r == BN_EUSAGE)
		return bn_cli_usage(a->path, "%s", err.msg);
	return r ? bn_cli_fail(&err) : BN_EXIT_OK;
}

int bn_cli_mcp_config(const bn_cli_args *a)
{
	const char *agent = bn_cli_value(a, "agent"),
		   *name = bn_cli_value(a, "name");
	bn_mcp_config c = { 0 };
	bool write = bn_cli_flag(a, "write"), replaced = false;
	char *exe = NULL, *path = NULL, *text = NULL, *cwd = NULL;
	const char *home;
	bn_err err;
	int r;

	if (!agent || !bn_mcp_agent_parse(&c.agent, agent))
		return bn_cli_usage(a->path, "--agent: one of %s",
				    bn_mcp_agent_names());
	if (name && (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(name)))
		return bn_cli_usage(a->path, "--name: letters, digits, "
				    "'-' and '_'");
	bn_err_init(&err);
	exe = realpath("/proc/self/exe", NULL);
	c.name = name ? name : "boternity";
	c.command = exe ? exe : "bnity";
	c.bot = bn_cli_value(a, "bot");
	c.home = secure_getenv("BNITY_HOME");
	if ((r = bn_mcp_config_snippet(&text, &c, &err)))
		goto out;
	if (!write) {
		fputs(text, stdout);
		goto out;
	}
	home = secure_getenv("HOME");
	cwd = getcwd(NULL, 0);
	if (c.agent == BN_MCP_AGENT_CODEX && !home) {
		r = bn_err_set(&err, BN_EINVAL, "HOME is not set: cannot find "
			       "~/.codex/config.toml");
		goto out;
	}
	path = bn_mcp_config_path(c.agent, cwd ? cwd : ".", home ? home : "");
	if ((r = bn_mcp_config_write(&replaced, path, &c, &err)))
		goto out;
	printf("%s server '%s' in %s\n", replaced ? "replaced" : "added",
	       c.name, path);
out:
	free(text);
	free(path);
	free(cwd);
	free(exe);
	return r ? bn_cli_fail(&err) : BN_EXIT_OK;
}
