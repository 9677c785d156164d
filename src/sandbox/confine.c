/* SPDX-License-Identifier: MIT */
/*
 * sandbox/confine.c - the child side of bn_sandbox_spawn: everything a
 * confined child does to itself, in order, before untrusted code runs.
 *
 * The child starts as PID 1 of fresh namespaces (the parent cloned it and
 * wrote its uid/gid maps).  It waits for "go", joins the run's cgroups
 * (through descriptors the parent opened), switches to the policy's
 * unprivileged ids, sets no_new_privs and non-dumpable, closes every fd
 * it was not told to keep, sets rlimits, enforces Landlock and drops its
 * capabilities.  It then forks the payload (PID 2), which loads the
 * seccomp allow-list and runs the worker function or execve; PID 1 loads
 * its own small filter, waits, kills what is left and reports the
 * payload's status through status_fd.  A failing step writes "STEP: why"
 * to err_fd and exits 126.
 *
 * A worker target (started by the spawner) differs in two steps: PID 1
 * enforces Landlock only after forking the payload, and the payload,
 * instead of loading seccomp, puts its kept descriptors at 0..n-1 (then
 * err_fd, then the Landlock ruleset) and execs bnity's worker entry
 * point with an empty environment; the worker enforces the ruleset and
 * loads seccomp itself before it reads anything (spawner.c).  Spec: prctl(2), setresuid(2), setgroups(2),
 * close_range(2), setrlimit(2), capabilities(7), pid_namespaces(7).
 */
#include "sandbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"

#define EXIT_CONFINE 126 /* a confinement step failed (err_fd says which) */
#define MAX_KEEP 64      /* descriptors a child may keep, ours included */

void bn_sandbox__trace(int fd, const char *step, uint64_t us)
{
	char line[128];
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "sandbox: %-22s %8llu us\n", step,
		     (unsigned long long)us);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)!write(fd, line, (size_t)n);
}

/* Report STEP and errno value E to the parent, then die. */
__attribute__((noreturn)) static void fail(const bn_sandbox__plan *plan,
					   const char *step, int e)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "%s: %s", step, strerror(e));

	if (n > 0 && plan->err_fd >= 0)
		(void)!write(plan->err_fd, msg,
			     (size_t)n < sizeof(msg) ? (size_t)n
						     : sizeof(msg) - 1);
	_exit(EXIT_CONFINE);
}

/* A step timer: trace the time since *t and restart it. */
static void lap(const bn_sandbox__plan *plan, uint64_t *t, const char *step)
{
	uint64_t now = bn_clock_now_us();

	bn_sandbox__trace(plan->trace_fd, step, now - *t);
	*t = now;
}

static void set_ids(const bn_sandbox__plan *plan)
{
	uid_t uid = plan->policy->uid;
	gid_t gid = plan->policy->gid;

	if (setgroups(0, NULL))
		fail(plan, "setgroups", errno);
	if (setresgid(gid, gid, gid))
		fail(plan, "setresgid", errno);
	if (setresuid(uid, uid, uid))
		fail(plan, "setresuid", errno);
}

/* Sort a small array of fds (insertion sort: n <= MAX_KEEP). */
static void sort_fds(int *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		int x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void close_range_or_loop(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return;
	if (!syscall(SYS_close_range, lo, hi, 0))
		return;
	/* No close_range: close what can be open (RLIMIT_NOFILE). */
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = lo; fd <= (long)hi && fd < max; fd++)
		(void)close((int)fd);
}

static void close_fds(const bn_sandbox__plan *plan)
{
	const bn_sandbox_policy *p = plan->policy;
	int keep[MAX_KEEP];
	size_t n = 0, i;
	unsigned lo = 0;

	if (p->n_keep_fds > MAX_KEEP - 7)
		fail(plan, "close fds", EMFILE);
	for (i = 0; i < p->n_keep_fds; i++)
		keep[n++] = p->keep_fds[i];
	keep[n++] = plan->err_fd;
	keep[n++] = plan->status_fd;
	keep[n++] = plan->ruleset_fd;
	keep[n++] = plan->trace_fd;
	keep[n++] = plan->exe_fd;
	keep[n++] = plan->bpf_fd;
	keep[n++] = plan->init_bpf_fd;
	sort_fds(keep, n);
	for (i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < lo)
			continue;
		if ((unsigned)keep[i] > lo)
			close_range_or_loop(lo, (unsigned)keep[i] - 1);
		lo = (unsigned)keep[i] + 1;
	}
	close_range_or_loop(lo, ~0u);
}

static void limit(const bn_sandbox__plan *plan, int res, rlim_t soft,
		  rlim_t hard, const char *name)
{
	struct rlimit rl = { soft, hard };

	if (setrlimit(res, &rl))
		fail(plan, name, errno);
}

