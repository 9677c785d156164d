/* SPDX-License-Identifier: MIT */
/* cli/util.c - option parsing, error printing, JSON output (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const bn_cli_opt *find_opt(const bn_cli_opt *opts, const char *name,
				  size_t len)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == len &&
		    strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

int bn_cli_parse(int argc, char **argv, const bn_cli_opt *opts,
		 const char **pos, int pos_cap, int *npos, const char *cmd)
{
	bool only_pos = false;
	int i, n = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
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
			bn_cli_usage(cmd, "unknown option '%s'", a);
			return -1;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const bn_cli_opt *o = find_opt(opts, name, len);
		if (!o) {
			bn_cli_usage(cmd, "unknown option '--%.*s'", (int)len,
				     name);
			return -1;
		}
		if (!o->has_value) {
			if (eq) {
				bn_cli_usage(cmd, "option '--%s' takes no value",
					     o->name);
				return -1;
			}
			*o->flag = true;
			continue;
		}
		if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			bn_cli_usage(cmd, "option '--%s' needs a value",
				     o->name);
			return -1;
		}
	}
	*npos = n;
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

int bn_cli_open_store(bn_store **out, bn_err *err)
{
	char *home = NULL, *cwd = getcwd(NULL, 0);
	int r = bn_store_home_dir(&home, err);

	if (!r)
		r = bn_store_open(out, home, cwd, err);
	free(home);
	free(cwd);
	return r;
}

int bn_cli_dispatch(const char *group, int argc, char **argv,
		    const bn_cli_sub *subs)
{
	const char *sub = argc > 0 ? argv[0] : NULL;
	const bn_cli_sub *c;

	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		bn_cli_help(group);
		return sub ? BN_EXIT_OK : BN_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help")) {
			char words[96];
			snprintf(words, sizeof(words), "%s %s", group, sub);
			return bn_cli_help(words) ? BN_EXIT_OK : BN_EXIT_USAGE;
		}
	}
	for (c = subs; c->name; c++)
		if (!strcmp(sub, c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "bnity: unknown command '%s %s' (see `bnity help "
		"%s`)\n", group, sub, group);
	return BN_EXIT_USAGE;
}
