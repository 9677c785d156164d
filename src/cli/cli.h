/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - what the command groups of `bnity` share: the command
 * table, option parsing, exit codes, printing errors and JSON, opening
 * the store.
 *
 * Owns: the command line.  Uses: every module below it.  Only cli/ (and
 * later server/) print; library modules return bn_err messages.
 */
#ifndef BN_CLI_CLI_H
#define BN_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
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

/*
 * The command table (commands.c): every command of `bnity`, its words,
 * its help and its options.  Dispatch (main.c), help (help.c), option
 * parsing (util.c) and the shell completion scripts (completion.c) all
 * read it, so a command exists in all of them or in none.
 */

/* How an option is written: --NAME alone, --NAME VALUE (the last one
   given wins), or --NAME VALUE any number of times. */
enum {
	BN_CLI_FLAG = 0,
	BN_CLI_VALUE = 1,
	BN_CLI_LIST = 2,
};

/* At most this many values of one BN_CLI_LIST option. */
#define BN_CLI_LIST_MAX 64

/* An option a command accepts, as the table declares it. */
typedef struct bn_cli_optspec {
	const char *name;     /* "message" is --message */
	char alias;           /* 'm' is -m (the same option); 0: none */
	int kind;             /* BN_CLI_FLAG, BN_CLI_VALUE or BN_CLI_LIST */
} bn_cli_optspec;

typedef struct bn_cli_cmd bn_cli_cmd;

/* One command, or a group of commands (`skill`, `bot`, ...). */
struct bn_cli_cmd {
	const char *name;             /* the word: "install" */
	const char *summary;          /* one line, for the listings */
	const char *usage;            /* what follows the words, or NULL */
	const char *text;             /* the help; NULL: the summary */
	const bn_cli_optspec *opts;   /* ended by a NULL name; NULL: none */
	const char *choices;          /* the words its first argument may
					 be ("bash zsh fish"), or NULL */
	int (*fn)(int argc, char **argv); /* a command: gets the words
					 after its own; NULL for a group */
	const bn_cli_cmd *subs;       /* a group: its commands, ended by a
					 NULL name */
	unsigned flags;               /* BN_CLI_CMD_* */
};

enum {
	/* It reads its own words, and what follows its first argument
	   belongs to another program (`sandbox run -- CMD --help`): --help
	   counts only as its first word, and bn_cli_parse is not used. */
	BN_CLI_CMD_RAW = 1 << 0,
	/* Its arguments are command words (`help skill install`). */
	BN_CLI_CMD_WORDS = 1 << 1,
	/* It never starts a confined child (a worker or a sandboxed
	   program), so main does not fork the spawner for it: it pays only
	   for what it does.  On a group: every command of the group. */
	BN_CLI_CMD_NO_SPAWNER = 1 << 2,
};

/* Room for the words of any command of the table ("skill install"). */
#define BN_CLI_PATH_MAX 128

/* The top level of `bnity`, ended by a NULL name. */
extern const bn_cli_cmd bn_cli_commands[];

/* The command PATH names ("skill install", "audit"), or NULL. */
const bn_cli_cmd *bn_cli_cmd_find(const char *path);

/*
 * bn_cli_main - run the command ARGV names (the words after "bnity"):
 * walk the table word by word; `--help` or `-h` (and `help` after a
 * group) prints the help of what was named so far; an unknown word is a
 * usage error that names it and suggests the closest commands.  Returns
 * the exit code.
 */
int bn_cli_main(int argc, char **argv);

/*
 * Where a command's option goes; its spelling (alias, and whether it
 * takes a value) is the one the command table declares.
 */
typedef struct bn_cli_opt {
	const char *name;     /* without the leading "--" */
	int kind;             /* BN_CLI_FLAG (false), BN_CLI_VALUE (true)
				 or BN_CLI_LIST, as in the table */
	const char **value;   /* BN_CLI_VALUE: where the value goes */
	void *target;         /* BN_CLI_FLAG: the bool set when seen;
				 BN_CLI_LIST: the bn_strv each value is
				 copied to (the caller clears it) */
} bn_cli_opt;

/* A BN_CLI_LIST option collecting into the bn_strv SV. */
#define BN_CLI_OPT_LIST(name, sv)                                         \
	{ (name), BN_CLI_LIST, NULL, _Generic((sv), bn_strv *: (sv)) }

