/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_token.h - the `bnity token` command group: create, list,
 * revoke named API tokens for `bnity serve`.
 *
 * Owns: the command line of API tokens.  Uses: server/server.h (making
 * and revoking), store/tokens.h (listing), view (JSON), cli.h.  A
 * token's text is printed once, by create, and never stored.
 */
#ifndef BN_CLI_CMD_TOKEN_H
#define BN_CLI_CMD_TOKEN_H

/*
 * `bnity token create|list|revoke ARGV...` (ARGV after the command's
 * words).  Each returns the exit status: 0 ok, 1 refused or failed,
 * 2 usage error.
 */
int bn_cli_token_create(int argc, char **argv);
int bn_cli_token_list(int argc, char **argv);
int bn_cli_token_revoke(int argc, char **argv);

#endif
