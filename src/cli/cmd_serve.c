/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_serve.c - `bnity serve [--listen ADDR:PORT] [--public]`: parse
 * the command line and the environment (BNITY_CORS_ORIGIN), then hand
 * over to server/server.h until a signal stops it.
 */
#include "cmd_serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server/server.h"

#define MAX_POS 16

int bn_cli_serve_main(int argc, char **argv)
{
	const char *pos[MAX_POS], *listen = NULL;
	bn_server_options o = BN_SERVER_OPTIONS_INIT;
	bool public_ok = false;
	char *home = NULL;
	bn_err err;
	int npos, r;
	const bn_cli_opt opts[] = {
		{ "listen", true, &listen, NULL },
		{ "public", false, NULL, &public_ok },
		{ NULL, false, NULL, NULL } };

	if (bn_cli_parse(argc, argv, opts, pos, BN_CLI_CAP(pos), &npos, "serve"))
		return BN_EXIT_USAGE;
	if (npos)
		return bn_cli_usage("serve", "unexpected argument '%s'", pos[0]);
	o.listen = listen;
	o.allow_public = public_ok;
	o.cors_origin = secure_getenv("BNITY_CORS_ORIGIN");
	if (o.cors_origin && !*o.cors_origin)
		o.cors_origin = NULL;
	bn_err_init(&err);
	r = bn_store_home_dir(&home, &err);
	if (!r)
		r = bn_server_run(home, &o, &err);
	free(home);
	return r ? bn_cli_fail(&err) : BN_EXIT_OK;
}
