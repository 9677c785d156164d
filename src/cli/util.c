/* SPDX-License-Identifier: MIT */
/* cli/util.c - option parsing, error printing, JSON output (see cli.h). */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const bn_cli_optspec *find_spec(const bn_cli_optspec *specs,
				       const char *name, size_t len)
{
	for (; specs && specs->name; specs++)
		if (strlen(specs->name) == len &&
		    strncmp(specs->name, name, len) == 0)
			return specs;
	return NULL;
}

static const bn_cli_optspec *find_alias(const bn_cli_optspec *specs, char c)
{
	for (; specs && specs->name; specs++)
		if (specs->alias && specs->alias == c)
			return specs;
	return NULL;
}

/* Take the word argv[*i] as an option of the command of ARGS: 0, or
   the exit code after a usage error. */
static int take_option(bn_cli_args *args, int argc, char **argv, int *i)
{
	const bn_cli_optspec *sp, *specs = args->cmd->opts;
	const char *a = argv[*i], *eq = NULL, *val;
	int wlen, k;

	if (a[1] != '-') {
		/* -X: the alias of one option, alone in its word */
		sp = a[2] ? NULL : find_alias(specs, a[1]);
		if (!sp)
			return bn_cli_usage(args->path, "unknown option '%s'",
					    a);
	} else {
		const char *name = a + 2;
		size_t len;

		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		sp = find_spec(specs, name, len);
		if (!sp)
			return bn_cli_usage(args->path, "unknown option "
					    "'--%.*s'", (int)len, name);
	}
	k = (int)(sp - specs);
	/* the option as written, for messages: "-m", "--grant" */
	wlen = eq ? (int)(eq - a) : (int)strlen(a);
	if (sp->kind == BN_CLI_FLAG) {
		if (eq)
			return bn_cli_usage(args->path, "option '%.*s' takes "
					    "no value", wlen, a);
		args->value[k] = a;
		return 0;
	}
	if (!eq && *i + 1 >= argc)
		return bn_cli_usage(args->path, "option '%.*s' needs a value",
				    wlen, a);
	val = eq ? eq + 1 : argv[++*i];
	if (sp->kind == BN_CLI_VALUE) {
		args->value[k] = val;
		return 0;
	}
	if (!*val)
		return bn_cli_usage(args->path, "option '%.*s' needs a value",
				    wlen, a);
	if (args->list[k].n >= BN_CLI_LIST_MAX)
		return bn_cli_usage(args->path, "too many %.*s (at most %d)",
				    wlen, a, BN_CLI_LIST_MAX);
	bn_strv_push(&args->list[k], val);
	return 0;
}

static int parse_words(bn_cli_args *a, int argc, char **argv)
{
	const bn_cli_cmd *c = a->cmd;
	bool only_pos = false;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (only_pos || w[0] != '-' || strcmp(w, "-") == 0) {
			if (a->npos >= BN_CLI_ARGS_MAX &&
			    c->max_args != BN_CLI_ARGS_ANY)
				return bn_cli_usage(a->path, "too many "
					"arguments at '%s' (at most %d)", w,
					BN_CLI_ARGS_MAX);
			a->pos[a->npos++] = w;
		} else if (strcmp(w, "--") == 0) {
			only_pos = true;
		} else if (take_option(a, argc, argv, &i)) {
			return BN_EXIT_USAGE;
		}
	}
	if (a->npos >= c->min_args && a->npos <= c->max_args) {
		for (const bn_cli_optspec *sp = c->opts; sp && sp->name; sp++)
			if (sp->need && !a->value[sp - c->opts])
				return bn_cli_usage(a->path, "%s", sp->need);
		return 0;
	}
	if (c->want)
		return bn_cli_usage(a->path, "%s", c->want);
	if (c->max_args == 0)
		return bn_cli_usage(a->path, "unexpected argument '%s'",
				    a->pos[0]);
	return bn_cli_usage(a->path, "too many arguments at '%s' (at most %d)",
			    a->pos[c->max_args], c->max_args);
}

