/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_secret.h - the `bnity secret` command group: set, list, remove.
 *
 * Owns: the command line of the secret vault.  Uses: exec/vault.h, cli.h.
 * A value is only ever read (from standard input), never printed.
 */
#ifndef BN_CLI_CMD_SECRET_H
#define BN_CLI_CMD_SECRET_H

/*
 * bn_cli_secret_main - run `bnity secret ARGV...`; ARGV[0] is the
 * subcommand.  Returns the exit status: 0 ok, 1 invalid or refused,
 * 2 usage error.
 */
int bn_cli_secret_main(int argc, char **argv);

#endif
