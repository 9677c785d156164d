/* SPDX-License-Identifier: MIT */
/*
 * sandbox/spawner.c - the spawner process, its per-run supervisors, the
 * caller's side of a run they start, and the worker's first steps (see
 * spawner.h).
 *
 * Conversation.  The caller makes a socketpair for the run and sends one
 * end to the spawner (NEW, under a lock: the spawner's socket is shared
 * by every thread).  The spawner forks a supervisor with it and goes
 * back to waiting; from then on the caller talks to the supervisor only:
 *   REQ    caller -> supervisor  the policy and the target (below)
 *   FDS    caller -> supervisor  the kept descriptors, 4 per message
 *   START  supervisor -> caller  i32 code, u32 pid of PID 1, weakened,
 *                                error text
 *   END    supervisor -> caller  the bn_sandbox_result
 * Any byte the caller sends after the request, or its end closing,
 * makes the supervisor kill the run's whole tree.  The supervisor puts
 * each received descriptor at the number the caller had for it, so a
 * policy's keep_fds and stdio_fds mean the same on both sides.
 */
#include "spawner.h"

#include "protocol.h"
#include "sandbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"

enum { MSG_NEW = 1, MSG_REQ, MSG_FDS, MSG_START, MSG_END };

enum {
	F_ALLOW_EXEC = 1, F_ALLOW_WEAKER = 2, F_REDIRECT = 4, F_WORKER = 8,
	F_TRACE = 16,
};

#define KEEP_MAX 48          /* descriptors one run may keep */
#define STRS_MAX 4096        /* strings in one list of the request */
#define FD_NUM_MAX (1 << 20) /* a descriptor number the caller may name */
#define EXIT_CONFINE 126

/* The caller's channel to the spawner: set once at start-up. */
static int spawner_sock = -1;
static pthread_mutex_t spawner_lock = PTHREAD_MUTEX_INITIALIZER;

bool bn_sandbox__spawner_on(void)
{
	return spawner_sock >= 0;
}

/* ---- the request ---------------------------------------------------------- */

static void put_strs(bn_buf *b, const char *const *v, size_t n)
{
	bn_sandbox_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		bn_sandbox_put_str(b, v[i]);
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* The fds to send, in order: keep_fds then the trace fd. */
static size_t request_fds(int *fds, const bn_sandbox_policy *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_keep_fds; i++)
		fds[n++] = p->keep_fds[i];
	if (p->trace_fd >= 0)
		fds[n++] = p->trace_fd;
	return n;
}

static void encode_request(bn_buf *b, const bn_sandbox_policy *p,
			   const bn_sandbox_target *t)
{
	uint32_t flags = (p->allow_exec ? F_ALLOW_EXEC : 0) |
			 (p->allow_weaker ? F_ALLOW_WEAKER : 0) |
			 (t->redirect_stdio ? F_REDIRECT : 0) |
			 (t->worker ? F_WORKER : 0) |
			 (p->trace_fd >= 0 ? F_TRACE : 0);

	bn_sandbox_put_u32(b, flags);
	bn_sandbox_put_u64(b, p->memory_bytes);
	bn_sandbox_put_u64(b, p->cpu_seconds);
	bn_sandbox_put_u64(b, p->file_size_bytes);
	bn_sandbox_put_u64(b, p->wall_ms);
	bn_sandbox_put_u32(b, p->open_files);
	bn_sandbox_put_u32(b, p->max_procs);
	bn_sandbox_put_u32(b, (uint32_t)p->uid);
	bn_sandbox_put_u32(b, (uint32_t)p->gid);
	bn_sandbox_put_u32(b, (uint32_t)p->n_keep_fds);
	for (size_t i = 0; i < p->n_keep_fds; i++)
		bn_sandbox_put_u32(b, (uint32_t)p->keep_fds[i]);
	bn_sandbox_put_u32(b, (uint32_t)(p->trace_fd >= 0 ? p->trace_fd : 0));
	for (int i = 0; i < 3; i++)
		bn_sandbox_put_u32(b, (uint32_t)(t->redirect_stdio ?
						  t->stdio_fds[i] : 0));
	put_strs(b, p->read_paths, p->n_read_paths);
	put_strs(b, p->write_paths, p->n_write_paths);
	put_strs(b, t->argv, count(t->argv));
	put_strs(b, t->envp, count(t->envp));
}

