/* SPDX-License-Identifier: MIT */
/* cli/cmd_mcp.h - `bnity mcp serve` and `bnity mcp config` (cmd_mcp.c). */
#ifndef BN_CLI_CMD_MCP_H
#define BN_CLI_CMD_MCP_H

int bn_cli_mcp_serve(int argc, char **argv);
int bn_cli_mcp_config(int argc, char **argv);

#endif