static void set_rlimits(const bn_sandbox__plan *plan)
{
	const bn_sandbox_policy *p = plan->policy;

	limit(plan, RLIMIT_CORE, 0, 0, "rlimit core");
	if (p->cpu_seconds)
		limit(plan, RLIMIT_CPU, p->cpu_seconds,
		      p->cpu_seconds < RLIM_INFINITY - 1 ? p->cpu_seconds + 1 :
		      RLIM_INFINITY, "rlimit cpu");
	if (p->file_size_bytes)
		limit(plan, RLIMIT_FSIZE, p->file_size_bytes,
		      p->file_size_bytes, "rlimit fsize");
	if (p->open_files)
		limit(plan, RLIMIT_NOFILE, p->open_files, p->open_files,
		      "rlimit nofile");
	if (p->max_procs && plan->nproc_rlimit)
		limit(plan, RLIMIT_NPROC, p->max_procs, p->max_procs,
		      "rlimit nproc");
	if (p->memory_bytes && plan->rlimit_as)
		limit(plan, RLIMIT_AS, p->memory_bytes, p->memory_bytes,
		      "rlimit as");
}

/* Empty the bounding, ambient, permitted, effective, inheritable sets. */
static void drop_caps(const bn_sandbox__plan *plan)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	int cap;

	for (cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL &&
		    errno != EPERM)
			fail(plan, "drop bounding capabilities", errno);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data))
		fail(plan, "capset", errno);
}

static void keep_fds_across_exec(const bn_sandbox__plan *plan)
{
	const bn_sandbox_policy *p = plan->policy;
	size_t i;

	for (i = 0; i < p->n_keep_fds; i++) {
		int fl = fcntl(p->keep_fds[i], F_GETFD);
		if (fl < 0 || fcntl(p->keep_fds[i], F_SETFD, fl & ~FD_CLOEXEC))
			fail(plan, "keep fd", errno);
	}
}

static void load_filter(const bn_sandbox__plan *plan, scmp_filter_ctx f,
			const char *step)
{
	int r;

	if (plan->arch_guard && (r = bn_sandbox__seccomp_arch_guard()))
		fail(plan, "seccomp arch guard", -r);
	if (f && (r = seccomp_load(f)))
		fail(plan, step, -r);
}

/*
 * The worker's descriptors: keep_fds, err_fd, the ruleset and the
 * compiled seccomp filter go to 0, 1, ... in that order (copied above them first, so that no move
 * overwrites a source not yet moved).  Returns how many were placed.
 */
static int place_worker_fds(const bn_sandbox__plan *plan)
{
	const bn_sandbox_policy *p = plan->policy;
	int src[MAX_KEEP], tmp[MAX_KEEP], n = 0, i;

	for (size_t k = 0; k < p->n_keep_fds; k++)
		src[n++] = p->keep_fds[k];
	src[n++] = plan->err_fd;
	if (plan->ruleset_fd >= 0)
		src[n++] = plan->ruleset_fd;
	if (plan->arch_guard)
		src[n++] = plan->bpf_fd;
	for (i = 0; i < n; i++)
		if ((tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, n)) < 0)
			fail(plan, "worker fds", errno);
	for (i = 0; i < n; i++)
		if (dup2(tmp[i], i) < 0)
			fail(plan, "worker fds", errno);
	for (i = 0; i < n; i++)
		close(tmp[i]);
	return n;
}

/* The worker target: a fresh image of bnity's worker entry point. */
__attribute__((noreturn)) static void exec_worker(
	const bn_sandbox__plan *plan)
{
	static const char *const empty_env[] = { NULL };
	char nkeep[16], landlock[4], seccomp[4], guard[4];
	int n = (int)plan->policy->n_keep_fds, e;

	if (plan->trace_fd >= 0 && plan->trace_fd > 2)
		close(plan->trace_fd);
	(void)place_worker_fds(plan);
	snprintf(nkeep, sizeof(nkeep), "%d", n);
	snprintf(landlock, sizeof(landlock), "%d", plan->ruleset_fd >= 0);
	snprintf(seccomp, sizeof(seccomp), "%d", plan->arch_guard);
	snprintf(guard, sizeof(guard), "%d", plan->arch_guard);
	const char *const argv[] = { "bnity", "__worker", nkeep, landlock,
				     seccomp, guard, NULL };
	syscall(SYS_execveat, plan->exe_fd, "", (char *const *)argv,
		(char *const *)empty_env, AT_EMPTY_PATH);
	/* err_fd is descriptor n now */
	e = errno;
	bn_sandbox__plan moved = *plan;
	moved.err_fd = n;
	fail(&moved, "execve bnity worker", e);
}

/* PID 2: the untrusted side.  Never returns.  For a worker target it
   runs vforked (bn_sandbox__child_main): system calls on its own stack
   only, until the exec or _exit. */
