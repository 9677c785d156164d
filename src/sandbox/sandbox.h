/* SPDX-License-Identifier: MIT */
/*
 * sandbox/sandbox.h - the operating-system layer of defence in depth.
 *
 * Owns: probing what confinement the kernel offers, spawning a confined
 * child (an engine worker function or a native program), waiting for it
 * under a wall clock, saying which limit ended it, and killing every
 * live child at once when the process shuts down.  The framed broker
 * protocol lives in sandbox/protocol.h.  Uses: base, libseccomp, Linux
 * (namespaces, Landlock, seccomp, cgroup v1, rlimits).  Knows nothing of
 * skills or of the WebAssembly engine.
 *
 * Threading rule: a process that started the spawner (spawner.h) never
 * forks for a native program or a worker: bn_sandbox_spawn asks the
 * spawner, which is single-threaded and holds no secret, and every
 * thread may call it.  Without a spawner (the unit tests), a native
 * program or an engine-worker function is forked from the caller, which
 * must then be single-threaded, because the child runs ordinary libc
 * code (malloc, libseccomp) between the fork and the untrusted code.
 *
 * References: namespaces(7), user_namespaces(7), pid_namespaces(7),
 * landlock(7), seccomp(2), seccomp_rule_add(3), prctl(2), setrlimit(2),
 * close_range(2), Documentation/admin-guide/cgroup-v1/{memory,pids}.rst.
 */
#ifndef BN_SANDBOX_SANDBOX_H
#define BN_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

/* One confinement mechanism, as probed on this machine. */
typedef enum bn_sandbox_mech {
	BN_SANDBOX_MECH_USERNS,      /* user namespace (unprivileged ids) */
	BN_SANDBOX_MECH_PIDNS,       /* PID namespace */
	BN_SANDBOX_MECH_NETNS,       /* network namespace (no interfaces) */
	BN_SANDBOX_MECH_MNTNS,       /* mount namespace */
	BN_SANDBOX_MECH_IPCNS,       /* IPC namespace */
	BN_SANDBOX_MECH_UTSNS,       /* UTS namespace */
	BN_SANDBOX_MECH_NO_NEW_PRIVS,/* PR_SET_NO_NEW_PRIVS */
	BN_SANDBOX_MECH_LANDLOCK_FS, /* Landlock filesystem rules */
	BN_SANDBOX_MECH_LANDLOCK_NET,/* Landlock TCP bind/connect (ABI >= 4) */
	BN_SANDBOX_MECH_LANDLOCK_SCOPE, /* signal + abstract unix (ABI >= 6) */
	BN_SANDBOX_MECH_SECCOMP,     /* seccomp BPF filter, KILL_PROCESS */
	BN_SANDBOX_MECH_SECCOMP_NOTIFY, /* seccomp user notification */
	BN_SANDBOX_MECH_CGROUP_MEMORY,  /* cgroup v1 memory, writable */
	BN_SANDBOX_MECH_CGROUP_PIDS,    /* cgroup v1 pids, writable */
	BN_SANDBOX_MECH_RLIMITS,     /* setrlimit CPU/FSIZE/NOFILE/CORE/AS */
	BN_SANDBOX_MECH_CLOSE_RANGE, /* close_range(2) */
	BN_SANDBOX_MECH_MAX
} bn_sandbox_mech;

#define BN_SANDBOX_NOTE_MAX 96 /* bytes of one note, NUL included */

/* What the probe found for one mechanism. */
typedef struct bn_sandbox_mech_status {
	bool offered;                   /* the kernel lets us use it */
	bool in_force;                  /* bn_sandbox_spawn uses it */
	char note[BN_SANDBOX_NOTE_MAX]; /* short explanation */
} bn_sandbox_mech_status;

/* The whole probe. */
typedef struct bn_sandbox_status {
	bn_sandbox_mech_status mech[BN_SANDBOX_MECH_MAX]; /* by mechanism */
	int landlock_abi;     /* highest Landlock ABI, 0 if none */
} bn_sandbox_status;

/*
 * bn_sandbox_probe - find out, by trying, which mechanisms this machine
 * offers (each namespace is created in a throw-away child, cgroups are
 * created and removed).  Never fails; what cannot be used is reported as
 * not offered with a note.  Costs a few forks: call it once per command.
 */
void bn_sandbox_probe(bn_sandbox_status *out);

/* bn_sandbox_mech_name - "userns", "landlock-fs", ... (static). */
const char *bn_sandbox_mech_name(bn_sandbox_mech m);

/* What the child runs after confinement in engine-worker mode. */
typedef int (*bn_sandbox_fn)(void *payload);

