/* SPDX-License-Identifier: MIT */
/*
 * sandbox/sandbox.c - the parent side: probing the machine, preparing a
 * spawn (Landlock ruleset, seccomp filters, cgroups), cloning the child
 * into new namespaces, writing its id maps, waiting under a wall clock
 * and naming the limit that ended a run; the list of live children that
 * bn_sandbox_procs_stop kills.  The child side is confine.c.  A run the
 * spawner starts (spawner.c) is a "remote" proc here: it is known by its
 * supervisor's channel, which carries the start, the end and "kill".
 * Spec: clone(2), user_namespaces(7) (uid_map, gid_map), poll(2),
 * wait4(2), waitid(2) (WNOWAIT).
 */
#include "sandbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fs.h"

#define ERR_MSG_MAX 512

struct bn_sandbox_proc {
	pid_t pid;              /* PID 1 of the run, as we see it */
	int status_fd;          /* read end of PID 1's report */
	bn_sandbox__cgroup cg;  /* per-run cgroups */
	bn_buf weakened;        /* what was missing, space separated */
	uint64_t start_us;      /* monotonic start */
	uint64_t wall_ms;       /* the policy's wall clock */
	uint64_t cpu_seconds;   /* the policy's CPU limit */
	bool in_pidns;          /* killing pid kills the tree */
	int trace_fd;           /* the policy's trace fd, -1 for none */
	bool reaped;            /* waitpid done */
	bool live;              /* on the live list (live_lock) */
	int ctl_fd;             /* remote: the supervisor's channel, else -1 */
	int cancel_fd;          /* readable (or closed): kill the run now;
				   -1 for none (a supervisor's channel) */
	bool starting;          /* remote: asked for, start not read yet */
	bn_sandbox_proc *live_prev, *live_next;
};

/*
 * Every child cloned and not yet reaped, so that bn_sandbox_procs_stop
 * can kill them all from another thread.  A pid leaves the list before
 * it is reaped (see reap()), so it is never signalled after the kernel
 * could have given it to another process.
 */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static bn_sandbox_proc *live_head;
static bool live_stopped;       /* bn_sandbox_procs_stop was called */

static const char *const mech_names[BN_SANDBOX_MECH_MAX] = {
	"userns", "pidns", "netns", "mntns", "ipcns", "utsns",
	"no-new-privs", "landlock-fs", "landlock-net", "landlock-scope",
	"seccomp", "seccomp-notify", "cgroup-memory", "cgroup-pids",
	"rlimits", "close-range",
};

static const char *const end_names[BN_SANDBOX_END_MAX] = {
	"exit", "signal", "time", "memory", "cpu", "file-size", "pids",
	"seccomp",
};

static const int ns_flags[6] = { CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
				 CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUTS };

BN_STR_ENUM_NAME(bn_sandbox_mech, mech_names, "?")
BN_STR_ENUM_NAME(bn_sandbox_end, end_names, "?")

void bn_sandbox_target_stdio(bn_sandbox_target *t, bn_sandbox_policy *policy,
			     const int fds[3])
{
	policy->keep_fds = fds;
	policy->n_keep_fds = 3;
	t->redirect_stdio = true;
	for (int i = 0; i < 3; i++)
		t->stdio_fds[i] = fds[i];
}

/* Put PROC on the live list; false (and not added) once stopped. */
static bool live_add(bn_sandbox_proc *proc)
{
	bool ok;

	pthread_mutex_lock(&live_lock);
	ok = !live_stopped;
	if (ok) {
		proc->live = true;
		proc->live_prev = NULL;
		proc->live_next = live_head;
		if (live_head)
			live_head->live_prev = proc;
		live_head = proc;
	}
	pthread_mutex_unlock(&live_lock);
	return ok;
}

