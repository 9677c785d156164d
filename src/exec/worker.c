/* SPDX-License-Identifier: MIT */
/*
 * exec/worker.c - a tool skill in a confined worker (see worker.h).
 *
 * The worker is a fresh image of bnity (`bnity __worker`, started by
 * the spawner, sandbox/spawner.h) with an empty environment: it confines
 * itself, then receives its job on the channel (JOB: the module in a
 * memfd, its name, limits and preopens) and only then decodes,
 * validates, instantiates and runs the module.  Nothing of the broker's
 * memory is in it.  Its "bnity" imports are stubs that
 * copy their arguments out of linear memory and ask the broker, which
 * alone holds the grants, the secrets, the network and the audit log.
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "exec_int.h"
#include "sandbox/protocol.h"
#include "sandbox/sandbox.h"
#include "sandbox/spawner.h"

enum { MSG_REQ = 1, MSG_RESP = 2, MSG_DONE = 3, MSG_JOB = 4 };

/* The worker's descriptors: stdin, stdout, stderr, the channel. */
enum { WORKER_CHAN = 3, WORKER_NFDS = 4 };

/* A module in the JOB memfd is at most this big. */
#define JOB_WASM_MAX ((size_t)256 << 20)

void bn_exec_worker_outcome_clear(bn_exec_worker_outcome *o)
{
	free(o->weakened);
	memset(o, 0, sizeof(*o));
}

/* ---- the worker side ------------------------------------------------------ */

typedef struct worker_ctx {
	const bn_exec_worker_job *job;
	int chan;                 /* the worker's end of the channel */
} worker_ctx;

/* A "bnity" import in the worker: copy, ask the broker, mirror. */
static int remote_call(bn_wasm_caller *c, const bn_wasm_val *args,
		       bn_wasm_val *res, void *payload)
{
	bn_exec_host_binding *b = payload;
	bn_exec_host *h = b->host;
	const worker_ctx *w = h->remote;
	unsigned nstr = bn_exec_host_fn_nstr(b->fn);
	bn_exec_host_args a;
	bn_sandbox_msg m = { 0 };
	bn_buf req = BN_BUF_INIT;
	int32_t code = bn_exec_host_args_copy(&a, h, c, b->fn, args);
	size_t total = 16;

	res[0].type = BN_WASM_I32;
	if (code) {
		res[0].of.i32 = (uint32_t)code;
		return 0;
	}
	for (unsigned i = 0; i < nstr; i++)
		total += 4 + a.len[i];
	if (total > BN_EXEC_WORKER_MSG_MAX) {
		bn_exec_host_args_clear(&a);
		bn_exec_host_set_error(h, "the arguments of one call are over "
				       "1 MiB together in a confined run");
		res[0].of.i32 = (uint32_t)BN_EXEC_ABI_EINVAL;
		return 0;
	}
	bn_sandbox_put_u32(&req, (uint32_t)b->fn);
	bn_sandbox_put_u32(&req, nstr);
	for (unsigned i = 0; i < nstr; i++)
		bn_sandbox_put_bytes(&req, a.s[i], a.len[i]);
	bn_sandbox_put_u32(&req, (uint32_t)a.n);
	bn_exec_host_args_clear(&a);
	if (bn_sandbox_msg_send(w->chan, MSG_REQ, req.data, req.len, NULL, 0,
				NULL) ||
	    bn_sandbox_msg_recv(&m, w->chan, BN_SANDBOX_MSG_MAX_BYTES, NULL) ||
	    m.type != MSG_RESP) {
		bn_buf_clear(&req);
		bn_sandbox_msg_clear(&m);
		return bn_wasm_caller_trap(c, "the broker did not answer");
	}
	bn_buf_clear(&req);
	bn_sandbox_cursor cur = bn_sandbox_cursor_of(&m);
	size_t rlen, elen;
	code = (int32_t)bn_sandbox_get_u32(&cur);
	h->http_status = (int32_t)bn_sandbox_get_u32(&cur);
	const uint8_t *r = bn_sandbox_get_bytes(&cur, BN_EXEC_WORKER_MSG_MAX, &rlen);
	const uint8_t *e = bn_sandbox_get_bytes(&cur, sizeof(h->last_error) - 1, &elen);
	if (cur.bad) {
		bn_sandbox_msg_clear(&m);
		return bn_wasm_caller_trap(c, "malformed answer from the broker");
	}
	if (code >= 0) {
		char *copy = bn_xmalloc(rlen + 1);
		memcpy(copy, r, rlen);
		copy[rlen] = '\0';
		bn_exec_host_set_result(h, copy, rlen);
	}
	memcpy(h->last_error, e, elen);
	h->last_error[elen] = '\0';
	bn_sandbox_msg_clear(&m);
	res[0].of.i32 = (uint32_t)code;
	return 0;
}

