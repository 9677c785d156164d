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
#include <limits.h>
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
	const char *need;     /* a BN_CLI_VALUE the command cannot do
				 without: the usage error when it is not
				 given ("give --bot BOT"); NULL: optional */
} bn_cli_optspec;

typedef struct bn_cli_cmd bn_cli_cmd;
typedef struct bn_cli_args bn_cli_args;
typedef struct bn_cli_ctx bn_cli_ctx;

/*
 * How a command of the table runs.  As .run, a bn_cli_run_fn: it gets the
 * words after its own and returns the exit code.  Or as .store, a
 * bn_cli_store_fn: main opens the store of $BNITY_HOME first
 * (bn_cli_ctx_open) and ends it with what the command returns, 0 or an
 * error code with C->err set (bn_cli_ctx_end), so a command on the store
 * neither opens it nor reports its errors.
 */
typedef int bn_cli_run_fn(const bn_cli_args *a);
typedef int bn_cli_store_fn(bn_cli_ctx *c, const bn_cli_args *a);

/* One command, or a group of commands (`skill`, `bot`, ...). */
struct bn_cli_cmd {
	const char *name;             /* the word: "install" */
	const char *summary;          /* one line, for the listings */
	const char *usage;            /* what follows the words, or NULL */
	const char *text;             /* the help; NULL: the summary */
	const bn_cli_optspec *opts;   /* ended by a NULL name; NULL: none */
	const char *choices;          /* the words its first argument may
					 be ("bash zsh fish"), or NULL */
	bn_cli_run_fn *run;           /* a command: gets the words after
					 its own, parsed against opts;
					 NULL for a group */
	bn_cli_store_fn *store;       /* or a command on the store, and
					 run NULL */
	int min_args, max_args;       /* how many positional arguments it
					 takes (max BN_CLI_ARGS_ANY: any
					 number) */
	const char *want;             /* the usage error for another count
					 ("name one SKILL"); NULL: the first
					 argument past max_args is named,
					 "unexpected" or "too many" */
	const bn_cli_cmd *subs;       /* a group: its commands, ended by a
					 NULL name */
	unsigned flags;               /* BN_CLI_CMD_* */
};

