/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_sandbox.c - `bnity sandbox run` (a native program under the
 * confinement of src/sandbox) and `bnity sandbox status` (what this
 * machine offers and what is in force).  Exit codes: cmd_sandbox.h and
 * docs/sandbox.md.
 */
#include "cmd_sandbox.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"
#include "cli.h"
#include "sandbox/sandbox.h"

#define MAX_PATHS 64
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* What `sandbox run` was asked for. */
typedef struct run_args {
	const char *read[MAX_PATHS];  /* --read */
	size_t n_read;
	const char *write[MAX_PATHS]; /* --write */
	size_t n_write;
	double time_s;                /* --time, 0 = default */
	uint64_t memory_bytes;        /* --memory, 0 = default */
	char **cmd;                   /* CMD ARGS..., NULL-terminated */
} run_args;

static bool env_is_one(const char *name)
{
	const char *v = secure_getenv(name);
	return v && !strcmp(v, "1");
}

static int parse_seconds(double *out, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 86400)
		return -1;
	*out = v;
	return 0;
}

/* The value of option A at argv[*i] ("--x V" or "--x=V"), or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *a,
			     const char *name)
{
	size_t n = strlen(name);

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int add_path(const char **v, size_t *n, const char *p)
{
	if (*n >= MAX_PATHS)
		return bn_cli_usage("sandbox run", "more than %d paths",
				    MAX_PATHS);
	v[(*n)++] = p;
	return 0;
}

static int parse_opt(run_args *ra, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;

	if ((v = opt_value(argc, argv, i, a, "--read")))
		return add_path(ra->read, &ra->n_read, v);
	if ((v = opt_value(argc, argv, i, a, "--write")))
		return add_path(ra->write, &ra->n_write, v);
	if ((v = opt_value(argc, argv, i, a, "--net"))) {
		if (strcmp(v, "none"))
			return bn_cli_usage("sandbox run", "--net: only "
					    "'none' is supported, not '%s'", v);
		return 0;
	}
	if ((v = opt_value(argc, argv, i, a, "--time")))
		return parse_seconds(&ra->time_s, v) ?
		       bn_cli_usage("sandbox run", "--time: bad seconds "
				    "'%s'", v) : 0;
	if ((v = opt_value(argc, argv, i, a, "--memory")))
		return bn_cli_parse_size(&ra->memory_bytes, v, true) ||
		       ra->memory_bytes == 0 ?
		       bn_cli_usage("sandbox run", "--memory: bad size '%s'",
				    v) : 0;
	return bn_cli_usage("sandbox run", "unknown option or missing value "
			    "'%s'", a);
}

static int parse_run(run_args *ra, int argc, char **argv)
{
	int i;

	memset(ra, 0, sizeof(*ra));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if (parse_opt(ra, argc, argv, &i))
			return BN_EXIT_USAGE;
	}
	if (i >= argc)
		return bn_cli_usage("sandbox run", "name the command to run "
				    "after --");
	ra->cmd = argv + i;
	return 0;
}

/* The absolute path of CMD (owned): as given with a '/', else on PATH. */
static char *resolve_cmd(const char *cmd, bn_err *err)
{
	const char *path = secure_getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(cmd, '/')) {
		found = realpath(cmd, NULL);
		if (!found)
			bn_err_set(err, -errno, "sandbox run: '%s': %s", cmd,
				   strerror(errno));
		return found;
	}
	copy = bn_xstrdup(path && *path ? path : DEFAULT_PATH);
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = bn_fs_join(dir, cmd);
		if (!access(cand, X_OK))
			found = realpath(cand, NULL);
		free(cand);
	}
	free(copy);
	if (!found)
		bn_err_set(err, BN_ENOTFOUND, "sandbox run: '%s': not found "
			   "on PATH", cmd);
	return found;
}

/* The child's whole environment: nothing of ours leaks (no secrets). */
static char **make_env(const run_args *ra)
{
	const char *home = ra->n_write ? ra->write[0] : "/nonexistent";
	char **env = bn_xcalloc(5, sizeof(char *));

	env[0] = bn_xstrdup("PATH=" DEFAULT_PATH);
	env[1] = bn_xasprintf("HOME=%s", home);
	env[2] = bn_xasprintf("TMPDIR=%s", ra->n_write ? home : "/tmp");
	env[3] = bn_xstrdup("LANG=C");
	return env;
}

