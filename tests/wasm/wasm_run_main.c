/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/wasm_run_main.c - a standalone `bnity wasm` for tests.
 *
 * Runs bn_cli_wasm_main() without the rest of the CLI, so the engine, WASI
 * and `wasm run` can be tested and benchmarked with -Dengine_only=true:
 *     wasm_run run [--fuel N] ... FILE.wasm [ARGS...]
 */
#include "cli/cmd_wasm.h"

int main(int argc, char **argv)
{
	return bn_cli_wasm_main(argc - 1, argv + 1);
}
