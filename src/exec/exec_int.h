/* SPDX-License-Identifier: MIT */
/* exec/exec_int.h - what the executor shares with the script runner. */
#ifndef BN_EXEC_EXEC_INT_H
#define BN_EXEC_EXEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec/audit.h"
#include "exec/executor.h"
#include "exec/grants.h"
#include "exec/host.h"
#include "exec/worker.h"
#include "skill/tree.h"
#include "wasm/wasi.h"
#include "wasm/wasm.h"
#include "store/store.h"

/* A memfd holding DATA, positioned at its start; -1 on failure. */
int bn_exec__memfd_with(const char *name, const void *data, size_t len);
/* What was written to FD (at most MAX bytes), NUL-terminated, owned. */
char *bn_exec__memfd_take(int fd, size_t max, size_t *len_out);
/* Make TREE readable (and its folders searchable) by everyone, links
   left alone: a confined process runs as an unprivileged user. */
void bn_exec__open_tree(const char *tree);
/*
 * bn_exec__run_config - the WASI set-up and engine limits of one skill
 * run: ARGV0 as the program name (ARGV0 must outlive CFG), the granted
 * folders, stdio FDS, and the run's limits.  One place for the
 * in-process run and the confined worker.
 */
void bn_exec__run_config(bn_wasm_wasi_config *cfg, bn_wasm_limits *wl,
			 const char *const *argv0,
			 const bn_wasm_wasi_preopen *pre, size_t npre,
			 const int fds[3], const bn_exec_limits *limits);
/*
 * A live confined worker (worker.c) and what the pool (pool.c) does with
 * it.  _spawn starts one for JOB (its folders and limits), or a spare
 * for no job yet (JOB NULL: no folders, limits up to BN_EXEC__SPARE_*);
 * LIFETIME_MS > 0 makes it a pooled worker, whose supervisor's wall
 * clock and CPU limit cover its whole life.  _call sends JOB and serves
 * it until the job's end (the call's own wall clock kills the worker's
 * tree); _spent says the worker must not serve again (a trap, a limit,
 * a refused capability, a broken protocol, or no report); _end closes
 * the channel, kills and waits for it, filling OUT's end (may be NULL).
 */
#define BN_EXEC__SPARE_MEMORY ((uint64_t)256 << 20)
#define BN_EXEC__SPARE_OUTPUT ((uint64_t)4 << 20)
typedef struct bn_exec__worker {
	struct bn_sandbox_proc *proc;  /* owned */
	int chan;                      /* the broker's end */
	int pid;
	unsigned calls;                /* jobs sent so far */
	bool has_module;               /* its module is compiled */
} bn_exec__worker;

int bn_exec__worker_spawn(bn_exec__worker *w, const bn_exec_worker_job *job,
			  uint64_t lifetime_ms, bool allow_weaker, bn_err *err)
	BN_MUST_USE;
void bn_exec__worker_call(bn_exec_worker_outcome *out, bn_exec__worker *w,
			  const bn_exec_worker_job *job);
bool bn_exec__worker_spent(const bn_exec_worker_outcome *o,
			   const bn_exec_host *h);
void bn_exec__worker_end(bn_exec_worker_outcome *out, bn_exec__worker *w);
/* A spare (a worker spawned for no job, ALLOW_WEAKER as given) can
   serve JOB: no folders, limits within what a spare is made for. */
bool bn_exec__spare_fits(const bn_exec_worker_job *job, bool allow_weaker);

/*
 * A worker started ahead of its job, for a run without a pool: as soon
 * as the run knows it goes to a worker, _begin asks the spawner for a
 * spare (its supervisor's wall clock LIFETIME_MS) without waiting for it
 * (bn_sandbox_spawn_start), so that the worker's start, in the spawner's
 * processes, overlaps what the run does before it (the module's read
 * and identity check, the grants, the audit record).  bn_exec_worker_run takes it for a job a spare
 * fits whose wall clock ends well within its lifetime, and the job's own
 * wall clock is enforced from outside as for any worker; _end ends a
 * worker nobody took.  It is still a fresh worker that serves one job:
 * nothing is reused between runs.
 */
typedef struct bn_exec__prestart {
	bool pending;                  /* asked for, start not read yet */
	bool taken;                    /* the run took its worker */
	bool allow_weaker;
	uint64_t lifetime_ms;
	uint64_t started_ms;           /* when the spawn was asked for */
	int r;                         /* the spawn's result */
	bn_exec__worker w;
} bn_exec__prestart;