static void live_remove(bn_sandbox_proc *proc)
{
	pthread_mutex_lock(&live_lock);
	if (proc->live) {
		if (proc->live_prev)
			proc->live_prev->live_next = proc->live_next;
		else
			live_head = proc->live_next;
		if (proc->live_next)
			proc->live_next->live_prev = proc->live_prev;
		proc->live = false;
	}
	pthread_mutex_unlock(&live_lock);
}

static bool live_is_stopped(void)
{
	bool stopped;

	pthread_mutex_lock(&live_lock);
	stopped = live_stopped;
	pthread_mutex_unlock(&live_lock);
	return stopped;
}

unsigned bn_sandbox_procs_stop(void)
{
	unsigned n = 0;

	pthread_mutex_lock(&live_lock);
	live_stopped = true;
	for (bn_sandbox_proc *p = live_head; p; p = p->live_next, n++) {
		if (p->ctl_fd >= 0) {
			bn_sandbox__remote_kill(p->ctl_fd);
			continue;
		}
		(void)kill(p->pid, SIGKILL);
		if (!p->in_pidns)
			bn_sandbox__cgroup_kill(&p->cg);
	}
	pthread_mutex_unlock(&live_lock);
	return n;
}

/* Reap PID 1 (*st, may be NULL): wait until it is dead without reaping
   it, take it off the live list, then reap it. */
static void reap(bn_sandbox_proc *proc, int *st)
{
	siginfo_t si;

	while (waitid(P_PID, (id_t)proc->pid, &si, WEXITED | WNOWAIT) < 0 &&
	       errno == EINTR)
		;
	live_remove(proc);
	while (waitpid(proc->pid, st, 0) < 0 && errno == EINTR)
		;
	proc->reaped = true;
}

/* Can a child unshare FLAGS?  Returns 0 or the errno it got. */
static int try_unshare(int flags)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(unshare(flags) ? (errno & 0x7f) : 0);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return EIO;
	return WEXITSTATUS(st);
}

static void set_mech(bn_sandbox_status *s, bn_sandbox_mech m, bool offered,
		     bool in_force, const char *note)
{
	s->mech[m].offered = offered;
	s->mech[m].in_force = in_force;
	if (note)
		snprintf(s->mech[m].note, sizeof(s->mech[m].note), "%s", note);
}

static void probe_ns(bn_sandbox_status *s)
{
	int i, e, user = 0;

	for (i = 0; i < 6; i++) {
		e = try_unshare(ns_flags[i] | user);
		if (i == 0 && !e)
			user = CLONE_NEWUSER; /* test the rest inside one */
		set_mech(s, (bn_sandbox_mech)(BN_SANDBOX_MECH_USERNS + i), !e,
			 !e, e ? strerror(e) : i == 0 ?
			 "runs as the policy uid/gid (65534), mapped 1:1" :
			 i == 1 ? "the run is PID 1; its death kills the tree" :
			 i == 2 ? "no interfaces but a down loopback" :
			 "private to the run");
	}
}

static void probe_landlock(bn_sandbox_status *s)
{
	char note[BN_SANDBOX_NOTE_MAX];
	int abi = bn_sandbox__landlock_abi();

	s->landlock_abi = abi;
	snprintf(note, sizeof(note), abi ? "ABI %d: only the policy's paths"
		 : "not offered by this kernel", abi);
	set_mech(s, BN_SANDBOX_MECH_LANDLOCK_FS, abi >= 1, abi >= 1, note);
	set_mech(s, BN_SANDBOX_MECH_LANDLOCK_NET, abi >= 4, abi >= 4,
		 abi >= 4 ? "every TCP bind and connect denied" :
		 "needs ABI 4");
	set_mech(s, BN_SANDBOX_MECH_LANDLOCK_SCOPE, abi >= 6, abi >= 6,
		 abi >= 6 ? "signals and abstract unix sockets stay inside" :
		 "needs ABI 6");
}