/*
 * The confinement asked for.  Paths are borrowed for the duration of
 * bn_sandbox_spawn.  A limit of 0 means "none of ours" (the kernel's).
 */
typedef struct bn_sandbox_policy {
	const char *const *read_paths; /* read-only trees or files */
	size_t n_read_paths;
	const char *const *write_paths;/* read-write trees or files */
	size_t n_write_paths;
	bool allow_exec;        /* native command (execve) vs engine worker */
	uint64_t memory_bytes;  /* cgroup memory limit (RLIMIT_AS fallback) */
	uint64_t cpu_seconds;   /* RLIMIT_CPU per process */
	uint64_t file_size_bytes; /* RLIMIT_FSIZE */
	uint32_t open_files;    /* RLIMIT_NOFILE */
	uint32_t max_procs;     /* cgroup pids.max and RLIMIT_NPROC */
	uint64_t wall_ms;       /* wall clock for the whole run */
	const int *keep_fds;    /* descriptors the child keeps (stdio, the
				   broker channel); all others are closed */
	size_t n_keep_fds;
	bool allow_weaker;      /* run even when a mechanism is missing; the
				   caller records bn_sandbox_proc_weakened */
	uid_t uid;              /* unprivileged id the child runs as, inside
				   and outside its user namespace */
	gid_t gid;              /* unprivileged group, likewise */
	int trace_fd;           /* >= 0: per-step microseconds go here */
} bn_sandbox_policy;

#define BN_SANDBOX_POLICY_INIT { \
	.read_paths = NULL, .n_read_paths = 0, \
	.write_paths = NULL, .n_write_paths = 0, \
	.allow_exec = false, \
	.memory_bytes = (uint64_t)256 << 20, \
	.cpu_seconds = 10, \
	.file_size_bytes = (uint64_t)64 << 20, \
	.open_files = 64, \
	.max_procs = 32, \
	.wall_ms = 30000, \
	.keep_fds = NULL, .n_keep_fds = 0, \
	.allow_weaker = false, \
	.uid = 65534, .gid = 65534, \
	.trace_fd = -1 }

/*
 * What the child runs: exactly one of argv (allow_exec), fn, or worker.
 * A worker is a fresh execve of bnity's own worker entry point
 * (bn_sandbox_worker_enter) with an empty environment, started by the
 * spawner: keep_fds[i] becomes its descriptor i, and nothing of the
 * caller's memory reaches it.
 */
typedef struct bn_sandbox_target {
	const char *const *argv; /* argv[0] is an absolute path */
	const char *const *envp; /* the whole environment; NULL = empty */
	bn_sandbox_fn fn;        /* engine worker: _exit(fn(payload)) */
	void *payload;           /* passed to fn */
	bool worker;             /* bnity's worker entry point (spawner) */
	bool redirect_stdio;     /* make stdio_fds the child's 0, 1, 2 (they
				    must also be in policy.keep_fds) */
	int stdio_fds[3];
} bn_sandbox_target;

/*
 * bn_sandbox_target_stdio - make FDS[0..2] the standard input, output
 * and error of T's child, and the descriptors POLICY keeps, as the two
 * must agree.  POLICY points at FDS, which must outlive the run; the
 * caller closes them after it.
 */
void bn_sandbox_target_stdio(bn_sandbox_target *t, bn_sandbox_policy *policy,
			     const int fds[3]);

/* Why a run ended. */
typedef enum bn_sandbox_end {
	BN_SANDBOX_END_EXIT,    /* exited by itself; exit_code is valid */
	BN_SANDBOX_END_SIGNAL,  /* killed by a signal not ours */
	BN_SANDBOX_END_TIME,    /* the wall clock ran out */
	BN_SANDBOX_END_MEMORY,  /* the cgroup OOM killer (or RLIMIT_AS) */
	BN_SANDBOX_END_CPU,     /* RLIMIT_CPU: SIGXCPU, or SIGKILL at hard */
	BN_SANDBOX_END_FSIZE,   /* RLIMIT_FSIZE: SIGXFSZ */
	BN_SANDBOX_END_PIDS,    /* pids.max reached and the run died of it */
	BN_SANDBOX_END_SECCOMP, /* a forbidden system call: SIGSYS */
	BN_SANDBOX_END_MAX
} bn_sandbox_end;

/* The outcome of one run. */
typedef struct bn_sandbox_result {
	bn_sandbox_end end;     /* why it ended */
	int exit_code;          /* END_EXIT: the exit status */
	int signal;             /* the signal that killed it, 0 if none */
	uint64_t wall_us;       /* wall-clock time of the run */
	uint64_t cpu_us;        /* user + system CPU of the main process */
	uint64_t maxrss_kb;     /* peak resident size of the main process */
	bool pids_max_hit;      /* a fork failed on pids.max */
	bool memory_max_hit;    /* the memory limit was reached */
} bn_sandbox_result;

