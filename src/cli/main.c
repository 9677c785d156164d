/* SPDX-License-Identifier: MIT */
/*
 * cli/main.c - `bnity`: the entry point, and the dispatch of the words
 * of the command line down the command table (commands.c).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec/worker.h"
#include "sandbox/spawner.h"

static bool is_help(const char *w)
{
	return !strcmp(w, "--help") || !strcmp(w, "-h");
}

/* The option of C written W ("--bot", "--bot=x", "-m"), or NULL. */
static const bn_cli_optspec *spec_of(const bn_cli_cmd *c, const char *w)
{
	const bn_cli_optspec *sp;

	for (sp = c->opts; sp && sp->name; sp++) {
		if (sp->alias && w[0] == '-' && w[1] == sp->alias && !w[2])
			return sp;
		if (!strncmp(w, "--", 2) && !strcmp(w + 2, sp->name))
			return sp;
	}
	return NULL;
}

/*
 * Whether the words ARGV after command C ask for its help: --help or -h
 * as an option (before "--", and not the value of another option), or
 * for a command that reads its own words, as the first word.
 */
static bool asks_help(const bn_cli_cmd *c, int argc, char **argv)
{
	if (c->flags & BN_CLI_CMD_RAW)
		return argc > 0 && is_help(argv[0]);
	for (int i = 0; i < argc; i++) {
		const bn_cli_optspec *sp;

		if (!strcmp(argv[i], "--"))
			break;
		if (is_help(argv[i]))
			return true;
		sp = spec_of(c, argv[i]);
		if (sp && sp->kind != BN_CLI_FLAG)
			i++;
	}
	return false;
}

/* A command on the store: its store opened before, ended after. */
static int run_on_store(const bn_cli_cmd *c, const bn_cli_args *a)
{
	bn_cli_ctx ctx;
	int r = bn_cli_ctx_open(&ctx);

	if (r)
		return r;
	return bn_cli_ctx_end(&ctx, c->store(&ctx, a));
}

int bn_cli_main(int argc, char **argv)
{
	const bn_cli_cmd *group = NULL, *c;
	char path[BN_CLI_PATH_MAX] = "";
	int i = 0;

	/* down the groups to a command */
	for (;;) {
		const bn_cli_cmd *cmds = group ? group->subs : bn_cli_commands;
		const char *w = i < argc ? argv[i] : NULL;

		if (!w) {
			bn_cli_help(path);
			return BN_EXIT_USAGE;
		}
		if (is_help(w) || (group && !strcmp(w, "help"))) {
			bn_cli_help(path);
			return BN_EXIT_OK;
		}
		if (!group && !strcmp(w, "--version"))
			return bn_cli_version_main(NULL);
		for (c = cmds; c->name && strcmp(c->name, w); c++)
			;
		if (!c->name)
			return bn_cli_unknown(path, w);
		i++;
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
			 "%s%s", *path ? " " : "", c->name);
		if (!c->subs)
			break;
		group = c;
	}
	if (asks_help(c, argc - i, argv + i)) {
		bn_cli_help(path);
		return BN_EXIT_OK;
	}
	bn_cli_args a;
	if (bn_cli_args_parse(&a, c, path, argc - i, argv + i))
		return BN_EXIT_USAGE;
	int r = c->store ? run_on_store(c, &a) : c->run(&a);
	bn_cli_args_clear(&a);
	return r;
}

/*
 * Whether the command ARGV names may start a confined child, so needs the
 * spawner.  Flags, help, unknown words and groups without a command run
 * nothing; a command or group marked BN_CLI_CMD_NO_SPAWNER neither.
 */
static bool needs_spawner(int argc, char **argv)
{
	const bn_cli_cmd *cmds = bn_cli_commands, *c;

	for (int i = 1; i < argc && cmds; i++) {
		for (c = cmds; c->name && strcmp(c->name, argv[i]); c++)
			;
		if (!c->name || (c->flags & BN_CLI_CMD_NO_SPAWNER))
			return false;
		if (!c->subs)
			return true;
		cmds = c->subs;
	}
	return false;
}

int main(int argc, char **argv)
{
	bn_err err;

	/* a confined worker: a fresh image that serves one run */
	if (argc >= 2 && !strcmp(argv[1], BN_SANDBOX_WORKER_WORD))
		_exit(bn_exec_worker_main(argc - 2, argv + 2));
	/* the spawner first: one thread, no secret read, no library set up */
	bn_err_init(&err);
	if (needs_spawner(argc, argv) && bn_sandbox_spawner_start(&err))
		fprintf(stderr, "bnity: warning: %s: confined runs will "
			"fail\n", err.msg);
	return bn_cli_main(argc - 1, argv + 1);
}
