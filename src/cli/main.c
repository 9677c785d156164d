/* SPDX-License-Identifier: MIT */
/*
 * cli/main.c - `bnity`: the entry point and the first-word dispatch.
 * Each command group lives in its own cmd_*.c file.
 */
#include "cli.h"

#include "base/buf.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_CMD_WASM
#include "cmd_wasm.h"
#endif
#ifdef HAVE_CMD_SECRET
#include "cmd_secret.h"
#endif
#ifdef HAVE_CMD_MEMORY
#include "cmd_memory.h"
#endif
#ifdef HAVE_CMD_CHAT
#include "cmd_chat.h"
#endif
#ifdef HAVE_CMD_SANDBOX
#include "cmd_sandbox.h"
#endif
#ifdef HAVE_CMD_SERVE
#include "cmd_serve.h"
#endif
#ifdef HAVE_CMD_INSTALL
#include "cmd_install.h"
#endif

static int help_main(int argc, char **argv)
{
	bn_buf words = BN_BUF_INIT;
	int i, r = 0;
	bool found;

	for (i = 0; i < argc && r == 0; i++)
		r = bn_buf_printf(&words, "%s%s", i ? " " : "", argv[i]);
	found = bn_cli_help(bn_buf_cstr(&words));
	if (!found)
		fprintf(stderr, "bnity: no command '%s' (see `bnity --help`)\n",
			bn_buf_cstr(&words));
	bn_buf_clear(&words);
	return found ? BN_EXIT_OK : BN_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	/* libcurl wants its global set-up before any thread starts */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "bnity: cannot initialise libcurl\n");
		return BN_EXIT_FAIL;
	}

	if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		bn_cli_help(NULL);
		return cmd ? BN_EXIT_OK : BN_EXIT_USAGE;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("bnity %s\n", BN_VERSION);
		return BN_EXIT_OK;
	}
	if (!strcmp(cmd, "help"))
		return help_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "skill"))
		return bn_cli_skill_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "bot"))
		return bn_cli_bot_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "audit")) {
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--help")) {
				bn_cli_help("audit");
				return BN_EXIT_OK;
			}
		return bn_cli_audit_main(argc - 2, argv + 2);
	}
#ifdef HAVE_CMD_SECRET
	if (!strcmp(cmd, "secret"))
		return bn_cli_secret_main(argc - 2, argv + 2);
#endif
#ifdef HAVE_CMD_MEMORY
	if (!strcmp(cmd, "memory"))
		return bn_cli_memory_main(argc - 2, argv + 2);
#endif
#ifdef HAVE_CMD_CHAT
	if (!strcmp(cmd, "chat"))
		return bn_cli_chat_main(argc - 2, argv + 2);
#endif
#ifdef HAVE_CMD_SANDBOX
	if (!strcmp(cmd, "sandbox"))
		return bn_cli_sandbox_main(argc - 2, argv + 2);
#endif
#ifdef HAVE_CMD_INSTALL
	if (!strcmp(cmd, "key"))
		return bn_cli_key_main(argc - 2, argv + 2);
#endif
#ifdef HAVE_CMD_SERVE
	if (!strcmp(cmd, "serve"))
		return bn_cli_serve_main(argc - 2, argv + 2);
#endif
#ifdef HAVE_CMD_WASM
	if (!strcmp(cmd, "wasm")) {
		if (argc > 2 && (!strcmp(argv[2], "--help") ||
				 !strcmp(argv[2], "help"))) {
			bn_cli_help("wasm");
			return BN_EXIT_OK;
		}
		return bn_cli_wasm_main(argc - 2, argv + 2);
	}
#endif
	fprintf(stderr, "bnity: unknown command '%s' (see `bnity --help`)\n",
		cmd);
	return BN_EXIT_USAGE;
}
