/* SPDX-License-Identifier: MIT */
/*
 * cli/completion.c - `bnity completion bash|zsh|fish`: a completion
 * script for the shell, written from the command table (commands.c).
 *
 * Each script has the same parts, as data of the table: the commands
 * under each group, each command's options, the options that take a
 * value (after which the shell completes file names), and the words a
 * command's first argument may be.  A small function walks the words
 * typed so far down the groups to find the command being completed.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

typedef enum shell { BASH, ZSH, FISH } shell;

typedef void (*visit_fn)(shell sh, const char *path, const bn_cli_cmd *c);

/* Call FN for every command and group under CMDS, depth first. */
static void each(shell sh, const bn_cli_cmd *cmds, const char *prefix,
		 visit_fn fn)
{
	char path[BN_CLI_PATH_MAX];

	for (; cmds->name; cmds++) {
		if (snprintf(path, sizeof(path), "%s%s%s", prefix,
			     *prefix ? " " : "", cmds->name) < 0)
			continue;
		fn(sh, path, cmds);
		if (cmds->subs)
			each(sh, cmds->subs, path, fn);
	}
}

/* S as it is written inside single quotes for SH. */
static void put_escaped(shell sh, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'' && sh != FISH)
			fputs("'\\''", stdout);
		else if ((*s == '\'' || *s == '\\') && sh == FISH)
			printf("\\%c", *s);
		else
			putchar(*s);
	}
}

/* S in single quotes, for SH. */
static void put_quoted(shell sh, const char *s)
{
	putchar('\'');
	put_escaped(sh, s);
	putchar('\'');
}

/* The commands whose arguments are command words list the top level. */
static const bn_cli_cmd *commands_of(const bn_cli_cmd *c)
{
	return c->flags & BN_CLI_CMD_WORDS ? bn_cli_commands : c->subs;
}

/* ---- the case lists shared by bash and zsh ----------------------------- */

/* One "PATH) REPLY=..." arm: bash a string, zsh an array. */
static void arm_open(shell sh, const char *path)
{
	printf("\t(");
	put_quoted(sh, path);
	printf(") %s", sh == BASH ? "REPLY='" : "reply=(");
}

static void arm_close(shell sh)
{
	printf("%s ;;\n", sh == BASH ? "'" : ")");
}

static void put_commands(shell sh, const char *path, const bn_cli_cmd *cmds)
{
	arm_open(sh, path);
	for (const bn_cli_cmd *c = cmds; c->name; c++) {
		printf("%s", c == cmds ? "" : " ");
		if (sh == BASH) {
			printf("%s", c->name);
		} else {        /* NAME:SUMMARY, for _describe */
			printf("'%s:", c->name);
			put_escaped(sh, c->summary);
			putchar('\'');
		}
	}
	arm_close(sh);
}

static void commands_arm(shell sh, const char *path, const bn_cli_cmd *c)
{
	if (commands_of(c))
		put_commands(sh, path, commands_of(c));
}

/* The options of C, all or only those that take a value. */
static void put_options(const bn_cli_cmd *c, bool valued)
{
	const bn_cli_optspec *sp;
	const char *sep = "";

	for (sp = c->opts; sp && sp->name; sp++) {
		if (valued && sp->kind == BN_CLI_FLAG)
			continue;
		printf("%s--%s", sep, sp->name);
		sep = " ";
		if (sp->alias)
			printf(" -%c", sp->alias);
	}
}

static void options_arm(shell sh, const char *path, const bn_cli_cmd *c)
{
	if (c->subs || !c->opts)
		return;
	arm_open(sh, path);
	put_options(c, false);
	arm_close(sh);
}

static void valued_arm(shell sh, const char *path, const bn_cli_cmd *c)
{
	const bn_cli_optspec *sp;

	for (sp = c->opts; sp && sp->name; sp++)
		if (sp->kind != BN_CLI_FLAG)
			break;
	if (c->subs || !sp || !sp->name)
		return;
	arm_open(sh, path);
	put_options(c, true);
	arm_close(sh);
}

static void choices_arm(shell sh, const char *path, const bn_cli_cmd *c)
{
	if (!c->choices)
		return;
	arm_open(sh, path);
	printf("%s", c->choices);
	arm_close(sh);
}

/* A function setting REPLY (bash) or reply (zsh) from the arms of FN. */
static void case_function(shell sh, const char *name, const char *what,
			  visit_fn fn)
{
	printf("\n# %s\n%s() {\n\tcase $1 in\n", what, name);
	if (fn == commands_arm)
		put_commands(sh, "", bn_cli_commands);
	each(sh, bn_cli_commands, "", fn);
	printf("\t(*) %s ;;\n\tesac\n}\n", sh == BASH ? "REPLY=" : "reply=()");
}

/* The path "help skill" a WORDS command makes is completed as "skill"
   (bash and zsh alike). */
static void strip_words_commands(void)
{
	for (const bn_cli_cmd *c = bn_cli_commands; c->name; c++)
		if (c->flags & BN_CLI_CMD_WORDS)
			printf("\t\t[[ $cmdpath == '%s '* ]] && "
			       "cmdpath=${cmdpath#'%s '}\n", c->name, c->name);
}

