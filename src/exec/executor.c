/* SPDX-License-Identifier: MIT */
/*
 * exec/executor.c - one tool-skill invocation (see executor.h).
 *
 * The module runs as a WASI command: its input on stdin, its output on
 * stdout, both memfds the host owns; files only through the folders the
 * read_file / write_file grants name (preopened read-only / read-write at
 * the same path); everything else through the "bnity" imports.  A timer
 * thread interrupts the engine and WASI's blocking calls when the
 * wall-clock limit passes, and host calls wait no longer than the time
 * left (host.h).
 */
#include "executor.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fault.h"
#include "base/fs.h"
#include "exec/audit.h"
#include "exec/host.h"
#include "exec/worker.h"
#include "exec_int.h"
#include "wasm/wasi.h"
#include "sandbox/sandbox.h"
#include "wasm/wasm.h"

static const char *const tier_names[BN_EXEC_TIER_MAX] = {
	[BN_EXEC_TIER_UNTRUSTED] = "untrusted",
	[BN_EXEC_TIER_VERIFIED] = "verified",
	[BN_EXEC_TIER_LOCAL] = "local",
};

BN_STR_ENUM_NAME(bn_exec_tier, tier_names, "untrusted")
BN_STR_ENUM_PARSE(bn_exec_tier, tier_names)

void bn_exec_tier_limits(bn_exec_limits *out, bn_exec_tier t)
{
	switch (t) {
	case BN_EXEC_TIER_LOCAL:
		*out = (bn_exec_limits){ 20000000000ull, (uint64_t)1 << 30,
					 60000, (uint64_t)16 << 20 };
		break;
	case BN_EXEC_TIER_VERIFIED:
		*out = (bn_exec_limits){ 5000000000ull, (uint64_t)256 << 20,
					 20000, (uint64_t)4 << 20 };
		break;
	default:
		*out = (bn_exec_limits){ 1000000000ull, (uint64_t)64 << 20,
					 10000, (uint64_t)1 << 20 };
		break;
	}
}

void bn_exec_result_clear(bn_exec_result *r)
{
	free(r->output);
	free(r->error);
	free(r->notice);
	free(r->grant_spec);
	free(r->grant_command);
	memset(r, 0, sizeof(*r));
}

/* ---- the wall-clock timer ----------------------------------------------- */

typedef struct timer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bn_wasm_store *store;
	bn_wasm_wasi *wasi;          /* its blocking calls wake too */
	uint64_t timeout_ms;
	int cancel_fd;               /* > 0: the caller's cancellation */
	const atomic_bool *cancel;   /* or NULL: an agent turn's (Ctrl-C) */
	bool done;                   /* the run finished: stop waiting */
	bool fired;                  /* the limit passed: store interrupted */
	bool cancelled;              /* the caller cancelled: interrupted */
} timer;

/* How often a cancellable run looks at its cancel_fd or flag. */
#define CANCEL_POLL_MS 20

static bool cancel_seen(const timer *t)
{
	struct pollfd p = { t->cancel_fd, POLLIN, 0 };

	return (t->cancel && atomic_load(t->cancel)) ||
	       (t->cancel_fd > 0 && poll(&p, 1, 0) > 0 &&
		(p.revents & POLLIN));
}

