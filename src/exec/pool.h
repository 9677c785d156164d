/* SPDX-License-Identifier: MIT */
/*
 * exec/pool.h - warm pools of confined workers for a long-lived server.
 *
 * Owns: the workers a server keeps between calls; which call a worker
 * may serve (the reuse rule below); when a worker is retired; the
 * concurrency caps per skill and per bot, and the bounded queue in
 * front of them.  Uses: exec (worker.c spawns and talks to workers),
 * sandbox (through worker.c).
 *
 * The reuse rule.  A spare worker is confined (namespaces, cgroups,
 * seccomp, a Landlock ruleset that grants no file at all) and has no
 * identity.  Its first call binds it to that call's identity: the skill
 * (its name and tree hash), the bytes of the module it runs, the bot,
 * every grant the run holds and the run's limits, hashed together.  From
 * then on it serves only calls with exactly that identity, each in a
 * fresh instance with fresh linear memory and globals (the compiled
 * module is kept; executable memory stays sealed).  It is retired after
 * max_calls calls, after idle_s seconds without one, and at once after a
 * call that trapped, hit a limit, had a capability refused, broke the
 * protocol or did not report.  A run whose grants open folders, or whose
 * limits pass what a spare is made for, gets a worker bound at spawn
 * (its Landlock ruleset then names those folders): a spare's ruleset
 * could only be tightened, never widened, on binding.
 *
 * A call waits for a worker when its skill or bot has as many calls
 * running as the caps allow, or every worker is busy; at most
 * queue_max calls wait, each at most queue_wait_ms.  Past that the call
 * fails with -EAGAIN (the server answers 503 with Retry-After).
 */
#ifndef BN_EXEC_POOL_H
#define BN_EXEC_POOL_H

#include <stdint.h>

#include "base/err.h"

typedef struct bn_exec_pool bn_exec_pool;

typedef struct bn_exec_pool_config {
	unsigned max_workers;      /* live workers in all (spare + bound) */
	unsigned max_per_skill;    /* bound workers of one skill */
	unsigned spares;           /* kept ready ahead of demand */
	unsigned max_calls;        /* a worker is retired after N calls */
	unsigned idle_s;           /* ... or after T seconds unused */
	unsigned skill_busy;       /* calls of one skill at once */
	unsigned bot_busy;         /* calls for one bot at once */
	unsigned queue_max;        /* calls waiting, in all */
	unsigned queue_wait_ms;    /* the longest one waits */
} bn_exec_pool_config;

#define BN_EXEC_POOL_CONFIG_INIT { 32, 8, 4, 1000, 60, 8, 16, 64, 5000 }

/*
 * bn_exec_pool_config_env - CFG's fields from BNITY_POOL_WORKERS,
 * BNITY_POOL_PER_SKILL, BNITY_POOL_SPARES, BNITY_POOL_CALLS,
 * BNITY_POOL_IDLE_S, BNITY_POOL_SKILL_BUSY, BNITY_POOL_BOT_BUSY,
 * BNITY_POOL_QUEUE, BNITY_POOL_QUEUE_WAIT_MS where set.  BN_EINVAL naming
 * the variable when one is not a number in its range.
 */
int bn_exec_pool_config_env(bn_exec_pool_config *cfg, bn_err *err)
	BN_MUST_USE;

/*
 * bn_exec_pool_new - a pool with CFG, and its keeper thread (makes the
 * spares, retires idle workers).  Call it once the spawner runs.
 */
int bn_exec_pool_new(bn_exec_pool **out, const bn_exec_pool_config *cfg,
		     bn_err *err) BN_MUST_USE;

/*
 * bn_exec_pool_free - stop the keeper and end every idle worker; calls
 * still running must have returned (the server frees it after its
 * request threads are joined).  NULL is a no-op.
 */
void bn_exec_pool_free(bn_exec_pool *p);

#endif