/* LOAD_LIMIT: instantiation failed on the memory cap (load_error says
   which memory, table or segment). */
static void send_done(int chan, int status, const bn_wasm_trap *trap,
		      bn_wasm_store *s, bn_wasm_wasi *wasi,
		      const char *load_error, bool no_start, bool load_limit)
{
	bn_buf b = BN_BUF_INIT;
	const char *tm = trap ? trap->msg : "";

	bn_sandbox_put_u32(&b, (uint32_t)status);
	bn_sandbox_put_u32(&b, trap ? (uint32_t)trap->kind : 0);
	bn_sandbox_put_u32(&b, trap ? trap->func_index : 0);
	bn_sandbox_put_u32(&b, trap ? trap->code_offset : 0);
	bn_sandbox_put_u64(&b, s ? bn_wasm_store_fuel_used(s) : 0);
	bn_sandbox_put_u64(&b, s ? bn_wasm_store_memory_peak(s) : 0);
	bn_sandbox_put_u64(&b, s ? bn_wasm_store_memory_refused(s) : 0);
	bn_sandbox_put_u64(&b, wasi ? bn_wasm_wasi_output_bytes(wasi) : 0);
	bn_sandbox_put_u32(&b, no_start ? 1 : 0);
	bn_sandbox_put_u32(&b, load_limit ? 1 : 0);
	bn_sandbox_put_bytes(&b, tm, strlen(tm));
	bn_sandbox_put_bytes(&b, load_error ? load_error : "",
		  load_error ? strlen(load_error) : 0);
	(void)bn_sandbox_msg_send(chan, MSG_DONE, b.data, b.len, NULL, 0,
				  NULL);
	bn_buf_clear(&b);
}

/*
 * The worker's module: compiled on its first job, then kept for every
 * later job of the worker (a pooled worker serves one identity, so one
 * module).  Compiling seals executable memory for good: a second module
 * cannot be compiled, and the pool never sends one.
 */
typedef struct worker_module {
	bn_wasm_module *mod;      /* NULL until the first job */
	bool sealed;
} worker_module;

/* Compile JOB's module into WM; false after reporting why it cannot. */
static bool module_load(worker_module *wm, const worker_ctx *w)
{
	const bn_exec_worker_job *job = w->job;
	bn_wasm_err werr = { { 0 } };
	bn_err serr = { 0, "" };

	if (!job->wasm) {
		if (wm->mod)
			return true;
		send_done(w->chan, 0, NULL, NULL, NULL, "the worker has no "
			  "module", false, false);
		return false;
	}
	if (wm->mod || wm->sealed) {
		send_done(w->chan, 0, NULL, NULL, NULL, "a worker runs one "
			  "module only", false, false);
		return false;
	}
	if (bn_wasm_module_new(&wm->mod, job->wasm, job->wasm_len, &werr)) {
		send_done(w->chan, 0, NULL, NULL, NULL, werr.msg, false,
			  false);
		return false;
	}
	/* the module is machine code now: no more executable memory.  A
	   kernel without seccomp (ENOSYS, EINVAL) was accepted as weaker
	   confinement already; any other failure stops the run. */
	wm->sealed = true;
	if (bn_sandbox_seal_exec(&serr) && serr.code != -ENOSYS &&
	    serr.code != -EINVAL) {
		send_done(w->chan, 0, NULL, NULL, NULL, serr.msg, false,
			  false);
		return false;
	}
	return true;
}

