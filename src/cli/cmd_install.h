/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_install.h - registries and installs on the command line:
 * `skill search|browse|install|update|outdated|verify|digest` and `key`.
 * Uses: registry (and through it store, exec).
 */
#ifndef BN_CLI_CMD_INSTALL_H
#define BN_CLI_CMD_INSTALL_H

/* Each takes the arguments after its command words. */
int bn_cli_skill_search(int argc, char **argv);
int bn_cli_skill_browse(int argc, char **argv);
int bn_cli_skill_install(int argc, char **argv);
int bn_cli_skill_update(int argc, char **argv);
int bn_cli_skill_outdated(int argc, char **argv);
int bn_cli_skill_verify(int argc, char **argv);
int bn_cli_skill_digest(int argc, char **argv);
/* `bnity key trust|list|remove ...` (ARGV after the command's words). */
int bn_cli_key_trust(int argc, char **argv);
int bn_cli_key_list(int argc, char **argv);
int bn_cli_key_remove(int argc, char **argv);

#endif
