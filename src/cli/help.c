/* SPDX-License-Identifier: MIT */
/*
 * cli/help.c - the help of `bnity`, printed from the command table
 * (commands.c): the list of every command, a group's commands, one
 * command's usage; and the "did you mean" of an unknown command.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Words longer than this are too far from every command to suggest one. */
#define SUGGEST_MAX_LEN 64

/* PREFIX and NAME joined by a space into OUT (room for BN_CLI_PATH_MAX;
   command paths are short, and a longer one is cut). */
static void join(char *out, const char *prefix, const char *name)
{
	if (snprintf(out, BN_CLI_PATH_MAX, "%s%s%s", prefix,
		     *prefix ? " " : "", name) < 0)
		out[0] = '\0';
}

/* The widest "INDENT + path" of a listing of CMDS under PREFIX. */
static int widest(const bn_cli_cmd *cmds, const char *prefix, int indent,
		  bool deep)
{
	char path[BN_CLI_PATH_MAX];
	int w = 0, n;

	for (; cmds->name; cmds++) {
		join(path, prefix, cmds->name);
		n = indent + (int)strlen(path);
		w = n > w ? n : w;
		if (deep && cmds->subs) {
			n = widest(cmds->subs, path, indent + 2, deep);
			w = n > w ? n : w;
		}
	}
	return w;
}

/* One line per command of CMDS: its path under PREFIX, its summary;
   DEEP: each group followed by its commands, indented. */
static void list(const bn_cli_cmd *cmds, const char *prefix, int indent,
		 int width, bool deep)
{
	char path[BN_CLI_PATH_MAX];

	for (; cmds->name; cmds++) {
		join(path, prefix, cmds->name);
		printf("%*s%-*s  %s\n", indent, "", width - indent, path,
		       cmds->summary);
		if (deep && cmds->subs)
			list(cmds->subs, path, indent + 2, width, deep);
	}
}

static void print_text(const bn_cli_cmd *c)
{
	if (c->text)
		printf("%s\n", c->text);
	else
		printf("%s.\n", c->summary);
}

static void overview(void)
{
	int width = widest(bn_cli_commands, "", 2, true);

	printf("bnity %s - modular skills for AI agents, run safely\n\n"
	       "usage: bnity COMMAND [ARGS...]\n"
	       "       bnity help COMMAND     the help of one command\n"
	       "       bnity --version\n\ncommands:\n", BN_VERSION);
	list(bn_cli_commands, "", 2, width, true);
	printf("\nEverything lives in $BNITY_HOME (default ~/.boternity).\n"
	       "Exit codes: 0 success, 1 invalid or refused, 2 usage error.\n");
}

static void group_help(const char *path, const bn_cli_cmd *g)
{
	printf("usage: bnity %s COMMAND [ARGS...]\n\n", path);
	print_text(g);
	printf("\ncommands:\n");
	list(g->subs, path, 2, widest(g->subs, path, 2, false), false);
	printf("\n`bnity help %s COMMAND` explains one.\n", path);
}

bool bn_cli_help(const char *command)
{
	const bn_cli_cmd *c;

	if (!command || !*command) {
		overview();
		return true;
	}
	c = bn_cli_cmd_find(command);
	if (!c)
		return false;
	if (c->subs) {
		group_help(command, c);
		return true;
	}
	printf("usage: bnity %s%s%s\n\n", command, c->usage ? " " : "",
	       c->usage ? c->usage : "");
	print_text(c);
	return true;
}

/* ---- did you mean ------------------------------------------------------ */

static int lower(char c)
{
	return tolower((unsigned char)c);
}

/*
 * The edit distance of A and B, ignoring case: insertions, deletions,
 * substitutions and swaps of two neighbours each count 1 (the optimal
 * string alignment distance).  Both at most SUGGEST_MAX_LEN bytes.
 */
static int distance(const char *a, const char *b)
{
	int rows[3][SUGGEST_MAX_LEN + 1];
	int *two_up = rows[0], *up = rows[1], *cur = rows[2], *t;
	size_t la = strlen(a), lb = strlen(b), i, j;

	for (j = 0; j <= lb; j++)
		up[j] = (int)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int same = lower(a[i - 1]) == lower(b[j - 1]);
			int v = up[j - 1] + !same;
			if (up[j] + 1 < v)
				v = up[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) &&
			    two_up[j - 2] + 1 < v)
				v = two_up[j - 2] + 1;
			cur[j] = v;
		}
		t = two_up;
		two_up = up;
		up = cur;
		cur = t;
	}
	return up[lb];
}

/*
 * How close WORD is to the command NAME: 0 when WORD begins it (two
 * letters at least), else their distance when small for WORD's length
 * (1 up to 4 letters, 2 up to 9, ...); -1 when not close.
 */
static int closeness(const char *word, const char *name)
{
	size_t len = strlen(word);
	int d;

	if (len > SUGGEST_MAX_LEN || strlen(name) > SUGGEST_MAX_LEN)
		return -1;
	if (len >= 2 && len < strlen(name) && !strncasecmp(name, word, len))
		return 0;
	d = distance(word, name);
	return d <= 1 + (int)len / 5 ? d : -1;
}

int bn_cli_unknown(const char *path, const char *word)
{
	const bn_cli_cmd *g = *path ? bn_cli_cmd_find(path) : NULL;
	const bn_cli_cmd *cmds = g ? g->subs : *path ? NULL : bn_cli_commands;
	const bn_cli_cmd *c;
	int best = -1, n = 0, d;

	fprintf(stderr, "bnity: unknown command '%s%s%s' (see `bnity %s%s`)\n",
		path, *path ? " " : "", word, *path ? "help " : "--help",
		path);
	for (c = cmds; c && c->name; c++) {
		d = closeness(word, c->name);
		if (d >= 0 && (best < 0 || d < best))
			best = d, n = 0;
		n += d >= 0 && d == best;
	}
	if (n == 1)
		fprintf(stderr, "did you mean this?\n");
	else if (n > 1)
		fprintf(stderr, "did you mean one of these?\n");
	for (c = cmds; n && c->name; c++)
		if (closeness(word, c->name) == best)
			fprintf(stderr, "    bnity %s%s%s\n", path,
				*path ? " " : "", c->name);
	return BN_EXIT_USAGE;
}

/* ---- the commands help and version -------------------------------------- */

int bn_cli_help_main(const bn_cli_args *a)
{
	char path[BN_CLI_PATH_MAX] = "", next[BN_CLI_PATH_MAX];
	const bn_cli_cmd *c = NULL;

	for (int i = 0; i < a->argc; i++) {
		const bn_cli_cmd *cmds = c ? c->subs : bn_cli_commands;
		const bn_cli_cmd *w;

		for (w = cmds; w && w->name && strcmp(w->name, a->argv[i]);
		     w++)
			;
		if (!w || !w->name)
			return bn_cli_unknown(path, a->argv[i]);
		join(next, path, w->name);
		memcpy(path, next, sizeof(path));
		c = w;
	}
	bn_cli_help(path);
	return BN_EXIT_OK;
}

int bn_cli_version_main(const bn_cli_args *a)
{
	(void)a;
	printf("bnity %s\n", BN_VERSION);
	return BN_EXIT_OK;
}