/* A request as the supervisor holds it (everything owned). */
typedef struct request {
	bn_sandbox_policy pol;
	bn_sandbox_target tg;
	int keep[KEEP_MAX];
	char **lists[4];     /* read paths, write paths, argv, envp */
	size_t nlist[4];
} request;

static void request_clear(request *rq)
{
	for (int l = 0; l < 4; l++) {
		for (size_t i = 0; rq->lists[l] && i < rq->nlist[l]; i++)
			free(rq->lists[l][i]);
		free(rq->lists[l]);
	}
}

static bool fd_num_ok(uint32_t v)
{
	return v < FD_NUM_MAX;
}

static bool decode_strs(request *rq, int l, bn_sandbox_cursor *c)
{
	uint32_t n = bn_sandbox_get_u32(c);

	if (c->bad || n > STRS_MAX)
		return false;
	rq->lists[l] = bn_xcalloc(n + 1, sizeof(char *));
	for (uint32_t i = 0; i < n; i++) {
		rq->lists[l][i] = bn_sandbox_get_str(c, PATH_MAX * 4);
		if (!rq->lists[l][i])
			return false;
		rq->nlist[l] = i + 1;
	}
	return true;
}

static bool decode_request(request *rq, const bn_sandbox_msg *m)
{
	bn_sandbox_cursor c = bn_sandbox_cursor_of(m);
	bn_sandbox_policy *p = &rq->pol;
	bn_sandbox_target *t = &rq->tg;
	uint32_t flags = bn_sandbox_get_u32(&c), n, trace;

	p->memory_bytes = bn_sandbox_get_u64(&c);
	p->cpu_seconds = bn_sandbox_get_u64(&c);
	p->file_size_bytes = bn_sandbox_get_u64(&c);
	p->wall_ms = bn_sandbox_get_u64(&c);
	p->open_files = bn_sandbox_get_u32(&c);
	p->max_procs = bn_sandbox_get_u32(&c);
	p->uid = (uid_t)bn_sandbox_get_u32(&c);
	p->gid = (gid_t)bn_sandbox_get_u32(&c);
	n = bn_sandbox_get_u32(&c);
	if (c.bad || n > KEEP_MAX)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!fd_num_ok(rq->keep[i] = (int)bn_sandbox_get_u32(&c)) ||
		    c.bad)
			return false;
	p->keep_fds = rq->keep;
	p->n_keep_fds = n;
	trace = bn_sandbox_get_u32(&c);
	p->trace_fd = flags & F_TRACE ? (int)trace : -1;
	for (int i = 0; i < 3; i++)
		t->stdio_fds[i] = (int)bn_sandbox_get_u32(&c);
	p->allow_exec = flags & F_ALLOW_EXEC;
	p->allow_weaker = flags & F_ALLOW_WEAKER;
	t->redirect_stdio = flags & F_REDIRECT;
	t->worker = flags & F_WORKER;
	for (int l = 0; l < 4; l++)
		if (!decode_strs(rq, l, &c))
			return false;
	if (!bn_sandbox_cursor_done(&c) || !fd_num_ok(trace))
		return false;
	p->read_paths = (const char *const *)rq->lists[0];
	p->n_read_paths = rq->nlist[0];
	p->write_paths = (const char *const *)rq->lists[1];
	p->n_write_paths = rq->nlist[1];
	t->argv = rq->nlist[2] ? (const char *const *)rq->lists[2] : NULL;
	t->envp = (const char *const *)rq->lists[3];
	return true;
}

/* ---- the supervisor --------------------------------------------------------- */

/* Dispositions to default, nothing blocked: what fork kept of ours. */
static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Move *FD above LIMIT (close-on-exec). */
static int lift_fd(int *fd, int limit)
{
	int n = fcntl(*fd, F_DUPFD_CLOEXEC, limit + 1);

	if (n < 0)
		return -errno;
	close(*fd);
	*fd = n;
	return 0;
}

/*
 * Receive the N descriptors and put each at the number WANT[i] the
 * caller had for it, after moving CTL, EXE and the filters out of the way.
 */