/* bn_sandbox_end_name - "exit", "time", "memory", ... (static). */
const char *bn_sandbox_end_name(bn_sandbox_end e);

/* A running confined child; opaque. */
typedef struct bn_sandbox_proc bn_sandbox_proc;

/*
 * bn_sandbox_spawn - start TARGET confined by POLICY.  Order in the
 * child: user, PID, network, mount, IPC, UTS namespaces (one clone);
 * cgroups (the parent moves it in); no_new_privs, not dumpable, drop
 * supplementary groups and switch to policy uid/gid; close every fd but
 * keep_fds; rlimits; Landlock; drop capabilities; then the payload
 * process (PID 2 in the namespace; PID 1 only waits and reports) loads
 * the seccomp allow-list and runs fn or execve.
 * Returns 0 and *out (owned; bn_sandbox_proc_free), BN_EDENIED when a
 * mechanism is missing and !allow_weaker, BN_EINVAL for a bad policy,
 * or a negated errno / BN_EIO naming the step that failed.
 */
int bn_sandbox_spawn(bn_sandbox_proc **out, const bn_sandbox_policy *policy,
		     const bn_sandbox_target *target, bn_err *err)
	BN_MUST_USE;

/*
 * bn_sandbox_spawn_start - bn_sandbox_spawn in two halves, for a caller
 * with other work to do while the child starts: a run the spawner starts
 * (a worker, or a native program once the spawner runs) is asked for
 * and *out returned at once, while the spawner's supervisor confines it;
 * bn_sandbox_spawn_started then reads its start and returns what
 * bn_sandbox_spawn would have (on failure *PROC is freed and NULL).
 * Without a spawner, _start spawns in full and _started returns 0.
 * Only bn_sandbox_proc_free may be called between the two.
 */
int bn_sandbox_spawn_start(bn_sandbox_proc **out,
			   const bn_sandbox_policy *policy,
			   const bn_sandbox_target *target, bn_err *err)
	BN_MUST_USE;
int bn_sandbox_spawn_started(bn_sandbox_proc **proc, bn_err *err)
	BN_MUST_USE;

/* bn_sandbox_proc_pid - the child's pid as the caller sees it. */
pid_t bn_sandbox_proc_pid(const bn_sandbox_proc *proc);

/*
 * bn_sandbox_proc_weakened - what was missing ("" if nothing), e.g.
 * "landlock-net pids-cgroup"; borrowed, lives as long as PROC.
 */
const char *bn_sandbox_proc_weakened(const bn_sandbox_proc *proc);

/*
 * bn_sandbox_proc_wait - wait for the run to end, killing the whole tree
 * when the wall clock runs out, and fill *out.  Returns 0, or BN_EIO when
 * waiting itself failed.  Call once.
 */
int bn_sandbox_proc_wait(bn_sandbox_result *out, bn_sandbox_proc *proc,
			 bn_err *err) BN_MUST_USE;

/* bn_sandbox_proc_kill - kill the whole tree now (idempotent). */
void bn_sandbox_proc_kill(bn_sandbox_proc *proc);

/* bn_sandbox_proc_free - kill if still running, reap, remove cgroups. */
void bn_sandbox_proc_free(bn_sandbox_proc *proc);

/*
 * bn_sandbox_procs_stop - for a process that is shutting down: from now
 * on every bn_sandbox_spawn of this process fails (-ECANCELED), and every
 * confined child it spawned that is not yet reaped is killed with its
 * whole tree (SIGKILL to its PID 1, or its cgroup without a PID
 * namespace).  Their owners still wait for and free them as usual (they
 * see a run killed by a signal).  Safe from any thread; cannot be undone.
 * Returns how many were running.
 */
unsigned bn_sandbox_procs_stop(void);

/*
 * bn_sandbox_seal_exec - from now on, making memory executable kills the
 * calling process (a seccomp filter on mprotect with PROT_EXEC).  A
 * confined engine worker calls it once its module is compiled to machine
 * code, so what runs after can never create new code.  Needs
 * no_new_privs (set in every confined child).
 */
int bn_sandbox_seal_exec(bn_err *err) BN_MUST_USE;

/*
 * bn_sandbox_run - spawn, wait and free in one call.  *weakened_out, when
 * not NULL, receives an owned copy of what was missing (free()).
 */
int bn_sandbox_run(bn_sandbox_result *out, char **weakened_out,
		   const bn_sandbox_policy *policy,
		   const bn_sandbox_target *target, bn_err *err) BN_MUST_USE;

#endif
