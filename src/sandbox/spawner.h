/* SPDX-License-Identifier: MIT */
/*
 * sandbox/spawner.h - the spawner: the one process that starts confined
 * children, and the worker image it starts.
 *
 * Owns: forking the spawner at start-up, before any thread exists and
 * before any secret is read; its loop (one supervisor process per run,
 * each reaped); the supervisor (receives the run's policy and
 * descriptors, spawns with sandbox.c, enforces the wall clock, kills the
 * tree on request or when the caller goes away, removes the cgroups,
 * reports the end); and the first steps of a worker after its fresh
 * execve (Landlock, seccomp, not dumpable).  Once started, every
 * bn_sandbox_spawn of a native program or a worker in this process goes
 * through the spawner, so no thread of the caller ever forks, and a
 * worker holds nothing of the caller's memory or environment.
 * Uses: sandbox (spawn, protocol), libc.  The process-wide channel to
 * the spawner is set once by bn_sandbox_spawner_start and read-only
 * after (like the live list of sandbox.c).
 * Spec: fork(2), execveat(2), signalfd(2), unix(7) (SCM_RIGHTS).
 */
#ifndef BN_SANDBOX_SPAWNER_H
#define BN_SANDBOX_SPAWNER_H

#include "base/err.h"

/*
 * bn_sandbox_spawner_start - open the worker image (`bnity-worker` beside
 * this program, or else this program itself, /proc/self/exe), kept as a
 * descriptor so that a binary replaced on disk is not the one that runs,
 * and fork the spawner.  Call it first thing in main, while the
 * process has one thread and has read no secret.  Returns 0, or a
 * negated errno naming the step; without a spawner, workers cannot run.
 */
int bn_sandbox_spawner_start(bn_err *err) BN_MUST_USE;

/* The hidden command word of the worker entry point. */
#define BN_SANDBOX_WORKER_WORD "__worker"

/*
 * bn_sandbox_worker_enter - the first thing `bnity __worker ARGS` does:
 * ARGV are the words after BN_SANDBOX_WORKER_WORD, as the confined child
 * wrote them.  Makes the process non-dumpable, enforces its Landlock
 * ruleset and loads the arch guard and the worker's seccomp allow-list,
 * then closes the error pipe that tells the supervisor it is confined.
 * Returns the number of descriptors the caller gave the worker (they are
 * 0 .. n-1), or a negative code (the failure was reported; exit).
 */
int bn_sandbox_worker_enter(int argc, char **argv) BN_MUST_USE;

#endif