/* One job: a fresh store, instance, linear memory and WASI state. */
static void worker_job(worker_ctx *w, const bn_wasm_module *mod)
{
	const bn_exec_worker_job *job = w->job;
	const char *argv[1] = { job->name };
	int status = 0, r;
	bn_exec_host mirror = { .remote = w };
	bn_wasm_limits wl = BN_WASM_LIMITS_INIT;
	bn_wasm_wasi_config cfg = BN_WASM_WASI_CONFIG_INIT;
	bn_wasm_trap trap = { 0 };
	bn_wasm_store *store = NULL;
	bn_wasm_err werr = { { 0 } };
	bn_wasm_linker *linker = NULL;
	bn_wasm_wasi *wasi = NULL;
	bn_wasm_instance *inst = NULL;

	bn_exec__run_config(&cfg, &wl, argv, job->preopens, job->npreopens,
			    job->fds, &job->limits);
	if (bn_wasm_wasi_new(&wasi, &cfg, &werr)) {
		send_done(w->chan, 0, NULL, NULL, NULL, werr.msg, false,
			  false);
		goto out;
	}
	if (bn_wasm_store_new(&store, &wl) || bn_wasm_linker_new(&linker) ||
	    bn_wasm_wasi_define(wasi, linker, store) ||
	    bn_exec_host_define_with(&mirror, linker, store, remote_call)) {
		send_done(w->chan, 0, NULL, NULL, NULL, "out of memory", false,
			  false);
		goto out;
	}
	r = bn_wasm_linker_instantiate(&inst, linker, store, mod, &trap, &werr);
	if (r && r != BN_WASM_ETRAP) {
		send_done(w->chan, 0, NULL, store, wasi, werr.msg, false,
			  r == BN_WASM_ELIMIT);
		goto out;
	}
	if (r == 0)
		r = bn_wasm_wasi_run(&status, inst, store, &trap);
	if (r == BN_WASM_ENOTFOUND || r == -EINVAL)
		send_done(w->chan, 0, NULL, store, wasi, NULL, true, false);
	else
		send_done(w->chan, status, r == BN_WASM_ETRAP ? &trap : NULL,
			  store, wasi, NULL, false, false);
out:
	bn_exec_host_clear(&mirror);
	bn_wasm_linker_free(linker);
	bn_wasm_store_free(store);
	bn_wasm_wasi_free(wasi);
}

/* The job as the worker holds it (owned). */
typedef struct worker_job_in {
	bn_exec_worker_job job;
	int fds[3];            /* the job's stdin, stdout, stderr */
	char *name;
	uint8_t *wasm;
	bn_wasm_wasi_preopen *pre;
	char **paths;          /* host and guest path of each preopen */
} worker_job_in;

static void job_in_clear(worker_job_in *in)
{
	for (int i = 0; i < 3; i++)
		if (in->fds[i] >= 0)
			close(in->fds[i]);
	for (size_t i = 0; in->paths && i < 2 * in->job.npreopens; i++)
		free(in->paths[i]);
	free(in->paths);
	free(in->pre);
	free(in->wasm);
	free(in->name);
}

/* The module bytes from the JOB memfd (read from offset 0). */
static uint8_t *read_module(int fd, size_t *len)
{
	struct stat st;
	uint8_t *p;
	size_t got = 0;

	if (fstat(fd, &st) || st.st_size < 0 ||
	    (uint64_t)st.st_size > JOB_WASM_MAX)
		return NULL;
	p = bn_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t k = pread(fd, p + got, (size_t)st.st_size - got,
				  (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			free(p);
			return NULL;
		}
		got += (size_t)k;
	}
	*len = got;
	return p;
}

static bool decode_job(worker_job_in *in, const bn_sandbox_msg *m)
{
	bn_sandbox_cursor c = bn_sandbox_cursor_of(m);
	bn_exec_worker_job *job = &in->job;
	uint32_t n;

	in->name = bn_sandbox_get_str(&c, 4096);
	job->limits.fuel = bn_sandbox_get_u64(&c);
	job->limits.memory_bytes = bn_sandbox_get_u64(&c);
	job->limits.timeout_ms = bn_sandbox_get_u64(&c);
	job->limits.output_bytes = bn_sandbox_get_u64(&c);
	n = bn_sandbox_get_u32(&c);
	/* stdin, stdout, stderr, then the module unless the worker has it */
	for (size_t i = 0; i < 3 && i < m->n_fds; i++)
		in->job.fds[i] = in->fds[i] = m->fds[i];
	if (c.bad || n > 4096 || (m->n_fds != 3 && m->n_fds != 4))
		return false;
	in->pre = bn_xcalloc(n + 1, sizeof(*in->pre));
	in->paths = bn_xcalloc(2 * (size_t)n + 1, sizeof(char *));
	for (uint32_t i = 0; i < n; i++) {
		in->paths[2 * i] = bn_sandbox_get_str(&c, PATH_MAX);
		in->paths[2 * i + 1] = bn_sandbox_get_str(&c, PATH_MAX);
		in->pre[i].read_only = bn_sandbox_get_u32(&c) != 0;
		in->pre[i].host_path = in->paths[2 * i];
		in->pre[i].guest_path = in->paths[2 * i + 1];
		job->npreopens = i + 1;
		if (c.bad)
			return false;
	}
	if (!bn_sandbox_cursor_done(&c))
		return false;
	job->name = in->name;
	job->preopens = in->pre;
	if (m->n_fds == 3)
		return true;
	in->wasm = read_module(m->fds[3], &job->wasm_len);
	job->wasm = in->wasm;
	return in->wasm != NULL;
}