void bn_sandbox_probe(bn_sandbox_status *out)
{
	char note[BN_SANDBOX_NOTE_MAX];
	struct rlimit rl;
	bool ok;

	memset(out, 0, sizeof(*out));
	probe_ns(out);
	ok = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) >= 0;
	set_mech(out, BN_SANDBOX_MECH_NO_NEW_PRIVS, ok, ok,
		 ok ? "setuid bits and file caps ignored" : strerror(errno));
	probe_landlock(out);
	ok = bn_sandbox__seccomp_can_filter(note, sizeof(note));
	set_mech(out, BN_SANDBOX_MECH_SECCOMP, ok, ok, note);
	ok = bn_sandbox__seccomp_can_notify(note, sizeof(note));
	set_mech(out, BN_SANDBOX_MECH_SECCOMP_NOTIFY, ok, false, note);
	ok = bn_sandbox__cgroup_probe("memory", note, sizeof(note));
	set_mech(out, BN_SANDBOX_MECH_CGROUP_MEMORY, ok, ok, note);
	ok = bn_sandbox__cgroup_probe("pids", note, sizeof(note));
	set_mech(out, BN_SANDBOX_MECH_CGROUP_PIDS, ok, ok, note);
	ok = getrlimit(RLIMIT_CPU, &rl) == 0;
	set_mech(out, BN_SANDBOX_MECH_RLIMITS, ok, ok,
		 "CPU, FSIZE, NOFILE, CORE=0 (AS/NPROC if no cgroup)");
	ok = syscall(SYS_close_range, ~0u - 1, ~0u - 1, 0) == 0;
	set_mech(out, BN_SANDBOX_MECH_CLOSE_RANGE, ok, ok,
		 ok ? "every inherited fd but the kept ones closed" :
		 "closed one by one instead");
}

/* Note a missing mechanism; refused unless the policy accepts it. */
static int weaken(bn_sandbox_proc *proc, const bn_sandbox_policy *p,
		  const char *what, bn_err *err)
{
	if (!p->allow_weaker)
		return bn_err_set(err, BN_EDENIED, "sandbox: %s is not "
				  "available and weaker confinement was not "
				  "accepted (BNITY_SANDBOX_ALLOW_WEAKER=1)",
				  what);
	if (proc->weakened.len && bn_buf_puts(&proc->weakened, " "))
		return bn_err_oom(err);
	if (bn_buf_puts(&proc->weakened, what))
		return bn_err_oom(err);
	return 0;
}

static int check_target(const bn_sandbox_policy *p,
			const bn_sandbox_target *t, bn_err *err)
{
	if (p->allow_exec != !!t->argv || !!t->argv + !!t->fn + t->worker != 1)
		return bn_err_set(err, BN_EINVAL, "sandbox: give argv with "
				  "allow_exec, or fn or worker without it");
	if (t->argv && (!t->argv[0] || t->argv[0][0] != '/'))
		return bn_err_set(err, BN_EINVAL, "sandbox: the program must "
				  "be an absolute path");
	if (p->uid == 0 || p->gid == 0)
		return bn_err_set(err, BN_EINVAL, "sandbox: refusing to run "
				  "as uid or gid 0: give policy.uid/gid an "
				  "unprivileged id (default 65534) that owns "
				  "the write paths");
	return 0;
}

/* Which namespace flags we can get; the weaker path probes each one. */
static int pick_ns(int *flags, bn_sandbox_proc *proc,
		   const bn_sandbox_policy *p, bn_err *err)
{
	int all = 0, i, r, user = 0;

	for (i = 0; i < 6; i++)
		all |= ns_flags[i];
	if (!try_unshare(all)) {
		*flags = all;
		return 0;
	}
	*flags = 0;
	for (i = 0; i < 6; i++) {
		if (!try_unshare(ns_flags[i] | user)) {
			*flags |= ns_flags[i];
			if (i == 0)
				user = CLONE_NEWUSER;
			continue;
		}
		r = weaken(proc, p, mech_names[BN_SANDBOX_MECH_USERNS + i],
			   err);
		if (r)
			return r;
	}
	return 0;
}

