/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_wasm.c - `bnity wasm run`: run a WASI command module.
 *
 * Parses the flags, loads the module, preopens the --dir directories,
 * gives the guest only the --env variables, runs _start under the fuel,
 * memory, stack and wall-clock limits, and turns the outcome into an exit
 * status: the program's own, or 124 (a limit), 125 (another trap),
 * 126 (cannot load/validate/link), 2 (usage).  The contract for users is
 * docs/wasm-run.md.  Uses only libc and the engine's public headers.
 */
#include "cli/cmd_wasm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasm/wasi.h"
#include "wasm/wasm.h"

#define PROG "bnity wasm"
#define MAX_MODULE_BYTES ((uint64_t)1 << 30)
/*
 * Deeper than the engine's default: C programs recurse, and `wasm run`
 * is for whole programs (docs/wasm-run.md).
 */
#define DEFAULT_CALL_DEPTH 100000u

struct run_opts {
	bn_wasm_limits limits;         /* fuel, memory, call depth */
	uint64_t timeout_ms;           /* wall clock; 0 = none */
	uint64_t max_output_bytes;     /* stdout+stderr cap; 0 = none */
	bn_wasm_wasi_preopen *dirs;    /* ndirs preopens, strings owned */
	size_t ndirs;
	const char **env;              /* nenv "K=V", borrowed from argv */
	size_t nenv;
	const char *file;              /* the module */
	char **args;                   /* guest argv: FILE ARGS... */
	size_t nargs;
	bool verbose;                  /* --verbose: say how it ran */
};

static void usage(FILE *f)
{
	fputs("usage: bnity wasm run [OPTIONS] FILE.wasm [ARGS...]\n"
	      "\n"
	      "Run a WASI preview 1 command module.\n"
	      "\n"
	      BN_CLI_WASM_RUN_HELP,
	      f);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "%s run: %s%s%s\n", PROG, what, arg ? ": " : "",
		arg ? arg : "");
	fprintf(stderr, "Try 'bnity wasm help'.\n");
	return BN_CLI_WASM_EXIT_USAGE;
}

