/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_serve.c - `bnity serve [--listen ADDR:PORT] [--public]
 * [--max-connections N] [--max-per-client N] [--header-timeout S]`: parse
 * the command line and the environment (BNITY_CORS_ORIGIN), then hand
 * over to server/server.h until a signal stops it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "base/fs.h"
#include "server/server.h"

#define MAX_POS 16

/* *OUT = TEXT as a whole number in [1, MAX], unchanged when TEXT is
   NULL; false when it is not such a number. */
static bool parse_limit(unsigned *out, const char *text, unsigned max)
{
	unsigned long long v;

	if (!text)
		return true;
	if (!bn_cli_parse_num(&v, text, 1, max))
		return false;
	*out = (unsigned)v;
	return true;
}

int bn_cli_serve_main(int argc, char **argv)
{
	const char *pos[MAX_POS], *listen = NULL, *max_conn = NULL,
		   *max_client = NULL, *header_timeout = NULL,
		   *install_root = NULL, *database = NULL;
	bn_server_options o = BN_SERVER_OPTIONS_INIT;
	bool public_ok = false;
	char *home = NULL;
	bn_err err;
	int npos, r;
	const bn_cli_opt opts[] = {
		{ "listen", true, &listen, NULL },
		{ "public", false, NULL, &public_ok },
		{ "max-connections", true, &max_conn, NULL },
		{ "max-per-client", true, &max_client, NULL },
		{ "header-timeout", true, &header_timeout, NULL },
		{ "install-root", true, &install_root, NULL },
		{ "database", true, &database, NULL },
		{ NULL, false, NULL, NULL } };

	if (bn_cli_parse_n(argc, argv, opts, pos, BN_CLI_CAP(pos), &npos,
			   "serve", 0, 0, NULL))
		return BN_EXIT_USAGE;
	if (!parse_limit(&o.max_connections, max_conn,
			 BN_SERVER_CONNECTIONS_LIMIT) ||
	    !parse_limit(&o.max_per_client, max_client,
			 BN_SERVER_CONNECTIONS_LIMIT))
		return bn_cli_usage("serve", "connection limits are whole "
				    "numbers from 1 to %d",
				    BN_SERVER_CONNECTIONS_LIMIT);
	if (!parse_limit(&o.header_timeout_s, header_timeout,
			 BN_SERVER_TIMEOUT_LIMIT_S))
		return bn_cli_usage("serve", "--header-timeout is a whole "
				    "number of seconds from 1 to %d",
				    BN_SERVER_TIMEOUT_LIMIT_S);
	if (install_root && !bn_fs_is_dir(install_root))
		return bn_cli_usage("serve", "--install-root '%s' is not a "
				    "folder", install_root);
	o.install_root = install_root;
	/* --database, else BNITY_DATABASE_URL, else the SQLite file */
	o.database = database ? database : bn_cli_database_url();
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