static void case_functions(shell sh)
{
	case_function(sh, "_bnity_commands",
		      "The commands under the command path $1 (\"\": the top "
		      "level).", commands_arm);
	case_function(sh, "_bnity_options", "The options of the command $1.",
		      options_arm);
	case_function(sh, "_bnity_valued",
		      "Those of its options that take a value.", valued_arm);
	case_function(sh, "_bnity_choices",
		      "The words its first argument may be.", choices_arm);
}

/* ---- bash ---------------------------------------------------------------- */

static void bash_script(void)
{
	printf("# bash completion for bnity, written by `bnity completion "
	       "bash` from its\n# command table.  Load it with: "
	       "source <(bnity completion bash)\n");
	case_functions(BASH);
	printf("\n# Complete the word COMP_CWORD of COMP_WORDS.\n"
	       "_bnity() {\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]}\n"
	       "\tlocal prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	       "\tlocal cmdpath= word i REPLY\n"
	       "\tCOMPREPLY=()\n"
	       "\t# down the groups to the command being completed\n"
	       "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	       "\t\t_bnity_commands \"$cmdpath\"\n"
	       "\t\t[[ -n $REPLY ]] || break\n"
	       "\t\tword=${COMP_WORDS[i]}\n"
	       "\t\t[[ \" $REPLY \" == *\" $word \"* ]] || return 0\n"
	       "\t\tcmdpath=${cmdpath:+$cmdpath }$word\n");
	strip_words_commands();
	printf("\tdone\n"
	       "\t_bnity_commands \"$cmdpath\"\n"
	       "\tif [[ -n $REPLY ]]; then\n"
	       "\t\tif [[ $cur == -* ]]; then\n"
	       "\t\t\tREPLY='--help -h'\n"
	       "\t\t\t[[ -z $cmdpath ]] && REPLY+=' --version'\n"
	       "\t\tfi\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$REPLY\" -- \"$cur\"))\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\t# after an option that takes a value: the shell's own "
	       "completion\n"
	       "\t_bnity_valued \"$cmdpath\"\n"
	       "\t[[ \" $REPLY \" == *\" $prev \"* ]] && return 0\n"
	       "\tif [[ $cur == -* ]]; then\n"
	       "\t\t_bnity_options \"$cmdpath\"\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$REPLY --help -h\" -- "
	       "\"$cur\"))\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\t_bnity_choices \"$cmdpath\"\n"
	       "\t[[ -n $REPLY ]] && COMPREPLY=($(compgen -W \"$REPLY\" -- "
	       "\"$cur\"))\n"
	       "\treturn 0\n"
	       "}\n\n"
	       "complete -o bashdefault -o default -F _bnity bnity\n");
}

/* ---- zsh ----------------------------------------------------------------- */

static void zsh_script(void)
{
	printf("#compdef bnity\n"
	       "# zsh completion for bnity, written by `bnity completion "
	       "zsh` from its\n# command table.  Load it with: "
	       "source <(bnity completion zsh) (after\n# compinit), or save "
	       "it as _bnity in a folder of $fpath.\n");
	case_functions(ZSH);
	printf("\n_bnity() {\n"
	       "\tlocal cmdpath= word i\n"
	       "\tlocal -a reply\n"
	       "\t# down the groups to the command being completed\n"
	       "\tfor ((i = 2; i < CURRENT; i++)); do\n"
	       "\t\t_bnity_commands \"$cmdpath\"\n"
	       "\t\t(( ${#reply} )) || break\n"
	       "\t\tword=${words[i]}\n"
	       "\t\t(( ${reply[(I)${(b)word}:*]} )) || return 1\n"
	       "\t\tcmdpath=${cmdpath:+$cmdpath }$word\n");
	strip_words_commands();
	printf("\tdone\n"
	       "\t_bnity_commands \"$cmdpath\"\n"
	       "\tif (( ${#reply} )); then\n"
	       "\t\tif [[ ${words[CURRENT]} == -* ]]; then\n"
	       "\t\t\tcompadd -- --help -h\n"
	       "\t\t\t[[ -z $cmdpath ]] && compadd -- --version\n"
	       "\t\t\treturn 0\n"
	       "\t\tfi\n"
	       "\t\t_describe -t commands 'bnity command' reply\n"
	       "\t\treturn\n"
	       "\tfi\n"
	       "\t# after an option that takes a value: file names\n"
	       "\t_bnity_valued \"$cmdpath\"\n"
	       "\tif (( ${reply[(Ie)${words[CURRENT-1]}]} )); then\n"
	       "\t\t_files\n"
	       "\t\treturn\n"
	       "\tfi\n"
	       "\tif [[ ${words[CURRENT]} == -* ]]; then\n"
	       "\t\t_bnity_options \"$cmdpath\"\n"
	       "\t\tcompadd -- $reply --help -h\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\t_bnity_choices \"$cmdpath\"\n"
	       "\tif (( ${#reply} )); then\n"
	       "\t\tcompadd -- $reply\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\t_files\n"
	       "}\n\n"
	       "if [[ $funcstack[1] == _bnity ]]; then\n"
	       "\t_bnity \"$@\"\n"
	       "else\n"
	       "\tcompdef _bnity bnity\n"
	       "fi\n");
}