enum {
	/* It reads its own words, and what follows its first argument
	   belongs to another program (`sandbox run -- CMD --help`): --help
	   counts only as its first word, and it reads its words itself
	   (bn_cli_args_parse leaves them in argc and argv). */
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

/* At most this many options per command. */
#define BN_CLI_OPTS_MAX 16
/* At most this many positional arguments are read for a command that
   takes a few; one whose max_args is BN_CLI_ARGS_ANY takes any number. */
#define BN_CLI_ARGS_MAX 64
#define BN_CLI_ARGS_ANY INT_MAX

/*
 * The words after a command's own, parsed against its entry of the
 * table (bn_cli_main does it before calling the command, and clears it
 * after): options by their index in cmd->opts, positional arguments in
 * order.  Strings are borrowed from argv; lists are copies it owns.
 */
struct bn_cli_args {
	const bn_cli_cmd *cmd;        /* the command's entry */
	const char *path;             /* its words: "skill install" */
	int argc;                     /* the words after its own, as given */
	char **argv;                  /* (all a BN_CLI_CMD_RAW or _WORDS
					 command gets: it reads them) */
	const char **pos;             /* npos positional arguments */
	int npos;
	const char *value[BN_CLI_OPTS_MAX]; /* a value (the last given), or
					 a flag's word; NULL: not given */
	bn_strv list[BN_CLI_OPTS_MAX];      /* a BN_CLI_LIST's values */
};

/*
 * bn_cli_args_parse - fill A from the ARGC words ARGV after the words
 * PATH of command C.  An unknown option, a missing value, more than
 * BN_CLI_LIST_MAX values of a list, more than BN_CLI_ARGS_MAX positional
 * arguments (unless C takes any number), a count outside C's
 * min_args..max_args, or then a needed option not given prints a usage
 * error naming it and returns -1 (A is cleared).  "--" ends the
 * options.
 */
int bn_cli_args_parse(bn_cli_args *a, const bn_cli_cmd *c, const char *path,
		      int argc, char **argv);
void bn_cli_args_clear(bn_cli_args *a);
/* Option NAME of the command (the table must declare it, of that kind):
   whether the flag was given; its value, or NULL; its values. */
bool bn_cli_flag(const bn_cli_args *a, const char *name);
const char *bn_cli_value(const bn_cli_args *a, const char *name);
const bn_strv *bn_cli_list(const bn_cli_args *a, const char *name);

/* *OUT = TEXT as a whole number (decimal digits only) from LO to HI;
   false when TEXT is NULL or not such a number. */
bool bn_cli_parse_num(unsigned long long *out, const char *text,
		      unsigned long long lo, unsigned long long hi);

/* *OUT = TEXT as a whole number (decimal digits only), with SUFFIX
   optionally ending in k, M or G (any case: times 1024, 1024^2 or
   1024^3).  0; -EINVAL when TEXT is NULL or not such a number; -ERANGE
   when it is one but does not fit in 64 bits. */
int bn_cli_parse_size(uint64_t *out, const char *text, bool suffix);

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
/*
 * What a command on the store holds from start to end: the store of
 * $BNITY_HOME and the error its calls fill.  bn_cli_ctx_open opens it
 * (bn_cli_open_store): 0, or the exit code after the message.
 * bn_cli_ctx_end frees the store and returns the exit code for R:
 * BN_EXIT_OK when R is 0, else that of bn_cli_fail on the error.
 */
struct bn_cli_ctx {
	bn_store *store;              /* owned */
	bn_err err;
};
int bn_cli_ctx_open(bn_cli_ctx *c);
int bn_cli_ctx_end(bn_cli_ctx *c, int r);
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

/* The commands, by how they run (see bn_cli_run_fn); cmd_wasm.h and
   cmd_sandbox.h declare the rest, with what the engine's and the
   sandbox's own test runners share. */

/* Not in a cmd_*.c file (help.c, completion.c). */
bn_cli_run_fn bn_cli_help_main, bn_cli_version_main, bn_cli_completion_main;
/* Skills (cmd_skill.c); bn_cli_skill_bind serves attach, detach, enable
   and disable (the table's word), each with SKILL BOT. */
bn_cli_run_fn bn_cli_skill_validate, bn_cli_skill_scan,
	bn_cli_skill_read_properties, bn_cli_skill_to_prompt,
	bn_cli_skill_create, bn_cli_skill_list, bn_cli_skill_inspect,
	bn_cli_skill_grants;
bn_cli_store_fn bn_cli_skill_remove, bn_cli_skill_bind;
/* Building and running skills, grants and the audit log (cmd_exec.c). */
bn_cli_run_fn bn_cli_skill_build, bn_cli_skill_grant, bn_cli_skill_run,
	bn_cli_skill_script, bn_cli_audit_main;
bn_cli_store_fn bn_cli_skill_revoke;
/* Bots (cmd_bot.c). */
bn_cli_run_fn bn_cli_bot_create, bn_cli_bot_set;
bn_cli_store_fn bn_cli_bot_list, bn_cli_bot_show, bn_cli_bot_remove,
	bn_cli_bot_prompt;
/* Registries and installs (cmd_install.c; uses registry). */
bn_cli_run_fn bn_cli_skill_search, bn_cli_skill_browse,
	bn_cli_skill_install, bn_cli_skill_update, bn_cli_skill_outdated,
	bn_cli_skill_verify, bn_cli_skill_digest, bn_cli_key_trust;
bn_cli_store_fn bn_cli_key_list, bn_cli_key_remove;
/* A bot's memories, each command with --bot BOT (cmd_memory.c; uses
   exec/memory.h). */
bn_cli_run_fn bn_cli_memory_add, bn_cli_memory_search, bn_cli_memory_list,
	bn_cli_memory_remove;
/* The secret vault (cmd_secret.c; uses exec/vault.h): a value is only
   ever read, from standard input, never printed. */
bn_cli_run_fn bn_cli_secret_set, bn_cli_secret_list, bn_cli_secret_remove;
/* Named API tokens for `bnity serve` (cmd_token.c; uses server/server.h,
   store/tokens.h): a token's text is printed once, by create, and never
   stored. */
bn_cli_run_fn bn_cli_token_create;
bn_cli_store_fn bn_cli_token_list, bn_cli_token_revoke;
/* Moving a home's rows between SQLite and PostgreSQL (cmd_store.c; uses
   store/dump.h). */
bn_cli_run_fn bn_cli_store_export, bn_cli_store_import;
/* `bnity serve` (cmd_serve.c): runs until SIGINT or SIGTERM; 0 after a
   clean stop, 1 when it cannot start, 2 for a usage error (including a
   non-loopback --listen without --public). */
bn_cli_run_fn bn_cli_serve_main;
/* `bnity mcp serve` and `bnity mcp config` (cmd_mcp.c; uses mcp/mcp.h). */
bn_cli_run_fn bn_cli_mcp_serve, bn_cli_mcp_config;
/* `bnity chat BOT` (cmd_chat.c; uses agent): 0, 1 (the bot, session or
   provider failed), 2 (usage). */
bn_cli_run_fn bn_cli_chat_main;

#endif