static int place_fds(const int *want, size_t n, int ctl_fd, int *ctl,
		     int *exe, bn_sandbox__bpfs *bpf, bn_err *err)
{
	int got[KEEP_MAX + 1], top = 2, r = 0;
	size_t have = 0, i;

	for (i = 0; i < n; i++)
		top = want[i] > top ? want[i] : top;
	while (have < n) {
		bn_sandbox_msg m = { 0 };

		if ((r = bn_sandbox_msg_recv(&m, ctl_fd, 0, err)))
			return r;
		if (m.type != MSG_FDS || !m.n_fds || m.n_fds > n - have) {
			bn_sandbox_msg_clear(&m);
			return bn_err_set(err, BN_EINVAL, "spawner: a malformed "
					  "descriptor message");
		}
		for (i = 0; i < m.n_fds; i++) {
			got[have++] = m.fds[i];
			m.fds[i] = -1;
		}
		m.n_fds = 0;
		bn_sandbox_msg_clear(&m);
	}
	if ((r = lift_fd(ctl, top)) || (r = lift_fd(exe, top)) ||
	    (bpf->worker >= 0 && (r = lift_fd(&bpf->worker, top))) ||
	    (bpf->init >= 0 && (r = lift_fd(&bpf->init, top))))
		goto fail;
	for (i = 0; i < n; i++)
		if ((r = lift_fd(&got[i], top + 2)))
			goto fail;
	for (i = 0; i < n; i++) {
		if (dup3(got[i], want[i], O_CLOEXEC) < 0) {
			r = -errno;
			goto fail;
		}
		close(got[i]);
		got[i] = -1;
	}
	return 0;
fail:
	for (i = 0; i < have; i++)
		if (got[i] >= 0)
			close(got[i]);
	return bn_err_set(err, r, "spawner: place descriptors: %s",
			  strerror(-r));
}

static int read_request(request *rq, int *ctl, int *exe,
			bn_sandbox__bpfs *bpf, bn_err *err)
{
	bn_sandbox_msg m = { 0 };
	int want[KEEP_MAX + 1], r;
	size_t n;

	if ((r = bn_sandbox_msg_recv(&m, *ctl, BN_SANDBOX_MSG_MAX_BYTES, err)))
		return r;
	if (m.type != MSG_REQ || m.n_fds || !decode_request(rq, &m)) {
		bn_sandbox_msg_clear(&m);
		return bn_err_set(err, BN_EINVAL, "spawner: a malformed run "
				  "request");
	}
	bn_sandbox_msg_clear(&m);
	n = request_fds(want, &rq->pol);
	return place_fds(want, n, *ctl, ctl, exe, bpf, err);
}

static void send_start(int ctl, int code, pid_t pid, const char *weak,
		       const char *msg)
{
	bn_buf b = BN_BUF_INIT;

	bn_sandbox_put_u32(&b, (uint32_t)code);
	bn_sandbox_put_u32(&b, (uint32_t)pid);
	bn_sandbox_put_str(&b, weak);
	bn_sandbox_put_str(&b, msg);
	(void)bn_sandbox_msg_send(ctl, MSG_START, b.data, b.len, NULL, 0,
				  NULL);
	bn_buf_clear(&b);
}

static void send_end(int ctl, const bn_sandbox_result *res)
{
	bn_buf b = BN_BUF_INIT;

	bn_sandbox_put_u32(&b, (uint32_t)res->end);
	bn_sandbox_put_u32(&b, (uint32_t)res->exit_code);
	bn_sandbox_put_u32(&b, (uint32_t)res->signal);
	bn_sandbox_put_u64(&b, res->wall_us);
	bn_sandbox_put_u64(&b, res->cpu_us);
	bn_sandbox_put_u64(&b, res->maxrss_kb);
	bn_sandbox_put_u32(&b, (res->pids_max_hit ? 1u : 0u) |
			       (res->memory_max_hit ? 2u : 0u));
	(void)bn_sandbox_msg_send(ctl, MSG_END, b.data, b.len, NULL, 0, NULL);
	bn_buf_clear(&b);
}

/* One run, from the request to its end.  Never returns.  BPF: the
   compiled filters (-1 each when there are none). */
