/* SPDX-License-Identifier: MIT */
/*
 * sandbox/sandbox_int.h - what the files of the sandbox module share:
 * the spawn plan handed from the parent to the child, and the helpers of
 * landlock.c, seccomp.c, cgroup.c and confine.c.  Not a public header.
 */
#ifndef BN_SANDBOX_SANDBOX_INT_H
#define BN_SANDBOX_SANDBOX_INT_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "sandbox.h"

/* Everything the child needs, prepared by the parent before the clone. */
typedef struct bn_sandbox__plan {
	const bn_sandbox_policy *policy; /* borrowed */
	const bn_sandbox_target *target; /* borrowed */
	int sync_fd;         /* read end: the parent says "go" (1 byte) */
	int err_fd;          /* write end: a failing step writes its name */
	int status_fd;       /* write end: PID 1 writes the payload status */
	int ruleset_fd;      /* Landlock ruleset, -1 when not in force */
	scmp_filter_ctx filter;      /* payload allow-list, NULL if none */
	scmp_filter_ctx init_filter; /* PID 1's allow-list, NULL if none */
	bool arch_guard;     /* install the raw x32/foreign-arch filter */
	bool set_ids;        /* switch to policy uid/gid (user namespace) */
	bool rlimit_as;      /* no memory cgroup: fall back to RLIMIT_AS */
	bool nproc_rlimit;   /* also set RLIMIT_NPROC */
	bool in_pidns;       /* PID 1 of a new PID namespace */
	int trace_fd;        /* per-step timings, -1 for none */
	int exe_fd;          /* the worker image (O_PATH), for a worker target;
				-1 outside the spawner */
	int bpf_fd;          /* the worker's compiled allow-list (sealed
				memfd), for a worker target; -1 for none */
	int init_bpf_fd;     /* PID 1's allow-list compiled once by the
				spawner (sealed memfd); -1: PID 1 loads
				init_filter instead */
	int join_fds[2];     /* the per-run groups' `tasks` files, opened
				by the parent: the child joins them itself
				(bn_sandbox__cgroup_open_joins); -1: none */
} bn_sandbox__plan;

/* What PID 1 reports to the parent through status_fd. */
typedef struct bn_sandbox__report {
	int32_t wait_status; /* the payload's wait status */
	int32_t pad;         /* zero */
	uint64_t cpu_us;     /* payload user + system CPU */
	uint64_t maxrss_kb;  /* payload peak RSS */
} bn_sandbox__report;

/* The filters the spawner compiles once, at its start (sealed memfds,
   -1 for none): the worker's allow-list and PID 1's. */
typedef struct bn_sandbox__bpfs {
	int worker;
	int init;
} bn_sandbox__bpfs;

/*
 * sandbox.c: spawn in this process (the spawner's supervisor, or a
 * process without a spawner).  EXE_FD, BPF: see the plan (BPF NULL
 * outside the spawner); CANCEL_FD: readable or closed means "kill the
 * run now" (-1 for none).
 */
int bn_sandbox__spawn_in(bn_sandbox_proc **out,
			 const bn_sandbox_policy *policy,
			 const bn_sandbox_target *target, int exe_fd,
			 const bn_sandbox__bpfs *bpf, int cancel_fd,
			 bn_err *err) BN_MUST_USE;

/* spawner.c: the broker's side of a run the spawner starts. */
bool bn_sandbox__spawner_on(void);
/* Send the request: *ctl (owned) is the supervisor's channel.  The
   spawner starts the run meanwhile. */
int bn_sandbox__remote_send(int *ctl, const bn_sandbox_policy *policy,
			    const bn_sandbox_target *target, bn_err *err)
	BN_MUST_USE;
/* Read the start from CTL: *pid is the run's PID 1, WEAKENED gets what
   was missing. */
int bn_sandbox__remote_started(int ctl, pid_t *pid, bn_buf *weakened,
			       bn_err *err) BN_MUST_USE;
/* Wait for the end (a supervisor that vanished reads as SIGKILL). */
void bn_sandbox__remote_end(bn_sandbox_result *out, int ctl);
/* Ask the supervisor to kill the run now (any thread, never blocks). */
void bn_sandbox__remote_kill(int ctl);

/* confine.c: the child side of bn_sandbox_spawn; never returns. */
__attribute__((noreturn)) void bn_sandbox__child_main(
	const bn_sandbox__plan *plan);