/* A fork into new namespaces (no new stack): see the threading rule. */
static pid_t clone_ns(int ns)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)ns | SIGCHLD, NULL,
			      NULL, NULL, 0UL);
}

/*
 * Clone with every namespace; when the kernel refuses, find out which
 * ones it offers (refused unless weaker confinement is accepted).
 * *pid is -1 with errno set when the clone itself failed.
 */
static int clone_child(pid_t *pid, int *ns, bn_sandbox__plan *plan,
		       bn_sandbox_proc *proc, bn_err *err)
{
	int r, i;

	*ns = 0;
	for (i = 0; i < 6; i++)
		*ns |= ns_flags[i];
	*pid = clone_ns(*ns);
	if (*pid < 0 && (errno == EPERM || errno == EINVAL ||
			 errno == ENOSPC || errno == EUSERS)) {
		if ((r = pick_ns(ns, proc, plan->policy, err)))
			return r;
		*pid = clone_ns(*ns);
	}
	plan->in_pidns = (*ns & CLONE_NEWPID) != 0;
	proc->in_pidns = plan->in_pidns;
	if (*pid == 0)
		bn_sandbox__child_main(plan);
	return 0;
}

static int write_map(pid_t pid, const char *file, unsigned id, bn_err *err)
{
	char path[64], line[64];
	int fd, n, r = 0;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	n = snprintf(line, sizeof(line), "%u %u 1\n", id, id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return bn_err_set(err, -errno, "sandbox: open %s: %s", path,
				  strerror(errno));
	if (write(fd, line, (size_t)n) != n)
		r = bn_err_set(err, -errno, "sandbox: write %s: %s", path,
			       strerror(errno));
	close(fd);
	return r;
}

/* Read what the child's confinement steps said; "" means all went well. */
static void read_child_error(int fd, char *msg, size_t n)
{
	msg[bn_fs_read_upto(fd, msg, n - 1)] = '\0';
}

/* The parent's preparation: everything that can fail before the clone. */
static int prepare(bn_sandbox__plan *plan, bn_sandbox_proc *proc,
		   bn_err *err)
{
	const bn_sandbox_policy *p = plan->policy;
	const char *exe = p->allow_exec ? plan->target->argv[0] : NULL;
	char note[BN_SANDBOX_NOTE_MAX];
	uint64_t t = bn_clock_now_us();
	int r, abi = bn_sandbox__landlock_abi();

	if ((abi < 1 && (r = weaken(proc, p, "landlock-fs", err))) ||
	    (abi < 4 && (r = weaken(proc, p, "landlock-net", err))) ||
	    (abi < 6 && (r = weaken(proc, p, "landlock-scope", err))))
		return r;
	if (abi >= 1 &&
	    (r = bn_sandbox__landlock_build(&plan->ruleset_fd, p, exe, abi,
					    err)))
		return r;
	bn_sandbox__trace(p->trace_fd, "landlock ruleset",
			  bn_clock_now_us() - t);
	t = bn_clock_now_us();
	if (!bn_sandbox__seccomp_can_filter(note, sizeof(note))) {
		if ((r = weaken(proc, p, "seccomp", err)))
			return r;
	} else {
		plan->arch_guard = true;
		/* a worker loads the spawner's compiled filter itself */
		if (plan->target->worker && plan->bpf_fd < 0)
			return bn_err_set(err, BN_EINVAL, "sandbox: the spawner "
					  "has no compiled worker filter");
		if ((!plan->target->worker &&
		     (r = bn_sandbox__seccomp_build(&plan->filter,
						    p->allow_exec, err))) ||
		    (plan->init_bpf_fd < 0 &&
		     (r = bn_sandbox__seccomp_build_init(&plan->init_filter,
							 err))))
			return r;
	}
	bn_sandbox__trace(p->trace_fd, "seccomp build",
			  bn_clock_now_us() - t);
	t = bn_clock_now_us();
	bn_sandbox__cgroup_create(&proc->cg, p->memory_bytes, p->max_procs);
	if (p->memory_bytes && !proc->cg.mem_dir) {
		if ((r = weaken(proc, p, "cgroup-memory", err)))
			return r;
		plan->rlimit_as = true;
	}
	if (p->max_procs && !proc->cg.pids_dir &&
	    (r = weaken(proc, p, "cgroup-pids", err)))
		return r;
	/* RLIMIT_NPROC counts every process of the uid: a fallback only. */
	plan->nproc_rlimit = p->max_procs && !proc->cg.pids_dir;
	plan->set_ids = true;
	if (bn_sandbox__cgroup_open_joins(plan->join_fds, &proc->cg))
		plan->join_fds[0] = plan->join_fds[1] = -1;
	bn_sandbox__trace(p->trace_fd, "cgroup create",
			  bn_clock_now_us() - t);
	return 0;
}

static void plan_clear(bn_sandbox__plan *plan)
{
	if (plan->ruleset_fd >= 0)
		close(plan->ruleset_fd);
	for (int i = 0; i < 2; i++)
		if (plan->join_fds[i] >= 0)
			close(plan->join_fds[i]);
	if (plan->filter)
		seccomp_release(plan->filter);
	if (plan->init_filter)
		seccomp_release(plan->init_filter);
}

/* After the clone: maps, cgroups, "go", and the child's verdict. */
static int release_child(bn_sandbox_proc *proc, const bn_sandbox__plan *plan,
			 int ns, int sync_w, int err_r, bn_err *err)
{
	const bn_sandbox_policy *p = plan->policy;
	char msg[ERR_MSG_MAX], go = 1;
	uint64_t t = bn_clock_now_us();
	int r = 0;

	if (ns & CLONE_NEWUSER) {
		r = write_map(proc->pid, "uid_map", p->uid, err);
		if (!r)
			r = write_map(proc->pid, "gid_map", p->gid, err);
	}
	if (r)
		return r;
	bn_sandbox__trace(p->trace_fd, "id maps", bn_clock_now_us() - t);
	t = bn_clock_now_us();
	/* without the join descriptors the child cannot move itself */
	if (plan->join_fds[0] < 0 && plan->join_fds[1] < 0 &&
	    (r = bn_sandbox__cgroup_attach(&proc->cg, proc->pid, err)))
		return r;
	bn_sandbox__trace(p->trace_fd, "cgroup attach",
			  bn_clock_now_us() - t);
	t = bn_clock_now_us();
	if (send(sync_w, &go, 1, MSG_NOSIGNAL) != 1)
		return bn_err_set(err, BN_EIO, "sandbox: release child: %s",
				  strerror(errno));
	read_child_error(err_r, msg, sizeof(msg));
	bn_sandbox__trace(p->trace_fd, "child confinement (total)",
			  bn_clock_now_us() - t);
	if (msg[0])
		return bn_err_set(err, BN_EIO, "sandbox: %s", msg);
	return 0;
}

static void proc_free_parts(bn_sandbox_proc *proc)
{
	uint64_t t = bn_clock_now_us();

	if (proc->ctl_fd >= 0) {
		/* the supervisor kills the run, if still going, on EOF */
		live_remove(proc);
		close(proc->ctl_fd);
		proc->ctl_fd = -1;
		proc->reaped = true;
	}

	bn_sandbox_proc_kill(proc);
	if (!proc->reaped && proc->pid > 0)
		reap(proc, NULL);
	bn_sandbox__cgroup_destroy(&proc->cg);
	bn_sandbox__trace(proc->trace_fd, "teardown (reap, cgroups)",
			  bn_clock_now_us() - t);
	if (proc->status_fd >= 0)
		close(proc->status_fd);
	bn_buf_clear(&proc->weakened);
	free(proc);
}

static bn_sandbox_proc *proc_new(const bn_sandbox_policy *policy)
{
	bn_sandbox_proc *proc = bn_xcalloc(1, sizeof(*proc));

	proc->pid = -1;
	proc->status_fd = -1;
	proc->ctl_fd = -1;
	proc->cancel_fd = -1;
	proc->start_us = bn_clock_now_us();
	proc->wall_ms = policy->wall_ms;
	proc->cpu_seconds = policy->cpu_seconds;
	proc->trace_fd = policy->trace_fd;
	proc->reaped = true;
	bn_buf_init(&proc->weakened, 4096);
	return proc;
}

static int stopping(bn_err *err)
{
	return bn_err_set(err, -ECANCELED, "sandbox: this process is "
			  "stopping: no new confined runs");
}

/* Ask the spawner; the run is watched by its supervisor process, and
   started once bn_sandbox_spawn_started has read its start. */
static int spawn_remote(bn_sandbox_proc **out,
			const bn_sandbox_policy *policy,
			const bn_sandbox_target *target, bn_err *err)
{
	bn_sandbox_proc *proc = proc_new(policy);
	int r;

	r = bn_sandbox__remote_send(&proc->ctl_fd, policy, target, err);
	if (r) {
		bn_sandbox_proc_free(proc);
		return r;
	}
	proc->starting = true;
	*out = proc;
	return 0;
}

int bn_sandbox_spawn_start(bn_sandbox_proc **out,
			   const bn_sandbox_policy *policy,
			   const bn_sandbox_target *target, bn_err *err)
{
	int r;

	if ((r = check_target(policy, target, err)))
		return r;
	if (live_is_stopped())
		return stopping(err);
	if (target->worker || (target->argv && bn_sandbox__spawner_on()))
		return spawn_remote(out, policy, target, err);
	return bn_sandbox__spawn_in(out, policy, target, -1, NULL, -1, err);
}

int bn_sandbox_spawn_started(bn_sandbox_proc **procp, bn_err *err)
{
	bn_sandbox_proc *proc = *procp;
	int r;

	if (!proc->starting)
		return 0;
	proc->starting = false;
	r = bn_sandbox__remote_started(proc->ctl_fd, &proc->pid,
				       &proc->weakened, err);
	if (!r && !live_add(proc))
		r = stopping(err);
	if (r) {
		bn_sandbox_proc_free(proc);
		*procp = NULL;
		return r;
	}
	proc->reaped = false;
	return 0;
}

int bn_sandbox_spawn(bn_sandbox_proc **out, const bn_sandbox_policy *policy,
		     const bn_sandbox_target *target, bn_err *err)
{
	int r = bn_sandbox_spawn_start(out, policy, target, err);

	return r ? r : bn_sandbox_spawn_started(out, err);
}

int bn_sandbox__spawn_in(bn_sandbox_proc **out,
			 const bn_sandbox_policy *policy,
			 const bn_sandbox_target *target, int exe_fd,
			 const bn_sandbox__bpfs *bpf, int cancel_fd,
			 bn_err *err)
{
	bn_sandbox__plan plan = { .policy = policy, .target = target,
				  .ruleset_fd = -1, .exe_fd = exe_fd,
				  .join_fds = { -1, -1 },
				  .bpf_fd = bpf ? bpf->worker : -1,
				  .init_bpf_fd = bpf ? bpf->init : -1,
				  .trace_fd = policy->trace_fd };
	int sync_p[2] = { -1, -1 }, err_p[2] = { -1, -1 },
	    st_p[2] = { -1, -1 }, ns = 0, r, i;
	bn_sandbox_proc *proc;
	uint64_t t;

	if ((r = check_target(policy, target, err)))
		return r;
	if (target->worker && exe_fd < 0)
		return bn_err_set(err, BN_EINVAL, "sandbox: a worker is "
				  "started by the spawner only");
	proc = proc_new(policy);
	proc->cancel_fd = cancel_fd;
	if ((r = prepare(&plan, proc, err)))
		goto out_fail;
	/* sync is a socket so that "go" to a dead child is EPIPE, not SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync_p) ||
	    pipe2(err_p, O_CLOEXEC) || pipe2(st_p, O_CLOEXEC)) {
		r = bn_err_set(err, -errno, "sandbox: pipe: %s",
			       strerror(errno));
		goto out_fail;
	}
	plan.sync_fd = sync_p[0];
	plan.err_fd = err_p[1];
	plan.status_fd = st_p[1];
	t = bn_clock_now_us();
	r = clone_child(&proc->pid, &ns, &plan, proc, err);
	if (r)
		goto out_fail;
	if (proc->pid < 0) {
		r = bn_err_set(err, -errno, "sandbox: clone into namespaces: "
			       "%s", strerror(errno));
		goto out_fail;
	}
	proc->reaped = false;
	if (!live_add(proc)) {
		r = stopping(err);
		goto out_fail;
	}
	bn_sandbox__trace(policy->trace_fd, "clone",
			  bn_clock_now_us() - t);
	close(sync_p[0]);
	close(err_p[1]);
	close(st_p[1]);
	sync_p[0] = err_p[1] = st_p[1] = -1;
	proc->status_fd = st_p[0];
	st_p[0] = -1;
	r = release_child(proc, &plan, ns, sync_p[1], err_p[0], err);
	if (r)
		goto out_fail;
	proc->start_us = bn_clock_now_us();
	*out = proc;
	goto out_close;
out_fail:
	proc_free_parts(proc);
out_close:
	for (i = 0; i < 2; i++) {
		if (sync_p[i] >= 0)
			close(sync_p[i]);
		if (err_p[i] >= 0)
			close(err_p[i]);
		if (st_p[i] >= 0)
			close(st_p[i]);
	}
	plan_clear(&plan);
	return r;
}

pid_t bn_sandbox_proc_pid(const bn_sandbox_proc *proc)
{
	return proc->pid;
}

const char *bn_sandbox_proc_weakened(const bn_sandbox_proc *proc)
{
	return bn_buf_cstr(&proc->weakened);
}

void bn_sandbox_proc_kill(bn_sandbox_proc *proc)
{
	if (proc->ctl_fd >= 0) {
		if (!proc->reaped)
			bn_sandbox__remote_kill(proc->ctl_fd);
		return;
	}
	if (!proc->reaped && proc->pid > 0)
		(void)kill(proc->pid, SIGKILL);
	/* Without a PID namespace the tree is only reachable by cgroup. */
	if (!proc->in_pidns)
		bn_sandbox__cgroup_kill(&proc->cg);
}

/*
 * Read PID 1's report, waiting at most until DEADLINE_US; *timed_out
 * also when the cancel fd asks for the end (the caller kills).
 */
static int read_report(bn_sandbox__report *rep, bool *timed_out,
		       const bn_sandbox_proc *proc, uint64_t deadline_us)
{
	size_t got = 0;
	ssize_t k;

	*timed_out = false;
	while (got < sizeof(*rep)) {
		uint64_t now = bn_clock_now_us();
		struct pollfd pfd[2] = { { proc->status_fd, POLLIN, 0 },
					 { proc->cancel_fd, POLLIN, 0 } };
		int ms = -1, pr;

		if (proc->wall_ms) {
			if (now >= deadline_us) {
				*timed_out = true;
				return 0;
			}
			uint64_t left = (deadline_us - now + 999) / 1000;
			ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		pr = poll(pfd, proc->cancel_fd >= 0 ? 2 : 1, ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			continue;
		if (pfd[1].revents && !pfd[0].revents) {
			*timed_out = true;
			return -ECANCELED;
		}
		k = read(proc->status_fd, (char *)rep + got,
			 sizeof(*rep) - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -EPIPE; /* PID 1 died without a report */
		got += (size_t)k;
	}
	return 0;
}

static bn_sandbox_end classify(const bn_sandbox_result *res, bool oom,
			       uint64_t cpu_seconds)
{
	if (res->signal == SIGSYS)
		return BN_SANDBOX_END_SECCOMP;
	if (res->signal == SIGXCPU)
		return BN_SANDBOX_END_CPU;
	if (res->signal == SIGXFSZ)
		return BN_SANDBOX_END_FSIZE;
	if (res->signal == SIGKILL && oom)
		return BN_SANDBOX_END_MEMORY;
	if (res->signal == SIGKILL && cpu_seconds &&
	    res->cpu_us / 1000000u >= cpu_seconds)
		return BN_SANDBOX_END_CPU;
	if (res->signal)
		return oom ? BN_SANDBOX_END_MEMORY : BN_SANDBOX_END_SIGNAL;
	if (res->exit_code && res->pids_max_hit)
		return BN_SANDBOX_END_PIDS;
	return BN_SANDBOX_END_EXIT;
}

int bn_sandbox_proc_wait(bn_sandbox_result *out, bn_sandbox_proc *proc,
			 bn_err *err)
{
	bn_sandbox__report rep;
	bn_sandbox_result res;
	bool timed_out, oom;
	int r, st = 0;

	if (proc->ctl_fd >= 0) {
		bn_sandbox__remote_end(out, proc->ctl_fd);
		live_remove(proc);
		proc->reaped = true;
		return 0;
	}
	memset(&res, 0, sizeof(res));
	memset(&rep, 0, sizeof(rep));
	r = read_report(&rep, &timed_out, proc, proc->wall_ms >
			(UINT64_MAX - proc->start_us) / 1000u ? UINT64_MAX :
			proc->start_us + proc->wall_ms * 1000u);
	if (timed_out)
		bn_sandbox_proc_kill(proc);
	if (!proc->reaped)
		reap(proc, &st);
	res.wall_us = bn_clock_now_us() - proc->start_us;
	bn_sandbox__trace(proc->trace_fd, "run + reap PID 1", res.wall_us);
	bn_sandbox__cgroup_events(&proc->cg, &oom, &res.memory_max_hit,
				  &res.pids_max_hit);
	if (timed_out && r == -ECANCELED) {
		res.end = BN_SANDBOX_END_SIGNAL; /* killed on request */
		res.signal = SIGKILL;
	} else if (timed_out) {
		res.end = res.pids_max_hit ? BN_SANDBOX_END_PIDS
					   : BN_SANDBOX_END_TIME;
		res.signal = SIGKILL;
	} else if (r) {
		/* PID 1 itself was killed: only the OOM killer does that. */
		res.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		res.end = oom ? BN_SANDBOX_END_MEMORY : BN_SANDBOX_END_SIGNAL;
	} else {
		res.cpu_us = rep.cpu_us;
		res.maxrss_kb = rep.maxrss_kb;
		if (WIFEXITED(rep.wait_status))
			res.exit_code = WEXITSTATUS(rep.wait_status);
		else if (WIFSIGNALED(rep.wait_status))
			res.signal = WTERMSIG(rep.wait_status);
		res.end = classify(&res, oom, proc->cpu_seconds);
	}
	*out = res;
	(void)err;
	return 0;
}

void bn_sandbox_proc_free(bn_sandbox_proc *proc)
{
	if (proc)
		proc_free_parts(proc);
}

int bn_sandbox_run(bn_sandbox_result *out, char **weakened_out,
		   const bn_sandbox_policy *policy,
		   const bn_sandbox_target *target, bn_err *err)
{
	bn_sandbox_proc *proc;
	int r;

	if ((r = bn_sandbox_spawn(&proc, policy, target, err)))
		return r;
	if (weakened_out)
		*weakened_out = bn_xstrdup(bn_sandbox_proc_weakened(proc));
	r = bn_sandbox_proc_wait(out, proc, err);
	bn_sandbox_proc_free(proc);
	return r;
}