__attribute__((noreturn)) static void supervise(int ctl, int exe,
						 bn_sandbox__bpfs bpf)
{
	request rq;
	bn_sandbox_proc *proc = NULL;
	bn_sandbox_result res;
	bn_err err;
	int r, want[KEEP_MAX + 1];
	size_t n;

	reset_signals();
	(void)prctl(PR_SET_NAME, "bnity-supervise", 0, 0, 0);
	memset(&rq, 0, sizeof(rq));
	rq.pol.trace_fd = -1;
	bn_err_init(&err);
	r = read_request(&rq, &ctl, &exe, &bpf, &err);
	if (!r)
		r = bn_sandbox__spawn_in(&proc, &rq.pol, &rq.tg, exe, &bpf,
					 ctl, &err);
	/* the child has its copies: ours would keep its channel open (the
	   trace fd stays: the teardown is traced too) */
	n = request_fds(want, &rq.pol);
	for (size_t i = 0; !r && i < rq.pol.n_keep_fds && i < n; i++)
		if (want[i] != rq.pol.trace_fd)
			close(want[i]);
	send_start(ctl, r, r ? -1 : bn_sandbox_proc_pid(proc),
		   r ? "" : bn_sandbox_proc_weakened(proc), err.msg);
	if (r)
		_exit(1);
	memset(&res, 0, sizeof(res));
	(void)bn_sandbox_proc_wait(&res, proc, &err);
	bn_sandbox_proc_free(proc);
	send_end(ctl, &res);
	request_clear(&rq);
	_exit(0);
}

/* ---- the spawner ------------------------------------------------------------ */

static void reap_all(int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) > 0)
		;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/*
 * The filters every run loads, compiled once now, while the caller is
 * still setting itself up (on another core): a run neither waits for
 * libseccomp nor runs it.  Without seccomp here there are none, and a
 * worker run is refused or weakened as its policy says.
 */
static bn_sandbox__bpfs compile_filters(void)
{
	bn_sandbox__bpfs bpf = { -1, -1 };
	char note[BN_SANDBOX_NOTE_MAX];

	if (bn_sandbox__seccomp_can_filter(note, sizeof(note))) {
		(void)bn_sandbox__seccomp_worker_bpf(&bpf.worker, NULL);
		(void)bn_sandbox__seccomp_init_bpf(&bpf.init, NULL);
	}
	return bpf;
}

/* The spawner's loop: a supervisor per NEW, until the caller is gone. */
__attribute__((noreturn)) static void spawner_main(int sock, int exe)
{
	sigset_t chld;
	bn_sandbox__bpfs bpf;
	int sfd, nul = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* out of the terminal's process group: a ^C ends the caller, whose
	   closed channels then end every run cleanly */
	(void)setsid();
	(void)prctl(PR_SET_NAME, "bnity-spawner", 0, 0, 0);
	for (int i = 0; nul >= 0 && i < 3; i++)
		(void)dup2(nul, i);
	if (nul > 2)
		close(nul);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	(void)sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		_exit(EXIT_CONFINE);
	bpf = compile_filters();
	for (;;) {
		struct pollfd pfd[2] = { { sock, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		bn_sandbox_msg m = { 0 };
		pid_t pid;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			reap_all(sfd);
		if (!pfd[0].revents)
			continue;
		if (bn_sandbox_msg_recv(&m, sock, 0, NULL))
			break; /* the caller is gone */
		if (m.type == MSG_NEW && m.n_fds == 1) {
			pid = fork();
			if (pid == 0) {
				int ctl = m.fds[0];

				close(sock);
				close(sfd);
				supervise(ctl, exe, bpf);
			}
		}
		bn_sandbox_msg_clear(&m);
	}
	_exit(0);
}

/*
 * The worker image: bnity-worker beside this program (only the worker's
 * side, no dynamic loader: a worker starts in a third of the time), or
 * else this program itself, whose `__worker` word is the same entry
 * point.  Opened now, so that a binary replaced on disk later is not the
 * one that runs.
 */
static int open_worker_image(void)
{
	static const char name[] = "bnity-worker";
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path));
	char *slash;
	int fd;

	if (n > 0 && (size_t)n < sizeof(path)) {
		path[n] = '\0';
		slash = strrchr(path, '/');
		if (slash && (size_t)(slash + 1 - path) + sizeof(name) <=
			     sizeof(path)) {
			memcpy(slash + 1, name, sizeof(name));
			fd = open(path, O_PATH | O_CLOEXEC);
			/* one we could not exec is no worker image */
			if (fd >= 0 && !faccessat(fd, "", X_OK,
						  AT_EMPTY_PATH | AT_EACCESS))
				return fd;
			if (fd >= 0)
				close(fd);
		}
	}
	return open("/proc/self/exe", O_PATH | O_CLOEXEC);
}

