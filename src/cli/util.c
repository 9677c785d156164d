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

static const bn_cli_opt *find_opt(const bn_cli_opt *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts;
	return NULL;
}

/*
 * Whether the options a command receives are the ones the table
 * declares for it, of the same kinds; says which is not on stderr.  Our
 * own bug when false: the table (commands.c) and the command disagree.
 */
static bool opts_match_table(const bn_cli_cmd *c, const bn_cli_opt *opts,
			     const char *cmd)
{
	const bn_cli_optspec *sp;
	const bn_cli_opt *o;

	if (!c || !c->fn || (c->flags & BN_CLI_CMD_RAW)) {
		fprintf(stderr, "bnity: internal error: '%s' is not a command "
			"of the table that takes options\n", cmd);
		return false;
	}
	for (o = opts; o && o->name; o++) {
		sp = find_spec(c->opts, o->name, strlen(o->name));
		if (!sp || sp->kind != o->kind) {
			fprintf(stderr, "bnity: internal error: option --%s "
				"of '%s' is %s the command table\n", o->name,
				cmd, sp ? "of another kind in" : "not in");
			return false;
		}
	}
	for (sp = c->opts; sp && sp->name; sp++)
		if (!find_opt(opts, sp->name)) {
			fprintf(stderr, "bnity: internal error: '%s' takes no "
				"option --%s, which the command table lists\n",
				cmd, sp->name);
			return false;
		}
	return true;
}

/* Store VAL, the value of O written as the WLEN bytes at WHAT; -1
   after a usage error. */
static int take_value(const bn_cli_opt *o, const char *what, int wlen,
		      const char *val, const char *cmd)
{
	bn_strv *list = o->target;

	if (o->kind == BN_CLI_VALUE) {
		*o->value = val;
		return 0;
	}
	if (!*val) {
		bn_cli_usage(cmd, "option '%.*s' needs a value", wlen, what);
		return -1;
	}
	if (list->n >= BN_CLI_LIST_MAX) {
		bn_cli_usage(cmd, "too many %.*s (at most %d)", wlen, what,
			     BN_CLI_LIST_MAX);
		return -1;
	}
	bn_strv_push(list, val);
	return 0;
}

int bn_cli_parse(int argc, char **argv, const bn_cli_opt *opts,
		 const char **pos, int pos_cap, int *npos, const char *cmd)
{
	const bn_cli_cmd *c = bn_cli_cmd_find(cmd);
	bool only_pos = false;
	int i, n = 0;

	if (!opts_match_table(c, opts, cmd)) {
		assert(!"the command table and the command disagree");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = NULL;
		const bn_cli_optspec *sp;
		int wlen;

		if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
			if (n >= pos_cap) {
				bn_cli_usage(cmd, "too many arguments at '%s' "
					     "(at most %d)", a, pos_cap);
				return -1;
			}
			pos[n++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (a[1] != '-') {
			/* -X: the alias of one option, alone in its word */
			sp = a[2] ? NULL : find_alias(c->opts, a[1]);
			if (!sp) {
				bn_cli_usage(cmd, "unknown option '%s'", a);
				return -1;
			}
		} else {
			const char *name = a + 2;
			size_t len;

			eq = strchr(name, '=');
			len = eq ? (size_t)(eq - name) : strlen(name);
			sp = find_spec(c->opts, name, len);
			if (!sp) {
				bn_cli_usage(cmd, "unknown option '--%.*s'",
					     (int)len, name);
				return -1;
			}
		}
		/* the option as written, for messages: "-m", "--grant" */
		wlen = eq ? (int)(eq - a) : (int)strlen(a);
		const bn_cli_opt *o = find_opt(opts, sp->name);
		assert(o && o->kind == sp->kind); /* opts_match_table */
		if (sp->kind == BN_CLI_FLAG) {
			if (eq) {
				bn_cli_usage(cmd, "option '%.*s' takes no value",
					     wlen, a);
				return -1;
			}
			*(bool *)o->target = true;
			continue;
		}
		if (!eq && i + 1 >= argc) {
			bn_cli_usage(cmd, "option '%.*s' needs a value", wlen, a);
			return -1;
		}
		if (take_value(o, a, wlen, eq ? eq + 1 : argv[++i], cmd))
			return -1;
	}
	*npos = n;
	return 0;
}

int bn_cli_parse_n(int argc, char **argv, const bn_cli_opt *opts,
		   const char **pos, int pos_cap, int *npos, const char *cmd,
		   int min, int max, const char *want)
{
	assert(want || min == 0);
	if (bn_cli_parse(argc, argv, opts, pos, pos_cap, npos, cmd))
		return -1;
	if (*npos >= min && *npos <= max)
		return 0;
	if (want)
		bn_cli_usage(cmd, "%s", want);
	else
		bn_cli_usage(cmd, "unexpected argument '%s'", pos[max]);
	return -1;
}

int bn_cli_parse_json(int argc, char **argv, const char *cmd, bool *json)
{
	const char *pos[64];     /* room to name a stray argument */
	int npos;
	const bn_cli_opt opts[] = {
		{ "json", BN_CLI_FLAG, NULL, json },
		{ NULL, BN_CLI_FLAG, NULL, NULL } };

	return bn_cli_parse_n(argc, argv, opts, pos, BN_CLI_CAP(pos), &npos,
			      cmd, 0, 0, NULL);
}

int bn_cli_parse_one(int argc, char **argv, const char *cmd,
		     const char *want, const char **arg)
{
	const char *pos[64];     /* room for a few too many */
	int npos;

	if (bn_cli_parse_n(argc, argv, NULL, pos, BN_CLI_CAP(pos), &npos, cmd,
			   1, 1, want))
		return -1;
	*arg = pos[0];
	return 0;
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