int bn_exec_worker_main(int argc, char **argv)
{
	worker_module wm = { 0 };
	worker_ctx w;
	int r;

	if ((r = bn_sandbox_worker_enter(argc, argv)) < 0)
		return -r;
	if (r != WORKER_NFDS)
		return 1;
	/* one job after another until the broker closes the channel (a
	   one-shot run: after its first) */
	for (;;) {
		worker_job_in in;
		bn_sandbox_msg m = { 0 };

		memset(&in, 0, sizeof(in));
		in.fds[0] = in.fds[1] = in.fds[2] = -1;
		r = bn_sandbox_msg_recv(&m, WORKER_CHAN,
					BN_SANDBOX_MSG_MAX_BYTES, NULL);
		if (r == -EPIPE)
			break;
		bool ok = !r && m.type == MSG_JOB && decode_job(&in, &m);

		/* stdio is the job's now (job_in_clear); the module's memfd
		   goes with the message */
		for (size_t i = 0; !r && m.type == MSG_JOB && i < 3 &&
		     i < m.n_fds; i++)
			m.fds[i] = -1;
		bn_sandbox_msg_clear(&m);
		if (!ok) {
			job_in_clear(&in);
			r = 1;
			break;
		}
		w.job = &in.job;
		w.chan = WORKER_CHAN;
		if (module_load(&wm, &w))
			worker_job(&w, wm.mod);
		job_in_clear(&in);
		r = 0;
	}
	bn_wasm_module_free(wm.mod);
	return r;
}

/* Send the job to the worker: its stdio, and the module in a memfd
   unless WITH_MODULE is false (the worker has it compiled). */
static int send_job(int chan, const bn_exec_worker_job *job,
		    bool with_module, bn_err *err)
{
	bn_buf b = BN_BUF_INIT;
	int fds[4] = { job->fds[0], job->fds[1], job->fds[2], -1 }, r;

	if (with_module) {
		fds[3] = bn_exec__memfd_with("bnity-module", job->wasm,
					     job->wasm_len);
		if (fds[3] < 0)
			return bn_err_set(err, BN_EIO, "worker: memfd for the "
					  "module: %s", strerror(errno));
	}
	bn_sandbox_put_str(&b, job->name);
	bn_sandbox_put_u64(&b, job->limits.fuel);
	bn_sandbox_put_u64(&b, job->limits.memory_bytes);
	bn_sandbox_put_u64(&b, job->limits.timeout_ms);
	bn_sandbox_put_u64(&b, job->limits.output_bytes);
	bn_sandbox_put_u32(&b, (uint32_t)job->npreopens);
	for (size_t i = 0; i < job->npreopens; i++) {
		bn_sandbox_put_str(&b, job->preopens[i].host_path);
		bn_sandbox_put_str(&b, job->preopens[i].guest_path);
		bn_sandbox_put_u32(&b, job->preopens[i].read_only);
	}
	r = bn_sandbox_msg_send(chan, MSG_JOB, b.data, b.len, fds,
				with_module ? 4 : 3, err);
	bn_buf_clear(&b);
	if (fds[3] >= 0)
		close(fds[3]);
	return r;
}

/* ---- the broker side ----------------------------------------------------- */

static void protocol_error(bn_exec_worker_outcome *out, const char *what)
{
	out->protocol_error = true;
	snprintf(out->protocol_msg, sizeof(out->protocol_msg),
		 "the worker broke the broker protocol: %s", what);
}