int bn_sandbox_spawner_start(bn_err *err)
{
	int sv[2], exe;
	pid_t pid;

	if (spawner_sock >= 0)
		return 0;
	exe = open_worker_image();
	if (exe < 0)
		return bn_err_set(err, -errno, "spawner: open /proc/self/exe: "
				  "%s", strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		close(exe);
		return bn_err_set(err, -errno, "spawner: socketpair: %s",
				  strerror(errno));
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		spawner_main(sv[1], exe);
	}
	close(sv[1]);
	close(exe);
	if (pid < 0) {
		close(sv[0]);
		return bn_err_set(err, -errno, "spawner: fork: %s",
				  strerror(errno));
	}
	spawner_sock = sv[0];
	return 0;
}

/* ---- the caller's side ------------------------------------------------------- */

static int send_request(int ctl, const bn_sandbox_policy *p,
			const bn_sandbox_target *t, bn_err *err)
{
	int fds[KEEP_MAX + 1], r;
	size_t n, i;
	bn_buf b = BN_BUF_INIT;

	if (p->n_keep_fds > KEEP_MAX)
		return bn_err_set(err, BN_EINVAL, "sandbox: %zu kept "
				  "descriptors, at most %d", p->n_keep_fds,
				  KEEP_MAX);
	encode_request(&b, p, t);
	r = bn_sandbox_msg_send(ctl, MSG_REQ, b.data, b.len, NULL, 0, err);
	bn_buf_clear(&b);
	n = request_fds(fds, p);
	for (i = 0; !r && i < n; i += BN_SANDBOX_MSG_MAX_FDS)
		r = bn_sandbox_msg_send(ctl, MSG_FDS, NULL, 0, fds + i,
					n - i < BN_SANDBOX_MSG_MAX_FDS ? n - i :
					BN_SANDBOX_MSG_MAX_FDS, err);
	return r;
}

static int read_start(int ctl, pid_t *pid, bn_buf *weakened, bn_err *err)
{
	bn_sandbox_msg m = { 0 };
	bn_sandbox_cursor c;
	size_t wl, el;
	const uint8_t *w, *e;
	int32_t code;
	int r;

	if ((r = bn_sandbox_msg_recv(&m, ctl, 65536, err)))
		return bn_err_set(err, BN_EIO, "sandbox: the spawner did not "
				  "start the run");
	c = bn_sandbox_cursor_of(&m);
	code = (int32_t)bn_sandbox_get_u32(&c);
	*pid = (pid_t)bn_sandbox_get_u32(&c);
	w = bn_sandbox_get_bytes(&c, 4096, &wl);
	e = bn_sandbox_get_bytes(&c, BN_ERR_MAX - 1, &el);
	if (m.type != MSG_START || !bn_sandbox_cursor_done(&c)) {
		r = bn_err_set(err, BN_EIO, "sandbox: a malformed answer "
			       "from the spawner");
	} else if (code) {
		r = bn_err_set(err, code, "%.*s", (int)el, (const char *)e);
	} else if (wl && bn_buf_append(weakened, w, wl)) {
		r = bn_err_oom(err);
	}
	bn_sandbox_msg_clear(&m);
	return r;
}

int bn_sandbox__remote_send(int *ctl, const bn_sandbox_policy *policy,
			    const bn_sandbox_target *target, bn_err *err)
{
	int pair[2], r;

	*ctl = -1;
	if (spawner_sock < 0)
		return bn_err_set(err, BN_EINVAL, "sandbox: no spawner: a "
				  "worker is started only by the spawner bnity "
				  "forks at start-up");
	if ((r = bn_sandbox_chan_pair(pair, err)))
		return r;
	pthread_mutex_lock(&spawner_lock);
	r = bn_sandbox_msg_send(spawner_sock, MSG_NEW, NULL, 0, &pair[1], 1,
				err);
	pthread_mutex_unlock(&spawner_lock);
	close(pair[1]);
	if (r)
		bn_err_prefix(err, "sandbox: the spawner process is gone");
	if (!r)
		r = send_request(pair[0], policy, target, err);
	if (r) {
		close(pair[0]);
		return r;
	}
	*ctl = pair[0];
	return 0;
}