/* A decimal count with an optional binary K/M/G suffix if SUFFIX. */
static int parse_u64(uint64_t *out, const char *s, bool suffix)
{
	char *end;
	uint64_t v, mul = 1;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	if (suffix && *end) {
		switch (*end++) {
		case 'k': case 'K': mul = (uint64_t)1 << 10; break;
		case 'm': case 'M': mul = (uint64_t)1 << 20; break;
		case 'g': case 'G': mul = (uint64_t)1 << 30; break;
		default: return -EINVAL;
		}
	}
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

/* HOST, HOST::GUEST, either with ":ro" at the end. */
static int parse_dir(bn_wasm_wasi_preopen *out, const char *arg)
{
	size_t len = strlen(arg);
	const char *sep;
	char *host, *guest;

	out->read_only = len > 3 && !strcmp(arg + len - 3, ":ro");
	if (out->read_only)
		len -= 3;
	sep = strstr(arg, "::");
	if (sep && (size_t)(sep - arg) < len) {
		host = strndup(arg, (size_t)(sep - arg));
		guest = strndup(sep + 2, len - (size_t)(sep - arg) - 2);
	} else {
		host = strndup(arg, len);
		guest = strndup(arg, len);
	}
	if (!host || !guest || !*host || !*guest) {
		free(host);
		free(guest);
		return -EINVAL;
	}
	out->host_path = host;
	out->guest_path = guest;
	return 0;
}

static void opts_clear(struct run_opts *o)
{
	for (size_t i = 0; i < o->ndirs; i++) {
		free((char *)o->dirs[i].host_path);
		free((char *)o->dirs[i].guest_path);
	}
	free(o->dirs);
	free(o->env);
}

static bool is_opt(const char *arg, const char *name)
{
	return !strcmp(arg, name);
}

/* Parse one flag that takes VAL; returns 0 or a usage exit status. */
static int parse_flag(struct run_opts *o, const char *flag, const char *val)
{
	uint64_t v;

	if (is_opt(flag, "--fuel")) {
		if (parse_u64(&v, val, false) < 0 || v == 0)
			return usage_error("--fuel needs a positive count", val);
		o->limits.fuel = v;
	} else if (is_opt(flag, "--max-memory")) {
		if (parse_u64(&v, val, true) < 0)
			return usage_error("--max-memory needs a byte count",
					   val);
		o->limits.max_memory_bytes = v;
	} else if (is_opt(flag, "--max-call-depth")) {
		if (parse_u64(&v, val, false) < 0 || v == 0 || v > UINT32_MAX)
			return usage_error("--max-call-depth needs a count "
					   "from 1 to 4294967295", val);
		o->limits.max_call_depth = (uint32_t)v;
	} else if (is_opt(flag, "--engine")) {
		if (!strcmp(val, "auto") || !strcmp(val, "jit"))
			o->limits.engine = BN_WASM_ENGINE_AUTO;
		else if (!strcmp(val, "interp"))
			o->limits.engine = BN_WASM_ENGINE_INTERP;
		else
			return usage_error("--engine needs auto, jit or interp",
					   val);
	} else if (is_opt(flag, "--bounds")) {
		if (!strcmp(val, "auto"))
			o->limits.bounds = BN_WASM_BOUNDS_AUTO;
		else if (!strcmp(val, "check"))
			o->limits.bounds = BN_WASM_BOUNDS_CHECK;
		else
			return usage_error("--bounds needs auto or check", val);
	} else if (is_opt(flag, "--timeout")) {
		if (parse_u64(&v, val, false) < 0 || v == 0 ||
		    v > UINT64_MAX / 1000)
			return usage_error("--timeout needs whole seconds",
					   val);
		o->timeout_ms = v * 1000;
	} else if (is_opt(flag, "--max-output")) {
		if (parse_u64(&v, val, true) < 0 || v == 0)
			return usage_error("--max-output needs a byte count",
					   val);
		o->max_output_bytes = v;
	} else if (is_opt(flag, "--dir")) {
		bn_wasm_wasi_preopen *d = realloc(o->dirs,
						 (o->ndirs + 1) * sizeof *d);
		if (!d)
			return usage_error("out of memory", NULL);
		o->dirs = d;
		if (parse_dir(&d[o->ndirs], val) < 0)
			return usage_error("--dir needs HOST[::GUEST][:ro]",
					   val);
		o->ndirs++;
	} else if (is_opt(flag, "--env")) {
		const char **e = realloc(o->env, (o->nenv + 1) * sizeof *e);
		if (!e)
			return usage_error("out of memory", NULL);
		o->env = e;
		if (val[0] == '=' || !strchr(val, '='))
			return usage_error("--env needs KEY=VALUE", val);
		e[o->nenv++] = val;
	} else {
		return usage_error("unknown option", flag);
	}
	return 0;
}

/* ARGV: the words after "run". */
static int parse_run(struct run_opts *o, int argc, char **argv)
{
	int i = 0;
	bool ended = false;

	while (i < argc && argv[i][0] == '-' && argv[i][1] == '-') {
		const char *flag = argv[i], *eq = strchr(flag, '=');
		char name[32];
		int r;

		if (!strcmp(flag, "--")) {
			i++;
			ended = true;
			break;
		}
		if (!strcmp(flag, "--verbose")) {
			o->verbose = true;
			i++;
			continue;
		}
		if (eq) {  /* --flag=value */
			size_t n = (size_t)(eq - flag);
			if (n >= sizeof name)
				return usage_error("unknown option", flag);
			memcpy(name, flag, n);
			name[n] = 0;
			r = parse_flag(o, name, eq + 1);
			i++;
		} else {
			if (i + 1 >= argc)
				return usage_error("option needs a value", flag);
			r = parse_flag(o, flag, argv[i + 1]);
			i += 2;
		}
		if (r)
			return r;
	}
	if (!ended && i < argc && argv[i][0] == '-' && argv[i][1] != 0)
		return usage_error("unknown option", argv[i]);
	if (i >= argc)
		return usage_error("missing FILE.wasm", NULL);
	o->file = argv[i];
	o->args = &argv[i];
	o->nargs = (size_t)(argc - i);
	return 0;
}

/* Read the whole module file; 0 or a negated errno. */
static int read_module(uint8_t **out, size_t *len_out, const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int e;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		e = errno;
		(void)close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > MAX_MODULE_BYTES) {
		(void)close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		(void)close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			free(buf);
			(void)close(fd);
			return -e;
		}
		len += (size_t)n;
	}
	(void)close(fd);
	*out = buf;
	*len_out = len;
	return 0;
}

static bool is_limit_trap(bn_wasm_trap_kind k)
{
	return k == BN_WASM_TRAP_FUEL_EXHAUSTED ||
	       k == BN_WASM_TRAP_STACK_EXHAUSTED ||
	       k == BN_WASM_TRAP_INTERRUPTED;
}