__attribute__((noreturn)) static void payload_main(
	const bn_sandbox__plan *plan, uint64_t t)
{
	const bn_sandbox_target *tg = plan->target;
	static const char *const empty_env[] = { NULL };

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	close(plan->status_fd);
	if (tg->worker)
		exec_worker(plan);
	for (int i = 0; tg->redirect_stdio && i < 3; i++)
		if (tg->stdio_fds[i] != i && dup2(tg->stdio_fds[i], i) < 0)
			fail(plan, "stdio", errno);
	if (plan->policy->allow_exec)
		keep_fds_across_exec(plan);
	load_filter(plan, plan->filter, "seccomp load");
	lap(plan, &t, "seccomp");
	if (plan->trace_fd >= 0 && plan->trace_fd > 2)
		close(plan->trace_fd);
	if (!tg->fn) {
		execve(tg->argv[0], (char *const *)tg->argv,
		       (char *const *)(tg->envp ? tg->envp : empty_env));
		fail(plan, "execve", errno);
	}
	close(plan->err_fd);
	_exit(tg->fn(tg->payload));
}

static void enforce_landlock(const bn_sandbox__plan *plan)
{
	int r;

	if (plan->ruleset_fd < 0)
		return;
	if ((r = bn_sandbox__landlock_enforce(plan->ruleset_fd)))
		fail(plan, "landlock restrict_self", -r);
	close(plan->ruleset_fd);
}

/* PID 1: wait for the payload, reap orphans, report, end the namespace. */
__attribute__((noreturn)) static void init_main(const bn_sandbox__plan *plan,
						pid_t payload)
{
	bn_sandbox__report rep;
	struct rusage ru;
	int st = 0;
	pid_t w;

	if (plan->target->worker)
		enforce_landlock(plan);
	if (plan->init_bpf_fd >= 0) {
		/* the spawner's compiled copy of the same allow-list */
		int r;

		if ((plan->arch_guard &&
		     (r = bn_sandbox__seccomp_arch_guard())) ||
		    (r = bn_sandbox__seccomp_load_bpf(plan->init_bpf_fd)))
			fail(plan, "seccomp load (pid 1)", -r);
		close(plan->init_bpf_fd);
	} else {
		load_filter(plan, plan->init_filter, "seccomp load (pid 1)");
	}
	close(plan->err_fd);
	for (;;) {
		w = wait4(-1, &st, 0, &ru);
		if (w == payload)
			break;
		if (w < 0 && errno != EINTR)
			_exit(EXIT_CONFINE);
	}
	memset(&rep, 0, sizeof(rep));
	rep.wait_status = st;
	rep.cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u +
		     (uint64_t)ru.ru_utime.tv_usec +
		     (uint64_t)ru.ru_stime.tv_sec * 1000000u +
		     (uint64_t)ru.ru_stime.tv_usec;
	rep.maxrss_kb = (uint64_t)ru.ru_maxrss;
	/* Whatever the payload left behind dies with us. */
	if (plan->in_pidns)
		(void)kill(-1, SIGKILL);
	(void)!write(plan->status_fd, &rep, sizeof(rep));
	_exit(0);
}

void bn_sandbox__child_main(const bn_sandbox__plan *plan)
{
	uint64_t t;
	char go = 0;
	pid_t pid;
	int r;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (read(plan->sync_fd, &go, 1) != 1 || go != 1)
		_exit(EXIT_CONFINE); /* the parent gave up */
	close(plan->sync_fd);
	t = bn_clock_now_us();
	/* into the run's cgroups before anything else (cgroup.c) */
	if ((r = bn_sandbox__cgroup_join(plan->join_fds)))
		fail(plan, "cgroup join", -r);
	lap(plan, &t, "cgroup join");
	(void)sethostname("bnity-sandbox", 13); /* only in our UTS ns */
	if (plan->set_ids)
		set_ids(plan);
	lap(plan, &t, "ids");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail(plan, "no_new_privs", errno);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		fail(plan, "dumpable", errno);
	close_fds(plan);
	lap(plan, &t, "nnp+dumpable+close_fds");
	set_rlimits(plan);
	lap(plan, &t, "rlimits");
	/* a worker execs first: its ruleset is enforced after the fork */
	if (!plan->target->worker)
		enforce_landlock(plan);
	lap(plan, &t, "landlock");
	drop_caps(plan);
	lap(plan, &t, "capabilities");
	/* a worker's payload only moves descriptors and execs: vfork
	   spares PID 1 copying its page tables (and the faults of copy on
	   write after), and PID 1 goes on once the image is replaced */
	pid = plan->target->worker ? vfork() : fork();
	if (pid < 0)
		fail(plan, "fork payload", errno);
	if (pid == 0)
		payload_main(plan, t);
	init_main(plan, pid);
}
