/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_memory.h - the `bnity memory` command group: add, search, list,
 * remove a bot's memories.
 *
 * Owns: the command line of bots' memories.  Uses: exec/memory.h, cli.h.
 */
#ifndef BN_CLI_CMD_MEMORY_H
#define BN_CLI_CMD_MEMORY_H

/*
 * bn_cli_memory_main - run `bnity memory ARGV...`; ARGV[0] is the
 * subcommand.  Returns the exit status: 0 ok, 1 invalid or refused,
 * 2 usage error.
 */
int bn_cli_memory_main(int argc, char **argv);

#endif
