/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - what the command groups of `bnity` share: option parsing,
 * exit codes, printing errors and JSON, opening the store.
 *
 * Owns: the command line.  Uses: every module below it.  Only cli/ (and
 * later server/) print; library modules return bn_err messages.
 */
#ifndef BN_CLI_CLI_H
#define BN_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "skill/manifest.h"
#include "store/store.h"

/* Exit codes, documented in docs/cli.md. */
enum {
	BN_EXIT_OK = 0,       /* success */
	BN_EXIT_FAIL = 1,     /* the thing asked about is invalid, missing or
				 refused */
	BN_EXIT_USAGE = 2,    /* the command line was wrong */
};

/* One option a command accepts: --NAME, with a value or as a flag. */
typedef struct bn_cli_opt {
	const char *name;     /* without the leading "--" */
	bool has_value;       /* --name VALUE or --name=VALUE */
	const char **value;   /* where the value goes (has_value) */
	bool *flag;           /* set when seen (!has_value) */
} bn_cli_opt;

/*
 * bn_cli_parse - split ARGV (after the command words) into options and
 * positional arguments.  An unknown option, a missing value, or more
 * than POS_CAP positional arguments prints a message naming it and
 * returns -1.  "--" ends the options.  POS (room for POS_CAP entries)
 * receives borrowed pointers into argv; *npos their count.
 */
int bn_cli_parse(int argc, char **argv, const bn_cli_opt *opts,
		 const char **pos, int pos_cap, int *npos, const char *cmd);

/* The capacity of the array A, for bn_cli_parse; A must be an array,
   not a pointer (the build fails otherwise). */
#define BN_CLI_CAP(a)                                                     \
	((int)(sizeof(a) / sizeof((a)[0])) +                              \
	 0 * (int)sizeof(char[1 - 2 * __builtin_types_compatible_p(       \
		__typeof__(a), __typeof__(&(a)[0]))]))

/* One subcommand of a command group. */
typedef struct bn_cli_sub {
	const char *name;                      /* "create" */
	int (*fn)(int argc, char **argv);      /* gets the words after it */
} bn_cli_sub;

/*
 * bn_cli_dispatch - run the subcommand ARGV[0] of GROUP ("skill") from
 * SUBS (ended by a NULL name): `--help` anywhere before `--` prints the
 * help of "GROUP SUB"; no subcommand prints the group's help (exit 2);
 * an unknown one is a usage error naming it.
 */
int bn_cli_dispatch(const char *group, int argc, char **argv,
		    const bn_cli_sub *subs);

/* Print "bnity: MSG" on stderr; return the exit code for ERR. */
int bn_cli_fail(const bn_err *err);
/* Print a usage error naming what is wrong; return BN_EXIT_USAGE. */
int bn_cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print J (stolen) as indented JSON on stdout. */
void bn_cli_print_json(json_t *j);
/* Open the store of $BNITY_HOME with the working folder for discovery. */
int bn_cli_open_store(bn_store **out, bn_err *err);
/* Print the help of COMMAND ("skill validate", "bot", ...); false if none. */
bool bn_cli_help(const char *command);

int bn_cli_skill_main(int argc, char **argv);
int bn_cli_skill_build(int argc, char **argv);
int bn_cli_skill_grant(int argc, char **argv);
int bn_cli_skill_revoke(int argc, char **argv);
int bn_cli_skill_run(int argc, char **argv);
int bn_cli_skill_script(int argc, char **argv);
int bn_cli_audit_main(int argc, char **argv);
int bn_cli_bot_main(int argc, char **argv);

#endif