static int report_trap(const struct run_opts *o, const bn_wasm_trap *t)
{
	const char *kind = bn_wasm_trap_kind_name(t->kind);
	bool limit = is_limit_trap(t->kind);

	fprintf(stderr, "%s run: %s: %s: %s", PROG, o->file,
		limit ? "limit reached" : "trap", kind ? kind : "?");
	if (t->msg[0] && (!kind || strcmp(t->msg, kind)))
		fprintf(stderr, ": %s", t->msg);
	if (t->func_index != UINT32_MAX)
		fprintf(stderr, " (function %" PRIu32 ", code offset 0x%" PRIx32
			")", t->func_index, t->code_offset);
	fputc('\n', stderr);
	return limit ? BN_CLI_WASM_EXIT_LIMIT : BN_CLI_WASM_EXIT_TRAP;
}

/*
 * The wall-clock limit: a thread that interrupts the store unless the run
 * ends first.  The interrupt happens under the lock and the thread is
 * joined before the store is freed, so it never sees a dead store.
 */
struct watchdog {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;                /* the run ended; under lock */
	struct timespec deadline; /* CLOCK_MONOTONIC */
	bn_wasm_store *store;     /* stopped at its next loop or call */
	bn_wasm_wasi *wasi;       /* woken from a blocking host call */
};

static void *watchdog_main(void *arg)
{
	struct watchdog *wd = arg;
	int r = 0;

	pthread_mutex_lock(&wd->lock);
	while (!wd->done && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&wd->cond, &wd->lock,
					   &wd->deadline);
	if (!wd->done) {
		bn_wasm_store_interrupt(wd->store);
		bn_wasm_wasi_interrupt(wd->wasi);
	}
	pthread_mutex_unlock(&wd->lock);
	return NULL;
}

static int watchdog_start(struct watchdog *wd, bn_wasm_store *s,
			  bn_wasm_wasi *w, uint64_t ms)
{
	pthread_condattr_t ca;
	int r;

	memset(wd, 0, sizeof *wd);
	wd->store = s;
	wd->wasi = w;
	(void)clock_gettime(CLOCK_MONOTONIC, &wd->deadline);
	wd->deadline.tv_sec += (time_t)(ms / 1000);
	wd->deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (wd->deadline.tv_nsec >= 1000000000) {
		wd->deadline.tv_sec++;
		wd->deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_init(&wd->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wd->cond, &ca);
	pthread_condattr_destroy(&ca);
	r = pthread_create(&wd->thread, NULL, watchdog_main, wd);
	if (r) {
		pthread_cond_destroy(&wd->cond);
		pthread_mutex_destroy(&wd->lock);
		return -r;
	}
	return 0;
}

static void watchdog_stop(struct watchdog *wd)
{
	pthread_mutex_lock(&wd->lock);
	wd->done = true;
	pthread_cond_signal(&wd->cond);
	pthread_mutex_unlock(&wd->lock);
	(void)pthread_join(wd->thread, NULL);
	pthread_cond_destroy(&wd->cond);
	pthread_mutex_destroy(&wd->lock);
}

/* --verbose: how the run went, one line on stderr. */
static void report_mode(const struct run_opts *o, const bn_wasm_store *s,
			const bn_wasm_instance *inst)
{
	bn_wasm_extern mem;
	bool jit = o->limits.engine != BN_WASM_ENGINE_INTERP &&
		   bn_wasm_instance_compiled(inst);
	const char *bounds = "no memory";

	if (bn_wasm_instance_export(&mem, inst, "memory") == 0 &&
	    mem.kind == BN_WASM_EXTERN_MEMORY)
		bounds = jit && bn_wasm_memory_guarded(mem.of.memory) ?
			 "guard pages" : "checked";
	fprintf(stderr, "%s run: engine=%s bounds=%s fuel=%llu "
		"memory_peak=%llu\n", PROG, jit ? "jit" : "interp", bounds,
		(unsigned long long)bn_wasm_store_fuel_used(s),
		(unsigned long long)bn_wasm_store_memory_peak(s));
}

/* Instantiate and run M in a fresh store; returns the exit status. */
static int run_module(const struct run_opts *o, bn_wasm_module *m,
		      bn_wasm_wasi *w)
{
	bn_wasm_store *s = NULL;
	bn_wasm_linker *l = NULL;
	bn_wasm_instance *inst;
	bn_wasm_trap trap;
	bn_wasm_err err;
	struct watchdog wd;
	bool timed = false;
	int r, status = BN_CLI_WASM_EXIT_LOAD;

	memset(&trap, 0, sizeof trap);
	err.msg[0] = 0;
	r = bn_wasm_store_new(&s, &o->limits);
	if (r == 0)
		r = bn_wasm_linker_new(&l);
	if (r == 0)
		r = bn_wasm_wasi_define(w, l, s);
	if (r < 0) {
		fprintf(stderr, "%s run: setting up the engine: %s\n", PROG,
			strerror(-r));
		goto out;
	}
	if (o->timeout_ms) {
		r = watchdog_start(&wd, s, w, o->timeout_ms);
		if (r < 0) {
			fprintf(stderr, "%s run: --timeout: %s\n", PROG,
				strerror(-r));
			goto out;
		}
		timed = true;
	}
	r = bn_wasm_linker_instantiate(&inst, l, s, m, &trap, &err);
	if (r == BN_WASM_ETRAP && trap.kind == BN_WASM_TRAP_EXIT) {
		status = trap.exit_code & 0xff;  /* proc_exit in a start func */
		goto out;
	}
	if (r == BN_WASM_ETRAP) {
		status = report_trap(o, &trap);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "%s run: %s: %s\n", PROG, o->file,
			err.msg[0] ? err.msg : strerror(-r));
		status = r == BN_WASM_ELIMIT ? BN_CLI_WASM_EXIT_LIMIT
					     : BN_CLI_WASM_EXIT_LOAD;
		goto out;
	}
	r = bn_wasm_wasi_run(&status, inst, s, &trap);
	if (o->verbose)
		report_mode(o, s, inst);
	if (r == BN_WASM_ETRAP) {
		status = report_trap(o, &trap);
	} else if (r < 0) {
		fprintf(stderr, "%s run: %s: %s\n", PROG, o->file,
			r == BN_WASM_ENOTFOUND ? "no _start function to run"
			: r == -EINVAL ? "_start is not a function [] -> []"
			: strerror(-r));
		status = BN_CLI_WASM_EXIT_LOAD;
	} else {
		status &= 0xff;
	}
out:
	if (timed)
		watchdog_stop(&wd);
	bn_wasm_linker_free(l);
	bn_wasm_store_free(s);
	return status;
}