/* ---- fish ---------------------------------------------------------------- */

/* The arm of __bnity_commands for PATH: the names of CMDS. */
static void fish_case(const char *path, const bn_cli_cmd *cmds)
{
	printf("        case ");
	put_quoted(FISH, path);
	printf("\n            printf '%%s\\n'");
	for (const bn_cli_cmd *c = cmds; c->name; c++)
		printf(" %s", c->name);
	putchar('\n');
}

static void fish_commands_case(shell sh, const char *path,
			       const bn_cli_cmd *c)
{
	if (commands_of(c))
		fish_case(path, commands_of(c));
}

/* complete lines: the commands under PATH, with their summaries. */
static void fish_put_commands(const char *path, const bn_cli_cmd *cmds)
{
	char cond[BN_CLI_PATH_MAX + 16];

	snprintf(cond, sizeof(cond), "__bnity_at '%s'", path);
	for (const bn_cli_cmd *c = cmds; c->name; c++) {
		printf("complete -c bnity -f -n ");
		put_quoted(FISH, cond);
		printf(" -a %s -d ", c->name);
		put_quoted(FISH, c->summary);
		putchar('\n');
	}
}

static void fish_complete(shell sh, const char *path, const bn_cli_cmd *c)
{
	char cond[BN_CLI_PATH_MAX + 16];
	const bn_cli_optspec *sp;

	if (commands_of(c)) {
		fish_put_commands(path, commands_of(c));
		return;
	}
	snprintf(cond, sizeof(cond), "__bnity_at '%s'", path);
	for (sp = c->opts; sp && sp->name; sp++) {
		printf("complete -c bnity -n ");
		put_quoted(sh, cond);
		if (sp->alias)
			printf(" -s %c", sp->alias);
		printf(" -l %s%s\n", sp->name, sp->kind == BN_CLI_FLAG ? "" :
		       " -r");
	}
	if (c->choices) {
		printf("complete -c bnity -f -n ");
		put_quoted(sh, cond);
		printf(" -a ");
		put_quoted(sh, c->choices);
		putchar('\n');
	}
}

static void fish_script(void)
{
	printf("# fish completion for bnity, written by `bnity completion "
	       "fish` from its\n# command table.  Load it with: "
	       "bnity completion fish | source\n"
	       "# (or save it as ~/.config/fish/completions/bnity.fish).\n"
	       "\n# The commands under the command path $argv[1] "
	       "(\"\": the top level).\n"
	       "function __bnity_commands\n"
	       "    switch \"$argv[1]\"\n");
	fish_case("", bn_cli_commands);
	each(FISH, bn_cli_commands, "", fish_commands_case);
	printf("    end\n"
	       "end\n\n"
	       "# The command path typed so far (\"skill install\"), or ?\n"
	       "# after a word that is no command.\n"
	       "function __bnity_path\n"
	       "    set -l words (commandline -opc)\n"
	       "    set -e words[1]\n"
	       "    set -l cmdpath ''\n"
	       "    for word in $words\n"
	       "        set -l commands (__bnity_commands \"$cmdpath\")\n"
	       "        test (count $commands) -gt 0; or break\n"
	       "        if not contains -- $word $commands\n"
	       "            echo '?'\n"
	       "            return\n"
	       "        end\n"
	       "        set cmdpath (string trim -- \"$cmdpath $word\")\n");
	for (const bn_cli_cmd *c = bn_cli_commands; c->name; c++)
		if (c->flags & BN_CLI_CMD_WORDS)
			printf("        set cmdpath (string replace -r '^%s ' '' "
			       "-- \"$cmdpath\")\n", c->name);
	printf("    end\n"
	       "    echo $cmdpath\n"
	       "end\n\n"
	       "function __bnity_at\n"
	       "    set -l cmdpath (__bnity_path)\n"
	       "    test \"$cmdpath\" = \"$argv[1]\"\n"
	       "end\n\n"
	       "complete -c bnity -s h -l help -d 'Print the help'\n"
	       "complete -c bnity -n \"__bnity_at ''\" -l version "
	       "-d 'Print the version'\n");
	fish_put_commands("", bn_cli_commands);
	each(FISH, bn_cli_commands, "", fish_complete);
}

int bn_cli_completion_main(const bn_cli_args *a)
{
	const char *sh = a->pos[0];

	if (!strcmp(sh, "bash"))
		bash_script();
	else if (!strcmp(sh, "zsh"))
		zsh_script();
	else if (!strcmp(sh, "fish"))
		fish_script();
	else
		return bn_cli_usage(a->path, "no completion for '%s': "
				    "bash, zsh or fish", sh);
	return fflush(stdout) ? BN_EXIT_FAIL : BN_EXIT_OK;
}