/* Answer one REQ; false when it is malformed. */
static bool serve(bn_exec_host *h, int chan, const bn_sandbox_msg *m,
		  bn_exec_worker_outcome *out)
{
	bn_sandbox_cursor c = bn_sandbox_cursor_of(m);
	bn_exec_host_args a;
	uint32_t fn = bn_sandbox_get_u32(&c), nstr = bn_sandbox_get_u32(&c);
	bn_buf resp = BN_BUF_INIT;
	int32_t code;
	int r;

	memset(&a, 0, sizeof(a));
	if (c.bad || fn >= BN_EXEC_HOST_FN_MAX ||
	    nstr != bn_exec_host_fn_nstr((bn_exec_host_fn)fn)) {
		protocol_error(out, "a call with an unknown function or "
			       "argument count");
		return false;
	}
	for (uint32_t i = 0; i < nstr; i++) {
		size_t len;
		const uint8_t *p = bn_sandbox_get_bytes(&c, BN_EXEC_HOST_ARG_MAX, &len);
		if (c.bad)
			break;
		a.s[i] = bn_xmalloc(len + 1);
		memcpy(a.s[i], p, len);
		a.s[i][len] = '\0';
		a.len[i] = len;
	}
	a.n = (int32_t)bn_sandbox_get_u32(&c);
	if (!bn_sandbox_cursor_done(&c)) {
		bn_exec_host_args_clear(&a);
		protocol_error(out, "a malformed call");
		return false;
	}
	/* the same checks the in-process copy makes: no NUL in names */
	bool nul = false;
	for (uint32_t i = 0; i < nstr; i++)
		if (!(fn == BN_EXEC_HOST_HTTP_POST && i == 2) &&
		    memchr(a.s[i], '\0', a.len[i]))
			nul = true;
	if (nul) {
		bn_exec_host_set_error(h, "an argument holds a NUL byte");
		code = BN_EXEC_ABI_EINVAL;
	} else {
		code = bn_exec_host_op(h, (bn_exec_host_fn)fn, &a);
	}
	bn_exec_host_args_clear(&a);
	bn_sandbox_put_u32(&resp, (uint32_t)code);
	bn_sandbox_put_u32(&resp, (uint32_t)h->http_status);
	if (code >= 0 && h->result)
		bn_sandbox_put_bytes(&resp, h->result, h->result_len);
	else
		bn_sandbox_put_bytes(&resp, "", 0);
	bn_sandbox_put_bytes(&resp, h->last_error, strlen(h->last_error));
	bn_exec_host_clear(h);
	r = bn_sandbox_msg_send(chan, MSG_RESP, resp.data, resp.len, NULL, 0,
				NULL);
	bn_buf_clear(&resp);
	/* a worker that went away mid-call ends by itself */
	(void)r;
	return true;
}

static bool read_done(const bn_sandbox_msg *m, bn_exec_worker_outcome *out)
{
	bn_sandbox_cursor c = bn_sandbox_cursor_of(m);
	size_t tl, ll;
	const uint8_t *t, *l;
	uint32_t kind;

	out->status = (int)bn_sandbox_get_u32(&c);
	kind = bn_sandbox_get_u32(&c);
	out->func_index = bn_sandbox_get_u32(&c);
	out->code_offset = bn_sandbox_get_u32(&c);
	out->fuel_used = bn_sandbox_get_u64(&c);
	out->memory_peak = bn_sandbox_get_u64(&c);
	out->memory_refused = bn_sandbox_get_u64(&c);
	out->output_bytes = bn_sandbox_get_u64(&c);
	out->no_start = bn_sandbox_get_u32(&c) != 0;
	out->load_limit = bn_sandbox_get_u32(&c) != 0;
	t = bn_sandbox_get_bytes(&c, sizeof(out->trap_msg) - 1, &tl);
	l = bn_sandbox_get_bytes(&c, sizeof(out->load_error) - 1, &ll);
	if (!bn_sandbox_cursor_done(&c) || kind >= BN_WASM_TRAP_KIND_MAX) {
		protocol_error(out, "a malformed final report");
		return false;
	}
	out->trap = (bn_wasm_trap_kind)kind;
	memcpy(out->trap_msg, t, tl);
	out->trap_msg[tl] = '\0';
	memcpy(out->load_error, l, ll);
	out->load_error[ll] = '\0';
	out->reported = true;
	return true;
}