static void *timer_main(void *arg)
{
	timer *t = arg;
	struct timespec until, step;
	uint64_t end_ms = bn_clock_now_ms() + t->timeout_ms;

	bn_clock_deadline_ts(&until, t->timeout_ms);
	pthread_mutex_lock(&t->lock);
	while (!t->done) {
		uint64_t now = bn_clock_now_ms();
		bool sliced = (t->cancel_fd > 0 || t->cancel) && now < end_ms &&
			      end_ms - now > CANCEL_POLL_MS;

		if (sliced)
			bn_clock_deadline_ts(&step, CANCEL_POLL_MS);
		int w = pthread_cond_timedwait(&t->cond, &t->lock,
					       sliced ? &step : &until);
		if (t->done)
			break;
		if (cancel_seen(t)) {
			t->cancelled = true;
			bn_wasm_store_interrupt(t->store);
			bn_wasm_wasi_interrupt(t->wasi);
			break;
		}
		if (w == ETIMEDOUT && !sliced) {
			t->fired = true;
			bn_wasm_store_interrupt(t->store);
			bn_wasm_wasi_interrupt(t->wasi);
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int timer_start(timer *t, bn_wasm_store *s, bn_wasm_wasi *w,
		       uint64_t timeout_ms, int cancel_fd,
		       const atomic_bool *cancel)
{
	*t = (timer){ .store = s, .wasi = w, .timeout_ms = timeout_ms,
		      .cancel_fd = cancel_fd, .cancel = cancel };
	pthread_mutex_init(&t->lock, NULL);
	bn_clock_cond_init(&t->cond);
	return pthread_create(&t->thread, NULL, timer_main, t);
}

static void timer_stop(timer *t)
{
	pthread_mutex_lock(&t->lock);
	t->done = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
}

/* ---- helpers ------------------------------------------------------------ */

int bn_exec__memfd_with(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	const char *p = data;
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read back what the module wrote to FD, at most MAX bytes. */
char *bn_exec__memfd_take(int fd, size_t max, size_t *len_out)
{
	off_t end = lseek(fd, 0, SEEK_END);
	size_t n = end < 0 ? 0 : (size_t)end, got = 0;
	char *p;

	if (n > max)
		n = max;
	p = bn_xmalloc(n + 1);
	if (lseek(fd, 0, SEEK_SET) == 0) {
		while (got < n) {
			ssize_t r = read(fd, p + got, n - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
	}
	p[got] = '\0';
	*len_out = got;
	return p;
}

/* ---- the run ---------------------------------------------------------- */

/* The supervisor's wall clock of a worker started ahead: its backstop,
   since the run's own wall clock is the broker's (a run whose grant
   allows more than this starts a worker of its own). */
#define PRESTART_LIFETIME_MS ((uint64_t)120 * 1000)

typedef struct run_ctx {
	bn_exec__run *run;           /* the skill, its grants, its record */
	bn_exec_result *res;
	int fds[3];                  /* stdin, stdout, stderr memfds */
	struct bn_exec_pool *pool;   /* warm workers, or NULL */
	int cancel_fd;               /* the request's, or 0 */
	const atomic_bool *cancel;   /* the caller's, or NULL */
	bn_exec__prestart *prestart; /* without a pool: its worker, started
					ahead (exec_int.h) */
} run_ctx;

/* The trap's limit name, or NULL when it is not a limit. */
static const char *trap_limit(const bn_wasm_trap *t, bool timer_fired)
{
	switch (t->kind) {
	case BN_WASM_TRAP_FUEL_EXHAUSTED: return "fuel";
	case BN_WASM_TRAP_STACK_EXHAUSTED: return "stack";
	case BN_WASM_TRAP_INTERRUPTED: return timer_fired ? "time" : NULL;
	default: return NULL;
	}
}

static void describe_limit(bn_exec_result *res)
{
	const bn_exec_limits *l = &res->limits;
	char *msg = NULL;

	if (!strcmp(res->limit, "fuel"))
		msg = bn_xasprintf("fuel limit exhausted (%llu units)",
				   (unsigned long long)l->fuel);
	else if (!strcmp(res->limit, "time"))
		msg = bn_xasprintf("time limit exceeded (%llu ms)",
				   (unsigned long long)l->timeout_ms);
	else if (!strcmp(res->limit, "memory"))
		msg = bn_xasprintf("memory limit reached (%llu bytes)",
				   (unsigned long long)l->memory_bytes);
	else if (!strcmp(res->limit, "output"))
		msg = bn_xasprintf("output limit exceeded (%llu bytes)",
				   (unsigned long long)l->output_bytes);
	else
		msg = bn_xstrdup("stack limit exhausted (call depth)");
	free(res->error);
	res->error = msg;
}

/* The caller cancelled the run (bn_exec_request.cancel_fd). */
static void cancelled(bn_exec_result *res)
{
	res->outcome = "cancelled";
	res->limit = NULL;
	free(res->error);
	res->error = bn_xstrdup("cancelled by the caller");
}

/* The granted folders as WASI preopens (owned array, paths borrowed from
   the grants), each recorded in the audit log. */
static bn_wasm_wasi_preopen *grant_preopens(run_ctx *c, size_t *n_out)
{
	const bn_exec_grants *gs = &c->run->grants;
	bn_wasm_wasi_preopen *pre = bn_xcalloc(gs->n ? gs->n : 1, sizeof(*pre));
	size_t npre = 0;

	for (size_t i = 0; i < gs->n; i++) {
		const bn_exec_grant *g = &gs->v[i];
		if (g->cap != BN_EXEC_CAP_READ_FILE &&
		    g->cap != BN_EXEC_CAP_WRITE_FILE)
			continue;
		pre[npre].host_path = g->scope;
		pre[npre].guest_path = g->scope;
		pre[npre].read_only = g->cap == BN_EXEC_CAP_READ_FILE;
		npre++;
		(void)bn_exec_audit_call(c->run->store, c->run->audit_id,
			bn_exec_cap_name(g->cap), g->scope, true,
			g->cap == BN_EXEC_CAP_READ_FILE ?
			"folder opened read-only for the run" :
			"folder opened read-write for the run", NULL);
	}
	*n_out = npre;
	return pre;
}

/* S without its trailing white space (in place). */
static char *trim_end(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

/* Classify how a run ended, from what the engine (or the worker) saw. */
typedef struct run_end {
	int r;                       /* 0, BN_WASM_ETRAP, or a load error */
	const char *load_error;      /* text for a load/link failure */
	bool no_start;
	int status;
	const bn_wasm_trap *trap;
	bool timer_fired;
	bool mem_refused;
	bool output_full;
	const char *stderr_text;
	size_t stderr_len;
} run_end;

static void classify(bn_exec_result *res, const run_end *e)
{
	if (e->no_start || e->load_error) {
		res->outcome = "error";
		res->error = bn_xstrdup(e->no_start ?
			"the module has no _start function: a tool skill is "
			"a WASI command" : e->load_error);
		return;
	}
	if (e->r == BN_WASM_ETRAP) {
		res->limit = trap_limit(e->trap, e->timer_fired);
		/* a module that traps after the cap refused it memory
		   (malloc failing, then abort) ran out of memory */
		if (!res->limit && e->mem_refused &&
		    e->trap->kind != BN_WASM_TRAP_EXIT)
			res->limit = "memory";
		res->outcome = res->limit ? "limit" : "trap";
		if (res->limit)
			describe_limit(res);
		else
			res->error = bn_xasprintf("trap: %s (function %u, "
				"offset %u)", e->trap->msg, e->trap->func_index,
				e->trap->code_offset);
	} else if (e->status != 0) {
		res->exit_code = e->status;
		/* a module that ran out of memory or output usually says so
		   by failing: name the limit it hit */
		if (e->output_full)
			res->limit = "output";
		else if (e->mem_refused)
			res->limit = "memory";
		if (res->limit) {
			res->outcome = "limit";
			describe_limit(res);
		} else {
			res->outcome = "error";
			res->error = e->stderr_len ? trim_end(bn_xstrdup(
				e->stderr_text)) :
				bn_xasprintf("the skill exited with status %d",
					     e->status);
		}
	} else if (e->output_full) {
		res->outcome = "limit";
		res->limit = "output";
		describe_limit(res);
	} else {
		res->outcome = "ok";
		res->ok = true;
	}
}

static void take_output(bn_exec_result *res, run_ctx *c, char **stderr_text,
			size_t *stderr_len)
{
	size_t out_len = 0;
	res->output = bn_exec__memfd_take(c->fds[1], res->limits.output_bytes,
				 &out_len);
	res->output_len = out_len;
	*stderr_text = bn_exec__memfd_take(c->fds[2], 64 << 10, stderr_len);
}

/* The host services of C's run: its store, skill, bot, grants, record. */
static void host_for(bn_exec_host *h, const run_ctx *c)
{
	h->store = c->run->store;
	h->skill = c->run->sk->name;
	h->bot = c->run->bot;
	h->run_id = c->run->audit_id;
	h->grants = &c->run->grants;
}

static int run_module(run_ctx *c, const bn_wasm_module *mod, bn_err *err)
{
	bn_exec_result *res = c->res;
	bn_wasm_limits wl = BN_WASM_LIMITS_INIT;
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	bn_wasm_wasi_preopen *pre = NULL;
	bn_exec_host host = { 0 };
	bn_wasm_instance *inst = NULL;
	bn_wasm_linker *linker = NULL;
	bn_wasm_store *store = NULL;
	bn_wasm_wasi *wasi = NULL;
	bn_wasm_trap trap = { 0 };
	bn_wasm_err werr = { { 0 } };
	const char *argv[1] = { c->run->sk->name };
	size_t npre = 0;
	timer tm;
	int status = 0, r;

	pre = grant_preopens(c, &npre);
	bn_exec__run_config(&cfg, &wl, argv, pre, npre, c->fds, &res->limits);
	r = bn_wasm_wasi_new(&wasi, &cfg, &werr);
	if (r) {
		r = bn_err_set(err, BN_EIO, "cannot set up WASI: %s", werr.msg);
		goto out;
	}
	if ((r = bn_wasm_store_new(&store, &wl)) ||
	    (r = bn_wasm_linker_new(&linker)) ||
	    (r = bn_wasm_wasi_define(wasi, linker, store))) {
		r = bn_err_oom(err);
		goto out;
	}
	host_for(&host, c);
	host.http_body_max_bytes = res->limits.output_bytes;
	host.http_timeout_ms = res->limits.timeout_ms;
	if ((r = bn_exec_host_define(&host, linker, store))) {
		r = bn_err_oom(err);
		goto out;
	}
	/* host calls wait no longer than the run may last (host.h) */
	host.deadline_ms = bn_clock_now_ms() + res->limits.timeout_ms;
	if (timer_start(&tm, store, wasi, res->limits.timeout_ms,
			c->cancel_fd, c->cancel)) {
		r = bn_err_set(err, BN_EIO, "cannot start the run's timer");
		goto out;
	}
	r = bn_wasm_linker_instantiate(&inst, linker, store, mod, &trap, &werr);
	if (r == 0) {
		r = bn_wasm_wasi_run(&status, inst, store, &trap);
	}
	timer_stop(&tm);
	res->fuel_used = bn_wasm_store_fuel_used(store);
	res->memory_peak = bn_wasm_store_memory_peak(store);
	bool mem_refused = bn_wasm_store_memory_refused(store) > 0;
	res->host_calls = host.calls;
	res->host_denied = host.denied;
	if (tm.cancelled) {
		cancelled(res);
		r = 0;
		goto out;
	}
	if (r == BN_WASM_ELIMIT) {
		res->outcome = "limit";
		res->limit = "memory";
		describe_limit(res);
		r = 0;
		goto out;
	}
	char *stderr_text = NULL;
	size_t err_len = 0;
	take_output(res, c, &stderr_text, &err_len);
	run_end e = {
		.r = r == 0 || r == BN_WASM_ETRAP ? r : -1,
		.load_error = r && r != BN_WASM_ETRAP && r != BN_WASM_ENOTFOUND
			? (werr.msg[0] ? werr.msg : "the module cannot run")
			: NULL,
		.no_start = r == BN_WASM_ENOTFOUND,
		.status = status,
		.trap = &trap,
		.timer_fired = tm.fired || host.out_of_time,
		.mem_refused = mem_refused,
		.output_full = res->limits.output_bytes &&
			bn_wasm_wasi_output_bytes(wasi) >=
			res->limits.output_bytes,
		.stderr_text = stderr_text,
		.stderr_len = err_len,
	};
	classify(res, &e);
	free(stderr_text);
	r = 0;
out:
	bn_exec_host_clear(&host);
	bn_wasm_linker_free(linker);
	bn_wasm_store_free(store);
	bn_wasm_wasi_free(wasi);
	free(pre);
	return r;
}

void bn_exec__run_config(bn_wasm_wasi_config *cfg, bn_wasm_limits *wl,
			 const char *const *argv0,
			 const bn_wasm_wasi_preopen *pre, size_t npre,
			 const int fds[3], const bn_exec_limits *limits)
{
	cfg->argv = argv0;
	cfg->argc = 1;
	cfg->preopens = pre;
	cfg->npreopens = npre;
	cfg->stdin_fd = fds[0];
	cfg->stdout_fd = fds[1];
	cfg->stderr_fd = fds[2];
	cfg->max_output_bytes = limits->output_bytes;
	wl->fuel = limits->fuel;
	wl->max_memory_bytes = limits->memory_bytes;
}

/* Whether the untrusted may run with weaker confinement (a setting). */
bool bn_exec__allow_weaker(void)
{
	const char *v = secure_getenv("BNITY_SANDBOX_ALLOW_WEAKER");
	return v && (!strcmp(v, "1") || !strcmp(v, "yes") ||
		     !strcmp(v, "true"));
}

/*
 * A verified or untrusted skill: the module's bytes go, unparsed, to a
 * worker that confines itself before touching them; its host calls come
 * back here.
 */
static int run_confined(run_ctx *c, const char *bytes, size_t nbytes,
			bn_err *err)
{
	bn_exec_result *res = c->res;
	bn_exec_worker_outcome o;
	bn_exec_worker_job job = { 0 };
	bn_exec_host host = { 0 };
	bn_wasm_trap trap = { 0 };
	char *stderr_text = NULL;
	size_t npre = 0, err_len = 0;
	int r;

	job.preopens = grant_preopens(c, &npre);
	job.npreopens = npre;
	host_for(&host, c);
	host.http_body_max_bytes = res->limits.output_bytes <
		BN_EXEC_WORKER_MSG_MAX - 1024 ? res->limits.output_bytes :
		BN_EXEC_WORKER_MSG_MAX - 1024;
	host.http_timeout_ms = res->limits.timeout_ms;
	host.cancel = c->cancel;
	job.name = c->run->sk->name;
	job.identity = c->run->sk->hash;
	job.pool = c->pool;
	job.wasm = (const uint8_t *)bytes;
	job.wasm_len = nbytes;
	job.limits = res->limits;
	job.fds[0] = c->fds[0];
	job.fds[1] = c->fds[1];
	job.fds[2] = c->fds[2];
	job.host = &host;
	/* a local skill runs in-process elsewhere: confinement is for
	   keeping its crash out of the server, not a condition to run */
	job.allow_weaker = res->tier == BN_EXEC_TIER_LOCAL ||
			   bn_exec__allow_weaker();
	job.cancel_fd = c->cancel_fd;
	job.prestart = c->prestart;
	r = bn_exec_worker_run(&o, &job, err);
	free((void *)job.preopens);
	if (r) {
		bn_exec_host_clear(&host);
		if (r == BN_EDENIED)
			bn_err_prefix(err, "%s skill '%s' not run: the confined "
				"worker it requires is not available (set "
				"BNITY_SANDBOX_ALLOW_WEAKER=1 to accept weaker "
				"confinement; see `bnity sandbox status`)",
				bn_exec_tier_name(res->tier), c->run->sk->name);
		return r;
	}
	if (o.weakened)
		(void)bn_exec_audit_call(c->run->store, c->run->audit_id,
			"sandbox", o.weakened, true, "ran with weaker confinement "
			"(BNITY_SANDBOX_ALLOW_WEAKER): these were missing",
			NULL);
	res->fuel_used = o.fuel_used;
	res->memory_peak = o.memory_peak;
	res->worker_pid = o.worker_pid;
	res->worker_calls = o.worker_calls;
	res->spawn_us = o.spawn_us;
	res->host_calls = host.calls;
	res->host_denied = host.denied;
	bn_exec_host_clear(&host);
	take_output(res, c, &stderr_text, &err_len);
	if (o.cancelled) {
		cancelled(res);
	} else if (o.protocol_error) {
		res->outcome = "error";
		res->error = bn_xstrdup(o.protocol_msg);
	} else if (o.timed_out) {
		res->outcome = "limit";
		res->limit = "time";
		describe_limit(res);
	} else if (o.reported && o.load_limit) {
		/* as in-process: instantiation over the memory cap */
		res->outcome = "limit";
		res->limit = "memory";
		describe_limit(res);
	} else if (!o.reported) {
		/* the OS ended it: a limit of the confinement, or a
		   forbidden system call */
		res->outcome = o.end == BN_SANDBOX_END_MEMORY ? "limit" : "trap";
		if (o.end == BN_SANDBOX_END_MEMORY) {
			res->limit = "memory";
			describe_limit(res);
		} else {
			res->error = bn_xasprintf("the worker was stopped by "
				"the sandbox (%s)", o.end_name);
		}
	} else {
		trap.kind = o.trap;
		trap.func_index = o.func_index;
		trap.code_offset = o.code_offset;
		snprintf(trap.msg, sizeof(trap.msg), "%s", o.trap_msg);
		run_end e = {
			.r = o.trap != BN_WASM_TRAP_NONE ? BN_WASM_ETRAP : 0,
			.load_error = o.load_error[0] ? o.load_error : NULL,
			.no_start = o.no_start,
			.status = o.status,
			.trap = &trap,
			.timer_fired = false,
			.mem_refused = o.memory_refused > 0,
			.output_full = res->limits.output_bytes &&
				o.output_bytes >= res->limits.output_bytes,
			.stderr_text = stderr_text,
			.stderr_len = err_len,
		};
		classify(res, &e);
	}
	free(stderr_text);
	bn_exec_worker_outcome_clear(&o);
	return 0;
}

/*
 * The module of skill TOOL at PATH, read once into *bytes (owned): these
 * bytes are both what is checked against the identity the run's tier and
 * grants were decided for (bn_exec__run_loaded) and what runs.
 */
static int load_module(char **bytes, size_t *n, bn_exec__run *run,
		       const char *tool, const char *path, bn_err *err)
{
	int r;

	if (!bn_fs_is_file(path))
		return bn_err_set(err, BN_EINVAL, "skill '%s' has no "
				  "skill.wasm: build it with `bnity skill "
				  "build %s`", tool, tool);
	bn_fault_replace("run-before-load", path);
	if ((r = bn_fs_read_file(bytes, n, path, BN_EXEC_WASM_MAX_BYTES, err)))
		return r;
	return bn_exec__run_loaded(run, tool, NULL, &(bn_skill_tree_file){
		"skill.wasm", *bytes, *n }, err);
}

static int run_full(bn_exec_result *out, bn_store *s,
		    const bn_exec_request *req, const bn_exec_caller *caller,
		    const bn_exec_trace *trace, bn_err *err);

int bn_exec_run(bn_exec_result *out, bn_store *s, const bn_exec_request *req,
		bn_err *err)
{
	return run_full(out, s, req, NULL, NULL, err);
}

int bn_exec_run_as(bn_exec_result *out, bn_store *s,
		   const bn_exec_request *req, const bn_exec_caller *caller,
		   bn_err *err)
{
	return run_full(out, s, req, caller, NULL, err);
}

int bn_exec_run_traced(bn_exec_result *out, bn_store *s,
		       const bn_exec_request *req, const bn_exec_trace *trace,
		       bn_err *err)
{
	return run_full(out, s, req, NULL, trace, err);
}

/* Whether a spare fits tier T's default limits (the local tier's pass
   them: its runs start a worker of their own). */
static bool tier_fits_spare(bn_exec_tier t)
{
	bn_exec_limits l;

	bn_exec_tier_limits(&l, t);
	return l.memory_bytes <= BN_EXEC__SPARE_MEMORY &&
	       l.output_bytes <= BN_EXEC__SPARE_OUTPUT &&
	       l.timeout_ms < PRESTART_LIFETIME_MS;
}

/* A run for CALLER (may be NULL) with TRACE (may be NULL). */
static int run_full(bn_exec_result *out, bn_store *s,
		    const bn_exec_request *req, const bn_exec_caller *caller,
		    const bn_exec_trace *trace, bn_err *err)
{
	bn_exec__run run;
	bn_skill_resolved resolved = { 0 };
	bn_exec_result res = { 0 };
	bn_wasm_module *mod = NULL;
	bn_wasm_err werr = { { 0 } };
	run_ctx c = { .run = &run, .res = &res, .fds = { -1, -1, -1 },
		      .pool = req->pool,
		      .cancel_fd = caller ? caller->cancel_fd : 0 };
	char *wasm_path = NULL, *bytes = NULL;
	size_t nbytes = 0;
	bn_exec__prestart ps;
	bool in_worker = false;
	int r;

	if ((r = bn_exec__run_open(&run, s, req->skill, req->bot, req->input,
				   req->input_len, err)))
		goto out;
	run.ar.actor = req->actor;
	run.ar.owner = req->owner;
	run.ar.client = caller ? caller->client : NULL;
	if (trace) {
		run.ar.trace = *trace;
		c.cancel = trace->cancel;
	}
	if ((r = bn_store_skill_resolve(&resolved, &run.all, req->skill,
					err))) {
		r = bn_exec__run_refuse(&run, r, err);
		goto out;
	}
	if (!resolved.tool) {
		r = bn_err_set(err, BN_EINVAL, "skill '%s' is a prompt skill: "
			       "it has instructions but no tool to run",
			       req->skill);
		r = bn_exec__run_refuse(&run, r, err);
		goto out;
	}
	/* the module is code of the skill that provides it: a wrapper
	   never lends its own tier to another skill's module */
	bn_exec__run_code(&run, resolved.tool->name);
	res.tier = run.tier;
	/* only local skills run in-process (unless the caller keeps every
	   skill out of process), so only they are parsed here; the others
	   only in their confined worker */
	in_worker = res.tier != BN_EXEC_TIER_LOCAL || req->local_in_worker;
	if (in_worker && !req->pool && tier_fits_spare(res.tier)) {
		/* its worker starts now, while the module is read and
		   checked and the audit record written */
		bn_exec__prestart_begin(&ps, PRESTART_LIFETIME_MS,
					res.tier == BN_EXEC_TIER_LOCAL ||
					bn_exec__allow_weaker());
		c.prestart = &ps;
	}
	/* the child's module, or the nearest ancestor's */
	wasm_path = bn_fs_join(resolved.tool->dir, "skill.wasm");
	if ((r = load_module(&bytes, &nbytes, &run, resolved.tool->name,
			     wasm_path, err))) {
		r = bn_exec__run_refuse(&run, r, err);
		goto out;
	}
	if ((r = bn_exec__run_begin(&run, err)))
		goto out;
	res.limits = run.limits;
	res.audit_id = run.audit_id;
	res.notice = run.notice ? bn_xstrdup(run.notice) : NULL;
	if (!in_worker &&
	    bn_wasm_module_new(&mod, (const uint8_t *)bytes, nbytes, &werr)) {
		r = bn_err_set(err, BN_EINVAL, "%s: %s", wasm_path, werr.msg);
		goto fail;
	}
	c.fds[0] = bn_exec__memfd_with("bnity-stdin", req->input ? req->input : "",
			      req->input_len);
	c.fds[1] = memfd_create("bnity-stdout", MFD_CLOEXEC);
	c.fds[2] = memfd_create("bnity-stderr", MFD_CLOEXEC);
	if (c.fds[0] < 0 || c.fds[1] < 0 || c.fds[2] < 0) {
		r = bn_err_set(err, BN_EIO, "cannot make the run's stdio: %s",
			       strerror(errno));
		goto fail;
	}
	r = in_worker ? run_confined(&c, bytes, nbytes, err) :
	    run_module(&c, mod, err);
	if (r)
		goto fail;
	run.ar.fuel = res.fuel_used;
	run.ar.memory_peak = res.memory_peak;
	if ((r = bn_exec__run_end(&run, res.outcome, &res.error, res.output,
				  res.output_len, err)))
		goto out;
	res.duration_ms = run.ar.duration_ms;
	if (res.host_denied) {
		const char **d = bn_xcalloc(resolved.capabilities.n + 1,
					    sizeof(*d));
		for (size_t i = 0; i < resolved.capabilities.n; i++)
			d[i] = resolved.capabilities.v[i].value;
		(void)bn_exec_grant_command(&res.grant_spec,
			&res.grant_command, s, res.audit_id, req->skill,
			req->bot, d, resolved.capabilities.n);
		free(d);
	}
	*out = res;
	memset(&res, 0, sizeof(res));
	goto out;

fail:
	bn_exec__run_fail(&run, err);
out:
	if (c.prestart)
		bn_exec__prestart_end(c.prestart);
	for (int i = 0; i < 3; i++)
		if (c.fds[i] >= 0)
			close(c.fds[i]);
	bn_wasm_module_free(mod);
	bn_exec_result_clear(&res);
	bn_skill_resolved_clear(&resolved);
	bn_exec__run_clear(&run);
	free(wasm_path);
	free(bytes);
	return r;
}