static void free_env(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

static int report(const bn_sandbox_result *res)
{
	if (getenv("BNITY_SANDBOX_TRACE"))
		fprintf(stderr, "sandbox: run: %llu us wall, %llu us cpu, "
			"%llu KiB max rss\n",
			(unsigned long long)res->wall_us,
			(unsigned long long)res->cpu_us,
			(unsigned long long)res->maxrss_kb);
	switch (res->end) {
	case BN_SANDBOX_END_EXIT:
		return res->exit_code;
	case BN_SANDBOX_END_SIGNAL:
		fprintf(stderr, "bnity: sandbox: killed by signal %d (%s)\n",
			res->signal, strsignal(res->signal));
		return 128 + res->signal;
	default:
		fprintf(stderr, "bnity: sandbox: limit reached: %s%s\n",
			bn_sandbox_end_name(res->end),
			res->end == BN_SANDBOX_END_SECCOMP ?
			" (forbidden system call)" : "");
		return BN_EXIT_SANDBOX_LIMIT;
	}
}

static void fill_policy(bn_sandbox_policy *p, const run_args *ra)
{
	static const int stdio_fds[3] = { 0, 1, 2 };

	p->read_paths = ra->read;
	p->n_read_paths = ra->n_read;
	p->write_paths = ra->write;
	p->n_write_paths = ra->n_write;
	p->allow_exec = true;
	if (ra->memory_bytes)
		p->memory_bytes = ra->memory_bytes;
	if (ra->time_s > 0) {
		/* Rounded up; parse_seconds caps time_s at a day. */
		p->wall_ms = (uint64_t)(ra->time_s * 1000.0 + 0.999);
		p->cpu_seconds = (uint64_t)ra->time_s;
		if ((double)p->cpu_seconds < ra->time_s)
			p->cpu_seconds++;
	}
	p->keep_fds = stdio_fds;
	p->n_keep_fds = 3;
	p->allow_weaker = env_is_one("BNITY_SANDBOX_ALLOW_WEAKER");
	p->trace_fd = getenv("BNITY_SANDBOX_TRACE") ? 2 : -1;
}

int bn_cli_sandbox_run(const bn_cli_args *a)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_target tg = { 0 };
	bn_sandbox_result res;
	char *exe, **env, *weak = NULL;
	run_args ra;
	bn_err err;
	int r;

	if ((r = parse_run(&ra, a->argc, a->argv)))
		return r;
	bn_err_init(&err);
	exe = resolve_cmd(ra.cmd[0], &err);
	if (!exe)
		return bn_cli_fail(&err);
	fill_policy(&pol, &ra);
	env = make_env(&ra);
	ra.cmd[0] = exe; /* argv[0] becomes the absolute path */
	tg.argv = (const char *const *)ra.cmd;
	tg.envp = (const char *const *)env;
	fflush(NULL);
	r = bn_sandbox_run(&res, &weak, &pol, &tg, &err);
	if (!r && weak && *weak)
		fprintf(stderr, "bnity: warning: weaker confinement accepted: "
			"missing %s\n", weak);
	free(weak);
	free_env(env);
	free(exe);
	if (r)
		return bn_cli_fail(&err);
	return report(&res);
}

static json_t *status_json(const bn_sandbox_status *st, bool weaker)
{
	json_t *o = json_object(), *a = json_array();

	for (int m = 0; m < BN_SANDBOX_MECH_MAX; m++) {
		json_t *e = json_object();
		json_object_set_new(e, "name", json_string(
			bn_sandbox_mech_name((bn_sandbox_mech)m)));
		json_object_set_new(e, "offered",
				    json_boolean(st->mech[m].offered));
		json_object_set_new(e, "in_force",
				    json_boolean(st->mech[m].in_force));
		json_object_set_new(e, "note", json_string(st->mech[m].note));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "mechanisms", a);
	json_object_set_new(o, "landlock_abi", json_integer(st->landlock_abi));
	json_object_set_new(o, "allow_weaker", json_boolean(weaker));
	return o;
}

/* Everything but seccomp-notify is required unless weaker is accepted. */
static bool all_required(const bn_sandbox_status *st)
{
	for (int m = 0; m < BN_SANDBOX_MECH_MAX; m++)
		if (m != BN_SANDBOX_MECH_SECCOMP_NOTIFY &&
		    m != BN_SANDBOX_MECH_CLOSE_RANGE && !st->mech[m].offered)
			return false;
	return true;
}

int bn_cli_sandbox_status(const bn_cli_args *a)
{
	bool weaker = env_is_one("BNITY_SANDBOX_ALLOW_WEAKER");
	bn_sandbox_status st;

	bn_sandbox_probe(&st);
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(status_json(&st, weaker));
		return BN_EXIT_OK;
	}
	printf("%-16s %-8s %-9s %s\n", "MECHANISM", "OFFERED", "IN FORCE",
	       "NOTE");
	for (int m = 0; m < BN_SANDBOX_MECH_MAX; m++)
		printf("%-16s %-8s %-9s %s\n",
		       bn_sandbox_mech_name((bn_sandbox_mech)m),
		       st.mech[m].offered ? "yes" : "no",
		       st.mech[m].in_force ? "yes" : "no", st.mech[m].note);
	printf("untrusted runs: %s\n", all_required(&st) ?
	       "fully confined" : weaker ?
	       "allowed with weaker confinement (BNITY_SANDBOX_ALLOW_WEAKER=1)"
	       : "refused: a mechanism is missing "
		 "(BNITY_SANDBOX_ALLOW_WEAKER=1 accepts it)");
	return BN_EXIT_OK;
}