/* The caller cancelled the run: CANCEL_FD (> 0) is readable. */
static bool is_cancelled(int cancel_fd)
{
	struct pollfd p = { cancel_fd, POLLIN, 0 };

	return cancel_fd > 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

#define CANCEL_CHECK_MS 100

static void broker_loop(bn_exec_worker_outcome *out, bn_sandbox_proc *proc,
			bn_exec_host *h, int chan, uint64_t timeout_ms,
			int cancel_fd)
{
	uint64_t deadline = bn_clock_now_ms() + timeout_ms;

	/* a host call served here waits no longer than the run may last */
	h->deadline_ms = deadline;
	for (;;) {
		uint64_t now = bn_clock_now_ms();
		struct pollfd pfd[2] = { { chan, POLLIN, 0 },
					 { cancel_fd, POLLIN, 0 } };
		bn_sandbox_msg m = { 0 };
		int pr;

		if (now >= deadline) {
			out->timed_out = true;
			bn_sandbox_proc_kill(proc);
			return;
		}
		uint64_t wait = deadline - now;
		/* a run cancellable by flag looks at it ten times a second */
		if (h->cancel && wait > CANCEL_CHECK_MS)
			wait = CANCEL_CHECK_MS;
		pr = poll(pfd, cancel_fd > 0 ? 2 : 1,
			  wait > INT_MAX ? INT_MAX : (int)wait);
		if (h->cancel && atomic_load(h->cancel)) {
			out->cancelled = true;
			bn_sandbox_proc_kill(proc);
			return;
		}
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;   /* the deadline check above ends it */
		if (is_cancelled(cancel_fd)) {
			/* the caller gave up on it: the worker ends now */
			out->cancelled = true;
			bn_sandbox_proc_kill(proc);
			return;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		pr = bn_sandbox_msg_recv(&m, chan, BN_SANDBOX_MSG_MAX_BYTES,
					 NULL);
		if (pr == -EPIPE)
			return;     /* the worker finished or died */
		if (pr) {
			protocol_error(out, pr == BN_ELIMIT ? "an oversized "
				       "message" : "a malformed frame");
			bn_sandbox_proc_kill(proc);
			return;
		}
		bool ok = true;
		if (m.type == MSG_REQ && !out->reported)
			ok = serve(h, chan, &m, out);
		else if (m.type == MSG_DONE && !out->reported)
			ok = read_done(&m, out);
		else {
			protocol_error(out, "an unexpected message type");
			ok = false;
		}
		bn_sandbox_msg_clear(&m);
		if (!ok) {
			bn_sandbox_proc_kill(proc);
			return;
		}
		if (out->reported)
			return;     /* the job is done; the worker waits */
		if (h->out_of_time) {
			/* the call met the deadline: the run is over */
			out->timed_out = true;
			bn_sandbox_proc_kill(proc);
			return;
		}
	}
}

/*
 * The policy of a worker for JOB, or of a spare (JOB NULL: no folders,
 * the ceilings of BN_EXEC__SPARE_*).  LIFETIME_MS > 0: a pooled worker,
 * whose wall clock and CPU limit cover its whole life (each call's own
 * clock is the broker's, broker_loop).  RO, RW: owned arrays for the
 * policy's paths.
 */
static void worker_policy(bn_sandbox_policy *pol, const char ***ro,
			  const char ***rw, const bn_exec_worker_job *job,
			  const int keep[4], uint64_t lifetime_ms,
			  bool allow_weaker)
{
	bn_exec_limits spare = { 0, BN_EXEC__SPARE_MEMORY, 0,
				 BN_EXEC__SPARE_OUTPUT };
	const bn_exec_limits *l = job ? &job->limits : &spare;
	size_t npre = job ? job->npreopens : 0, nro = 0, nrw = 0;

	*ro = bn_xcalloc(npre + 1, sizeof(**ro));
	*rw = bn_xcalloc(npre + 1, sizeof(**rw));
	for (size_t i = 0; i < npre; i++) {
		if (job->preopens[i].read_only)
			(*ro)[nro++] = job->preopens[i].host_path;
		else
			(*rw)[nrw++] = job->preopens[i].host_path;
	}
	pol->read_paths = *ro;
	pol->n_read_paths = nro;
	pol->write_paths = *rw;
	pol->n_write_paths = nrw;
	pol->allow_exec = false;
	/* the engine caps linear memory itself; the cgroup is the backstop
	   for everything else the worker allocates */
	pol->memory_bytes = l->memory_bytes + ((uint64_t)256 << 20);
	/* 64 bits all the way down: the limits were range-checked where
	   they entered (bn_exec_limits_check) */
	pol->cpu_seconds = lifetime_ms ? lifetime_ms / 1000 + 2 :
			   l->timeout_ms / 1000 + 2;
	pol->file_size_bytes = l->output_bytes + 65536;
	pol->open_files = 64;
	pol->max_procs = 4;
	pol->wall_ms = lifetime_ms ? lifetime_ms : l->timeout_ms + 2000;
	pol->keep_fds = keep;
	pol->n_keep_fds = 4;
	pol->allow_weaker = allow_weaker;
	/* per-step microseconds on stderr, for bench/skill/run.sh */
	if (secure_getenv("BNITY_SANDBOX_TRACE"))
		pol->trace_fd = 2;
	if (npre && getuid() != 0 && getgid() != 0) {
		/* granted folders belong to the user who granted them; a
		   worker never runs as root, so when bnity does, the worker
		   is nobody and a granted folder must be readable by it */
		pol->uid = getuid();
		pol->gid = getgid();
	}
}

/* The first half of bn_exec__worker_spawn: asked for, not yet started
   (bn_sandbox_spawn_start); *W's pid is set by worker_started. */
static int worker_start(bn_exec__worker *w, const bn_exec_worker_job *job,
			uint64_t lifetime_ms, bool allow_weaker, bn_err *err)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_target target = { 0 };
	const char **ro = NULL, **rw = NULL;
	int chan[2] = { -1, -1 }, keep[4], nul = -1, r;

	memset(w, 0, sizeof(*w));
	w->chan = -1;
	if ((r = bn_sandbox_chan_pair(chan, err)))
		return r;
	if (job && !lifetime_ms) {
		keep[0] = job->fds[0];
		keep[1] = job->fds[1];
		keep[2] = job->fds[2];
	} else {
		/* a pooled worker gets each job's stdio with the job */
		nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul < 0) {
			r = bn_err_set(err, -errno, "worker: open /dev/null: "
				       "%s", strerror(errno));
			close(chan[0]);
			close(chan[1]);
			return r;
		}
		keep[0] = keep[1] = keep[2] = nul;
	}
	keep[3] = chan[1];
	worker_policy(&pol, &ro, &rw, job, keep, lifetime_ms, allow_weaker);
	target.worker = true;
	r = bn_sandbox_spawn_start(&w->proc, &pol, &target, err);
	close(chan[1]);
	if (nul >= 0)
		close(nul);
	free(ro);
	free(rw);
	if (r) {
		close(chan[0]);
		return r;
	}
	w->chan = chan[0];
	return 0;
}

