/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/sandbox_cli_main.c - a stand-in `bnity` that only knows
 * `sandbox ...`, so the escape suite runs before the lead wires
 * cmd_sandbox.c into src/cli/main.c.  `bnity-sandbox sandbox run ...`
 * behaves exactly as `bnity sandbox run ...`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd_sandbox.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "sandbox")) {
		fprintf(stderr, "usage: %s sandbox run|status ...\n", argv[0]);
		return 2;
	}
	return bn_cli_sandbox_main(argc - 2, argv + 2);
}