int bn_sandbox__remote_started(int ctl, pid_t *pid, bn_buf *weakened,
			       bn_err *err)
{
	return read_start(ctl, pid, weakened, err);
}

void bn_sandbox__remote_end(bn_sandbox_result *out, int ctl)
{
	bn_sandbox_msg m = { 0 };
	bn_sandbox_cursor c;
	uint32_t flags;

	memset(out, 0, sizeof(*out));
	out->end = BN_SANDBOX_END_SIGNAL;
	out->signal = SIGKILL;
	if (bn_sandbox_msg_recv(&m, ctl, 4096, NULL))
		return; /* the supervisor died: so did the run */
	c = bn_sandbox_cursor_of(&m);
	bn_sandbox_result r = { 0 };
	r.end = (bn_sandbox_end)bn_sandbox_get_u32(&c);
	r.exit_code = (int)bn_sandbox_get_u32(&c);
	r.signal = (int)bn_sandbox_get_u32(&c);
	r.wall_us = bn_sandbox_get_u64(&c);
	r.cpu_us = bn_sandbox_get_u64(&c);
	r.maxrss_kb = bn_sandbox_get_u64(&c);
	flags = bn_sandbox_get_u32(&c);
	r.pids_max_hit = flags & 1;
	r.memory_max_hit = flags & 2;
	if (m.type == MSG_END && bn_sandbox_cursor_done(&c) &&
	    (unsigned)r.end < BN_SANDBOX_END_MAX)
		*out = r;
	bn_sandbox_msg_clear(&m);
}

void bn_sandbox__remote_kill(int ctl)
{
	char k = 'k';

	(void)!send(ctl, &k, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* ---- the worker's first steps -------------------------------------------------- */

/* Write "STEP: why" to the error pipe; the supervisor reports it. */
static int worker_fail(int err_fd, const char *step, int e)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "%s: %s", step, strerror(e));

	if (n > 0)
		(void)!write(err_fd, msg, (size_t)n < sizeof(msg) ? (size_t)n :
			     sizeof(msg) - 1);
	return -EXIT_CONFINE;
}

static int flag_arg(const char *s)
{
	return s[0] == '1' && !s[1] ? 1 : s[0] == '0' && !s[1] ? 0 : -1;
}

int bn_sandbox_worker_enter(int argc, char **argv)
{
	int n, landlock, seccomp, guard, err_fd, r;
	char *end;
	long v;

	if (argc != 4)
		return -EXIT_CONFINE;
	v = strtol(argv[0], &end, 10);
	landlock = flag_arg(argv[1]);
	seccomp = flag_arg(argv[2]);
	guard = flag_arg(argv[3]);
	if (*end || v < 0 || v > KEEP_MAX || landlock < 0 || seccomp < 0 ||
	    guard < 0)
		return -EXIT_CONFINE;
	n = (int)v;
	err_fd = n;
	(void)prctl(PR_SET_NAME, "bnity-worker", 0, 0, 0);
	/* execve made us dumpable again */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return worker_fail(err_fd, "dumpable", errno);
	if (landlock) {
		if ((r = bn_sandbox__landlock_enforce(n + 1)))
			return worker_fail(err_fd, "landlock restrict_self", -r);
		close(n + 1);
	}
	if (guard && (r = bn_sandbox__seccomp_arch_guard()))
		return worker_fail(err_fd, "seccomp arch guard", -r);
	if (seccomp) {
		/* the spawner's compiled allow-list: no libseccomp here */
		int bpf = n + 1 + landlock;

		r = bn_sandbox__seccomp_load_bpf(bpf);
		close(bpf);
		if (r)
			return worker_fail(err_fd, "seccomp load", -r);
	}
	close(err_fd);
	return n;
}
