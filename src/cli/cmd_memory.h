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
 * `bnity memory add|search|list|remove ARGV...` (ARGV after the
 * command's words).  Each returns the exit status: 0 ok, 1 invalid or
 * refused, 2 usage error.
 */
int bn_cli_memory_add(int argc, char **argv);
int bn_cli_memory_search(int argc, char **argv);
int bn_cli_memory_list(int argc, char **argv);
int bn_cli_memory_remove(int argc, char **argv);

#endif