/*
 * bn_cli_parse - split ARGV (after the command words) into options and
 * positional arguments.  CMD names the command in the table ("skill
 * install") whose options OPTS (ended by a NULL name) receive; they must
 * be exactly the ones the table declares.  An unknown option, a missing
 * value, more than BN_CLI_LIST_MAX values of a list, or more than
 * POS_CAP positional arguments prints a message naming it and returns
 * -1.  "--" ends the options.  POS (room for POS_CAP entries) receives
 * borrowed pointers into argv; *npos their count.
 */
int bn_cli_parse(int argc, char **argv, const bn_cli_opt *opts,
		 const char **pos, int pos_cap, int *npos, const char *cmd);

/*
 * bn_cli_parse_n - bn_cli_parse for a command that takes MIN to MAX
 * positional arguments: any other count is a usage error that says WANT
 * ("name one SKILL"), or, with WANT NULL (MIN must be 0), names the
 * first argument past MAX.  Returns 0, or -1 after printing the usage error.
 */
int bn_cli_parse_n(int argc, char **argv, const bn_cli_opt *opts,
		   const char **pos, int pos_cap, int *npos, const char *cmd,
		   int min, int max, const char *want);

/* bn_cli_parse_n for a command that takes no argument and only --json
   (which sets *JSON): most listings. */
int bn_cli_parse_json(int argc, char **argv, const char *cmd, bool *json);

/* *OUT = TEXT as a whole number (decimal digits only) from LO to HI;
   false when TEXT is NULL or not such a number. */
bool bn_cli_parse_num(unsigned long long *out, const char *text,
		      unsigned long long lo, unsigned long long hi);

/* *OUT = TEXT as a whole number (decimal digits only), with SUFFIX
   optionally ending in k, M or G (any case: times 1024, 1024^2 or
   1024^3).  0; -EINVAL when TEXT is NULL or not such a number; -ERANGE
   when it is one but does not fit in 64 bits. */
int bn_cli_parse_size(uint64_t *out, const char *text, bool suffix);

/* bn_cli_parse_n for a command that takes one argument (*ARG, borrowed
   from ARGV) and no option; WANT says what it is when it is missing. */
int bn_cli_parse_one(int argc, char **argv, const char *cmd,
		     const char *want, const char **arg);

/* The capacity of the array A, for bn_cli_parse; A must be an array,
   not a pointer (the build fails otherwise). */
#define BN_CLI_CAP(a)                                                     \
	((int)(sizeof(a) / sizeof((a)[0])) +                              \
	 0 * (int)sizeof(char[1 - 2 * __builtin_types_compatible_p(       \
		__typeof__(a), __typeof__(&(a)[0]))]))

/* Print "bnity: MSG" on stderr; return the exit code for ERR. */
int bn_cli_fail(const bn_err *err);
/* Print a usage error naming what is wrong; return BN_EXIT_USAGE. */
int bn_cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print J (stolen) as indented JSON on stdout. */
void bn_cli_print_json(json_t *j);
/* Epoch seconds T as "YYYY-MM-DD HH:MM:SS UTC" into out; ZERO (when
   not NULL) for a T of 0. */
#define BN_CLI_TIME_SIZE 32
void bn_cli_time_utc(char out[BN_CLI_TIME_SIZE], long long t,
		     const char *zero);
/* Open the store of $BNITY_HOME with the working folder for discovery. */
int bn_cli_open_store(bn_store **out, bn_err *err);
/* The same with the tables in DB_URL (bn_store_open_db; NULL: the
   SQLite file), for a command's --database. */
int bn_cli_open_store_db(bn_store **out, const char *db_url, bn_err *err);
/* $BNITY_DATABASE_URL (a postgresql:// URL: every table in PostgreSQL),
   or NULL when unset or empty (the SQLite file in BNITY_HOME). */
const char *bn_cli_database_url(void);
/* Print the help of COMMAND ("skill validate", "bot", ...) on stdout;
   NULL or "": the list of every command.  False if there is none. */
bool bn_cli_help(const char *command);
/*
 * bn_cli_unknown - the usage error for WORD, which is none of the
 * commands under PATH ("skill"; "": the top level): names it on stderr
 * and suggests the closest ones.  Returns BN_EXIT_USAGE.
 */
int bn_cli_unknown(const char *path, const char *word);

/* The commands of the table that are not in a cmd_*.c file. */
int bn_cli_help_main(int argc, char **argv);
int bn_cli_version_main(int argc, char **argv);
int bn_cli_completion_main(int argc, char **argv);