int bn_cli_args_parse(bn_cli_args *a, const bn_cli_cmd *c, const char *path,
		      int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->cmd = c;
	a->path = path;
	a->argc = argc;
	a->argv = argv;
	a->pos = bn_xcalloc((size_t)argc + 1, sizeof(*a->pos));
	if (c->flags & (BN_CLI_CMD_RAW | BN_CLI_CMD_WORDS))
		return 0;
	assert(c->want || c->min_args == 0);
	for (const bn_cli_optspec *sp = c->opts; sp && sp->name; sp++) {
		assert(sp - c->opts < BN_CLI_OPTS_MAX);
		assert(!sp->need || sp->kind == BN_CLI_VALUE);
	}
	if (parse_words(a, argc, argv)) {
		bn_cli_args_clear(a);
		return -1;
	}
	return 0;
}

void bn_cli_args_clear(bn_cli_args *a)
{
	for (int k = 0; k < BN_CLI_OPTS_MAX; k++)
		bn_strv_clear(&a->list[k]);
	free(a->pos);
	a->pos = NULL;
}

/* The index of option NAME of kind KIND in A's command; our own bug
   (asserted) when the table declares no such option. */
static int opt_index(const bn_cli_args *a, const char *name, int kind)
{
	const bn_cli_optspec *sp = find_spec(a->cmd->opts, name,
					     strlen(name));

	assert(sp && sp->kind == kind);
	(void)kind;
	return sp ? (int)(sp - a->cmd->opts) : -1;
}

bool bn_cli_flag(const bn_cli_args *a, const char *name)
{
	int k = opt_index(a, name, BN_CLI_FLAG);
	return k >= 0 && a->value[k];
}

const char *bn_cli_value(const bn_cli_args *a, const char *name)
{
	int k = opt_index(a, name, BN_CLI_VALUE);
	return k >= 0 ? a->value[k] : NULL;
}

const bn_strv *bn_cli_list(const bn_cli_args *a, const char *name)
{
	static const bn_strv none;
	int k = opt_index(a, name, BN_CLI_LIST);
	return k >= 0 ? &a->list[k] : &none;
}

bool bn_cli_parse_num(unsigned long long *out, const char *text,
		      unsigned long long lo, unsigned long long hi)
{
	unsigned long long v;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int bn_cli_parse_size(uint64_t *out, const char *text, bool suffix)
{
	unsigned long long v;
	unsigned shift = 0;
	bool overflow;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	overflow = errno == ERANGE;
	if (suffix && *end) {
		switch (*end++) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -EINVAL;
		}
	}
	if (*end)
		return -EINVAL;
	if (overflow || v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int bn_cli_fail(const bn_err *err)
{
	fprintf(stderr, "bnity: %s\n", err->msg[0] ? err->msg : "failed");
	return err->code == BN_EUSAGE ? BN_EXIT_USAGE : BN_EXIT_FAIL;
}

int bn_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bnity %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `bnity help %s`)\n", cmd);
	return BN_EXIT_USAGE;
}

void bn_cli_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(j);
}

void bn_cli_time_utc(char out[BN_CLI_TIME_SIZE], long long t,
		     const char *zero)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t && zero)
		snprintf(out, BN_CLI_TIME_SIZE, "%s", zero);
	else if (!gmtime_r(&tt, &tm) ||
		 !strftime(out, BN_CLI_TIME_SIZE, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, BN_CLI_TIME_SIZE, "%lld", t);
}

const char *bn_cli_database_url(void)
{
	const char *u = secure_getenv("BNITY_DATABASE_URL");
	return u && *u ? u : NULL;
}

int bn_cli_open_store(bn_store **out, bn_err *err)
{
	return bn_cli_open_store_db(out, bn_cli_database_url(), err);
}

int bn_cli_open_store_db(bn_store **out, const char *db_url, bn_err *err)
{
	char *home = NULL, *cwd = getcwd(NULL, 0);
	int r = bn_store_home_dir(&home, err);

	if (!r)
		r = bn_store_open_db(out, home, cwd, db_url, err);
	free(home);
	free(cwd);
	return r;
}

int bn_cli_ctx_open(bn_cli_ctx *c)
{
	bn_err_init(&c->err);
	c->store = NULL;
	if (bn_cli_open_store(&c->store, &c->err))
		return bn_cli_fail(&c->err);
	return 0;
}

int bn_cli_ctx_end(bn_cli_ctx *c, int r)
{
	bn_store_free(c->store);
	c->store = NULL;
	return r ? bn_cli_fail(&c->err) : BN_EXIT_OK;
}
