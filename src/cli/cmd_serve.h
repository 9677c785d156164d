/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_serve.h - `bnity serve`: the HTTP API and the web UI.
 *
 * Owns: the command line of the server.  Uses: server/server.h, cli.h.
 */
#ifndef BN_CLI_CMD_SERVE_H
#define BN_CLI_CMD_SERVE_H

/*
 * bn_cli_serve_main - run `bnity serve ARGV...` (the words after
 * "serve") until SIGINT or SIGTERM.  Returns the exit status: 0 after a
 * clean stop, 1 when it cannot start, 2 for a usage error (including a
 * non-loopback --listen without --public).
 */
int bn_cli_serve_main(int argc, char **argv);

#endif
