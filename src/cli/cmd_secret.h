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
 * `bnity secret set|list|remove ARGV...` (ARGV after the command's words).
 * Each returns the exit status: 0 ok, 1 invalid or refused, 2 usage error.
 */
int bn_cli_secret_set(int argc, char **argv);
int bn_cli_secret_list(int argc, char **argv);
int bn_cli_secret_remove(int argc, char **argv);

#endif