/* The second half: wait until the worker is confined and ready. */
static int worker_started(bn_exec__worker *w, bn_err *err)
{
	int r = bn_sandbox_spawn_started(&w->proc, err);

	if (r) {
		close(w->chan);
		w->chan = -1;
		return r;
	}
	w->pid = bn_sandbox_proc_pid(w->proc);
	return 0;
}

int bn_exec__worker_spawn(bn_exec__worker *w, const bn_exec_worker_job *job,
			  uint64_t lifetime_ms, bool allow_weaker, bn_err *err)
{
	int r = worker_start(w, job, lifetime_ms, allow_weaker, err);

	return r ? r : worker_started(w, err);
}

void bn_exec__worker_call(bn_exec_worker_outcome *out, bn_exec__worker *w,
			  const bn_exec_worker_job *job)
{
	const char *weak = bn_sandbox_proc_weakened(w->proc);

	memset(out, 0, sizeof(*out));
	if (weak && *weak)
		out->weakened = bn_xstrdup(weak);
	out->worker_pid = w->pid;
	out->worker_calls = ++w->calls;
	/* a worker that died before reading its job ends like any other */
	if (send_job(w->chan, job, !w->has_module, NULL) == 0)
		w->has_module = true;
	broker_loop(out, w->proc, job->host, w->chan, job->limits.timeout_ms,
		    job->cancel_fd);
}

bool bn_exec__worker_spent(const bn_exec_worker_outcome *o,
			   const bn_exec_host *h)
{
	return !o->reported || o->protocol_error || o->timed_out ||
	       o->cancelled ||
	       (o->trap != BN_WASM_TRAP_NONE && o->trap != BN_WASM_TRAP_EXIT) ||
	       o->load_error[0] || o->load_limit || o->no_start ||
	       o->memory_refused || h->denied || h->out_of_time;
}