/* Write "sandbox: STEP N us" to fd (async-signal-safe). */
void bn_sandbox__trace(int fd, const char *step, uint64_t us);

/* landlock.c */
int bn_sandbox__landlock_abi(void);
/*
 * Build a ruleset for POLICY at ABI (exe: the program for native runs,
 * NULL for the worker).  *out is an O_CLOEXEC fd.
 */
int bn_sandbox__landlock_build(int *out, const bn_sandbox_policy *policy,
			       const char *exe, int abi, bn_err *err);
/* In the child: landlock_restrict_self(fd); returns 0 or -errno. */
int bn_sandbox__landlock_enforce(int ruleset_fd);

/* seccomp.c */
/* The payload's allow-list: native commands (exec) or the engine worker. */
int bn_sandbox__seccomp_build(scmp_filter_ctx *out, bool native,
			      bn_err *err);
/*
 * The engine worker's allow-list compiled to BPF once, in a sealed memfd
 * (*out, O_CLOEXEC): the spawner makes it at start-up and every worker
 * loads it with bn_sandbox__seccomp_load_bpf, so no worker runs
 * libseccomp.  A filter is at most BN_SANDBOX__BPF_MAX - 1 instructions.
 */
#define BN_SANDBOX__BPF_MAX 4096
int bn_sandbox__seccomp_worker_bpf(int *out, bn_err *err);
/* In the worker or PID 1: set no_new_privs and load the BPF in FD; 0
   or -errno. */
int bn_sandbox__seccomp_load_bpf(int fd);
/* PID 1's allow-list: wait, kill, write the report, exit. */
int bn_sandbox__seccomp_build_init(scmp_filter_ctx *out, bn_err *err);
/* The same compiled to BPF once, in a sealed memfd (as worker_bpf), so
   that no run compiles it again. */
int bn_sandbox__seccomp_init_bpf(int *out, bn_err *err);
/* In the child: the raw filter killing foreign arches and x32 numbers. */
int bn_sandbox__seccomp_arch_guard(void);
/* Probes: filter mode with KILL_PROCESS; user notification. */
bool bn_sandbox__seccomp_can_filter(char *note, size_t n);
bool bn_sandbox__seccomp_can_notify(char *note, size_t n);

/* cgroup.c: one per-run cgroup under each of memory and pids. */
typedef struct bn_sandbox__cgroup {
	char *mem_dir;  /* owned; NULL when not in force */
	char *pids_dir; /* owned; NULL when not in force */
} bn_sandbox__cgroup;

/* Create the per-run cgroups that can be created; never fails. */
void bn_sandbox__cgroup_create(bn_sandbox__cgroup *cg, uint64_t mem_bytes,
			       uint32_t max_procs);
/* Move PID into them; returns 0 or -errno. */
int bn_sandbox__cgroup_attach(const bn_sandbox__cgroup *cg, pid_t pid,
			      bn_err *err);
/*
 * Open the `tasks` file of each group in force (FDS[0] memory, FDS[1]
 * pids; -1 for a group not in force), write-only and close-on-exec, so
 * that the child can join them itself (bn_sandbox__cgroup_join) before
 * it runs anything else.  cgroup v1 checks a write to `tasks` against
 * the credentials of the file's opener, so the child may do it from its
 * new user namespace.  Returns 0, or -errno with nothing left open (the
 * parent then moves the child with bn_sandbox__cgroup_attach).
 */
int bn_sandbox__cgroup_open_joins(int fds[2], const bn_sandbox__cgroup *cg);
/* In the child: write "0" (this thread) to each of FDS and close them;
   0 or -errno.  Async-signal-safe. */
int bn_sandbox__cgroup_join(const int fds[2]);
/* Did the run hit memory.limit (OOM kill or failcnt) or pids.max? */
void bn_sandbox__cgroup_events(const bn_sandbox__cgroup *cg, bool *oom,
			       bool *mem_max, bool *pids_max);
/* SIGKILL every process in the groups now (no waiting). */
void bn_sandbox__cgroup_kill(const bn_sandbox__cgroup *cg);
/* SIGKILL every process left, wait until empty, rmdir; frees names. */
void bn_sandbox__cgroup_destroy(bn_sandbox__cgroup *cg);
/* Can we create a cgroup under CONTROLLER ("memory", "pids")? */
bool bn_sandbox__cgroup_probe(const char *controller, char *note, size_t n);

#endif