int bn_cli_wasm_run(int argc, char **argv)
{
	struct run_opts o = { .limits = BN_WASM_LIMITS_INIT };
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	bn_wasm_module *m = NULL;
	bn_wasm_wasi *w = NULL;
	bn_wasm_err err;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int r, status;

	o.limits.max_call_depth = DEFAULT_CALL_DEPTH;
	status = parse_run(&o, argc, argv);
	if (status)
		goto out;
	status = BN_CLI_WASM_EXIT_LOAD;
	r = read_module(&bytes, &len, o.file);
	if (r < 0) {
		fprintf(stderr, "%s run: %s: %s\n", PROG, o.file,
			strerror(-r));
		goto out;
	}
	err.msg[0] = 0;
	r = bn_wasm_module_new(&m, bytes, len, &err);
	if (r < 0) {
		fprintf(stderr, "%s run: %s: %s\n", PROG, o.file,
			err.msg[0] ? err.msg : strerror(-r));
		goto out;
	}
	cfg.argv = (const char *const *)o.args;
	cfg.argc = o.nargs;
	cfg.envp = o.env;
	cfg.envc = o.nenv;
	cfg.preopens = o.dirs;
	cfg.npreopens = o.ndirs;
	cfg.max_output_bytes = o.max_output_bytes;
	err.msg[0] = 0;
	r = bn_wasm_wasi_new(&w, &cfg, &err);
	if (r < 0) {
		fprintf(stderr, "%s run: --dir: %s\n", PROG,
			err.msg[0] ? err.msg : strerror(-r));
		status = BN_CLI_WASM_EXIT_USAGE;
		goto out;
	}
	status = run_module(&o, m, w);
out:
	bn_wasm_wasi_free(w);
	bn_wasm_module_free(m);
	free(bytes);
	opts_clear(&o);
	return status;
}

int bn_cli_wasm_main(int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "help") ||
	    !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? BN_CLI_WASM_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[0], "run")) {
		if (argc == 2 && (!strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return 0;
		}
		return bn_cli_wasm_run(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'\n", PROG, argv[0]);
	usage(stderr);
	return BN_CLI_WASM_EXIT_USAGE;
}