/* Each command gets the words after its own and returns the exit code
   (cmd_skill.c, cmd_exec.c, cmd_bot.c, cmd_install.c, cmd_memory.c,
   cmd_secret.c, cmd_token.c, cmd_serve.c, cmd_mcp.c, cmd_chat.c);
   cmd_wasm.h and cmd_sandbox.h declare the rest, with what the engine's
   and the sandbox's own test runners share. */
int bn_cli_skill_validate(int argc, char **argv);
int bn_cli_skill_scan(int argc, char **argv);
int bn_cli_skill_read_properties(int argc, char **argv);
int bn_cli_skill_to_prompt(int argc, char **argv);
int bn_cli_skill_create(int argc, char **argv);
int bn_cli_skill_list(int argc, char **argv);
int bn_cli_skill_inspect(int argc, char **argv);
int bn_cli_skill_remove(int argc, char **argv);
int bn_cli_skill_attach(int argc, char **argv);
int bn_cli_skill_detach(int argc, char **argv);
int bn_cli_skill_enable(int argc, char **argv);
int bn_cli_skill_disable(int argc, char **argv);
int bn_cli_skill_build(int argc, char **argv);
int bn_cli_skill_grant(int argc, char **argv);
int bn_cli_skill_revoke(int argc, char **argv);
int bn_cli_skill_grants(int argc, char **argv);
int bn_cli_skill_run(int argc, char **argv);
int bn_cli_skill_script(int argc, char **argv);
int bn_cli_audit_main(int argc, char **argv);
int bn_cli_bot_create(int argc, char **argv);
int bn_cli_bot_list(int argc, char **argv);
int bn_cli_bot_show(int argc, char **argv);
int bn_cli_bot_remove(int argc, char **argv);
int bn_cli_bot_prompt(int argc, char **argv);
int bn_cli_bot_set(int argc, char **argv);
/* Registries and installs (cmd_install.c; uses registry). */
int bn_cli_skill_search(int argc, char **argv);
int bn_cli_skill_browse(int argc, char **argv);
int bn_cli_skill_install(int argc, char **argv);
int bn_cli_skill_update(int argc, char **argv);
int bn_cli_skill_outdated(int argc, char **argv);
int bn_cli_skill_verify(int argc, char **argv);
int bn_cli_skill_digest(int argc, char **argv);
int bn_cli_key_trust(int argc, char **argv);
int bn_cli_key_list(int argc, char **argv);
int bn_cli_key_remove(int argc, char **argv);
/* A bot's memories, each command with --bot BOT (cmd_memory.c; uses
   exec/memory.h). */
int bn_cli_memory_add(int argc, char **argv);
int bn_cli_memory_search(int argc, char **argv);
int bn_cli_memory_list(int argc, char **argv);
int bn_cli_memory_remove(int argc, char **argv);
/* The secret vault (cmd_secret.c; uses exec/vault.h): a value is only
   ever read, from standard input, never printed. */
int bn_cli_secret_set(int argc, char **argv);
int bn_cli_secret_list(int argc, char **argv);
int bn_cli_secret_remove(int argc, char **argv);
/* Named API tokens for `bnity serve` (cmd_token.c; uses server/server.h,
   store/tokens.h): a token's text is printed once, by create, and never
   stored. */
int bn_cli_token_create(int argc, char **argv);
int bn_cli_token_list(int argc, char **argv);
int bn_cli_token_revoke(int argc, char **argv);
/* Moving a home's rows between SQLite and PostgreSQL (cmd_store.c; uses
   store/dump.h). */
int bn_cli_store_export(int argc, char **argv);
int bn_cli_store_import(int argc, char **argv);
/* `bnity serve` (cmd_serve.c): runs until SIGINT or SIGTERM; 0 after a
   clean stop, 1 when it cannot start, 2 for a usage error (including a
   non-loopback --listen without --public). */
int bn_cli_serve_main(int argc, char **argv);
/* `bnity mcp serve` and `bnity mcp config` (cmd_mcp.c; uses mcp/mcp.h). */
int bn_cli_mcp_serve(int argc, char **argv);
int bn_cli_mcp_config(int argc, char **argv);
/* `bnity chat BOT` (cmd_chat.c; uses agent): 0, 1 (the bot, session or
   provider failed), 2 (usage). */
int bn_cli_chat_main(int argc, char **argv);

#endif
