/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_sandbox.h - `bnity sandbox run|status`: run a native program
 * under the OS confinement, and say what confinement this machine gives.
 */
#ifndef BN_CLI_CMD_SANDBOX_H
#define BN_CLI_CMD_SANDBOX_H

typedef struct bn_cli_args bn_cli_args;

/* Exit status of `sandbox run` when a limit (or seccomp) ended the run. */
#define BN_EXIT_SANDBOX_LIMIT 124

/*
 * bn_cli_sandbox_run - `bnity sandbox run ARGV...` (ARGV after "run").
 * Returns the program's own status, 124 when a limit ended it, 128+N
 * when signal N killed it, 1 when confinement failed, 2 for usage errors.
 */
int bn_cli_sandbox_run(const bn_cli_args *a);
/* `bnity sandbox status [--json]`: 0, or 2 for usage errors. */
int bn_cli_sandbox_status(const bn_cli_args *a);

#endif