void bn_exec__worker_end(bn_exec_worker_outcome *out, bn_exec__worker *w)
{
	bn_sandbox_result res = { 0 };
	bn_err err;

	if (!w->proc)
		return;
	if (!out || out->reported)
		bn_sandbox_proc_kill(w->proc);  /* done with it */
	close(w->chan);      /* a waiting worker ends at EOF */
	w->chan = -1;
	bn_err_init(&err);
	if (bn_sandbox_proc_wait(&res, w->proc, &err) == 0 && out) {
		out->end = (int)res.end;
		snprintf(out->end_name, sizeof(out->end_name), "%s",
			 bn_sandbox_end_name(res.end));
		if (res.end == BN_SANDBOX_END_TIME)
			out->timed_out = true;
	}
	bn_sandbox_proc_free(w->proc);
	w->proc = NULL;
}

bool bn_exec__spare_fits(const bn_exec_worker_job *job, bool allow_weaker)
{
	return job->npreopens == 0 &&
	       job->limits.memory_bytes <= BN_EXEC__SPARE_MEMORY &&
	       job->limits.output_bytes <= BN_EXEC__SPARE_OUTPUT &&
	       job->allow_weaker == allow_weaker;
}

/* A job of a worker started ahead ends this long before its
   supervisor's clock, at the latest. */
#define PRESTART_LIFE_MARGIN_MS ((uint64_t)10 * 1000)

void bn_exec__prestart_begin(bn_exec__prestart *ps, uint64_t lifetime_ms,
			     bool allow_weaker)
{
	bn_err err;

	memset(ps, 0, sizeof(*ps));
	ps->w.chan = -1;
	ps->started_ms = bn_clock_now_ms();
	ps->lifetime_ms = lifetime_ms;
	ps->allow_weaker = allow_weaker;
	bn_err_init(&err);
	/* a failure is the run's to report: it then spawns its own */
	ps->r = worker_start(&ps->w, NULL, lifetime_ms, allow_weaker, &err);
	ps->pending = ps->r == 0;
}

/* Wait for the start (once). */
static void prestart_join(bn_exec__prestart *ps)
{
	bn_err err;

	if (ps->pending) {
		ps->pending = false;
		bn_err_init(&err);
		ps->r = worker_started(&ps->w, &err);
	}
}

bool bn_exec__prestart_take(bn_exec__worker *w, bn_exec__prestart *ps,
			    const bn_exec_worker_job *job)
{
	prestart_join(ps);
	/* its supervisor's clock started with the spawn: the job's own
	   must end well before it, or the backstop would end it first */
	if (ps->r == 0 && !ps->taken &&
	    bn_exec__spare_fits(job, ps->allow_weaker) &&
	    bn_clock_now_ms() - ps->started_ms + job->limits.timeout_ms +
	    PRESTART_LIFE_MARGIN_MS <= ps->lifetime_ms) {
		ps->taken = true;
		*w = ps->w;
		return true;
	}
	bn_exec__prestart_end(ps);
	return false;
}

void bn_exec__prestart_end(bn_exec__prestart *ps)
{
	prestart_join(ps);
	if (ps->r == 0 && !ps->taken) {
		ps->taken = true;
		bn_exec__worker_end(NULL, &ps->w);
	}
}

int bn_exec_worker_run(bn_exec_worker_outcome *out,
		       const bn_exec_worker_job *job, bn_err *err)
{
	bn_exec__worker w;
	uint64_t t0 = bn_clock_now_us();
	bool prestarted;
	int r;

	memset(out, 0, sizeof(*out));
	if (job->pool)
		return bn_exec__pool_call(out, job->pool, job, err);
	/* a prestarted worker: only the wait for its spawn still under way
	   counts as ours */
	prestarted = job->prestart &&
		     bn_exec__prestart_take(&w, job->prestart, job);
	if (!prestarted &&
	    (r = bn_exec__worker_spawn(&w, job, 0, job->allow_weaker, err)))
		return r;
	t0 = bn_clock_now_us() - t0;
	bn_exec__worker_call(out, &w, job);
	out->spawn_us = t0;
	bn_exec__worker_end(out, &w);
	return 0;
}
