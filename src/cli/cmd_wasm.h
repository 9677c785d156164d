/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_wasm.h - the `bnity wasm` command group.
 *
 * Owns: parsing `bnity wasm run [options] FILE.wasm [ARGS...]` and running
 * a WASI command module on the engine, mapping traps and limits to exit
 * statuses (docs/wasm-run.md).  Uses: wasm/wasm.h, wasm/wasi.h, libc.
 */
#ifndef BN_CLI_CMD_WASM_H
#define BN_CLI_CMD_WASM_H

/* Exit statuses of our own, beside the program's. */
enum {
	BN_CLI_WASM_EXIT_USAGE = 2,     /* a bad flag or argument */
	BN_CLI_WASM_EXIT_LIMIT = 124,   /* fuel, memory, stack or timeout */
	BN_CLI_WASM_EXIT_TRAP = 125,    /* any other trap */
	BN_CLI_WASM_EXIT_LOAD = 126,    /* cannot load, validate or link */
};

/* The options and exit statuses of `bnity wasm run`, for its help text
   here and in bnity's command table. */
#define BN_CLI_WASM_RUN_HELP \
	"  --fuel N               stop after N units of work\n" \
	"  --max-memory BYTES     cap on linear memory and tables\n" \
	"                         (suffix K, M, G)\n" \
	"  --max-call-depth N     cap on nested wasm calls\n" \
	"  --timeout SECONDS      stop after this much wall-clock time\n" \
	"  --max-output BYTES     cap on bytes written to stdout+stderr\n" \
	"  --dir HOST[::GUEST][:ro]  give the guest a host directory\n" \
	"  --env KEY=VALUE        set a guest environment variable\n" \
	"  --engine auto|interp   machine code (default) or interpreter\n" \
	"  --bounds auto|check    guard pages where possible (default) or\n" \
	"                         an explicit check on every memory access\n" \
	"  --verbose              after the run, print on stderr how it ran\n" \
	"                         (engine, bounds, fuel, memory peak)\n" \
	"\n" \
	"Exit status: the program's own; 124 a limit was reached;\n" \
	"125 it trapped; 126 it could not be loaded; 2 bad usage.\n"

/*
 * bn_cli_wasm_main - run `bnity wasm ARGV...`; ARGV[0] is the subcommand
 * ("run", "help").  For the engine's own test runner (tests/wasm), which
 * has no command table; bnity runs bn_cli_wasm_run from its table.  Prints diagnostics on stderr and returns the process
 * exit status: the program's own status (0-255) or one of the above.
 */
int bn_cli_wasm_main(int argc, char **argv);
/* bn_cli_wasm_run - `bnity wasm run ARGV...` (ARGV after "run"); the
   same statuses. */
int bn_cli_wasm_run(int argc, char **argv);

#endif
