/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_chat.h - `bnity chat BOT`: talk to a bot (cmd_chat.c).
 */
#ifndef BN_CLI_CMD_CHAT_H
#define BN_CLI_CMD_CHAT_H

/*
 * bn_cli_chat_main - `bnity chat BOT [-m TEXT] [--json] [--session ID]
 * [--provider P] [--model M] [--max-steps N] [--context-tokens N]`; ARGV
 * holds what follows the word "chat".  Returns the exit code: 0, 1 (the
 * bot, session or provider failed), 2 (usage).
 */
int bn_cli_chat_main(int argc, char **argv);

#endif
