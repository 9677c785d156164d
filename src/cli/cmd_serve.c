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

int bn_cli_serve_main(const bn_cli_args *a)
{
	const char *install_root = bn_cli_value(a, "install-root"),
		   *database = bn_cli_value(a, "database");
	bn_server_options o = BN_SERVER_OPTIONS_INIT;
	char *home = NULL;
	bn_err err;
	int r;

	if (!parse_limit(&o.max_connections,
			 bn_cli_value(a, "max-connections"),
			 BN_SERVER_CONNECTIONS_LIMIT) ||
	    !parse_limit(&o.max_per_client, bn_cli_value(a, "max-per-client"),
			 BN_SERVER_CONNECTIONS_LIMIT))
		return bn_cli_usage(a->path, "connection limits are whole "
				    "numbers from 1 to %d",
				    BN_SERVER_CONNECTIONS_LIMIT);
	if (!parse_limit(&o.header_timeout_s,
			 bn_cli_value(a, "header-timeout"),
			 BN_SERVER_TIMEOUT_LIMIT_S))
		return bn_cli_usage(a->path, "--header-timeout is a whole "
				    "number of seconds from 1 to %d",
				    BN_SERVER_TIMEOUT_LIMIT_S);
	if (install_root && !bn_fs_is_dir(install_root))
		return bn_cli_usage(a->path, "--install-root '%s' is not a "
				    "folder", install_root);
	o.install_root = install_root;
	/* --database, else BNITY_DATABASE_URL, else the SQLite file */
	o.database = database ? database : bn_cli_database_url();
	o.listen = bn_cli_value(a, "listen");
	o.allow_public = bn_cli_flag(a, "public");
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