void bn_exec__prestart_begin(bn_exec__prestart *ps, uint64_t lifetime_ms,
			     bool allow_weaker);
/* JOB's worker when the prestarted one fits it (true; *W owned), else
   false with the prestarted one ended.  Waits for the spawn. */
bool bn_exec__prestart_take(bn_exec__worker *w, bn_exec__prestart *ps,
			    const bn_exec_worker_job *job);
void bn_exec__prestart_end(bn_exec__prestart *ps);
/* pool.c: run JOB in a worker of POOL (bound, spare or new). */
int bn_exec__pool_call(bn_exec_worker_outcome *out, bn_exec_pool *pool,
		       const bn_exec_worker_job *job, bn_err *err) BN_MUST_USE;

/* BNITY_SANDBOX_ALLOW_WEAKER is set to accept weaker confinement. */
bool bn_exec__allow_weaker(void);

/*
 * bn_exec__run - the part every run of a skill shares (run.c), whether
 * it runs the skill's module (executor.c) or one of its scripts
 * (script.c).  In order:
 *
 *   bn_exec__run_open    find the skill and its tier; an unknown skill
 *                        is an error no audit record names.  A copy
 *                        that is not the installed skill (store.h) runs
 *                        untrusted with its own grants only, and
 *                        notice says so; _begin records it as an
 *                        "identity" call of the run
 *   bn_exec__run_refuse  from then on a refusal before the run began
 *                        ("denied" for BN_EDENIED, else "error") is
 *                        recorded; returns R
 *   bn_exec__run_code    the run will execute code of skill NAME (a
 *                        tool module an ancestor provides): the run's
 *                        tier drops to that skill's when it is lower
 *   bn_exec__run_loaded  what was read to run of skill NAME's code: its
 *                        folder, or the copy AS_DIR of it, with FILE
 *                        (may be NULL) as read into memory.  When the
 *                        run's tier and grants rest on NAME's content
 *                        (a copy hashed when listed, an installed skill
 *                        that is not a local one of the store), that
 *                        must hash to it; else BN_EDENIED: the files
 *                        changed after their check, and the bytes read
 *                        are not the skill the grants belong to
 *   bn_exec__run_begin   check the bot, load the grants, fold their
 *                        limits into the tier's, open the audit record
 *                        (refusals recorded as by _refuse)
 *   bn_exec__run_fail    the run could not go on: close the record as an
 *                        "error" with ERR's message
 *   bn_exec__run_end     close the record with the run's outcome, its
 *                        *ERROR (owned, may be NULL) first made valid
 *                        UTF-8, the hash of its output and its duration
 *                        (left in ar.duration_ms); ar.fuel and
 *                        ar.memory_peak are the caller's to set
 *   bn_exec__run_clear   always after open, whatever it returned
 */
typedef struct bn_exec__run {
	bn_store *store;
	const char *bot;             /* NULL: every-bot grants only */
	bn_store_skills all;         /* the skill, the skills it names as
					parents or dependencies, and those of
					the user's and project folders; sk
					points into it */
	const bn_store_skill *sk;
	bn_exec_tier tier;           /* where it came from, lowered by
					SKILL.md */
	bn_exec_limits limits;       /* the tier's, tightened by grants */
	bn_exec_grants grants;       /* the bot's rows and the every-bot
					ones; without a bot the latter only */
	bn_exec_audit_run ar;        /* the record as it stands */
	char *notice;                /* owned: which copy runs when it is
					not the installed skill, or NULL */
	int64_t audit_id;            /* 0 until begun */
	uint64_t t0_ms;              /* bn_clock_now_ms() at open */
} bn_exec__run;

int bn_exec__run_open(bn_exec__run *run, bn_store *s, const char *skill,
		      const char *bot, const void *input, size_t input_len,
		      bn_err *err) BN_MUST_USE;
int bn_exec__run_refuse(bn_exec__run *run, int r, const bn_err *err);
void bn_exec__run_code(bn_exec__run *run, const char *name);
int bn_exec__run_loaded(bn_exec__run *run, const char *name,
			const char *as_dir, const bn_skill_tree_file *file,
			bn_err *err) BN_MUST_USE;
int bn_exec__run_begin(bn_exec__run *run, bn_err *err) BN_MUST_USE;
void bn_exec__run_fail(bn_exec__run *run, const bn_err *err);
int bn_exec__run_end(bn_exec__run *run, const char *outcome, char **error,
		     const char *output, size_t output_len, bn_err *err);
void bn_exec__run_clear(bn_exec__run *run);

#endif
